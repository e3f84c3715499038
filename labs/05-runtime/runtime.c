/* runtime.c - create, start and run: config.json mapped onto day 04's
 * runtime core (container.c), whose child we fill in with days 01-03 and
 * this day's modules. See runtime.h.
 *
 * The child, in order (ops.setup, then ops.exec):
 *   join the namespaces config.json names by path; keep exec.fifo open
 *   (O_PATH); connect the console socket; the mounts (mounts.c); the
 *   createContainer hooks; pivot_root (day 03); the terminal; masked and
 *   read-only paths, sysctl; hostname; cwd; the command's path; rlimits,
 *   user, capabilities, no_new_privs (process.c) -- then it says "ready"
 *   and opens exec.fifo for writing, which blocks until `start` opens it
 *   for reading; then the startContainer hooks, seccomp and execve. */
#include "05-runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <linux/keyctl.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "02-cgroups/knob.h"
#include "03-rootfs-chroot/rootfs.h"
#include "04-container-by-hand/container.h"
#include "04-container-by-hand/net.h"
#include "05-runtime/devices.h"
#include "05-runtime/instance.h"
#include "05-runtime/mounts.h"
#include "05-runtime/process.h"
#include "05-runtime/scope.h"
#include "lib/hop.h"

/* Everything one create needs, in the parent and (copied by clone) in
 * the child: ops.data. */
struct runtime_context {
	const struct runtime *rt;
	const struct runtime_create_options *options;
	struct oci_config config;
	char bundle[PATH_MAX], rootfs[PATH_MAX], fifo[PATH_MAX];
	char uid_map[1024], gid_map[1024], group[512];
	int from_root; /* cgroupsPath was absolute: group is from the root */
	struct scope scope;   /* --systemd-cgroup: the scope's names */
	int fifo_fd, console; /* the child's; -1 when none */
	char *state_text;     /* the child's, for its hooks */
	char path[PATH_MAX];  /* the command, found before the wait */
	struct container_ops ops;
	struct container_spec spec;
	struct container container;
	struct instance instance;
};

int runtime_check_id(const char *id)
{
	size_t length = strlen(id);

	if (length == 0 || length > RUNTIME_ID_MAX || strcmp(id, ".") == 0 ||
	    strcmp(id, "..") == 0 ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		       "0123456789_+.-") != length)
		return hop_refuse(_("invalid container id '%.64s' (1 to %d "
				    "of A-Z a-z 0-9 _ + . -, not . or ..)"),
				  id, RUNTIME_ID_MAX);
	return 0;
}

int runtime_parse_signal(const char *text)
{
	/* Any case, as runc takes them: "term", "SIGkill". */
	const char *name = strncasecmp(text, "SIG", 3) == 0 ? text + 3 : text;
	long number;

	/* A number out of range is no signal either: refused below. */
	if (text[0] >= '0' && text[0] <= '9' &&
	    hop_parse_long(text, 1, NSIG - 1, &number) == 0)
		return (int)number;
	for (int signo = 1; signo < NSIG; signo++) {
		const char *abbrev = sigabbrev_np(signo);

		if (abbrev && strcasecmp(abbrev, name) == 0)
			return signo;
	}
	return hop_refuse(_("unknown signal '%s' (a name like KILL or "
			    "SIGTERM, or a number)"),
			  text);
}

/* ---- The parent's side ---- */

/* Write one knob in the hierarchy that has controller; "" value: skip. */
static int set_knob(struct container *c, const char *controller,
		    const char *knob, const char *value)
{
	char dir[PATH_MAX], note[KNOB_NOTE_SIZE];

	for (int i = 0; value[0] && i < c->count; i++) {
		const struct cgroup_hierarchy *h = &c->hierarchies[i];

		if (!cgroup_has_controller(h, controller))
			continue;
		if (cgroup_dir(h, c->group, dir, sizeof(dir)) < 0)
			return -1;
		hop_step(_("limit %s = %s"), knob, value);
		if (knob_set(h, dir, knob, value, note) < 0)
			return hop_wrap(_(".linux.resources"));
		return 0;
	}
	return 0;
}

static int is_v2(const struct container *c)
{
	return c->count > 0 && c->hierarchies[0].v2;
}

/* "max" for -1, the number otherwise, "" when unset. */
static void limit_text(char *out, size_t size, int set, long long value)
{
	if (!set)
		out[0] = '\0';
	else if (value < 0)
		snprintf(out, size, "max");
	else
		snprintf(out, size, "%lld", value);
}

/* The config's device rules, then the ones every container gets (the
 * last match wins: ours cannot be taken away), in the devices hierarchy
 * (v1) or as a BPF program on the group (v2). */
static int write_devices(struct container *c, const struct oci_resources *r)
{
	struct oci_device_rule rules[DEVICES_MAX_RULES];
	size_t count = 0;
	char dir[PATH_MAX];

	if (1 + r->device_count + devices_default_count > DEVICES_MAX_RULES)
		return hop_refuse(_(".linux.resources.devices: more than %d "
				    "rules"),
				  DEVICES_MAX_RULES);
	/* Nothing is allowed but what the rules say. */
	rules[count++] = (struct oci_device_rule){ 0, 'a', -1, -1, "rwm" };
	for (size_t i = 0; i < r->device_count; i++)
		rules[count++] = r->devices[i];
	for (size_t i = 0; i < devices_default_count; i++)
		rules[count++] = devices_default_rules[i];
	for (int i = 0; i < c->count; i++) {
		const struct cgroup_hierarchy *h = &c->hierarchies[i];

		if (!h->v2 && !cgroup_has_controller(h, "devices"))
			continue;
		hop_step(_("device rules: %zu"), count);
		if (cgroup_dir(h, c->group, dir, sizeof(dir)) < 0 ||
		    devices_apply(h, dir, rules, count) < 0)
			return -1;
		return 0;
	}
	return 0;
}

/* .linux.resources as day 02's knobs. */
static int write_knobs(struct container *c)
{
	struct runtime_context *ctx = c->spec->ops->data;
	const struct oci_resources *r = &ctx->config.resources;
	char memory[32], low[32], swap[32], weight[32], cpu[64], pids[32];
	int v2 = is_v2(c);

	limit_text(memory, sizeof(memory), r->has_memory_limit,
		   r->memory_limit);
	limit_text(low, sizeof(low), r->has_memory_reservation,
		   r->memory_reservation);
	/* The spec's swap is memory + swap, as v1's memsw; v2 counts swap
	 * alone. */
	limit_text(swap, sizeof(swap),
		   r->has_memory_swap && r->has_memory_limit,
		   !v2 || r->memory_swap < 0 ?
			   r->memory_swap :
			   r->memory_swap - r->memory_limit);
	limit_text(weight, sizeof(weight), r->cpu_shares != 0,
		   v2 ? knob_shares_to_weight((long)r->cpu_shares) :
			(long long)r->cpu_shares);
	cpu[0] = '\0';
	if (r->has_cpu_quota || r->cpu_period) {
		unsigned long long period = r->cpu_period ? r->cpu_period :
							    100000;

		if (r->has_cpu_quota && r->cpu_quota >= 0)
			snprintf(cpu, sizeof(cpu), "%lld %llu",
				 (long long)r->cpu_quota, period);
		else
			snprintf(cpu, sizeof(cpu), "max %llu", period);
	}
	limit_text(pids, sizeof(pids), r->has_pids_limit, r->pids_limit);
	if (set_knob(c, "cpuset", "cpuset.cpus", r->cpus ? r->cpus : "") < 0 ||
	    set_knob(c, "cpuset", "cpuset.mems", r->mems ? r->mems : "") < 0 ||
	    set_knob(c, "memory", "memory.max", memory) < 0 ||
	    set_knob(c, "memory", "memory.low", low) < 0 ||
	    set_knob(c, "memory",
		     v2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes",
		     swap) < 0 ||
	    set_knob(c, "cpu", v2 ? "cpu.weight" : "cpu.shares", weight) < 0 ||
	    set_knob(c, "cpu", "cpu.max", cpu) < 0 ||
	    set_knob(c, "pids", "pids.max", pids) < 0)
		return -1;
	return 0;
}

/* ops.limit: the knobs, then the device rules. */
static int write_limits(struct container *c)
{
	struct runtime_context *ctx = c->spec->ops->data;

	if (write_knobs(c) < 0)
		return -1;
	return write_devices(c, &ctx->config.resources);
}

/* Now, in RFC 3339 with nanoseconds, as runc writes "created". */
static void now_text(char *out, size_t size)
{
	struct timespec now;
	struct tm utc;
	char seconds[32];

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &utc);
	if (strftime(seconds, sizeof(seconds), "%Y-%m-%dT%H:%M:%S", &utc) == 0)
		seconds[0] = '\0';
	if ((size_t)snprintf(out, size, "%s.%09ldZ", seconds, now.tv_nsec) >=
	    size)
		out[0] = '\0'; /* never: the buffer holds 30 bytes */
}

/* The host uid that is root inside (0 without a user namespace). */
static uid_t host_root(const struct oci_id_mapping *maps, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (maps[i].container_id == 0)
			return maps[i].host_id;
	return 0;
}

/* ops.before_clone: exec.fifo, which root inside may open (as runc's),
 * and our handle on it, which the child keeps: in a user namespace it
 * could not reach the state directory (0700, root's) by its path. */
static int make_fifo(struct container *c, int *keep)
{
	struct runtime_context *ctx = c->spec->ops->data;
	int rc = mkfifo(ctx->fifo, 0622);

	hop_explain(rc, "mkfifo(\"%s\", 0622)", ctx->fifo);
	/* The mode went through our umask (022 leaves 0600): set it whole,
	 * or a process.user other than root could not open it (runc clears
	 * its umask around mkfifo). */
	if (rc < 0 ||
	    chown(ctx->fifo,
		  host_root(ctx->config.uid_mappings,
			    ctx->config.uid_mapping_count),
		  host_root(ctx->config.gid_mappings,
			    ctx->config.gid_mapping_count)) < 0 ||
	    chmod(ctx->fifo, 0622) < 0)
		return hop_fail(_("make %s"), ctx->fifo);
	ctx->fifo_fd = open(ctx->fifo, O_PATH | O_CLOEXEC);
	hop_explain(ctx->fifo_fd, "open(\"%s\", O_PATH)", ctx->fifo);
	if (ctx->fifo_fd < 0)
		return hop_fail(_("open %s"), ctx->fifo);
	*keep = ctx->fifo_fd;
	return 0;
}

/* ops.prepare: the child waits in its namespaces and group. Write
 * state.json and run the createRuntime hooks. */
static int prepare_container(struct container *c)
{
	struct runtime_context *ctx = c->spec->ops->data;
	struct instance *in = &ctx->instance;
	char *state;
	int rc;

	/* The child has its own copy of the fifo's handle. */
	close(ctx->fifo_fd);
	ctx->fifo_fd = -1;
	in->pid = c->pid;
	in->start_time = instance_start_time(c->pid);
	in->status = RUNTIME_CREATING;
	/* systemd takes the group as a unit, and writes the unit's own
	 * (unset) limits into it: ours go in again after. */
	if (ctx->rt->systemd_cgroup &&
	    (scope_start(ctx->scope.unit, ctx->scope.slice, c->pid) < 0 ||
	     write_knobs(c) < 0))
		return -1;
	if (instance_save(in) < 0)
		return -1;
	state = instance_state_text(in, 0);
	if (!state)
		return hop_fail_library(_("state: out of memory"));
	rc = hooks_run(ctx->config.hooks[OCI_HOOK_CREATE_RUNTIME],
		       ctx->config.hook_count[OCI_HOOK_CREATE_RUNTIME],
		       "createRuntime", state);
	free(state);
	return rc;
}

/* ---- The child's side ---- */

/* setns() into each namespace config.json gives a path for (the pid
 * namespace was joined by the parent: it counts for children only). */
static int join_namespaces(const struct oci_config *config)
{
	for (size_t i = 0; i < config->namespace_count; i++) {
		const struct oci_namespace *ns = &config->namespaces[i];
		char names[64];
		int fd, rc;

		if (!ns->path || ns->type == CLONE_NEWPID)
			continue;
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return hop_fail(_("open namespace %s"), ns->path);
		rc = setns(fd, ns->type);
		hop_explain(rc, "setns(\"%s\", %s)", ns->path,
			    hop_flags_string((unsigned long)ns->type,
					     ns_clone_flags, names,
					     sizeof(names)));
		close(fd);
		if (rc < 0)
			return hop_fail(_("join namespace %s"), ns->path);
	}
	return 0;
}

/* --console-socket, connected while its path is still the host's. */
static int connect_console(struct runtime_context *ctx)
{
	ctx->console = -1;
	if (!ctx->config.process.terminal)
		return 0;
	ctx->console = terminal_connect(ctx->options->console_socket);
	return ctx->console < 0 ? -1 : 0;
}

/* The state as hooks in the container are given it: read now, while
 * state.json is reachable. */
static int read_state_for_hooks(struct runtime_context *ctx)
{
	const struct oci_config *config = &ctx->config;

	if (!config->hook_count[OCI_HOOK_CREATE_CONTAINER] &&
	    !config->hook_count[OCI_HOOK_START_CONTAINER])
		return 0;
	/* state.json as the parent wrote it after the clone: our pid. */
	if (instance_load(&ctx->instance) < 0)
		return -1;
	ctx->instance.status = RUNTIME_CREATED;
	ctx->state_text = instance_state_text(&ctx->instance, 0);
	return ctx->state_text ? 0 :
				 hop_fail_library(_("state: out of memory"));
}

/* A session keyring of its own (runc's default): the keys our caller
 * holds (a login's, a user's) are not the container's to read. */
static int new_keyring(const struct runtime_context *ctx)
{
	long rc;

	if (ctx->options->no_new_keyring)
		return 0;
	rc = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
	hop_explain(rc, "keyctl(KEYCTL_JOIN_SESSION_KEYRING, NULL)");
	/* No keys in this kernel: nothing to keep apart. */
	if (rc < 0 && errno != ENOSYS)
		return hop_fail(_("make a session keyring"));
	return 0;
}

/* ops.setup: the child, before the ready note. */
static int setup_container(const struct container_spec *spec)
{
	struct runtime_context *ctx = spec->ops->data;
	const struct oci_config *config = &ctx->config;
	char group[PATH_MAX];
	int rc;

	/* From here until the exec we are mini-runc inside the container:
	 * no process of it (one that shares our PID namespace) may ptrace
	 * us or open /proc/PID/exe, our binary, to write it (CVE-2019-5736).
	 * The exec makes the command dumpable again. */
	rc = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	hop_explain(rc, "prctl(PR_SET_DUMPABLE, 0)");
	if (rc < 0)
		return hop_fail("prctl(PR_SET_DUMPABLE)");
	if (join_namespaces(config) < 0 || read_state_for_hooks(ctx) < 0 ||
	    new_keyring(ctx) < 0)
		return -1;
	/* A new network namespace has its loopback down; runc's is up. */
	if ((config->clone_flags & CLONE_NEWNET) && net_loopback_up() < 0)
		return -1;
	if (connect_console(ctx) < 0)
		return -1;
	/* As runc: the host's mounts and unmounts still reach us (a slave),
	 * ours never reach the host; .rootfsPropagation comes at the end. */
	if ((config->clone_flags & CLONE_NEWNS) &&
	    ns_set_propagation(MS_SLAVE) < 0)
		return -1;
	if (is_v2(&ctx->container) &&
	    cgroup_dir(&ctx->container.hierarchies[0], ctx->container.group,
		       group, sizeof(group)) == 0)
		mounts_use_cgroup(group);
	/* The root a mount point first, as runc does: the config's mounts go
	 * on it, and pivot_root takes it as it is. Bound after them, with
	 * MS_REC, it would lose the ones made unbindable. */
	if (ns_mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) <
		    0 ||
	    mounts_setup(config, ctx->rootfs, ctx->bundle, NULL) < 0 ||
	    hooks_run(config->hooks[OCI_HOOK_CREATE_CONTAINER],
		      config->hook_count[OCI_HOOK_CREATE_CONTAINER],
		      "createContainer", ctx->state_text) < 0 ||
	    rootfs_pivot(ctx->rootfs,
			 ROOTFS_KEEP_PROPAGATION | ROOTFS_ALREADY_BOUND) < 0 ||
	    terminal_setup(&ctx->console, 1) < 0 || mounts_finish(config) < 0)
		return -1;
	if (config->hostname) {
		rc = sethostname(config->hostname, strlen(config->hostname));
		hop_explain(rc, "sethostname(\"%s\")", config->hostname);
		if (rc < 0)
			return hop_fail(_("sethostname %s"), config->hostname);
	}
	rc = chdir(config->process.cwd);
	hop_explain(rc, "chdir(\"%s\")", config->process.cwd);
	if (rc < 0)
		return hop_fail(_("chdir to cwd (\"%s\") set in config.json"),
				config->process.cwd);
	/* As runc: the command is looked for as the container's user. */
	if (process_prepare(&config->process, config->seccomp) < 0)
		return -1;
	return process_find_executable(&config->process, ctx->path,
				       sizeof(ctx->path));
}

/* Wait for start on exec.fifo, then become the command. */
static int wait_and_exec(const struct container_spec *spec, int *exec)
{
	struct runtime_context *ctx = spec->ops->data;
	const struct oci_config *config = &ctx->config;
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", ctx->fifo_fd);
	hop_explain_call("open(\"%s\", O_WRONLY): waits for start", path);
	do
		fd = open(path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return hop_fail(_("open exec.fifo (%s)"), path);
	if (write(fd, "0", 1) != 1)
		return hop_fail(_("write exec.fifo"));
	close(fd);
	close(ctx->fifo_fd);
	if (hooks_run(config->hooks[OCI_HOOK_START_CONTAINER],
		      config->hook_count[OCI_HOOK_START_CONTAINER],
		      "startContainer", ctx->state_text) < 0)
		return -1;
	*exec = 1;
	return process_exec(&config->process, config->seccomp, ctx->path);
}

/* ops.exec. After the ready note nobody reads the child's report (create
 * has returned, start waits for one byte only): say why on stderr, as
 * runc's init does, rather than end with status 125 and no word. */
static int exec_container(const struct container_spec *spec, int *exec)
{
	int rc = wait_and_exec(spec, exec);

	hop_warn_context();
	return rc;
}

/* ---- create, start, run ---- */

/* "machine.slice:libpod:ID" (systemd's form) -> machine.slice/libpod-ID.scope;
 * none -> hop-ID, and "a/b" -> a/b: beneath our base (day 02). "/a/b" is
 * a/b from the hierarchy's root, as the runtime spec says: the engine that
 * wrote it chose the place (podman's --cgroup-parent, containerd's
 * /NAMESPACE/ID). */
static int group_path(struct runtime_context *ctx, const char *id, char *out,
		      size_t size)
{
	const char *path = ctx->config.cgroups_path;

	if (!path || !*path)
		snprintf(out, size, "hop-%s", id);
	else if (ctx->rt->systemd_cgroup) {
		if (scope_available() < 0)
			return -1;
		if (scope_parse(path, &ctx->scope) < 0)
			return hop_refuse(_("config.json: .linux.cgroupsPath: "
					    "'%s' is not slice:prefix:name "
					    "(--systemd-cgroup)"),
					  path);
		snprintf(out, size, "%s", ctx->scope.group);
		ctx->from_root = 1; /* systemd's tree, from its root */
	} else
		snprintf(out, size, "%s", path + strspn(path, "/"));
	if (path && path[0] == '/')
		ctx->from_root = 1;
	return cgroup_check_group(out);
}

/* The controllers we need: on v1 each is a hierarchy; on v2 the
 * freezer and device rules are the group's own. cpuset only if asked:
 * a v1 cpuset group with no CPUs takes no process. */
static const char *controllers(const struct oci_config *config)
{
	enum cgroup_mode mode;
	int cpuset = config->resources.cpus || config->resources.mems;

	if (cgroup_mode(&mode) == 0 && mode == CGROUP_V2)
		return cpuset ? "memory,cpu,pids,cpuset" : "memory,cpu,pids";
	return cpuset ? "memory,cpu,cpuacct,pids,devices,freezer,cpuset" :
			"memory,cpu,cpuacct,pids,devices,freezer";
}

/* "C H S\n" lines for /proc/PID/uid_map. */
static void map_text(const struct oci_id_mapping *maps, size_t count, char *out,
		     size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < count && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%u %u %u\n",
					 maps[i].container_id, maps[i].host_id,
					 maps[i].size);
}

/* Namespaces given by path that we cannot join, and the PID one, which
 * we join now: it counts for the children we make. */
static int check_joins(const struct oci_config *config)
{
	for (size_t i = 0; i < config->namespace_count; i++) {
		const struct oci_namespace *ns = &config->namespaces[i];
		char names[64];
		int fd, rc;

		if (!ns->path)
			continue;
		if (ns->type == CLONE_NEWUSER || ns->type == CLONE_NEWNS ||
		    ns->type == CLONE_NEWTIME)
			return hop_refuse(
				_("config.json: "
				  ".linux.namespaces[%zu].path: "
				  "joining a %s namespace is not "
				  "supported by mini-runc"),
				i,
				hop_flags_string((unsigned long)ns->type,
						 ns_clone_flags, names,
						 sizeof(names)));
		if (ns->type != CLONE_NEWPID)
			continue;
		fd = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return hop_fail(_("open namespace %s"), ns->path);
		rc = setns(fd, CLONE_NEWPID);
		hop_explain(rc, "setns(\"%s\", CLONE_NEWPID)", ns->path);
		close(fd);
		if (rc < 0)
			return hop_fail(_("join namespace %s"), ns->path);
	}
	return 0;
}

/* The bundle, its config and root, as the core's spec. */
static int read_bundle(struct runtime_context *ctx, const char *id)
{
	const struct runtime_create_options *o = ctx->options;
	struct oci_config *config = &ctx->config;
	char root[PATH_MAX * 2];
	struct stat st;

	if (o->no_pivot)
		return hop_refuse(
			_("--no-pivot is not supported: mini-runc "
			  "always uses pivot_root (day 03 says why)"));
	if (!realpath(o->bundle && *o->bundle ? o->bundle : ".", ctx->bundle))
		return hop_fail(_("bundle %s"), o->bundle);
	if (config_load(ctx->bundle, config) < 0)
		return -1;
	snprintf(root, sizeof(root), "%s%s%s",
		 config->root_path[0] == '/' ? "" : ctx->bundle,
		 config->root_path[0] == '/' ? "" : "/", config->root_path);
	if (!realpath(root, ctx->rootfs))
		return hop_fail(_("root filesystem %s (.root.path)"), root);
	if (stat(ctx->rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return hop_fail(_("root filesystem %s (.root.path)"), root);
	}
	if (config->process.terminal && !o->console_socket)
		return hop_refuse(_("config.json: .process.terminal is true: "
				    "give --console-socket, or set it to "
				    "false"));
	if (check_joins(config) < 0 ||
	    group_path(ctx, id, ctx->group, sizeof(ctx->group)) < 0)
		return -1;
	/* pivot_root in our own mount namespace would move the root of
	 * every process that shares it (runc keeps its mounts there). */
	if (!(config->clone_flags & CLONE_NEWNS))
		return hop_refuse(_("config.json: .linux.namespaces: no "
				    "mount namespace; mini-runc pivots the "
				    "root, which would be the host's (add "
				    "{\"type\": \"mount\"})"));
	map_text(config->uid_mappings, config->uid_mapping_count, ctx->uid_map,
		 sizeof(ctx->uid_map));
	map_text(config->gid_mappings, config->gid_mapping_count, ctx->gid_map,
		 sizeof(ctx->gid_map));
	return 0;
}

static void free_context(struct runtime_context *ctx)
{
	if (!ctx)
		return;
	if (ctx->fifo_fd >= 0)
		close(ctx->fifo_fd);
	json_decref(ctx->instance.annotations);
	free(ctx->state_text);
	config_free(&ctx->config);
	free(ctx);
}

static struct runtime_context *
new_context(const struct runtime *rt, const char *id,
	    const struct runtime_create_options *o)
{
	struct runtime_context *ctx = calloc(1, sizeof(*ctx));

	if (!ctx) {
		hop_fail(_("out of memory"));
		return NULL;
	}
	ctx->rt = rt;
	ctx->options = o;
	ctx->fifo_fd = ctx->console = -1;
	if (runtime_check_id(id) < 0 || read_bundle(ctx, id) < 0) {
		free_context(ctx);
		return NULL;
	}
	ctx->ops = (struct container_ops){ .limit = write_limits,
					   .before_clone = make_fifo,
					   .prepare = prepare_container,
					   .setup = setup_container,
					   .exec = exec_container,
					   .data = ctx };
	ctx->spec = (struct container_spec){
		.id = id,
		.rootfs = ctx->rootfs,
		.namespaces = ctx->config.clone_flags,
		.argv = (char *const *)ctx->config.process.args,
		.ops = &ctx->ops,
		.controllers = controllers(&ctx->config),
		.group = ctx->group,
		.group_from_root = ctx->from_root,
		.detach = 1,
	};
	if (ctx->config.clone_flags & CLONE_NEWUSER) {
		ctx->spec.uid_map = ctx->uid_map;
		ctx->spec.gid_map = ctx->gid_map;
	}
	ctx->instance.id = id;
	ctx->instance.state.lock = -1;
	snprintf(ctx->instance.bundle, sizeof(ctx->instance.bundle), "%s",
		 ctx->bundle);
	snprintf(ctx->instance.rootfs, sizeof(ctx->instance.rootfs), "%s",
		 ctx->rootfs);
	now_text(ctx->instance.created, sizeof(ctx->instance.created));
	ctx->instance.annotations = json_incref(ctx->config.annotations);
	return ctx;
}

/* Write the pid file whole, or not at all (engines read it at once). */
static int write_pid_file(const char *path, pid_t pid)
{
	char temp[PATH_MAX], text[32];
	int fd, length;

	if (!path)
		return 0;
	if ((size_t)snprintf(temp, sizeof(temp), "%s.new", path) >=
	    sizeof(temp)) {
		errno = ENAMETOOLONG;
		return hop_fail(_("--pid-file %s"), path);
	}
	length = snprintf(text, sizeof(text), "%d", (int)pid);
	fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return hop_fail(_("--pid-file %s"), temp);
	if (write(fd, text, (size_t)length) != length || close(fd) < 0 ||
	    rename(temp, path) < 0) {
		unlink(temp);
		return hop_fail(_("--pid-file %s"), path);
	}
	return 0;
}

/* Everything of create: the child waits on exec.fifo when it returns. */
static int create_container(struct runtime_context *ctx)
{
	struct container *c = &ctx->container;
	char copy[PATH_MAX];

	state_use_root(ctx->rt->root);
	if (container_create(c, &ctx->spec) < 0) {
		if (errno == EEXIST && c->state.lock < 0)
			return hop_record(HOP_ERROR_REFUSED, HOP_HINT_NONE,
					  EEXIST,
					  _("container with id exists: %s"),
					  ctx->spec.id);
		return -1;
	}
	if (container_start(c) < 0)
		return -1;
	/* The config as it was, for delete's poststop hooks. */
	if (instance_path(&ctx->instance, "config.json", copy, sizeof(copy)) <
		    0 ||
	    json_dump_file(ctx->config.json, copy, JSON_COMPACT) < 0)
		return hop_fail(_("write %s"), copy);
	return write_pid_file(ctx->options->pid_file, c->pid);
}

/* prepare_container() writes through the instance: it shares the
 * container's state directory (not its lock). */
static int link_instance(struct runtime_context *ctx)
{
	snprintf(ctx->instance.state.dir, sizeof(ctx->instance.state.dir),
		 "%s/%s", ctx->rt->root, ctx->spec.id);
	/* Known before the clone: the child's copy needs it too. */
	return instance_path(&ctx->instance, "exec.fifo", ctx->fifo,
			     sizeof(ctx->fifo));
}

/* An error kept while we clean up after it (which may record others). */
struct saved_error {
	int error;
	enum hop_error_kind kind;
	enum hop_hint hint;
	char context[512];
};

static void save_error(struct saved_error *saved)
{
	saved->error = errno;
	saved->kind = hop_error_kind();
	saved->hint = hop_error_hint();
	snprintf(saved->context, sizeof(saved->context), "%s", hop_context());
}

static int restore_error(const struct saved_error *saved)
{
	return hop_record(saved->kind, saved->hint, saved->error, "%s",
			  saved->context);
}

/* A failed create or a finished run: nothing of it stays. */
static void remove_container(struct runtime_context *ctx)
{
	int saved = errno;

	if (container_destroy(&ctx->container) < 0)
		hop_warn_context();
	errno = saved;
}

int runtime_create(const struct runtime *rt, const char *id,
		   const struct runtime_create_options *options)
{
	struct runtime_context *ctx = new_context(rt, id, options);
	int rc;

	if (!ctx)
		return -1;
	rc = link_instance(ctx) < 0 ? -1 : create_container(ctx);
	if (rc < 0) {
		struct saved_error saved;

		save_error(&saved);
		remove_container(ctx);
		free_context(ctx);
		return restore_error(&saved);
	}
	container_release(&ctx->container);
	free_context(ctx);
	return 0;
}

/* Open exec.fifo for reading: the init's open for writing returns, it
 * writes one byte and goes on to exec. Bounded: an init that died never
 * writes. */
static int release_fifo(struct instance *in)
{
	char fifo[PATH_MAX], byte;
	struct pollfd wait = { .events = POLLIN };
	int rc;

	if (instance_path(in, "exec.fifo", fifo, sizeof(fifo)) < 0)
		return -1;
	wait.fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	hop_explain(wait.fd, "open(\"%s\", O_RDONLY|O_NONBLOCK)", fifo);
	if (wait.fd < 0)
		return hop_fail(_("open %s"), fifo);
	for (int waited = 0;; waited += 100) {
		rc = poll(&wait, 1, 100);
		if (rc > 0 && read(wait.fd, &byte, 1) == 1)
			break;
		if (instance_start_time(in->pid) != in->start_time ||
		    waited > 10000) {
			close(wait.fd);
			errno = ESRCH;
			return hop_fail(_("the container's init did not "
					  "answer on %s"),
					fifo);
		}
	}
	close(wait.fd);
	rc = unlink(fifo);
	hop_explain(rc, "unlink(\"%s\")", fifo);
	in->status = RUNTIME_RUNNING;
	return 0;
}

/* poststart: the spec says a failure is a warning only. */
static void poststart(const struct instance *in,
		      const struct oci_config *config)
{
	char *state = instance_state_text(in, 0);

	if (state && hooks_run(config->hooks[OCI_HOOK_POSTSTART],
			       config->hook_count[OCI_HOOK_POSTSTART],
			       "poststart", state) < 0)
		hop_warn_context();
	free(state);
}

int runtime_start(const struct runtime *rt, const char *id)
{
	struct oci_config config = { 0 };
	struct instance in;
	int rc = -1;

	if (instance_open(rt, id, &in) < 0)
		return -1;
	if (in.status == RUNTIME_STOPPED)
		hop_refuse(_("cannot start a container that has stopped"));
	else if (in.status == RUNTIME_RUNNING || in.status == RUNTIME_PAUSED)
		hop_refuse(_("cannot start an already running container"));
	else if (in.status == RUNTIME_CREATING)
		hop_refuse(_("cannot start a container that is being "
			     "created"));
	else if (config_load(in.state.dir, &config) == 0) {
		rc = release_fifo(&in);
		if (rc == 0)
			poststart(&in, &config);
		config_free(&config);
	}
	instance_close(&in);
	return rc;
}

int runtime_run(const struct runtime *rt, const char *id,
		const struct runtime_create_options *options)
{
	struct runtime_context *ctx = new_context(rt, id, options);
	struct saved_error saved;
	int status;

	if (!ctx)
		return -1;
	if (link_instance(ctx) < 0 || create_container(ctx) < 0)
		goto fail;
	ctx->instance.pid = ctx->container.pid;
	ctx->instance.start_time = instance_start_time(ctx->container.pid);
	if (release_fifo(&ctx->instance) < 0)
		goto fail;
	poststart(&ctx->instance, &ctx->config);
	if (options->detach) {
		container_release(&ctx->container);
		free_context(ctx);
		return 0;
	}
	status = container_wait(&ctx->container);
	ctx->instance.status = RUNTIME_STOPPED;
	if (status >= 0) {
		char *state = instance_state_text(&ctx->instance, 0);

		remove_container(ctx);
		if (state &&
		    hooks_run(ctx->config.hooks[OCI_HOOK_POSTSTOP],
			      ctx->config.hook_count[OCI_HOOK_POSTSTOP],
			      "poststop", state) < 0)
			hop_warn_context();
		free(state);
		free_context(ctx);
		return status;
	}
fail:
	save_error(&saved);
	remove_container(ctx);
	free_context(ctx);
	return restore_error(&saved);
}
