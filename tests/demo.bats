#!/usr/bin/env bats
# The narrated demo (tools/demo, `make demo`) runs unattended from end to
# end, shows every day with numbered steps, starts at any step (--from),
# stops at the first failing step and names it, offers retry/skip/quit at
# a terminal, and leaves nothing behind.
bats_require_minimum_version 1.5.0
load helpers
load leaks

setup() {
	requires root
	parts=$BATS_TEST_TMPDIR/parts
	dir=$BATS_TEST_TMPDIR/made
	log=$dir/log
	mkdir -p "$parts" "$dir"
}

# The titles the days announce: `day NN "TITLE"` in tools/demo.d/*.sh.
day_titles() {
	sed -n 's/^day \([0-9][0-9]\) "\(.*\)"$/Day \1: \2/p' \
		"$HOP_TOP"/tools/demo.d/[0-9][0-9]-*.sh
}

# What tests/leaks.bash reports, and the processes with the demo's scratch
# directory on their command line (day 07's registry is the system's
# docker-registry, which leaks.bash does not look for).
leak_report() {
	leaks_cgroups
	leaks_mounts
	leaks_netns
	leaks_links
	leaks_state
	leaks_processes_ours
	leaks_processes_in_our_cgroups
	leaks_processes_in_pid_namespaces
	leaks_processes_in_state
	leaks_engine_processes
	local proc
	for proc in /proc/[0-9]*; do
		case $(tr '\0' ' ' 2>/dev/null <"$proc/cmdline") in
		*"$HOP_TOP/build/demo/"*) echo "${proc#/proc/}: runs for build/demo" ;;
		esac
	done
}

# assert_nothing_new BEFORE: leak_report shows nothing that BEFORE (an
# earlier leak_report) did not; what was there already is not the demo's.
assert_nothing_new() {
	local new
	new=$(comm -13 <(sort <<<"$1") <(leak_report | sort))
	[ -z "$new" ] || fail "left behind: $new"
}

# Two small days: 01 with three steps (the first one makes a file the
# second shows, with run -m), 02 with one. Each command notes in $log that
# it ran; each part notes in $dir that it was sourced.
make_parts() {
	cat >"$parts/01-first.sh" <<EOF
touch '$dir/01-sourced'
day 01 "First"
made_by_setup=yes
step "one" "the first step"
run "echo ran-01.1 >>'$log'"
run -m "echo made-in-01.1 >'$dir/state'; echo quiet-output-01.1"
note "note-01.1"
step "two" "the second step"
run "echo ran-01.2 >>'$log'"
run "cat '$dir/state'"
step "three" "the third step"
run "echo ran-01.3 setup=\$made_by_setup >>'$log'"
EOF
	cat >"$parts/02-second.sh" <<EOF
touch '$dir/02-sourced'
day 02 "Second"
step "only" "the one step"
run "echo ran-02.1 >>'$log'"
EOF
}

# demo ARGS...: tools/demo on the parts in $parts, unattended.
demo() {
	env NO_PAUSE=1 DEMO_PARTS="$parts" timeout 60 "$HOP_TOP/tools/demo" "$@"
}

# at_terminal INPUT ARGS...: tools/demo on the parts in $parts, on a
# pseudo-terminal (script(1)) with INPUT typed ahead and no NO_PAUSE; sets
# $output (colours and carriage returns taken out) and $status.
at_terminal() {
	local input=$1 command
	shift
	command=$(printf '%q ' env -u NO_PAUSE DEMO_PARTS="$parts" "$HOP_TOP/tools/demo" "$@")
	# shellcheck disable=SC2016 # expanded by that bash
	run timeout 60 bash -c 'printf "$1" | script -qec "$2" /dev/null' _ "$input" "$command"
	output=$(sed 's/\x1b\[[0-9;]*m//g; s/\r$//' <<<"$output")
}

@test "demo: runs through with NO_PAUSE=1, shows every day and the steps --list numbers, leaves nothing" {
	local titles before shown listed
	titles=$(day_titles)
	[ -n "$titles" ] || fail "no day found in tools/demo.d"
	before=$(leak_report)

	run -0 env NO_PAUSE=1 timeout -k 10 600 "$HOP_TOP/tools/demo"
	while IFS= read -r title; do
		assert_output --partial "$title"
	done <<<"$titles"
	assert_output --partial "done:"
	refute_output --regexp "demo: .* failed:"
	shown=$(grep '^▶ ' <<<"$output")

	assert_nothing_new "$before"
	# The scratch copies in /tmp and build/demo are gone again.
	run -0 find /tmp -maxdepth 1 -name 'hop-demo.*'
	assert_output ""
	assert_not_exists "$HOP_TOP/build/demo"

	# The numbers the demo showed are the ones --list gives.
	listed=$("$HOP_TOP/tools/demo" --list | sed -n 's/^    \([0-9][0-9]\.[0-9]*\)  /▶ \1 /p')
	[ -n "$listed" ] || fail "--list numbers no step"
	[ "$shown" = "$listed" ] || fail "shown and listed steps differ: $(diff <(echo "$shown") <(echo "$listed"))"
}

@test "demo: each day starts at each of its steps (--from DAY.N DAY), and leaves nothing" {
	local before steps step failed=()
	# tools/vm boots its guests with hop.top= on the kernel's command line.
	# This replays the demo once per step: minutes under emulation, for
	# the logic of tools/demo, which is the same on the host.
	! grep -qw 'hop\.top=[^ ]*' /proc/cmdline ||
		skip "replays the demo once per step (slow under emulation): runs on the host"
	before=$(leak_report)
	steps=$("$HOP_TOP/tools/demo" --list | sed -n 's/^    \([0-9][0-9]\.[0-9]*\)  .*/\1/p')
	[ -n "$steps" ] || fail "--list numbers no step"
	for step in $steps; do
		# From a day's first step is the whole day: the test above.
		[ "${step#*.}" != 1 ] || continue
		run env NO_PAUSE=1 timeout -k 10 300 "$HOP_TOP/tools/demo" --from "$step" "${step%.*}"
		if [ "$status" -ne 0 ] || ! grep -q "^▶ $step " <<<"$output"; then
			failed+=("$step (status $status): $(tail -n 3 <<<"$output")")
		fi
	done
	[ ${#failed[@]} -eq 0 ] || fail "$(printf 'from %s\n' "${failed[@]}")"
	assert_nothing_new "$before"
}

@test "demo: a failing step stops the demo, is named, and is cleaned up" {
	local marker=$dir/marker
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
	run -1 demo
	assert_output --partial "Day 01: Broken on purpose"
	# shellcheck disable=SC2016 # the backquotes are the message's
	assert_output --partial 'step 01.2 "fails" failed: `exit 3` exited with status 3'
	refute_output --partial "never reached"
	assert_file_not_exists "$marker"
}

@test "demo: --list numbers the steps of each day; an unknown day is refused" {
	make_parts
	run -0 env DEMO_PARTS="$parts" "$HOP_TOP/tools/demo" --list
	assert_output "$(printf '%s\n' '01  First' '    01.1  one' '    01.2  two' \
		'    01.3  three' '02  Second' '    02.1  only')"

	run -0 "$HOP_TOP/tools/demo" --list
	assert_line --regexp "^01  "
	assert_line --regexp "^    01\.1  "
	run -1 "$HOP_TOP/tools/demo" 99
	assert_output --partial "no day matches '99'"
}

@test "demo: --from DAY.N starts at that step: the steps before run only their run -m, quietly" {
	make_parts
	run -0 demo --from 01.2
	refute_output --partial "▶ 01.1"
	assert_output --partial "01.1 one: skipped (--from)"
	assert_output --partial "▶ 01.2 two"
	assert_output --partial "▶ 01.3 three"
	assert_output --partial "▶ 02.1 only"
	# 01.1's run -m ran, unseen; its other command and its note did not.
	refute_output --partial "quiet-output-01.1"
	refute_output --partial "note-01.1"
	assert_output --partial "made-in-01.1"
	# The day's own setup ran: step 3 sees its variable.
	assert_equal "$(cat "$log")" "$(printf '%s\n' ran-01.2 'ran-01.3 setup=yes' ran-02.1)"
	assert_output --partial "done: 3 steps"
}

@test "demo: --from DAY starts at the day; the days before it are not even sourced" {
	make_parts
	run -0 demo --from 02
	refute_output --partial "Day 01"
	assert_output --partial "▶ 02.1 only"
	assert_file_not_exists "$dir/01-sourced"
	assert_equal "$(cat "$log")" ran-02.1

	# With days named too: only those, from the step.
	rm -f "$log" "$dir"/0*-sourced
	run -0 demo --from 01.3 01
	assert_equal "$(cat "$log")" 'ran-01.3 setup=yes'
	assert_file_not_exists "$dir/02-sourced"
}

@test "demo: --from refuses a step, day or form there is not" {
	make_parts
	run -1 demo --from 01.4
	assert_output --partial "day 01 has 3 steps"
	run -1 demo --from 03
	assert_output --partial "no day 03"
	run -1 demo --from 1.2
	assert_output --partial "not a step"
	run -1 demo --from 02.1 01
	assert_output --partial "no day 02"
	run -1 demo --from
	assert_output --partial "--from needs a step"
	assert_file_not_exists "$log"
}

@test "demo: --from stops when a skipped step's run -m fails, and shows what it printed" {
	cat >"$parts/01-quiet.sh" <<EOF
day 01 "Quiet failure"
step "makes state" "but fails"
run -m "echo why-it-broke; exit 5"
step "needs it" "never reached"
run "echo ran-01.2 >>'$log'"
EOF
	run -1 demo --from 01.2
	assert_output --partial "why-it-broke"
	# shellcheck disable=SC2016 # the backquotes are the message's
	assert_output --partial 'step 01.1 "makes state" failed: `echo why-it-broke; exit 5` exited with status 5'
	refute_output --partial "▶ 01.2"
	assert_file_not_exists "$log"
}

# The part the prompt tests share: step 1 fails once, then works; step 2
# fails always; step 3 is there to be reached.
make_failing_parts() {
	cat >"$parts/01-prompt.sh" <<EOF
day 01 "At a terminal"
on_exit "echo cleaned >>'$log'"
step "flaky" "fails the first time"
run "echo try >>'$log'; [ -e '$dir/once' ] || { touch '$dir/once'; exit 3; }"
run "echo after-flaky >>'$log'"
step "broken" "always fails"
run "exit 4"
run "echo rest-of-broken >>'$log'"
run -m "echo made-after-skip >>'$log'"
step "next" "after the failure"
run "echo next >>'$log'"
EOF
}

@test "demo: at a terminal, a failed step offers retry, and retry runs the command again" {
	requires cmd:script
	make_failing_parts
	at_terminal 'r\nq\n'
	assert_equal "$status" 1
	assert_output --partial '[r]etry, [s]kip, [q]uit?'
	assert_output --partial 'step 01.1 "flaky" failed: '
	# Retried: twice "try", then the rest of the step; then 01.2 fails and q.
	assert_equal "$(cat "$log")" "$(printf '%s\n' try try after-flaky cleaned)"
}

@test "demo: at a terminal, skip leaves the rest of the step (but its run -m) and goes on; the status says it failed" {
	requires cmd:script
	make_failing_parts
	at_terminal 'r\ns\n'
	assert_equal "$status" 1
	# shellcheck disable=SC2016 # the backquotes are the message's
	assert_output --partial 'step 01.2 "broken" failed: `exit 4` exited with status 4'
	assert_output --partial "skipped: the rest of this step does not run"
	assert_output --partial "▶ 01.3 next"
	assert_output --partial "failed, and skipped at the prompt:"
	assert_output --partial "  01.2 broken"
	assert_equal "$(cat "$log")" \
		"$(printf '%s\n' try try after-flaky made-after-skip next cleaned)"
}

@test "demo: at a terminal, quit stops the demo there and cleans up" {
	requires cmd:script
	make_failing_parts
	at_terminal 'q\n'
	assert_equal "$status" 1
	refute_output --partial "▶ 01.2"
	assert_equal "$(cat "$log")" "$(printf '%s\n' try cleaned)"
}

@test "demo: at a terminal with NO_PAUSE=1, a failed step stops the demo without asking" {
	requires cmd:script
	make_failing_parts
	run timeout 60 script -qec "$(printf '%q ' env NO_PAUSE=1 DEMO_PARTS="$parts" "$HOP_TOP/tools/demo")" /dev/null </dev/null
	assert_equal "$status" 1
	refute_output --partial '[r]etry'
	assert_output --partial 'step 01.1 "flaky" failed: '
	assert_equal "$(cat "$log")" "$(printf '%s\n' try cleaned)"
}
