#!/usr/bin/env bats
# The narrated demo (tools/demo, `make demo`) runs unattended from end to
# end, shows every day, stops at the first failing step and names it, and
# leaves nothing behind.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root
}

# The titles the days announce: `day NN "TITLE"` in tools/demo.d/*.sh.
day_titles() {
	sed -n 's/^day \([0-9][0-9]\) "\(.*\)"$/Day \1: \2/p' \
		"$HOP_TOP"/tools/demo.d/[0-9][0-9]-*.sh
}

@test "demo: runs through with NO_PAUSE=1 and shows every day" {
	local titles
	titles=$(day_titles)
	[ -n "$titles" ] || fail "no day found in tools/demo.d"

	run -0 env NO_PAUSE=1 timeout -k 10 600 "$HOP_TOP/tools/demo"
	while IFS= read -r title; do
		assert_output --partial "$title"
	done <<<"$titles"
	assert_output --partial "done:"
	refute_output --regexp 'step ".*" failed:'
	# The copy of the programs made for uid 65534 is gone again.
	run -0 find /tmp -maxdepth 1 -name 'hop-demo.*'
	assert_output ""
}

@test "demo: a failing step stops the demo, is named, and is cleaned up" {
	local parts=$BATS_TEST_TMPDIR/parts marker=$BATS_TEST_TMPDIR/made
	mkdir "$parts"
	cat >"$parts/01-broken.sh" <<EOF
day 01 "Broken on purpose"
step "makes a file" "on_exit removes it"
touch '$marker'
on_exit "rm -f '$marker'"
run true
step "fails" "a command that exits 3"
run "exit 3"
step "never reached" "the demo stopped before"
run true
EOF
	run -1 env NO_PAUSE=1 DEMO_PARTS="$parts" timeout 60 "$HOP_TOP/tools/demo"
	assert_output --partial "Day 01: Broken on purpose"
	assert_output --partial 'step "fails" failed: `exit 3` exited with status 3'
	refute_output --partial "never reached"
	assert_file_not_exists "$marker"
}

@test "demo: --list names the days; an unknown day is refused" {
	run -0 "$HOP_TOP/tools/demo" --list
	assert_line --regexp "^01  "
	run -1 "$HOP_TOP/tools/demo" 99
	assert_output --partial "no day matches '99'"
}
