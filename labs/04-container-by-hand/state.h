/* state.h - what a running container leaves on the host, written down so
 * that it can be found and removed again: /run/hop/containers/ID/ holds
 * "owner" (the pid of the program that runs it) and "cgroups" (the group
 * directories it made, one a line). If that program is killed, the next
 * run (or "mini-container gc") sees the owner gone and cleans up.
 *
 * Same contract as the other modules: -1 with errno and hop_context().
 */
#ifndef HOP_STATE_H
#define HOP_STATE_H

#include <stddef.h>

/* Where states live; HOP_STATE_DIR overrides it (tests). */
const char *state_root(void);

/* Make the state directory of id, owned by this process. EEXIST if a
 * container of that name is running. */
int state_create(const char *id, char *dir, size_t size);

/* Write one file of the state (text, whole). */
int state_write(const char *dir, const char *file, const char *text);

/* Kill what is left of a container, remove its cgroups and its state. */
int state_cleanup(const char *dir);

/* state_cleanup() every container whose owner is gone. Returns how many. */
int state_gc(void);

#endif
