/* store.h - the content store of mini-ctr: an OCI image layout.
 *
 *   ROOT/oci-layout, ROOT/index.json     one entry per pulled image, its
 *                                        name in org.opencontainers.image.ref.name
 *   ROOT/blobs/sha256/<hex>              every blob, named by its sha256
 *   ROOT/containers/ID/                  a container's bundle (mini-ctr.c)
 *
 * A blob is written to an unnamed file (O_TMPFILE) and linked in under
 * its name only once its digest is checked: a crash or SIGKILL leaves no
 * half-written blob behind, ever. index.json is replaced with rename(2).
 * A pull holds ROOT/lock shared from its first blob to its tag; a garbage
 * collection holds it exclusive, so it never takes the blobs of a running
 * pull. Whoever writes index.json holds ROOT/index.lock exclusive.
 */
#ifndef HOP_STORE_H
#define HOP_STORE_H

#include <jansson.h>
#include <limits.h>
#include <stdint.h>

#include "06-layers/layout.h"

/* The annotation holding an image's name, and the one holding the digest
 * its name resolved to (an index's, when it had one). */
#define STORE_REF_NAME	 "org.opencontainers.image.ref.name"
#define STORE_REF_DIGEST "io.hop.image.resolved-digest"

struct store {
	char root[PATH_MAX];
	int fd;	     /* ROOT */
	int blobsfd; /* ROOT/blobs/sha256 */
	int lockfd;  /* ROOT/lock */
	int indexfd; /* ROOT/index.lock */
};

/* Open the store at root, making it first when create is set. */
int store_open(struct store *store, const char *root, int create);
void store_close(struct store *store);
/* flock(ROOT/lock): shared or exclusive; store_unlock() lets go. */
int store_lock(struct store *store, int exclusive);
int store_unlock(struct store *store);
/* ROOT/lock exclusive if nobody holds it, without waiting: 0, or -1. */
int store_try_lock(struct store *store);

/* Is the blob there, with that size? 1 yes, 0 no, -1 error. */
int store_has(struct store *store, const struct descriptor *desc);
/* A new unnamed file for a blob, in the store's file system. */
int store_temp(struct store *store);
/* Link the checked file fd in as the blob digest (there already: fine). */
int store_commit(struct store *store, int fd, const char *digest);
/* Store bytes already checked against digest. */
int store_put(struct store *store, const char *digest, const void *data,
	      size_t size);

/* Point name at the manifest (replacing what it named), with its
 * platform ("os/arch") and the digest the name resolved to. */
int store_tag(struct store *store, const char *name,
	      const struct descriptor *manifest, const char *platform,
	      const char *resolved);
/* Forget name; -1 with ENOENT if no image has it. */
int store_untag(struct store *store, const char *name);
/* index.json's manifests array (a new reference; json_decref it). */
json_t *store_images(struct store *store);

/* Remove every blob no image needs; counts what went. */
int store_gc(struct store *store, size_t *removed, int64_t *bytes);

/* Check every blob against its name, and that every blob an image needs
 * is there; report(arg, digest, problem) for each problem. Returns the
 * number of problems, or -1 if the check itself failed. */
int store_check(struct store *store,
		void (*report)(void *arg, const char *digest,
			       const char *problem),
		void *arg);

#endif
