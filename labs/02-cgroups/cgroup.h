/* cgroup.h - control groups on cgroup v1, v2 and hybrid hosts: the module
 * days 04 and 05 build on.
 *
 * A group is named by a path relative to our base, the one place where we
 * make groups. Nothing is ever made, changed or removed outside it.
 *
 * The base is our own cgroup wherever that cgroup can hold children with
 * controllers: on v1 (where it differs from one hierarchy to the next, so
 * /proc/self/cgroup is read line by line) and at the root of a v2 tree. A
 * v2 cgroup that holds processes cannot hand controllers down (the "no
 * internal processes" rule): a student's login shell on a systemd machine
 * sits in such a cgroup (user.slice/user-0.slice/session-1.scope), which
 * belongs to systemd-logind anyway. There the base is /sys/fs/cgroup/hop,
 * a directory of our own at the top that no systemd unit owns, made on the
 * first create and removed with the last group in it; the root's own
 * cgroup.subtree_control is read, never written.
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
	char base[PATH_MAX];   /* where our groups go: own, or "/hop" */
	int v2;		       /* 1 on the unified (v2) hierarchy */
	int top;	       /* 1 when base is our own directory at the top */
};

/* The name of our base at the top of a v2 tree (/sys/fs/cgroup/hop). */
#define CGROUP_TOP_BASE "hop"

/* The most hierarchies one -g list may name. */
#define CGROUP_MAX_HIERARCHIES 16

/* v1, v2 or hybrid, read from /proc/self/mounts. */
int cgroup_mode(enum cgroup_mode *mode);
const char *cgroup_mode_name(enum cgroup_mode mode);

/* Find the hierarchy that holds controller, our own cgroup in it, and the
 * base where our groups go. */
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

/* The directory of group in a hierarchy: mount + base + "/" + group. */
int cgroup_dir(const struct cgroup_hierarchy *hierarchy, const char *group,
	       char *dir, size_t size);

/* mkdir the group (and the groups above it, up to the base, and the base
 * when it is ours at the top) in each hierarchy; on v2, enable its
 * controllers in every parent's cgroup.subtree_control from the base down.
 * On failure, removes what this call made. */
int cgroup_create(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group);

/* Write pid into the group's cgroup.procs in each hierarchy. */
int cgroup_attach(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group, pid_t pid);

/* rmdir the group in each hierarchy; with recursive, its children first.
 * Fails with EBUSY, leaving it in place, while it holds processes. The base
 * at the top goes too once the last group in it is gone. */
int cgroup_delete(const struct cgroup_hierarchy *hierarchies, int count,
		  const char *group, int recursive);

/* Call visit() for every group beneath our base in hierarchy, parents
 * before children, in name order; group is relative ("lab/demo"). */
int cgroup_walk(const struct cgroup_hierarchy *hierarchy,
		int (*visit)(const char *group, void *data), void *data);

/* SIGKILL every process of the group dir (cgroup.kill where the kernel has
 * it). Returns how many were signalled, or 0 after a cgroup.kill. */
int cgroup_kill(const char *dir);

/* rmdir one group directory, retrying while the kernel still counts a dying
 * process in it, for at most timeout_ms. A group already gone is fine. When
 * it was the last group in our base at the top, the base goes too. */
int cgroup_remove_dir(const char *dir, int timeout_ms);

/* How many processes the group's cgroup.procs lists (-1 on error). */
int cgroup_count_procs(const char *dir);

#endif
