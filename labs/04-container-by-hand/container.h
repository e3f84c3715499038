/* container.h - the life of a container: the runtime core that
 * mini-container (day 04) puts a command line on, and that mini-runc
 * (day 05) drives from an OCI config.json.
 *
 *   container_create   state, cgroup and limits, clone into namespaces;
 *                      the child waits while we write its id maps, put it
 *                      in the cgroup and give it a network
 *   container_start    let it go: it sets itself up (hostname, root
 *                      filesystem) and execs the command, or says why not
 *   container_wait     pass signals on until it ends; its exit status
 *   container_destroy  kill what is left, remove the cgroup and the state
 *   container_release  or leave it running without us (mini-runc create)
 *
 * Parent and child talk over one socket pair, like runc's sync pipe: a go
 * byte one way; back, a note just before exec, or the child's error (its
 * errno and message), so that the caller prints the child's real error.
 *
 * Same contract as the other modules: -1 with errno and hop_context(),
 * never exits, never prints to stdout; -v and -x narrate on stderr.
 *
 * Read: clone(2), setsid(2), close_range(2), cgroups(7), pivot_root(2),
 * unix(7), and runc's libcontainer (process_linux.go, init_linux.go).
 */
#ifndef HOP_CONTAINER_H
#define HOP_CONTAINER_H

#include <limits.h>
#include <sys/types.h>

#include "02-cgroups/cgroup.h"
#include "04-container-by-hand/state.h"

/* A name: letters, digits, _ . -, not starting with '.', at most this. */
#define CONTAINER_NAME_MAX 40
/* --cpus goes up to this many CPUs (Linux runs on at most 8192). */
#define CONTAINER_MAX_CPUS 8192
/* pids.max goes up to the kernel's largest pid (PID_MAX_LIMIT). */
#define CONTAINER_MAX_PIDS 4194304L

/* The cgroup limits; 0 leaves one unset. */
struct container_limits {
	long long memory; /* bytes (memory.max, and no swap) */
	long cpu_quota;	  /* µs of CPU time in each cpu_period (cpu.max) */
	long cpu_period;  /* µs */
	long pids;	  /* processes at once (pids.max) */
};

/* An eth0 on a bridge of the host; address "" for no network. */
struct container_network {
	char address[24];	 /* 10.88.0.2/24 */
	char bridge[16];	 /* hop0 */
	char gateway[16];	 /* 10.88.0.1: the subnet's first address */
	char bridge_address[24]; /* 10.88.0.1/24: the bridge holds it */
};

struct container;
struct container_spec;

/* What mini-runc (day 05) plugs into the core; a NULL member keeps day
 * 04's way. All return 0, or -1 with errno and hop_context(). */
struct container_ops {
	/* parent, the group made: write its limits (day 04: spec->limits) */
	int (*limit)(struct container *c);
	/* parent, just before the clone: *keep is an fd the detached child
	 * keeps (it closes all others but the socket pair) */
	int (*before_clone)(struct container *c, int *keep);
	/* parent, the child waiting in its namespaces and group */
	int (*prepare)(struct container *c);
	/* child: set itself up (day 04: hostname, rootfs_pivot) */
	int (*setup)(const struct container_spec *spec);
	/* child, after the ready note: run the command (day 04: execvp);
	 * returns only if that failed, *exec set when exec itself did */
	int (*exec)(const struct container_spec *spec, int *exec);
	void *data; /* theirs */
};

/* What to run and how: everything a command line or a config.json says. */
struct container_spec {
	const char *id;	      /* the name; its state and cgroup hop-ID */
	const char *rootfs;   /* the root filesystem, with /bin/sh */
	const char *hostname; /* NULL: the id */
	int namespaces;	      /* CLONE_NEW*; the child adds CLONE_NEWCGROUP
			       * itself, once it is in its cgroup */
	const char *uid_map;  /* with CLONE_NEWUSER: "0 100000 65536\n" */
	const char *gid_map;
	struct container_limits limits;
	struct container_network network;
	char *const *argv; /* the command, argv[0] looked up in PATH */
	/* day 05: */
	const struct container_ops *ops; /* NULL: day 04's way */
	const char *controllers;	 /* NULL: "memory,cpu,pids" */
	const char *group;		 /* beneath our base; NULL: hop-ID */
	int group_from_root; /* group is a path from each hierarchy's
			      * root, not from our base (an OCI absolute
			      * cgroupsPath: the caller chose the place) */
	int detach; /* the container outlives us: start returns once the
		     * child is ready, and our death does not kill it */
};

/* Why the command did not run, as runc and docker run exit. */
enum container_failure {
	CONTAINER_SETUP_FAILED = 125, /* the container could not be made */
	CONTAINER_CANNOT_RUN = 126,   /* exec failed: not executable, ... */
	CONTAINER_NOT_FOUND = 127,    /* exec failed: no such command */
};

/* A container while it lives; zero it, then container_create(). */
struct container {
	const struct container_spec *spec;
	struct state state;
	char group[256]; /* hop-ID, beneath our base in each hierarchy */
	struct cgroup_hierarchy hierarchies[CGROUP_MAX_HIERARCHIES];
	int count;
	pid_t pid;	  /* its PID 1, as the host sees it; 0 when none */
	int sync;	  /* our end of the socket pair; -1 when closed */
	char host_if[16]; /* the veth's host end, "" when none */
	enum container_failure failure; /* after a -1 from create/start */
};

/* Refuse a name that is not [A-Za-z0-9_.-]{1,40} or starts with '.'. */
int container_check_name(const char *id);

/* "0.5" -> quota 50000, period 100000. Only digits and one '.'; at least
 * 0.01 (the kernel's smallest quota), at most CONTAINER_MAX_CPUS. */
int container_parse_cpus(const char *text, struct container_limits *limits);

/* Fill network from "10.88.0.2/24" and a bridge name (NULL: hop0). */
int container_set_network(struct container_network *network,
			  const char *address, const char *bridge);

/* Refuse a spec with a bad name, hostname, root filesystem or command. */
int container_check_spec(const struct container_spec *spec);

/* container_check_spec(), then make
 * the state, the cgroup and the child, which waits for container_start. */
int container_create(struct container *c, const struct container_spec *spec);

/* Let the child go; returns once the command runs, or -1 with the child's
 * own error (c->failure says which kind). */
int container_start(struct container *c);

/* Wait for the command, passing signals on (ns_wait_forwarding()). Its
 * exit code, or 128 + the signal that killed it. */
int container_wait(struct container *c);

/* Kill the child if it lives, remove the network, cgroup and state. Call
 * it after any container_create(), whatever happened. */
int container_destroy(struct container *c);

/* After a detached start: let the container go on without us (close our
 * end of the socket pair, drop the state's lock, forget the child). */
void container_release(struct container *c);

#endif
