/* test-scope.c - scope_parse() of labs/05-runtime/scope.c: systemd's
 * "slice:prefix:name" cgroups path as podman writes it, into the unit and
 * the group it stands for. Asking systemd for the scope needs systemd as
 * PID 1: tests/05-engines.bats does that in the systemd lane. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "05-runtime/scope.h"
#include "lib/hop.h"
#include "unit.h"

static void test_good(void)
{
	static const struct {
		const char *path, *group, *unit, *slice;
	} cases[] = {
		{ "machine.slice:libpod:0123abcd",
		  "machine.slice/libpod-0123abcd.scope",
		  "libpod-0123abcd.scope", "machine.slice" },
		/* A slice in a slice: systemd nests by the dashes. */
		{ "user-0.slice:hop:x1", "user.slice/user-0.slice/hop-x1.scope",
		  "hop-x1.scope", "user-0.slice" },
		{ "a-b-c.slice:p:n", "a.slice/a-b.slice/a-b-c.slice/p-n.scope",
		  "p-n.scope", "a-b-c.slice" },
		/* The root slice, and no prefix. */
		{ "-.slice::n", "n.scope", "n.scope", "-.slice" },
		/* No slice: runc's default. */
		{ ":cri-containerd:abc",
		  "system.slice/cri-containerd-abc.scope",
		  "cri-containerd-abc.scope", "system.slice" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scope scope;
		int rc = scope_parse(cases[i].path, &scope);

		UNIT_CHECK(rc == 0 &&
				   strcmp(scope.group, cases[i].group) == 0 &&
				   strcmp(scope.unit, cases[i].unit) == 0 &&
				   strcmp(scope.slice, cases[i].slice) == 0,
			   "%s -> %s", cases[i].path, cases[i].group);
	}
}

static void test_bad(void)
{
	static const char *const bad[] = {
		"machine.slice",	     /* no colons */
		"machine.slice:libpod",	     /* one colon */
		"/machine.slice/libpod-x",   /* a cgroupfs path */
		"machine:libpod:x",	     /* not a .slice */
		".slice:libpod:x",	     /* a slice with no name */
		"a--b.slice:p:n",	     /* an empty part */
		"-a.slice:p:n",		     /* starts with a dash */
		"machine.slice:lib/pod:x",   /* '/' in the unit */
		"machine.slice:libpod:x y",  /* ' ' in the unit */
		"../x.slice:libpod:x",	     /* '/' in the slice */
		"machine.slice:libpod:x:y/z" /* '/' in the name */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct scope scope;

		errno = 0;
		UNIT_CHECK(scope_parse(bad[i], &scope) < 0 && errno == EINVAL,
			   "'%s' refused", bad[i]);
	}
}

static void test_sizes(void)
{
	struct scope scope;
	char path[600];

	/* 250 characters of name: the unit would pass 255. */
	snprintf(path, sizeof(path), "machine.slice:libpod:%0250d", 0);
	UNIT_CHECK(scope_parse(path, &scope) < 0,
		   "a unit that does not fit is refused, not cut");
	snprintf(path, sizeof(path), "%0260d.slice:libpod:x", 0);
	UNIT_CHECK(scope_parse(path, &scope) < 0,
		   "a slice that does not fit is refused");
}

int main(void)
{
	unit_name = "scope";
	test_good();
	test_bad();
	test_sizes();
	UNIT_DONE();
}
