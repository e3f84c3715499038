/* state.c - container state directories and their clean-up. See state.h. */
#include "04-container-by-hand/state.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "02-cgroups/cgroup.h"
#include "lib/hop.h"

const char *state_root(void)
{
	const char *root = getenv("HOP_STATE_DIR");

	return root && *root ? root : "/run/hop/containers";
}

static int make_dir(const char *path)
{
	int rc = mkdir(path, 0700);

	hop_explain(rc, "mkdir(\"%s\", 0700)", path);
	if (rc < 0 && errno != EEXIST)
		return hop_fail(_("mkdir %s"), path);
	return 0;
}

int state_create(const char *id, char *dir, size_t size)
{
	char owner[32], parent[PATH_MAX];
	const char *root = state_root();

	/* /run/hop, then /run/hop/containers. */
	snprintf(parent, sizeof(parent), "%s", root);
	char *slash = strrchr(parent, '/');

	if (slash && slash != parent) {
		*slash = '\0';
		if (make_dir(parent) < 0)
			return -1;
	}
	if (make_dir(root) < 0)
		return -1;
	snprintf(dir, size, "%s/%s", root, id);
	int rc = mkdir(dir, 0700);

	hop_explain(rc, "mkdir(\"%s\", 0700)", dir);
	if (rc < 0)
		return hop_fail(_("state of container %s (%s)"), id, dir);
	snprintf(owner, sizeof(owner), "%d\n", (int)getpid());
	return state_write(dir, "owner", owner);
}

int state_write(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX + 32];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	out = fopen(path, "we");
	if (!out)
		return hop_fail(_("open %s"), path);
	fputs(text, out);
	if (fclose(out) != 0)
		return hop_fail(_("write %s"), path);
	return 0;
}

/* Only directories under /sys/fs/cgroup named hop-* are ours to remove. */
static int is_our_cgroup(const char *dir)
{
	const char *name = strrchr(dir, '/');

	return strncmp(dir, "/sys/fs/cgroup/", 15) == 0 && !strstr(dir, "..") &&
	       name && strncmp(name + 1, "hop-", 4) == 0;
}

int state_cleanup(const char *dir)
{
	char path[PATH_MAX + 32], text[8192];
	int rc = 0;

	snprintf(path, sizeof(path), "%s/cgroups", dir);
	if (hop_read_file(path, text, sizeof(text)) < 0) {
		if (errno != ENOENT)
			return -1;
		text[0] = '\0'; /* killed before it made any group */
	}
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!is_our_cgroup(line) || access(line, F_OK) < 0)
			continue;
		if (cgroup_count_procs(line) > 0)
			cgroup_kill(line);
		if (cgroup_remove_dir(line, 2000) < 0)
			rc = -1;
	}
	if (rc < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/cgroups", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/owner", dir);
	unlink(path);
	rc = rmdir(dir);
	hop_explain(rc, "rmdir(\"%s\")", dir);
	if (rc < 0)
		return hop_fail(_("remove %s"), dir);
	return 0;
}

/* Is the owner recorded in dir still running? */
static int owner_alive(const char *dir)
{
	char path[PATH_MAX + 32], text[32];

	snprintf(path, sizeof(path), "%s/owner", dir);
	if (hop_read_file(path, text, sizeof(text)) < 0)
		return 0;
	return kill((pid_t)strtol(text, NULL, 10), 0) == 0 || errno == EPERM;
}

int state_gc(void)
{
	char dir[PATH_MAX];
	struct dirent *entry;
	DIR *root = opendir(state_root());
	int cleaned = 0;

	if (!root)
		return errno == ENOENT ? 0 :
					 hop_fail(_("open %s"), state_root());
	while ((entry = readdir(root)) != NULL) {
		if (entry->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", state_root(),
			 entry->d_name);
		if (owner_alive(dir))
			continue;
		hop_step(_("clean up container %s: its owner is gone"),
			 entry->d_name);
		if (state_cleanup(dir) < 0) {
			closedir(root);
			return -1;
		}
		cleaned++;
	}
	closedir(root);
	return cleaned;
}
