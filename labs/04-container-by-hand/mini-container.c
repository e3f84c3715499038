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
 * The low-level runtime's task list, in order:
 *   1. clean up what a killed earlier run left (state in /run/hop);
 *   2. make a cgroup beneath ours and write the limits (day 02);
 *   3. clone a child into new mount, UTS, IPC, PID and network (and user)
 *      namespaces (day 01); it waits on a pipe while we put it in the
 *      cgroup and, with --user, write its id maps;
 *      With --ip, a veth pair joins it to a bridge (mini-netns's module);
 *   4. the child takes a cgroup namespace, sets the hostname, pivots into
 *      the root filesystem with /proc, /dev and /sys (day 03) and execs the
 *      command as PID 1;
 *   5. we pass signals on, wait, and remove the cgroup and the state.
 *
 * Read: clone(2), cgroups(7), pivot_root(2), and runc's libcontainer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "02-cgroups/cgroup.h"
#include "02-cgroups/knob.h"
#include "03-rootfs-chroot/rootfs.h"
#include "04-container-by-hand/net.h"
#include "04-container-by-hand/state.h"
#include "lib/hop.h"

struct config {
	const char *rootfs, *name, *hostname;
	const char *memory, *cpus, *pids; /* limits as given, or NULL */
	int user;			  /* --user: a user namespace too */
	const char *ip, *bridge;	  /* --ip 10.88.0.2/24, --bridge hop0 */
	char gateway[20], bridge_cidr[24]; /* 10.88.0.1, 10.88.0.1/24 */
	char **command;
};

/* What this run made, to be undone at the end. */
struct container {
	char id[64], group[80], state[PATH_MAX], host_if[16];
	struct cgroup_hierarchy hierarchies[CGROUP_MAX_HIERARCHIES];
	int count;
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
		"Exit status: COMMAND's, 128+N if signal N killed it, 127 if it "
		"was not\nfound in DIR, 1 on other errors.\n"),
	      out);
	exit(status);
}

static void parse_options(int argc, char **argv, struct config *cfg)
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
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:UvxhV", longs, NULL)) != -1) {
		switch (c) {
		case OPT_ROOTFS: cfg->rootfs = optarg; break;
		case OPT_NAME: cfg->name = optarg; break;
		case OPT_HOST: cfg->hostname = optarg; break;
		case OPT_MEM: cfg->memory = optarg; break;
		case OPT_CPUS: cfg->cpus = optarg; break;
		case OPT_PIDS: cfg->pids = optarg; break;
		case 'U': cfg->user = 1; break;
		case OPT_IP: cfg->ip = optarg; break;
		case OPT_BRIDGE: cfg->bridge = optarg; break;
		case 'v': hop_verbose = 1; break;
		case 'x': hop_explain_calls = 1; break;
		case 'h': usage(stdout, 0);
		case 'V': printf("%s %s\n", hop_program, HOP_VERSION); exit(0);
		case ':':
			hop_warn_plain(_("option '%s' needs a value"),
				       argv[optind - 1]);
			usage(stderr, 1);
		default:
			hop_warn_plain(_("unknown option '%s'"),
				       argv[optind - 1]);
			usage(stderr, 1);
		}
	}
	cfg->command = argv + optind;
}

/* --ip 10.88.0.2/24: the gateway is the subnet's first address, and the
 * bridge holds it. */
static void check_network(struct config *cfg)
{
	struct net_cidr cidr;
	struct in_addr gateway;
	uint32_t mask;

	if (!cfg->bridge)
		cfg->bridge = "hop0";
	if (net_check_name(cfg->bridge) < 0 ||
	    net_parse_cidr(cfg->ip, &cidr) < 0)
		hop_die_plain(1, "%s", hop_context());
	if (cidr.prefix < 1 || cidr.prefix > 30)
		hop_die_plain(1,
			      _("--ip %s: the prefix must leave room for a "
				"gateway (1 to 30)"),
			      cfg->ip);
	mask = htonl(0xffffffffU << (32 - cidr.prefix));
	gateway.s_addr = (cidr.address.s_addr & mask) | htonl(1);
	if (gateway.s_addr == cidr.address.s_addr)
		hop_die_plain(1,
			      _("--ip %s is the gateway's address; use "
				"another"),
			      cfg->ip);
	inet_ntop(AF_INET, &gateway, cfg->gateway, sizeof(cfg->gateway));
	snprintf(cfg->bridge_cidr, sizeof(cfg->bridge_cidr), "%s/%d",
		 cfg->gateway, cidr.prefix);
}

/* Refuse bad input before anything is made. */
static void check_config(struct config *cfg)
{
	long long bytes;
	char *end;

	if (!cfg->rootfs)
		hop_die_plain(1, _("no root filesystem given (--rootfs DIR)"));
	if (!cfg->command[0])
		hop_die_plain(1, _("no command given (-- COMMAND...)"));
	if (rootfs_check(cfg->rootfs) < 0)
		hop_die_context(1);
	if (cfg->hostname && strlen(cfg->hostname) > HOST_NAME_MAX)
		hop_die_plain(1,
			      _("hostname is %zu bytes; the kernel allows %d"),
			      strlen(cfg->hostname), HOST_NAME_MAX);
	if (cfg->name &&
	    (strlen(cfg->name) > 40 || !*cfg->name ||
	     strspn(cfg->name, "abcdefghijklmnopqrstuvwxyz"
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "0123456789_.-") != strlen(cfg->name) ||
	     cfg->name[0] == '.'))
		hop_die_plain(1,
			      _("bad name '%s' (letters, digits, _ . -; at "
				"most 40)"),
			      cfg->name);
	if (cfg->memory && knob_parse_bytes(cfg->memory, &bytes) < 0)
		hop_die_plain(1, "--memory: %s", hop_context());
	if (cfg->cpus && (strtod(cfg->cpus, &end) < 0.01 || *end))
		hop_die_plain(1,
			      _("--cpus: bad value '%s' (a number of CPUs, "
				"at least 0.01)"),
			      cfg->cpus);
	if (cfg->pids && (strtol(cfg->pids, &end, 10) < 1 || *end))
		hop_die_plain(1,
			      _("--pids: bad value '%s' (a whole number, at "
				"least 1)"),
			      cfg->pids);
	if (cfg->ip)
		check_network(cfg);
	else if (cfg->bridge)
		hop_die_plain(1, _("--bridge needs --ip"));
}

/* Step 2: the cgroup and its limits; the state file lists its dirs. */
static int make_cgroup(struct container *ctr, const struct config *cfg)
{
	char dir[PATH_MAX], list[4 * PATH_MAX] = "", note[KNOB_NOTE_SIZE],
				     quota[64];
	const struct {
		const char *knob, *value;
	} limits[] = {
		{ "memory.max", cfg->memory },
		{ "memory.swap.max", cfg->memory ? "0" : NULL },
		{ "cpu.max", cfg->cpus ? quota : NULL },
		{ "pids.max", cfg->pids },
	};

	snprintf(quota, sizeof(quota), "%.0f 100000",
		 cfg->cpus ? strtod(cfg->cpus, NULL) * 100000 : 0.0);
	ctr->count = cgroup_find_all("memory,cpu,pids", ctr->hierarchies,
				     CGROUP_MAX_HIERARCHIES);
	if (ctr->count < 0)
		return -1;
	for (int i = 0; i < ctr->count; i++) {
		if (cgroup_dir(&ctr->hierarchies[i], ctr->group, dir,
			       sizeof(dir)) < 0)
			return -1;
		size_t used = strlen(list);

		snprintf(list + used, sizeof(list) - used, "%s\n", dir);
	}
	/* Written first: if we are killed half-way, gc knows what to remove. */
	if (state_write(ctr->state, "cgroups", list) < 0 ||
	    cgroup_create(ctr->hierarchies, ctr->count, ctr->group) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		const struct cgroup_hierarchy *h = NULL;

		char controller[16];

		snprintf(controller, sizeof(controller), "%.*s",
			 (int)strcspn(limits[i].knob, "."), limits[i].knob);
		for (int j = 0; j < ctr->count; j++)
			if (cgroup_has_controller(&ctr->hierarchies[j],
						  controller))
				h = &ctr->hierarchies[j];
		if (!limits[i].value || !h)
			continue;
		if (cgroup_dir(h, ctr->group, dir, sizeof(dir)) < 0)
			return -1;
		hop_step(_("limit %s = %s"), limits[i].knob, limits[i].value);
		if (knob_set(h, dir, limits[i].knob, limits[i].value, note) <
		    0) {
			if (strcmp(limits[i].knob, "memory.swap.max") != 0)
				return -1;
			continue; /* no swap accounting is fine */
		}
		if (note[0])
			hop_step("%s", note); /* v1: the file really written */
	}
	return 0;
}

/* Step 4, in the child: PID 1 of the new namespaces. */
static _Noreturn void run_child(const struct config *cfg, int go)
{
	char byte;
	int rc;

	/* If we are killed, the container goes with us. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (read(go, &byte, 1) != 1)
		_exit(1); /* the parent gave up: it says why */
	close(go);
	if (cfg->user && ns_become_root() < 0)
		hop_die_context(1);
	if (ns_unshare(CLONE_NEWCGROUP) < 0)
		hop_die_context(1);
	rc = sethostname(cfg->hostname, strlen(cfg->hostname));
	hop_explain(rc, "sethostname(\"%s\")", cfg->hostname);
	if (rc < 0)
		hop_die(1, _("sethostname %s"), cfg->hostname);
	if (rootfs_pivot(cfg->rootfs, ROOTFS_ALL) < 0) {
		rc = errno;
		hop_warn("%s", hop_context());
		if (rc == EACCES && cfg->user)
			hop_hint(_("with --user, root inside is uid 100000 "
				   "outside: it must be able to enter every "
				   "directory above the root filesystem"));
		exit(1);
	}
	hop_step(_("exec %s as PID %d"), cfg->command[0], (int)getpid());
	hop_explain_call("execvp(\"%s\", ...)", cfg->command[0]);
	execvp(cfg->command[0], cfg->command);
	hop_die(errno == ENOENT ? 127 : 126, _("exec %s in %s"),
		cfg->command[0], cfg->rootfs);
}

/* Step 3, in the parent: the child is waiting on the pipe. */
static int prepare_child(struct container *ctr, const struct config *cfg,
			 pid_t pid)
{
	if (cfg->user) {
		hop_step(_("map root inside to uid and gid 100000 outside"));
		if (ns_write_id_map(pid, "uid_map", "0 100000 65536\n") < 0 ||
		    ns_write_id_map(pid, "gid_map", "0 100000 65536\n") < 0)
			return -1;
	}
	hop_step(_("move pid %d into cgroup %s"), (int)pid, ctr->group);
	if (cgroup_attach(ctr->hierarchies, ctr->count, ctr->group, pid) < 0)
		return -1;
	if (!cfg->ip)
		return 0;
	snprintf(ctr->host_if, sizeof(ctr->host_if), "hop-%d", (int)pid);
	hop_step(_("eth0 %s on bridge %s (%s), via %s"), cfg->ip, cfg->bridge,
		 cfg->bridge_cidr, ctr->host_if);
	if (net_bridge_up(cfg->bridge, cfg->bridge_cidr) < 0 ||
	    net_attach(pid, cfg->bridge, ctr->host_if, cfg->ip, cfg->gateway) <
		    0) {
		ctr->host_if[0] = '\0'; /* attach removes what it made */
		return -1;
	}
	return 0;
}

static int run(struct container *ctr, const struct config *cfg)
{
	int flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
		    CLONE_NEWNET | (cfg->user ? CLONE_NEWUSER : 0);
	int go[2], status;
	pid_t pid;

	if (make_cgroup(ctr, cfg) < 0)
		return -1;
	if (pipe2(go, O_CLOEXEC) < 0)
		return hop_fail("pipe");
	pid = ns_clone(flags);
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(go[1]);
		run_child(cfg, go[0]);
	}
	close(go[0]);
	if (prepare_child(ctr, cfg, pid) < 0 || write(go[1], "g", 1) != 1) {
		int saved = errno;

		kill(pid, SIGKILL);
		ns_wait_status(pid);
		errno = saved;
		return -1;
	}
	close(go[1]);
	status = ns_wait_forwarding(pid);
	hop_step(_("container %s ended, exit status %d"), ctr->id, status);
	/* The pair usually died with the namespace already: ENODEV is fine. */
	if (ctr->host_if[0] && net_detach(ctr->host_if) < 0 && errno != ENODEV)
		hop_warn("%s", hop_context());
	return status;
}

int main(int argc, char **argv)
{
	struct config cfg = { 0 };
	struct container ctr = { 0 };
	int status;

	hop_init(argv[0]);
	parse_options(argc, argv, &cfg);
	if (state_gc() < 0)
		hop_die_context(1);
	if (cfg.command[0] && strcmp(cfg.command[0], "gc") == 0 && !cfg.rootfs)
		return 0;
	check_config(&cfg);

	if (cfg.name)
		snprintf(ctr.id, sizeof(ctr.id), "%s", cfg.name);
	else
		snprintf(ctr.id, sizeof(ctr.id), "c%d", (int)getpid());
	snprintf(ctr.group, sizeof(ctr.group), "hop-%s", ctr.id);
	if (!cfg.hostname)
		cfg.hostname = ctr.id;
	if (state_create(ctr.id, ctr.state, sizeof(ctr.state)) < 0) {
		int saved = errno;

		hop_warn("%s", hop_context());
		if (saved == EEXIST)
			hop_hint(_("a container named %s is running; pick "
				   "another --name"),
				 ctr.id);
		return 1;
	}
	status = run(&ctr, &cfg);
	if (status < 0)
		hop_warn("%s", hop_context());
	if (state_cleanup(ctr.state) < 0)
		hop_die_context(1);
	return status < 0 ? 1 : status;
}
