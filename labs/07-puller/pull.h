/* pull.h - pull an image from a registry into the store:
 *
 *   1. GET the manifest for the tag (or digest); an index or a Docker
 *      manifest list is resolved to this platform's manifest, which is
 *      fetched by its digest;
 *   2. GET the config if the store lacks it (the layers' diff_ids are in
 *      it), and store the manifest;
 *   3. GET the layers the store lacks, all at once, each checked (size,
 *      sha256) as it streams and linked into the store only when whole
 *      and right; and unpack them into the image's snapshot while they
 *      come (container.h), renamed into place only when all were right;
 *   4. name the image in index.json.
 *
 * Nothing in the store is ever half made. A pull killed by a signal
 * leaves whole, checked blobs, which the next pull does not fetch again;
 * a refused one leaves nothing (mini-ctr collects what it stored).
 */
#ifndef HOP_PULL_H
#define HOP_PULL_H

#include "07-puller/ref.h"
#include "07-puller/registry.h"
#include "07-puller/store.h"

struct pulled {
	char resolved[DIGEST_MAX];  /* what the reference resolved to */
	struct descriptor manifest; /* this platform's manifest */
	char platform[64];
	size_t fetched, had; /* blobs fetched now, found in the store */
	int64_t bytes;	     /* fetched now */
};

/* What to pull: ref, named name in the store, for platform
 * ("os/arch[/variant]"). */
struct pull_target {
	const struct ref *ref;
	const char *name;
	const char *platform;
};

int pull_image(struct registry *registry, struct store *store,
	       const struct pull_target *target,
	       const struct blob_callbacks *callbacks, struct pulled *out);

/* From an index's manifests, the one for platform; the error lists the
 * platforms there are. Exposed for the unit tests. */
int pull_pick_platform(const json_t *index, const char *platform,
		       struct descriptor *out);

#endif
