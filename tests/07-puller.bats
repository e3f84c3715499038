#!/usr/bin/env bats
# Day 07: mini-ctr, which pulls images from a registry into a store (an OCI
# image layout), unpacks them into snapshots and runs containers on an
# overlay of them. The registries are real (Debian's docker-registry, from
# tools/registry: anonymous, Basic and Bearer), on ports of this file's own
# (5255-5260) with their storage in its tmpdir; nothing is downloaded.
# What is checked is what the machine shows: the registry's log (what was
# asked for), the files of the store, the snapshot beside what skopeo +
# umoci and containerd's ctr unpack, /proc of the container's process, the
# mounts and the cgroups. Every refusal must leave the store as it was.
bats_require_minimum_version 1.5.0
load helpers

PLAIN=127.0.0.1:5255 BASIC=127.0.0.1:5256 TOKEN=127.0.0.1:5257
CLOSED_PORT=5259 # nothing listens there (checked)
HANG_PORT=5260   # a registry that accepts and never answers (started by a test)
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json

setup_file() {
	export HOP_REGISTRY_DIR=$BATS_FILE_TMPDIR/registry HOP_REGISTRY_PORT=5255
	local need
	[ "$(id -u)" -eq 0 ] && [ -x "$HOP_ROOTFS/bin/sh" ] || return 0
	for need in docker-registry htpasswd skopeo umoci jq curl openssl python3; do
		command -v "$need" >/dev/null || return 0
	done
	"$HOP_TOP/tools/registry" start 3>&-
	# "REFERENCE DIGEST" of each sample, as pushed (read by pushed).
	{
		"$HOP_TOP/tools/registry" push plain busybox layers multi
		"$HOP_TOP/tools/registry" push basic busybox
		"$HOP_TOP/tools/registry" push token busybox
	} 3>&- >"$BATS_FILE_TMPDIR/pushed"
}

teardown_file() {
	"$HOP_TOP/tools/registry" stop 3>&- || true
	# containerd only if a test of this file started it.
	if [ -e "$BATS_FILE_TMPDIR/containerd-ours" ]; then
		"$HOP_TOP/tools/engines" containerd stop >/dev/null 2>&1 || true
	fi
}

setup() {
	requires root cmd:docker-registry cmd:htpasswd cmd:skopeo cmd:umoci cmd:jq \
		cmd:curl cmd:openssl cmd:python3
	[ -x "$HOP_ROOTFS/bin/sh" ] || skip "no busybox root: run make rootfs"
	W=$BATS_TEST_TMPDIR # everything a test makes lives under it
	R=$W/root S=$W/state
	MCTR=(mini-ctr --root "$R" --state "$S" --plain-http)
	T=p$$-$BATS_TEST_NUMBER # the ids of this test's containers start with it
	LOG=$HOP_REGISTRY_DIR/plain/registry.log
	HANG="" PULL="" CTR_NS=""
}

# Remove what the test made, and only that: a fake registry and a pull it
# started (by pid), its images in containerd, its containers (mini-ctr rm
# -f, then their cgroups). Then nothing may be mounted under its directory.
teardown() {
	local pid dir id left
	for pid in $HANG $PULL; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	[ -z "$CTR_NS" ] || ctr_cleanup
	for dir in "$R"/containers/*; do
		[ -d "$dir" ] || continue
		id=${dir##*/}
		case $id in *.hop-*) continue ;; esac
		mctr rm -f "$id" >/dev/null 2>&1 || true
		cgroup_cleanup "hop-$id"
	done
	left=$(awk -v w="$W/" 'index($5, w) == 1 { print $5 }' /proc/self/mountinfo)
	if [ -n "$left" ]; then
		# Ours: unmounted so that the next tests start clean, but a failure.
		sort -r <<<"$left" | xargs -r -n 1 umount -l
		fail "mounts left under $W:"$'\n'"$left"
	fi
}

mctr() {
	"${MCTR[@]}" "$@"
}

# The digest tools/registry pushed REFERENCE (HOST:PORT/NAME:latest) with.
pushed() {
	awk -v r="$1" '$1 == r { print $2 }' "$BATS_FILE_TMPDIR/pushed"
}

# The hex of the manifest named NAME in the store ROOT ($R unless given),
# and the directory of its snapshot.
manifest_hex() {
	jq -r --arg n "$1" '.manifests[]
		| select(.annotations["org.opencontainers.image.ref.name"] == $n)
		| .digest | sub("^sha256:"; "")' "${2:-$R}/index.json"
}
snapshot() {
	echo "${2:-$R}/snapshots/$(manifest_hex "$1" "${2:-$R}")"
}

# The hexes of every blob of the image NAME in the store: its manifest,
# config and layers.
image_blobs() {
	local m
	m=$(manifest_hex "$1")
	echo "$m"
	jq -r '.config.digest, .layers[].digest | sub("^sha256:"; "")' "$R/blobs/sha256/$m"
}

# What is in the store ROOT, to compare before and after: every path to
# the snapshots' top (a file with its size), and index.json's content.
store_listing() {
	find "$1" -mindepth 1 -maxdepth 3 \( -type f -printf '%P f %s\n' \) -o -printf '%P %y\n' | sort
	sha256sum <"$1/index.json"
}

assert_nothing_mounted() {
	run -1 grep -F " $W/" /proc/self/mountinfo
}

# Is pid $1 alive (a zombie its parent has yet to reap is not)?
alive() {
	[ -e "/proc/$1/stat" ] && ! awk '{ sub(/.*\) /, ""); exit $1 != "Z" }' "/proc/$1/stat"
}

# Does anything listen on 127.0.0.1:$1?
listening() {
	(exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# How many requests of mini-ctr (its user agent) the plain registry logged,
# and how many GETs of NAME's blobs or manifests ($2: blobs, manifests).
requests_of_ours() {
	grep -c '"hop-mini-ctr/' "$LOG" || true
}
gets() {
	grep -c "\"GET /v2/$1/$2/" "$LOG" || true
}

# Wait until the plain registry has logged the requests made before: it
# logs one more of ours, marked, after them.
registry_sync() {
	local mark=hop-sync-$BATS_TEST_NUMBER-$RANDOM
	curl -s -o /dev/null -A "$mark" "http://$PLAIN/v2/"
	wait_until "grep -q '$mark' '$LOG'" 5
}

# The file in the plain registry's storage that holds blob HEX.
registry_blob() {
	echo "$HOP_REGISTRY_DIR/plain/data/docker/registry/v2/blobs/sha256/${1:0:2}/$1/data"
}

# push_image NAME TAR-OR-DIR: a one-layer image (gzip) of a tar file or a
# directory, pushed by skopeo, unchanged, to the plain registry as
# NAME:latest. MANIFEST, CONFIG and LAYER: their hexes.
push_image() {
	MANIFEST=$(oci_layout layout "$W/oci" "$1" "gzip:$2")
	MANIFEST=${MANIFEST#sha256:}
	CONFIG=$(jq -r '.config.digest | sub("^sha256:"; "")' "$W/oci/blobs/sha256/$MANIFEST")
	LAYER=$(jq -r '.layers[0].digest | sub("^sha256:"; "")' "$W/oci/blobs/sha256/$MANIFEST")
	skopeo --insecure-policy copy -q --preserve-digests --dest-tls-verify=false \
		--dest-no-creds "oci:$W/oci:$1" "docker://$PLAIN/$1:latest" >/dev/null
}

# push_entries NAME ENTRY...: push_image of the tar ENTRIES (oci-layout.py
# tar), after a directory and a file of this test's own, so that no blob
# is shared with another image.
push_entries() {
	local name=$1
	shift
	oci_layout tar "$W/$name.tar" d:etc "f:etc/made-for=$name $BATS_TEST_NUMBER $$ $RANDOM" "$@"
	push_image "$name" "$W/$name.tar"
}

# push_big NAME: push_image of a tree holding 16 MiB of random bytes: its
# layer streams for a while, and the small config is whole long before a
# fault at the layer's end (its digest, its length) can be seen.
push_big() {
	mkdir -p "$W/$1"
	head -c 16M /dev/urandom >"$W/$1/random"
	push_image "$1" "$W/$1"
	rm -rf "$W/${1:?}"
}

# refused_pull [GLOBAL OPTIONS] pull REF: the pull must fail (exit 1) into
# a store that does not exist yet and into $R (holding busybox): with the
# same error on stderr, nothing on stdout, within 20 s; no second store is
# left. Afterwards $output and $lines are the error of the second;
# ELAPSED_MS how long it took. The caller checks the error, then
# assert_store_as_before: $R is as it was, nothing is mounted.
refused_pull() {
	local fresh start
	[ -e "$R/index.json" ] || mctr -q pull "$PLAIN/busybox" >/dev/null
	BEFORE=$(store_listing "$R")
	run -1 --separate-stderr timeout 20 mini-ctr --root "$W/fresh" --state "$S" --plain-http -q "$@"
	assert_equal "$output" ""
	# shellcheck disable=SC2154 # set by bats' run --separate-stderr
	fresh=$stderr
	if [ -e "$W/fresh" ]; then
		fail "the failed pull left a store: $(find "$W/fresh" | head -20)"
	fi
	start=$(date +%s%N)
	run -1 --separate-stderr timeout 20 "${MCTR[@]}" -q "$@"
	ELAPSED_MS=$((($(date +%s%N) - start) / 1000000))
	assert_equal "$output" ""
	assert_equal "$stderr" "$fresh"
	output=$stderr
	lines=("${stderr_lines[@]}")
	assert_line --index 0 --regexp '^mini-ctr: '
}

assert_store_as_before() {
	run diff -u <(printf '%s\n' "$BEFORE") <(store_listing "$R")
	assert_success
	assert_nothing_mounted
}

# The store holds whole blobs and its own files only: at its top nothing
# but what mini-ctr makes, in blobs/ only sha256/, and there every file is
# named by the sha256 of its content (computed here, not by mini-ctr).
assert_only_whole_blobs() {
	local name file
	while read -r name; do
		case $name in
		blobs | containers | index.json | index.lock | lock | oci-layout | snapshots) ;;
		*) fail "$R/$name: not a file of the store" ;;
		esac
	done < <(find "$R" -mindepth 1 -maxdepth 1 -printf '%f\n')
	run -0 find "$R/blobs" -mindepth 1 -not -path "$R/blobs/sha256" -not -path "$R/blobs/sha256/*"
	assert_output ""
	run -0 find "$R/blobs/sha256" -mindepth 1 -not -type f
	assert_output ""
	for file in "$R"/blobs/sha256/*; do
		[ -e "$file" ] || continue
		assert_equal "$(sha256sum <"$file" | cut -c1-64)" "${file##*/}"
	done
}

# ---- pull, images, run, rmi, check ------------------------------------

@test "pull, images, run: the container's PID 1 runs the image's busybox on an overlay of the pulled snapshot" {
	local snap digest
	run -0 --separate-stderr mctr pull "$PLAIN/busybox"
	digest=$(pushed "$PLAIN/busybox:latest")
	assert_output "$PLAIN/busybox:latest $digest"
	assert_line --index 0 --regexp "^$PLAIN/busybox:latest sha256:[0-9a-f]{64}\$"
	run -0 mctr images
	assert_line --index 0 --regexp '^REF +DIGEST +SIZE +PLATFORM$'
	assert_line --index 1 --regexp "^$PLAIN/busybox:latest +${digest:0:19} +[0-9]+\.[0-9] MiB +linux/amd64\$"
	run -0 mctr images -q
	assert_output "$PLAIN/busybox:latest"
	snap=$(snapshot "$PLAIN/busybox:latest")
	assert_equal "sha256:${snap##*/}" "$digest"
	assert_file_executable "$snap/bin/busybox"
	run -0 mctr run "$PLAIN/busybox" "$T-a" sh -c \
		'echo "pid $$"; readlink /proc/1/exe; echo made inside >/made; cat /proc/self/mountinfo'
	assert_line "pid 1"
	assert_line /bin/busybox
	# Its / is the overlay whose lower layer is the snapshot and whose
	# upper is the container's own: what it wrote is there, not in the image.
	assert_line --regexp '^[0-9]+ [0-9]+ [0-9]+:[0-9]+ / / .* - overlay overlay '
	assert_line --partial "lowerdir=$snap,upperdir=$R/containers/$T-a/upper,workdir=$R/containers/$T-a/work"
	assert_equal "$(cat "$R/containers/$T-a/upper/made")" "made inside"
	assert_file_not_exists "$snap/made"
	# The host sees that overlay on ROOT/containers/ID/rootfs until rm.
	assert_equal "$(findmnt -n -o FSTYPE "$R/containers/$T-a/rootfs")" overlay
	# The foreground run's exit status is the container's.
	run -3 mctr run "$PLAIN/busybox" "$T-b" sh -c 'exit 3'
}

@test "pulling twice: the second pull asks the registry for no blob and replaces no file" {
	local before manifests files
	registry_sync
	before=$(gets busybox blobs)
	run -0 --separate-stderr mctr pull "$PLAIN/busybox"
	registry_sync
	# The first: the config and the one layer (the manifest comes from /manifests/).
	assert_equal "$(gets busybox blobs)" $((before + 2))
	assert_equal "${stderr_lines[-1]}" "$PLAIN/busybox:latest: fetched 2 blobs (1.4 MiB), 0 already here"
	files=$(stat -c '%n %i %Y' "$R"/blobs/sha256/* "$(snapshot "$PLAIN/busybox:latest")")
	manifests=$(gets busybox manifests)
	run -0 --separate-stderr mctr pull "$PLAIN/busybox"
	assert_output "$PLAIN/busybox:latest $(pushed "$PLAIN/busybox:latest")"
	assert_equal "$stderr" "$PLAIN/busybox:latest: fetched 0 blobs (0.0 MiB), 2 already here"
	registry_sync
	assert_equal "$(gets busybox manifests)" $((manifests + 1))
	assert_equal "$(gets busybox blobs)" $((before + 2))
	assert_equal "$(stat -c '%n %i %Y' "$R"/blobs/sha256/* "$(snapshot "$PLAIN/busybox:latest")")" "$files"
}

@test "rmi removes the image's blobs and snapshot from the disk, and keeps another image's" {
	local hex busybox layers
	mctr -q pull "$PLAIN/busybox" >/dev/null
	mctr -q pull "$PLAIN/layers" >/dev/null
	busybox=$(image_blobs "$PLAIN/busybox:latest")
	layers=$(image_blobs "$PLAIN/layers:latest")
	assert_equal "$(wc -l <<<"$busybox") $(wc -l <<<"$layers")" "3 5"
	run -0 mctr rmi "$PLAIN/busybox"
	assert_output --regexp "^$PLAIN/busybox:latest: removed, and 3 blobs \(1\.4 MiB\) no image needs\$"
	for hex in $busybox; do
		assert_file_not_exists "$R/blobs/sha256/$hex"
	done
	assert_dir_not_exists "$R/snapshots/$(head -1 <<<"$busybox")"
	for hex in $layers; do
		assert_file_exists "$R/blobs/sha256/$hex"
	done
	assert_dir_exists "$(snapshot "$PLAIN/layers:latest")"
	assert_equal "$(find "$R/blobs/sha256" -mindepth 1 -printf '%f\n' | sort)" "$(sort <<<"$layers")"
	run -0 mctr images -q
	assert_output "$PLAIN/layers:latest"
	run -0 mctr check
	# Again: there is no such image.
	run -1 mctr rmi "$PLAIN/busybox"
	assert_output --partial "$PLAIN/busybox:latest: no such image in $R"
	run -0 mctr rmi "$PLAIN/layers:latest"
	run -0 find "$R/blobs/sha256" "$R/snapshots" -mindepth 1
	assert_output ""
}

@test "check passes on a pulled store, and names a blob changed on purpose, a missing one and a stray file" {
	local layer config
	mctr -q pull "$PLAIN/busybox" >/dev/null
	run -0 --separate-stderr mctr check
	assert_output "$R: every blob matches its digest, and every image has its blobs"
	assert_equal "$stderr" ""
	layer=$(jq -r '.layers[0].digest | sub("^sha256:"; "")' "$R/blobs/sha256/$(manifest_hex "$PLAIN/busybox:latest")")
	config=$(jq -r '.config.digest | sub("^sha256:"; "")' "$R/blobs/sha256/$(manifest_hex "$PLAIN/busybox:latest")")
	cp "$R/blobs/sha256/$layer" "$W/layer"
	printf X | dd of="$R/blobs/sha256/$layer" bs=1 seek=100 conv=notrunc status=none
	run -1 --separate-stderr mctr check
	assert_output "sha256:$layer: content does not match its name"
	assert_equal "$stderr" "mini-ctr: the store $R: problems found: 1"
	cp "$W/layer" "$R/blobs/sha256/$layer"
	run -0 mctr check
	mv "$R/blobs/sha256/$config" "$W/config"
	echo stray >"$R/blobs/sha256/stray"
	run -1 --separate-stderr mctr check
	assert_line "sha256:$config: needed by an image, missing"
	assert_line "sha256:stray: not a sha256 digest name"
	assert_equal "${#lines[@]}" 2
}

# ---- the unpacked tree, beside the real tools --------------------------

# The snapshot of $1 (busybox, layers) is the tree skopeo copy + umoci
# unpack make of the same image from the same registry.
as_umoci() {
	mctr -q pull "$PLAIN/$1" >/dev/null
	skopeo --insecure-policy copy -q --src-tls-verify=false \
		"docker://$PLAIN/$1:latest" "oci:$W/oci:$1"
	umoci unpack --image "$W/oci:$1" "$W/umoci" >/dev/null
	same_tree "$(snapshot "$PLAIN/$1:latest")" "$W/umoci/rootfs"
}

@test "the snapshot of busybox is the tree skopeo copy + umoci unpack make (modes, owners, links, mtimes)" {
	as_umoci busybox
	run -0 oci_layout list "$(snapshot "$PLAIN/busybox:latest")"
	assert_line --regexp '^bin/busybox f 0755 0:0 [0-9]+ '
	assert_line --regexp '^bin/sh l 0777 0:0 0 busybox '
}

@test "the snapshot of the image with a whiteout and an opaque directory is the tree umoci unpacks" {
	as_umoci layers
	run -0 find "$(snapshot "$PLAIN/layers:latest")/hop" -printf '%P\n'
	assert_equal "$(sort <<<"$output" | paste -sd ' ')" " keep opaque opaque/new"
}

# containerd on its private socket (tools/engines), started here unless it
# runs already, then stopped by teardown_file; this test's images in a
# namespace of its own, which ctr_cleanup removes.
start_containerd() {
	requires cmd:containerd cmd:ctr cmd:containerd-shim-runc-v2
	if ! "$HOP_TOP/tools/engines" containerd status >/dev/null; then
		"$HOP_TOP/tools/engines" containerd start
		touch "$BATS_FILE_TMPDIR/containerd-ours"
	fi
	CTR=(ctr --address "$HOP_TOP/build/engines/containerd/containerd.sock" -n "hop-puller-$T")
	CTR_NS=hop-puller-$T
}

ctr_cleanup() {
	local target image
	for target in "$W"/ctr-*; do
		[ -d "$target" ] || continue
		"${CTR[@]}" images unmount --rm "$target" >/dev/null 2>&1 || umount "$target" 2>/dev/null || true
	done
	for image in $("${CTR[@]}" images ls -q 2>/dev/null); do
		"${CTR[@]}" images rm --sync "$image" >/dev/null 2>&1 || true
	done
	ctr --address "$HOP_TOP/build/engines/containerd/containerd.sock" namespaces rm "$CTR_NS" >/dev/null 2>&1 || true
}

@test "the snapshots of busybox and of the layered image hold the files containerd's ctr pulls and mounts" {
	start_containerd
	local image
	for image in busybox layers; do
		mctr -q pull "$PLAIN/$image" >/dev/null
		timeout 60 "${CTR[@]}" images pull --plain-http "$PLAIN/$image:latest" >/dev/null
		mkdir "$W/ctr-$image"
		"${CTR[@]}" images mount "$PLAIN/$image:latest" "$W/ctr-$image" >/dev/null
		# What containerd unpacked, as the kernel mounts it.
		run -0 findmnt -n -o TARGET "$W/ctr-$image"
		# Paths, types, modes, owners, sizes, link targets, contents,
		# xattrs: the same. Not the mtimes: a directory that containerd
		# makes in an upper snapshot to hold a whiteout gets the time of
		# the unpack, and so does the root.
		run diff -u <(oci_layout list "$(snapshot "$PLAIN/$image:latest")") <(oci_layout list "$W/ctr-$image")
		assert_success
		"${CTR[@]}" images unmount --rm "$W/ctr-$image" >/dev/null
	done
	# The whiteout and the opaque directory did their work on both sides.
	run -0 find "$(snapshot "$PLAIN/layers:latest")/hop" -printf '%P\n'
	assert_equal "$(sort <<<"$output" | paste -sd ' ')" " keep opaque opaque/new"
}

# ---- platforms ----------------------------------------------------------

@test "--platform linux/arm64 takes the arm64 image of the index; no --platform takes this machine's" {
	local index arm here
	case $(uname -m) in
	x86_64) here=amd64 ;;
	aarch64) here=arm64 ;;
	*) skip "the sample index has linux/amd64 and linux/arm64 only, not $(uname -m)" ;;
	esac
	index=$(curl -s -H "Accept: $OCI_INDEX" "http://$PLAIN/v2/multi/manifests/latest")
	arm=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' <<<"$index")
	run -0 --separate-stderr mini-ctr --root "$W/arm" --state "$S" --plain-http --platform linux/arm64 pull "$PLAIN/multi"
	# It prints what the reference resolved to: the index.
	assert_output "$PLAIN/multi:latest $(pushed "$PLAIN/multi:latest")"
	assert_equal "sha256:$(manifest_hex "$PLAIN/multi:latest" "$W/arm")" "$arm"
	assert_equal "$(cat "$(snapshot "$PLAIN/multi:latest" "$W/arm")/etc/hop-platform")" linux/arm64
	assert_file_not_exists "$(snapshot "$PLAIN/multi:latest" "$W/arm")/bin/busybox"
	run -0 mini-ctr --root "$W/arm" --state "$S" images
	assert_line --index 1 --regexp "^$PLAIN/multi:latest .* linux/arm64\$"
	run -0 mini-ctr --root "$W/here" --state "$S" --plain-http -q pull "$PLAIN/multi"
	assert_equal "$(cat "$(snapshot "$PLAIN/multi:latest" "$W/here")/etc/hop-platform")" "linux/$here"
	assert_equal "sha256:$(manifest_hex "$PLAIN/multi:latest" "$W/here")" \
		"$(jq -r --arg a "$here" '.manifests[] | select(.platform.architecture == $a) | .digest' <<<"$index")"
}

@test "create of an image with no command (the arm64 sample) is refused with one clear message, and leaves no container or mount" {
	mctr -q --platform linux/arm64 pull "$PLAIN/multi" >/dev/null
	run -1 --separate-stderr mctr --platform linux/arm64 create "$PLAIN/multi" "$T-n"
	assert_output ""
	assert_equal "$stderr" "mini-ctr: the image config has neither Entrypoint nor Cmd: no command to run"
	assert_dir_not_exists "$R/containers/$T-n"
	assert_nothing_mounted
}

@test "a platform the index lacks is refused, naming the platforms it has; nothing is stored" {
	refused_pull --platform linux/s390x pull "$PLAIN/multi"
	assert_output "mini-ctr: pull $PLAIN/multi:latest: no image for linux/s390x in the index; it has: linux/amd64, linux/arm64 (choose one with --platform)"
	assert_store_as_before
}

# ---- credentials ------------------------------------------------------

@test "Basic: -u hop:hop-secret pulls (401, then 200 with the credentials); a wrong password is a clear 401; none asks for credentials" {
	local log=$HOP_REGISTRY_DIR/basic/registry.log before
	before=$(grep -c '"hop-mini-ctr/' "$log" || true)
	run -0 --separate-stderr mctr -u hop:hop-secret pull "$BASIC/busybox"
	assert_output "$BASIC/busybox:latest $(pushed "$BASIC/busybox:latest")"
	assert_file_executable "$(snapshot "$BASIC/busybox:latest")/bin/busybox"
	# The registry's side: the manifest refused without credentials, then
	# served with them.
	wait_until "[ \$(grep -c '\"hop-mini-ctr/' '$log') -ge $((before + 4)) ]" 5
	run -0 bash -c "grep '\"hop-mini-ctr/' '$log' | tail -n +$((before + 1)) | grep -o '\"GET /v2/busybox/manifests/latest HTTP/1.1\" [0-9]*'"
	assert_equal "${lines[0]##* }${lines[1]##* }" 401200
	refused_pull -u hop:wrong pull "$BASIC/busybox"
	assert_output "mini-ctr: pull $BASIC/busybox:latest: the registry answered 401 Unauthorized: wrong credentials"
	assert_store_as_before
	refused_pull pull "$BASIC/busybox"
	assert_output "mini-ctr: pull $BASIC/busybox:latest: the registry asks for a user and password (Basic realm \"hop-registry\"): give -u USER:PASSWORD"
	assert_store_as_before
}

@test "Bearer: -u hop:hop-secret gets a token from the token server and pulls; a wrong password is a clear 401; none says credentials are needed" {
	local log=$HOP_REGISTRY_DIR/token/token-server.log before
	before=$(grep -c 'scope=repository%3Abusybox%3Apull HTTP/1.1" 200' "$log" || true)
	run -0 --separate-stderr mctr -u hop:hop-secret pull "$TOKEN/busybox"
	assert_output "$TOKEN/busybox:latest $(pushed "$TOKEN/busybox:latest")"
	assert_file_executable "$(snapshot "$TOKEN/busybox:latest")/bin/busybox"
	# The token server gave it a token for pulling busybox.
	wait_until "[ \$(grep -c 'scope=repository%3Abusybox%3Apull HTTP/1.1\" 200' '$log') -gt $before ]" 5
	refused_pull -u hop:wrong pull "$TOKEN/busybox"
	assert_output "mini-ctr: pull $TOKEN/busybox:latest: the token server http://127.0.0.1:5258/token answered HTTP 401: wrong or missing credentials"
	assert_store_as_before
	refused_pull pull "$TOKEN/busybox"
	assert_output --regexp "^mini-ctr: pull $TOKEN/busybox:latest: .*credentials"
	assert_store_as_before
}

# ---- refusals: the store stays as it was ------------------------------

@test "a layer tampered in the registry's storage is refused (digest mismatch) and nothing of the image is stored" {
	local blob sent
	push_big tampered
	blob=$(registry_blob "$LAYER")
	# A byte of the gzip header (its mtime): it still inflates to the same
	# tar; only the digest can tell.
	printf '\001' | dd of="$blob" bs=1 seek=4 conv=notrunc status=none
	sent=$(sha256sum <"$blob" | cut -c1-64)
	[ "$sent" != "$LAYER" ]
	refused_pull pull "$PLAIN/tampered"
	assert_output "mini-ctr: pull $PLAIN/tampered:latest: digest mismatch for layer sha256:$LAYER: the registry sent sha256:$sent; refused"
	# The config, fetched whole and right beside the bad layer, is not
	# kept either: the image was refused.
	assert_file_not_exists "$R/blobs/sha256/$CONFIG"
	assert_store_as_before
}

@test "a truncated blob in the registry is refused and nothing of the image is stored" {
	local blob size
	push_big truncated
	blob=$(registry_blob "$LAYER")
	size=$(stat -c %s "$blob")
	# Its last 4 KiB cut off: the registry serves what is left, in full.
	truncate -s $((size - 4096)) "$blob"
	refused_pull pull "$PLAIN/truncated"
	assert_output "mini-ctr: pull $PLAIN/truncated:latest: layer sha256:$LAYER: $((size - 4096)) bytes instead of $size (truncated); refused"
	assert_file_not_exists "$R/blobs/sha256/$CONFIG"
	assert_store_as_before
}

@test "a manifest whose bytes are not its digest is refused, by digest and by tag, before any blob is asked for" {
	local a b
	push_entries manifest-b
	b=$MANIFEST
	push_entries manifest-a
	a=$MANIFEST
	# The registry now serves b's bytes as manifest a.
	cp "$(registry_blob "$b")" "$(registry_blob "$a")"
	run -0 bash -c "curl -s -H 'Accept: $OCI_MANIFEST' http://$PLAIN/v2/manifest-a/manifests/sha256:$a | sha256sum"
	assert_output "$b  -"
	refused_pull pull "$PLAIN/manifest-a@sha256:$a"
	assert_output "mini-ctr: pull $PLAIN/manifest-a@sha256:$a: digest mismatch for manifest sha256:$a: the registry sent sha256:$b; refused"
	assert_store_as_before
	refused_pull pull "$PLAIN/manifest-a:latest"
	assert_output "mini-ctr: pull $PLAIN/manifest-a:latest: digest mismatch for manifest latest: the registry says sha256:$a but sent sha256:$b; refused"
	assert_store_as_before
	registry_sync
	assert_equal "$(gets manifest-a blobs)" 0
}

@test "a reference whose digest is not 64 lowercase hex (sha256:../../x) is refused before any request, and makes no store" {
	local bad before
	registry_sync
	before=$(requests_of_ours)
	for bad in "$PLAIN/x@sha256:../../x" "$PLAIN/x@sha256:$(printf 'A%.0s' {1..64})" \
		"$PLAIN/x@sha256:$(printf 'a%.0s' {1..63})" "$PLAIN/x@md5:d41d8cd98f00b204e9800998ecf8427e" \
		"$PLAIN/../x" "$PLAIN/x:../../y"; do
		run -1 --separate-stderr mctr pull "$bad"
		assert_output ""
		assert_regex "$stderr" "^mini-ctr: image reference '[^']+': .*(refused|not \[HOST)"
		assert_file_not_exists "$R"
	done
	run -1 --separate-stderr mctr pull "$PLAIN/x@sha256:../../x"
	assert_equal "$stderr" "mini-ctr: image reference '$PLAIN/x@sha256:../../x': digest 'sha256:../../x': not 64 lowercase hex digits; refused"
	registry_sync
	assert_equal "$(requests_of_ours)" "$before"
}

# Beside the store, in $W/outside: a canary file and directory that a
# hostile layer aims at (from the snapshot being made,
# ROOT/snapshots/HEX.hop-XXXXXX, it is ../../../outside).
outside() {
	oci_layout list "$W/outside" --mtime
	find "$W" -mindepth 1 -maxdepth 1 -not -name 'separate-stderr-*' -printf '%f\n' | sort
	stat -c '%n %h %s %Y %i' /etc/passwd
	sha256sum /etc/passwd
}

@test "hostile layers pushed to the registry (.., absolute paths, symlinks, hardlinks, whiteouts outside) are refused; nothing outside changes, the store stays as it was" {
	local O=$W/outside before n=0 entries
	mkdir -p "$O/dir"
	echo canary >"$O/canary"
	echo keep >"$O/dir/keep"
	touch -d '2000-01-01' "$O/canary" "$O/dir/keep" "$O/dir" "$O"
	mctr -q pull "$PLAIN/busybox" >/dev/null
	# ENTRY-IN-THE-MESSAGE|TAR ENTRIES
	for entries in \
		"../../../outside/canary|f:../../../outside/canary=pwned" \
		"$O/canary|f:$O/canary=pwned" \
		"evil/canary|s:evil=$O f:evil/canary=pwned" \
		"evil/canary|s:evil=../../../outside f:evil/canary=pwned" \
		"link|h:link=../../../outside/canary f:link=pwned" \
		"../../../outside/.wh.canary|f:../../../outside/.wh.canary" \
		"evil/.wh..wh..opq|s:evil=$O/dir f:evil/.wh..wh..opq"; do
		n=$((n + 1))
		# shellcheck disable=SC2086 # one word per entry
		push_entries "hostile$n" ${entries#*|}
		before=$(outside)
		refused_pull pull "$PLAIN/hostile$n"
		# One line: the pull, the layer, the entry, why (the layer is
		# refused while it downloads, as it is unpacked).
		assert_line --index 0 --partial "mini-ctr: pull $PLAIN/hostile$n:latest: layer sha256:$LAYER: entry '${entries%%|*}'"
		assert_line --index 0 --partial refused
		assert_store_as_before
		assert_equal "$(outside)" "$before"
		assert_equal "$(cat "$O/canary")" canary
	done
}

@test "an unreachable registry (a closed port) is a clear error with a hint; nothing is stored" {
	if listening "$CLOSED_PORT"; then
		fail "127.0.0.1:$CLOSED_PORT was to be closed, but something listens there"
	fi
	refused_pull pull "127.0.0.1:$CLOSED_PORT/busybox"
	assert_line --index 0 --regexp "^mini-ctr: pull 127\.0\.0\.1:$CLOSED_PORT/busybox:latest: GET http://127\.0\.0\.1:$CLOSED_PORT/v2/busybox/manifests/latest: .*connect"
	assert_line --index 1 "hint: is the registry running, on that port? (tools/registry start)"
	assert_store_as_before
}

@test "a tag or a repository the registry does not have is a clear 404; nothing is stored" {
	refused_pull pull "$PLAIN/busybox:nope"
	assert_output "mini-ctr: pull $PLAIN/busybox:nope: busybox:nope: not found in the registry (HTTP 404)"
	assert_store_as_before
	refused_pull pull "$PLAIN/nothing-here"
	assert_output "mini-ctr: pull $PLAIN/nothing-here:latest: nothing-here:latest: not found in the registry (HTTP 404)"
	assert_store_as_before
}

@test "a registry that accepts and never answers: --timeout 2 ends the pull within the timeout, with a clear error" {
	if listening "$HANG_PORT"; then
		fail "127.0.0.1:$HANG_PORT is taken"
	fi
	python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
while True:
    held.append(s.accept()[0])  # and never a byte back
' "$HANG_PORT" 3>&- &
	HANG=$!
	wait_until "listening $HANG_PORT" 10
	refused_pull --timeout 2 pull "127.0.0.1:$HANG_PORT/busybox"
	assert_line --index 0 --regexp "^mini-ctr: pull 127\.0\.0\.1:$HANG_PORT/busybox:latest: GET http://127\.0\.0\.1:$HANG_PORT/v2/busybox/manifests/latest: "
	assert_line --index 1 "hint: the registry stopped answering; --timeout SECONDS waits longer"
	assert_store_as_before
	# It waited for the timeout, and not much longer.
	[ "$ELAPSED_MS" -ge 1900 ] || fail "gave up after $ELAPSED_MS ms, before the timeout"
	[ "$ELAPSED_MS" -le 5000 ] || fail "took $ELAPSED_MS ms with --timeout 2"
}

# ---- kill -9 in the middle -----------------------------------------------

# An image big enough that a pull takes a moment: the Debian minbase of
# tools/bench when it is built (one ~95 MB layer), else one made here (64
# MiB of random bytes and many small files). BIG: its reference; BIG_HEX:
# its manifest's hex; BIG_LAYER: its largest layer's hex.
big_image() {
	local m
	# tools/vm boots its guests with hop.top= on the kernel's command line:
	# under emulation making and pulling 64 MiB takes minutes, and what
	# these tests look at (the store's files after a kill) is the same on
	# the host's kernel.
	! grep -qw 'hop\.top=[^ ]*' /proc/cmdline ||
		skip "a 64 MiB image under emulation: runs on the host"
	if [ -d "$HOP_TOP/build/bench/debian-oci" ]; then
		BIG=$PLAIN/debian:latest
		BIG_HEX=$("$HOP_TOP/tools/registry" push plain debian 3>&- 2>/dev/null | awk '{ print $2 }')
	else
		mkdir -p "$W/big/etc/many"
		head -c 64M /dev/urandom >"$W/big/random"
		for m in $(seq 3000); do echo "$m" >"$W/big/etc/many/$m"; done
		BIG_HEX=$(oci_layout layout "$W/oci" big "gzip:$W/big")
		rm -rf "$W/big"
		skopeo --insecure-policy copy -q --preserve-digests --dest-tls-verify=false \
			--dest-no-creds "oci:$W/oci:big" "docker://$PLAIN/big:latest" >/dev/null
		BIG=$PLAIN/big:latest
	fi
	BIG_HEX=${BIG_HEX#sha256:}
	m=${BIG#*/}
	m=$(curl -s -H "Accept: $OCI_MANIFEST" "http://$PLAIN/v2/${m%:*}/manifests/sha256:$BIG_HEX")
	BIG_LAYER=$(jq -r '.layers | max_by(.size) | .digest | sub("^sha256:"; "")' <<<"$m")
	[ -n "$BIG_LAYER" ] && [ "$BIG_LAYER" != null ]
}

@test "kill -9 while a layer is fetched: only whole blobs are in the store, check passes, and the next pull completes" {
	big_image
	local line fds="" rc=0
	mkfifo "$W/progress"
	"${MCTR[@]}" pull "$BIG" >"$W/out" 2>"$W/progress" 3>&- &
	PULL=$!
	while IFS= read -r -t 60 line; do
		case $line in
		"layer sha256:$BIG_LAYER: fetching "*)
			fds=$(ls -l "/proc/$PULL/fd")
			kill -KILL "$PULL"
			break
			;;
		esac
	done <"$W/progress"
	wait "$PULL" || rc=$?
	PULL=""
	assert_equal "$rc" 137
	# It was writing the blobs into unnamed files (O_TMPFILE) of the store,
	# as its descriptors show; it never finished.
	assert_regex "$fds" "$R/blobs/sha256/#[0-9]+ \(deleted\)"
	assert_equal "$(cat "$W/out")" ""
	assert_file_not_exists "$R/blobs/sha256/$BIG_LAYER"
	run -0 jq -c .manifests "$R/index.json"
	assert_output "[]"
	assert_only_whole_blobs
	run -0 mctr check
	run -0 --separate-stderr mctr pull "$BIG"
	assert_output "$BIG sha256:$BIG_HEX"
	assert_file_exists "$R/blobs/sha256/$BIG_LAYER"
	assert_dir_exists "$R/snapshots/$BIG_HEX"
	assert_only_whole_blobs
	run -0 mctr check
}

@test "kill -9 while the image is unpacked: the half-made snapshot has only its temporary name, and the next pull sweeps it and completes" {
	big_image
	local rc=0
	"${MCTR[@]}" -q pull "$BIG" >"$W/out" 2>&1 3>&- &
	PULL=$!
	wait_until "compgen -G '$R/snapshots/$BIG_HEX.hop-*' >/dev/null" 60
	kill -KILL "$PULL"
	wait "$PULL" || rc=$?
	PULL=""
	assert_equal "$rc" 137
	run -0 find "$R/snapshots" -mindepth 1 -maxdepth 1 -printf '%f\n'
	assert_output --regexp "^$BIG_HEX\.hop-[A-Za-z0-9]{6}\$"
	assert_only_whole_blobs
	run -0 mctr check
	run -0 --separate-stderr mctr pull "$BIG"
	assert_output "$BIG sha256:$BIG_HEX"
	# A pull unpacks a layer while it downloads it: the big layer may have
	# been cut short by the kill, and then comes again. The leftover is
	# gone, the snapshot whole.
	assert_regex "$stderr" "$BIG: fetched [01] blobs \(.*\), [12] already here"
	run -0 find "$R/snapshots" -mindepth 1 -maxdepth 1 -printf '%f\n'
	assert_output "$BIG_HEX"
	if [ "$BIG" = "$PLAIN/debian:latest" ]; then
		assert_file_exists "$R/snapshots/$BIG_HEX/etc/debian_version"
	else
		assert_equal "$(find "$R/snapshots/$BIG_HEX/etc/many" -mindepth 1 | wc -l)" 3000
	fi
	assert_only_whole_blobs
}

# ---- containers -------------------------------------------------------

@test "run -d and ps: running, with a pid whose root is the container's rootfs, in the container's own cgroup and namespaces" {
	local pid
	mctr -q pull "$PLAIN/busybox" >/dev/null
	run -0 mctr run -d "$PLAIN/busybox" "$T-d" sleep 1000
	assert_output ""
	run -0 mctr ps
	assert_line --index 0 --regexp '^ID +IMAGE +STATUS +PID$'
	assert_line --regexp "^$T-d +$PLAIN/busybox:latest +running +[0-9]+\$"
	pid=$(awk -v id="$T-d" '$1 == id { print $4 }' <<<"$output")
	assert_equal "$(tr '\0' ' ' <"/proc/$pid/cmdline")" "sleep 1000 "
	# Its / is the overlay on ROOT/containers/ID/rootfs: one directory,
	# seen from both sides.
	assert_equal "$(stat -L -c '%d:%i' "/proc/$pid/root/")" "$(stat -c '%d:%i' "$R/containers/$T-d/rootfs/")"
	echo "from the host" >"$R/containers/$T-d/rootfs/note"
	assert_equal "$(cat "/proc/$pid/root/note")" "from the host"
	[ "$(readlink "/proc/$pid/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	run -0 grep -x "$pid" "$(base_cgroup_dir pids)/hop-$T-d/cgroup.procs"
	# -d: its output goes to ROOT/containers/ID/log.
	assert_file_exists "$R/containers/$T-d/log"
}

@test "rm refuses a running container; rm -f kills it and removes its process, mount, cgroup, state and directory" {
	local pid group
	mctr -q pull "$PLAIN/busybox" >/dev/null
	mctr run -d "$PLAIN/busybox" "$T-k" sleep 1000
	pid=$(mctr ps | awk -v id="$T-k" '$1 == id { print $4 }')
	group=$(base_cgroup_dir pids)/hop-$T-k
	alive "$pid"
	assert_dir_exists "$group"
	run -1 mctr rm "$T-k"
	assert_output "mini-ctr: container $T-k is running: stop it, or rm -f to kill it"
	alive "$pid"
	run -0 findmnt -n "$R/containers/$T-k/rootfs"
	run -0 mctr rm -f "$T-k"
	wait_until "! alive $pid" 5
	run -1 findmnt -n "$R/containers/$T-k/rootfs"
	assert_dir_not_exists "$R/containers/$T-k"
	assert_dir_not_exists "$S/$T-k"
	wait_until "[ ! -d '$group' ]" 5
	run -0 mctr ps
	refute_output --partial "$T-k"
	# The image and its snapshot stay.
	assert_dir_exists "$(snapshot "$PLAIN/busybox:latest")"
}

@test "run --rm leaves nothing: no directory, state, mount, cgroup or process; the exit status is the container's" {
	mctr -q pull "$PLAIN/busybox" >/dev/null
	run -0 mctr run --rm "$PLAIN/busybox" "$T-r" sh -c 'echo "pid $$"; cat /proc/self/cgroup'
	assert_line "pid 1"
	run -5 mctr run --rm "$PLAIN/busybox" "$T-s" sh -c 'exit 5'
	local id
	for id in "$T-r" "$T-s"; do
		assert_dir_not_exists "$R/containers/$id"
		assert_dir_not_exists "$S/$id"
		assert_dir_not_exists "$(base_cgroup_dir pids)/hop-$id"
		assert_dir_not_exists "$(base_cgroup_dir memory)/hop-$id"
	done
	assert_nothing_mounted
	run -0 mctr ps
	assert_equal "${#lines[@]}" 1
	assert_equal "$(find "$R/containers" -mindepth 1)" ""
}

@test "create with an ID that exists is refused, and the container there is left as it was" {
	local config
	mctr -q pull "$PLAIN/busybox" >/dev/null
	mctr create "$PLAIN/busybox" "$T-c"
	config=$(sha256sum "$R/containers/$T-c/config.json")
	echo mine >"$R/containers/$T-c/rootfs/mine"
	run -1 mctr create "$PLAIN/busybox" "$T-c"
	assert_line "mini-ctr: container $T-c already exists (mini-ctr rm $T-c)"
	run -1 mctr run "$PLAIN/busybox" "$T-c" true
	assert_line "mini-ctr: container $T-c already exists (mini-ctr rm $T-c)"
	assert_equal "$(sha256sum "$R/containers/$T-c/config.json")" "$config"
	assert_equal "$(cat "$R/containers/$T-c/upper/mine")" mine
	# Still one overlay there, not one more on top.
	assert_equal "$(grep -c " $R/containers/$T-c/rootfs " /proc/self/mountinfo)" 1
	assert_equal "$(jq -r '.annotations["io.hop.image.name"]' "$R/containers/$T-c/config.json")" "$PLAIN/busybox:latest"
}

@test "rmi of an image a container uses is refused and removes nothing; after rm it goes" {
	local hex blobs
	mctr -q pull "$PLAIN/busybox" >/dev/null
	mctr create "$PLAIN/busybox" "$T-u"
	blobs=$(ls "$R/blobs/sha256")
	run -1 mctr rmi "$PLAIN/busybox"
	assert_output --partial "$PLAIN/busybox:latest is used by container $T-u"
	assert_equal "$(ls "$R/blobs/sha256")" "$blobs"
	assert_dir_exists "$(snapshot "$PLAIN/busybox:latest")"
	run -0 mctr images -q
	assert_output "$PLAIN/busybox:latest"
	run -0 findmnt -n "$R/containers/$T-u/rootfs"
	mctr rm "$T-u"
	run -0 mctr rmi "$PLAIN/busybox"
	run -0 find "$R/blobs/sha256" "$R/snapshots" -mindepth 1
	assert_output ""
}

# ---- bad input ------------------------------------------------------------

@test "bad input: no command, an unknown one, missing or extra operands, bad options: the usage, exit 2, nothing made" {
	local before
	registry_sync
	before=$(requests_of_ours)
	run -2 --separate-stderr mini-ctr
	assert_output ""
	[[ $stderr == *"Usage: mini-ctr"* ]]
	run -2 --separate-stderr mctr frobnicate
	assert_output ""
	assert_equal "${stderr_lines[0]}" "mini-ctr: unknown command 'frobnicate'"
	[[ $stderr == *"Usage: mini-ctr"* ]]
	run -2 --separate-stderr mctr pull
	assert_equal "${stderr_lines[0]}" "mini-ctr: pull needs REF"
	run -2 mctr pull "$PLAIN/busybox" "$PLAIN/layers"
	run -2 mctr create "$PLAIN/busybox"
	run -2 mctr run "$PLAIN/busybox"
	run -2 mctr run --rm -d "$PLAIN/busybox" "$T-x" true
	run -2 mctr rm
	run -2 mctr rmi
	run -2 mctr ps extra
	run -2 mctr images --bogus
	run -2 mctr --bogus ps
	run -2 --separate-stderr mctr --timeout soon pull "$PLAIN/busybox"
	assert_equal "${stderr_lines[0]}" "mini-ctr: --timeout 'soon': a number of seconds, 1 to 3600"
	run -2 --separate-stderr mctr -u hop pull "$PLAIN/busybox"
	assert_equal "${stderr_lines[0]}" "mini-ctr: -u 'hop': give USER:PASSWORD"
	assert_file_not_exists "$R"
	registry_sync
	assert_equal "$(requests_of_ours)" "$before"
	# A container ID that would be a path is refused (exit 1), outside
	# the store nothing is made.
	mctr -q pull "$PLAIN/busybox" >/dev/null
	run -1 mctr create "$PLAIN/busybox" ../escape
	assert_output --partial "container ID '../escape': use letters, digits and _.- (not first), at most 64"
	assert_file_not_exists "$R/escape"
	assert_equal "$(find "$R/containers" -mindepth 1)" ""
}

@test "--help and --version go to stdout and exit 0" {
	run -0 --separate-stderr mini-ctr --help
	assert_line --index 0 "Usage: mini-ctr [options] COMMAND [ARGS]"
	assert_output --partial "pull REF"
	assert_output --partial "--plain-http"
	assert_equal "$stderr" ""
	run -0 mini-ctr --version
	assert_output --regexp '^mini-ctr [0-9]+\.[0-9]+'
}
