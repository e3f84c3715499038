/* registry.h - a client of the OCI distribution API, with libcurl:
 *
 *   GET /v2/NAME/manifests/REFERENCE   (Accept: the media types we read)
 *   GET /v2/NAME/blobs/DIGEST          (a redirect is followed)
 *
 * A 401 answer's WWW-Authenticate challenge is met once: Basic sends the
 * user's -u USER:PASSWORD; Bearer asks the token server named in the
 * challenge (with those credentials, if given) and sends the token.
 * Every byte is hashed as it arrives; nothing is trusted that does not
 * match its digest and size. Read: the distribution spec (spec.md), the
 * Docker token authentication spec, RFC 7235.
 */
#ifndef HOP_REGISTRY_H
#define HOP_REGISTRY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "06-layers/layout.h"

/* The media types of what a manifest request can answer. */
#define MEDIA_OCI_INDEX	   "application/vnd.oci.image.index.v1+json"
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_DOCKER_LIST \
	"application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_MANIFEST \
	"application/vnd.docker.distribution.manifest.v2+json"

/* The largest manifest or index we read, as containerd does. */
#define REGISTRY_MANIFEST_MAX (4 << 20)

struct registry {
	char base[300];		  /* "http://127.0.0.1:5055" */
	char name[256];		  /* the repository: "library/busybox" */
	const char *user;	  /* "USER:PASSWORD" or NULL */
	long timeout;		  /* seconds: to connect, and with no byte */
	char authorization[8192]; /* the header that worked, or "" */
	int tried_auth;
};

/* A 401's WWW-Authenticate challenge. */
struct challenge {
	char scheme[16]; /* "Bearer" or "Basic" */
	char realm[512]; /* the token server, for Bearer */
	char service[256];
	char scope[512];
};

/* Parse a WWW-Authenticate value: -1 if it is none we can answer. */
int registry_parse_challenge(const char *value, struct challenge *challenge);

/* Set up the client for host (HOST[:PORT]) and the repository name. */
int registry_init(struct registry *registry, const char *host, const char *name,
		  int plain_http, const char *user, long timeout);

/* A manifest or index, read whole (at most REGISTRY_MANIFEST_MAX). */
struct manifest_body {
	char *data;
	size_t size;
	char media_type[128];	 /* its Content-Type */
	char digest[DIGEST_MAX]; /* the sha256 of the bytes we got */
};

/* GET the manifest reference (a tag or a digest) of the repository. A
 * digest reference must match the bytes; for a tag, the registry's
 * Docker-Content-Digest must, if it sends one. */
int registry_get_manifest(struct registry *registry, const char *reference,
			  struct manifest_body *out);
void manifest_body_free(struct manifest_body *body);

/* One blob to fetch into fd (a fresh file of the caller's). */
struct blob_job {
	const char *what;	/* "layer", "config": for messages */
	struct descriptor desc; /* what the manifest says it is */
	int fd;
	int64_t received;
	int state; /* BLOB_WAITING, BLOB_RUNNING, BLOB_DONE, BLOB_FAILED */
	char error[512];
	void *priv; /* the transfer, while it runs */
};
enum { BLOB_WAITING, BLOB_RUNNING, BLOB_DONE, BLOB_FAILED };

/* Called when a job is done (its fd holds exactly the right bytes) or
 * failed; return -1 to fail it. And, about ten times a second, so that
 * the caller can show progress. */
struct blob_callbacks {
	int (*done)(void *arg, struct blob_job *job);
	void *done_arg;
	void (*progress)(void *arg, const struct blob_job *jobs, size_t n);
	void *progress_arg;
	const volatile sig_atomic_t *stop; /* give up when set, or NULL */
};

/* The same, a step at a time, for a caller that consumes the bytes as
 * they arrive (mini-ctr's unpack): start them all; step lets them run
 * (up to 100 ms) and returns 1 while some run, 0 when all are done, -1
 * at the first failure; end stops what still runs and frees. */
struct blob_batch;
struct blob_batch *registry_blobs_start(struct registry *registry,
					struct blob_job *jobs, size_t n,
					const struct blob_callbacks *cb);
int registry_blobs_step(struct blob_batch *batch);
void registry_blobs_end(struct blob_batch *batch);

/* Fetch every job at once (one connection each); 0 when all are done,
 * else -1 with the first failure. */
int registry_get_blobs(struct registry *registry, struct blob_job *jobs,
		       size_t n, const struct blob_callbacks *cb);

#endif
