#!/usr/bin/env bats
# The write-ups cannot rot: every shell command they show runs and prints what
# they say (tools/docs-run), en/ and vi/ stay in step, code comes from labs/,
# and the HTML pages and slides build offline. The checkers are tested first
# on small files made here, so that a broken checker cannot pass everything.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	cd "$HOP_TOP" || return
}

# A markdown file in the test's own directory, from stdin.
page() {
	cat >"$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

# A copy of the docs tools in a project of its own, to build pages that
# must fail without touching the real tree.
scratch_project() {
	local proj=$BATS_TEST_TMPDIR/proj
	mkdir -p "$proj/tools" "$proj/labs" "$proj/en" "$proj/vi" "$proj/slides"
	cp -r tools/docs tools/docs-run tools/docs-include.lua tools/docs-template "$proj/tools/"
	echo "$proj"
}

# ---- the runner, on pages made here -------------------------------------------

@test "docs-run: matching output passes; ..., cd, variables, # prompt, \\ carry over" {
	local md
	md=$(page ok.md <<-EOF
		# A page

		\`\`\`console
		\$ echo "\${PATH%%:*}"; pwd
		$HOP_TOP/build/bin
		$HOP_TOP
		\$ cd /tmp && greeting=hello
		# echo "\$greeting from \$PWD"
		hello from /tmp
		\$ printf 'one\\ntwo\\nthree\\nfour  \\n'
		one
		...
		four
		\$ echo "pid \$\$ here"; echo oops >&2
		pid ... here
		oops
		\$ echo a \\
		    b
		...
		a b
		...
		\$ cat
		\`\`\`
		EOF
	)
	run tools/docs-run "$md"
	assert_success
	assert_output --partial "ok.md: 7 ok, 0 failed, 0 skipped"
}

@test "docs-run: a wrong output fails, naming file, line, expected and actual" {
	local md
	md=$(page wrong.md <<-'EOF'
		Text.

		```console
		$ echo right
		right
		$ printf 'a\nb\n'
		a
		c
		$ echo after
		after
		```
		EOF
	)
	run tools/docs-run "$md"
	assert_failure 1
	assert_line --partial "wrong.md:6: FAIL $ printf"
	assert_line "    - c"
	assert_line "    + b"
	assert_line --partial "wrong.md: 2 ok, 1 failed, 0 skipped"
}

@test "docs-run: output that is not shown, or shown but not printed, fails" {
	local md
	md=$(page extra.md <<-'EOF'
		```console
		$ echo printed
		```

		```console
		$ true
		shown
		```

		```console
		$ printf 'a\nb\n'
		a
		...
		z
		```
		EOF
	)
	run tools/docs-run "$md"
	assert_failure 1
	assert_line "    + printed"
	assert_line "    - shown"
	assert_line "    - z"
	assert_line --partial "extra.md: 0 ok, 3 failed, 0 skipped"
}

@test "docs-run: a norun block is skipped with its reason and not run" {
	local md
	md=$(page norun.md <<-EOF
		\`\`\`{.console norun="needs a terminal"}
		\$ touch $BATS_TEST_TMPDIR/ran
		\`\`\`
		EOF
	)
	run tools/docs-run "$md"
	assert_success
	assert_line --partial "norun.md:1: skip norun: needs a terminal"
	assert_file_not_exists "$BATS_TEST_TMPDIR/ran"
	run -0 tools/docs-run --norun "$md"
	assert_output "$md:1: needs a terminal"
}

@test "docs-run: a command that hangs is stopped by the timeout" {
	local md
	md=$(page hang.md <<-'EOF'
		```console
		$ sleep 30
		$ echo never
		never
		```
		EOF
	)
	SECONDS=0
	run tools/docs-run --timeout 1 "$md"
	assert_failure 1
	assert_line --partial "hang.md:2: FAIL $ sleep 30  (timed out after 1s)"
	assert_line --partial "hang.md:3: FAIL $ echo never  (not run"
	[ "$SECONDS" -lt 10 ]
}

@test "docs-run --parity: different heading levels or code blocks fail" {
	local en vi
	en=$(page en.md <<-'EOF'
		# Title
		## Goal
		```console
		# echo hi
		hi
		```
		EOF
	)
	vi=$(page vi.md <<-'EOF'
		# Tiêu đề
		## Mục tiêu
		```console
		# echo hi
		hi
		```
		EOF
	)
	run -0 tools/docs-run --parity "$en" "$vi"
	sed -i 's/^## /### /' "$vi"
	run -1 tools/docs-run --parity "$en" "$vi"
	assert_line --partial "heading 2 differs"
	sed -i -e 's/^### /## /' -e 's/^hi$/xin chào/' "$vi"
	run -1 tools/docs-run --parity "$en" "$vi"
	assert_line --partial "code block 1 differs"
}

# ---- the include filter and the build, in a scratch project ------------------------

@test "docs-include.lua: function= takes the function and its comment, lines= a range" {
	local proj
	proj=$(scratch_project)
	# printf, not a here-document: <<- would strip the code's own tabs.
	printf '%s\n' 'int helper(int a);' '' \
		'/* Kernel style: the type stands alone. */' 'static int' 'kernel_style(int a)' \
		'{' '	return helper(a);' '}' '' 'int helper(int a)' '{' '	return a;' '}' >"$proj/labs/x.c"
	printf '# say hi\nhi() {\n\techo hi\n}\n' >"$proj/labs/x.sh"
	printf '%s\n' '```{.c include="labs/x.c" function="helper"}' '```' \
		'```{.c include="labs/x.c" function="kernel_style"}' '```' \
		'```{.sh include="labs/x.sh" function="hi"}' '```' \
		'```{.c include="labs/x.c" lines="10-11"}' '```' >"$proj/en/page.md"
	run -0 pandoc -t plain --lua-filter "$proj/tools/docs-include.lua" "$proj/en/page.md"
	assert_output "$(printf '    %s\n' 'int helper(int a)' '{' '	return a;' '}' '' \
		'/* Kernel style: the type stands alone. */' 'static int' 'kernel_style(int a)' \
		'{' '	return helper(a);' '}' '' '# say hi' 'hi() {' '	echo hi' '}' '' \
		'int helper(int a)' '{' | sed 's/^    $//')"
}

@test "docs-include.lua: struct= takes the struct and its comment, and fails when it is gone" {
	local proj
	proj=$(scratch_project)
	printf '%s\n' 'struct other { int a; };' '' '/* What to run. */' 'struct spec {' \
		'	int a;' '};' 'int after;' >"$proj/labs/x.h"
	printf '%s\n' '```{.c include="labs/x.h" struct="spec"}' '```' >"$proj/en/page.md"
	run -0 pandoc -t plain --lua-filter "$proj/tools/docs-include.lua" "$proj/en/page.md"
	assert_output "$(printf '    %s\n' '/* What to run. */' 'struct spec {' '	int a;' '};')"
	printf '%s\n' '```{.c include="labs/x.h" struct="nosuch"}' '```' >"$proj/en/page.md"
	run ! pandoc -t plain --lua-filter "$proj/tools/docs-include.lua" "$proj/en/page.md"
	assert_output --partial "struct nosuch not found in labs/x.h"
}

@test "tools/docs: a missing include file or function fails build and slides" {
	local proj
	proj=$(scratch_project)
	echo 'int real(void)' >"$proj/labs/x.c"
	printf '{\n\treturn 0;\n}\n' >>"$proj/labs/x.c"
	# shellcheck disable=SC2016 # the backquotes are markdown
	printf '# Day\n\n```{.c include="labs/x.c" function="real"}\n```\n' >"$proj/en/01-x.md"
	cp "$proj/en/01-x.md" "$proj/vi/01-x.md"
	cp "$proj/en/01-x.md" "$proj/slides/01-x.md"
	run -0 "$proj/tools/docs" build
	run -0 "$proj/tools/docs" slides
	sed -i 's/function="real"/function="gone"/' "$proj/vi/01-x.md" "$proj/slides/01-x.md"
	run -1 "$proj/tools/docs" build
	assert_output --partial "vi/01-x.md: function gone not found in labs/x.c"
	assert_file_not_exists "$proj/build/docs/vi/01-x.html"
	run -1 "$proj/tools/docs" slides
	assert_output --partial "slides/01-x.md: function gone not found"
	sed -i 's/labs\/x.c/labs\/nosuch.c/' "$proj/en/01-x.md"
	run -1 "$proj/tools/docs" build
	assert_output --partial 'cannot open include="labs/nosuch.c"'
}

@test "tools/docs: links between write-ups point at the built pages" {
	local proj
	proj=$(scratch_project)
	printf '# hộp\n[Day 1](en/01-x.md#goal), [vi](vi/README.md), [code](labs/x.c)\n' >"$proj/README.md"
	printf '# Day 1\n[back](../README.md), [slides](../slides/01-x.md)\n' >"$proj/en/01-x.md"
	printf '# hộp\n[Ngày 1](01-x.md)\n' >"$proj/vi/README.md"
	cp "$proj/en/01-x.md" "$proj/vi/01-x.md"
	run -0 "$proj/tools/docs" build
	run -0 grep -o 'href="[^"]*"' "$proj/build/docs/README.html"
	assert_output "$(printf 'href="%s"\n' en/01-x.html#goal vi/README.html ../../labs/x.c)"
	run -0 grep -o 'href="[^"]*"' "$proj/build/docs/en/01-x.html"
	assert_output "$(printf 'href="%s"\n' ../README.html ../../slides/01-x.html)"
	run -0 grep -o 'href="[^"]*"' "$proj/build/docs/vi/README.html"
	assert_output 'href="01-x.html"'
}

# ---- the real write-ups ---------------------------------------------------------------

# The write-ups present in the tree, one a line.
writeups() {
	local f
	for f in README.md en/*.md vi/*.md; do
		[ -f "$f" ] && echo "$f"
	done
	return 0
}

# The .md names in a folder but README.md (vi/README.md is README.md's twin)
# and vi/GLOSSARY.md (the vocabulary of vi/, which en/ does not need).
lessons() {
	local f
	for f in "$1"/*.md; do
		[ -f "$f" ] && [ "${f##*/}" != README.md ] && [ "${f##*/}" != GLOSSARY.md ] && echo "${f##*/}"
	done
	return 0
}

# run_doc FILE: the console blocks of one write-up print what it shows.
run_doc() {
	requires root
	[ -f "$1" ] || fail "$1 is listed in tests/docs.bats but does not exist"
	run tools/docs-run "$1"
	assert_success
}

@test "every write-up has its own test in tests/docs.bats" {
	local f missing=()
	while read -r f; do
		grep -qF "run_doc $f;" "$BATS_TEST_FILENAME" || missing+=("$f")
	done < <(writeups)
	[ ${#missing[@]} -eq 0 ] || fail "add a '@test \"FILE\" { run_doc FILE; }' for: ${missing[*]}"
}

# One test a file, so that a failure names it; the output names the line.
@test "README.md: the commands print what it shows" { run_doc README.md; }
@test "vi/README.md: the commands print what it shows" { run_doc vi/README.md; }
@test "en/00-setup.md: the commands print what it shows" { run_doc en/00-setup.md; }
@test "vi/00-setup.md: the commands print what it shows" { run_doc vi/00-setup.md; }
@test "en/01-namespaces.md: the commands print what it shows" { run_doc en/01-namespaces.md; }
@test "vi/01-namespaces.md: the commands print what it shows" { run_doc vi/01-namespaces.md; }
@test "en/02-cgroups.md: the commands print what it shows" { run_doc en/02-cgroups.md; }
@test "vi/02-cgroups.md: the commands print what it shows" { run_doc vi/02-cgroups.md; }
@test "en/03-rootfs-chroot.md: the commands print what it shows" { run_doc en/03-rootfs-chroot.md; }
@test "vi/03-rootfs-chroot.md: the commands print what it shows" { run_doc vi/03-rootfs-chroot.md; }
@test "en/04-container-by-hand.md: the commands print what it shows" { run_doc en/04-container-by-hand.md; }
@test "vi/04-container-by-hand.md: the commands print what it shows" { run_doc vi/04-container-by-hand.md; }
@test "en/05-runtime.md: the commands print what it shows" { run_doc en/05-runtime.md; }
@test "vi/05-runtime.md: the commands print what it shows" { run_doc vi/05-runtime.md; }
@test "en/06-layers.md: the commands print what it shows" { run_doc en/06-layers.md; }
@test "vi/06-layers.md: the commands print what it shows" { run_doc vi/06-layers.md; }
@test "en/07-puller.md: the commands print what it shows" { run_doc en/07-puller.md; }
@test "vi/07-puller.md: the commands print what it shows" { run_doc vi/07-puller.md; }
@test "vi/GLOSSARY.md: the commands print what it shows" { run_doc vi/GLOSSARY.md; }

@test "norun blocks (shown but not run unattended)" {
	local files
	mapfile -t files < <(writeups)
	[ ${#files[@]} -gt 0 ] || fail "no write-ups found"
	run -0 tools/docs-run --norun "${files[@]}"
	[ -z "$output" ] || skip "$(paste -sd ';' <<<"$output" | sed 's/;/; /g')"
}

@test "en/ and vi/ hold the same write-ups" {
	run -0 diff <(lessons en) <(lessons vi)
	[ -f README.md ] || fail "README.md is missing"
	[ -f vi/README.md ] || fail "vi/README.md is missing"
}

@test "en/ and vi/ have the same headings and byte-identical code blocks" {
	local en vi failed=0
	for en in README.md en/*.md; do
		if [ "$en" = README.md ]; then vi=vi/README.md; else vi=vi/${en#en/}; fi
		[ -f "$vi" ] || continue
		tools/docs-run --parity "$en" "$vi" || failed=1
	done
	[ "$failed" -eq 0 ]
}

@test "every include= of the write-ups and slides is found" {
	local f failed=0
	for f in $(writeups) slides/*.md; do
		[ -f "$f" ] || continue
		pandoc --to native --lua-filter tools/docs-include.lua "$f" >/dev/null || failed=1
	done
	[ "$failed" -eq 0 ]
}

@test "make docs: one offline page a write-up, links rewritten to .html" {
	local f page
	run -0 make --no-print-directory docs
	for f in $(writeups); do
		page=build/docs/${f%.md}.html
		assert_file_exists "$page"
		# Self-contained: no script or style fetched from elsewhere.
		run -1 grep -E '<(script|link)[^>]*(src|href)="(https?:)?//' "$page"
		run -1 grep -E 'href="[^":#]*\.md(#[^"]*)?"' "$page"
	done
}

@test "make slides: one offline dzslides page a deck" {
	local f page
	[ -n "$(ls slides/*.md 2>/dev/null)" ] || skip "no slides yet"
	run -0 make --no-print-directory slides
	for f in slides/*.md; do
		page=build/slides/$(basename "$f" .md).html
		assert_file_exists "$page"
		run -1 grep -E '<(script|link)[^>]*(src|href)="(https?:)?//' "$page"
		run -0 grep -c '<section' "$page"
	done
}
