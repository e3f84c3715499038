/* cgroup.c - find hierarchies, make, join, remove and walk groups beneath
 * our base. See cgroup.h for the contract and where the base is. */
#include "02-cgroups/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "lib/hop.h"

/* Is word one of the comma-separated words of list? */
static int has_word(const char *list, const char *word)
{
	size_t length = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word)) != NULL) {
		int starts = p == list || p[-1] == ',';
		int ends = p[length] == '\0' || p[length] == ',';

		if (starts && ends)
			return 1;
		p += length;
	}
	return 0;
}

int cgroup_mode(enum cgroup_mode *mode)
{
	char device[256], target[PATH_MAX], type[64];
	int v1 = 0, v2_root = 0, v2_elsewhere = 0;
	FILE *mounts = fopen("/proc/self/mounts", "re");

	if (!mounts)
		return hop_fail(_("open %s"), "/proc/self/mounts");
	while (fscanf(mounts, "%255s %4095s %63s %*[^\n]", device, target,
		      type) == 3) {
		if (strcmp(type, "cgroup") == 0)
			v1++;
		else if (strcmp(type, "cgroup2") == 0 &&
			 strcmp(target, "/sys/fs/cgroup") == 0)
			v2_root++;
		else if (strcmp(type, "cgroup2") == 0)
			v2_elsewhere++;
	}
	fclose(mounts);
	if (!v1 && !v2_root && !v2_elsewhere) {
		errno = ENOENT;
		return hop_fail(_("find a cgroup file system in %s"),
				"/proc/self/mounts");
	}
	if (v1)
		*mode = v2_root || v2_elsewhere ? CGROUP_HYBRID : CGROUP_V1;
	else
		*mode = CGROUP_V2;
	return 0;
}

const char *cgroup_mode_name(enum cgroup_mode mode)
{
	return mode == CGROUP_V1 ? "v1" : mode == CGROUP_V2 ? "v2" : "hybrid";
}

/* The mount point of the hierarchy holding controller: a v1 mount whose
 * options name it, else a v2 mount whose cgroup.controllers lists it. */
static int find_mount(const char *controller, struct cgroup_hierarchy *h)
{
	char device[256], target[PATH_MAX], type[64], options[1024];
	char path[PATH_MAX + 32], list[1024];
	FILE *mounts = fopen("/proc/self/mounts", "re");
	int found = 0;

	if (!mounts)
		return hop_fail(_("open %s"), "/proc/self/mounts");
	while (!found && fscanf(mounts, "%255s %4095s %63s %1023s %*[^\n]",
				device, target, type, options) == 4) {
		if (strcmp(type, "cgroup") == 0 &&
		    has_word(options, controller)) {
			found = 1;
			h->v2 = 0;
		} else if (strcmp(type, "cgroup2") == 0) {
			snprintf(path, sizeof(path), "%s/cgroup.controllers",
				 target);
			if (hop_read_file(path, list, sizeof(list)) < 0)
				continue;
			list[strcspn(list, "\n")] = '\0';
			for (char *c = list; *c; c++)
				if (*c == ' ')
					*c = ',';
			found = has_word(list, controller);
			h->v2 = 1;
		}
		if (found)
			snprintf(h->mount, sizeof(h->mount), "%s", target);
	}
	fclose(mounts);
	if (!found) {
		errno = ENOENT;
		return hop_fail_hint(
			HOP_HINT_CGROUP_NO_CONTROLLER,
			_("no cgroup hierarchy has the '%s' controller"),
			controller);
	}
	return 0;
}

/* Our own cgroup in that hierarchy, from /proc/self/cgroup lines such as
 * "4:memory:/process_api/42" (v1) or "0::/" (v2). */
static int find_own(const char *controller, struct cgroup_hierarchy *h)
{
	char line[PATH_MAX + 256];
	FILE *file = fopen("/proc/self/cgroup", "re");
	int found = 0;

	if (!file)
		return hop_fail(_("open %s"), "/proc/self/cgroup");
	while (!found && fgets(line, sizeof(line), file)) {
		char *controllers = strchr(line, ':');
		char *path = controllers ? strchr(controllers + 1, ':') : NULL;

		if (!path)
			continue;
		*controllers++ = '\0'; /* line is now the hierarchy id */
		*path++ = '\0';
		path[strcspn(path, "\n")] = '\0';
		if (h->v2 ? strcmp(line, "0") == 0 && !*controllers :
			    has_word(controllers, controller)) {
			snprintf(h->own, sizeof(h->own), "%s",
				 strcmp(path, "/") == 0 ? "" : path);
			found = 1;
		}
	}
	fclose(file);
	if (!found) {
		errno = ENOENT;
		return hop_fail(_("find our own '%s' cgroup in %s"), controller,
				"/proc/self/cgroup");
	}
	return 0;
}

/* Where our groups go. A v2 cgroup below the root holds processes (ours
 * at least), so it cannot give controllers to children: there we use a
 * directory of our own at the top, which no systemd unit owns. */
static void choose_base(struct cgroup_hierarchy *h)
{
	h->top = h->v2 && h->own[0] != '\0';
	snprintf(h->base, sizeof(h->base), "%s",
		 h->top ? "/" CGROUP_TOP_BASE : h->own);
}

int cgroup_find(const char *controller, struct cgroup_hierarchy *hierarchy)
{
	memset(hierarchy, 0, sizeof(*hierarchy));
	snprintf(hierarchy->controllers, sizeof(hierarchy->controllers), "%s",
		 controller);
	if (find_mount(controller, hierarchy) < 0 ||
	    find_own(controller, hierarchy) < 0)
		return -1;
	choose_base(hierarchy);
	return 0;
}

int cgroup_find_all(const char *controllers,
		    struct cgroup_hierarchy *hierarchies, int max)
{
	char list[256], *save = NULL;
	int count = 0;

	snprintf(list, sizeof(list), "%s", controllers);
	for (char *name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		struct cgroup_hierarchy found;
		int seen = 0;

		if (cgroup_find(name, &found) < 0)
			return -1;
		for (int i = 0; i < count && !seen; i++) {
			struct cgroup_hierarchy *h = &hierarchies[i];

			if (strcmp(h->mount, found.mount) != 0)
				continue;
			seen = 1;
			size_t used = strlen(h->controllers);

			if (!has_word(h->controllers, name))
				snprintf(h->controllers + used,
					 sizeof(h->controllers) - used, ",%s",
					 name);
		}
		if (seen)
			continue;
		if (count == max) {
			errno = E2BIG;
			return hop_fail(_("too many controllers in '%s'"),
					controllers);
		}
		hierarchies[count++] = found;
	}
	if (count == 0)
		return hop_refuse(_("no controller named in '%s'"),
				  controllers);
	return count;
}

int cgroup_has_controller(const struct cgroup_hierarchy *hierarchy,
			  const char *controller)
{
	return has_word(hierarchy->controllers, controller);
}

int cgroup_check_group(const char *group)
{
	char copy[PATH_MAX], *save = NULL;

	if (!*group)
		return hop_refuse(_("empty group path"));
	if (group[0] == '/')
		return hop_refuse(
			_("group '%s': paths are relative to our base "
			  "(mini-cgroup where), drop the leading '/'"),
			group);
	if (strlen(group) >= sizeof(copy) - 1)
		return hop_refuse(_("group path too long"));
	snprintf(copy, sizeof(copy), "%s", group);
	for (char *part = strtok_r(copy, "/", &save); part;
	     part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0 || strcmp(part, "..") == 0)
			return hop_refuse(_("group '%s': '%s' would leave our "
					    "base; groups are made only "
					    "beneath it"),
					  group, part);
	}
	return 0;
}

int cgroup_dir(const struct cgroup_hierarchy *hierarchy, const char *group,
	       char *dir, size_t size)
{
	int n = snprintf(dir, size, "%s%s%s%s", hierarchy->mount,
			 hierarchy->base, *group ? "/" : "", group);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return hop_fail(_("group path too long"));
	}
	return 0;
}

/* What one cgroup_create() did, so that a failure can take it back, last
 * first: a directory it made (undo "": rmdir it) or controllers it enabled
 * in a cgroup.subtree_control (undo "-cpu -memory": write that). */
struct made {
	struct {
		char path[PATH_MAX + 32];
		char undo[160];
	} steps[32];
	int count;
};

static void remember(struct made *made, const char *path, const char *undo)
{
	if (made->count < 32) {
		snprintf(made->steps[made->count].path, PATH_MAX + 32, "%s",
			 path);
		snprintf(made->steps[made->count].undo, 160, "%s", undo);
		made->count++;
	}
}

static void take_back(struct made *made)
{
	int saved = errno;

	while (made->count > 0) {
		made->count--;
		const char *path = made->steps[made->count].path;
		const char *undo = made->steps[made->count].undo;

		if (*undo) {
			hop_write_file(path, undo);
		} else {
			int rc = rmdir(path);

			hop_explain(rc, "rmdir(\"%s\")", path);
		}
	}
	errno = saved;
}

/* v2: let the children of dir use each of controllers ("cpu,memory"). */
static int enable_controllers(const char *dir, const char *controllers,
			      struct made *made)
{
	char path[PATH_MAX + 32], current[512], change[160] = "";

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	if (hop_read_file(path, current, sizeof(current)) < 0)
		return -1;
	current[strcspn(current, "\n")] = '\0';
	for (char *c = current; *c; c++)
		if (*c == ' ')
			*c = ',';
	for (const char *c = controllers; *c;) {
		size_t length = strcspn(c, ",");
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)length, c);
		size_t used = strlen(change);

		if (!has_word(current, name))
			snprintf(change + used, sizeof(change) - used, "%s+%s",
				 used ? " " : "", name);
		c += length + (c[length] == ',');
	}
	if (!*change)
		return 0;
	/* One write for all: "+cpu +memory +pids". EBUSY: the group holds
	 * processes (the "no internal processes" rule). */
	if (hop_write_file(path, change) < 0)
		return errno == EBUSY ?
			       hop_set_hint(HOP_HINT_CGROUP_SUBTREE_BUSY) :
			       -1;
	for (char *c = change; *c; c++)
		if (*c == '+')
			*c = '-';
	remember(made, path, change);
	return 0;
}

/* Our base at the top of a v2 tree: the root must already hand each of our
 * controllers down (systemd decides that; we only read the root's files),
 * and the base is made if it is not there yet. */
static int make_top_base(const struct cgroup_hierarchy *h, struct made *made)
{
	char path[PATH_MAX + 32], root[512], base[PATH_MAX];

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", h->mount);
	if (hop_read_file(path, root, sizeof(root)) < 0)
		return -1;
	root[strcspn(root, "\n")] = '\0';
	for (char *c = root; *c; c++)
		if (*c == ' ')
			*c = ',';
	for (const char *c = h->controllers; *c;) {
		size_t length = strcspn(c, ",");
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)length, c);
		if (!has_word(root, name)) {
			errno = EOPNOTSUPP;
			return hop_fail(_("the root cgroup does not hand the "
					  "'%s' controller down (%s: '%s')"),
					name, path, root);
		}
		c += length + (c[length] == ',');
	}
	if (cgroup_dir(h, "", base, sizeof(base)) < 0)
		return -1;
	int rc = mkdir(base, 0755);

	hop_explain(rc, "mkdir(\"%s\", 0755)", base);
	if (rc == 0)
		remember(made, base, "");
	else if (errno != EEXIST)
		return hop_fail(_("mkdir %s"), base);
	return 0;
}

static int create_one(const struct cgroup_hierarchy *h, const char *group,
		      struct made *made)
{
	char dir[PATH_MAX];
	size_t at;

	if (h->top && make_top_base(h, made) < 0)
		return -1;
	if (cgroup_dir(h, "", dir, sizeof(dir)) < 0)
		return -1;
	at = strlen(dir);
	/* Walk down from our base, one component at a time. */
	for (const char *part = group; *part;) {
		size_t length = strcspn(part, "/");

		if (h->v2 && enable_controllers(dir, h->controllers, made) < 0)
			return -1;
		if (at + 1 + length >= sizeof(dir)) {
			errno = ENAMETOOLONG;
			return hop_fail(_("group path too long"));
		}
		dir[at++] = '/';
		memcpy(dir + at, part, length);
		at += length;
		dir[at] = '\0';
		part += length;
		part += *part == '/';
		int rc = mkdir(dir, 0755);

		hop_explain(rc, "mkdir(\"%s\", 0755)", dir);
		if (rc == 0)
			remember(made, dir, "");
		/* The parents may be there already; the group itself must be
		 * new, or we would later empty and remove someone's group. */
		else if (errno != EEXIST || !*part)
			return hop_fail(_("mkdir %s"), dir);
	}
	return 0;
}

int cgroup_create(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group)
{
	static struct made made;

	made.count = 0;
	if (cgroup_check_group(group) < 0)
		return -1;
	for (int i = 0; i < count; i++) {
		int rc = create_one(&hierarchies[i], group, &made);

		/* Another run may remove an empty base at the top just
		 * after we found it there: make it again, once. */
		if (rc < 0 && errno == ENOENT && hierarchies[i].top)
			rc = create_one(&hierarchies[i], group, &made);
		if (rc < 0) {
			take_back(&made);
			return -1;
		}
	}
	return 0;
}

/* rmdir our base at the top once no group is left in it; while one is,
 * the kernel refuses (EBUSY) and that is fine. */
static void prune_top_base(const char *base)
{
	int rc = rmdir(base);

	hop_explain(rc, "rmdir(\"%s\")", base);
}

/* Is dir our base at the top: named CGROUP_TOP_BASE, on a cgroup2 file
 * system, right beneath a root cgroup (the only one with no cgroup.type)? */
static int is_top_base(const char *dir)
{
	char parent[PATH_MAX], path[PATH_MAX + 32];
	const char *name = strrchr(dir, '/');
	struct statfs fs;

	if (!name || strcmp(name + 1, CGROUP_TOP_BASE) != 0 ||
	    (size_t)(name - dir) >= sizeof(parent))
		return 0;
	snprintf(parent, sizeof(parent), "%.*s", (int)(name - dir), dir);
	if (statfs(dir, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.type", parent);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", parent);
	return access(path, F_OK) == 0;
}

/* The directory of a group that must be there already. */
static int existing_dir(const struct cgroup_hierarchy *h, const char *group,
			char dir[PATH_MAX])
{
	if (cgroup_dir(h, group, dir, PATH_MAX) < 0)
		return -1;
	if (access(dir, F_OK) < 0)
		return hop_fail(_("group %s in the %s hierarchy (%s)"), group,
				h->controllers, dir);
	return 0;
}

int cgroup_attach(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group, pid_t pid)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], text[32];

	if (cgroup_check_group(group) < 0)
		return -1;
	snprintf(text, sizeof(text), "%d", (int)pid);
	for (int i = 0; i < count; i++) {
		if (existing_dir(&hierarchies[i], group, dir) < 0)
			return -1;
		snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
		if (hop_write_file(path, text) < 0)
			return -1;
	}
	return 0;
}

int cgroup_count_procs(const char *dir)
{
	char path[PATH_MAX + 32], text[8192];
	int lines = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	if (hop_read_file(path, text, sizeof(text)) < 0)
		return -1;
	for (char *c = text; *c; c++)
		lines += *c == '\n';
	return lines;
}

/* rmdir dir, and with recursive its child groups first (deepest first). */
static int remove_dir(const char *dir, int recursive)
{
	int rc;

	if (recursive) {
		struct dirent **names;
		int n = scandir(dir, &names, NULL, alphasort);

		if (n < 0)
			return hop_fail(_("list %s"), dir);
		rc = 0;
		for (int i = 0; i < n; i++) {
			char child[PATH_MAX];

			if (rc == 0 && names[i]->d_type == DT_DIR &&
			    names[i]->d_name[0] != '.') {
				snprintf(child, sizeof(child), "%s/%s", dir,
					 names[i]->d_name);
				rc = remove_dir(child, 1);
			}
			free(names[i]);
		}
		free(names);
		if (rc < 0)
			return -1;
	}
	rc = rmdir(dir);
	hop_explain(rc, "rmdir(\"%s\")", dir);
	if (rc < 0 && errno == EBUSY && cgroup_count_procs(dir) > 0) {
		errno = EBUSY;
		return hop_fail(_("remove %s: it still holds %d process(es)"),
				dir, cgroup_count_procs(dir));
	}
	if (rc < 0)
		return hop_fail(_("remove %s"), dir);
	return 0;
}

int cgroup_delete(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group, int recursive)
{
	char dir[PATH_MAX];

	if (cgroup_check_group(group) < 0)
		return -1;
	/* Check every hierarchy first, so a missing group changes nothing. */
	for (int i = 0; i < count; i++)
		if (existing_dir(&hierarchies[i], group, dir) < 0)
			return -1;
	for (int i = 0; i < count; i++) {
		if (cgroup_dir(&hierarchies[i], group, dir, sizeof(dir)) < 0 ||
		    remove_dir(dir, recursive) < 0)
			return -1;
		if (hierarchies[i].top &&
		    cgroup_dir(&hierarchies[i], "", dir, sizeof(dir)) == 0)
			prune_top_base(dir);
	}
	return 0;
}

static int walk_dir(const char *root, const char *group,
		    int (*visit)(const char *group, void *data), void *data)
{
	char dir[PATH_MAX];
	struct dirent **names;
	int n, rc = 0;

	snprintf(dir, sizeof(dir), "%s%s%s", root, *group ? "/" : "", group);
	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return hop_fail(_("list %s"), dir);
	for (int i = 0; i < n; i++) {
		char child[PATH_MAX];

		if (rc == 0 && names[i]->d_type == DT_DIR &&
		    names[i]->d_name[0] != '.') {
			snprintf(child, sizeof(child), "%s%s%s", group,
				 *group ? "/" : "", names[i]->d_name);
			rc = visit(child, data);
			if (rc == 0)
				rc = walk_dir(root, child, visit, data);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int cgroup_walk(const struct cgroup_hierarchy *hierarchy,
		int (*visit)(const char *group, void *data), void *data)
{
	char root[PATH_MAX];

	if (cgroup_dir(hierarchy, "", root, sizeof(root)) < 0)
		return -1;
	/* Our base at the top is made by the first group: none yet. */
	if (hierarchy->top && access(root, F_OK) < 0 && errno == ENOENT)
		return 0;
	return walk_dir(root, "", visit, data);
}

/* SIGKILL each pid cgroup.procs lists, read whole through stdio (a fixed
 * buffer would cut the last line: "4123456" read as "4"). Never 0 or a
 * negative pid (kill(0) is our own process group), never ourselves.
 * Returns how many pids were listed; *killed counts the signals sent. */
static int kill_listed(const char *dir, int *killed)
{
	char path[PATH_MAX + 32], *line = NULL;
	size_t room = 0;
	int listed = 0;
	FILE *procs;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	procs = fopen(path, "re");
	if (!procs)
		return hop_fail(_("open %s"), path);
	while (getline(&line, &room, procs) > 0) {
		char *end;
		long pid;

		errno = 0;
		pid = strtol(line, &end, 10);
		if (errno || end == line || (*end && *end != '\n') ||
		    pid <= 0 || pid > INT_MAX || pid == getpid())
			continue;
		int rc = kill((pid_t)pid, SIGKILL);

		hop_explain(rc, "kill(%ld, SIGKILL)", pid);
		*killed += rc == 0;
		listed++;
	}
	free(line);
	fclose(procs);
	return listed;
}

int cgroup_kill(const char *dir)
{
	char path[PATH_MAX + 32];
	int killed = 0, listed = 0, frozen = 0;

	/* v2 (Linux 5.14) kills the whole group with one write. */
	snprintf(path, sizeof(path), "%s/cgroup.kill", dir);
	if (access(path, F_OK) == 0)
		return hop_write_file(path, "1");
	/* Otherwise one pid at a time. Frozen first where the kernel can
	 * (v2, Linux 5.2), so no process forks while we read the list; a
	 * frozen process still dies of SIGKILL. v1 has its freezer in a
	 * hierarchy of its own: there we read the list again until it is
	 * empty, so a child forked meanwhile is found on the next pass. */
	snprintf(path, sizeof(path), "%s/cgroup.freeze", dir);
	if (access(path, F_OK) == 0 && hop_write_file(path, "1") == 0)
		frozen = 1;
	for (int pass = 0; pass < 100; pass++) {
		listed = kill_listed(dir, &killed);
		if (listed <= 0)
			break;
		usleep(10000);
	}
	if (frozen)
		hop_write_file(path, "0");
	return listed < 0 ? -1 : killed;
}

int cgroup_remove_dir(const char *dir, int timeout_ms)
{
	int rc;

	/* A killed process leaves its group a moment after it dies. */
	for (int waited = 0;; waited += 10) {
		rc = rmdir(dir);
		if (rc == 0 || errno != EBUSY || waited >= timeout_ms)
			break;
		usleep(10000);
	}
	hop_explain(rc, "rmdir(\"%s\")", dir);
	if (rc < 0 && errno != ENOENT)
		return hop_fail(_("remove %s"), dir);
	const char *slash = strrchr(dir, '/');
	char parent[PATH_MAX];

	if (slash && (size_t)(slash - dir) < sizeof(parent)) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - dir),
			 dir);
		if (is_top_base(parent))
			prune_top_base(parent);
	}
	return 0;
}
