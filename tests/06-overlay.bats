#!/usr/bin/env bats
# Day 06: mini-overlay. An overlay mounted by hand, what the kernel keeps
# in its upper dir (copies, whiteouts, opaque dirs), that upper dir written
# as an OCI layer, and the layer applied back onto a copy of the lower dirs.
#
# Every test works on a tmpfs of its own in $BATS_TEST_TMPDIR: an upper dir
# cannot be on an overlay (the VM lane's root is one). teardown unmounts
# what the test mounted, overlays first, then the tmpfs, even after a
# failure. Side by side, the same overlay is mounted with mount -t overlay.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	MOUNTS=()
	requires root cmd:mountpoint
	grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null ||
		skip "needs overlayfs"
	D=$(realpath "$BATS_TEST_TMPDIR")/fs
	mkdir "$D"
	mount_tmpfs "$D"
	make_lower
}

teardown() {
	local i
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		while mountpoint -q "${MOUNTS[i]}"; do
			umount "${MOUNTS[i]}" || umount -l "${MOUNTS[i]}" || break
		done
	done
}

# Remember a mount point before mounting there: teardown unmounts it.
mounted() {
	MOUNTS+=("$1")
}

mount_tmpfs() {
	mounted "$1"
	mount -t tmpfs hop-test-overlay "$1"
}

# Two lower dirs, like an image's two layers: L1 above L2.
make_lower() {
	L1=$D/lower1 L2=$D/lower2
	mkdir -p "$L1"/etc "$L1"/var/cache/apt "$L1"/opt/tool/bin \
		"$L2"/etc "$L2"/usr/bin
	echo lower1 >"$L1"/etc/hostname
	echo lower2 >"$L2"/etc/hostname # hidden by L1's
	echo welcome >"$L1"/etc/motd
	echo base >"$L2"/etc/base
	echo pkgs >"$L1"/var/cache/apt/pkgcache.bin
	echo old >"$L1"/var/cache/old
	echo tool >"$L1"/opt/tool/bin/tool
	printf '#!/bin/sh\n' >"$L2"/usr/bin/su
	chmod 755 "$L2"/usr/bin/su
}

# upper, work and merged dirs for an overlay under $D/NAME.
overlay_dirs() {
	mkdir -p "$D/$1"/upper "$D/$1"/work "$D/$1"/merged
	mounted "$D/$1"/merged
}

# Ours on $D/a, mount(8)'s on $D/b, over the same lower dirs.
mount_ours() {
	overlay_dirs a
	mini-overlay mount "$L1:$L2" "$D"/a/upper "$D"/a/work "$D"/a/merged
}

mount_real() {
	overlay_dirs b
	mount -t overlay overlay \
		-o "lowerdir=$L1:$L2,upperdir=$D/b/upper,workdir=$D/b/work" \
		"$D"/b/merged
}

# The mount at $1 as /proc/self/mountinfo has it: its options, then what
# follows " - " (fstype, source, the filesystem's own options).
mountinfo_of() {
	awk -v m="$1" '$5 == m { sub(/.* - /, $6 " - "); print }' \
		/proc/self/mountinfo
}

# The overlays mounted anywhere below $D.
overlays_here() {
	awk -v d="$D/" 'index($5, d) == 1 && / - overlay / { print $5 }' \
		/proc/self/mountinfo
}

# What a container does, through the merged dir $1.
change() {
	echo container >"$1"/etc/hostname # copied up
	rm "$1"/etc/motd                  # a whiteout
	rm -r "$1"/opt                    # a whole dir: one whiteout
	rm -r "$1"/var/cache              # and a new dir in its place:
	mkdir "$1"/var/cache              # opaque
	echo fresh >"$1"/var/cache/new
	chmod 4755 "$1"/usr/bin/su        # setuid: the metadata copied up
	chown 1000:1000 "$1"/etc/base     # another owner
	mkdir -p "$1"/srv/www
	echo page >"$1"/srv/www/index.html
	ln "$1"/srv/www/index.html "$1"/srv/www/home.html
	ln -s ../etc/hostname "$1"/srv/name
	# trusted.*, not user.*: tmpfs has user xattrs only since Linux 6.6.
	setfattr -n trusted.note -v kept "$1"/srv/www/index.html
}

# One line per entry below $1, sorted: path, type, mode, owner; for files
# size, link count and content sha256; link targets; device numbers; and
# the trusted.* and user.* xattrs.
listing() {
	local p
	(cd "$1" && find . -mindepth 1 -print0 | LC_ALL=C sort -z) |
		while IFS= read -r -d '' p; do
			if [ -L "$1/$p" ]; then
				echo "$p link $(stat -c '%u:%g' "$1/$p") -> $(readlink "$1/$p")"
			elif [ -f "$1/$p" ]; then
				echo "$p file $(stat -c '%a %u:%g %s %h' "$1/$p")" \
					"$(sha256sum <"$1/$p" | cut -d' ' -f1)"
			else
				echo "$p $(stat -c '%F %a %u:%g %t:%T' "$1/$p")"
			fi
			getfattr -h -d -m '^(trusted|user)\.' "$1/$p" 2>/dev/null |
				grep -v '^#' | sed "/^\$/d; s|^|$p xattr |"
		done
}

# A tar's entries as Python's tarfile reads them: name, type, size, link
# target, and the names of its xattrs (pax SCHILY.xattr.*).
tar_members() {
	python3 - "$1" <<'EOF'
import sys, tarfile
for m in tarfile.open(sys.argv[1]):
    xattrs = sorted(k[len("SCHILY.xattr."):] for k in m.pax_headers
                    if k.startswith("SCHILY.xattr."))
    print(m.name, m.type.decode(), m.size, m.linkname or "-", *xattrs)
EOF
}

@test "mount: reads fall through to the lower dirs, top-most first; the mount is mount(8)'s" {
	overlay_dirs a
	run -0 mini-overlay mount "$L1:$L2" "$D"/a/upper "$D"/a/work "$D"/a/merged
	assert_output ""
	mount_real
	run -0 cat "$D"/a/merged/etc/hostname
	assert_output lower1
	run -0 cat "$D"/a/merged/etc/base
	assert_output base
	assert_equal "$(listing "$D"/a/merged)" "$(listing "$D"/b/merged)"
	assert_equal "$(listing "$D"/a/merged)" "$(
		cp -a "$L2"/. "$D"/both && cp -a "$L1"/. "$D"/both && listing "$D"/both
	)"
	# Reading copied nothing up.
	run -0 find "$D"/a/upper -mindepth 1
	assert_output ""
	run -0 mountinfo_of "$D"/a/merged
	assert_output --regexp " - overlay overlay rw,lowerdir=$L1:$L2,upperdir=$D/a/upper,workdir=$D/a/work(,|\$)"
	assert_equal "$(mountinfo_of "$D"/a/merged | sed "s|$D/a/|$D/X/|g")" \
		"$(mountinfo_of "$D"/b/merged | sed "s|$D/b/|$D/X/|g")"
}

@test "copy-up: a write to a lower file leaves the lower as it was; the upper has the copy" {
	mount_ours
	mount_real
	echo container >"$D"/a/merged/etc/hostname
	echo container >"$D"/b/merged/etc/hostname
	run -0 cat "$L1"/etc/hostname
	assert_output lower1
	run -0 cat "$D"/a/upper/etc/hostname
	assert_output container
	run -0 cat "$D"/a/merged/etc/hostname
	assert_output container
	# The file and the dir that holds it, nothing else: as with mount(8).
	run -0 bash -c "cd '$D/a/upper' && find . | LC_ALL=C sort"
	assert_output "$(printf '.\n./etc\n./etc/hostname')"
	assert_equal "$output" "$(cd "$D"/b/upper && find . | LC_ALL=C sort)"
}

@test "whiteout: rm of a lower file leaves a char device 0/0 in the upper" {
	mount_ours
	mount_real
	rm "$D"/a/merged/etc/motd "$D"/b/merged/etc/motd
	run -0 stat -c '%F %t:%T' "$D"/a/upper/etc/motd
	assert_output "character special file 0:0"
	assert_equal "$output" "$(stat -c '%F %t:%T' "$D"/b/upper/etc/motd)"
	assert_not_exists "$D"/a/merged/etc/motd
	run -0 cat "$L1"/etc/motd
	assert_output welcome
}

@test "opaque: rm -r of a lower dir, then mkdir: the upper dir is marked opaque" {
	requires cmd:getfattr
	mount_ours
	mount_real
	for m in "$D"/a/merged "$D"/b/merged; do
		rm -r "$m"/var/cache
		mkdir "$m"/var/cache
		echo fresh >"$m"/var/cache/new
	done
	run -0 getfattr --absolute-names -n trusted.overlay.opaque --only-values "$D"/a/upper/var/cache
	assert_output y
	run -0 getfattr --absolute-names -n trusted.overlay.opaque --only-values "$D"/b/upper/var/cache
	assert_output y
	run -0 ls -A "$D"/a/merged/var/cache
	assert_output new
	run -0 ls -A "$L1"/var/cache
	assert_output "$(printf 'apt\nold')"
}

@test "show: copied up, new, whiteout and opaque, one line each" {
	requires cmd:setfattr
	mount_ours
	change "$D"/a/merged
	run -0 mini-overlay show "$D"/a/upper "$L1:$L2"
	assert_output "copied up  etc/
copied up  etc/base
copied up  etc/hostname
whiteout   etc/motd  (char 0/0)
whiteout   opt  (char 0/0)
new        srv/
new        srv/name
new        srv/www/
new        srv/www/home.html
new        srv/www/index.html
copied up  usr/
copied up  usr/bin/
copied up  usr/bin/su
copied up  var/
opaque     var/cache/  (trusted.overlay.opaque=y)
new        var/cache/new"
	# The lower dirs as two arguments: the same. Without them: "upper".
	run -0 mini-overlay show "$D"/a/upper "$L1" "$L2"
	assert_line "copied up  etc/base"
	run -0 mini-overlay show "$D"/a/upper
	assert_line --index 0 "upper      etc/"
	assert_line "upper      srv/www/index.html"
	assert_line "whiteout   opt  (char 0/0)"
	refute_line --regexp '^(copied up|new) '
	# In an opaque dir all is new, though a lower dir has the same path.
	mkdir "$D"/a/merged/var/cache/apt
	run -0 mini-overlay show "$D"/a/upper "$L1:$L2"
	assert_line "new        var/cache/apt/"
}

@test "diff: .wh.NAME and DIR/.wh..wh..opq, no overlay xattr, no char device; the digest is the file's" {
	requires cmd:setfattr cmd:python3
	mount_ours
	change "$D"/a/merged
	run -0 mini-overlay diff "$D"/a/upper "$D"/layer.tar
	assert_output "sha256:$(sha256sum <"$D"/layer.tar | cut -d' ' -f1)"
	assert_not_exists "$D"/layer.tar.tmp
	# The names as stored: sorted, relative, a dir's ending in '/'.
	run -0 --separate-stderr tar -tf "$D"/layer.tar
	assert_output "etc/
etc/base
etc/hostname
etc/.wh.motd
.wh.opt
srv/
srv/name
srv/www/
srv/www/home.html
srv/www/index.html
usr/
usr/bin/
usr/bin/su
var/
var/cache/
var/cache/.wh..wh..opq
var/cache/new"
	run -0 tar_members "$D"/layer.tar
	assert_line "etc/.wh.motd 0 0 -"
	assert_line ".wh.opt 0 0 -"
	assert_line "var/cache/.wh..wh..opq 0 0 -"
	assert_line "srv/www/home.html 0 5 - trusted.note"
	assert_line "srv/www/index.html 1 0 srv/www/home.html trusted.note"
	assert_line "srv/name 2 0 ../etc/hostname"
	refute_output --partial overlay
	refute_line --regexp '^[^ ]+ [346] ' # no devices or fifos
	run -0 --separate-stderr tar -tvf "$D"/layer.tar usr/bin/su etc/base
	assert_line --regexp '^-rwsr-xr-x 0/0 .* usr/bin/su$'
	assert_line --regexp '^-rw-r--r-- 1000/1000 .* etc/base$'
	# The same upper dir gives the same layer, byte for byte.
	run -0 mini-overlay diff "$D"/a/upper "$D"/again.tar
	assert_output "sha256:$(sha256sum <"$D"/layer.tar | cut -d' ' -f1)"
}

@test "apply: the diff applied on a copy of the lower dirs gives the merged view" {
	requires cmd:setfattr cmd:getfattr
	mount_ours
	mount_real
	change "$D"/a/merged
	change "$D"/b/merged
	run -0 mini-overlay diff "$D"/a/upper "$D"/a.tar
	run -0 mini-overlay diff "$D"/b/upper "$D"/b.tar
	for copy in "$D"/copy-a "$D"/copy-b; do
		mkdir "$copy"
		cp -a "$L2"/. "$copy"
		cp -a "$L1"/. "$copy"
	done
	run -0 mini-overlay apply "$D"/a.tar "$D"/copy-a
	assert_output ""
	run -0 mini-overlay apply "$D"/b.tar "$D"/copy-b
	run -0 listing "$D"/a/merged
	# Not a listing that could not fail: the changes are in it.
	assert_line "./etc/base file 644 1000:1000 5 1 $(echo base | sha256sum | cut -d' ' -f1)"
	assert_line --regexp '^\./usr/bin/su file 4755 0:0 '
	refute_line --regexp '^\./(opt|etc/motd|var/cache/old) '
	assert_equal "$(listing "$D"/copy-a)" "$output"
	assert_equal "$(listing "$D"/copy-b)" "$(listing "$D"/b/merged)"
}

@test "bad input: a missing dir is named, exit 1, nothing mounted" {
	overlay_dirs a
	local upper=$D/a/upper work=$D/a/work merged=$D/a/merged
	run -1 mini-overlay mount "$L1:$D/none" "$upper" "$work" "$merged"
	assert_output --partial "lower dir $D/none: No such file or directory"
	run -1 mini-overlay mount "$L1" "$D/none" "$work" "$merged"
	assert_output --partial "upper dir $D/none: No such file or directory"
	run -1 mini-overlay mount "$L1" "$upper" "$D/none" "$merged"
	assert_output --partial "work dir $D/none: No such file or directory"
	run -1 mini-overlay mount "$L1" "$upper" "$work" "$D/none"
	assert_output --partial "mount point $D/none: No such file or directory"
	assert_line --regexp '^hint: '
	run -1 mini-overlay mount "$L1" "$upper" "$work" "$L1/etc/motd"
	assert_output --partial "mount point $L1/etc/motd: Not a directory"
	assert_equal "$(overlays_here)" ""
	assert_not_exists "$D"/none
}

@test "bad input: WORK on another filesystem than UPPER: the kernel's EINVAL, with a hint" {
	overlay_dirs a
	mkdir "$D"/other
	mount_tmpfs "$D"/other
	mkdir "$D"/other/work
	run -1 mini-overlay -x mount "$L1" "$D"/a/upper "$D"/other/work "$D"/a/merged
	assert_line --partial "mount(\"overlay\", \"$D/a/merged\", \"overlay\", 0, \"lowerdir=$L1,upperdir=$D/a/upper,workdir=$D/other/work\") = -1 EINVAL"
	assert_line "mini-overlay: mount overlay on $D/a/merged: Invalid argument"
	assert_line --regexp '^hint: WORK must be on the same filesystem'
	# mount(8) is refused the same way.
	run ! mount -t overlay overlay \
		-o "lowerdir=$L1,upperdir=$D/a/upper,workdir=$D/other/work" \
		"$D"/a/merged
	assert_equal "$(overlays_here)" ""
	run -0 find "$D"/other/work "$D"/a/upper -mindepth 1
	assert_output ""
}

@test "bad input: a ',' or '\\' in a path, or an empty lower, is refused before mount(2)" {
	overlay_dirs a
	mkdir "$D/x,y" "$D/x\\y" "$D/x:y"
	run -1 mini-overlay -x mount "$D/x,y" "$D"/a/upper "$D"/a/work "$D"/a/merged
	assert_line "mini-overlay: lower dir '$D/x,y': overlayfs reads ',' in its mount options as a separator or an escape; rename it, or use a symlink to it"
	run -1 mini-overlay -x mount "$L1" "$D"/a/upper "$D/x\\y" "$D"/a/merged
	assert_output --partial "work dir '$D/x\\y': overlayfs reads '\\'"
	refute_output --partial 'mount("overlay"'
	run -1 mini-overlay mount "$L1::$L2" "$D"/a/upper "$D"/a/work "$D"/a/merged
	assert_output --partial "lower dirs '$L1::$L2': an empty one"
	run -1 mini-overlay mount "$D/x:y" "$D"/a/upper "$D"/a/work "$D"/a/merged
	assert_output --partial "lower dir '$D/x:y': ':' separates lower dirs"
	assert_equal "$(overlays_here)" ""
}

@test "bad input: diff of a missing dir, or into itself: named, exit 1, no layer and no .tmp" {
	mkdir "$D"/upper
	run -1 mini-overlay diff "$D"/none "$D"/layer.tar
	assert_output "mini-overlay: upper dir $D/none: No such file or directory"
	assert_not_exists "$D"/layer.tar
	assert_not_exists "$D"/layer.tar.tmp
	echo x >"$D"/upper/file
	run -1 mini-overlay diff "$D"/upper "$D"/upper/layer.tar
	assert_output "mini-overlay: $D/upper/layer.tar is inside $D/upper: the layer would hold itself"
	run -0 ls -A "$D"/upper
	assert_output file
	run -1 mini-overlay diff "$D"/upper "$D"/none/layer.tar
	assert_output --partial "create $D/none/layer.tar.tmp: No such file or directory"
}

@test "bad input: apply of a file that is not a tar: named, exit 1, DIR unchanged" {
	mkdir "$D"/copy
	cp -a "$L1"/. "$D"/copy
	echo "not a tar" >"$D"/bad.tar
	before=$(listing "$D"/copy)
	run -1 mini-overlay apply "$D"/bad.tar "$D"/copy
	assert_output --regexp "^mini-overlay: apply $D/bad.tar to $D/copy: "
	assert_equal "$(listing "$D"/copy)" "$before"
	run -1 mini-overlay apply "$D"/none.tar "$D"/copy
	assert_output "mini-overlay: open $D/none.tar: No such file or directory"
	run -1 mini-overlay apply "$D"/bad.tar "$D"/none
	assert_output "mini-overlay: open $D/none: No such file or directory"
}

@test "usage: commands and arguments are checked (exit 2); --help and --version" {
	run -2 mini-overlay
	assert_line --index 0 "mini-overlay: no command given"
	run -2 mini-overlay frob
	assert_line --index 0 "mini-overlay: unknown command 'frob'"
	run -2 mini-overlay mount "$L1" "$D"
	assert_line --index 0 "mini-overlay: mount: too few arguments"
	run -2 mini-overlay diff "$D" "$D"/l.tar extra
	assert_line --index 0 "mini-overlay: diff: unexpected argument 'extra'"
	run -2 mini-overlay show
	run -2 mini-overlay apply "$D"/l.tar
	run -2 mini-overlay --bogus show "$D"
	assert_line --index 0 "mini-overlay: unknown option '--bogus'"
	run -2 mini-overlay show -z "$D"
	assert_line --index 0 "mini-overlay: unknown option '-z'"
	run -0 mini-overlay --help
	assert_line --index 0 --partial "Usage: mini-overlay"
	run -0 mini-overlay -V
	assert_output --regexp '^mini-overlay [0-9]'
	assert_equal "$(overlays_here)" ""
}
