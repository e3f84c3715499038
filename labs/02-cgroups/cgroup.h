/* cgroup.h - control groups on cgroup v1, v2 and hybrid hosts: the module
 * days 04 and 05 build on.
 *
 * A group is named by a path relative to the caller's own cgroup, which on
 * a hybrid host differs from one hierarchy to the next (read from
 * /proc/self/cgroup line by line). Nothing is ever made, changed or removed
 * outside that subtree.
 *
 * Every function returns 0 on success and -1 with errno set and a context
 * line (hop_context()) on failure; none of them exits or prints to stdout.
 *
 * Read: cgroups(7), Documentation/admin-guide/cgroup-v2.rst and
 * Documentation/admin-guide/cgroup-v1/ in the kernel sources.
 */
#ifndef HOP_CGROUP_H
#define HOP_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

enum cgroup_mode { CGROUP_V1, CGROUP_V2, CGROUP_HYBRID };

/* Where controllers live: one v1 hierarchy, or the v2 one. */
struct cgroup_hierarchy {
	char controllers[128]; /* those asked for here: "memory" (v1), or
				* "memory,cpu,pids" (v2: one tree for all) */
	char mount[PATH_MAX];  /* /sys/fs/cgroup/memory, or /sys/fs/cgroup */
	char own[PATH_MAX];    /* our own cgroup in it: "/process_api/42" */
	int v2;		       /* 1 on the unified (v2) hierarchy */
};

/* The most hierarchies one -g list may name. */
#define CGROUP_MAX_HIERARCHIES 16

/* v1, v2 or hybrid, read from /proc/self/mounts. */
int cgroup_mode(enum cgroup_mode *mode);
const char *cgroup_mode_name(enum cgroup_mode mode);

/* Find the hierarchy that holds controller, and our own cgroup in it. */
int cgroup_find(const char *controller, struct cgroup_hierarchy *hierarchy);

/* Find each controller of a comma-separated list ("cpu,memory"); the
 * controllers of one hierarchy are gathered in one entry (on v2 they all
 * share one tree). Returns how many were stored (at most max). */
int cgroup_find_all(const char *controllers,
		    struct cgroup_hierarchy *hierarchies, int max);

/* Is controller one of those asked for in this hierarchy? */
int cgroup_has_controller(const struct cgroup_hierarchy *hierarchy,
			  const char *controller);

/* Refuse a group path that is empty, absolute, or has "." or ".." in it. */
int cgroup_check_group(const char *group);

/* The directory of group in a hierarchy: mount + own + "/" + group. */
int cgroup_dir(const struct cgroup_hierarchy *hierarchy, const char *group,
	       char *dir, size_t size);

/* mkdir the group (and the groups above it, up to our own) in each
 * hierarchy; on v2, enable its controllers in every parent's
 * cgroup.subtree_control. On failure, removes what this call made. */
int cgroup_create(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group);

/* Write pid into the group's cgroup.procs in each hierarchy. */
int cgroup_attach(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group, pid_t pid);

/* rmdir the group in each hierarchy; with recursive, its children first.
 * Fails with EBUSY, leaving it in place, while it holds processes. */
int cgroup_delete(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group, int recursive);

/* Call visit() for every group beneath our own cgroup in hierarchy, parents
 * before children, in name order; group is relative ("lab/demo"). */
int cgroup_walk(const struct cgroup_hierarchy *hierarchy,
		int (*visit)(const char *group, void *data), void *data);

/* SIGKILL every process of the group dir (cgroup.kill where the kernel has
 * it). Returns how many were signalled, or 0 after a cgroup.kill. */
int cgroup_kill(const char *dir);

/* rmdir one group directory, retrying while the kernel still counts a dying
 * process in it, for at most timeout_ms. A group already gone is fine. */
int cgroup_remove_dir(const char *dir, int timeout_ms);

/* How many processes the group's cgroup.procs lists (-1 on error). */
int cgroup_count_procs(const char *dir);

#endif
