/* layer.h - apply OCI image layers (tar, gzip or zstd) to a directory,
 * safely, whatever the layer holds.
 *
 * A layer is a tar stream of changes: new and changed files, and
 * whiteouts: an empty file ".wh.NAME" deletes NAME from the layers below,
 * and ".wh..wh..opq" in a directory hides everything the layers below put
 * there (the directory is "opaque"). Layers are applied in order on one
 * root.
 *
 * Every entry is resolved inside the root, from a directory fd, with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): an entry with "..", an
 * absolute path, a path through a symlink, a hardlink to a file outside
 * the root, a non-directory named "." are refused, not rewritten, with the
 * layer's digest and the entry's name in the error.
 *
 * While it streams, the compressed bytes are hashed and counted (the blob's
 * digest and size, from the manifest) and the uncompressed tar is hashed
 * (the diff_id, from the image config): a mismatch fails the layer.
 *
 * Read: the OCI image spec, layer.md; openat2(2); libarchive's
 * archive_read(3).
 */
#ifndef HOP_LAYER_H
#define HOP_LAYER_H

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* The names OCI layers use for whiteouts (layer.md). */
#define LAYER_WHITEOUT_PREFIX ".wh."
#define LAYER_WHITEOUT_OPAQUE ".wh..wh..opq"

/* What the image says a layer is; NULL or -1 fields are not checked
 * (mini-overlay apply gives a bare tar, with no digest to check). */
struct layer_desc {
	const char *digest;	/* of the blob as stored: "sha256:..." */
	const char *diff_id;	/* of the uncompressed tar */
	const char *media_type; /* decides the decompression; NULL: guess */
	int64_t size;		/* of the blob, -1 if unknown */
	int checked; /* the caller checked the blob's digest a moment ago:
		      * it names the layer in messages, it is not hashed
		      * again (the size and diff_id still are checked) */
};

/* Layers applied to one root, in order. */
struct unpack;

/* Start applying layers to the directory rootfd (not closed). */
struct unpack *unpack_begin(int rootfd);
/* Give up, as after a failure, as soon as *flag is set (by a signal
 * handler: the caller then removes what was made, and nothing is left). */
void unpack_stop_when(struct unpack *unpack, const volatile sig_atomic_t *flag);
/* Where a layer's bytes come from when they are not a whole file yet
 * (a download under way, day 07): read up to size bytes into buf;
 * returns 0 at the end, or -1 with the failure recorded (hop_fail...). */
struct layer_source {
	ssize_t (*read)(void *arg, void *buf, size_t size);
	void *arg;
};

/* Apply one layer, read from source to its end. */
int unpack_layer_from(struct unpack *unpack, const struct layer_source *source,
		      const struct layer_desc *desc);

/* Apply one layer, read from blobfd (to its end; not closed). */
int unpack_layer(struct unpack *unpack, int blobfd,
		 const struct layer_desc *desc);
/* Set the directories' times last (a file made in a directory changes its
 * mtime) and free. Returns -1 if that fails; frees in any case. */
int unpack_finish(struct unpack *unpack);
/* Free after a failure, touching nothing more. */
void unpack_abort(struct unpack *unpack);

/* Remove name in dirfd, and all beneath it if it is a directory, never
 * following a symlink; a missing name is not an error. -1 with errno. */
int layer_remove_tree(int dirfd, const char *name);

#endif
