/* container.c - the life of a container, days 01-03 composed: the runtime
 * core. See container.h for the contract. */
#include "04-container-by-hand/container.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "02-cgroups/knob.h"
#include "03-rootfs-chroot/rootfs.h"
#include "04-container-by-hand/net.h"
#include "lib/hop.h"

int container_check_name(const char *id)
{
	size_t length = strlen(id);

	/* It becomes a directory name twice (state, cgroup): no '/', no
	 * "..", nothing hidden. */
	if (length == 0 || length > CONTAINER_NAME_MAX || id[0] == '.' ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyz"
		       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != length)
		return hop_refuse(_("bad name '%s' (letters, digits, _ . -; at "
				    "most %d)"),
				  id, CONTAINER_NAME_MAX);
	return 0;
}

int container_parse_cpus(const char *text, struct container_limits *limits)
{
	/* Digits and one '.', checked before strtod, which would also take
	 * "nan", "inf", "1e300", "0x1p3" and " -1". */
	size_t span = strspn(text, "0123456789");
	double cpus;

	if (span > 0 && text[span] == '.' && text[span + 1] != '\0')
		span += 1 + strspn(text + span + 1, "0123456789");
	errno = 0;
	cpus = span > 0 && span < 16 && !text[span] ? strtod(text, NULL) : NAN;
	if (errno || !(cpus >= 0.01 && cpus <= CONTAINER_MAX_CPUS))
		return hop_refuse(_("bad value '%s' (a number of CPUs, from "
				    "0.01 to %d)"),
				  text, CONTAINER_MAX_CPUS);
	limits->cpu_period = 100000; /* 100 ms, the kernel's default */
	limits->cpu_quota = lround(cpus * (double)limits->cpu_period);
	return 0;
}

int container_set_network(struct container_network *network,
			  const char *address, const char *bridge)
{
	struct net_cidr cidr;
	struct in_addr gateway;
	uint32_t mask;

	if (!bridge)
		bridge = "hop0";
	if (net_check_name(bridge) < 0 || net_parse_cidr(address, &cidr) < 0)
		return -1;
	if (cidr.prefix < 1 || cidr.prefix > 30)
		return hop_refuse(_("--ip %s: the prefix must leave room for a "
				    "gateway (1 to 30)"),
				  address);
	/* Before anything is made: not the subnet, not its broadcast. */
	if (net_check_host(&cidr, address) < 0)
		return -1;
	mask = htonl(net_mask(cidr.prefix));
	gateway.s_addr = (cidr.address.s_addr & mask) | htonl(1);
	if (gateway.s_addr == cidr.address.s_addr)
		return hop_refuse(_("--ip %s is the gateway's address; use "
				    "another"),
				  address);
	snprintf(network->address, sizeof(network->address), "%s", address);
	snprintf(network->bridge, sizeof(network->bridge), "%s", bridge);
	inet_ntop(AF_INET, &gateway, network->gateway,
		  sizeof(network->gateway));
	snprintf(network->bridge_address, sizeof(network->bridge_address),
		 "%s/%d", network->gateway, cidr.prefix);
	return 0;
}

int container_check_spec(const struct container_spec *spec)
{
	const char *hostname = spec->hostname ? spec->hostname : spec->id;

	if (!spec->argv || !spec->argv[0])
		return hop_refuse(_("no command given (-- COMMAND...)"));
	/* mini-runc checks its own ids (runc's rules, not ours), bundles and
	 * commands: an image need not have /bin/sh. */
	if (spec->ops)
		return 0;
	if (container_check_name(spec->id) < 0)
		return -1;
	if (strlen(hostname) > HOST_NAME_MAX)
		return hop_refuse(_("hostname is %zu bytes; the kernel allows "
				    "%d"),
				  strlen(hostname), HOST_NAME_MAX);
	if ((spec->namespaces & CLONE_NEWUSER) &&
	    (!spec->uid_map || !spec->gid_map))
		return hop_refuse(_("a user namespace needs a uid and a gid "
				    "map"));
	return rootfs_check(spec->rootfs);
}

/* The cgroup and its limits; written down in the state before it is made,
 * so that a kill at any point leaves gc what to remove. */
static int make_cgroup(struct container *c)
{
	const struct container_limits *limits = &c->spec->limits;
	char dir[PATH_MAX], note[KNOB_NOTE_SIZE], memory[32], cpu[48], pids[32];
	const struct {
		const char *knob, *value;
	} knobs[] = {
		{ "memory.max", limits->memory ? memory : NULL },
		{ "memory.swap.max", limits->memory ? "0" : NULL },
		{ "cpu.max", limits->cpu_quota ? cpu : NULL },
		{ "pids.max", limits->pids ? pids : NULL },
	};

	snprintf(memory, sizeof(memory), "%lld", limits->memory);
	snprintf(cpu, sizeof(cpu), "%ld %ld", limits->cpu_quota,
		 limits->cpu_period);
	snprintf(pids, sizeof(pids), "%ld", limits->pids);
	c->count = cgroup_find_all(c->spec->controllers ? c->spec->controllers :
							  "memory,cpu,pids",
				   c->hierarchies, CGROUP_MAX_HIERARCHIES);
	for (int i = 0; c->spec->group_from_root && i < c->count; i++) {
		c->hierarchies[i].base[0] = '\0';
		c->hierarchies[i].top = 0;
	}
	if (c->count < 0 ||
	    state_record_cgroups(&c->state, c->hierarchies, c->count,
				 c->group) < 0 ||
	    cgroup_create(c->hierarchies, c->count, c->group) < 0)
		return -1;
	if (c->spec->ops && c->spec->ops->limit)
		return c->spec->ops->limit(c);
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		const struct cgroup_hierarchy *h = NULL;
		char controller[16];

		snprintf(controller, sizeof(controller), "%.*s",
			 (int)strcspn(knobs[i].knob, "."), knobs[i].knob);
		for (int j = 0; j < c->count; j++)
			if (cgroup_has_controller(&c->hierarchies[j],
						  controller))
				h = &c->hierarchies[j];
		if (!knobs[i].value || !h)
			continue;
		if (cgroup_dir(h, c->group, dir, sizeof(dir)) < 0)
			return -1;
		hop_step(_("limit %s = %s"), knobs[i].knob, knobs[i].value);
		if (knob_set(h, dir, knobs[i].knob, knobs[i].value, note) < 0) {
			if (strcmp(knobs[i].knob, "memory.swap.max") != 0)
				return -1;
			continue; /* no swap accounting is fine */
		}
		if (note[0])
			hop_step("%s", note); /* v1: the file really written */
	}
	return 0;
}

/* What goes back from the child: a note just before exec (error 0), or
 * the error of the step that failed. */
struct report {
	int error;
	int exec;		  /* 1 if exec itself failed */
	enum hop_error_kind kind; /* a refusal prints no strerror */
	enum hop_hint hint;	  /* a cause the module recognised */
	char message[512];
};

/* In the child: tell the parent why, and end. */
static _Noreturn void child_fail(int sync, int exec)
{
	struct report report = { .error = errno,
				 .exec = exec,
				 .kind = hop_error_kind(),
				 .hint = hop_error_hint() };

	snprintf(report.message, sizeof(report.message), "%s", hop_context());
	if (send(sync, &report, sizeof(report), MSG_NOSIGNAL) < 0)
		hop_warn("%s", report.message); /* no parent to tell: say it */
	_exit(CONTAINER_SETUP_FAILED);
}

static int close_all_but(int sync, int keep, int cloexec);
/* In the child: the steps before exec that only it can do. */
static int child_setup(const struct container_spec *spec)
{
	const char *hostname = spec->hostname ? spec->hostname : spec->id;
	int rc;

	/* A session of its own: the host's terminal is no longer its
	 * controlling terminal, so TIOCSTI cannot push keys into our shell. */
	rc = setsid();
	hop_explain(rc, "setsid()");
	if (rc < 0)
		return hop_fail("setsid");
	if ((spec->namespaces & CLONE_NEWUSER) && ns_become_root() < 0)
		return -1;
	/* Now, not in the clone: the namespace takes our current groups as
	 * its root, and the parent has just moved us into ours. Day 04
	 * always makes one; a config.json says. */
	if ((!spec->ops || (spec->namespaces & CLONE_NEWCGROUP)) &&
	    ns_unshare(CLONE_NEWCGROUP) < 0)
		return -1;
	if (spec->ops && spec->ops->setup) {
		if (spec->ops->setup(spec) < 0)
			return -1;
		goto close_fds;
	}
	rc = sethostname(hostname, strlen(hostname));
	hop_explain(rc, "sethostname(\"%s\")", hostname);
	if (rc < 0)
		return hop_fail(_("sethostname %s"), hostname);
	if (rootfs_pivot(spec->rootfs, ROOTFS_ALL) < 0)
		return -1;
close_fds:
	/* No fd of ours reaches the command (bats' fd 3, a lock): every fd
	 * from 3 up is closed by the exec, our socket with them. */
	return close_all_but(-1, -1, 1);
}

/* A detached child must outlive us: no signal at our death from now
 * on. Before the ready note, so that no moment is left where we have
 * gone and it has not yet heard. */
static int outlive_parent(void)
{
	int rc = prctl(PR_SET_PDEATHSIG, 0);

	hop_explain(rc, "prctl(PR_SET_PDEATHSIG, 0)");
	if (rc < 0)
		return hop_fail("prctl(PR_SET_PDEATHSIG)");
	return 0;
}

/* The command, day 04's way: looked up in PATH, our environment. */
static int exec_command(const struct container_spec *spec, int *exec)
{
	if (spec->ops && spec->ops->exec)
		return spec->ops->exec(spec, exec);
	hop_explain_call("execvp(\"%s\", ...)", spec->argv[0]);
	execvp(spec->argv[0], spec->argv);
	*exec = 1;
	return hop_fail(_("exec %s in %s"), spec->argv[0], spec->rootfs);
}

/* close_range(2) came with Linux 5.9, and a seccomp profile written before
 * it answers ENOSYS (mini-runc loads one before this point when
 * no_new_privs is off): then each fd of /proc/self/fd, one by one. */
static int each_fd_but(int sync, int keep, int cloexec)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *entry;
	int rc = 0;

	if (!dir)
		return hop_fail("open /proc/self/fd");
	while (rc == 0 && (entry = readdir(dir)) != NULL) {
		int fd = (int)strtol(entry->d_name, NULL, 10); /* "." -> 0 */

		if (fd < 3 || fd == sync || fd == keep || fd == dirfd(dir))
			continue;
		rc = cloexec ? fcntl(fd, F_SETFD, FD_CLOEXEC) : close(fd);
	}
	closedir(dir);
	return rc < 0 ? hop_fail("close the fds") : 0;
}

/* Close every fd from 3 up but sync and keep (-1: none); with cloexec,
 * mark them close-on-exec instead. */
static int close_all_but(int sync, int keep, int cloexec)
{
	int low = sync < keep ? sync : keep, high = sync < keep ? keep : sync;
	unsigned from = 3, flags = cloexec ? CLOSE_RANGE_CLOEXEC : 0U;
	int rc = 0;

	if (low < 0)
		low = high;
	for (int i = 0; rc == 0 && low >= 0 && i < 2; i++) {
		int fd = i == 0 ? low : high;

		if (i == 1 && high == low)
			break;
		if ((unsigned)fd > from)
			rc = (int)syscall(SYS_close_range, from,
					  (unsigned)fd - 1, flags);
		from = (unsigned)fd + 1;
	}
	if (rc == 0)
		rc = (int)syscall(SYS_close_range, from, ~0U, flags);
	if (sync < 0 && keep < 0)
		hop_explain(rc, "close_range(3, ~0U, %s)",
			    cloexec ? "CLOSE_RANGE_CLOEXEC" : "0");
	else
		hop_explain(rc, "close_range(3.., but %d and %d)", sync, keep);
	if (rc < 0 && errno == ENOSYS)
		return each_fd_but(sync, keep, cloexec);
	if (rc < 0)
		return hop_fail("close_range");
	return 0;
}

/* The child: PID 1 of the new namespaces, until it execs the command. */
static _Noreturn void child_main(const struct container_spec *spec, int sync,
				 int keep)
{
	const struct report ready = { 0 };
	int exec = 0;
	char go;
	int rc;

	/* A detached child outlives us: it must not hold what is ours (the
	 * state's lock, which would stay taken; a test runner's pipe, which
	 * would never end), only the socket pair and stdin, out and err. */
	if (spec->detach && close_all_but(sync, keep, 0) < 0)
		child_fail(sync, 0);
	/* If we are killed, the container goes with us. */
	rc = prctl(PR_SET_PDEATHSIG, SIGKILL);
	hop_explain(rc, "prctl(PR_SET_PDEATHSIG, SIGKILL)");
	if (rc < 0) {
		hop_fail("prctl(PR_SET_PDEATHSIG)");
		child_fail(sync, 0);
	}
	if (recv(sync, &go, 1, 0) != 1)
		_exit(CONTAINER_SETUP_FAILED); /* the parent gave up: it says why */
	if (child_setup(spec) < 0)
		child_fail(sync, 0);
	/* An ignored signal stays ignored across exec, and so does the
	 * mask: mini-container ignores SIGPIPE, a shell starts background
	 * jobs with SIGINT ignored (and a shell cannot trap what it was
	 * started ignoring). The command starts with every signal at its
	 * default, as runc does. */
	if (hop_default_signals() < 0 || (spec->detach && outlive_parent() < 0))
		child_fail(sync, 0);
	hop_step(_("exec %s as PID %d"), spec->argv[0], (int)getpid());
	if (send(sync, &ready, sizeof(ready), MSG_NOSIGNAL) < 0) {
		hop_fail(_("tell the parent"));
		child_fail(sync, 0);
	}
	exec_command(spec, &exec);
	child_fail(sync, exec);
}

/* The parent's side while the child waits: id maps, cgroup, network. */
static int prepare_child(struct container *c)
{
	const struct container_spec *spec = c->spec;

	if (spec->namespaces & CLONE_NEWUSER) {
		hop_step(_("write the uid and gid maps of pid %d"),
			 (int)c->pid);
		if (ns_write_id_map(c->pid, "uid_map", spec->uid_map) < 0 ||
		    ns_write_id_map(c->pid, "gid_map", spec->gid_map) < 0)
			return -1;
	}
	hop_step(_("move pid %d into cgroup %s"), (int)c->pid, c->group);
	if (cgroup_attach(c->hierarchies, c->count, c->group, c->pid) < 0)
		return -1;
	if (spec->ops && spec->ops->prepare && spec->ops->prepare(c) < 0)
		return -1;
	if (!spec->network.address[0])
		return 0;
	snprintf(c->host_if, sizeof(c->host_if), "hop-%d", (int)c->pid);
	hop_step(_("eth0 %s on bridge %s (%s), via %s"), spec->network.address,
		 spec->network.bridge, spec->network.bridge_address,
		 c->host_if);
	if (net_bridge_up(spec->network.bridge, spec->network.bridge_address) <
		    0 ||
	    net_attach(c->pid, spec->network.bridge, c->host_if,
		       spec->network.address, spec->network.gateway) < 0) {
		c->host_if[0] = '\0'; /* net_attach removes what it made */
		return -1;
	}
	return 0;
}

int container_create(struct container *c, const struct container_spec *spec)
{
	int pair[2], rc, keep = -1;

	c->spec = spec;
	c->sync = -1;
	c->state.lock = -1;
	c->failure = CONTAINER_SETUP_FAILED;
	if (container_check_spec(spec) < 0)
		return -1;
	if ((size_t)snprintf(c->group, sizeof(c->group), "%s%s",
			     spec->group ? "" : "hop-",
			     spec->group ? spec->group : spec->id) >=
	    sizeof(c->group))
		return hop_refuse(_("cgroup path too long"));
	if (state_create(spec->id, &c->state) < 0 || make_cgroup(c) < 0)
		return -1;
	if (spec->ops && spec->ops->before_clone &&
	    spec->ops->before_clone(c, &keep) < 0)
		return -1;
	/* One socket pair, both ways. A socket, not a pipe: send() with
	 * MSG_NOSIGNAL fails with EPIPE when the other end is dead, where a
	 * pipe's write would kill us with SIGPIPE before any clean-up. */
	rc = socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair);
	hop_explain(rc, "socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC)");
	if (rc < 0)
		return hop_fail("socketpair");
	/* The cgroup namespace comes later, from the child (child_setup). */
	c->pid = ns_clone(spec->namespaces & ~CLONE_NEWCGROUP);
	if (c->pid == 0) {
		close(pair[0]);
		child_main(spec, pair[1], keep);
	}
	close(pair[1]);
	c->sync = pair[0];
	if (c->pid < 0) {
		c->pid = 0;
		return -1;
	}
	return prepare_child(c);
}

/* The child ended before exec with no word: say how it ended. */
static int died_early(struct container *c)
{
	int status = ns_wait_status(c->pid);

	c->pid = 0;
	errno = ECHILD;
	return hop_fail(_("the container's first process ended before it "
			  "ran the command (status %d)"),
			status);
}

int container_start(struct container *c)
{
	struct report report;
	ssize_t got;

	hop_explain_call("send(sync, \"g\")");
	if (send(c->sync, "g", 1, MSG_NOSIGNAL) != 1)
		return errno == EPIPE ? died_early(c) :
					hop_fail(_("tell the child to go on"));
	/* First the note before exec, then: nothing (the exec closed the
	 * child's end) or the exec's error. */
	for (int expected = 0; expected < 2; expected++) {
		do
			got = recv(c->sync, &report, sizeof(report), 0);
		while (got < 0 && errno == EINTR);
		if (got < 0)
			return hop_fail(_("hear from the child"));
		if (got == 0)
			return expected == 0 ? died_early(c) : 0;
		if (got != sizeof(report) || report.error != 0)
			break;
		/* Ready, and it waits for mini-runc start: nothing more. */
		if (c->spec->detach)
			return 0;
	}
	if (got != sizeof(report)) {
		errno = EPROTO;
		return hop_fail(_("a short message from the child"));
	}
	ns_wait_status(c->pid);
	c->pid = 0;
	if (report.exec)
		c->failure = report.error == ENOENT ? CONTAINER_NOT_FOUND :
						      CONTAINER_CANNOT_RUN;
	errno = report.error;
	return hop_record(report.kind, report.hint, report.error, "%s",
			  report.message);
}

int container_wait(struct container *c)
{
	int status = ns_wait_forwarding(c->pid);

	if (status < 0)
		return -1;
	c->pid = 0;
	hop_step(_("container %s ended, exit status %d"), c->spec->id, status);
	return status;
}

void container_release(struct container *c)
{
	if (c->sync >= 0)
		close(c->sync);
	c->sync = -1;
	if (c->state.lock >= 0)
		close(c->state.lock);
	c->state.lock = -1;
	c->pid = 0;
}

int container_destroy(struct container *c)
{
	int rc = 0;

	if (c->pid > 0) {
		kill(c->pid, SIGKILL);
		ns_wait_status(c->pid);
		c->pid = 0;
	}
	if (c->sync >= 0)
		close(c->sync);
	c->sync = -1;
	/* The pair usually died with the namespace already: ENODEV is fine. */
	if (c->host_if[0] && net_detach(c->host_if) < 0 && errno != ENODEV)
		rc = -1;
	c->host_if[0] = '\0';
	if (c->state.lock >= 0 && state_cleanup(&c->state) < 0)
		rc = -1;
	return rc;
}
