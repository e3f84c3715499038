/* mini-pivot-root - run a command in a root filesystem the way container
 * runtimes switch roots: pivot_root(2) in a new mount namespace.
 *
 * Usage: mini-pivot-root [-v] [-x] NEWROOT [COMMAND [ARG...]]
 *
 * Steps, each visible with -x:
 *   1. unshare a mount and a PID namespace, and fork: the child is PID 1;
 *   2. make every mount private, so nothing below reaches the host;
 *   3. bind-mount NEWROOT onto itself (pivot_root wants a mount point);
 *   4. mount proc, a small /dev (tmpfs, null zero full random urandom tty,
 *      devpts) and a read-only sysfs inside it;
 *   5. pivot_root(".", ".") and unmount the old root: from now on no path
 *      leads to the host's files, so the chroot escape finds nothing;
 *   6. exec COMMAND (default /bin/sh); the parent passes SIGTERM and SIGHUP
 *      on (and SIGKILL after NS_STOP_SECONDS: PID 1 ignores signals it
 *      has no handler for), then passes the command's status on.
 *
 * Read: pivot_root(2), mount_namespaces(7), pid_namespaces(7), and
 * runc's libcontainer/rootfs_linux.go for the real thing.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "03-rootfs-chroot/rootfs.h"
#include "lib/hop.h"

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out, _("Usage: %s [-v] [-x] NEWROOT [COMMAND [ARG...]]\n"),
		hop_program);
	fputs(_("Run COMMAND (default: /bin/sh) in NEWROOT after pivot_root, "
		"in new mount\nand PID namespaces, with /proc, /dev and /sys "
		"mounted inside.\n"
		"\n"
		"  -v, --verbose   tell each step on stderr\n"
		"  -x, --explain   also show each kernel call\n"
		"  -h, --help      show this help\n"
		"  -V, --version   show the version\n"
		"\n"
		"Exit status: COMMAND's, 128+N if signal N killed it, 127 if it "
		"was not\nfound, 126 if it could not run, 1 on other errors.\n"),
	      out);
	exit(status);
}

/* The child: PID 1 of the new PID namespace. */
static _Noreturn void run_child(const char *root, char **command)
{
	hop_step(_("pid %d: switch the root to %s"), (int)getpid(), root);
	if (rootfs_pivot(root, ROOTFS_ALL) < 0) {
		hop_warn_context();
		if (hop_error_hint() == HOP_HINT_SYSFS_NEEDS_NETNS)
			hop_hint(_("in a user namespace, sysfs needs a network "
				   "namespace of its own: add -n"));
		exit(1);
	}
	hop_step(_("exec %s"), command[0]);
	hop_explain_call("execvp(\"%s\", ...)", command[0]);
	execvp(command[0], command);
	hop_die(errno == ENOENT ? 127 : 126, _("exec %s in %s"), command[0],
		root);
}

int main(int argc, char **argv)
{
	static char *shell[] = { "/bin/sh", NULL };
	const char *root;
	char **command;
	int status;
	pid_t pid;

	hop_init(argv[0]);
	optind = hop_parse_common_options(argc, argv, usage, 1);

	if (optind >= argc) {
		hop_warn_plain(_("no new root given"));
		usage(stderr, 1);
	}
	root = argv[optind];
	command = optind + 1 < argc ? argv + optind + 1 : shell;
	if (rootfs_check(root) < 0)
		hop_die_context(1);

	if (ns_unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) {
		hop_warn("%s", hop_context());
		hop_hint(_("run it as root, or under mini-unshare -r"));
		return 1;
	}
	pid = ns_fork();
	if (pid < 0)
		hop_die_context(1);
	if (pid == 0)
		run_child(root, command);
	status = ns_wait_forwarding(pid);
	if (status < 0)
		hop_die_context(1);
	return status;
}
