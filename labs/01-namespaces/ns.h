/* ns.h - Linux namespaces: the module days 01, 04 and 05 build on.
 *
 * Every function returns 0 (or a pid) on success and -1 with errno set and
 * a context line (hop_context()) on failure. None of them exits or prints to
 * stdout; -x (hop_explain_calls) shows each kernel call on stderr.
 *
 * Read: namespaces(7), unshare(2), clone(2), user_namespaces(7),
 * time_namespaces(7), mount_namespaces(7).
 */
#ifndef HOP_NS_H
#define HOP_NS_H

#include <stddef.h>
#include <sys/types.h>

#include "lib/hop.h"

/* The CLONE_NEW* names, for hop_flags_string(). */
extern const struct hop_flag ns_clone_flags[];

/* Flags of mount(2), for hop_flags_string(). */
extern const struct hop_flag ns_mount_flags[];

/* unshare(2) the namespaces in flags (CLONE_NEW*). */
int ns_unshare(int flags);

/* In a fresh user namespace, map uid 0 and gid 0 inside to outside_uid and
 * outside_gid (the caller's ids before the unshare), one id each. setgroups
 * is denied first: the kernel refuses an unprivileged gid_map otherwise. */
int ns_map_root(uid_t outside_uid, gid_t outside_gid);

/* mount(2), the one way every day mounts: -x shows the call with the
 * names of its flags, strace-like, and a failure is recorded with what was
 * being mounted where. source, type and data may be NULL. */
int ns_mount(const char *source, const char *target, const char *type,
	     unsigned long flags, const char *data);

/* Set the propagation of every mount under / (MS_PRIVATE, MS_SLAVE or
 * MS_SHARED, applied with MS_REC), so that nothing we mount reaches the
 * mount namespace we came from. */
int ns_set_propagation(unsigned long propagation);

/* "private", "shared", "slave" or "unchanged" (--propagation) into
 * MS_PRIVATE, MS_SHARED, MS_SLAVE or 0; anything else is refused. */
int ns_parse_propagation(const char *name, unsigned long *propagation);
/* The name of such a propagation: the reverse of ns_parse_propagation(). */
const char *ns_propagation_name(unsigned long propagation);

/* Make the mount that holds path private (path itself when it is a mount
 * point, else the nearest mount above it), so that what is mounted on path
 * next stays in this namespace even when / is shared: util-linux does the
 * same before --mount-proc. */
int ns_make_mount_private(const char *path);

/* Mount a fresh proc on target (normally /proc); it shows the PID namespace
 * of the calling process, so call it after the fork into a new one. */
int ns_mount_proc(const char *target);

/* Shift CLOCK_MONOTONIC and CLOCK_BOOTTIME for the next time namespace: only
 * possible after unshare(CLONE_NEWTIME) and before any process enters it. */
int ns_set_time_offsets(long monotonic_seconds, long boottime_seconds);

/* fork(2), narrated by -x as clone(SIGCHLD) like strace shows it. */
pid_t ns_fork(void);

/* A child in new namespaces (CLONE_NEW* flags), fork-like: returns 0 in
 * the child, its pid in the parent. -x shows clone(CLONE_NEW...|SIGCHLD). */
pid_t ns_clone(int flags);

/* Write map to /proc/PID/FILE (uid_map, gid_map, setgroups). */
int ns_write_id_map(pid_t pid, const char *file, const char *map);

/* In a user namespace whose maps are written, become its uid and gid 0
 * and drop the supplementary groups we brought in. */
int ns_become_root(void);

/* How long a child may take to end after a SIGTERM or SIGHUP was passed on
 * before it gets SIGKILL (docker stop waits 10 s). */
#define NS_STOP_SECONDS 5

/* ns_wait_status(), passing SIGTERM and SIGHUP on to pid meanwhile; SIGINT
 * and SIGQUIT too when pid is in another process group (a session of its
 * own), else they are ignored (the terminal sends those to pid itself).
 * A child still there NS_STOP_SECONDS after the last signal passed on gets
 * SIGKILL: PID 1 of a PID namespace ignores any other signal it has no
 * handler for. */
int ns_wait_forwarding(pid_t pid);

/* Wait for pid and turn its end into a shell-like exit status:
 * its exit code, or 128 + the signal that killed it. */
int ns_wait_status(pid_t pid);

#endif
