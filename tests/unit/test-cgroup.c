/* test-cgroup.c - the pure functions of day 02: knob names, sizes, the
 * cpu.shares <-> cpu.weight conversion and group paths. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include "02-cgroups/cgroup.h"
#include "02-cgroups/knob.h"
#include "lib/hop.h"
#include "unit.h"

static void test_knob_names(void)
{
	static const char *const good[] = { "memory.max", "cpu.cfs_quota_us",
					    "memory.memsw.limit_in_bytes",
					    "pids.max", NULL };
	static const char *const bad[] = {
		"",
		"max",
		".max",
		"memory.",
		"memory.x/../../etc/passwd",
		"memory.max/",
		"../memory.max",
		"Memory.max",
		"memory max",
		"memory.max\n",
		"memory.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		NULL,
	};

	for (int i = 0; good[i]; i++)
		UNIT_CHECK(knob_check_name(good[i]) == 0, "knob '%s' accepted",
			   good[i]);
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(knob_check_name(bad[i]) < 0 && errno == EINVAL &&
				   hop_refused(),
			   "knob '%s' refused", bad[i]);
}

static void test_sizes(void)
{
	static const struct {
		const char *text;
		long long bytes;
	} good[] = {
		{ "50M", 52428800 },
		{ "50000000", 50000000 },
		{ "1.5G", 1610612736 },
		{ "10k", 10240 },
		{ "10KiB", 10240 },
		{ "10kb", 10240 },
		{ "max", -1 },
		{ "-1", -1 },
		{ "0", 0 },
		{ "1T", 1099511627776LL },
	};
	static const char *const bad[] = { "",	   "M",	   "50Q",   "-5",
					   "nan",  "inf",  "1e300", "50MM",
					   "50Mi", "0x10", NULL };
	long long bytes;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		bytes = 42;
		UNIT_CHECK(knob_parse_bytes(good[i].text, &bytes) == 0 &&
				   bytes == good[i].bytes,
			   "size '%s' is %lld (got %lld)", good[i].text,
			   good[i].bytes, bytes);
	}
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(knob_parse_bytes(bad[i], &bytes) < 0 &&
				   hop_refused(),
			   "size '%s' refused", bad[i]);
}

static void test_shares_weight(void)
{
	UNIT_CHECK(knob_shares_to_weight(2) == 1, "cpu.shares 2 -> weight 1");
	UNIT_CHECK(knob_shares_to_weight(262144) == 10000,
		   "cpu.shares 262144 -> weight 10000");
	UNIT_CHECK(knob_shares_to_weight(1024) == 39,
		   "cpu.shares 1024 (v1 default) -> weight 39, as runc");
	UNIT_CHECK(knob_weight_to_shares(1) == 2, "weight 1 -> shares 2");
	UNIT_CHECK(knob_weight_to_shares(10000) == 262144,
		   "weight 10000 -> shares 262144");
	/* Integer division loses a little: back within one, never out of
	 * range, never going down as the input goes up. */
	long previous = 0;

	for (long w = 1; w <= 10000; w++) {
		long back = knob_shares_to_weight(knob_weight_to_shares(w));

		if (labs(back - w) > 1 || back < previous || back < 1 ||
		    back > 10000) {
			UNIT_CHECK(0, "weight %ld comes back as %ld", w, back);
			return;
		}
		previous = back;
	}
	UNIT_CHECK(1, "weight -> shares -> weight: within one, in order");
}

static void test_group_paths(void)
{
	static const char *const good[] = { "a", "lab/demo", "hop-c1/x.y",
					    "a//b", NULL };
	static const char *const bad[] = { "",	    "/abs", "..", "a/../b",
					   "a/./b", "a/..", NULL };
	char dir[PATH_MAX];
	struct cgroup_hierarchy h = { .mount = "/sys/fs/cgroup",
				      .own = "/user.slice/session-1.scope",
				      .base = "/hop",
				      .v2 = 1,
				      .top = 1 };

	for (int i = 0; good[i]; i++)
		UNIT_CHECK(cgroup_check_group(good[i]) == 0,
			   "group '%s' accepted", good[i]);
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(cgroup_check_group(bad[i]) < 0 && hop_refused(),
			   "group '%s' refused", bad[i]);
	UNIT_CHECK(cgroup_dir(&h, "lab/demo", dir, sizeof(dir)) == 0,
		   "cgroup_dir of lab/demo");
	UNIT_STREQ(dir, "/sys/fs/cgroup/hop/lab/demo",
		   "a group goes beneath the base, not our own cgroup");
	UNIT_CHECK(cgroup_dir(&h, "", dir, sizeof(dir)) == 0 &&
			   strcmp(dir, "/sys/fs/cgroup/hop") == 0,
		   "the base itself");
	char long_group[PATH_MAX];

	memset(long_group, 'a', sizeof(long_group) - 1);
	long_group[sizeof(long_group) - 1] = '\0';
	UNIT_CHECK(cgroup_dir(&h, long_group, dir, sizeof(dir)) < 0 &&
			   errno == ENAMETOOLONG,
		   "a path longer than PATH_MAX is refused, not cut");
}

int main(void)
{
	unit_name = "cgroup";
	test_knob_names();
	test_sizes();
	test_shares_weight();
	test_group_paths();
	UNIT_DONE();
}
