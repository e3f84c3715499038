/* digest.h - content digests: "sha256:<64 hex>" and "sha512:<128 hex>".
 *
 * A digest names a blob in an OCI image layout (blobs/sha256/<hex>), so a
 * digest that came from outside (a manifest, a registry, the command line)
 * is checked with digest_check() before it becomes part of a path: only
 * the two algorithms, only lowercase hex of the exact length. Hashing goes
 * through libcrypto's EVP interface, fed a stream of any length.
 *
 * Read: the OCI image spec, descriptor.md ("Digests"); EVP_DigestInit(3).
 */
#ifndef HOP_DIGEST_H
#define HOP_DIGEST_H

#include <stddef.h>

/* "sha512:" and 128 hex digits, and the NUL. */
#define DIGEST_MAX (7 + 128 + 1)

/* Is text a digest we accept? 0 if so; else -1 refused, with the reason
 * in the context ("digest 'sha256:../x': not 64 lowercase hex digits"). */
int digest_check(const char *text);

/* A running hash, for the algorithm of a digest we checked. */
struct digest_hash {
	void *ctx; /* EVP_MD_CTX */
	char algorithm[8];
};

/* Start a hash with the algorithm of digest ("sha256:..."), or sha256 when
 * digest is NULL. -1 on a library failure. */
int digest_hash_start(struct digest_hash *hash, const char *digest);
int digest_hash_update(struct digest_hash *hash, const void *data, size_t size);
/* The result as "sha256:<hex>" into out (DIGEST_MAX bytes); frees the
 * context. */
int digest_hash_finish(struct digest_hash *hash, char *out);
/* Free a hash that will not be finished (an error path). */
void digest_hash_drop(struct digest_hash *hash);

/* "sha256/<hex>" for a checked digest: its path under blobs/. */
const char *digest_blob_path(const char *digest, char *buf, size_t size);

#endif
