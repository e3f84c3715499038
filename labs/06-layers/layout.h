/* layout.h - read an OCI image layout: oci-layout, index.json, and the
 * blobs they name (manifest, config, layers), each checked.
 *
 *   DIR/oci-layout          {"imageLayoutVersion": "1.0.0"}
 *   DIR/index.json          the descriptors of the images, with their tags
 *   DIR/blobs/sha256/<hex>  every blob, named by the sha256 of its bytes
 *
 * A descriptor names a blob by digest and says its media type and size.
 * A blob read here is checked against both before it is used, and a
 * digest is checked (digest_check) before it becomes a file name. Docker's
 * media types (manifest v2, manifest list) are read like OCI's.
 *
 * Read: the OCI image spec: image-layout.md, image-index.md, manifest.md,
 * config.md, descriptor.md.
 */
#ifndef HOP_LAYOUT_H
#define HOP_LAYOUT_H

#include <jansson.h>
#include <stdint.h>

#include "06-layers/digest.h"

struct descriptor {
	char digest[DIGEST_MAX];
	char media_type[128];
	int64_t size;
};

struct image_layer {
	struct descriptor blob;
	char diff_id[DIGEST_MAX];
};

struct image {
	struct descriptor manifest, config;
	json_t *config_json; /* the image config, parsed */
	struct image_layer *layers;
	size_t nlayers;
	char platform[64]; /* "linux/amd64", from the config */
};

/* A descriptor (mediaType, digest, size) from JSON: the digest checked
 * (digest_check), the size a whole number >= 0; where names it in errors. */
int layout_read_descriptor(const json_t *json, const char *where,
			   struct descriptor *desc);

/* Open the layout in dir (checks oci-layout); returns a directory fd. */
int layout_open(const char *dir);
/* Open a blob of the layout, beneath dirfd, by its checked digest. */
int layout_open_blob(int dirfd, const char *digest);
/* Read a blob through and check its size and sha256 against desc (a
 * layer can be big: it is hashed as it is read, never held). */
int layout_check_blob(int dirfd, const struct descriptor *desc);
/* Find the image tagged tag (NULL: the only one) in the layout; from an
 * index, the manifest for platform ("os/arch[/variant]"; NULL: this
 * machine's). Reads and checks the manifest and the config. */
int image_load(int dirfd, const char *tag, const char *platform,
	       struct image *image);
/* The same, from a manifest of the layout named by its descriptor (no
 * tag: day 07 reads an image before naming it). */
int image_load_manifest(int dirfd, const struct descriptor *desc,
			struct image *image);
void image_free(struct image *image);

/* "os/arch" of this machine, as OCI names it (amd64, arm64, ...). */
const char *layout_machine_platform(void);

#endif
