/* bundle.h - an OCI runtime bundle from an image: the image config's
 * Entrypoint, Cmd, Env, WorkingDir and User become config.json's process,
 * on the defaults `runc spec` writes (namespaces, mounts, masked paths,
 * three capabilities).
 *
 * Read: the OCI image spec, conversion.md (how the image config maps onto
 * the runtime config); the OCI runtime spec, config.md.
 */
#ifndef HOP_BUNDLE_H
#define HOP_BUNDLE_H

#include <jansson.h>

/* The runtime config for the image config image_config (the whole JSON
 * object, with its "config"), the root filesystem at "rootfs". A user
 * given by name is looked up in the root's /etc/passwd and /etc/group,
 * read beneath rootfd. NULL on failure. */
json_t *bundle_config(const json_t *image_config, int rootfd);

#endif
