/* devices.c - the OCI device rules on cgroup v1 (devices.allow/deny) and v2
 * (a BPF_PROG_TYPE_CGROUP_DEVICE program). See devices.h. */
#include "05-runtime/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "02-cgroups/knob.h"
#include "lib/hop.h"

/* What the kernel reads the license for: whether the program may call
 * GPL-only helpers. Ours calls no helper at all, so any string loads (runc
 * says "Apache", crun "GPL"). */
#define DEVICES_LICENSE "GPL"

/* Room for the verifier's log when a load fails. */
#define VERIFIER_LOG_SIZE 65536

const struct oci_device_rule devices_default_rules[] = {
	{ 1, 'c', -1, -1, "m" },    /* mknod of any char device */
	{ 1, 'b', -1, -1, "m" },    /* and any block device */
	{ 1, 'c', 1, 3, "rwm" },    /* /dev/null */
	{ 1, 'c', 1, 8, "rwm" },    /* /dev/random */
	{ 1, 'c', 1, 7, "rwm" },    /* /dev/full */
	{ 1, 'c', 5, 0, "rwm" },    /* /dev/tty */
	{ 1, 'c', 1, 5, "rwm" },    /* /dev/zero */
	{ 1, 'c', 1, 9, "rwm" },    /* /dev/urandom */
	{ 1, 'c', 136, -1, "rwm" }, /* /dev/pts/N */
	{ 1, 'c', 5, 2, "rwm" },    /* /dev/ptmx */
	{ 1, 'c', 10, 200, "rwm" }, /* /dev/net/tun */
};
const size_t devices_default_count =
	sizeof(devices_default_rules) / sizeof(devices_default_rules[0]);

/* "rwm" as the kernel's BPF_DEVCG_ACC_* bits; -1 for any other letter. */
static int access_mask(const char *access)
{
	int mask = 0;

	for (const char *c = access; *c; c++) {
		switch (*c) {
		case 'r': mask |= BPF_DEVCG_ACC_READ; break;
		case 'w': mask |= BPF_DEVCG_ACC_WRITE; break;
		case 'm': mask |= BPF_DEVCG_ACC_MKNOD; break;
		default: return -1;
		}
	}
	return mask;
}

/* A rule we can turn into both v1 lines and BPF: type a, c or b; rwm
 * letters; numbers -1 or within a BPF immediate (which is a signed 32-bit
 * number: no device number comes near it). */
static int check_rule(const struct oci_device_rule *rule, size_t index)
{
	if (rule->type != 'a' && rule->type != 'c' && rule->type != 'b')
		return hop_refuse(_("device rule %zu: bad type '%c' (a, c or "
				    "b)"),
				  index, rule->type);
	if (access_mask(rule->access) <= 0)
		return hop_refuse(_("device rule %zu: bad access '%.4s' (some "
				    "of r, w and m)"),
				  index, rule->access);
	if (rule->type == 'a') /* its numbers are not read */
		return 0;
	if (rule->major < -1 || rule->major > INT32_MAX || rule->minor < -1 ||
	    rule->minor > INT32_MAX)
		return hop_refuse(_("device rule %zu: bad device number "
				    "%lld:%lld"),
				  index, (long long)rule->major,
				  (long long)rule->minor);
	return 0;
}

static int check_rules(const struct oci_device_rule *rules, size_t count)
{
	if (count > DEVICES_MAX_RULES)
		return hop_refuse(_("%zu device rules: at most %d"), count,
				  DEVICES_MAX_RULES);
	for (size_t i = 0; i < count; i++)
		if (check_rule(&rules[i], i) < 0)
			return -1;
	return 0;
}

static int numbers_match(int64_t want, uint32_t number)
{
	return want == -1 || want == (int64_t)number;
}

/* The decision, access as bits. Rules are read from the last: each one
 * that names the device decides the access bits it lists that no later
 * rule decided. A deny of any asked-for bit denies; allows that cover them
 * all allow; bits no rule decides are denied. devices_program() emits this
 * same loop as BPF. */
static int decide(const struct oci_device_rule *rules, size_t count, char type,
		  uint32_t major, uint32_t minor, int wanted)
{
	for (size_t i = count; i-- > 0;) {
		const struct oci_device_rule *rule = &rules[i];
		int mask = access_mask(rule->access);

		if (rule->type == 'a')
			return rule->allow;
		if (rule->type != type || !numbers_match(rule->major, major) ||
		    !numbers_match(rule->minor, minor))
			continue;
		if (rule->allow) {
			wanted &= ~mask;
			if (!wanted)
				return 1;
		} else if (wanted & mask) {
			return 0;
		}
	}
	return 0;
}

int devices_allowed(const struct oci_device_rule *rules, size_t count,
		    char type, uint32_t major, uint32_t minor,
		    const char *access)
{
	int wanted = access_mask(access);

	if (check_rules(rules, count) < 0)
		return -1;
	if ((type != 'c' && type != 'b') || wanted <= 0)
		return hop_refuse(_("bad device access '%c %s' (c or b; some "
				    "of r, w and m)"),
				  type, access);
	return decide(rules, count, type, major, minor, wanted);
}

/* cgroup v1, as the kernel keeps it (security/device_cgroup.c): a default
 * and a list of exceptions to it, one per type:major:minor. */
struct v1_group {
	int default_allow;
	size_t count;
	struct {
		char type;
		int64_t major, minor;
		int access;
	} exceptions[DEVICES_MAX_RULES];
};

/* One line written to devices.allow or devices.deny. "a" resets the group.
 * A rule that goes with the default removes access from the exception of
 * exactly its type:major:minor (and from no other); one against it adds
 * access to that exception. */
static void v1_write(struct v1_group *group, const struct oci_device_rule *rule)
{
	int mask = access_mask(rule->access);
	size_t i;

	if (rule->type == 'a') {
		group->default_allow = rule->allow;
		group->count = 0;
		return;
	}
	for (i = 0; i < group->count; i++)
		if (group->exceptions[i].type == rule->type &&
		    group->exceptions[i].major == rule->major &&
		    group->exceptions[i].minor == rule->minor)
			break;
	if (rule->allow == group->default_allow) {
		if (i < group->count)
			group->exceptions[i].access &= ~mask;
		if (i < group->count && !group->exceptions[i].access)
			group->exceptions[i] =
				group->exceptions[--group->count];
		return;
	}
	if (i == group->count) {
		group->exceptions[i].type = rule->type;
		group->exceptions[i].major = rule->major;
		group->exceptions[i].minor = rule->minor;
		group->exceptions[i].access = 0;
		group->count++;
	}
	group->exceptions[i].access |= mask;
}

/* The kernel's check: with allow by default, any exception sharing an
 * access bit denies; with deny by default, one exception must hold all of
 * the access asked for. */
static int v1_decide(const struct v1_group *group, char type, uint32_t major,
		     uint32_t minor, int wanted)
{
	for (size_t i = 0; i < group->count; i++) {
		int access = group->exceptions[i].access;

		if (group->exceptions[i].type != type ||
		    !numbers_match(group->exceptions[i].major, major) ||
		    !numbers_match(group->exceptions[i].minor, minor))
			continue;
		if (group->default_allow && (wanted & access))
			return 0;
		if (!group->default_allow && !(wanted & ~access))
			return 1;
	}
	return group->default_allow;
}

static int contains(const uint32_t *numbers, size_t n, uint32_t number)
{
	for (size_t i = 0; i < n; i++)
		if (numbers[i] == number)
			return 1;
	return 0;
}

/* The distinct majors (which == 0) or minors the rules name, and one
 * number they do not name, standing for all the others. */
static size_t named_numbers(const struct oci_device_rule *rules, size_t count,
			    int which, uint32_t *numbers)
{
	size_t n = 0;
	uint32_t spare = 0;

	for (size_t r = 0; r < count; r++) {
		int64_t number = which == 0 ? rules[r].major : rules[r].minor;

		if (rules[r].type != 'a' && number >= 0 &&
		    !contains(numbers, n, (uint32_t)number))
			numbers[n++] = (uint32_t)number;
	}
	while (contains(numbers, n, spare))
		spare++;
	numbers[n++] = spare;
	return n;
}

/* One device access, tried on both the rules and v1. */
struct probe {
	char type;
	uint32_t major, minor;
	int asked;
};

/* What the kernel asks for: mknod(2) asks m; open(2) asks r, w or rw. */
static const int kernel_asks[] = { BPF_DEVCG_ACC_MKNOD, BPF_DEVCG_ACC_READ,
				   BPF_DEVCG_ACC_WRITE,
				   BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE };

/* The first probe where v1 and the rules disagree: 1 and *probe, or 0. */
static int find_difference(const struct oci_device_rule *rules, size_t count,
			   const struct v1_group *group, struct probe *probe)
{
	uint32_t majors[DEVICES_MAX_RULES + 1], minors[DEVICES_MAX_RULES + 1];
	size_t major_count = named_numbers(rules, count, 0, majors);
	size_t minor_count = named_numbers(rules, count, 1, minors);
	size_t asks = sizeof(kernel_asks) / sizeof(kernel_asks[0]);
	size_t total = 2 * asks * major_count * minor_count;

	/* Every type, access, major and minor: i counts in mixed radix. */
	for (size_t i = 0; i < total; i++) {
		probe->type = "cb"[i % 2];
		probe->asked = kernel_asks[i / 2 % asks];
		probe->major = majors[i / 2 / asks % major_count];
		probe->minor = minors[i / 2 / asks / major_count];
		if (decide(rules, count, probe->type, probe->major,
			   probe->minor, probe->asked) !=
		    v1_decide(group, probe->type, probe->major, probe->minor,
			      probe->asked))
			return 1;
	}
	return 0;
}

/* Both decisions depend on a device number only through "equal to a
 * number a rule names", so trying each named number and one other, for
 * each type and for each access the kernel asks, covers every device. */
int devices_check_v1(const struct oci_device_rule *rules, size_t count)
{
	static const char *const names[] = { "",  "m",	"r",  "rm",
					     "w", "wm", "rw", "rwm" };
	struct v1_group group = { 0 }; /* "a" into devices.deny first */
	struct probe probe;
	int allowed;

	if (check_rules(rules, count) < 0)
		return -1;
	for (size_t i = 0; i < count; i++)
		v1_write(&group, &rules[i]);
	if (!find_difference(rules, count, &group, &probe))
		return 0;
	allowed = decide(rules, count, probe.type, probe.major, probe.minor,
			 probe.asked);
	return hop_refuse(_("cgroup v1 cannot enforce these device rules: "
			    "it would %s %c %u:%u %s, which they %s (v1 "
			    "changes an exception only with a rule naming "
			    "exactly the same devices)"),
			  allowed ? _("deny") : _("allow"), probe.type,
			  probe.major, probe.minor, names[probe.asked],
			  allowed ? _("allow") : _("deny"));
}

/* The program, as it is written: where the next instruction goes. */
struct program {
	struct bpf_insn *out;
	size_t max, count;
};

static void emit(struct program *p, uint8_t code, uint8_t dst, uint8_t src,
		 int16_t off, int32_t imm)
{
	if (p->out && p->count < p->max)
		p->out[p->count] = (struct bpf_insn){ .code = code,
						      .dst_reg = dst,
						      .src_reg = src,
						      .off = off,
						      .imm = imm };
	p->count++;
}

/* A conditional jump to end, the first instruction after this block: BPF
 * jump offsets count from the instruction after the jump. */
static void jump_to(struct program *p, uint8_t op, uint8_t reg, int32_t imm,
		    size_t end)
{
	emit(p, BPF_JMP | op | BPF_K, reg, 0, (int16_t)(end - p->count - 1),
	     imm);
}

/* return value; */
static void emit_return(struct program *p, int value)
{
	emit(p, BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, value);
	emit(p, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/* The prologue. The kernel calls the program with R1 pointing at a struct
 * bpf_cgroup_dev_ctx { u32 access_type, major, minor; }: unpack it into
 * R2 = device type (low 16 bits: BPF_DEVCG_DEV_CHAR or _BLOCK),
 * R3 = access asked for (high 16 bits: BPF_DEVCG_ACC_READ|WRITE|MKNOD),
 * R4 = major, R5 = minor. */
static void emit_prologue(struct program *p)
{
	uint8_t load = BPF_LDX | BPF_MEM | BPF_W;

	emit(p, load, BPF_REG_2, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff);
	emit(p, load, BPF_REG_3, BPF_REG_1, 0, 0);
	emit(p, BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16);
	emit(p, load, BPF_REG_4, BPF_REG_1, 4, 0);
	emit(p, load, BPF_REG_5, BPF_REG_1, 8, 0);
}

/* How many instructions emit_rule() writes for a c or b rule. */
static size_t rule_length(const struct oci_device_rule *rule)
{
	return 1 + (rule->major >= 0) + (rule->minor >= 0) +
	       (rule->allow ? 4 : 5);
}

/* One c or b rule: skip to the next block unless the device is of this
 * type and number; then take the rule's access out of R3 (the bits still
 * undecided). */
static void emit_rule(struct program *p, const struct oci_device_rule *rule)
{
	size_t end = p->count + rule_length(rule);
	int mask = access_mask(rule->access);

	jump_to(p, BPF_JNE, BPF_REG_2,
		rule->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK,
		end);
	if (rule->major >= 0)
		jump_to(p, BPF_JNE, BPF_REG_4, (int32_t)rule->major, end);
	if (rule->minor >= 0)
		jump_to(p, BPF_JNE, BPF_REG_5, (int32_t)rule->minor, end);
	if (rule->allow) {
		/* R3 &= ~mask; allowed once no asked-for bit is left. */
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_3, 0, 0, ~mask);
		jump_to(p, BPF_JNE, BPF_REG_3, 0, end);
		emit_return(p, 1);
	} else {
		/* Denied if R3 & mask: R1 (the context, unpacked) is scratch. */
		emit(p, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0);
		emit(p, BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, mask);
		jump_to(p, BPF_JEQ, BPF_REG_1, 0, end);
		emit_return(p, 0);
	}
}

/* The program: the prologue, one block per rule from the last to the
 * first, and "return 0" for what no rule decided. An 'a' rule decides all
 * that is left: it ends the program, as the rules before it could never
 * run (and the verifier refuses instructions that cannot be reached). */
int devices_program(const struct oci_device_rule *rules, size_t count,
		    struct bpf_insn *out, size_t max)
{
	struct program p = { out, max, 0 };
	size_t i;

	if (check_rules(rules, count) < 0)
		return -1;
	emit_prologue(&p);
	for (i = count; i-- > 0;) {
		if (rules[i].type == 'a') {
			emit_return(&p, rules[i].allow);
			break;
		}
		emit_rule(&p, &rules[i]);
	}
	if (i == (size_t)-1)
		emit_return(&p, 0);
	if (out && p.count > max) {
		errno = ENOSPC;
		return hop_fail(_("the device program needs %zu instructions, "
				  "room for %zu"),
				p.count, max);
	}
	return (int)p.count;
}

/* The verifier's reason, the last line of its log that is not the
 * "processed N insns" statistics. */
static const char *verifier_reason(char *log)
{
	char *line = NULL, *next;

	for (char *p = log; *p; p = next) {
		next = p + strcspn(p, "\n");
		if (*next)
			*next++ = '\0';
		if (*p && strncmp(p, "processed ", 10) != 0)
			line = p;
	}
	return line ? line : "";
}

/* bpf(BPF_PROG_LOAD): the fd of the loaded program, or -1. On failure,
 * load again with a log, so the error says what the verifier refused. */
static int load_program(const struct bpf_insn *insns, int count)
{
	union bpf_attr attr;
	char *log;
	int fd, saved;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)count;
	attr.license = (uint64_t)(uintptr_t)DEVICES_LICENSE;
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	hop_explain(fd,
		    "bpf(BPF_PROG_LOAD, {prog_type=BPF_PROG_TYPE_CGROUP_DEVICE,"
		    " insn_cnt=%d, license=\"%s\"}, %zu)",
		    count, DEVICES_LICENSE, sizeof(attr));
	if (fd >= 0)
		return fd;
	saved = errno;
	log = calloc(1, VERIFIER_LOG_SIZE);
	if (log && saved != EPERM) {
		attr.log_level = 1;
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = VERIFIER_LOG_SIZE;
		fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
		if (fd >= 0)
			close(fd); /* loads with a log: keep the first error */
	}
	errno = saved;
	hop_fail(_("load the device program (%d instructions)%s%s"), count,
		 log && *log ? _(": verifier: ") : "",
		 log ? verifier_reason(log) : "");
	free(log);
	return -1;
}

/* bpf(BPF_PROG_ATTACH) of the program to the group. The attachment holds
 * the program: it lives until it is detached or the group is removed. */
static int attach_program(const char *dir, int program)
{
	union bpf_attr attr;
	struct statfs fs;
	int group = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (group < 0)
		return hop_fail(_("open %s"), dir);
	if (fstatfs(group, &fs) < 0 || fs.f_type != CGROUP2_SUPER_MAGIC) {
		close(group);
		errno = EXDEV;
		return hop_fail(_("%s is not on a cgroup2 file system"), dir);
	}
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = (uint32_t)group;
	attr.attach_bpf_fd = (uint32_t)program;
	attr.attach_type = BPF_CGROUP_DEVICE;
	/* MULTI: a parent's programs keep running too, and a device must
	 * pass all of them. */
	attr.attach_flags = BPF_F_ALLOW_MULTI;
	rc = (int)syscall(SYS_bpf, BPF_PROG_ATTACH, &attr, sizeof(attr));
	hop_explain(rc,
		    "bpf(BPF_PROG_ATTACH, {target_fd=%d<%s>, attach_bpf_fd=%d, "
		    "attach_type=BPF_CGROUP_DEVICE, "
		    "attach_flags=BPF_F_ALLOW_MULTI}, %zu)",
		    group, dir, program, sizeof(attr));
	if (rc < 0)
		hop_fail(_("attach the device program to %s"), dir);
	close(group);
	return rc < 0 ? -1 : 0;
}

static int apply_v2(const char *dir, const struct oci_device_rule *rules,
		    size_t count)
{
	int length = devices_program(rules, count, NULL, 0);
	struct bpf_insn *insns;
	int program, rc;

	if (length < 0)
		return -1;
	insns = calloc((size_t)length, sizeof(*insns));
	if (!insns)
		return hop_fail(_("allocate the device program"));
	devices_program(rules, count, insns, (size_t)length);
	hop_step(_("devices: %zu rules as a BPF program of %d instructions"),
		 count, length);
	program = load_program(insns, length);
	free(insns);
	if (program < 0)
		return -1;
	rc = attach_program(dir, program);
	close(program); /* the attachment keeps its own reference */
	return rc;
}

/* "c 1:3 rwm", '*' for any number; "a" alone for all devices. */
static void format_rule(const struct oci_device_rule *rule, char *text,
			size_t size)
{
	char major[24] = "*", minor[24] = "*";

	if (rule->type == 'a') {
		snprintf(text, size, "a");
		return;
	}
	if (rule->major >= 0)
		snprintf(major, sizeof(major), "%lld", (long long)rule->major);
	if (rule->minor >= 0)
		snprintf(minor, sizeof(minor), "%lld", (long long)rule->minor);
	snprintf(text, size, "%c %s:%s %.4s", rule->type, major, minor,
		 rule->access);
}

/* Deny everything (a new group starts with a copy of its parent's list,
 * often "a *:* rwm"), then each rule in order: the kernel's list ends up
 * as devices_check_v1() computed it. A first 'a' rule sets the default
 * itself. */
static int apply_v1(const struct cgroup_hierarchy *h, const char *dir,
		    const struct oci_device_rule *rules, size_t count)
{
	char line[64], note[KNOB_NOTE_SIZE];

	if (devices_check_v1(rules, count) < 0)
		return -1;
	hop_step(_("devices: %zu rules into %s/devices.allow and .deny"), count,
		 dir);
	if ((count == 0 || rules[0].type != 'a') &&
	    knob_set(h, dir, "devices.deny", "a", note) < 0)
		return -1;
	for (size_t i = 0; i < count; i++) {
		format_rule(&rules[i], line, sizeof(line));
		if (knob_set(h, dir,
			     rules[i].allow ? "devices.allow" : "devices.deny",
			     line, note) < 0)
			return hop_wrap(_("device rule %zu"), i);
	}
	return 0;
}

int devices_apply(const struct cgroup_hierarchy *h, const char *dir,
		  const struct oci_device_rule *rules, size_t count)
{
	return h->v2 ? apply_v2(dir, rules, count) :
		       apply_v1(h, dir, rules, count);
}
