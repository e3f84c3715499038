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

#include <sys/types.h>

/* What a systemd cgroups path names. */
struct scope {
	char group[512]; /* machine.slice/libpod-ID.scope: from the root */
	char unit[256];	 /* libpod-ID.scope */
	char slice[256]; /* machine.slice */
};

/* "machine.slice:libpod:ID" -> its scope ("a-b.slice" nests in
 * "a.slice"). EINVAL when it is not of that form. */
int scope_parse(const char *cgroups_path, struct scope *scope);

/* 0 when systemd is PID 1 (it has /run/systemd/system); else a refusal,
 * before anything is made. */
int scope_available(void);

/* Ask systemd for the transient scope unit in slice holding pid (already
 * in the unit's group), delegated to us, and wait until it is active. */
int scope_start(const char *unit, const char *slice, pid_t pid);

#endif
