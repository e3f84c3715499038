/* test-config.c - day 05's config.json reader: runc's default spec read
 * into flags and masks, each kind of refusal with the JSON path it names,
 * seccomp actions with their errno, hooks, exec --process documents, and
 * config_load on a real bundle directory. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "05-runtime/config.h"
#include "lib/hop.h"
#include "unit.h"

/* Documents are written with ' for ", so that they read as JSON. */
#define HEAD	 "{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, "
#define PROCESS	 "'process': {'args': ['sh'], 'cwd': '/'}"
#define DOC(...) HEAD PROCESS __VA_ARGS__ "}"

static const char *unquote(const char *single_quoted)
{
	static char text[8192];
	char *quote = text;

	snprintf(text, sizeof(text), "%s", single_quoted);
	while ((quote = strchr(quote, '\'')))
		*quote = '"';
	return text;
}

static int parse(const char *single_quoted, struct oci_config *config)
{
	return config_parse(unquote(single_quoted), "config.json", config);
}

/* What a document is refused with, or "(parsed)". */
static const char *refusal(const char *single_quoted)
{
	struct oci_config config;

	if (parse(single_quoted, &config) == 0) {
		config_free(&config);
		return "(parsed)";
	}
	return hop_refused() ? hop_context() : "(not a refusal)";
}

static struct oci_mount *find_mount(struct oci_config *config,
				    const char *destination)
{
	for (size_t i = 0; i < config->mount_count; i++)
		if (strcmp(config->mounts[i].destination, destination) == 0)
			return &config->mounts[i];
	return NULL;
}

/* runc spec's document (rootless: --rootless's), parsed into config. */
static int parse_default(int rootless, struct oci_config *config)
{
	char *text = config_default(rootless);
	int rc = text ? config_parse(text, "config.json", config) : -1;

	free(text);
	return rc;
}

static void test_default_text(void)
{
	const char *start =
		"{\n\t\"ociVersion\": \"1.0.2-dev\",\n\t\"process\": {\n";
	char *text = config_default(0);

	UNIT_CHECK(
		text && strncmp(text, start, strlen(start)) == 0 &&
			text[strlen(text) - 1] == '}',
		"runc spec's text: indented with tabs, no newline at the end");
	free(text);
}

static void test_default_process(void)
{
	const uint64_t caps = 1ULL << CAP_AUDIT_WRITE | 1ULL << CAP_KILL |
			      1ULL << CAP_NET_BIND_SERVICE;
	struct oci_config config;
	int rc = parse_default(0, &config);

	UNIT_CHECK(rc == 0, "runc spec's config.json parses");
	if (rc < 0)
		return;
	UNIT_STREQ(config.oci_version, "1.0.2-dev", "ociVersion as runc 1.1.5");
	UNIT_CHECK(config.process.terminal && config.process.uid == 0 &&
			   config.process.umask == -1 &&
			   strcmp(config.process.args[0], "sh") == 0 &&
			   !config.process.args[1] && config.process.env[1] &&
			   !config.process.env[2],
		   "process: a terminal, root, sh, two variables, no umask");
	UNIT_CHECK(config.process.has_capabilities &&
			   config.process.capabilities.bounding == caps &&
			   config.process.capabilities.effective == caps &&
			   config.process.capabilities.permitted == caps &&
			   config.process.capabilities.ambient == caps &&
			   config.process.capabilities.inheritable == 0,
		   "AUDIT_WRITE, KILL, NET_BIND_SERVICE in four sets, not "
		   "inheritable");
	UNIT_CHECK(config.process.rlimit_count == 1 &&
			   config.process.rlimits[0].resource ==
				   RLIMIT_NOFILE &&
			   config.process.rlimits[0].soft == 1024 &&
			   config.process.rlimits[0].hard == 1024 &&
			   config.process.no_new_privileges,
		   "RLIMIT_NOFILE 1024/1024 and noNewPrivileges");
	UNIT_CHECK(strcmp(config.root_path, "rootfs") == 0 &&
			   config.root_readonly &&
			   strcmp(config.hostname, "runc") == 0,
		   "root rootfs read-only, hostname runc");
	config_free(&config);
}

static void test_default_mounts(void)
{
	struct oci_config config;
	struct oci_mount *m;

	if (parse_default(0, &config) < 0)
		return;
	m = find_mount(&config, "/dev/pts");
	UNIT_CHECK(config.mount_count == 7 && m &&
			   m->flags == (MS_NOSUID | MS_NOEXEC) &&
			   strcmp(m->type, "devpts") == 0 && m->data,
		   "/dev/pts: MS_NOSUID|MS_NOEXEC");
	UNIT_STREQ(m && m->data ? m->data : "",
		   "newinstance,ptmxmode=0666,mode=0620,gid=5",
		   "/dev/pts: the rest is data for devpts");
	m = find_mount(&config, "/dev");
	UNIT_CHECK(m && m->flags == (MS_NOSUID | MS_STRICTATIME) && m->data &&
			   strcmp(m->data, "mode=755,size=65536k") == 0,
		   "/dev: MS_NOSUID|MS_STRICTATIME, mode=755,size=65536k");
	m = find_mount(&config, "/proc");
	UNIT_CHECK(m && m->flags == 0 && !m->data && m->propagation == 0,
		   "/proc: no flags, no data");
	m = find_mount(&config, "/sys/fs/cgroup");
	UNIT_CHECK(m && m->flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV |
				     MS_RELATIME | MS_RDONLY),
		   "/sys/fs/cgroup: ro and relatime are flags");
	UNIT_CHECK(config.namespace_count == 5 &&
			   config.clone_flags ==
				   (CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
				    CLONE_NEWUTS | CLONE_NEWNS),
		   "five new namespaces, as clone flags");
	UNIT_CHECK(config.has_resources && config.resources.device_count == 1 &&
			   !config.resources.devices[0].allow &&
			   config.resources.devices[0].type == 'a' &&
			   config.resources.devices[0].major == -1 &&
			   strcmp(config.resources.devices[0].access, "rwm") ==
				   0,
		   "one device rule: deny all, rwm");
	UNIT_CHECK(config.masked_paths[9] && !config.masked_paths[10] &&
			   config.readonly_paths[4] &&
			   !config.readonly_paths[5] && !config.seccomp &&
			   config.uid_mapping_count == 0,
		   "ten masked paths, five read-only, no seccomp, no maps");
	config_free(&config);
}

static void test_default_rootless(void)
{
	struct oci_config config;
	struct oci_mount *m;
	int rc = parse_default(1, &config);

	UNIT_CHECK(rc == 0, "runc spec --rootless's config.json parses");
	if (rc < 0)
		return;
	UNIT_CHECK(config.clone_flags ==
			   (CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
			    CLONE_NEWNS | CLONE_NEWUSER),
		   "rootless: a user namespace, and no network namespace");
	UNIT_CHECK(config.uid_mapping_count == 1 &&
			   config.uid_mappings[0].container_id == 0 &&
			   config.uid_mappings[0].host_id == geteuid() &&
			   config.uid_mappings[0].size == 1 &&
			   config.gid_mappings[0].host_id == getegid(),
		   "rootless: root in the container is our own uid and gid");
	m = find_mount(&config, "/sys");
	UNIT_CHECK(m && strcmp(m->type, "bind") == 0 &&
			   m->flags == (MS_BIND | MS_REC | MS_NOSUID |
					MS_NOEXEC | MS_NODEV | MS_RDONLY),
		   "rootless: /sys is an rbind, its type 'none' becomes bind");
	m = find_mount(&config, "/dev/pts");
	UNIT_CHECK(m && m->data &&
			   strcmp(m->data,
				  "newinstance,ptmxmode=0666,mode=0620") == 0,
		   "rootless: devpts without gid=5");
	UNIT_CHECK(!config.has_resources, "rootless: no resources");
	config_free(&config);
}

/* Each document, and the refusal it must get, word for word. */
static const struct {
	const char *document, *want;
} refusals[] = {
	{ HEAD "'process': {'args': 'sh', 'cwd': '/'}}",
	  "config.json: .process.args: expected an array of strings" },
	{ HEAD "'process': {'cwd': '/'}}",
	  "config.json: .process.args: missing; it is required" },
	{ HEAD "'process': {'args': [], 'cwd': '/'}}",
	  "config.json: .process.args: must not be empty: args[0] is "
	  "the program to run" },
	{ HEAD "'process': {'args': ['sh', 1], 'cwd': '/'}}",
	  "config.json: .process.args[1]: expected a string" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': 'tmp'}}",
	  "config.json: .process.cwd: must be an absolute path" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', "
	       "'env': ['A=1', 'FOO']}}",
	  "config.json: .process.env[1]: 'FOO' is not KEY=VALUE" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', "
	       "'user': {'uid': -1}}}",
	  "config.json: .process.user.uid: -1 is out of range (0 to "
	  "4294967294)" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', 'capabilities': "
	       "{'bounding': ['CAP_KILL', 'CAP_FOO']}}}",
	  "config.json: .process.capabilities.bounding[1]: unknown "
	  "capability 'CAP_FOO'" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', 'capabilities': "
	       "{'ambient': ['kill']}}}",
	  "config.json: .process.capabilities.ambient[0]: unknown "
	  "capability 'kill'" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', 'rlimits': "
	       "[{'type': 'RLIMIT_FOO', 'soft': 1, 'hard': 1}]}}",
	  "config.json: .process.rlimits[0].type: unknown rlimit type "
	  "'RLIMIT_FOO'" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', 'rlimits': "
	       "[{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1}, "
	       "{'type': 'RLIMIT_NOFILE', 'soft': 2, 'hard': 2}]}}",
	  "config.json: .process.rlimits[1].type: 'RLIMIT_NOFILE' "
	  "given twice" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', 'rlimits': "
	       "[{'type': 'RLIMIT_NOFILE', 'soft': 2048, 'hard': 1024}]}}",
	  "config.json: .process.rlimits[0]: soft limit 2048 is above "
	  "hard limit 1024" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', 'rlimits': "
	       "[{'type': 'RLIMIT_CORE', 'soft': 1}]}}",
	  "config.json: .process.rlimits[0].hard: missing; it is "
	  "required" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', "
	       "'oomScoreAdj': 1001}}",
	  "config.json: .process.oomScoreAdj: 1001 is out of range "
	  "(-1000 to 1000)" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', "
	       "'apparmorProfile': 'docker-default'}}",
	  "config.json: .process.apparmorProfile: not supported by "
	  "mini-runc" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', "
	       "'selinuxLabel': 'system_u:system_r:container_t:s0'}}",
	  "config.json: .process.selinuxLabel: not supported by "
	  "mini-runc" },
	{ HEAD "'process': {'args': ['sh'], 'cwd': '/', "
	       "'scheduler': {'policy': 'SCHED_FIFO'}}}",
	  "config.json: .process.scheduler: not supported by mini-runc" },
	{ DOC(", 'linux': {'intelRdt': {'closID': 'x'}}"),
	  "config.json: .linux.intelRdt: not supported by mini-runc" },
	{ DOC(", 'linux': {'personality': {'domain': 'LINUX32'}}"),
	  "config.json: .linux.personality: not supported by mini-runc" },
	{ "{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}}",
	  "config.json: .process: missing; it is required" },
	{ "{'ociVersion': '1.0.2', " PROCESS "}",
	  "config.json: .root: missing; it is required" },
	{ "{'ociVersion': 1, 'root': {'path': 'rootfs'}, " PROCESS "}",
	  "config.json: .ociVersion: expected a string" },
	{ "{'ociVersion': '1', 'root': {'path': ''}, " PROCESS "}",
	  "config.json: .root.path: must not be empty" },
	{ "['not', 'an', 'object']",
	  "config.json: expected a JSON object, {...}" },
	{ DOC(", 'mounts': [{'destination': '/proc', 'type': 'proc'}, "
	      "{'destination': 'tmp', 'type': 'tmpfs'}]"),
	  "config.json: .mounts[1].destination: must be an absolute "
	  "path" },
	{ DOC(", 'mounts': [{'destination': '/x', 'source': 'x'}]"),
	  "config.json: .mounts[0].type: missing; it is required "
	  "unless the mount is a bind mount (option bind or rbind)" },
	{ DOC(", 'mounts': [{'destination': '/x', 'options': ['bind']}]"),
	  "config.json: .mounts[0].source: missing; a bind mount needs "
	  "one" },
	{ DOC(", 'mounts': [{'destination': '/x', 'source': '/y', "
	      "'options': ['rbind', 'rro']}]"),
	  "config.json: .mounts[0].options[1]: 'rro' not supported by "
	  "mini-runc" },
	{ DOC(", 'mounts': [{'destination': '/x', 'source': '/y', "
	      "'options': ['rbind', 'tmpcopyup']}]"),
	  "config.json: .mounts[0].options: tmpcopyup is for tmpfs mounts "
	  "only" },
	{ DOC(", 'mounts': [{'destination': '/x', 'type': 'proc', "
	      "'options': ['tmpcopyup']}]"),
	  "config.json: .mounts[0].options: tmpcopyup is for tmpfs mounts "
	  "only" },
	{ DOC(", 'linux': {'namespaces': [{'type': 'pid'}, "
	      "{'type': 'uts'}, {'type': 'foo'}]}"),
	  "config.json: .linux.namespaces[2].type: unknown namespace "
	  "type 'foo'" },
	{ DOC(", 'linux': {'namespaces': [{'type': 'network'}, "
	      "{'type': 'network', 'path': '/proc/1/ns/net'}]}"),
	  "config.json: .linux.namespaces[1].type: namespace type "
	  "'network' given twice" },
	{ DOC(", 'linux': {'namespaces': [{'type': 'ipc', "
	      "'path': 'ns/ipc'}]}"),
	  "config.json: .linux.namespaces[0].path: must be an absolute "
	  "path" },
	{ DOC(", 'linux': {'uidMappings': [{'containerID': 0, "
	      "'hostID': 1000, 'size': 0}]}"),
	  "config.json: .linux.uidMappings[0].size: 0 is out of range "
	  "(1 to 4294967295)" },
	{ DOC(", 'linux': {'resources': {'devices': [{'allow': true, "
	      "'access': 'rwx'}]}}"),
	  "config.json: .linux.resources.devices[0].access: 'rwx' is "
	  "not a subset of \"rwm\"" },
	{ DOC(", 'linux': {'resources': {'devices': [{'access': 'r'}]}}"),
	  "config.json: .linux.resources.devices[0].allow: missing; it "
	  "is required" },
	{ DOC(", 'linux': {'resources': {'memory': "
	      "{'reservation': -1}}}"),
	  "config.json: .linux.resources.memory.reservation: -1 is out "
	  "of range (0 to 9223372036854775807)" },
	{ DOC(", 'linux': {'maskedPaths': ['/proc/kcore', 'proc']}"),
	  "config.json: .linux.maskedPaths[1]: must be an absolute path" },
	{ DOC(", 'linux': {'sysctl': {'net.ipv4.ip_forward': 1}}"),
	  "config.json: .linux.sysctl[\"net.ipv4.ip_forward\"]: "
	  "expected a string" },
	{ DOC(", 'linux': {'rootfsPropagation': 'rprivat'}"),
	  "config.json: .linux.rootfsPropagation: unknown propagation "
	  "'rprivat'" },
	{ DOC(", 'hooks': {'poststop': [{'path': 'bin/true'}]}"),
	  "config.json: .hooks.poststop[0].path: must be an absolute "
	  "path" },
	{ DOC(", 'hooks': {'createRuntime': [{'path': '/bin/true', "
	      "'timeout': 0}]}"),
	  "config.json: .hooks.createRuntime[0].timeout: 0 is out of "
	  "range (1 to 2147483647)" },
	{ DOC(", 'annotations': {'a': 1}"),
	  "config.json: .annotations[\"a\"]: expected a string" },
	{ DOC(", 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_TRACE', "
	      "'defaultErrnoRet': 1}}"),
	  "(parsed)" }, /* TRACE takes an errno too */
	{ DOC(", 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_DENY'}}"),
	  "config.json: .linux.seccomp.defaultAction: unknown seccomp action "
	  "'SCMP_ACT_DENY'" },
	{ DOC(", 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', "
	      "'syscalls': [{'names': ['kill'], 'action': 'SCMP_ACT_ALLOW', "
	      "'errnoRet': 1}]}}"),
	  "config.json: .linux.seccomp.syscalls[0].errnoRet: 'SCMP_ACT_ALLOW' "
	  "returns no errno" },
	{ DOC(", 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', "
	      "'architectures': ['SCMP_ARCH_Z80']}}"),
	  "config.json: .linux.seccomp.architectures[0]: unknown architecture "
	  "'SCMP_ARCH_Z80'" },
	{ DOC(", 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', "
	      "'listenerPath': '/run/agent.sock'}}"),
	  "config.json: .linux.seccomp.listenerPath: not supported by "
	  "mini-runc" },
	{ DOC(", 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', "
	      "'flags': ['SCMP_FILTER_FLAG_NEW_LISTENER']}}"),
	  "config.json: .linux.seccomp.flags[0]: "
	  "'SCMP_FILTER_FLAG_NEW_LISTENER' not supported by mini-runc" },
	{ DOC(", 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW', "
	      "'syscalls': [{'names': ['kill'], 'action': 'SCMP_ACT_KILL', "
	      "'args': [{'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}}"),
	  "config.json: .linux.seccomp.syscalls[0].args[0].index: 6 is out of "
	  "range (0 to 5)" },
	{ DOC(", 'terminal': 'yes'"), "(parsed)" }, /* top level: unknown */
};

static void test_refusals(void)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		UNIT_STREQ(refusal(refusals[i].document), refusals[i].want,
			   "refused with: %s", refusals[i].want);
	UNIT_CHECK(parse(HEAD "'process': {'cwd': '/'}}",
			 &(struct oci_config){ 0 }) < 0 &&
			   errno == EINVAL &&
			   hop_error_kind() == HOP_ERROR_REFUSED,
		   "a refusal is EINVAL, of the refused kind");
}

static void test_seccomp(void)
{
	struct oci_config config;
	struct oci_seccomp *s;
	int rc = parse(DOC(", 'linux': {'seccomp': {"
			   "'defaultAction': 'SCMP_ACT_ERRNO', "
			   "'architectures': ['SCMP_ARCH_X86_64', "
			   "'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64'], "
			   "'flags': ['SCMP_FILTER_FLAG_LOG'], "
			   "'syscalls': [{'names': ['getcwd', 'chmod'], "
			   "'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38}, "
			   "{'names': ['personality'], "
			   "'action': 'SCMP_ACT_ALLOW', 'args': [{'index': 0, "
			   "'value': 8, 'valueTwo': 255, "
			   "'op': 'SCMP_CMP_MASKED_EQ'}]}]}}"),
		       &config);

	s = rc == 0 ? config.seccomp : NULL;
	UNIT_CHECK(s, "a seccomp section parses");
	if (!s)
		return;
	UNIT_CHECK(s->default_action == SCMP_ACT_ERRNO(EPERM),
		   "defaultAction ERRNO without errnoRet returns EPERM");
	UNIT_CHECK(s->architecture_count == 3 &&
			   s->architectures[0] == SCMP_ARCH_X86_64 &&
			   s->architectures[1] == SCMP_ARCH_X86 &&
			   s->architectures[2] == SCMP_ARCH_AARCH64,
		   "architectures are libseccomp's tokens");
	UNIT_CHECK(s->flags == SECCOMP_FILTER_FLAG_LOG, "flag LOG kept");
	UNIT_CHECK(s->rule_count == 2 &&
			   s->rules[0].action == SCMP_ACT_ERRNO(38) &&
			   strcmp(s->rules[0].names[1], "chmod") == 0 &&
			   !s->rules[0].names[2] && s->rules[0].arg_count == 0,
		   "a rule: SCMP_ACT_ERRNO(38) for getcwd and chmod");
	UNIT_CHECK(s->rules[1].action == SCMP_ACT_ALLOW &&
			   s->rules[1].arg_count == 1 &&
			   s->rules[1].args[0].index == 0 &&
			   s->rules[1].args[0].value == 8 &&
			   s->rules[1].args[0].value_two == 255 &&
			   s->rules[1].args[0].op == SCMP_CMP_MASKED_EQ,
		   "an argument comparison: arg0 & 255 == 8");
	config_free(&config);
}

static void test_mounts_namespaces(void)
{
	struct oci_config config;
	int rc = parse(DOC(", 'mounts': ["
			   "{'destination': '/a', 'source': '/h', "
			   "'options': ['rbind', 'ro', 'rw', 'rprivate']}, "
			   "{'destination': '/b', 'type': 'bind', "
			   "'source': 'data'}, "
			   "{'destination': '/run', 'type': 'tmpfs', "
			   "'source': 'tmpfs', 'options': ['tmpcopyup', "
			   "'nosuid', 'size=64k']}], "
			   "'linux': {'namespaces': [{'type': 'pid'}, "
			   "{'type': 'network', 'path': '/proc/1/ns/net'}, "
			   "{'type': 'time'}]}"),
		       &config);

	UNIT_CHECK(rc == 0, "bind mounts and a joined namespace parse");
	if (rc < 0)
		return;
	UNIT_CHECK(config.mounts[0].flags == (MS_BIND | MS_REC) &&
			   config.mounts[0].clear_flags == MS_RDONLY &&
			   config.mounts[0].propagation ==
				   (MS_PRIVATE | MS_REC) &&
			   !config.mounts[0].data &&
			   strcmp(config.mounts[0].type, "bind") == 0,
		   "rbind: MS_BIND|MS_REC; the last of ro/rw wins; rprivate");
	UNIT_CHECK(config.mounts[1].flags == MS_BIND,
		   "type bind alone makes a bind mount");
	UNIT_CHECK(config.mounts[2].copy_up && !config.mounts[1].copy_up &&
			   config.mounts[2].flags == MS_NOSUID &&
			   strcmp(config.mounts[2].data, "size=64k") == 0,
		   "tmpcopyup is a flag of ours, not mount data");
	UNIT_CHECK(config.namespace_count == 3 &&
			   config.namespaces[1].type == CLONE_NEWNET &&
			   strcmp(config.namespaces[1].path,
				  "/proc/1/ns/net") == 0 &&
			   !config.namespaces[0].path,
		   "a namespace with a path is joined");
	UNIT_CHECK(config.clone_flags == (CLONE_NEWPID | CLONE_NEWTIME),
		   "clone flags: only the namespaces made new");
	config_free(&config);
}

static void test_process_and_more(void)
{
	struct oci_config config;
	int rc = parse(HEAD
		       "'process': {'args': ['sh'], 'cwd': '/', "
		       "'user': {'uid': 1000, 'gid': 100, 'umask': 18, "
		       "'additionalGids': [10, 20]}, 'apparmorProfile': '', "
		       "'oomScoreAdj': -500, 'futureField': {'x': 1}}, "
		       "'hostname': null, 'futureTop': [1, 2], "
		       "'hooks': {'createRuntime': [{'path': '/bin/b'}], "
		       "'prestart': [{'path': '/bin/a', 'args': ['a', '-x'], "
		       "'env': ['K=V'], 'timeout': 5}]}, "
		       "'annotations': {'org.example': 'yes'}, "
		       "'linux': {'resources': {'memory': {'limit': -1, "
		       "'swap': 1048576}, 'pids': {'limit': 64}, "
		       "'unified': {'memory.high': '1M'}}, "
		       "'sysctl': {'net.ipv4.ip_forward': '1'}, "
		       "'mountLabel': '', 'cgroupsPath': '/hop/c1'}}",
		       &config);

	UNIT_CHECK(rc == 0, "unknown fields and empty labels are ignored");
	if (rc < 0) {
		printf("#   %s\n", hop_context());
		return;
	}
	UNIT_CHECK(config.process.uid == 1000 && config.process.gid == 100 &&
			   config.process.umask == 022 &&
			   config.process.additional_gid_count == 2 &&
			   config.process.additional_gids[1] == 20 &&
			   config.process.has_oom_score_adj &&
			   config.process.oom_score_adj == -500 &&
			   !config.hostname && config.process.env &&
			   !config.process.env[0],
		   "user, umask, groups, oomScoreAdj; null is absent");
	UNIT_CHECK(
		config.hook_count[OCI_HOOK_CREATE_RUNTIME] == 2 &&
			strcmp(config.hooks[OCI_HOOK_CREATE_RUNTIME][0].path,
			       "/bin/a") == 0 &&
			config.hooks[OCI_HOOK_CREATE_RUNTIME][0].timeout == 5 &&
			strcmp(config.hooks[OCI_HOOK_CREATE_RUNTIME][0].args[1],
			       "-x") == 0 &&
			!config.hooks[OCI_HOOK_CREATE_RUNTIME][1].args &&
			!config.hooks[OCI_HOOK_CREATE_RUNTIME][1].env,
		"prestart runs as the first createRuntime hook");
	UNIT_CHECK(config.resources.has_memory_limit &&
			   config.resources.memory_limit == -1 &&
			   config.resources.memory_swap == 1048576 &&
			   !config.resources.has_memory_reservation &&
			   config.resources.has_pids_limit &&
			   config.resources.pids_limit == 64 &&
			   !config.resources.has_cpu_quota,
		   "memory limit -1 (unlimited), swap, pids");
	UNIT_CHECK(config.sysctl_count == 1 &&
			   strcmp(config.sysctl[0].key,
				  "net.ipv4.ip_forward") == 0 &&
			   strcmp(config.sysctl[0].value, "1") == 0 &&
			   strcmp(config.cgroups_path, "/hop/c1") == 0 &&
			   config.annotations,
		   "sysctl, cgroupsPath and annotations kept");
	config_free(&config);
}

static void test_malformed(void)
{
	struct oci_config config;
	const char *want = "config.json: line 3, column ";

	UNIT_CHECK(config_parse("{\n  \"ociVersion\": \"1.0.2\",\n"
				"  \"root\" {}\n}",
				"config.json", &config) < 0 &&
			   hop_error_kind() == HOP_ERROR_LIBRARY,
		   "a syntax error is jansson's to tell");
	UNIT_CHECK(strncmp(hop_context(), want, strlen(want)) == 0,
		   "it names line and column: %s", hop_context());
	UNIT_CHECK(parse("{'ociVersion': '1', 'ociVersion': '2'}", &config) <
				   0 &&
			   strstr(hop_context(), "duplicate object key"),
		   "a key given twice is refused by jansson");
	UNIT_CHECK(config.json == NULL && config.mounts == NULL,
		   "nothing is left in a config that failed");
}

static void test_process_document(void)
{
	struct oci_process process;
	void *json;
	int rc = config_parse_process(
		unquote("{'args': ['ps', 'aux'], 'cwd': '/tmp', 'env': "
			"['PATH=/bin'], 'capabilities': {'effective': "
			"['CAP_SYS_ADMIN']}}"),
		"process.json", &process, &json);

	UNIT_CHECK(rc == 0 && json && strcmp(process.args[1], "aux") == 0 &&
			   strcmp(process.cwd, "/tmp") == 0 &&
			   process.capabilities.effective ==
				   1ULL << CAP_SYS_ADMIN,
		   "exec --process: a process document alone");
	config_free_process(&process);
	config_free_json(json);
	rc = config_parse_process(unquote("{'args': 'ps', 'cwd': '/'}"),
				  "process.json", &process, &json);
	UNIT_CHECK(rc < 0 && !json, "a bad process document is refused");
	UNIT_STREQ(hop_context(),
		   "process.json: .args: expected an array of strings",
		   "its paths start at the document");
	rc = config_parse_process(unquote("{'args': ['ps'], 'cwd': '/', "
					  "'ioPriority': {'class': 'x'}}"),
				  "process.json", &process, &json);
	UNIT_STREQ(rc < 0 ? hop_context() : "(parsed)",
		   "process.json: .ioPriority: not supported by mini-runc",
		   "exec --process refuses what create refuses");
}

static void test_load(void)
{
	char dir[] = "/tmp/hop-test-config.XXXXXX", path[64], missing[80];
	struct oci_config config;
	char *text = config_default(0);
	FILE *file;
	int rc;

	if (!mkdtemp(dir) || !text) {
		UNIT_CHECK(0, "make a bundle in /tmp");
		free(text);
		return;
	}
	snprintf(path, sizeof(path), "%s/config.json", dir);
	file = fopen(path, "w");
	fputs(text, file);
	fclose(file);
	rc = config_load(dir, &config);
	UNIT_CHECK(rc == 0 && config.mount_count == 7,
		   "config_load reads BUNDLE/config.json");
	config_free(&config);

	snprintf(missing, sizeof(missing), "%s/none", dir);
	UNIT_CHECK(config_load(missing, &config) < 0 && errno == ENOENT &&
			   hop_error_kind() == HOP_ERROR_SYSTEM,
		   "a bundle without config.json: ENOENT");
	snprintf(missing, sizeof(missing), "%s/none/config.json", dir);
	UNIT_STREQ(hop_context(), missing, "the context is the file's path");

	file = fopen(path, "w");
	for (int i = 0; i < (4 << 20) / 4096 + 1; i++)
		fprintf(file, "%4095s\n", "");
	fclose(file);
	UNIT_CHECK(config_load(dir, &config) < 0 && hop_refused() &&
			   strstr(hop_context(), "larger than 4 MiB"),
		   "a config.json over 4 MiB is refused unread");
	unlink(path);
	rmdir(dir);
	free(text);
}

int main(void)
{
	unit_name = "config";
	test_default_text();
	test_default_process();
	test_default_mounts();
	test_default_rootless();
	test_refusals();
	test_seccomp();
	test_mounts_namespaces();
	test_process_and_more();
	test_malformed();
	test_process_document();
	test_load();
	UNIT_DONE();
}
