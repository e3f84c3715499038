#!/usr/bin/env bats
# The C unit tests (tests/unit/test-*.c, run by make unit before the bats
# files): their runner must be able to fail. A failed check and a sanitizer
# report each give a non-zero status, built the way make unit builds.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires cmd:cc
	FLAGS=$(make -s -C "$HOP_TOP" print-UNIT_FLAGS)
}

# build NAME BODY: a unit test program whose main() is BODY.
build() {
	cat >"$BATS_TEST_TMPDIR/$1.c" <<-EOF
		#include "unit.h"
		int main(void)
		{
			unit_name = "$1";
			$2
			UNIT_DONE();
		}
	EOF
	# shellcheck disable=SC2086 # FLAGS is a list of words
	cc $FLAGS -I"$HOP_TOP/tests/unit" -o "$BATS_TEST_TMPDIR/$1" "$BATS_TEST_TMPDIR/$1.c"
}

@test "unit runner: passing checks print TAP and exit 0" {
	build good 'UNIT_CHECK(1 + 1 == 2, "sums"); UNIT_STREQ("a", "a", "strings");'
	run -0 "$BATS_TEST_TMPDIR/good"
	assert_output $'ok 1 - good: sums\nok 2 - good: strings\n1..2'
}

@test "unit runner: a failed check is 'not ok', with the line, and exits 1" {
	build bad 'UNIT_CHECK(1 + 1 == 3, "sums"); UNIT_STREQ("a", "b", "strings");'
	run -1 "$BATS_TEST_TMPDIR/bad"
	assert_line "not ok 1 - bad: sums"
	assert_line --partial "bad.c:5: 1 + 1 == 3"
	assert_line "#   got 'a', want 'b'"
}

@test "unit runner: an out-of-bounds write is stopped by the sanitizer, non-zero" {
	build oob 'char buf[4]; volatile int i = 4; buf[i] = 1; UNIT_CHECK(buf[0] == 0 || 1, "wrote");'
	run "$BATS_TEST_TMPDIR/oob"
	[ "$status" -ne 0 ]
	assert_output --regexp 'AddressSanitizer|runtime error'
	refute_output --partial "ok 1"
}

@test "unit: every test-*.c is built and passes under ASan and UBSan" {
	run -0 make -s -C "$HOP_TOP" unit
	refute_output --partial "not ok"
	assert_output --regexp '^ok 1 - '
}
