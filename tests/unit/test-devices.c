/* test-devices.c - day 05's device rules: runc's default list, the
 * decisions of devices_allowed(), the v1 check, the BPF program's size and
 * shape, and, as root, that the kernel's verifier loads it. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "05-runtime/devices.h"
#include "lib/hop.h"
#include "unit.h"

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

/* The rules, then runc's defaults after them, as a runtime applies them. */
static size_t with_defaults(const struct oci_device_rule *rules, size_t count,
			    struct oci_device_rule *out)
{
	memcpy(out, rules, count * sizeof(*rules));
	memcpy(out + count, devices_default_rules,
	       devices_default_count * sizeof(*rules));
	return count + devices_default_count;
}

static void test_defaults(void)
{
	static const struct {
		int allowed;
		char type;
		uint32_t major, minor;
		const char *access;
	} cases[] = {
		{ 1, 'c', 1, 3, "rw" },	   /* null */
		{ 1, 'c', 1, 5, "r" },	   /* zero */
		{ 1, 'c', 1, 7, "w" },	   /* full */
		{ 1, 'c', 1, 8, "r" },	   /* random */
		{ 1, 'c', 1, 9, "r" },	   /* urandom */
		{ 1, 'c', 5, 0, "rw" },	   /* tty */
		{ 1, 'c', 5, 2, "rw" },	   /* ptmx */
		{ 1, 'c', 136, 7, "rw" },  /* /dev/pts/7 */
		{ 1, 'c', 10, 200, "rw" }, /* tun */
		{ 1, 'c', 4, 1, "m" },	   /* mknod of any char device */
		{ 1, 'b', 8, 0, "m" },	   /* and any block device */
		{ 0, 'b', 8, 0, "r" },	   /* but not opening a disk */
		{ 0, 'c', 1, 1, "r" },	   /* /dev/mem */
		{ 0, 'c', 5, 1, "rw" },	   /* console: gone since runc 1.0 */
		{ 0, 'c', 10, 229, "rw" }, /* fuse */
		{ 0, 'b', 1, 3, "rw" },	   /* the type counts: not null */
	};

	UNIT_CHECK(devices_default_count == 11, "runc 1.1 allows 11 devices");
	for (size_t i = 0; i < COUNT(cases); i++)
		UNIT_CHECK(devices_allowed(devices_default_rules,
					   devices_default_count, cases[i].type,
					   cases[i].major, cases[i].minor,
					   cases[i].access) == cases[i].allowed,
			   "defaults %s %c %u:%u %s",
			   cases[i].allowed ? "allow" : "deny", cases[i].type,
			   cases[i].major, cases[i].minor, cases[i].access);
}

/* What a rule list decides for one access. */
struct decision {
	const char *what;
	struct {
		int allowed;
		char type;
		uint32_t major, minor;
		const char *access;
	} expect;
	struct oci_device_rule rules[4]; /* up to the first of type 0 */
};

static const struct decision decisions[] = {
	{ "no rule: denied", { 0, 'c', 1, 3, "r" }, { { 0 } } },
	{ "the last match wins (deny)",
	  { 0, 'c', 1, 3, "r" },
	  { { 1, 'c', 1, 3, "rwm" }, { 0, 'c', 1, 3, "rwm" } } },
	{ "the last match wins (allow)",
	  { 1, 'c', 1, 3, "r" },
	  { { 0, 'c', 1, 3, "rwm" }, { 1, 'c', 1, 3, "rwm" } } },
	{ "deny w leaves r",
	  { 1, 'c', 1, 3, "r" },
	  { { 1, 'c', 1, 3, "rwm" }, { 0, 'c', 1, 3, "w" } } },
	{ "deny w denies w",
	  { 0, 'c', 1, 3, "w" },
	  { { 1, 'c', 1, 3, "rwm" }, { 0, 'c', 1, 3, "w" } } },
	/* A subset test ("rw" within "w"?) would skip the deny and allow. */
	{ "deny w denies O_RDWR",
	  { 0, 'c', 1, 3, "rw" },
	  { { 1, 'c', 1, 3, "rwm" }, { 0, 'c', 1, 3, "w" } } },
	{ "r and w from two rules",
	  { 1, 'c', 1, 3, "rw" },
	  { { 1, 'c', 1, 3, "r" }, { 1, 'c', 1, 3, "w" } } },
	{ "allow r is not w", { 0, 'c', 1, 3, "w" }, { { 1, 'c', 1, 3, "r" } } },
	{ "any minor", { 1, 'c', 1, 9, "r" }, { { 1, 'c', 1, -1, "r" } } },
	{ "any minor, not any major",
	  { 0, 'c', 2, 9, "r" },
	  { { 1, 'c', 1, -1, "r" } } },
	{ "any major", { 1, 'c', 7, 3, "rw" }, { { 1, 'c', -1, 3, "rw" } } },
	{ "c is not b", { 0, 'b', 1, 3, "r" }, { { 1, 'c', -1, -1, "rwm" } } },
	{ "allow a: everything",
	  { 1, 'b', 8, 0, "rw" },
	  { { 1, 'a', -1, -1, "rwm" } } },
	{ "a deny after allows",
	  { 0, 'c', 1, 3, "r" },
	  { { 1, 'c', 1, 3, "rwm" }, { 0, 'a', -1, -1, "rwm" } } },
	{ "allow a, then deny w",
	  { 1, 'c', 1, 7, "r" },
	  { { 1, 'a', -1, -1, "rwm" }, { 0, 'c', 1, 7, "w" } } },
	{ "an 'a' rule is all access, whatever it says",
	  { 1, 'c', 1, 3, "r" },
	  { { 0, 'c', 1, 3, "rwm" }, { 1, 'a', -1, -1, "m" } } },
	{ "a deny inside a wildcard allow",
	  { 0, 'c', 1, 7, "w" },
	  { { 1, 'c', 1, -1, "rwm" }, { 0, 'c', 1, 7, "w" } } },
};

static size_t rule_count(const struct decision *d)
{
	size_t count = 0;

	while (count < COUNT(d->rules) && d->rules[count].type)
		count++;
	return count;
}

static void test_decisions(void)
{
	for (size_t i = 0; i < COUNT(decisions); i++) {
		const struct decision *d = &decisions[i];
		int allowed = devices_allowed(d->rules, rule_count(d),
					      d->expect.type, d->expect.major,
					      d->expect.minor,
					      d->expect.access);

		UNIT_CHECK(allowed == d->expect.allowed, "%s: %c %u:%u %s %s",
			   d->what, d->expect.type, d->expect.major,
			   d->expect.minor, d->expect.access,
			   d->expect.allowed ? "allowed" : "denied");
	}
}

static void test_refusals(void)
{
	static const struct {
		const char *what;
		struct oci_device_rule rule;
	} bad[] = {
		{ "type p", { 1, 'p', 1, 3, "rwm" } },
		{ "access x", { 1, 'c', 1, 3, "rwx" } },
		{ "empty access", { 1, 'c', 1, 3, "" } },
		{ "an 'a' rule with access x", { 1, 'a', -1, -1, "x" } },
		{ "major below -1", { 1, 'c', -2, 3, "r" } },
		{ "minor past 32 bits", { 1, 'c', 1, 1LL << 32, "r" } },
		{ "major past a BPF immediate", { 1, 'c', 1LL << 31, 3, "r" } },
	};
	static struct oci_device_rule many[DEVICES_MAX_RULES + 1];
	struct bpf_insn insns[64];

	for (size_t i = 0; i < COUNT(bad); i++) {
		errno = 0;
		UNIT_CHECK(devices_program(&bad[i].rule, 1, insns,
					   COUNT(insns)) < 0 &&
				   errno == EINVAL && hop_refused() &&
				   devices_check_v1(&bad[i].rule, 1) < 0 &&
				   devices_allowed(&bad[i].rule, 1, 'c', 1, 3,
						   "r") < 0,
			   "refused: %s", bad[i].what);
	}
	devices_program(&bad[1].rule, 1, insns, COUNT(insns));
	UNIT_STREQ(hop_context(),
		   "device rule 0: bad access 'rwx' (some of r, w and m)",
		   "the refusal names the rule and the access");
	for (size_t i = 0; i < COUNT(many); i++)
		many[i] = (struct oci_device_rule){ 1, 'c', 1, 3, "r" };
	UNIT_CHECK(devices_program(many, COUNT(many), NULL, 0) < 0 &&
			   hop_refused(),
		   "refused: more than %d rules", DEVICES_MAX_RULES);
	UNIT_CHECK(devices_program(many, DEVICES_MAX_RULES, NULL, 0) > 0,
		   "%d rules make a program", DEVICES_MAX_RULES);
	UNIT_CHECK(devices_allowed(devices_default_rules, devices_default_count,
				   'p', 1, 3, "r") < 0 &&
			   hop_refused(),
		   "devices_allowed refuses type p");
	UNIT_CHECK(devices_allowed(devices_default_rules, devices_default_count,
				   'c', 1, 3, "") < 0 &&
			   hop_refused(),
		   "devices_allowed refuses an empty access");
}

static void test_v1_check(void)
{
	static const struct oci_device_rule deny_all = { 0, 'a', -1, -1,
							 "rwm" };
	static const struct oci_device_rule hole[] = {
		{ 1, 'c', 1, -1, "rwm" },
		{ 0, 'c', 1, 7, "w" },
	};
	/* v1 removes only the exception of exactly c 1:3 w: c *:* w stays
	 * allowed by default. The other way round from a hole. */
	static const struct oci_device_rule narrow_first[] = {
		{ 1, 'a', -1, -1, "rwm" },
		{ 0, 'c', 1, 3, "w" },
		{ 1, 'c', 1, -1, "w" },
	};
	static const struct oci_device_rule exact[] = {
		{ 1, 'a', -1, -1, "rwm" },
		{ 0, 'c', 1, 3, "rwm" },
		{ 1, 'c', 1, 3, "r" },
	};
	struct oci_device_rule rules[16];
	size_t count = with_defaults(&deny_all, 1, rules);

	UNIT_CHECK(devices_check_v1(devices_default_rules,
				    devices_default_count) == 0,
		   "v1 can enforce the defaults");
	UNIT_CHECK(devices_check_v1(rules, count) == 0,
		   "v1 can enforce deny-all then the defaults");
	UNIT_CHECK(devices_check_v1(exact, COUNT(exact)) == 0,
		   "v1 can enforce rules naming the same devices");
	UNIT_CHECK(devices_check_v1(NULL, 0) == 0, "v1 can deny everything");
	UNIT_CHECK(devices_check_v1(hole, COUNT(hole)) < 0 && hop_refused(),
		   "v1 refused: a deny inside an earlier wildcard allow");
	UNIT_STREQ(hop_context(),
		   "cgroup v1 cannot enforce these device rules: it would "
		   "allow c 1:7 w, which they deny (v1 changes an exception "
		   "only with a rule naming exactly the same devices)",
		   "the v1 refusal names a device it would get wrong");
	UNIT_CHECK(devices_check_v1(narrow_first, COUNT(narrow_first)) < 0 &&
			   hop_refused(),
		   "v1 refused: a wildcard allow after a narrower deny");
	UNIT_CHECK(devices_apply(&(struct cgroup_hierarchy){ .v2 = 0 },
				 "/nonexistent", hole, COUNT(hole)) < 0 &&
			   hop_refused(),
		   "devices_apply on v1 refuses before writing");
}

/* Every jump of the program lands inside it, forward; it ends in exit. */
static int well_formed(const struct bpf_insn *insns, int count)
{
	for (int i = 0; i < count; i++) {
		int jump = BPF_CLASS(insns[i].code) == BPF_JMP &&
			   BPF_OP(insns[i].code) != BPF_EXIT;

		if (jump && (insns[i].off < 0 || i + 1 + insns[i].off >= count))
			return 0;
	}
	return count > 0 && insns[count - 1].code == (BPF_JMP | BPF_EXIT);
}

static void test_program(void)
{
	static const struct {
		const char *what;
		struct oci_device_rule rules[2];
		size_t count;
		int length;
	} cases[] = {
		/* 6: the prologue; 2: return 0 */
		{ "no rule", { { 0 } }, 0, 6 + 2 },
		/* type, major, minor; R3 &= ~mask; if R3; return 1 */
		{ "allow c 1:3 rwm", { { 1, 'c', 1, 3, "rwm" } }, 1, 6 + 7 + 2 },
		/* type, major, minor; R1 = R3 & mask; if !R1; return 0 */
		{ "deny c 1:3 rwm", { { 0, 'c', 1, 3, "rwm" } }, 1, 6 + 8 + 2 },
		{ "allow c *:* m", { { 1, 'c', -1, -1, "m" } }, 1, 6 + 5 + 2 },
		{ "allow a: return 1, no tail",
		  { { 1, 'a', -1, -1, "rwm" } },
		  1,
		  6 + 2 },
		{ "deny a last: the rule before it is never reached",
		  { { 1, 'c', 1, 3, "rwm" }, { 0, 'a', -1, -1, "rwm" } },
		  2,
		  6 + 2 },
		{ "deny a first",
		  { { 0, 'a', -1, -1, "rwm" }, { 1, 'c', 1, 3, "rwm" } },
		  2,
		  6 + 7 + 2 },
	};
	struct bpf_insn insns[128];
	int n;

	for (size_t i = 0; i < COUNT(cases); i++) {
		n = devices_program(cases[i].rules, cases[i].count, insns,
				    COUNT(insns));
		UNIT_CHECK(n == cases[i].length && well_formed(insns, n),
			   "program for %s: %d instructions", cases[i].what,
			   cases[i].length);
	}
	n = devices_program(devices_default_rules, devices_default_count, insns,
			    COUNT(insns));
	UNIT_CHECK(n == 80 && well_formed(insns, n),
		   "program for the defaults: 80 instructions");
	UNIT_CHECK(insns[0].code == (BPF_LDX | BPF_MEM | BPF_W) &&
			   insns[0].dst_reg == BPF_REG_2 &&
			   insns[0].src_reg == BPF_REG_1 && insns[0].off == 0,
		   "it starts by loading access_type from the context");
	/* The last rule (tun) is the first block: "if R2 != CHAR" skips
	 * its 7 instructions, to the next block. */
	UNIT_CHECK(insns[6].code == (BPF_JMP | BPF_JNE | BPF_K) &&
			   insns[6].imm == BPF_DEVCG_DEV_CHAR &&
			   insns[6].off == 6 && insns[7].imm == 10 &&
			   insns[8].imm == 200,
		   "the first block is the last rule, c 10:200");
	UNIT_CHECK(devices_program(devices_default_rules, devices_default_count,
				   NULL, 0) == 80,
		   "without room, it counts the instructions");
	errno = 0;
	UNIT_CHECK(devices_program(devices_default_rules, devices_default_count,
				   insns, 79) < 0 &&
			   errno == ENOSPC && !hop_refused(),
		   "one instruction short: ENOSPC");
}

/* The kernel's verifier accepts the program (root only: BPF_PROG_LOAD of
 * a cgroup program needs CAP_BPF or CAP_SYS_ADMIN). */
static int verifier_loads(const struct oci_device_rule *rules, size_t count)
{
	static struct bpf_insn insns[8 * DEVICES_MAX_RULES + 16];
	union bpf_attr attr;
	int n = devices_program(rules, count, insns, COUNT(insns)), fd;

	if (n < 0)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)n;
	attr.license = (uint64_t)(uintptr_t) "GPL";
	fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static void test_verifier(void)
{
	static struct oci_device_rule many[DEVICES_MAX_RULES];
	struct oci_device_rule rules[16];
	size_t count;

	if (geteuid() != 0) {
		UNIT_CHECK(1,
			   "the verifier loads the programs # SKIP not root");
		return;
	}
	UNIT_CHECK(verifier_loads(devices_default_rules, devices_default_count),
		   "the verifier loads the defaults' program");
	UNIT_CHECK(verifier_loads(NULL, 0), "the verifier loads 'deny all'");
	for (size_t i = 0; i < COUNT(decisions); i++)
		UNIT_CHECK(verifier_loads(decisions[i].rules,
					  rule_count(&decisions[i])),
			   "the verifier loads the program of '%s'",
			   decisions[i].what);
	count = with_defaults(&decisions[3].rules[0], 2, rules);
	UNIT_CHECK(verifier_loads(rules, count),
		   "the verifier loads rules and the defaults");
	for (size_t i = 0; i < COUNT(many); i++)
		many[i] = (struct oci_device_rule){ (int)(i % 2),
						    "cb"[i % 3 == 0],
						    (int64_t)i % 7 - 1,
						    (int64_t)i % 5 - 1, "rw" };
	UNIT_CHECK(verifier_loads(many, COUNT(many)),
		   "the verifier loads %d rules", DEVICES_MAX_RULES);
	errno = 0;
	UNIT_CHECK(devices_apply(&(struct cgroup_hierarchy){ .v2 = 1 }, "/tmp",
				 devices_default_rules,
				 devices_default_count) < 0 &&
			   errno == EXDEV,
		   "devices_apply on v2 refuses a directory not on cgroup2");
}

int main(void)
{
	unit_name = "devices";
	test_defaults();
	test_decisions();
	test_refusals();
	test_v1_check();
	test_program();
	test_verifier();
	UNIT_DONE();
}
