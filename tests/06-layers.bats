#!/usr/bin/env bats
# Day 06: mini-image, which reads an OCI image layout and unpacks its
# layers. Images are built here, never downloaded: with umoci (its repack
# writes the whiteouts of what was deleted) and copied with skopeo, or by
# tests/oci-layout.py, which also makes the bad and the hostile ones.
# What mini-image unpacks is compared with what `umoci unpack` unpacks,
# path by path (type, mode, owner, size, link target, content, xattrs,
# hardlinks, mtimes); what it refuses leaves nothing behind, and nothing
# outside the root changes.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	W=$BATS_TEST_TMPDIR # everything a test makes lives under it
	R=$W/root           # where the tests unpack
}

# A test that ran a bundle: its containers and their groups (mini-runc's
# hop-$T beneath our base, runc's $T beneath our own cgroup), by their ids.
teardown() {
	[ -n "${T:-}" ] || return 0
	local dir groups="find /sys/fs/cgroup -maxdepth 8 -type d -name $T"
	mini-runc --root "$STATE" delete --force "$T" >/dev/null 2>&1 || true
	if command -v runc >/dev/null; then
		runc_ delete --force "$T" >/dev/null 2>&1 || true
	fi
	for dir in $($groups 2>/dev/null); do
		xargs -r kill -KILL <"$dir/cgroup.procs" 2>/dev/null || true
	done
	wait_until "$groups -depth -exec rmdir {} + 2>/dev/null; [ -z \"\$($groups)\" ]" 5 || true
	cgroup_cleanup "hop-$T"
	assert_equal "$(grep -c "$BATS_TEST_TMPDIR" /proc/self/mounts)" 0
}

# oci_layout and same_tree: tests/helpers.bash (day 07 uses them too).

# The blob of the layout $1 named by digest $2; the hex of the digest of
# the manifest of tag $2 in layout $1 and of its layer $3.
blob() {
	echo "$1/blobs/sha256/${2#sha256:}"
}
manifest_blob() {
	blob "$1" "$(jq -r --arg t "$2" \
		'.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
		"$1/index.json")"
}
layer_hex() {
	jq -r ".layers[$3].digest" "$(manifest_blob "$1" "$2")" | sed 's/^sha256://'
}

# Nothing at $1, nor a half-made sibling ($1.hop-XXXXXX).
assert_no_root() {
	if [ -e "$1" ] || [ -L "$1" ]; then
		fail "$1 exists"
	fi
	run -0 find "$(dirname "$1")" -maxdepth 1 -name "$(basename "$1").hop-*"
	assert_output ""
}

# What is at the top of $W (not bats' own files for run --separate-stderr).
top_of_tmpdir() {
	find "$W" -mindepth 1 -maxdepth 1 -not -name 'separate-stderr-*' -printf '%f\n' | sort
}

# Run mini-image, which must refuse (exit 1) with its error first on
# stderr as "mini-image: ...": stderr is in $output and $lines afterwards.
refuse() {
	run -1 --separate-stderr mini-image "$@"
	output=$stderr
	lines=("${stderr_lines[@]}")
	assert_line --index 0 --regexp '^mini-image: '
}

# The image most tests use, made once for the file with umoci from the
# busybox root and a small tree: three layers (the second deletes, changes
# modes and owners, adds a hardlink, a symlink, a FIFO and a device; the
# third, written by python, makes a directory opaque and whites out a
# file), a config set with umoci config, copied by skopeo into $IMG, and
# into $DOCK with Docker's media types.
image() {
	requires root cmd:umoci cmd:skopeo cmd:python3 cmd:jq cmd:setfattr
	[ -x "$HOP_ROOTFS/bin/sh" ] || skip "no busybox root: run make rootfs"
	IMG=$BATS_FILE_TMPDIR/img DOCK=$BATS_FILE_TMPDIR/dock
	[ -e "$DOCK/index.json" ] && return 0
	local u=$BATS_FILE_TMPDIR/umoci b=$BATS_FILE_TMPDIR/umoci-bundle d
	rm -rf "$u" "$b" "$IMG" "$DOCK"
	umoci init --layout "$u"
	umoci new --image "$u:t"
	umoci unpack --image "$u:t" "$b"
	cp -a "$HOP_ROOTFS/." "$b/rootfs/"
	d=$b/rootfs/data
	mkdir -p "$d/deleted-dir/sub" "$d/opaque/keep" "$d/plain"
	echo gone >"$d/deleted-file"
	echo a >"$d/deleted-dir/a"
	echo c >"$d/deleted-dir/sub/c"
	echo old >"$d/opaque/old"
	echo kept >"$d/opaque/keep/x"
	echo hello >"$d/plain/file"
	echo mode >"$d/chmod-me"
	chmod 644 "$d/chmod-me"
	printf src >"$d/link-src"
	printf '#!/bin/sh\n' >"$d/setuid" # the kernel ignores the bit on scripts
	chmod 4755 "$d/setuid"
	echo x >"$d/xattr"
	setfattr -n trusted.hop -v layered "$d/xattr"
	touch -d '2001-02-03 04:05:06' "$d/plain/file"
	touch -d '2002-01-01 00:00:01' "$d/plain" "$d/opaque" "$d/opaque/keep"
	touch -d '2003-01-01 00:00:01' "$d" "$b/rootfs"
	umoci repack --refresh-bundle --image "$u:t" "$b"
	rm "$d/deleted-file"
	rm -r "$d/deleted-dir"
	chmod 600 "$d/chmod-me"
	chown 1000:1001 "$d/chmod-me"
	ln -f "$d/link-src" "$d/hardlink"
	ln -s plain/file "$d/symlink"
	mkfifo -m 640 "$d/fifo"
	mknod -m 666 "$d/null" c 1 3
	echo new >"$d/plain/new"
	chmod 2750 "$d/plain"
	chown 0:1001 "$d/plain"
	touch -d '2004-01-01 00:00:01' "$d/plain" "$d"
	touch -h -d '2005-01-01 00:00:01' "$d/symlink"
	umoci repack --refresh-bundle --image "$u:t" "$b"
	oci_layout tar "$BATS_FILE_TMPDIR/third.tar" d:data/opaque \
		f:data/opaque/.wh..wh..opq f:data/opaque/new=fresh f:data/plain/.wh.new
	umoci raw add-layer --image "$u:t" "$BATS_FILE_TMPDIR/third.tar"
	umoci config --image "$u:t" --config.env GREETING=hello \
		--config.env PATH=/bin:/usr/bin \
		--config.entrypoint /bin/sh --config.entrypoint -c \
		--config.cmd 'echo hello from the image; id -u; id -g; pwd; echo $GREETING' \
		--config.workingdir /data --config.user 1000:1001 \
		--config.exposedports 80/tcp --config.exposedports 443/tcp
	skopeo copy -q "oci:$u:t" "oci:$IMG:t"
	skopeo copy -q --format v2s2 "oci:$u:t" "oci:$DOCK:t"
	rm -rf "$u" "$b"
}

@test "unpack gives the tree umoci unpack gives: whiteouts, opaque dirs, modes, owners, links, xattrs, mtimes" {
	image
	mini-image unpack "$IMG:t" "$R"
	umoci unpack --image "$IMG:t" "$W/umoci"
	same_tree "$R" "$W/umoci/rootfs"
	# The cases are there to compare (same_tree shows any difference).
	run -0 oci_layout list "$R" --mtime
	refute_line --partial "data/deleted-file "
	refute_line --partial "data/deleted-dir"
	refute_line --partial "data/opaque/old "
	refute_line --partial "data/opaque/keep"
	refute_line --partial "data/plain/new "
	assert_line --regexp '^data/opaque/new f 0644 0:0 5 '
	assert_line --regexp '^data/chmod-me f 0600 1000:1001 5 '
	assert_line --regexp '^data/setuid f 4755 0:0 '
	assert_line --regexp '^data/plain d 2750 0:1001 .* 1072915201000000000$'
	assert_line --regexp '^data/symlink l 0777 0:0 0 plain/file .* 1104537601000000000$'
	assert_line --regexp '^data/link-src f 0644 0:0 3 - [0-9a-f]+ - data/hardlink '
	assert_line --regexp "^data/xattr f 0644 0:0 2 - [0-9a-f]+ trusted.hop=b'layered' "
	assert_line --regexp '^data/fifo p 0640 '
	assert_line --regexp '^data/null c 0666 0:0 0 1,3 '
	assert_line --regexp '^data/plain/file f .* 981173106000000000$'
	assert_line --regexp '^\. d 0755 0:0 .* 1041379201000000000$'
	[ -x "$R/bin/sh" ]
	# The same image with Docker's media types, as skopeo wrote it.
	mini-image unpack "$DOCK:t" "$W/dock"
	same_tree "$W/dock" "$W/umoci/rootfs"
}

@test "inspect prints the digests sha256sum gives, the diff_ids of the tars, and the config" {
	image
	local m c n hex expected
	m=$(manifest_blob "$IMG" t)
	c=$(blob "$IMG" "$(jq -r .config.digest "$m")")
	expected=$(printf '%-10s %s\n' \
		manifest "sha256:$(sha256sum <"$m" | cut -d' ' -f1) application/vnd.oci.image.manifest.v1+json $(stat -c %s "$m")" \
		config "sha256:$(sha256sum <"$c" | cut -d' ' -f1) application/vnd.oci.image.config.v1+json $(stat -c %s "$c")")
	# Layers are numbered from 1, as -v narrates them ("layer 1 of 3"):
	# layer N is the manifest's .layers[N-1], the config's diff_ids[N-1].
	for n in 0 1 2; do
		hex=$(layer_hex "$IMG" t "$n")
		expected+=$'\n'$(printf '%-10s %s\n' "layer $((n + 1))" \
			"sha256:$(sha256sum <"$IMG/blobs/sha256/$hex" | cut -d' ' -f1) application/vnd.oci.image.layer.v1.tar+gzip $(stat -c %s "$IMG/blobs/sha256/$hex")" \
			"  diff_id" "sha256:$(zcat "$IMG/blobs/sha256/$hex" | sha256sum | cut -d' ' -f1)")
		# The config says the same: the fixture is what it claims.
		assert_equal "$(jq -r ".rootfs.diff_ids[$n]" "$c")" \
			"sha256:$(zcat "$IMG/blobs/sha256/$hex" | sha256sum | cut -d' ' -f1)"
	done
	expected+=$'\n'"platform   linux/amd64
Env        GREETING=hello
Env        PATH=/bin:/usr/bin
Entrypoint [\"/bin/sh\",\"-c\"]
Cmd        [\"echo hello from the image; id -u; id -g; pwd; echo \$GREETING\"]
WorkingDir /data
User       1000:1001
ExposedPorts $(jq -r '.config.ExposedPorts | keys_unsorted | join(" ")' "$c")"
	run -0 --separate-stderr mini-image inspect "$IMG:t"
	assert_output "$expected"
	assert_equal "$stderr" ""
	# Without a tag: the only manifest. -v narrates on stderr only.
	run -0 --separate-stderr mini-image -v inspect "$IMG"
	assert_output "$expected"
	[ -n "$stderr" ]
	# Docker's media types, as skopeo wrote them.
	run -0 mini-image inspect "$DOCK:t"
	assert_line --index 0 --regexp '^manifest   sha256:[0-9a-f]{64} application/vnd\.docker\.distribution\.manifest\.v2\+json [0-9]+$'
	assert_line --index 1 --regexp '^config     sha256:[0-9a-f]{64} application/vnd\.docker\.container\.image\.v1\+json [0-9]+$'
	assert_line --index 2 --regexp '^layer 1    sha256:[0-9a-f]{64} application/vnd\.docker\.image\.rootfs\.diff\.tar\.gzip [0-9]+$'
	assert_line "Env        GREETING=hello"
}

@test "uncompressed, gzip and zstd layers unpack to the same tree, as umoci's" {
	requires root cmd:umoci cmd:python3 cmd:zstd cmd:jq cmd:setfattr
	local t=$W/tree kind
	mkdir -p "$t/etc" "$t/bin" "$t/empty" "$t/tmp"
	echo hello >"$t/etc/hello"
	head -c 300000 /dev/urandom >"$t/bin/big" # more than one zstd block
	ln "$t/etc/hello" "$t/etc/hardlink"
	ln -s ../etc/hello "$t/bin/link"
	chown -h 5:6 "$t/bin/link"
	mkfifo "$t/fifo"
	mknod "$t/loop" b 7 200
	printf '#!/bin/sh\n' >"$t/bin/tool"
	chmod 4711 "$t/bin/tool"
	chmod 1777 "$t/tmp"
	chown 12:34 "$t/etc/hello"
	setfattr -n trusted.origin -v tree "$t/bin/big"
	touch -d '2010-01-01' "$t/etc/hello" "$t/empty" "$t/etc"
	tar --xattrs --xattrs-include='trusted.*' -C "$t" -cf "$W/layer.tar" .
	for kind in tar gzip zstd; do
		oci_layout layout "$W/img" "$kind" "$kind:$W/layer.tar" >/dev/null
	done
	# What the blobs are, really.
	[ "$(od -An -tx1 -N4 "$(blob "$W/img" "sha256:$(layer_hex "$W/img" zstd 0)")" | tr -d ' ')" = 28b52ffd ]
	[ "$(od -An -tx1 -N2 "$(blob "$W/img" "sha256:$(layer_hex "$W/img" gzip 0)")" | tr -d ' ')" = 1f8b ]
	cmp "$W/layer.tar" "$(blob "$W/img" "sha256:$(layer_hex "$W/img" tar 0)")"
	for kind in tar gzip zstd; do
		mini-image unpack "$W/img:$kind" "$W/$kind"
		run -0 mini-image inspect "$W/img:$kind"
		assert_line --index 2 --regexp "^layer 1    sha256:$(layer_hex "$W/img" "$kind" 0) application/vnd\.oci\.image\.layer\.v1\.tar(\+$kind)? [0-9]+$"
		assert_line --index 3 "  diff_id  sha256:$(sha256sum <"$W/layer.tar" | cut -d' ' -f1)"
	done
	# umoci 0.4.7 reads no zstd: compared with it on the other two.
	umoci unpack --image "$W/img:gzip" "$W/umoci"
	same_tree "$W/gzip" "$W/umoci/rootfs"
	same_tree "$W/tar" "$W/umoci/rootfs"
	same_tree "$W/zstd" "$W/umoci/rootfs"
	run -0 oci_layout list "$W/zstd"
	assert_line --regexp '^bin/tool f 4711 0:0 '
	assert_line --regexp '^etc/hardlink f 0644 12:34 6 - [0-9a-f]+ - etc/hardlink'
	assert_line --regexp "^bin/big f 0644 0:0 300000 - [0-9a-f]+ trusted.origin=b'tree' "
	assert_line --regexp '^bin/link l 0777 5:6 0 \.\./etc/hello '
	assert_line --regexp '^loop b 0644 0:0 0 7,200 '
	assert_line --regexp '^tmp d 1777 '
	cmp "$t/bin/big" "$W/zstd/bin/big"
}

@test "a file capability (security.capability) is kept, as umoci keeps it" {
	requires root cmd:umoci cmd:python3 cmd:setcap cmd:getcap
	mkdir -p "$W/tree/bin"
	printf 'not a program\n' >"$W/tree/bin/ping" # only the xattr matters
	setcap cap_net_raw+ep "$W/tree/bin/ping"
	tar --xattrs --xattrs-include='security.capability' -C "$W/tree" -cf "$W/layer.tar" .
	oci_layout layout "$W/img" t "gzip:$W/layer.tar" >/dev/null
	mini-image unpack "$W/img:t" "$R"
	umoci unpack --image "$W/img:t" "$W/umoci"
	same_tree "$R" "$W/umoci/rootfs"
	assert_equal "$(getcap "$R/bin/ping" | awk '{ print $2 }')" cap_net_raw=ep
}

# Unpack the two-layer image of the tar entries LOWER and UPPER (given as
# one string each) with mini-image into $R and umoci into $W/umoci; the
# trees must be the same.
as_umoci() {
	requires root cmd:umoci cmd:python3 cmd:jq
	# shellcheck disable=SC2086 # one word per entry
	oci_layout tar "$W/lower.tar" $1
	# shellcheck disable=SC2086
	oci_layout tar "$W/upper.tar" $2
	oci_layout layout "$W/img" t "gzip:$W/lower.tar" "gzip:$W/upper.tar" >/dev/null
	umoci unpack --image "$W/img:t" "$W/umoci"
	mini-image unpack "$W/img:t" "$R"
	same_tree "$R" "$W/umoci/rootfs"
}

@test "a layer replaces a directory by a file or a symlink, a file or a symlink by a directory, as umoci does" {
	as_umoci "d:. d:data f:data/file-to-dir=file d:data/dir-to-file f:data/dir-to-file/child=c
		d:data/dir-to-symlink f:data/dir-to-symlink/child=c s:data/symlink-to-dir=elsewhere
		f:data/linked=l" \
		"d:data/file-to-dir f:data/file-to-dir/child=x f:data/dir-to-file=now
		s:data/dir-to-symlink=/elsewhere d:data/symlink-to-dir f:data/symlink-to-dir/y=y
		h:data/link-to-lower=data/linked"
	run -0 oci_layout list "$R"
	assert_line --regexp '^data/dir-to-file f 0644 0:0 3 '
	assert_line --regexp '^data/dir-to-symlink l 0777 0:0 0 /elsewhere '
	assert_line --regexp '^data/file-to-dir/child f '
	assert_line --regexp '^data/symlink-to-dir/y f '
	assert_line --regexp '^data/linked f 0644 0:0 1 - [0-9a-f]+ - data/link-to-lower$'
	refute_line --partial data/dir-to-file/child
}

@test "whiteouts hide only what the layers below made, wherever they are in the tar (image-spec layer.md)" {
	# "Files that are present in the same layer as a whiteout file can
	# only be hidden by whiteout files in subsequent layers": y stays, x
	# goes; the opaque marker after new hides old, not new.
	as_umoci "d:. d:data d:data/w f:data/w/x=x d:data/o f:data/o/old=o" \
		"f:data/w/y=y f:data/w/.wh.y f:data/w/.wh.x f:data/o/new=n f:data/o/.wh..wh..opq"
	run -0 oci_layout list "$R"
	assert_line --regexp '^data/w/y f '
	refute_line --partial data/w/x
	assert_line --regexp '^data/o/new f '
	refute_line --partial data/o/old
}

@test "--platform picks the image from an image index; a platform it lacks is an error naming those it has" {
	requires root cmd:python3 cmd:jq
	local arch index hex
	for arch in amd64 arm64; do
		oci_layout tar "$W/$arch.tar" "f:arch=$arch"
		oci_layout layout "$W/img" "$arch" "gzip:$W/$arch.tar" --platform "linux/$arch" >/dev/null
	done
	# As skopeo copy --all lays out a multi-arch image: index.json names
	# one index blob, which lists a manifest for each platform.
	index=$(jq -c '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [.manifests[] | .platform = {os: "linux",
			architecture: .annotations["org.opencontainers.image.ref.name"]} | del(.annotations)]}' \
		"$W/img/index.json")
	hex=$(printf '%s' "$index" | sha256sum | cut -d' ' -f1)
	printf '%s' "$index" >"$W/img/blobs/sha256/$hex"
	jq --arg d "sha256:$hex" --argjson size "${#index}" '.manifests = [{
		mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $size,
		annotations: {"org.opencontainers.image.ref.name": "multi"}}]' \
		"$W/img/index.json" >"$W/index.json"
	mv "$W/index.json" "$W/img/index.json"
	mini-image --platform linux/arm64 unpack "$W/img:multi" "$R"
	assert_equal "$(cat "$R/arch")" arm64
	run -0 mini-image --platform linux/arm64 inspect "$W/img:multi"
	assert_line "platform   linux/arm64"
	# linux/amd64 unless told.
	mini-image unpack "$W/img:multi" "$W/default"
	assert_equal "$(cat "$W/default/arch")" amd64
	refuse --platform linux/s390x unpack "$W/img:multi" "$W/none"
	assert_line --index 0 --partial linux/s390x
	assert_line --index 0 --partial linux/amd64
	assert_line --index 0 --partial linux/arm64
	assert_no_root "$W/none"
	# One tag for two platforms in index.json itself: the platform picks.
	for arch in amd64 arm64; do
		oci_layout layout "$W/flat" both "gzip:$W/$arch.tar" --platform "linux/$arch" >/dev/null
	done
	jq '.manifests |= [foreach .[] as $m (-1; . + 1;
		$m + {platform: {os: "linux", architecture: (["amd64", "arm64"][.])}})]' \
		"$W/flat/index.json" >"$W/index.json"
	mv "$W/index.json" "$W/flat/index.json"
	mini-image --platform linux/arm64 unpack "$W/flat:both" "$W/flat-arm64"
	assert_equal "$(cat "$W/flat-arm64/arch")" arm64
	mini-image unpack "$W/flat:both" "$W/flat-default"
	assert_equal "$(cat "$W/flat-default/arch")" amd64
	# A platform that is not OS/ARCH[/VARIANT]: a usage error.
	run -2 mini-image --platform bogus inspect "$W/img:multi"
	assert_line --index 0 "mini-image: --platform 'bogus': not OS/ARCH or OS/ARCH/VARIANT (e.g. linux/amd64)"
}

# A layout of two layers for the bad-input tests, with the faults asked
# for (oci-layout.py's --fault), in $W/img, tag t.
two_layers() {
	requires root cmd:python3 cmd:jq
	oci_layout tar "$W/one.tar" d:etc f:etc/hello=world d:bin f:bin/tool=x
	oci_layout tar "$W/two.tar" d:etc f:etc/second=layer f:etc/.wh.hello
	rm -rf "$W/img"
	oci_layout layout "$W/img" t gzip:"$W/one.tar" gzip:"$W/two.tar" "$@" >/dev/null
}

@test "bad input: a blob whose sha256 is not its digest is refused, and leaves no root" {
	# A byte of the gzip header (its mtime): the tar inside is the same,
	# only the digest can tell.
	two_layers --fault digest:1
	refuse unpack "$W/img:t" "$R"
	assert_line --index 0 --partial "blob sha256:$(layer_hex "$W/img" t 1): digest mismatch"
	assert_no_root "$R"
	# inspect reads every layer through too, and prints nothing.
	run -1 --separate-stderr mini-image inspect "$W/img:t"
	assert_equal "$output" ""
	assert_equal "$stderr" "mini-image: blob sha256:$(layer_hex "$W/img" t 1): digest mismatch: its bytes hash to $(sha256sum "$W/img/blobs/sha256/$(layer_hex "$W/img" t 1)" | awk '{ print "sha256:" $1 }')"
	# A bundle neither: nothing new beside it.
	before=$(top_of_tmpdir)
	refuse bundle "$W/img:t" "$W/bundle"
	assert_line --index 0 --partial "blob sha256:$(layer_hex "$W/img" t 1): digest mismatch"
	assert_equal "$(top_of_tmpdir)" "$before"
	# The manifest and the config, which inspect reads too.
	local what hex
	for what in manifest config; do
		two_layers --fault "digest:$what"
		hex=$(jq -r .manifests[0].digest "$W/img/index.json")
		[ $what = manifest ] || hex=$(jq -r .config.digest "$(manifest_blob "$W/img" t)")
		refuse inspect "$W/img:t"
		assert_line --index 0 --partial "blob $hex: digest mismatch"
		refuse unpack "$W/img:t" "$R"
		assert_line --index 0 --partial "blob $hex: digest mismatch"
		assert_no_root "$R"
	done
}

@test "bad input: a diff_id that is not the sha256 of the layer's tar is refused, and leaves no root" {
	two_layers --fault diff-id:1
	refuse unpack "$W/img:t" "$R"
	assert_line --index 0 --partial "diff_id mismatch"
	assert_no_root "$R"
}

@test "bad input: a truncated blob is refused, naming it, and leaves no root" {
	two_layers --fault truncate:1
	hex=$(layer_hex "$W/img" t 1)
	refuse unpack "$W/img:t" "$R"
	assert_line --index 0 --regexp "blob sha256:$hex: size mismatch|layer sha256:$hex"
	assert_no_root "$R"
}

@test "bad input: a size in a descriptor that is not the blob's is refused, and leaves no root" {
	local delta what
	for delta in 1 -1; do
		two_layers --fault "size:1=$delta"
		refuse unpack "$W/img:t" "$R"
		assert_line --index 0 --partial "blob sha256:$(layer_hex "$W/img" t 1): size mismatch"
		assert_no_root "$R"
		for what in manifest config; do
			two_layers --fault "size:$what=$delta"
			refuse inspect "$W/img:t"
			assert_line --index 0 --regexp "blob sha256:[0-9a-f]{64}: size mismatch"
			refuse unpack "$W/img:t" "$R"
			assert_no_root "$R"
		done
	done
}

@test "bad input: a missing blob is refused, naming it, and leaves no root" {
	local what hex
	two_layers --fault missing:1
	refuse unpack "$W/img:t" "$R"
	assert_line --index 0 --partial "sha256:$(layer_hex "$W/img" t 1)"
	assert_no_root "$R"
	two_layers --fault missing:config
	hex=$(jq -r .config.digest "$(manifest_blob "$W/img" t)")
	refuse inspect "$W/img:t"
	assert_line --index 0 --partial "$hex"
	refuse unpack "$W/img:t" "$R"
	assert_no_root "$R"
}

@test "bad input: a digest that is not sha256 and 64 lowercase hex is refused before any file is opened by it" {
	requires cmd:strace
	local real bad what name
	two_layers
	real=$(layer_hex "$W/img" t 0)
	for what in manifest config 0; do
		for bad in "sha256:../../../x" "sha256:${real^^}" \
			"sha256:$(printf 'a%.0s' {1..63})" "md5:d41d8cd98f00b204e9800998ecf8427e"; do
			two_layers --fault "name:$what=$bad"
			before=$(top_of_tmpdir)
			run -1 --separate-stderr strace -f -qq -e trace=%file -o "$W/trace" \
				mini-image unpack "$W/img:t" "$R"
			output=$stderr
			lines=("${stderr_lines[@]}")
			assert_line --index 0 --regexp '^mini-image: '
			assert_line --index 0 --partial "digest '$bad'"
			assert_line --index 0 --partial refused
			assert_no_root "$R"
			# No path made of it was opened, or even looked at.
			name=${bad#*:}
			[ "${bad%%:*}" = sha256 ] || name="${bad%%:*}/"
			run grep -F -- "$name" "$W/trace"
			assert_failure
			rm "$W/trace"
			assert_equal "$(top_of_tmpdir)" "$before"
		done
	done
}

@test "bad input: a tag the index does not hold is refused, naming those it does" {
	requires root cmd:python3
	oci_layout tar "$W/one.tar" f:hello=world
	oci_layout layout "$W/img" alpha "gzip:$W/one.tar" >/dev/null
	oci_layout layout "$W/img" beta "tar:$W/one.tar" >/dev/null
	refuse unpack "$W/img:gamma" "$R"
	assert_line --index 0 --partial gamma
	assert_output --partial alpha
	assert_output --partial beta
	assert_no_root "$R"
	refuse inspect "$W/img:gamma"
	# No tag, and two manifests: which one?
	refuse unpack "$W/img" "$R"
	assert_no_root "$R"
	# Each tag does unpack.
	mini-image unpack "$W/img:beta" "$R"
	assert_equal "$(cat "$R/hello")" world
}

# An image of one layer with many entries: mini-image -x writes a line for
# each, more than a pipe holds, so it blocks writing when nobody reads.
many_entries() {
	local i entries=()
	for i in $(seq 6000); do
		entries+=("f:dir$((i % 50))/file$i")
	done
	oci_layout tar "$W/many.tar" "${entries[@]}"
	oci_layout layout "$W/many" t gzip:"$W/many.tar" >/dev/null
}

@test "a signal during unpack: what was made is removed, then the signal ends it" {
	many_entries
	# SIGPIPE: the reader of -x's lines goes away after the first one.
	run bash -c 'mini-image -x unpack "$1" "$2" 2>&1 | head -n 1; exit "${PIPESTATUS[0]}"' \
		_ "$W/many:t" "$R"
	assert_equal "$status" 141
	assert_no_root "$R"
	# SIGTERM, while it waits to write to a pipe that is full.
	mkfifo "$W/lines"
	exec 5<>"$W/lines" # held open, never read
	mini-image -x unpack "$W/many:t" "$R" 2>"$W/lines" 3>&- 5>&- &
	local pid=$!
	wait_until "compgen -G '$R.hop-*' >/dev/null" 10
	kill -TERM "$pid"
	# Its last words (the error) would wait for room in the pipe: close
	# the pipe's only reader, and they fail with EPIPE instead.
	exec 5>&-
	local rc=0
	timeout 10 tail --pid="$pid" -f /dev/null || { kill -KILL "$pid"; fail "mini-image did not end"; }
	wait "$pid" || rc=$?
	assert_equal "$rc" 143
	assert_no_root "$R"
}

@test "bad input: a root or a bundle that exists already is left as it was" {
	two_layers
	mkdir "$R"
	echo mine >"$R/file"
	refuse unpack "$W/img:t" "$R"
	assert_equal "$(ls -A "$R")" file
	assert_equal "$(cat "$R/file")" mine
	run -0 find "$W" -maxdepth 1 -name 'root.hop-*'
	assert_output ""
	# A file, a symlink to nowhere: there too, and not replaced.
	echo mine >"$W/file"
	refuse unpack "$W/img:t" "$W/file"
	assert_equal "$(cat "$W/file")" mine
	ln -s nowhere "$W/link"
	refuse unpack "$W/img:t" "$W/link"
	assert_equal "$(readlink "$W/link")" nowhere
	refuse bundle "$W/img:t" "$R"
	assert_equal "$(ls -A "$R")" file
	run -0 find "$W" -maxdepth 1 -name '*.hop-*'
	assert_output ""
}

# Hostile layers: a canary file and a canary directory beside the root,
# in $O, made before the layer is unpacked into $O/root.
canaries() {
	O=$W/outside
	mkdir -p "$O/dir"
	echo canary >"$O/canary"
	echo keep >"$O/dir/keep"
	chmod 640 "$O/canary"
	chmod 750 "$O/dir"
	touch -d '2000-01-01' "$O/canary" "$O/dir/keep" "$O/dir"
}

# What is outside the root: $O (its own mtime changes as the root is made
# and removed beside it), what else is in $W, and /etc/passwd.
outside() {
	oci_layout list "$O" --mtime | grep -v '^\. '
	top_of_tmpdir
	stat -c '%n %h %s %Y %i' /etc/passwd
	sha256sum /etc/passwd
}

# A one-layer image of the tar ENTRIES (oci-layout.py tar), after a
# harmless directory and file: unpacking it into $O/root must be refused,
# naming the layer and ENTRY, the first arg, as written in the tar; no
# root is left and nothing outside it changes.
hostile() {
	requires root cmd:python3 cmd:jq
	local entry=$1 before hex
	shift
	[ -n "${O:-}" ] || canaries
	rm -rf "$W/img" "$W/layer.tar"
	oci_layout tar "$W/layer.tar" d:etc f:etc/ok=fine "$@"
	oci_layout layout "$W/img" t "gzip:$W/layer.tar" >/dev/null
	hex=$(layer_hex "$W/img" t 0)
	before=$(outside)
	refuse unpack "$W/img:t" "$O/root"
	assert_line --index 0 --partial "layer sha256:$hex"
	assert_line --index 0 --partial "entry '$entry'"
	assert_line --index 0 --partial refused
	assert_no_root "$O/root"
	assert_equal "$(outside)" "$before"
}

@test "bad input: hostile layer, an entry with .. in its path" {
	hostile ../canary f:../canary=pwned
	hostile etc/../../escape f:etc/../../escape=pwned
	# tarfile writes a directory's name with a trailing /.
	hostile ../../escape/ d:../../escape
}

@test "bad input: hostile layer, an absolute path" {
	canaries
	hostile "$O/abs" f:"$O/abs"=pwned
	hostile "$O/canary" f:"$O/canary"=pwned
}

@test "bad input: hostile layer, a write through a symlink" {
	canaries
	hostile evil/pwned s:evil="$O" f:evil/pwned=pwned
	hostile evil/pwned s:evil=.. f:evil/pwned=pwned
	hostile etc/evil/canary s:etc/evil=../.. f:etc/evil/canary=pwned
	hostile evil/keep/ s:evil="$O/dir" d:evil/keep
}

@test "bad input: hostile layer, a hardlink to a file outside the root" {
	hostile link h:link=../canary f:link=pwned
	hostile passwd h:passwd=/etc/passwd
	hostile link h:link="$W/outside/canary"
}

@test "bad input: hostile layer, a symlink named . (umoci's CVE-2021-29136)" {
	canaries
	hostile . s:.="$O" f:pwned=pwned
	hostile . s:.=.. f:canary=pwned
}

@test "bad input: hostile layer, whiteouts that point outside the root" {
	hostile ../.wh.canary f:../.wh.canary
	hostile ../.wh.dir f:../.wh.dir
	# .wh. + ".." : the root's parent.
	hostile .wh... f:.wh...
	hostile etc/../../.wh.canary f:etc/../../.wh.canary
}

@test "bad input: hostile layer, a whiteout through a symlink to a directory outside" {
	hostile evil/.wh.canary s:evil=.. f:evil/.wh.canary
	hostile evil/.wh.keep s:evil="$W/outside/dir" f:evil/.wh.keep
	# Opaque: everything in the directory would go.
	hostile evil/.wh..wh..opq s:evil=.. f:evil/.wh..wh..opq
}

@test "bundle runs under runc and mini-runc alike: args from Entrypoint and Cmd, env, cwd, user" {
	image
	requires cmd:runc
	local B
	B=$(realpath "$W")/bundle
	STATE=$W/state RUNC_STATE=$W/runc-state T=t$$-$BATS_TEST_NUMBER
	mini-image bundle "$IMG:t" "$B"
	assert_equal "$(jq -c .process.args "$B/config.json")" \
		'["/bin/sh","-c","echo hello from the image; id -u; id -g; pwd; echo $GREETING"]'
	assert_equal "$(jq -r '.process.env[]' "$B/config.json" | grep -E '^(GREETING|PATH)=')" \
		$'GREETING=hello\nPATH=/bin:/usr/bin'
	assert_equal "$(jq -c '[.process.cwd, .process.user.uid, .process.user.gid]' "$B/config.json")" \
		'["/data",1000,1001]'
	# Those namespaces (and no user namespace: the image's ids are the host's).
	assert_equal "$(jq -c '[.linux.namespaces[].type] | (contains(["ipc","mount","network","pid","uts"]) and (index("user") | not))' "$B/config.json")" true
	assert_equal "$(jq -r .root.path "$B/config.json")" rootfs
	# Its root is what unpack makes.
	mini-image unpack "$IMG:t" "$R"
	same_tree "$B/rootfs" "$R"
	run -0 mini-runc --root "$STATE" run --bundle "$B" "$T"
	assert_output $'hello from the image\n1000\n1001\n/data\nhello'
	run -0 runc_ run --bundle "$B" "$T"
	assert_output $'hello from the image\n1000\n1001\n/data\nhello'
	# Each run removed its state and its group.
	[ ! -e "$STATE/$T" ]
	[ ! -d "$(base_cgroup_dir pids)/hop-$T" ]
	# The usual mounts: those of runc spec (/sys/fs/cgroup too: docker
	# and containerd mount it even without a cgroup namespace), in order.
	mkdir "$W/spec"
	(cd "$W/spec" && runc spec)
	assert_equal "$(jq -c '[.mounts[] | .destination + " " + .type]' "$B/config.json")" \
		"$(jq -c '[.mounts[] | .destination + " " + .type]' "$W/spec/config.json")"
}

@test "bad input: no command, an unknown one, missing operands: the usage, exit 2" {
	run -2 --separate-stderr mini-image
	assert_output ""
	[[ $stderr == *"Usage: mini-image"* ]]
	run -2 --separate-stderr mini-image frobnicate "$W/img" "$R"
	assert_output ""
	[[ $stderr == *"frobnicate"* ]]
	[[ $stderr == *"Usage: mini-image"* ]]
	run -2 mini-image unpack "$W/img"
	run -2 mini-image inspect
	run -2 mini-image bundle "$W/img"
	run -2 mini-image --bogus inspect "$W/img"
	assert_no_root "$R"
}

@test "--help and --version go to stdout and exit 0" {
	run -0 --separate-stderr mini-image --help
	assert_line --index 0 --partial "Usage: mini-image"
	assert_output --partial inspect
	assert_output --partial unpack
	assert_output --partial bundle
	assert_equal "$stderr" ""
	run -0 mini-image --version
	assert_output --regexp '^mini-image [0-9]+\.[0-9]+'
}
