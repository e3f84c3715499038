/* instance.c - a container as a record under --root, and the verbs that
 * only read or signal it: state, list, kill, delete, pause, resume, ps,
 * events --stats. See runtime.h and instance.h. */
#include "05-runtime/instance.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "02-cgroups/cgroup.h"
#include "02-cgroups/knob.h"
#include "04-container-by-hand/state.h"
#include "lib/hop.h"

int instance_path(const struct instance *in, const char *name, char *path,
		  size_t size)
{
	if ((size_t)snprintf(path, size, "%s/%s", in->state.dir, name) >=
	    size) {
		errno = ENAMETOOLONG;
		return hop_fail(_("path too long: %s/%s"), in->state.dir, name);
	}
	return 0;
}

unsigned long long instance_start_time(pid_t pid)
{
	char path[64], text[1024], *end;
	unsigned long long start = 0;
	FILE *stat;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = fopen(path, "re");
	if (!stat)
		return 0;
	/* "pid (comm) S ...": comm may hold spaces and ')'; the fields
	 * after the last ')' are plain. State is field 3, start 22. */
	if (fgets(text, sizeof(text), stat) && (end = strrchr(text, ')'))) {
		char *save = NULL, *field = strtok_r(end + 1, " ", &save);

		/* A zombie has stopped: it only waits for its parent. */
		if (field && (field[0] == 'Z' || field[0] == 'X'))
			field = NULL;
		for (int n = 3; field && n < 22; n++)
			field = strtok_r(NULL, " ", &save);
		if (field)
			start = strtoull(field, NULL, 10);
	}
	fclose(stat);
	return start;
}

int instance_load(struct instance *in)
{
	char path[PATH_MAX];
	json_error_t error;
	json_t *doc;
	const char *bundle = "", *rootfs = "", *created = "";
	json_int_t pid = 0, start = 0;

	if (instance_path(in, "state.json", path, sizeof(path)) < 0)
		return -1;
	doc = json_load_file(path, 0, &error);
	if (!doc) {
		/* Killed before state.json: a container still creating. */
		if (access(path, F_OK) < 0 && errno == ENOENT)
			return 0;
		return hop_fail_library(_("%s: %s"), path, error.text);
	}
	if (json_unpack_ex(doc, &error, 0, "{s:I, s:I, s:s, s:s, s:s, s?O}",
			   "pid", &pid, "start_time", &start, "bundle", &bundle,
			   "rootfs", &rootfs, "created", &created,
			   "annotations", &in->annotations) < 0) {
		json_decref(doc);
		return hop_fail_library(_("%s: %s"), path, error.text);
	}
	in->pid = (pid_t)pid;
	in->start_time = (unsigned long long)start;
	snprintf(in->bundle, sizeof(in->bundle), "%s", bundle);
	snprintf(in->rootfs, sizeof(in->rootfs), "%s", rootfs);
	snprintf(in->created, sizeof(in->created), "%s", created);
	json_decref(doc);
	return 0;
}

int instance_open(const struct runtime *rt, const char *id, struct instance *in)
{
	memset(in, 0, sizeof(*in));
	in->id = id;
	in->state.lock = -1;
	if (runtime_check_id(id) < 0)
		return -1;
	state_use_root(rt->root);
	if (state_open(id, &in->state) < 0) {
		/* The words engines match: keep them. */
		if (errno == ENOENT)
			return hop_record(HOP_ERROR_REFUSED, HOP_HINT_NONE,
					  ENOENT,
					  _("container \"%s\" does not exist"),
					  id);
		return -1;
	}
	if (instance_load(in) < 0) {
		instance_close(in);
		return -1;
	}
	instance_read_status(in);
	return 0;
}

void instance_close(struct instance *in)
{
	if (in->state.lock >= 0)
		close(in->state.lock);
	in->state.lock = -1;
	json_decref(in->annotations);
	in->annotations = NULL;
}

int instance_save(const struct instance *in)
{
	char path[PATH_MAX], temp[PATH_MAX];
	json_t *doc = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s}", "id", in->id,
				"pid", (json_int_t)in->pid, "start_time",
				(json_int_t)in->start_time, "bundle",
				in->bundle, "rootfs", in->rootfs, "created",
				in->created);
	int rc;

	if (!doc)
		return hop_fail_library(_("state.json: out of memory"));
	if (in->annotations)
		json_object_set(doc, "annotations", in->annotations);
	if (instance_path(in, "state.json", path, sizeof(path)) < 0 ||
	    instance_path(in, ".state.json.new", temp, sizeof(temp)) < 0) {
		json_decref(doc);
		return -1;
	}
	rc = json_dump_file(doc, temp, JSON_COMPACT);
	json_decref(doc);
	if (rc < 0) {
		unlink(temp);
		return hop_fail(_("write %s"), temp);
	}
	if (rename(temp, path) < 0) {
		unlink(temp);
		return hop_fail(_("rename %s"), temp);
	}
	return 0;
}

/* The group's directory in the hierarchy that has controller ("freezer"
 * on v1; any on v2, where the freezer is cgroup.freeze). From the cgroups
 * file day 04's state module wrote: "CONTROLLERS BASE GROUP" lines. */
static int find_group(const struct instance *in, const char *controller,
		      struct cgroup_hierarchy *h, char *dir, size_t size)
{
	struct cgroup_hierarchy all[CGROUP_MAX_HIERARCHIES];
	char path[PATH_MAX], group[256];
	int found = -1, count;

	if (instance_path(in, "cgroups", path, sizeof(path)) < 0)
		return -1;
	count = state_read_cgroups(path, all, CGROUP_MAX_HIERARCHIES, group,
				   sizeof(group));
	for (int i = 0; found < 0 && i < count; i++)
		if (all[i].v2 || strcmp(controller, "any") == 0 ||
		    cgroup_has_controller(&all[i], controller)) {
			*h = all[i];
			found = 0;
		}
	if (count < 0)
		return -1;
	if (found < 0) {
		errno = ENOENT;
		return hop_fail(_("container %s has no %s group"), in->id,
				controller);
	}
	return cgroup_dir(h, group, dir, size);
}

static int frozen(const struct instance *in)
{
	struct cgroup_hierarchy h;
	char dir[PATH_MAX], value[64], note[KNOB_NOTE_SIZE];

	if (find_group(in, "freezer", &h, dir, sizeof(dir)) < 0)
		return 0;
	if (knob_get(&h, dir, h.v2 ? "cgroup.freeze" : "freezer.state", value,
		     sizeof(value), note) < 0)
		return 0;
	return strncmp(value, "1", 1) == 0 || strncmp(value, "FROZEN", 6) == 0;
}

enum runtime_status instance_read_status(struct instance *in)
{
	char fifo[PATH_MAX];

	if (in->pid <= 0)
		in->status = in->created[0] ? RUNTIME_STOPPED :
					      RUNTIME_CREATING;
	else if (instance_start_time(in->pid) != in->start_time)
		in->status = RUNTIME_STOPPED; /* gone, or its pid reused */
	else if (instance_path(in, "exec.fifo", fifo, sizeof(fifo)) == 0 &&
		 access(fifo, F_OK) == 0)
		in->status = RUNTIME_CREATED;
	else if (frozen(in))
		in->status = RUNTIME_PAUSED;
	else
		in->status = RUNTIME_RUNNING;
	return in->status;
}

const char *instance_status_name(enum runtime_status status)
{
	static const char *const names[] = { "creating", "created", "running",
					     "paused", "stopped" };

	return names[status];
}

char *instance_state_text(const struct instance *in, int pretty)
{
	int stopped = in->status == RUNTIME_STOPPED;
	json_t *doc = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}",
				"ociVersion", RUNTIME_OCI_VERSION, "id", in->id,
				"pid", (json_int_t)(stopped ? 0 : in->pid),
				"status", instance_status_name(in->status),
				"bundle", in->bundle, "rootfs", in->rootfs,
				"created", in->created, "owner", "");
	char *text;

	if (!doc)
		return NULL;
	json_object_set_new(doc, "annotations",
			    in->annotations ? json_copy(in->annotations) :
					      json_object());
	text = json_dumps(doc, pretty ? JSON_INDENT(2) : JSON_COMPACT);
	json_decref(doc);
	return text;
}

int instance_remove(struct instance *in)
{
	if (in->pid > 0 && in->status != RUNTIME_STOPPED)
		kill(in->pid, SIGKILL);
	return state_cleanup(&in->state);
}

int instance_state(const struct runtime *rt, const char *id, FILE *out)
{
	struct instance in;
	char *text;

	if (instance_open(rt, id, &in) < 0)
		return -1;
	text = instance_state_text(&in, 1);
	instance_close(&in);
	if (!text)
		return hop_fail_library(_("state: out of memory"));
	fprintf(out, "%s\n", text);
	free(text);
	return 0;
}

/* One line of list: runc's columns. */
static void list_one(const struct instance *in, json_t *all, int format,
		     FILE *out)
{
	char *text;

	if (format == LIST_QUIET) {
		fprintf(out, "%s\n", in->id);
		return;
	}
	if (all) {
		text = instance_state_text(in, 0);
		if (text)
			json_array_append_new(all, json_loads(text, 0, NULL));
		free(text);
		return;
	}
	fprintf(out, "%-12s %-8d %-10s %-40s %-30s %s\n", in->id,
		in->status == RUNTIME_STOPPED ? 0 : (int)in->pid,
		instance_status_name(in->status), in->bundle, in->created,
		"root");
}

int instance_list(const struct runtime *rt, int format, FILE *out)
{
	json_t *all = format == LIST_JSON ? json_array() : NULL;
	struct dirent *entry;
	DIR *root = opendir(rt->root);

	if (!root && errno != ENOENT)
		return hop_fail(_("open %s"), rt->root);
	if (format == LIST_TABLE)
		fprintf(out, "%-12s %-8s %-10s %-40s %-30s %s\n", "ID", "PID",
			"STATUS", "BUNDLE", "CREATED", "OWNER");
	while (root && (entry = readdir(root)) != NULL) {
		struct instance in;

		/* Hidden: "." "..", and states still being made. */
		if (entry->d_name[0] == '.')
			continue;
		if (instance_open(rt, entry->d_name, &in) < 0) {
			hop_warn_context();
			continue;
		}
		list_one(&in, all, format, out);
		instance_close(&in);
	}
	if (root)
		closedir(root);
	if (all) {
		json_dumpf(all, out, JSON_COMPACT);
		fputc('\n', out);
		json_decref(all);
	}
	return 0;
}

/* The pids of the container's group, from cgroup.procs; allocated. */
static int group_pids(const struct instance *in, pid_t **pids)
{
	struct cgroup_hierarchy h;
	char dir[PATH_MAX], path[PATH_MAX + 16], *line = NULL;
	size_t count = 0, space = 0, room = 0;
	long pid;
	FILE *procs;

	*pids = NULL;
	if (find_group(in, "any", &h, dir, sizeof(dir)) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	procs = fopen(path, "re");
	if (!procs)
		return hop_fail(_("open %s"), path);
	while (getline(&line, &room, procs) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (hop_parse_long(line, 1, INT_MAX, &pid) < 0)
			continue;
		if (count == space) {
			pid_t *more = reallocarray(
				*pids, space ? space * 2 : 16, sizeof(pid_t));
			if (!more)
				break;
			*pids = more;
			space = space ? space * 2 : 16;
		}
		(*pids)[count++] = (pid_t)pid;
	}
	free(line);
	fclose(procs);
	return (int)count;
}

static int signal_all(const struct instance *in, int signo)
{
	pid_t *pids;
	int count = group_pids(in, &pids);

	for (int i = 0; i < count; i++) {
		int rc = kill(pids[i], signo);

		hop_explain(rc, "kill(%d, %d)", (int)pids[i], signo);
	}
	free(pids);
	return count < 0 ? -1 : 0;
}

int instance_kill(const struct runtime *rt, const char *id, int signo, int all)
{
	struct instance in;
	int rc;

	if (instance_open(rt, id, &in) < 0)
		return -1;
	if (in.status == RUNTIME_STOPPED || in.status == RUNTIME_CREATING) {
		instance_close(&in);
		return hop_record(HOP_ERROR_REFUSED, HOP_HINT_NONE, ESRCH,
				  _("container not running"));
	}
	if (all) {
		rc = signal_all(&in, signo);
	} else {
		rc = kill(in.pid, signo);
		hop_explain(rc, "kill(%d, %d)", (int)in.pid, signo);
		if (rc < 0)
			hop_fail(_("kill %d"), (int)in.pid);
	}
	/* A frozen task does not die (v1) until it is thawed. */
	if (rc == 0 && in.status == RUNTIME_PAUSED && signo == SIGKILL)
		rc = instance_pause(rt, id, 0);
	instance_close(&in);
	return rc;
}

int instance_delete(const struct runtime *rt, const char *id, int force)
{
	struct instance in;
	struct oci_config config = { 0 };
	char *state;
	int rc, have_config;

	if (instance_open(rt, id, &in) < 0)
		return force && errno == ENOENT ? 0 : -1;
	if (!force && in.status != RUNTIME_STOPPED &&
	    in.status != RUNTIME_CREATED) {
		instance_close(&in);
		return hop_refuse(_("cannot delete container %s that is not "
				    "stopped: %s"),
				  id, instance_status_name(in.status));
	}
	/* The copy made at create: the bundle may be gone by now. */
	have_config = config_load(in.state.dir, &config) == 0;
	in.status = RUNTIME_STOPPED;
	state = instance_state_text(&in, 0);
	rc = instance_remove(&in);
	/* poststop: once the container is gone; a failure is only a
	 * warning, as the spec says. */
	if (rc == 0 && have_config && state &&
	    hooks_run(config.hooks[OCI_HOOK_POSTSTOP],
		      config.hook_count[OCI_HOOK_POSTSTOP], "poststop",
		      state) < 0)
		hop_warn_context();
	if (have_config)
		config_free(&config);
	free(state);
	instance_close(&in);
	return rc;
}

/* A number from a cgroup file, or from a "key N" line of it; -1 if none. */
static long long read_number(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 64], *line = NULL, *end;
	long long value = -1, number;
	size_t room = 0, length = key ? strlen(key) : 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (value < 0 && getline(&line, &room, f) > 0) {
		const char *text = line;

		if (key) {
			if (strncmp(line, key, length) != 0 ||
			    line[length] != ' ')
				continue;
			text = line + length + 1;
		}
		errno = 0;
		number = strtoll(text, &end, 10);
		if (errno == 0 && end != text)
			value = number;
		if (!key)
			break;
	}
	free(line);
	fclose(f);
	return value;
}

/* The freeze is not done when the write returns: every task must stop
 * first (v1 reads FREEZING meanwhile). Wait for it, as runc does. */
static int wait_frozen(const struct cgroup_hierarchy *h, const char *dir,
		       int frozen)
{
	char value[64], note[KNOB_NOTE_SIZE];

	for (int waited = 0; waited < 5000; waited++) {
		if (h->v2) {
			if (read_number(dir, "cgroup.events", "frozen") ==
			    frozen)
				return 0;
		} else if (knob_get(h, dir, "freezer.state", value,
				    sizeof(value), note) == 0 &&
			   strncmp(value, frozen ? "FROZEN" : "THAWED", 6) ==
				   0) {
			return 0;
		}
		usleep(1000);
	}
	errno = ETIMEDOUT;
	return hop_fail(_("%s: the group did not %s in 5 s"), dir,
			frozen ? _("freeze") : _("thaw"));
}

int instance_pause(const struct runtime *rt, const char *id, int pause)
{
	struct cgroup_hierarchy h;
	struct instance in;
	char dir[PATH_MAX], note[KNOB_NOTE_SIZE];
	int rc;

	if (instance_open(rt, id, &in) < 0)
		return -1;
	if (pause ? in.status != RUNTIME_RUNNING :
		    in.status != RUNTIME_PAUSED) {
		instance_close(&in);
		return hop_refuse(pause ? _("container not running") :
					  _("container not paused"));
	}
	rc = find_group(&in, "freezer", &h, dir, sizeof(dir));
	if (rc == 0)
		rc = knob_set(&h, dir, h.v2 ? "cgroup.freeze" : "freezer.state",
			      h.v2 ? (pause ? "1" : "0") :
				     (pause ? "FROZEN" : "THAWED"),
			      note);
	if (rc == 0)
		rc = wait_frozen(&h, dir, pause);
	instance_close(&in);
	return rc;
}

int instance_ps(const struct runtime *rt, const char *id, int json, FILE *out)
{
	struct instance in;
	pid_t *pids;
	int count;

	if (instance_open(rt, id, &in) < 0)
		return -1;
	count = group_pids(&in, &pids);
	instance_close(&in);
	if (count < 0)
		return -1;
	if (json)
		fputc('[', out);
	else
		fprintf(out, "%-8s %s\n", "PID", "CMD");
	for (int i = 0; i < count; i++) {
		char path[64], cmd[256] = "";
		FILE *comm;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pids[i]);
		comm = fopen(path, "re");
		if (comm && fgets(cmd, sizeof(cmd), comm))
			cmd[strcspn(cmd, "\n")] = '\0';
		if (comm)
			fclose(comm);
		if (json)
			fprintf(out, "%s%d", i ? "," : "", (int)pids[i]);
		else
			fprintf(out, "%-8d %s\n", (int)pids[i], cmd);
	}
	if (json)
		fputs("]\n", out);
	free(pids);
	return 0;
}

int instance_stats(const struct runtime *rt, const char *id, FILE *out)
{
	struct cgroup_hierarchy h;
	struct instance in;
	char memory[PATH_MAX], cpu[PATH_MAX], pids[PATH_MAX];
	long long used, cpu_ns, count;
	json_t *doc;

	if (instance_open(rt, id, &in) < 0)
		return -1;
	if (find_group(&in, "memory", &h, memory, sizeof(memory)) < 0 ||
	    find_group(&in, "pids", &h, pids, sizeof(pids)) < 0 ||
	    find_group(&in, "cpu", &h, cpu, sizeof(cpu)) < 0) {
		instance_close(&in);
		return -1;
	}
	/* v2 names first, then v1's. */
	used = read_number(memory, "memory.current", NULL);
	if (used < 0)
		used = read_number(memory, "memory.usage_in_bytes", NULL);
	cpu_ns = read_number(cpu, "cpu.stat", "usage_usec");
	if (cpu_ns >= 0)
		cpu_ns *= 1000;
	else if (find_group(&in, "cpuacct", &h, cpu, sizeof(cpu)) == 0)
		cpu_ns = read_number(cpu, "cpuacct.usage", NULL); /* v1 */
	count = read_number(pids, "pids.current", NULL);
	doc = json_pack("{s:s, s:s, s:{s:{s:{s:I}}, s:{s:{s:I}}, s:{s:I}}}",
			"type", "stats", "id", id, "data", "cpu", "usage",
			"total", (json_int_t)cpu_ns, "memory", "usage", "usage",
			(json_int_t)used, "pids", "current", (json_int_t)count);
	instance_close(&in);
	if (!doc)
		return hop_fail_library(_("stats: out of memory"));
	json_dumpf(doc, out, JSON_COMPACT);
	fputc('\n', out);
	json_decref(doc);
	return 0;
}

int instance_join_cgroups(const struct instance *in, pid_t pid)
{
	struct cgroup_hierarchy h[CGROUP_MAX_HIERARCHIES];
	char path[PATH_MAX], group[256];
	int count;

	if (instance_path(in, "cgroups", path, sizeof(path)) < 0)
		return -1;
	count = state_read_cgroups(path, h, CGROUP_MAX_HIERARCHIES, group,
				   sizeof(group));
	return count < 0 ? -1 : cgroup_attach(h, count, group, pid);
}
