#!/usr/bin/env bats
# Day 07's fixture: tools/registry, the local registries mini-ctr pulls
# from (Debian's docker-registry on 127.0.0.1: plain, basic with htpasswd,
# token with our token server). What is checked is what the machine shows:
# the sockets that listen (ss) and who owns them, the HTTP status and the
# challenge each registry answers with (curl), the images as skopeo reads
# them back, and the processes (/proc) after stop. The file's registries
# use ports of their own (5155-5158) and a directory in its tmpdir, so a
# demo's registries on 5055 are never touched.
bats_require_minimum_version 1.5.0
load helpers

setup_file() {
	export HOP_REGISTRY_DIR=$BATS_FILE_TMPDIR/registry HOP_REGISTRY_PORT=5155
	command -v docker-registry >/dev/null || return 0
	"$HOP_TOP/tools/registry" start 3>&-
}

teardown_file() {
	"$HOP_TOP/tools/registry" stop 3>&- || true
}

setup() {
	requires cmd:docker-registry cmd:htpasswd cmd:curl cmd:jq cmd:openssl cmd:python3
	REGISTRY=$HOP_TOP/tools/registry
	PLAIN=127.0.0.1:5155 BASIC=127.0.0.1:5156 TOKEN=127.0.0.1:5157
	REALM=http://127.0.0.1:5158/token
	DECOY=""
}

# A decoy a test started: killed by its pid, and only that.
teardown() {
	[ -n "$DECOY" ] || return 0
	kill -KILL "$DECOY" 2>/dev/null || true
	wait "$DECOY" 2>/dev/null || true
}

# Is pid $1 alive (a zombie its new parent has yet to reap is not)?
alive() {
	[ -e "/proc/$1/stat" ] && ! awk '{ sub(/.*\) /, ""); exit $1 != "Z" }' "/proc/$1/stat"
}

# The command line of pid $1, spaces between its words.
cmdline() {
	tr '\0' ' ' <"/proc/$1/cmdline"
}

# The HTTP status of a curl request (curl's options and the URL).
status() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"
}

# The pids of the processes that run with our registry directory on their
# command line (zombies have none).
processes_of_ours() {
	local dir
	for dir in /proc/[0-9]*; do
		case $(tr '\0' ' ' <"$dir/cmdline" 2>/dev/null) in
		*"$HOP_REGISTRY_DIR/"*) echo "${dir#/proc/}" ;;
		esac
	done
}

# Does anything listen on 127.0.0.1:$1?
listening() {
	(exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# libtrust's key id of the public key in the certificate $1: the sha256 of
# its DER SubjectPublicKeyInfo, 240 bits of it in base32, 12 groups of 4.
libtrust_kid() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -binary | head -c 30 | base32 | fold -w4 | paste -sd:
}

# The JSON of a JWT's part $2 (1 header, 2 claims) of the token $1.
jwt_part() {
	local part
	part=$(cut -d. -f"$2" <<<"$1" | tr '_-' '/+')
	while [ $((${#part} % 4)) -ne 0 ]; do part+="="; done
	base64 -d <<<"$part"
}

token_for() {
	curl -s -u "$1" "$REALM?service=hop-registry&scope=$2" | jq -r .token
}

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json

@test "start: three registries and a token server, on 127.0.0.1 only, pid files naming them" {
	local kind pid port sockets
	for kind in plain basic token; do
		pid=$(cat "$HOP_REGISTRY_DIR/$kind/registry.pid")
		alive "$pid"
		assert_equal "$(cmdline "$pid")" "docker-registry serve $HOP_REGISTRY_DIR/$kind/config.yml "
	done
	pid=$(cat "$HOP_REGISTRY_DIR/token/token-server.pid")
	alive "$pid"
	assert_regex "$(cmdline "$pid")" "token-server\.py --port 5158 --key $HOP_REGISTRY_DIR/token/token.key "
	# Each process listens on its own port and on nothing else (no debug
	# or metrics listener), and only on the loopback address.
	for kind in plain:5155 basic:5156 token:5157 token-server:5158; do
		port=${kind#*:} kind=${kind%:*}
		case $kind in
		token-server) pid=$(cat "$HOP_REGISTRY_DIR/token/token-server.pid") ;;
		*) pid=$(cat "$HOP_REGISTRY_DIR/$kind/registry.pid") ;;
		esac
		sockets=$(ss -Hltnp | awk -v p="pid=$pid," 'index($0, p) { print $4 }')
		assert_equal "$sockets" "127.0.0.1:$port"
	done
	# The storage, the configuration and the log are in the directory.
	assert_file_exists "$HOP_REGISTRY_DIR/plain/registry.log"
	run -0 grep -x "    rootdirectory: $HOP_REGISTRY_DIR/plain/data" "$HOP_REGISTRY_DIR/plain/config.yml"
}

@test "start again leaves the running ones as they are" {
	local before after
	before=$(cat "$HOP_REGISTRY_DIR"/*/*.pid)
	run -0 "$REGISTRY" start 3>&-
	run -0 "$REGISTRY" start token plain 3>&-
	after=$(cat "$HOP_REGISTRY_DIR"/*/*.pid)
	assert_equal "$after" "$before"
}

@test "plain answers GET /v2/ with 200, anonymously" {
	run -0 curl -si "http://$PLAIN/v2/"
	assert_line --index 0 --regexp '^HTTP/1\.1 200 '
	assert_line --partial 'Docker-Distribution-Api-Version: registry/2.0'
}

@test "basic: 401 and a Basic challenge; hop:hop-secret gets in, a wrong password does not" {
	run -0 curl -si "http://$BASIC/v2/"
	assert_line --index 0 --regexp '^HTTP/1\.1 401 '
	assert_line --regexp '^Www-Authenticate: Basic realm="hop-registry"'
	assert_equal "$(status -u hop:hop-secret "http://$BASIC/v2/")" 200
	assert_equal "$(status -u hop:wrong "http://$BASIC/v2/")" 401
	# htpasswd's bcrypt, not a plain text password
	run -0 grep -E '^hop:\$2y\$' "$HOP_REGISTRY_DIR/basic/htpasswd"
}

@test "token: 401 and a Bearer challenge naming the realm, the service and the scope" {
	run -0 curl -si "http://$TOKEN/v2/"
	assert_line --index 0 --regexp '^HTTP/1\.1 401 '
	assert_line --regexp "^Www-Authenticate: Bearer realm=\"$REALM\",service=\"hop-registry\""
	run -0 curl -si "http://$TOKEN/v2/busybox/manifests/latest"
	assert_line --index 0 --regexp '^HTTP/1\.1 401 '
	assert_line --regexp "^Www-Authenticate: Bearer realm=\"$REALM\",service=\"hop-registry\",scope=\"repository:busybox:pull\""
	# Basic credentials do not open a token registry.
	assert_equal "$(status -u hop:hop-secret "http://$TOKEN/v2/")" 401
}

@test "push busybox to each registry; skopeo reads it back, and without credentials basic and token refuse" {
	requires root cmd:skopeo cmd:umoci
	local kind address digest creds
	for kind in plain:$PLAIN basic:$BASIC token:$TOKEN; do
		address=${kind#*:} kind=${kind%%:*}
		run -0 --separate-stderr "$REGISTRY" push "$kind" busybox 3>&-
		assert_output --regexp "^$address/busybox:latest sha256:[0-9a-f]{64}\$"
		digest=${output#* }
		creds=()
		[ "$kind" = plain ] || creds=(--creds hop:hop-secret)
		run -0 skopeo inspect --tls-verify=false "${creds[@]}" "docker://$address/busybox:latest"
		assert_equal "$(jq -r .Digest <<<"$output")" "$digest"
		assert_equal "$(jq -r '.Layers | length' <<<"$output")" 1
		assert_equal "$(jq -r '.Os + "/" + .Architecture' <<<"$output")" linux/amd64
		if [ "$kind" != plain ]; then
			run ! skopeo inspect --tls-verify=false --no-creds "docker://$address/busybox:latest"
		fi
	done
	# An OCI manifest (umoci writes no mediaType in it: the registry's
	# Content-Type says what it is), whose one layer holds our busybox.
	run -0 curl -si -H "Accept: $OCI_MANIFEST" "http://$PLAIN/v2/busybox/manifests/latest"
	assert_line --partial "Content-Type: $OCI_MANIFEST"
	run -0 skopeo inspect --tls-verify=false --raw "docker://$PLAIN/busybox:latest"
	assert_equal "$(jq -r .config.mediaType <<<"$output")" application/vnd.oci.image.config.v1+json
	curl -s "http://$PLAIN/v2/busybox/blobs/$(jq -r '.layers[0].digest' <<<"$output")" |
		tar -tzf - >"$BATS_TEST_TMPDIR/list"
	run -0 grep -x 'bin/busybox' "$BATS_TEST_TMPDIR/list"
	run ! grep -x '.done' "$BATS_TEST_TMPDIR/list"
}

@test "the token flow by hand: a token from the token server opens the manifest" {
	requires root cmd:skopeo cmd:umoci
	local digest token kid
	run -0 --separate-stderr "$REGISTRY" push token busybox 3>&-
	digest=${output#* }
	# No credentials, a wrong password: 401 with a JSON error.
	run -0 curl -si "$REALM?service=hop-registry&scope=repository:busybox:pull"
	assert_line --index 0 --regexp '^HTTP/1\.1 401 '
	assert_line --partial '"code": "UNAUTHORIZED"'
	run -0 curl -si -u hop:wrong "$REALM?service=hop-registry&scope=repository:busybox:pull"
	assert_line --index 0 --regexp '^HTTP/1\.1 401 '
	assert_line --partial '"code": "UNAUTHORIZED"'
	# The right one: a token, in both fields.
	run -0 curl -s -u hop:hop-secret "$REALM?service=hop-registry&scope=repository:busybox:pull"
	assert_equal "$(jq -r '.expires_in' <<<"$output")" 300
	assert_equal "$(jq -r '.token == .access_token' <<<"$output")" true
	assert_regex "$(jq -r .issued_at <<<"$output")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
	token=$(jq -r .token <<<"$output")
	# RS256, the key named as libtrust names the key of rootcertbundle.
	kid=$(libtrust_kid "$HOP_REGISTRY_DIR/token/token.crt")
	assert_regex "$kid" '^([A-Z2-7]{4}:){11}[A-Z2-7]{4}$'
	assert_equal "$(jwt_part "$token" 1 | jq -c .)" "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"kid\":\"$kid\"}"
	run -0 jwt_part "$token" 2
	assert_equal "$(jq -c .access <<<"$output")" '[{"type":"repository","name":"busybox","actions":["pull"]}]'
	assert_equal "$(jq -r '[.iss, .sub, .aud] | join(" ")' <<<"$output")" "hop-token-server hop hop-registry"
	assert_equal "$(jq -r '.exp - .iat' <<<"$output")" 300
	# The registry takes it, and serves the manifest that was pushed.
	run -0 curl -si -H "Authorization: Bearer $token" -H "Accept: $OCI_MANIFEST" \
		"http://$TOKEN/v2/busybox/manifests/latest"
	assert_line --index 0 --regexp '^HTTP/1\.1 200 '
	assert_line --regexp "^Docker-Content-Digest: $digest"
	# A token for another repository, or with its signature changed, is refused.
	token=$(token_for hop:hop-secret repository:other:pull)
	assert_equal "$(status -H "Authorization: Bearer $token" -H "Accept: $OCI_MANIFEST" \
		"http://$TOKEN/v2/busybox/manifests/latest")" 401
	token=$(token_for hop:hop-secret repository:busybox:pull)
	token=${token%?????}AAAAA
	assert_equal "$(status -H "Authorization: Bearer $token" -H "Accept: $OCI_MANIFEST" \
		"http://$TOKEN/v2/busybox/manifests/latest")" 401
}

@test "push multi: an OCI index with linux/amd64 and linux/arm64, each saying its platform" {
	requires root cmd:skopeo cmd:umoci
	local index arch manifest layer
	run -0 --separate-stderr "$REGISTRY" push plain multi 3>&-
	assert_output --regexp "^$PLAIN/multi:latest sha256:[0-9a-f]{64}\$"
	index=$(skopeo inspect --tls-verify=false --raw "docker://$PLAIN/multi:latest")
	assert_equal "$(jq -r .mediaType <<<"$index")" "$OCI_INDEX"
	assert_equal "sha256:$(printf %s "$index" | sha256sum | cut -c1-64)" "${output#* }"
	assert_equal "$(jq -r '[.manifests[].platform | .os + "/" + .architecture] | join(" ")' <<<"$index")" \
		"linux/amd64 linux/arm64"
	for arch in amd64 arm64; do
		manifest=$(jq -r --arg a "$arch" '.manifests[] | select(.platform.architecture == $a) | .digest' <<<"$index")
		run -0 curl -s -H "Accept: $OCI_MANIFEST" "http://$PLAIN/v2/multi/manifests/$manifest"
		layer=$(jq -r '.layers[-1].digest' <<<"$output")
		run -0 bash -c "curl -s http://$PLAIN/v2/multi/blobs/$layer | tar -xzOf - etc/hop-platform"
		assert_output "linux/$arch"
	done
	# Also as skopeo picks a platform from the index.
	run -0 skopeo inspect --tls-verify=false --override-arch arm64 "docker://$PLAIN/multi:latest"
	assert_equal "$(jq -r '.Layers | length' <<<"$output")" 1
	run -0 skopeo inspect --tls-verify=false --override-arch amd64 "docker://$PLAIN/multi:latest"
	assert_equal "$(jq -r '.Layers | length' <<<"$output")" 2
}

@test "push layers: three layers, a whiteout and an opaque directory, as umoci unpacks them" {
	requires root cmd:skopeo cmd:umoci
	local layers
	run -0 --separate-stderr "$REGISTRY" push basic layers 3>&-
	assert_output --regexp "^$BASIC/layers:latest sha256:[0-9a-f]{64}\$"
	run -0 skopeo --insecure-policy copy -q --src-tls-verify=false --src-creds hop:hop-secret \
		"docker://$BASIC/layers:latest" "oci:$BATS_TEST_TMPDIR/oci:layers"
	run -0 skopeo inspect "oci:$BATS_TEST_TMPDIR/oci:layers"
	mapfile -t layers < <(jq -r '.Layers[] | sub("sha256:"; "")' <<<"$output")
	assert_equal "${#layers[@]}" 3
	run -0 tar -tzf "$BATS_TEST_TMPDIR/oci/blobs/sha256/${layers[1]}"
	assert_output hop/.wh.gone
	run -0 tar -tzf "$BATS_TEST_TMPDIR/oci/blobs/sha256/${layers[2]}"
	assert_line hop/opaque/.wh..wh..opq
	assert_line hop/opaque/new
	umoci unpack --image "$BATS_TEST_TMPDIR/oci:layers" "$BATS_TEST_TMPDIR/bundle" >/dev/null
	run -0 find "$BATS_TEST_TMPDIR/bundle/rootfs/hop" -printf '%P\n'
	assert_equal "$(sort <<<"$output" | paste -sd' ')" " keep opaque opaque/new"
	assert_file_executable "$BATS_TEST_TMPDIR/bundle/rootfs/bin/busybox"
}

@test "env prints the addresses, the credentials and the directory" {
	run -0 "$REGISTRY" env
	assert_line "HOP_REGISTRY_PLAIN=$PLAIN"
	assert_line "HOP_REGISTRY_BASIC=$BASIC"
	assert_line "HOP_REGISTRY_TOKEN=$TOKEN"
	assert_line "HOP_REGISTRY_TOKEN_SERVER=127.0.0.1:5158"
	assert_line "HOP_REGISTRY_CREDS=hop:hop-secret"
	assert_line "HOP_REGISTRY_DIR=$HOP_REGISTRY_DIR"
	# and the lines are shell
	eval "$output"
	assert_equal "$HOP_REGISTRY_PLAIN" "$PLAIN"
}

@test "bad arguments are refused with a message" {
	run -1 "$REGISTRY" start nope
	assert_output "registry: unknown registry kind 'nope' (kinds: plain basic token)"
	run -1 "$REGISTRY" push plain nope
	assert_output "registry: unknown image 'nope' (images: busybox layers multi debian)"
	HOP_REGISTRY_PORT=80x run -1 "$REGISTRY" env
	assert_output "registry: HOP_REGISTRY_PORT=80x: not a port number"
	run -2 "$REGISTRY" frobnicate
}

@test "stop refuses a pid file naming a process that is not ours: a decoy, another registry" {
	local basic pidfile=$HOP_REGISTRY_DIR/plain/registry.pid
	run -0 "$REGISTRY" stop plain 3>&-
	sleep 300 3>&- &
	DECOY=$!
	echo "$DECOY" >"$pidfile"
	run -1 "$REGISTRY" stop plain 3>&-
	assert_output --regexp "^registry: pid $DECOY in $pidfile is not ours but \"sleep 300 \": not stopped\$"
	alive "$DECOY"
	# A docker-registry, but the basic one: not plain's to stop.
	basic=$(cat "$HOP_REGISTRY_DIR/basic/registry.pid")
	echo "$basic" >"$pidfile"
	run -1 "$REGISTRY" stop plain 3>&-
	assert_output --partial "is not ours but \"docker-registry serve $HOP_REGISTRY_DIR/basic/config.yml"
	alive "$basic"
	assert_equal "$(status -u hop:hop-secret "http://$BASIC/v2/")" 200
	# start sees the stale pid file for what it is.
	echo "$DECOY" >"$pidfile"
	run -0 "$REGISTRY" start plain 3>&-
	assert_line "registry: removing the stale $pidfile"
	alive "$DECOY"
	assert_equal "$(status "http://$PLAIN/v2/")" 200
}

@test "stop: no process of ours left, the ports closed, the pid files gone" {
	local pids pid port
	pids=$(cat "$HOP_REGISTRY_DIR"/*/*.pid)
	assert_equal "$(wc -w <<<"$pids")" 4
	run -0 "$REGISTRY" stop 3>&-
	for pid in $pids; do
		if alive "$pid"; then
			fail "pid $pid ($(cmdline "$pid")) is still alive"
		fi
	done
	assert_equal "$(processes_of_ours)" ""
	for port in 5155 5156 5157 5158; do
		if listening "$port"; then
			fail "127.0.0.1:$port still listens"
		fi
	done
	run -0 find "$HOP_REGISTRY_DIR" -name '*.pid'
	assert_output ""
	# Stopping what is stopped is fine; the storage stays.
	run -0 "$REGISTRY" stop 3>&-
	assert_dir_exists "$HOP_REGISTRY_DIR/plain/data/docker/registry/v2/repositories/busybox"
}

@test "start fails with a clear message when the port is taken, and leaves the taker alone" {
	export HOP_REGISTRY_DIR=$BATS_TEST_TMPDIR/registry HOP_REGISTRY_PORT=5165
	python3 -m http.server --bind 127.0.0.1 5165 >/dev/null 2>&1 3>&- &
	DECOY=$!
	wait_until "listening 5165" 10
	run -1 "$REGISTRY" start plain 3>&-
	assert_line --index 0 "registry: 127.0.0.1:5165 (the plain registry) is taken by another program"
	alive "$DECOY"
	assert_file_not_exists "$HOP_REGISTRY_DIR/plain/registry.pid"
}

@test "start fails with the end of the log when docker-registry dies, or does not answer in time" {
	export HOP_REGISTRY_DIR=$BATS_TEST_TMPDIR/registry HOP_REGISTRY_PORT=5165
	local fake=$BATS_TEST_TMPDIR/fake
	mkdir -p "$fake"
	printf '#!/bin/sh\necho "configuration error: the fake one"\nexit 1\n' >"$fake/docker-registry"
	chmod +x "$fake/docker-registry"
	PATH=$fake:$PATH run -1 "$REGISTRY" start plain 3>&-
	assert_line "configuration error: the fake one"
	assert_line "registry: the plain registry exited before it answered GET /v2/ on 127.0.0.1:5165"
	assert_file_not_exists "$HOP_REGISTRY_DIR/plain/registry.pid"
	# One that never answers is stopped when its time is up.
	printf '#!/bin/sh\necho "waiting for nothing"\nwhile :; do sleep 0.1; done\n' >"$fake/docker-registry"
	HOP_REGISTRY_TIMEOUT=1 PATH=$fake:$PATH run -1 "$REGISTRY" start plain 3>&-
	assert_line "waiting for nothing"
	assert_line --regexp "^registry: the plain registry did not answer GET /v2/ on 127.0.0.1:5165 within 1 s"
	assert_file_not_exists "$HOP_REGISTRY_DIR/plain/registry.pid"
	assert_equal "$(processes_of_ours)" ""
}
