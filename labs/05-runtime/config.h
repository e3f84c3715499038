/* config.h - an OCI bundle's config.json, read with jansson into plain C.
 *
 *   config_load     BUNDLE/config.json into a struct oci_config
 *   config_parse    the same, from text (the unit tests, exec --process)
 *   config_free     everything config_load allocated
 *   config_default  the text of the default config.json (runc spec)
 *
 * A value of the wrong type, a namespace or capability we do not know, an
 * option a mount cannot take: refused (hop_refuse) with the JSON path and
 * the problem, "config.json: .process.args: expected an array of
 * strings". Fields the spec defines and that we do not implement are
 * refused when they are about security (apparmor, selinux, intelRdt...),
 * ignored otherwise; unknown fields are ignored, as the spec says.
 *
 * Strings point into the JSON document that the config keeps (json):
 * they live until config_free(). Arrays are NULL-terminated when they hold
 * strings, counted otherwise.
 *
 * Same contract as the other modules: -1 with errno and hop_context(),
 * never exits, never prints to stdout.
 *
 * Read: the OCI runtime spec, config.md and config-linux.md
 * (github.com/opencontainers/runtime-spec), jansson's documentation.
 */
#ifndef HOP_CONFIG_H
#define HOP_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONFIG_MAX_RLIMITS    16
#define CONFIG_MAX_NAMESPACES 8

/* The five capability sets, each a mask of 1ULL << CAP_*. */
struct oci_capabilities {
	uint64_t bounding, effective, permitted, inheritable, ambient;
};

struct oci_rlimit {
	int resource; /* RLIMIT_NOFILE, ... */
	uint64_t soft, hard;
};

/* .process, also the whole document of exec --process FILE. */
struct oci_process {
	int terminal;
	uid_t uid;
	gid_t gid;
	gid_t *additional_gids; /* counted */
	size_t additional_gid_count;
	int umask;	      /* -1: not set (runc leaves 0022) */
	const char **args;    /* NULL-terminated, at least one */
	const char **env;     /* NULL-terminated, may be empty */
	const char *cwd;      /* absolute */
	int has_capabilities; /* 0: .capabilities absent, all sets empty */
	struct oci_capabilities capabilities;
	struct oci_rlimit rlimits[CONFIG_MAX_RLIMITS];
	size_t rlimit_count;
	int no_new_privileges;
	int has_oom_score_adj;
	int oom_score_adj;
};

/* One entry of .mounts, its options sorted out: flags for mount(2), a
 * propagation to set after it, and what is left for the filesystem. */
struct oci_mount {
	const char *destination; /* absolute, inside the root */
	const char *type;	 /* "proc", "tmpfs", "bind" (or NULL: bind) */
	const char *source;
	unsigned long flags;	   /* MS_RDONLY|MS_NOSUID|..., MS_BIND|MS_REC */
	unsigned long clear_flags; /* "rw", "suid", ...: asked to be off */
	unsigned long propagation; /* MS_PRIVATE|MS_REC, ...; 0 for none */
	char *data;		   /* "mode=755,size=65536k": allocated */
	int copy_up; /* runc's "tmpcopyup": a tmpfs starts with a copy of
		      * what the directory beneath it held */
};

/* .linux.namespaces: a new one (path NULL), or join the one at path. */
struct oci_namespace {
	int type; /* CLONE_NEWPID, ... */
	const char *path;
};

struct oci_id_mapping {
	uint32_t container_id, host_id, size;
};

/* .linux.resources.devices, in order; the last match wins. */
struct oci_device_rule {
	int allow;
	char type;	      /* 'a' all, 'c', 'b' */
	int64_t major, minor; /* -1: any */
	char access[4];	      /* "rwm", a subset */
};

/* .linux.resources: what day 02's knobs are written from; 0 or -1 (for
 * the signed ones) leaves one unset, as the spec's absent fields. */
struct oci_resources {
	int64_t memory_limit;	    /* bytes; -1: unlimited */
	int64_t memory_reservation; /* bytes */
	int64_t memory_swap;	    /* memory + swap, bytes; -1: unlimited */
	int has_memory_limit, has_memory_reservation, has_memory_swap;
	uint64_t cpu_shares; /* 2..262144 */
	int64_t cpu_quota;   /* µs; -1: unlimited */
	uint64_t cpu_period; /* µs */
	int has_cpu_quota;
	const char *cpus, *mems; /* cpuset lists, "0-1" */
	int64_t pids_limit;	 /* -1: unlimited */
	int has_pids_limit;
	struct oci_device_rule *devices; /* counted */
	size_t device_count;
};

/* One rule of .linux.seccomp.syscalls. */
struct oci_seccomp_arg {
	unsigned index; /* 0..5 */
	uint64_t value, value_two;
	int op; /* enum scmp_compare: SCMP_CMP_EQ, ... */
};

struct oci_seccomp_rule {
	const char **names; /* NULL-terminated */
	uint32_t action;    /* SCMP_ACT_ERRNO(errnoRet), SCMP_ACT_ALLOW, ... */
	struct oci_seccomp_arg *args; /* counted */
	size_t arg_count;
};

struct oci_seccomp {
	uint32_t default_action; /* SCMP_ACT_*, errno folded in */
	uint32_t *architectures; /* SCMP_ARCH_*, counted */
	size_t architecture_count;
	struct oci_seccomp_rule *rules; /* counted */
	size_t rule_count;
	unsigned flags; /* SECCOMP_FILTER_FLAG_TSYNC, _LOG, _SPEC_ALLOW */
};

/* One hook of .hooks.<phase>. */
struct oci_hook {
	const char *path;  /* absolute, on the host */
	const char **args; /* NULL-terminated; NULL: just path */
	const char **env;  /* NULL-terminated; NULL: empty */
	int timeout;	   /* seconds; 0: none */
};

enum oci_hook_phase {
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_PHASES,
};

struct oci_sysctl {
	const char *key, *value;
};

struct oci_config {
	void *json; /* the json_t document the strings point into */
	const char *oci_version;
	struct oci_process process;
	const char *root_path; /* as written: relative to the bundle */
	int root_readonly;
	const char *hostname;	  /* NULL: not set */
	struct oci_mount *mounts; /* counted, in order */
	size_t mount_count;
	struct oci_namespace namespaces[CONFIG_MAX_NAMESPACES];
	size_t namespace_count;
	int clone_flags; /* CLONE_NEW* of the namespaces made new */
	struct oci_id_mapping *uid_mappings, *gid_mappings; /* counted */
	size_t uid_mapping_count, gid_mapping_count;
	int has_resources;
	struct oci_resources resources;
	const char *cgroups_path;    /* NULL: not set */
	const char **masked_paths;   /* NULL-terminated */
	const char **readonly_paths; /* NULL-terminated */
	struct oci_sysctl *sysctl;   /* counted */
	size_t sysctl_count;
	struct oci_seccomp *seccomp;		 /* NULL: none */
	struct oci_hook *hooks[OCI_HOOK_PHASES]; /* counted */
	size_t hook_count[OCI_HOOK_PHASES];
	const char *rootfs_propagation; /* NULL: not set */
	void *annotations;		/* json_t object, or NULL */
};

/* Read and check BUNDLE/config.json. */
int config_load(const char *bundle, struct oci_config *config);

/* The same from text; name ("config.json") starts each error message. */
int config_parse(const char *text, const char *name, struct oci_config *config);

/* A process document alone (exec --process FILE), into process; the
 * strings live in *json, which the caller frees with config_free_json. */
int config_parse_process(const char *text, const char *name,
			 struct oci_process *process, void **json);

void config_free_process(struct oci_process *process);
void config_free_json(void *json);
void config_free(struct oci_config *config);

/* runc spec's config.json; rootless: runc spec --rootless. Allocated. */
char *config_default(int rootless);

#endif
