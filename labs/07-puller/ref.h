/* ref.h - image references, as docker, ctr and skopeo read them:
 *
 *   [HOST[:PORT]/]NAME[:TAG][@sha256:HEX]
 *
 * "busybox" is docker.io/library/busybox:latest; a first component with a
 * '.' or a ':' in it, or "localhost", is a registry host. NAME is lowercase
 * letters and digits joined by '.', '_', "__" or '-', in '/'-separated
 * components; TAG is up to 128 of [A-Za-z0-9_.-], not starting with '.'
 * or '-'. Read: the distribution project's reference grammar.
 */
#ifndef HOP_REF_H
#define HOP_REF_H

#include <stddef.h>

#include "06-layers/digest.h"

struct ref {
	char domain[256];	 /* "docker.io", "127.0.0.1:5055" */
	char name[256];		 /* "library/busybox" */
	char tag[129];		 /* "latest"; "" when only a digest was given */
	char digest[DIGEST_MAX]; /* "" unless @DIGEST was given */
};

/* Parse text into ref; -1 refused, with the reason (hop_refuse). */
int ref_parse(const char *text, struct ref *ref);
/* "domain/name:tag", "domain/name@digest" or both, into buf. */
const char *ref_string(const struct ref *ref, char *buf, size_t size);
/* The host to ask: docker.io's registry is registry-1.docker.io. */
const char *ref_host(const struct ref *ref);
/* What to put after /manifests/: the digest if given, else the tag. */
const char *ref_reference(const struct ref *ref);

#endif
