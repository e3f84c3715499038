/* container.h - snapshots and containers of mini-ctr's store.
 *
 *   ROOT/snapshots/<manifest hex>/   an image's layers applied, once, at
 *                                    pull: the read-only lower layer of
 *                                    every container of that image
 *   ROOT/containers/ID/config.json   the bundle mini-runc (or runc) runs
 *   ROOT/containers/ID/rootfs        an overlay: lower the snapshot,
 *   ROOT/containers/ID/upper, work   upper and work the container's own
 *
 * This is containerd's overlayfs snapshotter in small: an image is
 * unpacked once, and a container costs one mount, not a copy.
 */
#ifndef HOP_CONTAINER7_H
#define HOP_CONTAINER7_H

#include <signal.h>

#include "06-layers/layer.h"
#include "06-layers/layout.h"
#include "07-puller/store.h"

/* The annotations of a container's config.json naming its image. */
#define CONTAINER_IMAGE_NAME	 "io.hop.image.name"
#define CONTAINER_IMAGE_MANIFEST "io.hop.image.manifest"

/* A container ID: [A-Za-z0-9][A-Za-z0-9_.-]*, at most 64; else refused. */
int container_check_id(const char *id);

/* Where the layers come from while they download (pull.c), instead of
 * the store's blobs (which are then checked again). */
struct snapshot_source {
	const struct layer_source *(*source)(void *arg, size_t i);
	void *arg;
};

/* Apply the image's layers to its snapshot, unless it is there. */
int snapshot_make(struct store *store, const struct image *image,
		  const volatile sig_atomic_t *stop,
		  const struct snapshot_source *from);
/* Remove HEX.hop-XXXXXX, hex being a snapshot's name: what an unpack
 * killed by SIGKILL left. The caller holds the store's lock exclusive:
 * no other unpack runs. */
void snapshot_sweep(struct store *store, const char *hex);
/* Remove the snapshots of manifests no image names any more. */
int snapshot_gc(struct store *store);

/* Make container id from the image name: its overlay and config.json
 * (args, if given, replace the image's command). */
int container_create(struct store *store, const char *name,
		     const char *platform, const char *id,
		     const char *const *args);
/* Unmount and remove the container's directory. */
int container_remove(struct store *store, const char *id);
/* The first container whose image is the manifest digest, into id (""
 * if none). */
int container_using(struct store *store, const char *digest, char *id,
		    size_t size);
/* An annotation of the container's config.json into out ("" if none). */
int container_annotation(struct store *store, const char *id, const char *key,
			 char *out, size_t size);

#endif
