/* unit.h - a small TAP runner for the C unit tests (tests/unit/test-*.c).
 *
 * Each test-NAME.c is one program, built with ASan and UBSan by `make unit`
 * (run by make test) and linked with the modules it tests. It prints TAP,
 * "ok N - NAME: what" or "not ok N - ...", counted like the bats lines; a
 * sanitizer report stops it with a non-zero status, which fails the run.
 *
 *   UNIT_CHECK(knob_parse_bytes("50M", &bytes) == 0, "50M parses");
 *   UNIT_DONE();   at the end of main: the plan line, and the exit status
 */
#ifndef HOP_UNIT_H
#define HOP_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_count, unit_failed;
static const char *unit_name = "unit";

#define UNIT_CHECK(cond, ...)                                                 \
	do {                                                                  \
		int unit_ok_ = (cond) ? 1 : 0;                                \
		unit_count++;                                                 \
		unit_failed += !unit_ok_;                                     \
		printf("%sok %d - %s: ", unit_ok_ ? "" : "not ", unit_count,  \
		       unit_name);                                            \
		printf(__VA_ARGS__);                                          \
		printf("\n");                                                 \
		if (!unit_ok_)                                                \
			printf("#   %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

/* Compare strings, showing both on failure. */
#define UNIT_STREQ(got, want, ...)                                           \
	do {                                                                 \
		const char *unit_got_ = (got), *unit_want_ = (want);         \
		UNIT_CHECK(strcmp(unit_got_, unit_want_) == 0, __VA_ARGS__); \
		if (strcmp(unit_got_, unit_want_) != 0)                      \
			printf("#   got '%s', want '%s'\n", unit_got_,       \
			       unit_want_);                                  \
	} while (0)

#define UNIT_DONE()                            \
	do {                                   \
		printf("1..%d\n", unit_count); \
		return unit_failed ? 1 : 0;    \
	} while (0)

#endif
