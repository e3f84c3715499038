# shellcheck shell=bash
# Day 07 of the demo: a registry on 127.0.0.1 (tools/registry: Debian's
# docker-registry) holding two sample images, and mini-ctr pulling them
# into a store, running them, checking the store and removing the images
# again (sourced by tools/demo). The registry's files, the store and the
# runtime's state live in one scratch directory under build/demo (a store
# must not be on an overlay, and build/ is where we write); the registry
# listens on port 5455, apart from tools/registry's default 5055 (one a
# learner started by hand), the tests' 5155 and 5255, and the bench's
# 5355. on_exit removes a
# container left running, stops the registry and removes the directory.

day 07 "Pulling images: a registry and mini-ctr"

port=5455
host=127.0.0.1:$port
why_not=''
if [ ! -x build/bin/mini-ctr ]; then
	why_not="build/bin/mini-ctr is not built (make builds it)"
elif [ ! -x tools/registry ]; then
	why_not="tools/registry, the local registry, is not there"
else
	for tool in docker-registry skopeo umoci curl jq; do
		command -v "$tool" >/dev/null && continue
		why_not="$tool is not installed (make setup installs it)"
		break
	done
fi

if [ -z "$why_not" ]; then
	mkdir -p build/demo
	pl=$(mktemp -d build/demo/hop-demo.XXXXXX)
	# The runtime (mini-runc --root) wants an absolute state directory.
	pl_state=$PWD/$pl/state
	reg="HOP_REGISTRY_DIR=$pl/registry HOP_REGISTRY_PORT=$port tools/registry"
	ctr="mini-ctr --root $pl/store"
	# A container's upper dir cannot be on an overlay (a throwaway VM's
	# root often is one): then the scratch directory is a tmpfs of its own.
	unmount=''
	if [ "$(stat -f -c %T build/demo)" = overlayfs ] &&
		mount -t tmpfs -o mode=0700 hop-demo "$pl"; then
		unmount="umount '$pl';"
	fi
	on_exit "$ctr --state $pl_state rm -f demo07 >/dev/null 2>&1; $reg stop plain 2>/dev/null; $unmount rm -rf --one-file-system '$pl'; rmdir build/demo 2>/dev/null"
fi

# Whether this machine can show the day's steps; when not, say why.
ready() {
	[ -n "$why_not" ] || return 0
	skip_step "$why_not"
	return 1
}

step "A registry of our own on 127.0.0.1" \
	"Debian's docker-registry, anonymous; skopeo pushes two images: busybox (one layer) and layers (three, with a whiteout)."
if ready; then
	run -m "$reg start plain"
	run -m "$reg push plain busybox layers"
	run "curl -s http://$host/v2/_catalog"
	note "push printed each reference with its manifest's digest; GET /v2/_catalog lists the two repositories"
fi
pause

step "What a registry serves: a manifest, named by its hash" \
	"GET /v2/NAME/manifests/TAG, Accept saying which kind of manifest we read; the sha256 of the answer is the image's digest."
if ready; then
	run "curl -s http://$host/v2/busybox/manifests/latest -H 'Accept: application/vnd.oci.image.manifest.v1+json' | jq ."
	run "curl -s http://$host/v2/busybox/manifests/latest -H 'Accept: application/vnd.oci.image.manifest.v1+json' | sha256sum"
	note "a config and one layer, each by media type, digest and size; the sum is the digest push printed for busybox"
fi
pause

step "pull: every blob checked as it streams" \
	"mini-ctr GETs the manifest, then the config and the layers, hashes each while it writes it, and links it in only when it matches."
if ready; then
	run -m "$ctr --plain-http pull $host/busybox:latest"
	run "ls $pl/store $pl/store/blobs/sha256"
	note "stdout: the name and the digest it resolved to; stderr: each blob fetched and done; the store is an OCI layout, each blob named by its sha256"
fi
pause

step "The conversation: -x" \
	"-x prints each HTTP request (>) and answer (<): the manifest first, then one GET per blob, in parallel."
if ready; then
	run -m "$ctr --plain-http -x pull $host/layers:latest 2>&1 | grep '^  [<>]'"
	note "Accept names the manifest kinds mini-ctr reads; Docker-Content-Digest is what it checks the manifest against; then the config and three layers"
fi
pause

step "A container from an image" \
	"images lists the store; run makes an overlay on the image's unpacked snapshot and hands the bundle to mini-runc, as ctr hands it to runc."
if ready; then
	run "$ctr images"
	run "$ctr --state $pl_state run --rm $host/busybox:latest demo07 /bin/sh -c 'echo hello from inside: \$(hostname), PID \$\$'"
	run "$ctr --state $pl_state run --rm $host/layers:latest demo07 /bin/sh -c 'cat /hop/keep; ls /hop /hop/opaque'"
	note "PID 1 of its own PID namespace; in layers, /hop/gone is gone (the second layer's whiteout) and /hop/opaque holds only new (the third's)"
fi
pause

step "check: the store verifies itself" \
	"Every blob is read again and hashed; a blob changed by one byte no longer matches its name."
if ready; then
	run "$ctr check"
	run "printf x >>$pl/store/blobs/sha256/\$(ls -S $pl/store/blobs/sha256 | head -n 1)"
	run -s 1 "$ctr check"
	note "exit status 1, and the biggest blob, a layer, named as not matching its digest"
fi
pause

step "rmi: untag, then collect" \
	"rmi removes the tag from index.json, then every blob and snapshot no image needs any more: the broken one too."
if ready; then
	run "$ctr rmi $host/busybox:latest"
	run "$ctr rmi $host/layers:latest"
	run "$ctr images; find $pl/store/blobs $pl/store/snapshots -mindepth 2 | wc -l"
	note "no image left, and 0: nothing in blobs/ or snapshots/"
fi
pause

step "Stop the registry" \
	"tools/registry stops what it started, by its pid file; nothing listens on port $port any more."
if ready; then
	run "$reg stop plain"
	run "curl -s http://$host/v2/ || echo 'nothing answers on $host'"
	note "curl could not connect: the registry is gone (on_exit removes its files with the store)"
fi
pause
