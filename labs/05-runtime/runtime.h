/* runtime.h - an OCI runtime with runc's verbs, over day 04's runtime
 * core: mini-runc is a command line on these functions.
 *
 *   runtime_create  a container from BUNDLE: its init waits on exec.fifo
 *   runtime_start   open the fifo: the init execs process.args
 *   runtime_run     create and start, then wait for it and delete it
 *   runtime_exec    one more process in a running container
 *
 * and, in instance.c, the container as a record under --root:
 *   instance_state / _list / _kill / _delete / _pause / _ps / _stats.
 *
 * A container is a directory ROOT/ID (0700, root's, no symlink): day 04's
 * lock and cgroups files, our state.json (pid, its start time, bundle,
 * rootfs, created, annotations), config.json as it was at create, and
 * exec.fifo while the container is created and not yet started. Its status
 * is never stored: it is read from the kernel each time (is the pid alive
 * and the same process, is the fifo there, is the cgroup frozen).
 *
 * Same contract as the other modules: -1 with errno and hop_context(),
 * never exits, never prints to stdout (except the results they are asked
 * for: ps prints its table, state its JSON, through the FILE given).
 *
 * Read: the OCI runtime spec's runtime.md (lifecycle, state, operations),
 * runc's command line (runc --help), fifo(7), unix(7) SCM_RIGHTS.
 */
#ifndef HOP_RUNTIME_H
#define HOP_RUNTIME_H

#include <stdio.h>
#include <sys/types.h>

/* runc's limit on an id; ours is the same with no '/' and no "..". */
#define RUNTIME_ID_MAX	     1024
#define RUNTIME_DEFAULT_ROOT "/run/hop/runc"
/* The version of the OCI runtime spec we follow. */
#define RUNTIME_OCI_VERSION "1.0.2"

/* The global options: where the state lives, how cgroups are named. */
struct runtime {
	const char *root; /* --root */
	int systemd_cgroup; /* --systemd-cgroup: cgroupsPath is slice:prefix:name */
};

struct runtime_create_options {
	const char *bundle;	    /* "": the current directory */
	const char *pid_file;	    /* NULL: none */
	const char *console_socket; /* with process.terminal */
	int no_pivot;		    /* refused: see runtime_create */
	int no_new_keyring;	    /* keep the caller's session keyring */
	int detach;		    /* run --detach */
};

struct runtime_exec_options {
	const char *process_file; /* --process: a process JSON */
	char **args;		  /* or the command */
	char **env;		  /* --env K=V, NULL-terminated */
	const char *cwd, *user;	  /* --cwd, --user UID[:GID] */
	int tty, detach;
	const char *pid_file, *console_socket;
};

enum runtime_status {
	RUNTIME_CREATING,
	RUNTIME_CREATED,
	RUNTIME_RUNNING,
	RUNTIME_PAUSED,
	RUNTIME_STOPPED,
};

/* Refuse an id that is empty, longer than RUNTIME_ID_MAX, has a '/', is
 * "." or "..", or has a byte outside runc's [A-Za-z0-9_+.-]. */
int runtime_check_id(const char *id);

int runtime_create(const struct runtime *rt, const char *id,
		   const struct runtime_create_options *options);
int runtime_start(const struct runtime *rt, const char *id);
/* The container's exit status (128+N for signal N), or -1. */
int runtime_run(const struct runtime *rt, const char *id,
		const struct runtime_create_options *options);
int runtime_exec(const struct runtime *rt, const char *id,
		 const struct runtime_exec_options *options);

/* instance.c */
const char *instance_status_name(enum runtime_status status);
int instance_state(const struct runtime *rt, const char *id, FILE *out);
enum list_format { LIST_TABLE, LIST_JSON, LIST_QUIET /* ids only (-q) */ };
int instance_list(const struct runtime *rt, int format, FILE *out);
int instance_kill(const struct runtime *rt, const char *id, int signo, int all);
int instance_delete(const struct runtime *rt, const char *id, int force);
int instance_pause(const struct runtime *rt, const char *id, int pause);
int instance_ps(const struct runtime *rt, const char *id, int json, FILE *out);
int instance_stats(const struct runtime *rt, const char *id, FILE *out);

/* "KILL", "SIGKILL", "9" -> 9; -1 with hop_refuse for anything else. */
int runtime_parse_signal(const char *text);

#endif
