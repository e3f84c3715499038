/* state.c - container state directories, their locks and their clean-up.
 * See state.h. */
#include "04-container-by-hand/state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/hop.h"

static const char *chosen_root; /* state_use_root() */

void state_use_root(const char *root)
{
	chosen_root = root;
}

int state_root(char *root, size_t size)
{
	/* secure_getenv: a set-uid copy must not take a path from its caller. */
	const char *dir = chosen_root ? chosen_root :
					secure_getenv("HOP_STATE_DIR");

	if (!dir || !*dir)
		dir = "/run/hop/containers";
	if (dir[0] != '/')
		return hop_refuse(_("HOP_STATE_DIR=%s: not an absolute path"),
				  dir);
	if ((size_t)snprintf(root, size, "%s", dir) >= size) {
		errno = ENAMETOOLONG;
		return hop_fail(_("HOP_STATE_DIR is too long"));
	}
	return 0;
}

/* The root holds what gc will kill and remove: only root may write it,
 * and it must not lead elsewhere (a symlink planted in its place). */
static int check_root(const char *root)
{
	struct stat st;

	if (lstat(root, &st) < 0)
		return hop_fail(_("state directory %s"), root);
	if (S_ISLNK(st.st_mode))
		return hop_refuse(_("state directory %s is a symbolic link; "
				    "refusing to use it"),
				  root);
	if (!S_ISDIR(st.st_mode))
		return hop_refuse(_("state directory %s is not a directory"),
				  root);
	if (st.st_uid != 0)
		return hop_refuse(_("state directory %s is owned by uid %u, "
				    "not root; refusing to use it"),
				  root, (unsigned)st.st_uid);
	if ((st.st_mode & 07777) != 0700)
		return hop_refuse(_("state directory %s has mode %04o, not "
				    "0700; refusing to use it"),
				  root, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* dir + "/" + name into out, or ENAMETOOLONG: never a path cut short. */
static int join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return hop_fail(_("path too long: %s/%s"), dir, name);
	}
	return 0;
}

static int make_dir(const char *path)
{
	int rc = mkdir(path, 0700);

	hop_explain(rc, "mkdir(\"%s\", 0700)", path);
	if (rc < 0 && errno != EEXIST)
		return hop_fail(_("mkdir %s"), path);
	return 0;
}

/* /run, /run/hop, then /run/hop/containers, then the checks. */
static int make_root(char *root, size_t size)
{
	char parent[PATH_MAX];

	if (state_root(root, size) < 0)
		return -1;
	snprintf(parent, sizeof(parent), "%s", root);
	for (char *slash = strchr(parent + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (make_dir(parent) < 0)
			return -1;
		*slash = '/';
	}
	if (make_dir(root) < 0 || check_root(root) < 0)
		return -1;
	return 0;
}

/* Write dir/file whole, or not at all: a temporary name, then rename. */
static int write_file(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX], temp[PATH_MAX], hidden[64];
	FILE *out;
	int rc;

	snprintf(hidden, sizeof(hidden), ".%s.new", file);
	if (join(path, sizeof(path), dir, file) < 0 ||
	    join(temp, sizeof(temp), dir, hidden) < 0)
		return -1;
	out = fopen(temp, "wxe");
	if (!out)
		return hop_fail(_("open %s"), temp);
	fputs(text, out);
	if (fclose(out) != 0) {
		unlink(temp);
		return hop_fail(_("write %s"), temp);
	}
	rc = rename(temp, path);
	hop_explain(rc, "rename(\"%s\", \"%s\")", temp, path);
	if (rc < 0) {
		unlink(temp);
		return hop_fail(_("rename %s"), temp);
	}
	return 0;
}

/* Open dir/lock (made with create) and flock it without waiting: a lock
 * that is free means its owner is dead. Returns the fd. */
static int take_lock(const char *dir, int create)
{
	char path[PATH_MAX];
	int fd, rc;

	if (join(path, sizeof(path), dir, "lock") < 0)
		return -1;
	fd = open(path,
		  O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0),
		  0600);
	hop_explain(fd, "open(\"%s\")", path);
	if (fd < 0)
		return hop_fail(_("open %s"), path);
	rc = flock(fd, LOCK_EX | LOCK_NB);
	hop_explain(rc, "flock(%d, LOCK_EX|LOCK_NB)", fd);
	if (rc < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		return hop_fail(_("lock %s"), path);
	}
	return fd;
}

/* Open dir/lock and wait for its flock. */
static int take_lock_wait(const char *dir)
{
	char path[PATH_MAX];
	int fd, rc;

	if (join(path, sizeof(path), dir, "lock") < 0)
		return -1;
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return hop_fail(_("open %s"), path);
	do
		rc = flock(fd, LOCK_EX);
	while (rc < 0 && errno == EINTR);
	hop_explain(rc, "flock(%d, LOCK_EX)", fd);
	if (rc < 0) {
		close(fd);
		return hop_fail(_("lock %s"), path);
	}
	return fd;
}

int state_create(const char *id, struct state *state)
{
	char root[PATH_MAX], temp[PATH_MAX], hidden[NAME_MAX], owner[32];
	int rc;

	state->lock = -1;
	state->dir[0] = '\0';
	if (make_root(root, sizeof(root)) < 0)
		return -1;
	/* Made and locked under a hidden name, then renamed: gc never sees a
	 * state without its lock. */
	if ((size_t)snprintf(hidden, sizeof(hidden), ".%s.XXXXXX", id) >=
		    sizeof(hidden) ||
	    join(temp, sizeof(temp), root, hidden) < 0 ||
	    join(state->dir, sizeof(state->dir), root, id) < 0) {
		errno = ENAMETOOLONG;
		return hop_fail(_("state of container %s"), id);
	}
	if (!mkdtemp(temp))
		return hop_fail(_("mkdir %s"), temp);
	hop_explain(0, "mkdir(\"%s\", 0700)", temp);
	snprintf(owner, sizeof(owner), "%d\n", (int)getpid());
	state->lock = take_lock(temp, 1);
	if (state->lock < 0 || write(state->lock, owner, strlen(owner)) < 0)
		goto undo;
	/* RENAME_NOREPLACE: a running container of that name keeps its own. */
	rc = renameat2(AT_FDCWD, temp, AT_FDCWD, state->dir, RENAME_NOREPLACE);
	hop_explain(rc, "renameat2(\"%s\", \"%s\", RENAME_NOREPLACE)", temp,
		    state->dir);
	if (rc < 0) {
		hop_fail(_("state of container %s (%s)"), id, state->dir);
		goto undo;
	}
	return 0;
undo:;
	int saved = errno;

	if (join(state->dir, sizeof(state->dir), temp, "lock") == 0)
		unlink(state->dir);
	rmdir(temp);
	if (state->lock >= 0)
		close(state->lock);
	state->lock = -1;
	state->dir[0] = '\0';
	errno = saved;
	return -1;
}

int state_record_cgroups(const struct state *state,
			 const struct cgroup_hierarchy *hierarchies, int count,
			 const char *group)
{
	char text[CGROUP_MAX_HIERARCHIES * (PATH_MAX + 256)] = "";
	size_t used = 0;

	for (int i = 0; i < count; i++) {
		const struct cgroup_hierarchy *h = &hierarchies[i];

		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "%s %s %s\n", h->controllers,
					 h->base[0] ? h->base : "/", group);
		if (used >= sizeof(text)) {
			errno = ENAMETOOLONG;
			return hop_fail(_("group path too long"));
		}
	}
	return write_file(state->dir, "cgroups", text);
}

/* cgroup_walk() visitor: kill what a group the container made holds. */
static int kill_visit(const char *group, void *data)
{
	const struct cgroup_hierarchy *subtree = data;
	char dir[PATH_MAX];

	if (cgroup_dir(subtree, group, dir, sizeof(dir)) < 0)
		return -1;
	if (cgroup_count_procs(dir) > 0 && cgroup_kill(dir) < 0)
		hop_warn("%s", hop_context());
	return 0;
}

/* The empty directories above group, up to our base: made for a path
 * like machine.slice/libpod-ID.scope (mini-runc's cgroupsPath), they would
 * stay behind. One that is not empty is another container's: it stays. */
static void prune_parents(const struct cgroup_hierarchy *h, const char *group)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;

	snprintf(path, sizeof(path), "%s", group);
	while ((slash = strrchr(path, '/')) != NULL) {
		int rc;

		*slash = '\0';
		/* A slice is systemd's unit (machine.slice): it stays. */
		if (strlen(path) > 6 &&
		    strcmp(path + strlen(path) - 6, ".slice") == 0)
			return;
		if (cgroup_dir(h, path, dir, sizeof(dir)) < 0)
			return;
		rc = rmdir(dir);
		hop_explain(rc, "rmdir(\"%s\")", dir);
		if (rc < 0)
			return;
	}
	/* Our own top base (/sys/fs/cgroup/hop) goes with its last group. */
	if (h->top && strchr(group, '/') &&
	    (size_t)snprintf(dir, sizeof(dir), "%s%s", h->mount, h->base) <
		    sizeof(dir))
		(void)rmdir(dir);
}

/* Kill and remove group in h, with the groups the container made beneath
 * it (a process inside may mkdir in its own cgroup). */
static int remove_group(const struct cgroup_hierarchy *h, const char *group)
{
	struct cgroup_hierarchy subtree = *h;
	char dir[PATH_MAX];
	int rc;

	if (cgroup_dir(h, group, dir, sizeof(dir)) < 0)
		return -1;
	if (access(dir, F_OK) < 0)
		return 0; /* made by none, or removed already */
	if (cgroup_count_procs(dir) > 0 && cgroup_kill(dir) < 0)
		return -1;
	/* The group as a base of its own, to walk what is beneath it only. */
	snprintf(subtree.base, sizeof(subtree.base), "%s",
		 dir + strlen(h->mount));
	if (cgroup_walk(&subtree, kill_visit, &subtree) < 0)
		return -1;
	/* A killed process leaves its group a moment after it dies. */
	for (int waited = 0;; waited++) {
		rc = cgroup_delete(h, 1, group, 1);
		if (rc == 0) {
			prune_parents(h, group);
			return 0;
		}
		if (errno != EBUSY || waited >= 2000)
			return rc;
		usleep(1000);
	}
}

/* One line of a cgroups file, "CONTROLLERS BASE GROUP", as the
 * hierarchies of those controllers with the recorded base: the group is
 * where it was made, whichever cgroup reads it (podman deletes, from its
 * own cgroup, what mini-runc made from conmon's). */
static int parse_line(const char *line, struct cgroup_hierarchy *h, int max,
		      char *group, size_t size)
{
	char controllers[128], base[PATH_MAX], name[256];
	int count;

	if (sscanf(line, "%127s %4095s %255s", controllers, base, name) != 3 ||
	    strspn(controllers, "abcdefghijklmnopqrstuvwxyz_,") !=
		    strlen(controllers) ||
	    base[0] != '/' || (base[1] && cgroup_check_group(base + 1) < 0) ||
	    cgroup_check_group(name) < 0)
		return hop_refuse(_("bad line in a state's cgroups: '%s'"),
				  line);
	count = cgroup_find_all(controllers, h, max);
	for (int i = 0; i < count; i++) {
		snprintf(h[i].base, sizeof(h[i].base), "%s",
			 strcmp(base, "/") == 0 ? "" : base);
		h[i].top = h[i].v2 && strcmp(base, "/" CGROUP_TOP_BASE) == 0;
	}
	snprintf(group, size, "%s", name);
	return count;
}

int state_read_cgroups(const char *file, struct cgroup_hierarchy *h, int max,
		       char *group, size_t size)
{
	char *line = NULL;
	size_t room = 0;
	int count = 0, n = 0;
	FILE *list = fopen(file, "re");

	if (!list)
		return hop_fail(_("open %s"), file);
	while (n >= 0 && getline(&line, &room, list) > 0) {
		line[strcspn(line, "\n")] = '\0';
		n = parse_line(line, h + count, max - count, group, size);
		count += n > 0 ? n : 0;
	}
	free(line);
	fclose(list);
	return n < 0 ? -1 : count;
}

/* Unlink every file in dir but the lock. The dir is ours (0700, root's),
 * and only files are made in it. */
static int remove_files(const char *dir)
{
	DIR *files = opendir(dir);
	struct dirent *entry;
	int rc = 0;

	if (!files)
		return hop_fail(_("open %s"), dir);
	while ((entry = readdir(files)) != NULL) {
		if (entry->d_type == DT_DIR ||
		    strcmp(entry->d_name, "lock") == 0)
			continue;
		if (unlinkat(dirfd(files), entry->d_name, 0) < 0 &&
		    errno != ENOENT)
			rc = hop_fail(_("remove %s/%s"), dir, entry->d_name);
	}
	closedir(files);
	return rc;
}

int state_open(const char *id, struct state *state)
{
	char root[PATH_MAX];
	int rc;

	state->lock = -1;
	if (state_root(root, sizeof(root)) < 0 ||
	    join(state->dir, sizeof(state->dir), root, id) < 0)
		return -1;
	if (access(root, F_OK) == 0 && check_root(root) < 0)
		return -1;
	state->lock = take_lock(state->dir, 0);
	if (state->lock >= 0 || errno != EWOULDBLOCK)
		return state->lock < 0 ? -1 : 0;
	/* Another command holds it for a moment: wait for our turn. */
	state->lock = take_lock_wait(state->dir);
	rc = state->lock < 0 ? -1 : 0;
	return rc;
}

int state_cleanup(struct state *state)
{
	struct cgroup_hierarchy h[CGROUP_MAX_HIERARCHIES];
	char path[PATH_MAX], group[256];
	int rc = 0, count = 0;

	if (join(path, sizeof(path), state->dir, "cgroups") < 0)
		return -1;
	/* No file: killed before any group was recorded. */
	if (access(path, F_OK) == 0)
		count = state_read_cgroups(path, h, CGROUP_MAX_HIERARCHIES,
					   group, sizeof(group));
	if (count < 0)
		rc = -1;
	for (int i = 0; i < count; i++)
		if (remove_group(&h[i], group) < 0)
			rc = -1;
	if (rc < 0)
		return -1; /* the state stays, for the next gc */
	/* Every file of it (.cgroups.new: left by a kill in the middle of
	 * a write; mini-runc's state.json, exec.fifo), the lock last. */
	if (remove_files(state->dir) < 0)
		return -1;
	if (join(path, sizeof(path), state->dir, "lock") == 0)
		unlink(path);
	rc = rmdir(state->dir);
	hop_explain(rc, "rmdir(\"%s\")", state->dir);
	if (rc < 0)
		return hop_fail(_("remove %s"), state->dir);
	/* Dropped last: until here a gc sees an owner alive and waits. */
	close(state->lock);
	state->lock = -1;
	return 0;
}

/* Clean up the state dir if nobody holds its lock. 1 when cleaned, 0 when
 * its owner lives. */
static int collect(const char *root, const char *name)
{
	struct state state;

	if (join(state.dir, sizeof(state.dir), root, name) < 0)
		return -1;
	state.lock = take_lock(state.dir, 0);
	/* EWOULDBLOCK: its owner lives. ENOENT: no lock file, a state being
	 * made (under its hidden name) or removed by its owner right now. */
	if (state.lock < 0)
		return errno == EWOULDBLOCK || errno == ENOENT ? 0 : -1;
	hop_step(_("clean up container %s: its owner is gone"), name);
	if (state_cleanup(&state) < 0) {
		int saved = errno;

		close(state.lock);
		errno = saved;
		return -1;
	}
	return 1;
}

int state_gc(void)
{
	char root[PATH_MAX];
	struct dirent *entry;
	DIR *states;
	int cleaned = 0;

	if (state_root(root, sizeof(root)) < 0)
		return -1;
	if (access(root, F_OK) < 0 && errno == ENOENT)
		return 0; /* nothing ever ran */
	if (check_root(root) < 0)
		return -1;
	states = opendir(root);
	if (!states)
		return hop_fail(_("open %s"), root);
	while ((entry = readdir(states)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 ||
		    strcmp(entry->d_name, "..") == 0)
			continue;
		int rc = collect(root, entry->d_name);

		/* One broken state must not keep the others' groups. */
		if (rc < 0)
			hop_warn(_("gc: container %s: %s"), entry->d_name,
				 hop_context());
		cleaned += rc > 0;
	}
	closedir(states);
	return cleaned;
}
