/* mini-chroot - run a command with another root directory, like chroot(1).
 *
 * Usage: mini-chroot [-v] [-x] NEWROOT [COMMAND [ARG...]]
 *
 * chroot(2) changes one thing: where path lookups that start with "/" begin,
 * for this process and its children. The mounts, the processes, the network
 * and the users stay the host's, and a root process can walk back out (see
 * chroot-escape.c). Without COMMAND it runs /bin/sh -i, as chroot(1) runs
 * $SHELL -i.
 *
 * Read: chroot(1), chroot(2), and the NOTES of chroot(2) on why it is not
 * a security boundary.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "03-rootfs-chroot/rootfs.h"
#include "lib/hop.h"

/* Exit statuses of chroot(1): 125 when chroot itself fails. */
enum { EXIT_CANCELED = 125, EXIT_CANNOT_INVOKE = 126, EXIT_ENOENT = 127 };

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out, _("Usage: %s [-v] [-x] NEWROOT [COMMAND [ARG...]]\n"),
		hop_program);
	fputs(_("Run COMMAND (default: /bin/sh -i) with NEWROOT as /, like "
		"chroot(1).\n"
		"\n"
		"  -v, --verbose   tell each step on stderr\n"
		"  -x, --explain   also show each kernel call\n"
		"  -h, --help      show this help\n"
		"  -V, --version   show the version\n"
		"\n"
		"Exit status: COMMAND's; 125 if chroot failed, 126 if COMMAND "
		"could not\nrun, 127 if it was not found.\n"),
	      out);
	exit(status);
}

int main(int argc, char **argv)
{
	static char *shell[] = { "/bin/sh", "-i", NULL };
	char **command;

	hop_init(argv[0]);
	optind = hop_parse_common_options(argc, argv, usage, EXIT_CANCELED);

	if (optind >= argc) {
		hop_warn_plain(_("no new root given"));
		usage(stderr, EXIT_CANCELED);
	}
	command = optind + 1 < argc ? argv + optind + 1 : shell;

	hop_step(_("change the root directory to %s"), argv[optind]);
	if (rootfs_chroot(argv[optind]) < 0) {
		hop_warn("%s", hop_context());
		if (errno == EPERM)
			hop_hint(_("chroot needs root (CAP_SYS_CHROOT); try "
				   "mini-unshare -r first"));
		return EXIT_CANCELED;
	}
	hop_step(_("exec %s"), command[0]);
	hop_explain_call("execvp(\"%s\", ...)", command[0]);
	execvp(command[0], command);
	hop_die(errno == ENOENT ? EXIT_ENOENT : EXIT_CANNOT_INVOKE,
		_("exec %s in %s"), command[0], argv[optind]);
}
