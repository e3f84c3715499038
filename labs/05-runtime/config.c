/* config.c - an OCI bundle's config.json into struct oci_config, with
 * jansson. See config.h for the contract.
 *
 * One walk over the document, in the order runc writes it. The walk
 * carries a node: a value of the document and its JSON path, so that a
 * refusal names the whole path, the way jq would find it:
 * "config.json: .linux.namespaces[2].type: unknown namespace type 'foo'".
 * JSON null counts as absent, as it does for runc (Go decodes null into a
 * zero value).
 *
 * Nothing here touches the kernel: names become the numbers the later
 * steps pass to it (CLONE_NEW*, MS_*, RLIMIT_*, CAP_*, SCMP_*), so a
 * mistake is refused before anything has been made.
 */
#include "05-runtime/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/hop.h"

/* A config.json is a few KiB; anything this big is a mistake (a rootfs
 * tarball named config.json), not a config to read into memory. */
#define CONFIG_MAX_SIZE (4 << 20)
/* Longer paths are cut in the message, never overflow. */
#define PATH_SIZE 256
/* (uid_t)-1 means "leave unchanged" to setresuid(2): no one's id. */
#define ID_MAX	   4294967294LL
#define UINT32_TOP 4294967295LL
/* The kernel caps SECCOMP_RET_ERRNO's data at MAX_ERRNO. */
#define ERRNO_MAX 4095

enum { OPTIONAL, REQUIRED };

/* What a value must be; the messages below name it in the same order. */
enum kind {
	KIND_STRING,
	KIND_INTEGER,
	KIND_BOOLEAN,
	KIND_OBJECT,
	KIND_ARRAY,
	KIND_STRINGS, /* an array, whose elements are checked one by one */
};

static const char *const kind_expected[] = {
	N_("expected a string"),      N_("expected an integer"),
	N_("expected true or false"), N_("expected an object"),
	N_("expected an array"),      N_("expected an array of strings"),
};

/* Where the walk is: a value of the document and its path. */
struct node {
	const char *name;     /* the document's, "config.json": starts
				 every message */
	json_t *value;	      /* NULL: absent, and so is all within it */
	char path[PATH_SIZE]; /* ".linux.namespaces[2]"; "" at the top */
};

struct name_value {
	const char *name;
	unsigned long value;
};

static int lookup(const struct name_value *table, const char *name,
		  unsigned long *value)
{
	for (; table->name; table++)
		if (strcmp(table->name, name) == 0) {
			*value = table->value;
			return 0;
		}
	return -1;
}

/* ---- The walk: nodes, members, refusals ----------------------------- */

/* A path that does not fit is cut, and shown to be: "...". */
static void path_cut(char *path, int length)
{
	if (length >= PATH_SIZE)
		memcpy(path + PATH_SIZE - 4, "...", 4);
}

static void path_key(char *path, const char *parent, const char *key)
{
	path_cut(path, snprintf(path, PATH_SIZE, "%s.%s", parent, key));
}

/* Refuse node's member key (or node itself, key NULL): "config.json:
 * .process.cwd: must be an absolute path". */
static int refuse(const struct node *node, const char *key, const char *fmt,
		  ...) HOP_PRINTF(3, 4);

static int refuse(const struct node *node, const char *key, const char *fmt,
		  ...)
{
	char message[256], path[PATH_SIZE];
	const char *where = node->path;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	if (key) {
		path_key(path, node->path, key);
		where = path;
	}
	if (!*where) /* the document itself */
		return hop_refuse("%s: %s", node->name, message);
	return hop_refuse("%s: %s: %s", node->name, where, message);
}

/* calloc, recorded as a failure; never NULL for a count of 0, so that
 * NULL always means "no memory". */
static void *allocate(size_t count, size_t size)
{
	void *memory = calloc(count ? count : 1, size);

	if (!memory)
		hop_fail(_("allocate memory for config.json"));
	return memory;
}

static int has_kind(const json_t *value, enum kind kind)
{
	switch (kind) {
	case KIND_STRING: return json_is_string(value);
	case KIND_INTEGER: return json_is_integer(value);
	case KIND_BOOLEAN: return json_is_boolean(value);
	case KIND_OBJECT: return json_is_object(value);
	case KIND_ARRAY:
	case KIND_STRINGS: return json_is_array(value);
	}
	return 0;
}

/* node.key, of the kind asked for, into *value: 1 when there, 0 when
 * absent (null is absent), -1 refused (the wrong kind, or required). */
static int member(const struct node *node, const char *key, int required,
		  enum kind kind, json_t **value)
{
	*value = json_object_get(node->value, key);
	if (json_is_null(*value))
		*value = NULL;
	if (!*value && required)
		return refuse(node, key, "%s", _("missing; it is required"));
	if (!*value)
		return 0;
	if (!has_kind(*value, kind))
		return refuse(node, key, "%s", _(kind_expected[kind]));
	return 1;
}

/* node.key as a node of its own, an object or an array; as member(). */
static int child(const struct node *node, const char *key, int required,
		 enum kind kind, struct node *out)
{
	out->name = node->name;
	path_key(out->path, node->path, key);
	return member(node, key, required, kind, &out->value);
}

/* Element i of the array at list, as a node; refused unless of kind. */
static int element(const struct node *list, size_t i, enum kind kind,
		   struct node *out)
{
	out->name = list->name;
	out->value = json_array_get(list->value, i);
	path_cut(out->path,
		 snprintf(out->path, PATH_SIZE, "%s[%zu]", list->path, i));
	if (!has_kind(out->value, kind))
		return refuse(out, NULL, "%s", _(kind_expected[kind]));
	return 0;
}

/* A check of one string, node.key (or node itself, key NULL). */
typedef int string_check(const struct node *node, const char *key,
			 const char *value);

static int check_absolute(const struct node *node, const char *key,
			  const char *value)
{
	if (value[0] != '/')
		return refuse(node, key, "%s", _("must be an absolute path"));
	return 0;
}

static int check_env(const struct node *node, const char *key,
		     const char *value)
{
	const char *equals = strchr(value, '=');

	if (!equals || equals == value)
		return refuse(node, key, _("'%s' is not KEY=VALUE"), value);
	return 0;
}

/* A string member; *out is left as it was when absent. */
static int get_string(const struct node *node, const char *key, int required,
		      string_check *check, const char **out)
{
	json_t *value;
	int rc = member(node, key, required, KIND_STRING, &value);

	if (rc <= 0)
		return rc;
	if (check && check(node, key, json_string_value(value)) < 0)
		return -1;
	*out = json_string_value(value);
	return 1;
}

static int get_bool(const struct node *node, const char *key, int *out)
{
	json_t *value;
	int rc = member(node, key, OPTIONAL, KIND_BOOLEAN, &value);

	if (rc > 0)
		*out = json_is_true(value);
	return rc;
}

/* value (node.key, or node itself) as an integer from low to high. */
static int check_integer(const struct node *node, const char *key,
			 const json_t *value, long long low, long long high,
			 long long *out)
{
	long long number;

	if (!json_is_integer(value))
		return refuse(node, key, "%s", _("expected an integer"));
	number = json_integer_value(value);
	if (number < low || number > high)
		return refuse(node, key,
			      _("%lld is out of range (%lld to %lld)"), number,
			      low, high);
	*out = number;
	return 0;
}

/* An integer member; *out is left as it was when absent. jansson reads
 * integers as long long and stops at a larger one ("too big integer"),
 * so the uint64 fields end at LLONG_MAX. */
static int get_integer(const struct node *node, const char *key, int required,
		       long long low, long long high, long long *out)
{
	json_t *value;
	int rc = member(node, key, required, KIND_INTEGER, &value);

	if (rc <= 0)
		return rc;
	return check_integer(node, key, value, low, high, out) < 0 ? -1 : 1;
}

/* An array of strings into a NULL-terminated array of pointers into the
 * document; absent gives an empty array. *out is set before the elements
 * are checked, so the caller frees it after a refusal too. */
static int get_strings(const struct node *node, const char *key, int required,
		       string_check *check, const char ***out)
{
	struct node list, item;
	const char **strings;
	int rc = child(node, key, required, KIND_STRINGS, &list);

	if (rc < 0)
		return -1;
	strings = allocate(json_array_size(list.value) + 1, sizeof(*strings));
	if (!strings)
		return -1;
	*out = strings;
	for (size_t i = 0; i < json_array_size(list.value); i++) {
		if (element(&list, i, KIND_STRING, &item) < 0)
			return -1;
		strings[i] = json_string_value(item.value);
		if (check && check(&item, NULL, strings[i]) < 0)
			return -1;
	}
	return rc;
}

/* Fields the spec defines that are about security and that mini-runc
 * does not do: running without them would be weaker than asked, so they
 * are refused rather than ignored. A label or profile that is "" asks for
 * nothing (runc reads it so), and passes. */
struct unsupported {
	const char *key;
	int when_nonempty;
};

static const struct unsupported process_unsupported[] = {
	{ "apparmorProfile", 1 }, { "selinuxLabel", 1 }, { "ioPriority", 0 },
	{ "scheduler", 0 },	  { NULL, 0 },
};

static const struct unsupported linux_unsupported[] = {
	/* Device nodes to make (podman --device): none is made. */
	{ "devices", 1 },     { "intelRdt", 0 }, { "mountLabel", 1 },
	{ "personality", 0 }, { NULL, 0 },
};

static int refuse_unsupported(const struct node *node,
			      const struct unsupported *fields)
{
	json_t *value;

	for (; fields->key; fields++) {
		value = json_object_get(node->value, fields->key);
		if (!value || json_is_null(value))
			continue;
		if (fields->when_nonempty &&
		    ((json_is_string(value) && !*json_string_value(value)) ||
		     (json_is_array(value) && json_array_size(value) == 0)))
			continue;
		return refuse(node, fields->key, "%s",
			      _("not supported by mini-runc"));
	}
	return 0;
}

/* ---- .process ------------------------------------------------------- */

static int parse_user(const struct node *process, struct oci_process *out)
{
	long long uid = 0, gid = 0, umask_value = -1, value = 0;
	struct node user, gids, item;
	size_t count;

	/* runc reads an absent user (or uid, gid) as 0, Go's zero value. */
	if (child(process, "user", OPTIONAL, KIND_OBJECT, &user) < 0 ||
	    get_integer(&user, "uid", OPTIONAL, 0, ID_MAX, &uid) < 0 ||
	    get_integer(&user, "gid", OPTIONAL, 0, ID_MAX, &gid) < 0 ||
	    get_integer(&user, "umask", OPTIONAL, 0, 0777, &umask_value) < 0 ||
	    child(&user, "additionalGids", OPTIONAL, KIND_ARRAY, &gids) < 0)
		return -1;
	out->uid = (uid_t)uid;
	out->gid = (gid_t)gid;
	out->umask = (int)umask_value;
	count = json_array_size(gids.value);
	if (!count)
		return 0;
	out->additional_gids = allocate(count, sizeof(gid_t));
	if (!out->additional_gids)
		return -1;
	out->additional_gid_count = count;
	for (size_t i = 0; i < count; i++) {
		if (element(&gids, i, KIND_INTEGER, &item) < 0 ||
		    check_integer(&item, NULL, item.value, 0, ID_MAX, &value) <
			    0)
			return -1;
		out->additional_gids[i] = (gid_t)value;
	}
	return 0;
}

/* The spec's names are CAP_KILL; libcap also takes "kill" and "5", which
 * the spec does not, so the CAP_ is required here. */
static int capability_mask(const struct node *capabilities, const char *key,
			   uint64_t *mask)
{
	struct node names, item;
	cap_value_t value;
	const char *name;

	if (child(capabilities, key, OPTIONAL, KIND_STRINGS, &names) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(names.value); i++) {
		if (element(&names, i, KIND_STRING, &item) < 0)
			return -1;
		name = json_string_value(item.value);
		if (strncmp(name, "CAP_", 4) != 0 ||
		    cap_from_name(name, &value) < 0 || value < 0 || value > 63)
			return refuse(&item, NULL, _("unknown capability '%s'"),
				      name);
		*mask |= 1ULL << value;
	}
	return 0;
}

static int parse_capabilities(const struct node *process,
			      struct oci_process *out)
{
	static const char *const sets[] = { "bounding", "effective",
					    "permitted", "inheritable",
					    "ambient" };
	struct oci_capabilities *caps = &out->capabilities;
	uint64_t *masks[] = { &caps->bounding, &caps->effective,
			      &caps->permitted, &caps->inheritable,
			      &caps->ambient };
	struct node capabilities;
	int rc = child(process, "capabilities", OPTIONAL, KIND_OBJECT,
		       &capabilities);

	if (rc <= 0)
		return rc;
	out->has_capabilities = 1;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (capability_mask(&capabilities, sets[i], masks[i]) < 0)
			return -1;
	return 0;
}

static const struct name_value rlimit_types[] = {
	{ "RLIMIT_AS", RLIMIT_AS },
	{ "RLIMIT_CORE", RLIMIT_CORE },
	{ "RLIMIT_CPU", RLIMIT_CPU },
	{ "RLIMIT_DATA", RLIMIT_DATA },
	{ "RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "RLIMIT_LOCKS", RLIMIT_LOCKS },
	{ "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
	{ "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
	{ "RLIMIT_NICE", RLIMIT_NICE },
	{ "RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "RLIMIT_NPROC", RLIMIT_NPROC },
	{ "RLIMIT_RSS", RLIMIT_RSS },
	{ "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
	{ "RLIMIT_RTTIME", RLIMIT_RTTIME },
	{ "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
	{ "RLIMIT_STACK", RLIMIT_STACK },
	{ NULL, 0 },
};

static int parse_rlimit(const struct node *item, struct oci_process *out)
{
	const char *type = "";
	long long soft = 0, hard = 0;
	unsigned long resource;

	if (get_string(item, "type", REQUIRED, NULL, &type) < 0 ||
	    get_integer(item, "soft", REQUIRED, 0, LLONG_MAX, &soft) < 0 ||
	    get_integer(item, "hard", REQUIRED, 0, LLONG_MAX, &hard) < 0)
		return -1;
	if (lookup(rlimit_types, type, &resource) < 0)
		return refuse(item, "type", _("unknown rlimit type '%s'"),
			      type);
	for (size_t i = 0; i < out->rlimit_count; i++)
		if (out->rlimits[i].resource == (int)resource)
			return refuse(item, "type", _("'%s' given twice"),
				      type);
	/* setrlimit(2) would say EINVAL, after everything else was made. */
	if (soft > hard)
		return refuse(item, NULL,
			      _("soft limit %lld is above hard limit %lld"),
			      soft, hard);
	out->rlimits[out->rlimit_count++] = (struct oci_rlimit){
		.resource = (int)resource,
		.soft = (uint64_t)soft,
		.hard = (uint64_t)hard,
	};
	return 0;
}

static int parse_rlimits(const struct node *process, struct oci_process *out)
{
	struct node list, item;

	if (child(process, "rlimits", OPTIONAL, KIND_ARRAY, &list) < 0)
		return -1;
	if (json_array_size(list.value) > CONFIG_MAX_RLIMITS)
		return refuse(&list, NULL, _("more than %d rlimits"),
			      CONFIG_MAX_RLIMITS);
	for (size_t i = 0; i < json_array_size(list.value); i++)
		if (element(&list, i, KIND_OBJECT, &item) < 0 ||
		    parse_rlimit(&item, out) < 0)
			return -1;
	return 0;
}

/* .process of config.json, or the whole document of exec --process. */
static int parse_process(const struct node *process, struct oci_process *out)
{
	long long oom_score_adj = 0;
	int rc;

	out->umask = -1;
	if (refuse_unsupported(process, process_unsupported) < 0 ||
	    get_bool(process, "terminal", &out->terminal) < 0 ||
	    parse_user(process, out) < 0 ||
	    get_strings(process, "args", REQUIRED, NULL, &out->args) < 0 ||
	    get_strings(process, "env", OPTIONAL, check_env, &out->env) < 0 ||
	    get_string(process, "cwd", REQUIRED, check_absolute, &out->cwd) <
		    0 ||
	    parse_capabilities(process, out) < 0 ||
	    parse_rlimits(process, out) < 0 ||
	    get_bool(process, "noNewPrivileges", &out->no_new_privileges) < 0)
		return -1;
	if (!out->args[0])
		return refuse(process, "args", "%s",
			      _("must not be empty: args[0] is the program "
				"to run"));
	rc = get_integer(process, "oomScoreAdj", OPTIONAL, -1000, 1000,
			 &oom_score_adj);
	if (rc < 0)
		return -1;
	out->has_oom_score_adj = rc;
	out->oom_score_adj = (int)oom_score_adj;
	return 0;
}

/* ---- .root, .mounts ------------------------------------------------- */

static int parse_root(const struct node *document, struct oci_config *config)
{
	struct node root;

	config->root_path = "";
	if (child(document, "root", REQUIRED, KIND_OBJECT, &root) < 0 ||
	    get_string(&root, "path", REQUIRED, NULL, &config->root_path) < 0 ||
	    get_bool(&root, "readonly", &config->root_readonly) < 0)
		return -1;
	if (!*config->root_path)
		return refuse(&root, "path", "%s", _("must not be empty"));
	return 0;
}

/* mount(8)'s flag options; clear: the option asks for the flag off. */
static const struct mount_flag {
	const char *name;
	int clear;
	unsigned long flag;
} mount_flags[] = {
	{ "defaults", 0, 0 },
	{ "ro", 0, MS_RDONLY },
	{ "rw", 1, MS_RDONLY },
	{ "nosuid", 0, MS_NOSUID },
	{ "suid", 1, MS_NOSUID },
	{ "nodev", 0, MS_NODEV },
	{ "dev", 1, MS_NODEV },
	{ "noexec", 0, MS_NOEXEC },
	{ "exec", 1, MS_NOEXEC },
	{ "sync", 0, MS_SYNCHRONOUS },
	{ "async", 1, MS_SYNCHRONOUS },
	{ "dirsync", 0, MS_DIRSYNC },
	{ "remount", 0, MS_REMOUNT },
	{ "mand", 0, MS_MANDLOCK },
	{ "nomand", 1, MS_MANDLOCK },
	{ "noatime", 0, MS_NOATIME },
	{ "atime", 1, MS_NOATIME },
	{ "nodiratime", 0, MS_NODIRATIME },
	{ "diratime", 1, MS_NODIRATIME },
	{ "relatime", 0, MS_RELATIME },
	{ "norelatime", 1, MS_RELATIME },
	{ "strictatime", 0, MS_STRICTATIME },
	{ "nostrictatime", 1, MS_STRICTATIME },
	{ "bind", 0, MS_BIND },
	{ "rbind", 0, MS_BIND | MS_REC },
	{ NULL, 0, 0 },
};

static const struct name_value propagations[] = {
	{ "private", MS_PRIVATE },
	{ "rprivate", MS_PRIVATE | MS_REC },
	{ "shared", MS_SHARED },
	{ "rshared", MS_SHARED | MS_REC },
	{ "slave", MS_SLAVE },
	{ "rslave", MS_SLAVE | MS_REC },
	{ "unbindable", MS_UNBINDABLE },
	{ "runbindable", MS_UNBINDABLE | MS_REC },
	{ NULL, 0 },
};

static const struct mount_flag *find_mount_flag(const char *name)
{
	const struct mount_flag *flag;

	for (flag = mount_flags; flag->name; flag++)
		if (strcmp(flag->name, name) == 0)
			return flag;
	return NULL;
}

/* runc's own options, which no filesystem knows: passed on as data they
 * would fail in mount(2) with a bare EINVAL, so they are named here.
 * "rro", "rnosuid"... are the recursive flags, set by mount_setattr(2). */
static int is_runc_extension(const char *option)
{
	return strcmp(option, "tmpcopyup") == 0 ||
	       strcmp(option, "idmap") == 0 || strcmp(option, "ridmap") == 0 ||
	       (option[0] == 'r' && find_mount_flag(option + 1));
}

/* Add option to data, after a comma when there is something before it. */
static int append_data(char **data, const char *option)
{
	size_t used = *data ? strlen(*data) : 0, size = strlen(option) + 2;
	char *grown = realloc(*data, used + size);

	if (!grown)
		return hop_fail(_("allocate memory for config.json"));
	snprintf(grown + used, size, "%s%s", used ? "," : "", option);
	*data = grown;
	return 0;
}

/* One option (the node of options[i]): a flag to set or clear (the last
 * one said wins, as in mount(8)), a propagation, or data for the
 * filesystem. */
static int mount_option(const struct node *item, struct oci_mount *mount)
{
	const char *option = json_string_value(item->value);
	const struct mount_flag *flag = find_mount_flag(option);
	unsigned long propagation;

	if (flag && flag->clear) {
		mount->flags &= ~flag->flag;
		mount->clear_flags |= flag->flag;
		return 0;
	}
	if (flag) {
		mount->flags |= flag->flag;
		mount->clear_flags &= ~flag->flag;
		return 0;
	}
	if (lookup(propagations, option, &propagation) == 0) {
		mount->propagation = propagation;
		return 0;
	}
	if (!*option)
		return refuse(item, NULL, "%s", _("empty option"));
	if (strcmp(option, "tmpcopyup") == 0) {
		mount->copy_up = 1;
		return 0;
	}
	if (is_runc_extension(option))
		return refuse(item, NULL, _("'%s' not supported by mini-runc"),
			      option);
	return append_data(&mount->data, option);
}

/* A bind mount's type means nothing to mount(2); it becomes "bind", so
 * that the next step has one thing to test (like runc). Any other mount
 * needs a type: mount(2) cannot guess a filesystem. */
static int settle_mount_type(const struct node *item, struct oci_mount *mount)
{
	if (mount->type && strcmp(mount->type, "bind") == 0)
		mount->flags |= MS_BIND;
	if (!(mount->flags & MS_BIND) && !mount->type)
		return refuse(item, "type", "%s",
			      _("missing; it is required unless the mount is "
				"a bind mount (option bind or rbind)"));
	if (mount->copy_up &&
	    ((mount->flags & MS_BIND) || strcmp(mount->type, "tmpfs") != 0))
		return refuse(item, "options", "%s",
			      _("tmpcopyup is for tmpfs mounts only"));
	if (!(mount->flags & MS_BIND))
		return 0;
	mount->type = "bind";
	if (!mount->source)
		return refuse(item, "source", "%s",
			      _("missing; a bind mount needs one"));
	return 0;
}

static int parse_mount(const struct node *item, struct oci_mount *mount)
{
	struct node options, option;

	if (get_string(item, "destination", REQUIRED, check_absolute,
		       &mount->destination) < 0 ||
	    get_string(item, "type", OPTIONAL, NULL, &mount->type) < 0 ||
	    get_string(item, "source", OPTIONAL, NULL, &mount->source) < 0 ||
	    child(item, "options", OPTIONAL, KIND_STRINGS, &options) < 0)
		return -1;
	/* An id-mapped mount done without its map would show the host's
	 * owners. */
	if (json_object_get(item->value, "uidMappings"))
		return refuse(item, "uidMappings", "%s",
			      _("not supported by mini-runc"));
	if (json_object_get(item->value, "gidMappings"))
		return refuse(item, "gidMappings", "%s",
			      _("not supported by mini-runc"));
	for (size_t i = 0; i < json_array_size(options.value); i++)
		if (element(&options, i, KIND_STRING, &option) < 0 ||
		    mount_option(&option, mount) < 0)
			return -1;
	return settle_mount_type(item, mount);
}

static int parse_mounts(const struct node *document, struct oci_config *config)
{
	struct node list, item;
	size_t count;
	int rc = child(document, "mounts", OPTIONAL, KIND_ARRAY, &list);

	if (rc <= 0)
		return rc;
	count = json_array_size(list.value);
	config->mounts = allocate(count, sizeof(*config->mounts));
	if (!config->mounts)
		return -1;
	config->mount_count = count;
	for (size_t i = 0; i < count; i++)
		if (element(&list, i, KIND_OBJECT, &item) < 0 ||
		    parse_mount(&item, &config->mounts[i]) < 0)
			return -1;
	return 0;
}

/* ---- .linux: namespaces, id maps ------------------------------------ */

static const struct name_value namespace_types[] = {
	{ "pid", CLONE_NEWPID },
	{ "network", CLONE_NEWNET },
	{ "mount", CLONE_NEWNS },
	{ "ipc", CLONE_NEWIPC },
	{ "uts", CLONE_NEWUTS },
	{ "user", CLONE_NEWUSER },
	{ "cgroup", CLONE_NEWCGROUP },
	{ "time", CLONE_NEWTIME },
	{ NULL, 0 },
};

/* One namespace: new (no path: into clone_flags), or joined (setns(2) on
 * the file at path). */
static int parse_namespace(const struct node *item, struct oci_config *config)
{
	const char *type = "", *path = NULL;
	unsigned long flag;

	if (get_string(item, "type", REQUIRED, NULL, &type) < 0)
		return -1;
	if (lookup(namespace_types, type, &flag) < 0)
		return refuse(item, "type", _("unknown namespace type '%s'"),
			      type);
	/* Two of a type would ask for a new one and to join one. */
	for (size_t i = 0; i < config->namespace_count; i++)
		if (config->namespaces[i].type == (int)flag)
			return refuse(item, "type",
				      _("namespace type '%s' given twice"),
				      type);
	if (config->namespace_count == CONFIG_MAX_NAMESPACES)
		return refuse(item, NULL, _("more than %d namespaces"),
			      CONFIG_MAX_NAMESPACES);
	if (get_string(item, "path", OPTIONAL, check_absolute, &path) < 0)
		return -1;
	config->namespaces[config->namespace_count++] =
		(struct oci_namespace){ .type = (int)flag, .path = path };
	if (!path)
		config->clone_flags |= (int)flag;
	return 0;
}

static int parse_namespaces(const struct node *section,
			    struct oci_config *config)
{
	struct node list, item;

	if (child(section, "namespaces", OPTIONAL, KIND_ARRAY, &list) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(list.value); i++)
		if (element(&list, i, KIND_OBJECT, &item) < 0 ||
		    parse_namespace(&item, config) < 0)
			return -1;
	return 0;
}

static int parse_id_mapping(const struct node *item,
			    struct oci_id_mapping *mapping)
{
	long long container_id = 0, host_id = 0, size = 0;

	if (get_integer(item, "containerID", REQUIRED, 0, UINT32_TOP,
			&container_id) < 0 ||
	    get_integer(item, "hostID", REQUIRED, 0, UINT32_TOP, &host_id) <
		    0 ||
	    get_integer(item, "size", REQUIRED, 1, UINT32_TOP, &size) < 0)
		return -1;
	mapping->container_id = (uint32_t)container_id;
	mapping->host_id = (uint32_t)host_id;
	mapping->size = (uint32_t)size;
	return 0;
}

/* uidMappings or gidMappings: the lines of /proc/PID/uid_map. */
static int parse_id_mappings(const struct node *section, const char *key,
			     struct oci_id_mapping **out, size_t *count)
{
	struct node list, item;
	size_t n;

	if (child(section, key, OPTIONAL, KIND_ARRAY, &list) < 0)
		return -1;
	n = json_array_size(list.value);
	if (!n)
		return 0;
	*out = allocate(n, sizeof(**out));
	if (!*out)
		return -1;
	*count = n;
	for (size_t i = 0; i < n; i++)
		if (element(&list, i, KIND_OBJECT, &item) < 0 ||
		    parse_id_mapping(&item, &(*out)[i]) < 0)
			return -1;
	return 0;
}

/* ---- .linux.resources ----------------------------------------------- */

/* An int64 from low up, into *out, and *has set when it is there. */
static int get_int64(const struct node *node, const char *key, int required,
		     long long low, int64_t *out, int *has)
{
	long long value = 0;
	int rc = get_integer(node, key, required, low, LLONG_MAX, &value);

	if (rc > 0) {
		*out = value;
		*has = 1;
	}
	return rc;
}

static int parse_memory(const struct node *resources, struct oci_resources *r)
{
	struct node memory;

	if (child(resources, "memory", OPTIONAL, KIND_OBJECT, &memory) < 0 ||
	    get_int64(&memory, "limit", OPTIONAL, -1, &r->memory_limit,
		      &r->has_memory_limit) < 0 ||
	    get_int64(&memory, "reservation", OPTIONAL, 0,
		      &r->memory_reservation, &r->has_memory_reservation) < 0 ||
	    get_int64(&memory, "swap", OPTIONAL, -1, &r->memory_swap,
		      &r->has_memory_swap) < 0)
		return -1;
	return 0;
}

static int parse_cpu_pids(const struct node *resources, struct oci_resources *r)
{
	long long shares = 0, period = 0;
	struct node cpu, pids;

	/* shares 0 leaves it unset, as runc does; the kernel raises 1 to 2. */
	if (child(resources, "cpu", OPTIONAL, KIND_OBJECT, &cpu) < 0 ||
	    get_integer(&cpu, "shares", OPTIONAL, 0, 262144, &shares) < 0 ||
	    get_int64(&cpu, "quota", OPTIONAL, -1, &r->cpu_quota,
		      &r->has_cpu_quota) < 0 ||
	    get_integer(&cpu, "period", OPTIONAL, 0, LLONG_MAX, &period) < 0 ||
	    get_string(&cpu, "cpus", OPTIONAL, NULL, &r->cpus) < 0 ||
	    get_string(&cpu, "mems", OPTIONAL, NULL, &r->mems) < 0)
		return -1;
	r->cpu_shares = (uint64_t)shares;
	r->cpu_period = (uint64_t)period;
	if (child(resources, "pids", OPTIONAL, KIND_OBJECT, &pids) < 0 ||
	    get_int64(&pids, "limit", pids.value ? REQUIRED : OPTIONAL, -1,
		      &r->pids_limit, &r->has_pids_limit) < 0)
		return -1;
	return 0;
}

/* "rw", "m", "mrw"...: which of r, w, m, written in that order. */
static int device_access(const char *text, char access[4])
{
	int read = 0, write = 0, mknod = 0;

	if (!*text)
		return -1;
	for (; *text; text++) {
		switch (*text) {
		case 'r': read = 1; break;
		case 'w': write = 1; break;
		case 'm': mknod = 1; break;
		default: return -1;
		}
	}
	snprintf(access, 4, "%s%s%s", read ? "r" : "", write ? "w" : "",
		 mknod ? "m" : "");
	return 0;
}

static int parse_device_rule(const struct node *item,
			     struct oci_device_rule *rule)
{
	const char *type = "a", *access = "rwm";
	long long major = -1, minor = -1;
	json_t *allow;

	if (member(item, "allow", REQUIRED, KIND_BOOLEAN, &allow) < 0 ||
	    get_string(item, "type", OPTIONAL, NULL, &type) < 0 ||
	    get_integer(item, "major", OPTIONAL, -1, UINT32_TOP, &major) < 0 ||
	    get_integer(item, "minor", OPTIONAL, -1, UINT32_TOP, &minor) < 0 ||
	    get_string(item, "access", OPTIONAL, NULL, &access) < 0)
		return -1;
	if (strlen(type) != 1 || !strchr("acb", type[0]))
		return refuse(item, "type",
			      _("unknown device type '%s' (a, c or b)"), type);
	if (device_access(access, rule->access) < 0)
		return refuse(item, "access",
			      _("'%s' is not a subset of \"rwm\""), access);
	rule->allow = json_is_true(allow);
	rule->type = type[0];
	rule->major = major;
	rule->minor = minor;
	return 0;
}

static int parse_resources(const struct node *section,
			   struct oci_config *config)
{
	struct oci_resources *r = &config->resources;
	struct node resources, devices, item;
	size_t count;
	int rc = child(section, "resources", OPTIONAL, KIND_OBJECT, &resources);

	if (rc <= 0)
		return rc;
	config->has_resources = 1;
	/* Fields not read here (hugepageLimits, blockIO, unified...) are
	 * ignored, as the spec allows for resources a runtime lacks. */
	if (parse_memory(&resources, r) < 0 ||
	    parse_cpu_pids(&resources, r) < 0 ||
	    child(&resources, "devices", OPTIONAL, KIND_ARRAY, &devices) < 0)
		return -1;
	count = json_array_size(devices.value);
	if (!count)
		return 0;
	r->devices = allocate(count, sizeof(*r->devices));
	if (!r->devices)
		return -1;
	r->device_count = count;
	for (size_t i = 0; i < count; i++)
		if (element(&devices, i, KIND_OBJECT, &item) < 0 ||
		    parse_device_rule(&item, &r->devices[i]) < 0)
			return -1;
	return 0;
}

/* ---- .linux: sysctl, propagation ------------------------------------ */

/* An object whose values must all be strings. Keys can hold dots
 * ("net.ipv4.ip_forward"), so a value's path is written .sysctl["key"],
 * as jq would. */
static int check_string_object(const struct node *object)
{
	struct node entry = { .name = object->name };
	const char *key;
	json_t *value;

	json_object_foreach(object->value, key, value)
	{
		if (json_is_string(value))
			continue;
		path_cut(entry.path, snprintf(entry.path, PATH_SIZE,
					      "%s[\"%s\"]", object->path, key));
		return refuse(&entry, NULL, "%s", _("expected a string"));
	}
	return 0;
}

static int parse_sysctl(const struct node *section, struct oci_config *config)
{
	struct node sysctl;
	const char *key;
	json_t *value;
	size_t i = 0;

	if (child(section, "sysctl", OPTIONAL, KIND_OBJECT, &sysctl) < 0 ||
	    check_string_object(&sysctl) < 0)
		return -1;
	if (!json_object_size(sysctl.value))
		return 0;
	config->sysctl = allocate(json_object_size(sysctl.value),
				  sizeof(*config->sysctl));
	if (!config->sysctl)
		return -1;
	json_object_foreach(sysctl.value, key, value)
	{
		config->sysctl[i].key = key;
		config->sysctl[i].value = json_string_value(value);
		i++;
	}
	config->sysctl_count = i;
	return 0;
}

static int parse_rootfs_propagation(const struct node *section,
				    struct oci_config *config)
{
	const char *name = NULL;
	unsigned long flags;

	if (get_string(section, "rootfsPropagation", OPTIONAL, NULL, &name) < 0)
		return -1;
	if (name && lookup(propagations, name, &flags) < 0)
		return refuse(section, "rootfsPropagation",
			      _("unknown propagation '%s'"), name);
	config->rootfs_propagation = name;
	return 0;
}

/* ---- .linux.seccomp ------------------------------------------------- */

static const struct seccomp_action {
	const char *name;
	uint32_t action;
	int takes_errno; /* the errno goes in the low 16 bits */
} seccomp_actions[] = {
	{ "SCMP_ACT_KILL", SCMP_ACT_KILL, 0 },
	{ "SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, 0 },
	{ "SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, 0 },
	{ "SCMP_ACT_TRAP", SCMP_ACT_TRAP, 0 },
	{ "SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), 1 },
	{ "SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), 1 },
	{ "SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, 0 },
	{ "SCMP_ACT_LOG", SCMP_ACT_LOG, 0 },
	{ NULL, 0, 0 },
};

static const struct name_value seccomp_operators[] = {
	{ "SCMP_CMP_NE", SCMP_CMP_NE },
	{ "SCMP_CMP_LT", SCMP_CMP_LT },
	{ "SCMP_CMP_LE", SCMP_CMP_LE },
	{ "SCMP_CMP_EQ", SCMP_CMP_EQ },
	{ "SCMP_CMP_GE", SCMP_CMP_GE },
	{ "SCMP_CMP_GT", SCMP_CMP_GT },
	{ "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
	{ NULL, 0 },
};

/* The flags mini-runc can pass on (seccomp(2)'s SECCOMP_FILTER_FLAG_*);
 * a user-space listener (NEW_LISTENER) needs an agent we do not have. */
static const struct name_value seccomp_flags[] = {
	{ "SCMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
	{ "SCMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
	{ "SCMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
	{ NULL, 0 },
};

/* An action and the errno that goes with it: errnoRet (default EPERM, as
 * the spec says) only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE. */
static int seccomp_action(const struct node *node, const char *action_key,
			  const char *errno_key, uint32_t *out)
{
	const struct seccomp_action *action = seccomp_actions;
	const char *name = "";
	long long error = EPERM;
	int has_errno;

	if (get_string(node, action_key, REQUIRED, NULL, &name) < 0)
		return -1;
	has_errno =
		get_integer(node, errno_key, OPTIONAL, 0, ERRNO_MAX, &error);
	if (has_errno < 0)
		return -1;
	while (action->name && strcmp(action->name, name) != 0)
		action++;
	if (!action->name && strcmp(name, "SCMP_ACT_NOTIFY") == 0)
		return refuse(node, action_key,
			      _("'%s' not supported by mini-runc"), name);
	if (!action->name)
		return refuse(node, action_key,
			      _("unknown seccomp action '%s'"), name);
	if (has_errno && !action->takes_errno)
		return refuse(node, errno_key, _("'%s' returns no errno"),
			      name);
	*out = action->action | (action->takes_errno ? (uint32_t)error : 0);
	return 0;
}

/* "SCMP_ARCH_X86_64" (item) is libseccomp's "x86_64". */
static int seccomp_architecture(const struct node *item, uint32_t *out)
{
	static const char prefix[] = "SCMP_ARCH_";
	const char *name = json_string_value(item->value);
	const char *rest = name + strlen(prefix);
	char lower[32];
	size_t i;

	if (strncmp(name, prefix, strlen(prefix)) != 0 ||
	    strlen(rest) >= sizeof(lower))
		return refuse(item, NULL, _("unknown architecture '%s'"), name);
	for (i = 0; rest[i]; i++)
		lower[i] = (char)tolower((unsigned char)rest[i]);
	lower[i] = '\0';
	*out = seccomp_arch_resolve_name(lower);
	if (!*out)
		return refuse(item, NULL, _("unknown architecture '%s'"), name);
	return 0;
}

static int parse_seccomp_lists(const struct node *seccomp_node,
			       struct oci_seccomp *seccomp)
{
	struct node architectures, flags, item;
	unsigned long flag;
	size_t count;

	if (child(seccomp_node, "architectures", OPTIONAL, KIND_STRINGS,
		  &architectures) < 0 ||
	    child(seccomp_node, "flags", OPTIONAL, KIND_STRINGS, &flags) < 0)
		return -1;
	count = json_array_size(architectures.value);
	seccomp->architectures = allocate(count, sizeof(uint32_t));
	if (!seccomp->architectures)
		return -1;
	seccomp->architecture_count = count;
	for (size_t i = 0; i < count; i++)
		if (element(&architectures, i, KIND_STRING, &item) < 0 ||
		    seccomp_architecture(&item, &seccomp->architectures[i]) < 0)
			return -1;
	for (size_t i = 0; i < json_array_size(flags.value); i++) {
		if (element(&flags, i, KIND_STRING, &item) < 0)
			return -1;
		if (lookup(seccomp_flags, json_string_value(item.value),
			   &flag) < 0)
			return refuse(&item, NULL,
				      _("'%s' not supported by mini-runc"),
				      json_string_value(item.value));
		seccomp->flags |= (unsigned)flag;
	}
	return 0;
}

static int parse_seccomp_arg(const struct node *item,
			     struct oci_seccomp_arg *arg)
{
	long long position = 0, value = 0, value_two = 0;
	const char *op = "";
	unsigned long compare;

	if (get_integer(item, "index", REQUIRED, 0, 5, &position) < 0 ||
	    get_integer(item, "value", REQUIRED, 0, LLONG_MAX, &value) < 0 ||
	    get_integer(item, "valueTwo", OPTIONAL, 0, LLONG_MAX, &value_two) <
		    0 ||
	    get_string(item, "op", REQUIRED, NULL, &op) < 0)
		return -1;
	if (lookup(seccomp_operators, op, &compare) < 0)
		return refuse(item, "op", _("unknown operator '%s'"), op);
	arg->index = (unsigned)position;
	arg->value = (uint64_t)value;
	arg->value_two = (uint64_t)value_two;
	arg->op = (int)compare;
	return 0;
}

static int parse_seccomp_rule(const struct node *item,
			      struct oci_seccomp_rule *rule)
{
	struct node args, arg;
	size_t count;

	if (get_strings(item, "names", REQUIRED, NULL, &rule->names) < 0 ||
	    seccomp_action(item, "action", "errnoRet", &rule->action) < 0 ||
	    child(item, "args", OPTIONAL, KIND_ARRAY, &args) < 0)
		return -1;
	if (!rule->names[0])
		return refuse(item, "names", "%s", _("must not be empty"));
	count = json_array_size(args.value);
	if (!count)
		return 0;
	rule->args = allocate(count, sizeof(*rule->args));
	if (!rule->args)
		return -1;
	rule->arg_count = count;
	for (size_t i = 0; i < count; i++)
		if (element(&args, i, KIND_OBJECT, &arg) < 0 ||
		    parse_seccomp_arg(&arg, &rule->args[i]) < 0)
			return -1;
	return 0;
}

static int parse_seccomp(const struct node *section, struct oci_config *config)
{
	struct node node, rules, item;
	struct oci_seccomp *seccomp;
	size_t count;
	int rc = child(section, "seccomp", OPTIONAL, KIND_OBJECT, &node);

	if (rc <= 0)
		return rc;
	/* A notify socket needs an agent on the other end: mini-runc has
	 * none. */
	if (json_object_get(node.value, "listenerPath"))
		return refuse(&node, "listenerPath", "%s",
			      _("not supported by mini-runc"));
	seccomp = config->seccomp = allocate(1, sizeof(*seccomp));
	if (!seccomp ||
	    seccomp_action(&node, "defaultAction", "defaultErrnoRet",
			   &seccomp->default_action) < 0 ||
	    parse_seccomp_lists(&node, seccomp) < 0 ||
	    child(&node, "syscalls", OPTIONAL, KIND_ARRAY, &rules) < 0)
		return -1;
	count = json_array_size(rules.value);
	seccomp->rules = allocate(count, sizeof(*seccomp->rules));
	if (!seccomp->rules)
		return -1;
	seccomp->rule_count = count;
	for (size_t i = 0; i < count; i++)
		if (element(&rules, i, KIND_OBJECT, &item) < 0 ||
		    parse_seccomp_rule(&item, &seccomp->rules[i]) < 0)
			return -1;
	return 0;
}

static int parse_linux(const struct node *document, struct oci_config *config)
{
	struct node section;

	/* Absent, it is read all the same: the lists are then empty, never
	 * NULL. */
	if (child(document, "linux", OPTIONAL, KIND_OBJECT, &section) < 0 ||
	    refuse_unsupported(&section, linux_unsupported) < 0 ||
	    parse_namespaces(&section, config) < 0 ||
	    parse_id_mappings(&section, "uidMappings", &config->uid_mappings,
			      &config->uid_mapping_count) < 0 ||
	    parse_id_mappings(&section, "gidMappings", &config->gid_mappings,
			      &config->gid_mapping_count) < 0 ||
	    parse_resources(&section, config) < 0 ||
	    get_string(&section, "cgroupsPath", OPTIONAL, NULL,
		       &config->cgroups_path) < 0 ||
	    get_strings(&section, "maskedPaths", OPTIONAL, check_absolute,
			&config->masked_paths) < 0 ||
	    get_strings(&section, "readonlyPaths", OPTIONAL, check_absolute,
			&config->readonly_paths) < 0 ||
	    parse_sysctl(&section, config) < 0 ||
	    parse_seccomp(&section, config) < 0 ||
	    parse_rootfs_propagation(&section, config) < 0)
		return -1;
	return 0;
}

/* ---- .hooks, .annotations ------------------------------------------- */

/* A hook's args or env: NULL when absent or empty, as config.h says. */
static int hook_strings(const struct node *hook, const char *key,
			string_check *check, const char ***out)
{
	if (get_strings(hook, key, OPTIONAL, check, out) < 0)
		return -1;
	if (!(*out)[0]) {
		free(*out);
		*out = NULL;
	}
	return 0;
}

static int parse_hook(const struct node *item, struct oci_hook *hook)
{
	long long timeout = 0;

	if (get_string(item, "path", REQUIRED, check_absolute, &hook->path) <
		    0 ||
	    hook_strings(item, "args", NULL, &hook->args) < 0 ||
	    hook_strings(item, "env", check_env, &hook->env) < 0 ||
	    get_integer(item, "timeout", OPTIONAL, 1, INT_MAX, &timeout) < 0)
		return -1;
	hook->timeout = (int)timeout;
	return 0;
}

/* prestart is deprecated (spec 1.0.2) but still written by some tools
 * (dockerd's libnetwork hook); runc runs it in the runtime's namespaces
 * just before createRuntime, so it is read as the first createRuntime
 * hooks. */
static const struct hook_phase {
	const char *key;
	enum oci_hook_phase phase;
} hook_phases[] = {
	{ "prestart", OCI_HOOK_CREATE_RUNTIME },
	{ "createRuntime", OCI_HOOK_CREATE_RUNTIME },
	{ "createContainer", OCI_HOOK_CREATE_CONTAINER },
	{ "startContainer", OCI_HOOK_START_CONTAINER },
	{ "poststart", OCI_HOOK_POSTSTART },
	{ "poststop", OCI_HOOK_POSTSTOP },
	{ NULL, 0 },
};

/* Append the hooks of one key to its phase's list. */
static int parse_hook_list(const struct node *hooks,
			   const struct hook_phase *phase,
			   struct oci_config *config)
{
	struct oci_hook **list = &config->hooks[phase->phase], *grown;
	size_t *count = &config->hook_count[phase->phase], first = *count, n;
	struct node array, item;

	if (child(hooks, phase->key, OPTIONAL, KIND_ARRAY, &array) < 0)
		return -1;
	n = json_array_size(array.value);
	if (!n)
		return 0;
	grown = realloc(*list, (first + n) * sizeof(*grown));
	if (!grown)
		return hop_fail(_("allocate memory for config.json"));
	memset(grown + first, 0, n * sizeof(*grown));
	*list = grown;
	*count = first + n;
	for (size_t i = 0; i < n; i++)
		if (element(&array, i, KIND_OBJECT, &item) < 0 ||
		    parse_hook(&item, &grown[first + i]) < 0)
			return -1;
	return 0;
}

static int parse_hooks(const struct node *document, struct oci_config *config)
{
	const struct hook_phase *phase;
	struct node hooks;

	if (child(document, "hooks", OPTIONAL, KIND_OBJECT, &hooks) < 0)
		return -1;
	for (phase = hook_phases; phase->key; phase++)
		if (parse_hook_list(&hooks, phase, config) < 0)
			return -1;
	return 0;
}

static int parse_annotations(const struct node *document,
			     struct oci_config *config)
{
	struct node annotations;

	if (child(document, "annotations", OPTIONAL, KIND_OBJECT,
		  &annotations) < 0 ||
	    check_string_object(&annotations) < 0)
		return -1;
	config->annotations = annotations.value;
	return 0;
}

/* ---- The document --------------------------------------------------- */

static int parse_document(const struct node *document,
			  struct oci_config *config)
{
	struct node process;

	/* runc can create a container without .process and wait for exec;
	 * mini-runc's create always runs one, so it is required. */
	config->oci_version = "";
	if (get_string(document, "ociVersion", REQUIRED, NULL,
		       &config->oci_version) < 0 ||
	    child(document, "process", REQUIRED, KIND_OBJECT, &process) < 0 ||
	    parse_process(&process, &config->process) < 0 ||
	    parse_root(document, config) < 0 ||
	    get_string(document, "hostname", OPTIONAL, NULL,
		       &config->hostname) < 0 ||
	    parse_mounts(document, config) < 0 ||
	    parse_hooks(document, config) < 0 ||
	    parse_annotations(document, config) < 0 ||
	    parse_linux(document, config) < 0)
		return -1;
	return 0;
}

/* jansson's own message, with where it stopped: the line and column are
 * what a learner needs to find a missing comma. */
static json_t *load_object(const char *text, const char *name)
{
	json_error_t error;
	json_t *document = json_loads(text, JSON_REJECT_DUPLICATES, &error);

	if (!document) {
		errno = EINVAL; /* bad input, not a failed read */
		hop_fail_library(_("%s: line %d, column %d: %s"), name,
				 error.line, error.column, error.text);
		return NULL;
	}
	if (!json_is_object(document)) {
		json_decref(document);
		hop_refuse(_("%s: expected a JSON object, {...}"), name);
		return NULL;
	}
	return document;
}

int config_parse(const char *text, const char *name, struct oci_config *config)
{
	struct node document = { .name = name };
	int saved;

	memset(config, 0, sizeof(*config));
	config->json = document.value = load_object(text, name);
	if (!document.value)
		return -1;
	if (parse_document(&document, config) == 0)
		return 0;
	saved = errno;
	config_free(config);
	errno = saved;
	return -1;
}

int config_parse_process(const char *text, const char *name,
			 struct oci_process *process, void **json)
{
	struct node document = { .name = name };
	int saved;

	memset(process, 0, sizeof(*process));
	*json = NULL;
	document.value = load_object(text, name);
	if (!document.value)
		return -1;
	if (parse_process(&document, process) == 0) {
		*json = document.value;
		return 0;
	}
	saved = errno;
	config_free_process(process);
	json_decref(document.value);
	errno = saved;
	return -1;
}

/* All of fd, up to CONFIG_MAX_SIZE, NUL-terminated; allocated. */
static char *read_text(int fd, const char *path)
{
	size_t size = 0, capacity = 0;
	char *text = NULL, *grown;
	ssize_t got = 0;

	do {
		if (got > 0)
			size += (size_t)got;
		if (size > CONFIG_MAX_SIZE)
			break;
		if (size == capacity) {
			capacity = capacity ? capacity * 2 : 65536;
			grown = realloc(text, capacity + 1);
			if (!grown) {
				hop_fail(_("read %s"), path);
				goto fail;
			}
			text = grown;
		}
		got = read(fd, text + size, capacity - size);
	} while (got > 0 || (got < 0 && errno == EINTR));
	if (got < 0) {
		hop_fail(_("read %s"), path);
		goto fail;
	}
	if (size > CONFIG_MAX_SIZE) {
		hop_refuse(_("%s: larger than 4 MiB; a config.json is a few "
			     "KiB"),
			   path);
		goto fail;
	}
	text[size] = '\0';
	if (strlen(text) == size)
		return text;
	hop_refuse(_("%s: holds a NUL byte; it is not JSON text"), path);
fail:
	free(text);
	return NULL;
}

int config_load(const char *bundle, struct oci_config *config)
{
	char path[PATH_MAX];
	char *text;
	int fd, rc, saved;

	memset(config, 0, sizeof(*config));
	if (snprintf(path, sizeof(path), "%s/config.json", bundle) >=
	    (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return hop_fail("%s/config.json", bundle);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hop_fail("%s", path);
	text = read_text(fd, path);
	close(fd);
	if (!text)
		return -1;
	/* The file's path starts each message: a learner may have several
	 * bundles about. */
	rc = config_parse(text, path, config);
	saved = errno;
	free(text); /* jansson copied what it keeps */
	errno = saved;
	return rc;
}

/* ---- Freeing -------------------------------------------------------- */

void config_free_json(void *json)
{
	json_decref(json);
}

void config_free_process(struct oci_process *process)
{
	free(process->additional_gids);
	free(process->args);
	free(process->env);
	memset(process, 0, sizeof(*process));
}

static void free_seccomp(struct oci_seccomp *seccomp)
{
	if (!seccomp)
		return;
	for (size_t i = 0; i < seccomp->rule_count; i++) {
		free(seccomp->rules[i].names);
		free(seccomp->rules[i].args);
	}
	free(seccomp->rules);
	free(seccomp->architectures);
	free(seccomp);
}

void config_free(struct oci_config *config)
{
	config_free_process(&config->process);
	for (size_t i = 0; i < config->mount_count; i++)
		free(config->mounts[i].data);
	free(config->mounts);
	free(config->uid_mappings);
	free(config->gid_mappings);
	free(config->resources.devices);
	free(config->masked_paths);
	free(config->readonly_paths);
	free(config->sysctl);
	free_seccomp(config->seccomp);
	for (int phase = 0; phase < OCI_HOOK_PHASES; phase++) {
		for (size_t i = 0; i < config->hook_count[phase]; i++) {
			free(config->hooks[phase][i].args);
			free(config->hooks[phase][i].env);
		}
		free(config->hooks[phase]);
	}
	json_decref(config->json);
	memset(config, 0, sizeof(*config));
}

/* ---- runc spec ------------------------------------------------------ */

/* What runc 1.1's `runc spec` writes (libcontainer/specconv/example.go),
 * as tables a reader can hold against its output. */
static const char *const default_capabilities[] = {
	"CAP_AUDIT_WRITE",
	"CAP_KILL",
	"CAP_NET_BIND_SERVICE",
	NULL,
};

struct default_mount {
	const char *destination, *type, *source;
	const char *options[8];
};

static const struct default_mount default_mounts[] = {
	{ "/proc", "proc", "proc", { NULL } },
	{ "/dev",
	  "tmpfs",
	  "tmpfs",
	  { "nosuid", "strictatime", "mode=755", "size=65536k", NULL } },
	{ "/dev/pts",
	  "devpts",
	  "devpts",
	  { "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620",
	    "gid=5", NULL } },
	{ "/dev/shm",
	  "tmpfs",
	  "shm",
	  { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL } },
	{ "/dev/mqueue",
	  "mqueue",
	  "mqueue",
	  { "nosuid", "noexec", "nodev", NULL } },
	{ "/sys",
	  "sysfs",
	  "sysfs",
	  { "nosuid", "noexec", "nodev", "ro", NULL } },
	{ "/sys/fs/cgroup",
	  "cgroup",
	  "cgroup",
	  { "nosuid", "noexec", "nodev", "relatime", "ro", NULL } },
	{ NULL, NULL, NULL, { NULL } },
};

/* --rootless: without a network namespace of its own a user namespace
 * may not mount sysfs (day 03), so runc binds the host's /sys instead. */
static const struct default_mount rootless_sys = {
	"/sys",
	"none",
	"/sys",
	{ "rbind", "nosuid", "noexec", "nodev", "ro", NULL }
};

static const char *const default_namespaces[] = {
	"pid", "network", "ipc", "uts", "mount", NULL,
};

static const char *const default_masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/sys/firmware",
	"/proc/scsi",
	NULL,
};

static const char *const default_readonly_paths[] = {
	"/proc/bus",	       "/proc/fs", "/proc/irq", "/proc/sys",
	"/proc/sysrq-trigger", NULL,
};

/* An array of strings; rootless drops uid= and gid=, which name ids the
 * user namespace does not map (runc's ToRootless does the same). */
static json_t *string_array(const char *const *strings, int rootless)
{
	json_t *array = json_array();
	int failed = !array;

	for (; !failed && *strings; strings++)
		if (!rootless || (strncmp(*strings, "uid=", 4) != 0 &&
				  strncmp(*strings, "gid=", 4) != 0))
			failed = json_array_append_new(array,
						       json_string(*strings));
	if (failed) {
		json_decref(array);
		return NULL;
	}
	return array;
}

/* json_object_set_new takes value even on failure, and fails on NULL, so
 * a chain of these needs one check at the end. */
static int set(json_t *object, const char *key, json_t *value)
{
	return json_object_set_new(object, key, value);
}

static json_t *default_process(void)
{
	json_t *capabilities = json_object();
	int failed = 0;

	failed |= set(capabilities, "bounding",
		      string_array(default_capabilities, 0));
	failed |= set(capabilities, "effective",
		      string_array(default_capabilities, 0));
	failed |= set(capabilities, "permitted",
		      string_array(default_capabilities, 0));
	failed |= set(capabilities, "ambient",
		      string_array(default_capabilities, 0));
	if (failed) {
		json_decref(capabilities);
		return NULL;
	}
	return json_pack("{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:o, "
			 "s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1, "user", "uid", 0, "gid", 0, "args",
			 "sh", "env",
			 "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
			 "/usr/bin:/sbin:/bin",
			 "TERM=xterm", "cwd", "/", "capabilities", capabilities,
			 "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024,
			 "soft", 1024, "noNewPrivileges", 1);
}

static json_t *default_mount_list(int rootless)
{
	json_t *mounts = json_array(), *mount;
	const struct default_mount *m;
	int failed = !mounts;

	for (size_t i = 0; !failed && default_mounts[i].destination; i++) {
		m = &default_mounts[i];
		if (rootless && strcmp(m->destination, "/sys") == 0)
			m = &rootless_sys;
		mount = json_pack("{s:s, s:s, s:s}", "destination",
				  m->destination, "type", m->type, "source",
				  m->source);
		/* Go leaves out an empty list (omitempty): /proc has none. */
		if (mount && m->options[0])
			failed |= set(mount, "options",
				      string_array(m->options, rootless));
		failed |= json_array_append_new(mounts, mount);
	}
	if (failed) {
		json_decref(mounts);
		return NULL;
	}
	return mounts;
}

/* The user's own ids, mapped to root in the container: all an unprivileged
 * user may map without newuidmap(1). */
static json_t *id_mapping(unsigned long host_id)
{
	return json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID",
			 (json_int_t)host_id, "size", 1);
}

static json_t *default_namespace_list(int rootless)
{
	struct statfs fs;
	json_t *namespaces = json_array();
	int failed = !namespaces;

	for (int i = 0; !failed && default_namespaces[i]; i++)
		if (!rootless || strcmp(default_namespaces[i], "network") != 0)
			failed = json_array_append_new(
				namespaces, json_pack("{s:s}", "type",
						      default_namespaces[i]));
	/* As runc: on a pure v2 machine, a cgroup namespace too (the
	 * container then sees its own group as the root of the tree). */
	if (!failed && statfs("/sys/fs/cgroup", &fs) == 0 &&
	    fs.f_type == CGROUP2_SUPER_MAGIC)
		failed = json_array_append_new(
			namespaces, json_pack("{s:s}", "type", "cgroup"));
	if (!failed && rootless)
		failed = json_array_append_new(
			namespaces, json_pack("{s:s}", "type", "user"));
	if (failed) {
		json_decref(namespaces);
		return NULL;
	}
	return namespaces;
}

/* Rootless has no resources: an unprivileged user cannot write to the
 * cgroups a device rule would go to. */
static json_t *default_linux(int rootless)
{
	json_t *section = json_object();
	int failed = 0;

	if (rootless) {
		failed |= set(section, "uidMappings", id_mapping(geteuid()));
		failed |= set(section, "gidMappings", id_mapping(getegid()));
	} else {
		failed |= set(section, "resources",
			      json_pack("{s:[{s:b, s:s}]}", "devices", "allow",
					0, "access", "rwm"));
	}
	failed |= set(section, "namespaces", default_namespace_list(rootless));
	failed |= set(section, "maskedPaths",
		      string_array(default_masked_paths, 0));
	failed |= set(section, "readonlyPaths",
		      string_array(default_readonly_paths, 0));
	if (failed) {
		json_decref(section);
		return NULL;
	}
	return section;
}

/* jansson indents with spaces, Go's json.MarshalIndent (runc) with tabs:
 * dumped one space a level, each leading space becomes a tab. No string
 * holds a raw newline (JSON escapes it), so the spaces at the start of a
 * line are all indentation. */
static char *indent_with_tabs(char *text)
{
	for (char *line = text; *line; line++) {
		while (*line == ' ')
			*line++ = '\t';
		line = strchr(line, '\n');
		if (!line)
			break;
	}
	return text;
}

char *config_default(int rootless)
{
	json_t *spec = json_object();
	char *text = NULL;
	int failed = 0;

	failed |= set(spec, "ociVersion", json_string("1.0.2-dev"));
	failed |= set(spec, "process", default_process());
	failed |= set(spec, "root",
		      json_pack("{s:s, s:b}", "path", "rootfs", "readonly", 1));
	failed |= set(spec, "hostname", json_string("runc"));
	failed |= set(spec, "mounts", default_mount_list(rootless));
	failed |= set(spec, "linux", default_linux(rootless));
	if (!failed)
		text = json_dumps(spec, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	json_decref(spec);
	if (!text) {
		errno = ENOMEM;
		hop_fail(_("build the default config.json"));
		return NULL;
	}
	return indent_with_tabs(text);
}
