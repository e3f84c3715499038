/* state.h - what a running container leaves on the host, written down so
 * that it can be found and removed again. /run/hop/containers/ID/ holds
 *
 *   lock     the pid of the program that runs the container, for people;
 *            that program holds an flock(2) on it for as long as it lives
 *   cgroups  the groups it made, one a line: "CONTROLLERS BASE GROUP",
 *            e.g. "memory /process_api/42 hop-t", written before they are
 *
 * If that program is killed, the kernel drops its lock; the next run (or
 * "mini-container gc") takes the lock and cleans up. A lock, not a pid:
 * a pid is reused after its process dies, and reads differently from
 * another PID namespace; a lock is dropped exactly when its holder dies.
 *
 * Same contract as the other modules: -1 with errno and hop_context().
 */
#ifndef HOP_STATE_H
#define HOP_STATE_H

#include <limits.h>

#include "02-cgroups/cgroup.h"

/* One container's state directory, and the lock held on it. */
struct state {
	char dir[PATH_MAX];
	int lock; /* the open lock file (its flock is ours); -1 when none */
};

/* Where states live: /run/hop/containers, or HOP_STATE_DIR (tests), which
 * must be an absolute path. */
int state_root(char *root, size_t size);

/* Make the state of id (atomically: a hidden directory renamed into
 * place), locked by this process. EEXIST if a container of that name is
 * running. The lock's fd is close-on-exec. */
int state_create(const char *id, struct state *state);

/* Record the group made in each hierarchy, before it is made. */
int state_record_cgroups(const struct state *state,
			 const struct cgroup_hierarchy *hierarchies, int count,
			 const char *group);

/* The hierarchies of a state's cgroups file, each with the base recorded
 * in it (not the reader's), and the group in them. Returns how many. */
int state_read_cgroups(const char *file, struct cgroup_hierarchy *h, int max,
		       char *group, size_t size);

/* Kill what is left in the container's groups and in the groups it made
 * beneath them, remove them all, then the state, then drop the lock. */
int state_cleanup(struct state *state);

/* Use root instead of HOP_STATE_DIR or /run/hop/containers (mini-runc's
 * --root); the string must live as long as the state is used. */
void state_use_root(const char *root);

/* Lock the existing state of id, waiting while another command holds it
 * (mini-runc: one lock per container, taken by each command). ENOENT if
 * there is none. */
int state_open(const char *id, struct state *state);

/* state_cleanup() every container whose owner is gone. A failure is
 * reported on stderr and the next container is cleaned all the same.
 * Returns how many were cleaned, or -1 if the root could not be read. */
int state_gc(void);

#endif
