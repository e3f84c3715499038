# shellcheck shell=bash
# Day 06 of the demo: an image built from the busybox root with umoci, its
# layout file by file, mini-image unpack next to umoci unpack, an overlay's
# copy-up and whiteout turned into a layer, and a hostile layer refused
# (sourced by tools/demo). Everything lives in one scratch directory, its
# overlay on a tmpfs there; on_exit unmounts and removes it.

day 06 "Layers: overlayfs and OCI images"

ly=$(mktemp -d /tmp/hop-demo.XXXXXX)
on_exit "umount -R '$ly/ovl' 2>/dev/null; rm -rf '$ly'"
have_umoci=0
command -v umoci >/dev/null && have_umoci=1

step "An image is files: a layout of blobs named by their sha256" \
	"umoci packs the busybox root as one gzip layer, a config and a manifest; index.json names the tag."
if [ "$have_umoci" -eq 1 ]; then
	run -m "cd $ly && umoci init --layout img && umoci new --image img:demo && umoci unpack --image img:demo b >/dev/null"
	run -m "cp -a build/rootfs/busybox/. $ly/b/rootfs/ && cd $ly && umoci repack --image img:demo b && umoci config --image img:demo --config.cmd /bin/sh --config.cmd -c --config.cmd 'echo hello from the image' && umoci gc --layout img"
	run "ls $ly/img $ly/img/blobs/sha256 | head -n 8"
	run "mini-image inspect $ly/img:demo"
	run "cd $ly/img/blobs/sha256 && for f in *; do [ \"\$(sha256sum <\$f | cut -d' ' -f1)\" = \$f ] || exit 1; done && echo 'every blob is named by its sha256'"
	note "index.json names the tag; inspect shows manifest, config and one layer; a blob's name is the sha256 of its bytes"
else
	skip_step "umoci is not installed (make setup installs it)"
fi
pause

step "Unpack: every blob verified as it streams, every entry kept inside" \
	"The same tree as umoci unpack; built beside the target and renamed into place."
if [ "$have_umoci" -eq 1 ]; then
	run "mini-image -v unpack $ly/img:demo $ly/root 2>&1 | grep -e verified -e renamed"
	run "umoci unpack --image $ly/img:demo $ly/umoci >/dev/null"
	run "diff <(cd $ly/root && find . -printf '%p %y %m %U %G %s %l\n' | sort) <(cd $ly/umoci/rootfs && find . -printf '%p %y %m %U %G %s %l\n' | sort) && echo 'the same tree as umoci'"
	note "each blob \"verified\" as it was read, the tree \"renamed\" into place whole; the same paths, types, modes, owners, sizes and links as umoci's"
else
	skip_step "umoci is not installed"
fi
pause

step "The writable layer: overlayfs copies up, and whites out" \
	"A write copies the file into the upper dir; a deletion leaves a char device 0/0 there."
run -m "mkdir $ly/ovl && mount -t tmpfs hop-demo $ly/ovl && mkdir $ly/ovl/lower $ly/ovl/upper $ly/ovl/work $ly/ovl/merged && cp -a build/rootfs/busybox/etc $ly/ovl/lower/"
run -m "mini-overlay -x mount $ly/ovl/lower $ly/ovl/upper $ly/ovl/work $ly/ovl/merged"
run -m "echo demo >$ly/ovl/merged/etc/hostname && rm $ly/ovl/merged/etc/passwd"
run "cat $ly/ovl/lower/etc/hostname; ls -l $ly/ovl/upper/etc"
run "mini-overlay show $ly/ovl/upper $ly/ovl/lower"
note "the lower hostname is still hop; the upper holds the new hostname and, for passwd, a char device 0/0: the whiteout"
pause

step "The upper dir is a layer: the first half of docker commit" \
	"mini-overlay diff writes it as a tar, the whiteout as .wh.passwd; its sha256 is the layer's diff_id."
run "mini-overlay diff $ly/ovl/upper $ly/layer.tar && tar -tvf $ly/layer.tar"
note "the sha256 printed first; in the tar the whiteout became an empty file etc/.wh.passwd"
run -m "umount $ly/ovl/merged"
pause

step "A hostile layer is refused, not rewritten" \
	"A symlink out of the root, then a file written through it: plain tar -x would write outside."
run "python3 -c 'import io, tarfile; t = tarfile.open(\"$ly/evil.tar\", \"w\"); s = tarfile.TarInfo(\"escape\"); s.type = tarfile.SYMTYPE; s.linkname = \"$ly/outside\"; t.addfile(s); f = tarfile.TarInfo(\"escape/pwned\"); f.size = 3; t.addfile(f, io.BytesIO(b\"hi\\\\n\")); t.close()'"
run "mkdir $ly/outside $ly/victim"
run -s 1 "mini-overlay apply $ly/evil.tar $ly/victim"
run "ls -A $ly/outside | wc -l"
note "refused, naming the entry and why; 0: nothing was written outside"
pause
