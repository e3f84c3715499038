/* pull.h - pull an image from a registry into the store:
 *
 *   1. GET the manifest for the tag (or digest); an index or a Docker
 *      manifest list is resolved to this platform's manifest, which is
 *      fetched by its digest;
 *   2. GET the config and the layers the store does not have yet, all at
 *      once, each checked (size, sha256) as it streams and linked into
 *      the store only when whole and right;
 *   3. store the manifest, and name the image in index.json.
 *
 * Nothing in the store is ever half made; what a failed pull fetched is
 * there whole and checked, and the next pull does not fetch it again.
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
