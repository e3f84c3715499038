/* bundle.c - config.json from an image config (OCI conversion.md). */
#include "06-layers/bundle.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/hop.h"

/* What `runc spec` writes, less the terminal and with a writable root: the
 * process is filled in from the image. */
static const char template[] =
	"{\"ociVersion\": \"1.0.2\","
	" \"process\": {\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0},"
	"  \"args\": [], \"env\": [], \"cwd\": \"/\","
	"  \"capabilities\": {"
	"   \"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
	"   \"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],"
	"   \"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]},"
	"  \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],"
	"  \"noNewPrivileges\": true},"
	" \"root\": {\"path\": \"rootfs\", \"readonly\": false},"
	" \"hostname\": \"hop\","
	" \"mounts\": ["
	"  {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
	"  {\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\","
	"   \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},"
	"  {\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\","
	"   \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]},"
	"  {\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]},"
	"  {\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},"
	"  {\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},"
	"  {\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": \"cgroup\","
	"   \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}],"
	" \"linux\": {"
	"  \"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},"
	"  \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": \"ipc\"},"
	"   {\"type\": \"uts\"}, {\"type\": \"mount\"}],"
	"  \"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\","
	"   \"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\","
	"   \"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],"
	"  \"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\","
	"   \"/proc/sysrq-trigger\"]}}";

/* Look name up in the root's etc/passwd or etc/group (field 3 is the id;
 * in passwd, field 4 is the group), read beneath rootfd so a symlink in
 * the image cannot point the read elsewhere. */
static int lookup_id(int rootfd, const char *file, const char *name, long *id,
		     long *group)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, rootfd, file, &how, sizeof(how));
	FILE *in = fd < 0 ? NULL : fdopen(fd, "r");
	char line[1024];
	int found = 0;

	if (!in) {
		if (fd >= 0)
			close(fd);
		return hop_refuse(
			_("user '%s': the image has no /%s to look it up in"),
			name, file);
	}
	/* name:password:id:group:... ; a number also matches the id. */
	while (!found && fgets(line, sizeof(line), in)) {
		char *rest = line, *field[4];
		int i;

		for (i = 0; i < 4; i++)
			field[i] = strsep(&rest, ":\n");
		if (!field[2] || (strcmp(field[0], name) != 0 &&
				  strcmp(field[2], name) != 0))
			continue;
		found = hop_parse_long(field[2], 0, 0xfffffffeL, id) == 0;
		if (found && group &&
		    (!field[3] ||
		     hop_parse_long(field[3], 0, 0xfffffffeL, group) < 0))
			*group = 0;
	}
	fclose(in);
	if (!found)
		return hop_refuse(_("user '%s': not in the image's /%s"), name,
				  file);
	return 0;
}

/* "user", "uid", "user:group", "uid:gid" (config.md's User) into ids. */
static int resolve_user(int rootfd, const char *user, json_t *process)
{
	char name[256], *colon;
	long uid = 0, gid = 0;
	int status = 0;

	snprintf(name, sizeof(name), "%s", user);
	colon = strchr(name, ':');
	if (colon)
		*colon++ = '\0';
	if (*name && hop_parse_long(name, 0, 0xfffffffeL, &uid) < 0)
		status = lookup_id(rootfd, "etc/passwd", name, &uid, &gid);
	else if (*name && !colon &&
		 lookup_id(rootfd, "etc/passwd", name, &uid, &gid) < 0)
		gid = 0; /* a number with no passwd entry: group 0, as runc */
	if (status == 0 && colon && *colon &&
	    hop_parse_long(colon, 0, 0xfffffffeL, &gid) < 0)
		status = lookup_id(rootfd, "etc/group", colon, &gid, NULL);
	if (status < 0)
		return -1;
	return json_object_set_new(json_object_get(process, "user"), "uid",
				   json_integer(uid)) |
	       json_object_set_new(json_object_get(process, "user"), "gid",
				   json_integer(gid));
}

/* args: Entrypoint then Cmd, as conversion.md says. */
static int process_args(const json_t *image, json_t *process)
{
	json_t *args = json_array();
	json_t *entrypoint = json_object_get(image, "Entrypoint");
	json_t *cmd = json_object_get(image, "Cmd");

	if (args && json_is_array(entrypoint))
		json_array_extend(args, entrypoint);
	if (args && json_is_array(cmd))
		json_array_extend(args, cmd);
	if (json_array_size(args) == 0) {
		json_decref(args);
		return hop_refuse(_(
			"the image config has neither Entrypoint nor Cmd: no command to run"));
	}
	return json_object_set_new(process, "args", args);
}

json_t *bundle_config(const json_t *image_config, int rootfd)
{
	const json_t *image = json_object_get(image_config, "config");
	const char *cwd =
		json_string_value(json_object_get(image, "WorkingDir"));
	const char *user = json_string_value(json_object_get(image, "User"));
	json_t *env = json_object_get(image, "Env");
	json_error_t error;
	json_t *config = json_loads(template, 0, &error);
	json_t *process = json_object_get(config, "process");

	if (!config) {
		hop_fail_library("bundle template: %s", error.text);
		return NULL;
	}
	if (process_args(image, process) < 0 ||
	    (user && *user && resolve_user(rootfd, user, process) < 0)) {
		json_decref(config);
		return NULL;
	}
	/* With no Env, the PATH every engine gives, or no command is found. */
	if (json_is_array(env) && json_array_size(env) > 0)
		json_object_set(process, "env", env);
	else
		json_array_append_new(
			json_object_get(process, "env"),
			json_string("PATH=/usr/local/sbin:/usr/local/bin:"
				    "/usr/sbin:/usr/bin:/sbin:/bin"));
	if (cwd && *cwd)
		json_object_set_new(process, "cwd", json_string(cwd));
	return config;
}
