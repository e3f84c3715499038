/* mini-container - a container by hand: days 01-03 in one program. It does
 * what the sources' one-liner
 *   cgexec -g cpu,memory:$ID unshare -uinpUrf --mount-proc \
 *       sh -c "hostname $ID && chroot $ROOTFS /bin/sh"
 * means to do, and cleans up after itself.
 *
 * Usage: mini-container [-v] [-x] --rootfs DIR [--name ID] [--hostname NAME]
 *            [--memory SIZE] [--cpus N] [--pids N] [--user]
 *            [--ip CIDR [--bridge NAME]] -- COMMAND...
 *        mini-container [-v] [-x] gc
 *
 * This file is the command line: options, usage, exit status. The
 * container's life is the runtime module, container.c, which day 05's
 * mini-runc drives from a config.json. Its task list, in order:
 *   1. clean up what a killed earlier run left (state in /run/hop);
 *   2. make a cgroup beneath ours and write the limits (day 02);
 *   3. clone a child into new mount, UTS, IPC, PID and network (and user)
 *      namespaces (day 01); it waits while we put it in the cgroup, write
 *      its id maps (--user) and, with --ip, join it to a bridge;
 *   4. the child takes a session and a cgroup namespace of its own, sets
 *      the hostname, pivots into the root filesystem (day 03) and execs
 *      the command as PID 1, or sends us its error;
 *   5. we pass signals on, wait, and remove the cgroup and the state.
 *
 * Read: clone(2), cgroups(7), pivot_root(2), and runc's libcontainer.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "02-cgroups/knob.h"
#include "04-container-by-hand/container.h"
#include "04-container-by-hand/state.h"
#include "lib/hop.h"

/* The options as given. */
struct options {
	const char *rootfs, *name, *hostname;
	const char *memory, *cpus, *pids; /* limits, or NULL */
	int user;			  /* --user: a user namespace too */
	const char *ip, *bridge;	  /* --ip 10.88.0.2/24, --bridge hop0 */
	char **command;
};

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out,
		_("Usage: %s [-v] [-x] --rootfs DIR [options] -- COMMAND...\n"
		  "       %s [-v] [-x] gc\n"),
		hop_program, hop_program);
	fputs(_("Run COMMAND as PID 1 of a container: new namespaces, a "
		"cgroup with limits,\nand DIR as its root.\n"
		"\n"
		"      --rootfs DIR      the root filesystem (needs /bin/sh)\n"
		"      --name ID         container name (default: c<pid>)\n"
		"      --hostname NAME   hostname inside (default: the name)\n"
		"      --memory SIZE     memory limit, e.g. 100M\n"
		"      --cpus N          CPU limit, e.g. 0.5\n"
		"      --pids N          most processes at once\n"
		"  -U, --user            a user namespace too: root inside is\n"
		"                        uid 100000 outside\n"
		"      --ip CIDR         eth0 with this address, on a bridge whose\n"
		"                        address is the subnet's first (the route)\n"
		"      --bridge NAME     the bridge for --ip (default hop0)\n"
		"  -v, --verbose         tell each step on stderr\n"
		"  -x, --explain         also show each kernel call\n"
		"  -h, --help            show this help\n"
		"  -V, --version         show the version\n"
		"\n"
		"gc removes what runs killed before their end left behind.\n"
		"Exit status: COMMAND's, 128+N if signal N killed it; 125 if "
		"the container\ncould not be set up, 126 if COMMAND could not "
		"run, 127 if it was not found\nin DIR; 1 for bad input.\n"),
	      out);
	exit(status);
}

static void parse_options(int argc, char **argv, struct options *opt)
{
	enum {
		OPT_ROOTFS = 256,
		OPT_NAME,
		OPT_HOST,
		OPT_MEM,
		OPT_CPUS,
		OPT_PIDS,
		OPT_IP,
		OPT_BRIDGE
	};
	static const struct option longs[] = {
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "hostname", required_argument, NULL, OPT_HOST },
		{ "memory", required_argument, NULL, OPT_MEM },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "pids", required_argument, NULL, OPT_PIDS },
		{ "user", no_argument, NULL, 'U' },
		{ "ip", required_argument, NULL, OPT_IP },
		{ "bridge", required_argument, NULL, OPT_BRIDGE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "explain", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	opterr = 0; /* we name a bad option ourselves */
	for (;;) {
		/* The word getopt_long is at, for hop_warn_bad_option(). */
		const char *word = argv[optind];
		int c = getopt_long(argc, argv, "+:UvxhV", longs, NULL);

		if (c == -1)
			break;
		switch (c) {
		case OPT_ROOTFS: opt->rootfs = optarg; break;
		case OPT_NAME: opt->name = optarg; break;
		case OPT_HOST: opt->hostname = optarg; break;
		case OPT_MEM: opt->memory = optarg; break;
		case OPT_CPUS: opt->cpus = optarg; break;
		case OPT_PIDS: opt->pids = optarg; break;
		case 'U': opt->user = 1; break;
		case OPT_IP: opt->ip = optarg; break;
		case OPT_BRIDGE: opt->bridge = optarg; break;
		case 'v': hop_verbose = 1; break;
		case 'x': hop_explain_calls = 1; break;
		case 'h': usage(stdout, 0);
		case 'V': printf("%s %s\n", hop_program, HOP_VERSION); exit(0);
		default:
			/* "-zv": the 'z' (optopt), not the word, is unknown. */
			hop_warn_bad_option(word, c);
			usage(stderr, 1);
		}
	}
	opt->command = argv + optind;
}

/* The options as a container_spec, or exit 1: bad input is refused before
 * anything is made. id holds the default name. */
static void make_spec(const struct options *opt, struct container_spec *spec,
		      char *id, size_t size)
{
	long long bytes = 0;

	if (!opt->rootfs)
		hop_die_plain(1, _("no root filesystem given (--rootfs DIR)"));
	snprintf(id, size, "c%d", (int)getpid());
	spec->id = opt->name ? opt->name : id;
	spec->rootfs = opt->rootfs;
	spec->hostname = opt->hostname;
	spec->argv = opt->command;
	spec->namespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
			   CLONE_NEWPID | CLONE_NEWNET;
	if (opt->user) {
		/* Root inside is uid and gid 100000 outside, 65536 of them. */
		spec->namespaces |= CLONE_NEWUSER;
		spec->uid_map = spec->gid_map = "0 100000 65536\n";
	}
	if (container_check_spec(spec) < 0)
		hop_die_context(1);
	if (opt->memory && knob_parse_bytes(opt->memory, &bytes) < 0)
		hop_die_plain(1, "--memory: %s", hop_context());
	spec->limits.memory = bytes > 0 ? bytes : 0; /* "max": no limit */
	if (opt->cpus && container_parse_cpus(opt->cpus, &spec->limits) < 0)
		hop_die_plain(1, "--cpus: %s", hop_context());
	if (opt->pids && hop_parse_long(opt->pids, 1, CONTAINER_MAX_PIDS,
					&spec->limits.pids) < 0)
		hop_die_plain(1, "--pids: %s", hop_context());
	if (opt->ip) {
		if (container_set_network(&spec->network, opt->ip,
					  opt->bridge) < 0)
			hop_die_plain(1, "%s", hop_context());
	} else if (opt->bridge) {
		hop_die_plain(1, _("--bridge needs --ip"));
	}
}

/* Say why the container did not run, with a hint when the cause is
 * common; chosen by errno, never by the (translated) text. */
static void explain_failure(const struct container *c,
			    const struct container_spec *spec)
{
	int saved = errno;

	hop_warn_context();
	if (saved == EEXIST && c->state.lock < 0)
		hop_hint(_("a container named %s is running; pick another "
			   "--name"),
			 spec->id);
	if (saved == EACCES && (spec->namespaces & CLONE_NEWUSER))
		hop_hint(_("with --user, root inside is uid 100000 outside: it "
			   "must be able to enter every directory above the "
			   "root filesystem"));
}

static int run(const struct container_spec *spec)
{
	struct container c = { 0 };
	int status = -1;

	if (container_create(&c, spec) == 0 && container_start(&c) == 0)
		status = container_wait(&c);
	if (status < 0) {
		explain_failure(&c, spec);
		status = (int)c.failure;
	}
	if (container_destroy(&c) < 0) {
		hop_warn("%s", hop_context());
		status = CONTAINER_SETUP_FAILED;
	}
	return status;
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	struct container_spec spec = { 0 };
	char id[32];

	hop_init(argv[0]);
	/* A reader of our stderr that went away must not kill us before the
	 * clean-up: a write then fails with EPIPE instead. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		hop_die(1, "signal(SIGPIPE)");
	parse_options(argc, argv, &opt);
	if (opt.command[0] && strcmp(opt.command[0], "gc") == 0 &&
	    !opt.rootfs) {
		if (state_gc() < 0)
			hop_die_context(1);
		return 0;
	}
	make_spec(&opt, &spec, id, sizeof(id));
	if (state_gc() < 0)
		hop_die_context(1);
	return run(&spec);
}
