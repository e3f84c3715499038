/* scope.h - a systemd scope for a container (mini-runc --systemd-cgroup).
 *
 * Where systemd is PID 1 it owns the cgroup tree: podman on a stock
 * Debian 12 asks the runtime for "machine.slice:libpod:ID", meaning the
 * transient unit libpod-ID.scope in machine.slice, which systemd makes and
 * then hands over (Delegate=yes). We make the group ourselves, as on any
 * machine, and then ask systemd over D-Bus (sd-bus) to take it as that
 * unit: `systemctl status libpod-ID.scope` shows the container, and
 * systemd removes the unit when its last process is gone.
 */
#ifndef HOP_SCOPE_H
#define HOP_SCOPE_H

#include <stddef.h>
#include <sys/types.h>

/* "machine.slice:libpod:ID" -> group "machine.slice/libpod-ID.scope" (a
 * path from the root of the tree: "a-b.slice" is "a.slice/a-b.slice"),
 * unit "libpod-ID.scope" and slice "machine.slice". EINVAL when it is not
 * of that form. */
int scope_parse(const char *cgroups_path, char *group, size_t group_size,
		char *unit, size_t unit_size, char *slice, size_t slice_size);

/* 0 when systemd is PID 1 (it has /run/systemd/system); else a refusal,
 * before anything is made. */
int scope_available(void);

/* Ask systemd for the transient scope unit in slice holding pid (already
 * in the unit's group), delegated to us, and wait until it is active. */
int scope_start(const char *unit, const char *slice, pid_t pid);

#endif
