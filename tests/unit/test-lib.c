/* test-lib.c - the pure functions of labs/lib and day 01: flag names,
 * numbers, propagation names, error kinds and hints, and how a bad option
 * is named. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "lib/hop.h"
#include "unit.h"

static const struct hop_flag colours[] = {
	{ 0x1, "RED" },	   { 0x2, "GREEN" }, { 0x4, "BLUE" },
	{ 0x3, "YELLOW" }, /* two bits: only when both are left */
	{ 0, NULL },
};

static void test_flags_string(void)
{
	static const struct {
		unsigned long flags;
		const struct hop_flag *names;
		size_t size;
		const char *want, *what;
	} cases[] = {
		{ 0x1, colours, 64, "RED", "one flag" },
		{ 0x5, colours, 64, "RED|BLUE", "two flags, in table order" },
		{ 0x3, colours, 64, "RED|GREEN",
		  "the first names take the bits" },
		{ 0x11, colours, 64, "RED|0x10", "unknown bits in hex" },
		{ 0, colours, 64, "0", "no flag at all" },
		{ 0x40, colours, 64, "0x40", "only unknown bits" },
		{ 0x7, colours, 8, "RED|GRE",
		  "cut to the buffer, NUL-terminated" },
		{ 0x11, colours, 4, "RED", "no room for the rest" },
		{ MS_REC | MS_PRIVATE, ns_mount_flags, 64, "MS_REC|MS_PRIVATE",
		  "mount flags" },
		{ CLONE_NEWNS | CLONE_NEWPID, ns_clone_flags, 64,
		  "CLONE_NEWNS|CLONE_NEWPID", "clone flags" },
	};
	char buf[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		UNIT_STREQ(hop_flags_string(cases[i].flags, cases[i].names, buf,
					    cases[i].size),
			   cases[i].want, "%s", cases[i].what);
}

static void test_parse_long(void)
{
	static const char *const bad[] = { "",	   "x",	  "12x", " 1", "1 ",
					   "0x10", "1e3", "--1", "+",  NULL };
	long value = 7;

	UNIT_CHECK(hop_parse_long("42", 0, 100, &value) == 0 && value == 42,
		   "42 parses");
	UNIT_CHECK(hop_parse_long("-86400", LONG_MIN, LONG_MAX, &value) == 0 &&
			   value == -86400,
		   "a negative number parses");
	UNIT_CHECK(hop_parse_long("+5", 0, 10, &value) == 0 && value == 5,
		   "a plus sign is a number");
	UNIT_CHECK(hop_parse_long("101", 0, 100, &value) < 0 && hop_refused() &&
			   value == 5,
		   "above the range: refused, value untouched");
	UNIT_CHECK(hop_parse_long("99999999999999999999", LONG_MIN, LONG_MAX,
				  &value) < 0 &&
			   hop_refused(),
		   "beyond long: refused");
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(hop_parse_long(bad[i], LONG_MIN, LONG_MAX, &value) <
					   0 &&
				   errno == EINVAL && hop_refused(),
			   "'%s' refused", bad[i]);
}

static void test_propagation(void)
{
	static const char *const names[] = { "private", "shared", "slave",
					     "unchanged", NULL };
	static const char *const bad[] = { "",	       "Private", "privat",
					   "private ", "rslave",  NULL };
	unsigned long flags = 1;

	for (int i = 0; names[i]; i++)
		UNIT_CHECK(ns_parse_propagation(names[i], &flags) == 0 &&
				   strcmp(ns_propagation_name(flags),
					  names[i]) == 0,
			   "'%s' parses and names itself back", names[i]);
	UNIT_CHECK(ns_parse_propagation("shared", &flags) == 0 &&
			   flags == MS_SHARED,
		   "shared is MS_SHARED");
	UNIT_CHECK(ns_parse_propagation("unchanged", &flags) == 0 && flags == 0,
		   "unchanged is 0");
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(ns_parse_propagation(bad[i], &flags) < 0 &&
				   hop_refused(),
			   "'%s' refused", bad[i]);
	UNIT_STREQ(hop_context(), "unknown propagation mode 'rslave'",
		   "the refusal names the mode");
}

static void test_error_kinds(void)
{
	char long_text[600];

	errno = EPERM;
	UNIT_CHECK(hop_fail("mount %s", "/proc") == -1 && errno == EPERM &&
			   hop_error_kind() == HOP_ERROR_SYSTEM &&
			   hop_error_hint() == HOP_HINT_NONE && !hop_refused(),
		   "hop_fail: a system call, errno kept");
	UNIT_STREQ(hop_context(), "mount /proc", "hop_fail: the context");
	UNIT_CHECK(hop_wrap("start %s", "box") == -1 && errno == EPERM &&
			   hop_error_kind() == HOP_ERROR_SYSTEM,
		   "hop_wrap keeps kind and errno");
	UNIT_STREQ(hop_context(), "start box: mount /proc",
		   "hop_wrap puts its words in front");
	UNIT_CHECK(hop_refuse("bad %d", 1) == -1 && errno == EINVAL &&
			   hop_error_kind() == HOP_ERROR_REFUSED &&
			   hop_refused(),
		   "hop_refuse: refused, EINVAL");
	errno = EPERM;
	UNIT_CHECK(hop_fail_hint(HOP_HINT_SYSFS_NEEDS_NETNS, "mount sysfs") ==
				   -1 &&
			   errno == EPERM &&
			   hop_error_hint() == HOP_HINT_SYSFS_NEEDS_NETNS &&
			   hop_error_kind() == HOP_ERROR_SYSTEM,
		   "hop_fail_hint: the hint rides with the failure");
	hop_wrap("pivot");
	UNIT_CHECK(hop_error_hint() == HOP_HINT_SYSFS_NEEDS_NETNS,
		   "hop_wrap keeps the hint");
	hop_fail("next");
	UNIT_CHECK(hop_error_hint() == HOP_HINT_NONE,
		   "a new failure forgets the old hint");
	errno = EINVAL;
	UNIT_CHECK(hop_set_hint(HOP_HINT_CGROUP_MEMSW_FIRST) == -1 &&
			   errno == EINVAL &&
			   hop_error_hint() == HOP_HINT_CGROUP_MEMSW_FIRST,
		   "hop_set_hint attaches to the last failure, errno kept");
	errno = 0;
	UNIT_CHECK(
		hop_fail_library("config.json:3:5: %s", "']' expected") == -1 &&
			errno == EIO && hop_error_kind() == HOP_ERROR_LIBRARY,
		"hop_fail_library: no errno becomes EIO");
	errno = ENOMEM;
	hop_fail_library("curl: out of memory");
	UNIT_CHECK(errno == ENOMEM, "hop_fail_library keeps an errno");
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	hop_fail("%s", long_text);
	hop_wrap("%s", long_text);
	UNIT_CHECK(strlen(hop_context()) == 511,
		   "a long context is cut, not overflowed");
	hop_fail("short");
	hop_wrap("%s", long_text);
	UNIT_CHECK(strlen(hop_context()) == 511,
		   "a long wrap is cut, not overflowed");
}

/* What hop_warn_bad_option(word, c) prints, with optopt as getopt left
 * it. */
static const char *bad_option_message(const char *word, int c, int opt)
{
	static char text[256];
	FILE *capture = tmpfile();
	int saved = dup(2);
	size_t got;

	if (!capture || saved < 0)
		return "(no tmpfile)";
	(void)fflush(stderr);
	(void)dup2(fileno(capture), 2);
	optopt = opt;
	hop_warn_bad_option(word, c);
	(void)fflush(stderr);
	(void)dup2(saved, 2);
	close(saved);
	rewind(capture);
	got = fread(text, 1, sizeof(text) - 1, capture);
	text[got] = '\0';
	fclose(capture);
	return text;
}

static void test_bad_option(void)
{
	static const struct {
		const char *word;
		int c, optopt;
		const char *want, *what;
	} cases[] = {
		{ "-zv", '?', 'z', "prog: unknown option '-z'\n",
		  "a short option in a group is named by optopt" },
		{ "-vz", '?', 'z', "prog: unknown option '-z'\n",
		  "also at the end of a group" },
		{ "--bogus", '?', 0, "prog: unknown option '--bogus'\n",
		  "an unknown long option" },
		{ "--pid=3", '?', 'p', "prog: option '--pid' takes no value\n",
		  "a value for a long option that takes none" },
		{ "--propagation", ':', 257,
		  "prog: option '--propagation' needs a value\n",
		  "a long option without its value" },
		{ "-m", ':', 'm', "prog: option '-m' needs a value\n",
		  "a short option without its value" },
	};

	hop_program = "prog";
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		UNIT_STREQ(bad_option_message(cases[i].word, cases[i].c,
					      cases[i].optopt),
			   cases[i].want, "%s", cases[i].what);
}

int main(void)
{
	unit_name = "lib";
	test_flags_string();
	test_parse_long();
	test_propagation();
	test_error_kinds();
	test_bad_option();
	UNIT_DONE();
}
