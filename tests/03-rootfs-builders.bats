#!/usr/bin/env bats
# Day 03: the root filesystem builders in rootfs/. The seeds' recipe (sh,
# bash, libc and ld-linux copied by hand) gives a root where bash cannot
# start; rootfs/copy-binaries follows each program's DT_NEEDED list and gives
# one where it can. Checked by running the programs in a chroot and by the
# loader's own view (ldd outside, ld.so --list inside the root).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	requires root cmd:chroot cmd:readelf cmd:ldd
	D=$BATS_TEST_TMPDIR/roots # everything a test builds lives under it
	mkdir -p "$D"
}

teardown() {
	rm -rf --one-file-system "$D"
}

# chroot with a PATH that means something inside the root.
in_root() {
	env PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot "$@"
}

# The libraries ldd names for a program: "SONAME PATH" lines, sorted.
ldd_libraries() {
	ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }
		$1 ~ /^\// { n = split($1, p, "/"); print p[n], $1 }' | sort
}

# Type, mode, size, path, link target and checksum of every file under DIR.
tree_of() {
	(cd "$1" && find . -printf '%y %m %s %p %l\n' | sort &&
		find . -type f -exec sha256sum {} + | sort -k2)
}

@test "seed recipe: /bin/sh runs, /bin/bash cannot load libtinfo.so.6" {
	run -0 "$HOP_TOP/rootfs/copy-binaries" --seed-recipe "$D/seed"
	run -0 find "$D/seed" -type f -printf '%P\n'
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" \
		".done bin/bash bin/sh lib/x86_64-linux-gnu/libc.so.6 lib64/ld-linux-x86-64.so.2 "
	run -0 in_root "$D/seed" /bin/sh -c 'echo ok'
	assert_output ok
	# bash asks for libtinfo as well as libc: the loader stops before main.
	run -0 ldd_libraries /bin/bash
	assert_line --regexp '^libtinfo\.so\.6 '
	run -127 in_root "$D/seed" /bin/bash -c true
	assert_output "/bin/bash: error while loading shared libraries: libtinfo.so.6: cannot open shared object file: No such file or directory"
}

@test "copy-binaries bash ls cat: bash runs in the chroot and ls lists the root" {
	run -0 "$HOP_TOP/rootfs/copy-binaries" "$D/root" bash ls cat
	assert_output ""
	run -0 in_root "$D/root" /bin/bash -c 'echo ok; ls /; cat /etc/passwd'
	assert_line --index 0 ok
	for dir in bin dev etc lib lib64 proc root sbin sys tmp usr; do
		assert_line "$dir"
	done
	assert_line "root:x:0:0:root:/root:/bin/sh"
	# Laid out like the host (usrmerge): the top-level directories are links.
	for dir in bin sbin lib lib64; do
		assert_equal "$(readlink "$D/root/$dir")" "usr/$dir"
		assert_equal "$(readlink /$dir)" "usr/$dir"
	done
	assert_file_exists "$D/root/.done"
}

@test "copy-binaries: every library ldd lists is in the root, and its loader finds them" {
	local prog path
	run -0 "$HOP_TOP/rootfs/copy-binaries" "$D/root" bash ls cat
	for prog in bash ls cat; do
		[ -n "$(ldd_libraries "$(type -P "$prog")")" ]
		while read -r _ path; do
			# A real file, not a link pointing back to the host.
			[ -f "$D/root$path" ] && [ ! -L "$D/root$path" ] ||
				fail "$prog needs $path: not a file in the root"
		done < <(ldd_libraries "$(type -P "$prog")")
		# The root's own loader, without the host's /etc/ld.so.cache, resolves
		# the same names.
		run -0 in_root "$D/root" /lib64/ld-linux-x86-64.so.2 --list "/bin/$prog"
		refute_output --partial "not found"
		assert_equal "$(awk '$2 == "=>" { print $1 }' <<<"$output" | sort)" \
			"$(ldd "$(type -P "$prog")" | awk '$2 == "=>" { print $1 }' | sort)"
	done
	assert_file_not_exists "$D/root/etc/ld.so.cache"
}

@test "copy-binaries: a second run gives the same tree and leaves no temporary directory" {
	local first
	"$HOP_TOP/rootfs/copy-binaries" "$D/root" bash ls cat
	first=$(tree_of "$D/root")
	run -0 "$HOP_TOP/rootfs/copy-binaries" "$D/root" bash ls cat
	assert_equal "$(tree_of "$D/root")" "$first"
	run -0 ls -A "$D"
	assert_output root
}

@test "copy-binaries: a program not in PATH is an error and nothing is made" {
	run -1 "$HOP_TOP/rootfs/copy-binaries" "$D/root" bash nosuch
	assert_output "copy-binaries: nosuch: not found in PATH"
	run -1 "$HOP_TOP/rootfs/copy-binaries" "$D/root" /nonexistent/bin/x
	assert_output "copy-binaries: /nonexistent/bin/x: No such file or directory"
	run -0 ls -A "$D"
	assert_output ""
	# A failed run leaves the previous root as it was.
	"$HOP_TOP/rootfs/copy-binaries" "$D/root" cat
	run -1 "$HOP_TOP/rootfs/copy-binaries" "$D/root" nosuch
	run -0 in_root "$D/root" /bin/cat /etc/group
	assert_line "root:x:0:"
	run -0 ls -A "$D"
	assert_output root
}

@test "copy-binaries: a library the loader cannot find is an error and nothing is made" {
	requires cmd:cc
	mkdir "$D/src" "$D/out"
	echo 'int hop_answer(void) { return 42; }' >"$D/src/answer.c"
	echo 'int hop_answer(void); int main(void) { return hop_answer(); }' >"$D/src/main.c"
	cc -shared -fPIC -Wl,-soname,libhopanswer.so.1 -o "$D/src/libhopanswer.so.1" "$D/src/answer.c"
	cc -o "$D/src/answer" "$D/src/main.c" -L"$D/src" -l:libhopanswer.so.1 -Wl,-rpath,"$D/src"
	# Found through DT_RUNPATH: copied at its own path, and it runs there.
	run -0 "$HOP_TOP/rootfs/copy-binaries" "$D/out/root" "$D/src/answer"
	assert_file_exists "$D/out/root$D/src/libhopanswer.so.1"
	run -42 in_root "$D/out/root" "$D/src/answer"
	rm "$D/src/libhopanswer.so.1"
	run -1 "$HOP_TOP/rootfs/copy-binaries" "$D/out/new" "$D/src/answer"
	assert_line --index 0 "copy-binaries: $D/src/answer: needs libhopanswer.so.1, which the loader cannot find"
	run -0 ls -A "$D/out"
	assert_output root
}

@test "copy-binaries: a program whose PT_INTERP is not this machine's loader is refused, and nothing it names runs" {
	requires cmd:cc
	mkdir "$D/src"
	# The "interpreter" a hostile file names: a script leaving a marker.
	printf '#!/bin/sh\ntouch %s/marker\n' "$D" >"$D/src/interp"
	chmod 755 "$D/src/interp"
	echo 'int main(void) { return 0; }' >"$D/src/main.c"
	cc -o "$D/src/hostile" "$D/src/main.c" -Wl,--dynamic-linker="$D/src/interp"
	run -0 readelf -lW "$D/src/hostile"
	assert_output --partial "[Requesting program interpreter: $D/src/interp]"
	run -1 "$HOP_TOP/rootfs/copy-binaries" "$D/root" "$D/src/hostile"
	assert_file_not_exists "$D/marker"
	assert_line --index 0 "copy-binaries: $D/src/hostile: its interpreter $D/src/interp is not this machine's loader /lib64/ld-linux-x86-64.so.2"
	run -0 ls -A "$D"
	assert_output src
}

@test "copy-binaries: refuses a non-empty directory it did not make, and bad usage" {
	mkdir -p "$D/mine"
	echo keep >"$D/mine/file"
	run -1 "$HOP_TOP/rootfs/copy-binaries" "$D/mine" cat
	assert_line --index 0 "copy-binaries: $D/mine: not empty and not made by rootfs/ (no .done)"
	assert_equal "$(cat "$D/mine/file")" keep
	run -2 "$HOP_TOP/rootfs/copy-binaries" "$D/root"
	assert_line --index 0 --partial "usage: copy-binaries"
	run -2 "$HOP_TOP/rootfs/copy-binaries" --bogus "$D/root" cat
	run -0 "$HOP_TOP/rootfs/copy-binaries" --help
	assert_output --partial "--seed-recipe"
	run -0 ls -A "$D"
	assert_output mine
}

@test "copy-binaries: a static program or a script is copied alone, with a note" {
	requires cmd:ldd
	run -0 "$HOP_TOP/rootfs/copy-binaries" "$D/root" "$HOP_BIN/probe" "$(type -P ldd)"
	assert_line "copy-binaries: $HOP_BIN/probe: no program interpreter (statically linked, or a library): copied alone"
	assert_line --partial "/ldd: not an ELF file (a script?): copied alone"
	run -0 find "$D/root" -name 'ld-linux*'
	assert_output ""
	run -0 in_root "$D/root" "$HOP_BIN/probe" pid
	assert_line --regexp '^pid [0-9]+$'
}

@test "busybox root (make rootfs): /bin/sh and probe run in a chroot" {
	[ -e "$HOP_ROOTFS/.done" ] || skip "build/rootfs/busybox is missing: run make rootfs"
	run -0 in_root "$HOP_ROOTFS" /bin/sh -c 'echo ok'
	assert_output ok
	# exec keeps the PID: the probe that answers is the root's own /bin/probe.
	run -0 in_root "$HOP_ROOTFS" /bin/sh -c 'echo $$; exec /bin/probe pid'
	assert_line --index 1 "pid ${lines[0]}"
	# Nothing in it is dynamically linked: it has no loader at all.
	run -0 find "$HOP_ROOTFS" -name 'ld-linux*'
	assert_output ""
}

@test "debian: a missing debootstrap or an unreachable mirror is a clear error" {
	requires cmd:wget
	run -1 env HOP_CACHE="$D/cache" DEBOOTSTRAP=/nonexistent/debootstrap \
		"$HOP_TOP/rootfs/debian" "$D/debian"
	assert_output - <<-'EOF'
	rootfs/debian: /nonexistent/debootstrap: not found
	hint: install debootstrap: sudo make setup (tools/setup)
	EOF
	# Port 9 on the loopback address: refused at once, no packet leaves.
	run -1 env HOP_CACHE="$D/cache" DEBOOTSTRAP=true DEBIAN_MIRROR=http://127.0.0.1:9/debian \
		"$HOP_TOP/rootfs/debian" "$D/debian"
	assert_line --index 0 "rootfs/debian: http://127.0.0.1:9/debian/dists/bookworm/Release: cannot be fetched (mirror unreachable, or no suite bookworm)"
	run -0 ls -A "$D"
	assert_output ""
}

@test "debian (slow, HOP_SLOW=1): debootstrap minbase gives Debian 12, cached for the next run" {
	[ "${HOP_SLOW:-}" = 1 ] ||
		skip "slow: debootstrap downloads and installs 200 MB (run with HOP_SLOW=1)"
	requires cmd:debootstrap
	run -0 "$HOP_TOP/rootfs/debian" "$D/debian"
	run -0 in_root "$D/debian" cat /etc/debian_version
	assert_output --regexp '^12\.[0-9]+$'
	run -0 in_root "$D/debian" dpkg-query -W "-f=\${Status}" libc6
	assert_output "install ok installed"
	# The second run unpacks the cache: debootstrap is not even needed.
	assert_file_exists "$HOP_TOP/build/cache/debian-bookworm-minbase-$(dpkg --print-architecture).tar"
	run -0 env DEBOOTSTRAP=/nonexistent/debootstrap "$HOP_TOP/rootfs/debian" "$D/debian"
	assert_output ""
	run -0 in_root "$D/debian" cat /etc/debian_version
	assert_output --regexp '^12\.[0-9]+$'
	run -0 ls -A "$D"
	assert_output debian
}
