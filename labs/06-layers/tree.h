/* tree.h - a root filesystem or an OCI bundle made from an image, all or
 * nothing: built in a sibling DEST.hop-XXXXXX, renamed to DEST only when
 * every layer is applied, removed on any failure.
 *
 * mini-image unpack and bundle use it; so does day 07's mini-ctr create.
 */
#ifndef HOP_TREE_H
#define HOP_TREE_H

#include <signal.h>

#include "06-layers/layer.h"
#include "06-layers/layout.h"

struct tree_options {
	int bundle;			/* DEST/rootfs and DEST/config.json */
	const char *const *args;	/* NULL-ended; replaces the image's
				    * Entrypoint and Cmd (bundle only) */
	const char *const *annotations; /* "key", "value", ..., NULL:
					 * config.json's annotations */
	const volatile sig_atomic_t *stop; /* give up when set, or NULL */
	int blobs_checked; /* the caller checked each blob's sha256 a moment
			    * ago: only sizes and diff_ids are checked */
	/* Where layer i comes from, if not the layout's blob (a download
	 * under way: day 07), or NULL for the blob. */
	const struct layer_source *(*source)(void *arg, size_t i);
	void *source_arg;
};

/* Apply every layer of image, read from the layout layoutfd, to rootfd. */
int tree_apply_layers(int layoutfd, const struct image *image, int rootfd,
		      const struct tree_options *options);

/* Write BUNDLE/config.json (bundlefd) for image, whose root is rootfd,
 * with the args and annotations of options. */
int tree_write_config(int bundlefd, const struct image *image, int rootfd,
		      const struct tree_options *options);

/* Make path (DEST, which must not exist) from image; see above. */
int tree_make(int layoutfd, const struct image *image, const char *path,
	      const struct tree_options *options);

#endif
