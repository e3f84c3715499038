/* mini-unshare - run a command in new namespaces, like unshare(1).
 *
 * Usage: mini-unshare [-pmuniUCT] [-f] [--mount-proc[=DIR]] [-r]
 *                     [--propagation MODE] [--boottime S] [--monotonic S]
 *                     [-v] [-x] [--] COMMAND [ARG...]
 *
 * The order matters, and is the lesson of day 01:
 *   1. unshare(2) every namespace asked for, in one call;
 *   2. with a new user namespace and -r, map root inside to us outside;
 *   3. with a new mount namespace, make every mount private first, so that
 *      nothing we mount later shows up on the host;
 *   4. with a new time namespace, set its clock offsets before anyone is in;
 *   5. with --fork, fork: only the child enters the new PID (and time)
 *      namespace, as PID 1; it mounts /proc there for --mount-proc;
 *   6. exec the command; the parent passes its exit status on.
 *
 * Read: unshare(1), unshare(2), namespaces(7), pid_namespaces(7),
 * user_namespaces(7), time_namespaces(7). Needs Linux 5.6 for --time.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "lib/hop.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct options {
	int flags;		   /* CLONE_NEW* */
	int fork;		   /* --fork */
	const char *proc_dir;	   /* --mount-proc: where, or NULL */
	int map_root;		   /* --map-root-user */
	unsigned long propagation; /* MS_PRIVATE, ...; 0 = unchanged */
	long monotonic, boottime;  /* time namespace offsets, seconds */
};

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out, _("Usage: %s [options] [--] COMMAND [ARG...]\n"),
		hop_program);
	fputs(_("Run COMMAND in new namespaces, like unshare(1).\n"
		"\n"
		"  -p, --pid              new PID namespace\n"
		"  -m, --mount            new mount namespace\n"
		"  -u, --uts              new UTS namespace (hostname)\n"
		"  -n, --net              new network namespace\n"
		"  -i, --ipc              new IPC namespace\n"
		"  -U, --user             new user namespace\n"
		"  -C, --cgroup           new cgroup namespace\n"
		"  -T, --time             new time namespace\n"
		"  -f, --fork             fork; the child runs COMMAND (as PID 1\n"
		"                         of a new PID namespace)\n"
		"      --mount-proc[=DIR] mount a new proc on DIR (default /proc);\n"
		"                         implies --mount\n"
		"  -r, --map-root-user    be root in the new user namespace;\n"
		"                         implies --user\n"
		"      --propagation MODE private (default), shared, slave or\n"
		"                         unchanged, for the mounts under /\n"
		"      --monotonic SECS   offset of CLOCK_MONOTONIC; implies --time\n"
		"      --boottime SECS    offset of CLOCK_BOOTTIME; implies --time\n"
		"  -v, --verbose          tell each step on stderr\n"
		"  -x, --explain          also show each kernel call and its result\n"
		"  -h, --help             show this help\n"
		"  -V, --version          show the version\n"
		"\n"
		"Exit status: COMMAND's, 128+N if a signal N killed it, 127 if it\n"
		"was not found, 126 if it could not run, 1 on other errors.\n"),
	      out);
	exit(status);
}

static _Noreturn void bad_option(const char *word, int c)
{
	hop_warn_bad_option(word, c);
	fprintf(stderr, _("Usage: %s [options] [--] COMMAND [ARG...]\n"),
		hop_program);
	fprintf(stderr, _("Try '%s --help' for more.\n"), hop_program);
	exit(1);
}

static long parse_seconds(const char *text, const char *option)
{
	long value;

	if (hop_parse_long(text, LONG_MIN, LONG_MAX, &value) < 0)
		hop_die_plain(1, _("%s: not a number of seconds: '%s'"), option,
			      text);
	return value;
}

static int parse_options(int argc, char **argv, struct options *opt)
{
	enum { OPT_MOUNT_PROC = 256, OPT_PROPAGATION, OPT_MONO, OPT_BOOT };
	static const struct option longs[] = {
		{ "pid", no_argument, NULL, 'p' },
		{ "mount", no_argument, NULL, 'm' },
		{ "uts", no_argument, NULL, 'u' },
		{ "net", no_argument, NULL, 'n' },
		{ "ipc", no_argument, NULL, 'i' },
		{ "user", no_argument, NULL, 'U' },
		{ "cgroup", no_argument, NULL, 'C' },
		{ "time", no_argument, NULL, 'T' },
		{ "fork", no_argument, NULL, 'f' },
		{ "mount-proc", optional_argument, NULL, OPT_MOUNT_PROC },
		{ "map-root-user", no_argument, NULL, 'r' },
		{ "propagation", required_argument, NULL, OPT_PROPAGATION },
		{ "monotonic", required_argument, NULL, OPT_MONO },
		{ "boottime", required_argument, NULL, OPT_BOOT },
		{ "verbose", no_argument, NULL, 'v' },
		{ "explain", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	opt->propagation = MS_PRIVATE;
	for (;;) {
		/* The word getopt_long is at: in "-zv" optind does not move
		 * on at the 'z', so argv[optind - 1] is not it. */
		const char *word = argv[optind];
		/* '+': stop at the first non-option, so COMMAND keeps its
		 * options. */
		int c = getopt_long(argc, argv, "+:pmuniUCTfrvxhV", longs,
				    NULL);

		if (c == -1)
			break;
		switch (c) {
		case 'p': opt->flags |= CLONE_NEWPID; break;
		case 'm': opt->flags |= CLONE_NEWNS; break;
		case 'u': opt->flags |= CLONE_NEWUTS; break;
		case 'n': opt->flags |= CLONE_NEWNET; break;
		case 'i': opt->flags |= CLONE_NEWIPC; break;
		case 'U': opt->flags |= CLONE_NEWUSER; break;
		case 'C': opt->flags |= CLONE_NEWCGROUP; break;
		case 'T': opt->flags |= CLONE_NEWTIME; break;
		case 'f': opt->fork = 1; break;
		case 'r':
			opt->map_root = 1;
			opt->flags |= CLONE_NEWUSER;
			break;
		case OPT_MOUNT_PROC:
			opt->proc_dir = optarg ? optarg : "/proc";
			opt->flags |= CLONE_NEWNS;
			break;
		case OPT_PROPAGATION:
			if (ns_parse_propagation(optarg, &opt->propagation) < 0)
				hop_die_context(1);
			break;
		case OPT_MONO:
			opt->monotonic = parse_seconds(optarg, "--monotonic");
			opt->flags |= CLONE_NEWTIME;
			break;
		case OPT_BOOT:
			opt->boottime = parse_seconds(optarg, "--boottime");
			opt->flags |= CLONE_NEWTIME;
			break;
		case 'v': hop_verbose = 1; break;
		case 'x': hop_explain_calls = 1; break;
		case 'h': usage(stdout, 0);
		case 'V': printf("%s %s\n", hop_program, HOP_VERSION); exit(0);
		default: bad_option(word, c);
		}
	}
	return optind;
}

static int wait_for_child(pid_t pid)
{
	int status = ns_wait_forwarding(pid);

	if (status < 0)
		hop_die_context(1);
	hop_step(_("child %d ended, exit status %d"), (int)pid, status);
	return status;
}

static void enter_namespaces(const struct options *opt)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char names[256];

	hop_step("unshare(%s)",
		 hop_flags_string((unsigned long)opt->flags, ns_clone_flags,
				  names, sizeof(names)));
	if (ns_unshare(opt->flags) < 0) {
		int saved = errno;

		hop_warn("%s", hop_context());
		errno = saved;
		if (errno == EPERM && !(opt->flags & CLONE_NEWUSER))
			hop_hint(_("run as root, or add -r to be root in a "
				   "new user namespace"));
		exit(1);
	}
	if (opt->map_root) {
		hop_step(_("map uid 0 to %u and gid 0 to %u"), (unsigned)uid,
			 (unsigned)gid);
		if (ns_map_root(uid, gid) < 0)
			hop_die_context(1);
	}
	if ((opt->flags & CLONE_NEWNS) && opt->propagation) {
		hop_step(_("make every mount under / %s"),
			 ns_propagation_name(opt->propagation));
		if (ns_set_propagation(opt->propagation) < 0)
			hop_die_context(1);
	}
	if (opt->flags & CLONE_NEWTIME) {
		hop_step(
			_("set clock offsets: monotonic %ld s, boottime %ld s"),
			opt->monotonic, opt->boottime);
		if (ns_set_time_offsets(opt->monotonic, opt->boottime) < 0)
			hop_die_context(1);
	}
}

/* With / shared (or left as it was), a proc mounted over a shared /proc
 * would appear on the host's /proc too: make that mount private first. */
static void mount_proc(const char *dir, unsigned long propagation)
{
	if (propagation != MS_PRIVATE) {
		hop_step(_("make the mount that holds %s private"), dir);
		if (ns_make_mount_private(dir) < 0)
			hop_die_context(1);
	}
	if (ns_mount_proc(dir) < 0)
		hop_die_context(1);
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	int first;

	hop_init(argv[0]);
	first = parse_options(argc, argv, &opt);
	if (first >= argc) {
		hop_warn_plain(_("no command given"));
		hop_hint(_("try: %s --fork --pid --mount-proc ps"),
			 hop_program);
		return 1;
	}

	enter_namespaces(&opt);
	if (opt.fork) {
		pid_t pid = ns_fork();

		if (pid < 0)
			hop_die_context(1);
		if (pid > 0)
			return wait_for_child(pid);
		hop_step(_("child: pid %d in the new namespaces"),
			 (int)getpid());
	}
	if (opt.proc_dir)
		mount_proc(opt.proc_dir, opt.propagation);

	hop_step(_("exec %s"), argv[first]);
	hop_explain_call("execvp(\"%s\", ...)", argv[first]);
	execvp(argv[first], argv + first);
	hop_die(errno == ENOENT ? 127 : 126, _("exec %s"), argv[first]);
}
