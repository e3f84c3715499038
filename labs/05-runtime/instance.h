/* instance.h - a container as a record under mini-runc's --root, shared
 * by runtime.c (which makes it) and instance.c (which reads it). */
#ifndef HOP_INSTANCE_H
#define HOP_INSTANCE_H

#include <limits.h>
#include <sys/types.h>

#include "04-container-by-hand/state.h"
#include "05-runtime/config.h"
#include "05-runtime/runtime.h"

struct instance {
	const char *id;
	struct state state; /* ROOT/ID and its lock */
	pid_t pid;	    /* the init, as the host sees it; 0: none */
	unsigned long long start_time; /* its start, in clock ticks (stat) */
	char bundle[PATH_MAX], rootfs[PATH_MAX];
	char created[40];  /* RFC 3339, UTC */
	void *annotations; /* json_t object, or NULL */
	enum runtime_status status;
};

/* Lock ROOT/ID and read its state.json; `container "ID" does not exist`
 * (ENOENT) if there is no such container. */
int instance_open(const struct runtime *rt, const char *id,
		  struct instance *in);
/* (Re)read state.json; nothing if it is not written yet. */
int instance_load(struct instance *in);
/* Write state.json, whole or not at all. */
int instance_save(const struct instance *in);
/* What the kernel says now: in->status. */
enum runtime_status instance_read_status(struct instance *in);
/* Drop the lock and what instance_open allocated. */
void instance_close(struct instance *in);
/* The state as the spec gives it to hooks and `state`: allocated text. */
char *instance_state_text(const struct instance *in, int pretty);
/* The process's start time from /proc/PID/stat (field 22); 0 if gone. */
unsigned long long instance_start_time(pid_t pid);
/* ROOT/ID/name into path. */
int instance_path(const struct instance *in, const char *name, char *path,
		  size_t size);
/* Move pid into the container's groups (exec). */
int instance_join_cgroups(const struct instance *in, pid_t pid);
/* Kill, remove its cgroups and its directory (state_cleanup). */
int instance_remove(struct instance *in);

/* terminal.c: connect to --console-socket (a host path: before
 * pivot_root or setns); returns the socket. */
int terminal_connect(const char *path);
/* In the container (its devpts at /dev/pts): a pty; the master is sent
 * on *console (then closed, *console = -1); the slave becomes our stdin,
 * stdout, stderr and controlling terminal, and /dev/console if asked.
 * Nothing when *console < 0. Call after setsid(). */
int terminal_setup(int *console, int bind_console);

/* hooks.c: run each hook of a phase with the state on its stdin, in
 * order; the first that fails (exit != 0, timeout) stops the others. */
int hooks_run(const struct oci_hook *hooks, size_t count, const char *phase,
	      const char *state);

#endif
