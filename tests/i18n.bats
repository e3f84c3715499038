#!/usr/bin/env bats
# Messages in Vietnamese: vi/hop.po is complete, compiles, and the programs
# use it when asked to (LANGUAGE=vi with a UTF-8 locale; helpers.bash sets
# LANG=C.UTF-8 and unsets LANGUAGE, so every other test runs in English).
bats_require_minimum_version 1.5.0
load helpers

PO=$HOP_TOP/vi/hop.po

setup() {
	requires cmd:msgfmt cmd:msgattrib
}

@test "help: Vietnamese with LANGUAGE=vi, English without" {
	run -0 env LANGUAGE=vi LANG=C.UTF-8 mini-unshare --help
	assert_line "Chạy LỆNH trong các namespace mới, giống unshare(1)."
	assert_line "  -p, --pid              tạo PID namespace mới"
	refute_output --partial "Run COMMAND"

	run -0 mini-unshare --help
	assert_line "Run COMMAND in new namespaces, like unshare(1)."
	assert_line "  -p, --pid              new PID namespace"
	refute_output --partial "namespace mới"
}

@test "locale: LANG=vi_VN.UTF-8 alone, as Vietnamese users set it, gives Vietnamese (make setup made the locale)" {
	run -0 locale -a
	assert_line --regexp '^vi_VN\.(utf8|UTF-8)$'
	run -0 env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=vi_VN.UTF-8 mini-unshare --help
	assert_line "Chạy LỆNH trong các namespace mới, giống unshare(1)."
	# An error too: the message and its hint, not only --help.
	run -1 env -u LANGUAGE -u LC_ALL -u LC_MESSAGES LANG=vi_VN.UTF-8 mini-cgroup frobnicate
	refute_output --partial "unknown command"
}

@test "help: every mini-* program answers --help in Vietnamese, in 80 columns" {
	local prog english line
	for prog in "$HOP_BIN"/mini-*; do
		run -0 "$prog" --help
		english=$output
		run -0 env LANGUAGE=vi LANG=C.UTF-8 "$prog" --help
		[ "$output" != "$english" ] ||
			fail "${prog##*/} --help is the same in Vietnamese"
		assert_output --partial "Cách dùng: ${prog##*/} "
		while IFS= read -r line; do
			# ${#line} counts characters in a UTF-8 locale, not bytes.
			[ "${#line}" -le 80 ] ||
				fail "${prog##*/} --help: longer than 80 columns: $line"
		done <<<"$output"
	done
}

@test "errors: our messages are translated, exit statuses unchanged" {
	run -1 env LANGUAGE=vi LANG=C.UTF-8 mini-unshare
	assert_line "mini-unshare: không có lệnh nào để chạy"
	assert_line "gợi ý: chạy thử: mini-unshare --fork --pid --mount-proc ps"

	run -1 env LANGUAGE=vi LANG=C.UTF-8 mini-unshare --bogus true
	assert_line "mini-unshare: không nhận ra tùy chọn '--bogus'"
	assert_line "Hãy chạy 'mini-unshare --help' để xem thêm."

	run -1 mini-unshare --bogus true
	assert_line "mini-unshare: unknown option '--bogus'"
}

@test "errors: strerror comes from the C library's own Vietnamese catalogue" {
	# libc.mo is shipped by libc-l10n (a dependency of the locales package).
	[ -e /usr/share/locale/vi/LC_MESSAGES/libc.mo ] ||
		skip "needs libc-l10n (glibc's translations)"
	run -127 env LANGUAGE=vi LANG=C.UTF-8 mini-unshare nosuch
	assert_output --regexp "^mini-unshare: .*nosuch: Không có tập tin hoặc thư mục như vậy$"

	run -127 mini-unshare nosuch
	assert_output "mini-unshare: exec nosuch: No such file or directory"
}

@test "catalogue: vi/hop.po compiles, every message translated, none fuzzy" {
	run -0 msgfmt --check --statistics -o /dev/null "$PO"
	refute_output --partial "untranslated"
	refute_output --partial "fuzzy"
	run -0 msgattrib --untranslated --no-obsolete "$PO"
	assert_output ""
	run -0 msgattrib --only-fuzzy --no-obsolete "$PO"
	assert_output ""
	# msgattrib leaves out empty msgstr only for whole entries: check the
	# lines too, so a plural form or a continuation cannot hide one.
	run -0 awk '/^msgstr(\[[0-9]+\])? ""$/ { getline nxt; if (nxt !~ /^"/ && NR > 3) print FILENAME ": " NR }' "$PO"
	assert_output ""
}

@test "catalogue: every _(\"...\") string in labs/ is in vi/hop.po" {
	requires cmd:xgettext cmd:msgcmp
	local pot=$BATS_TEST_TMPDIR/hop.pot
	(cd "$HOP_TOP" && xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 \
		--package-name=hop -o "$pot" labs/*/*.c)
	# msgcmp counts a missing, untranslated or fuzzy entry as absent.
	run -0 msgcmp "$PO" "$pot"
}

@test "errors: hints are chosen by the kind of error, not its text, so they show in Vietnamese too" {
	requires root controller:memory
	mini-cgroup create -g memory:hop-test-i18n
	run -1 env LANGUAGE=vi LANG=C.UTF-8 mini-cgroup get -r memory.nosuch -g memory:hop-test-i18n
	mini-cgroup delete -g memory:hop-test-i18n
	assert_line --index 0 --partial "không có knob memory.nosuch"
	assert_line --index 1 --regexp '^gợi ý: '
	run -1 env LANGUAGE=vi LANG=C.UTF-8 mini-cgroup create -g nosuchctl:x
	assert_line --index 1 --regexp '^gợi ý: .*/proc/cgroups'
}
