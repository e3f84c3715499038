/* overlay.h - overlayfs: mount one, read what its upper dir holds, and turn
 * that upper dir into an OCI layer and back.
 *
 * An overlay shows lower dirs (read-only, the first is the top-most) under
 * one upper dir (where every change goes) as one tree. The upper dir holds
 * the changes in the kernel's own terms: a file written through the overlay
 * is a copy (copy-up), a deleted name is a whiteout (a character device
 * 0/0), and a directory that replaced one below is opaque (the xattr
 * trusted.overlay.opaque = "y"). An OCI layer says the same in a tar:
 * ".wh.NAME" and "DIR/.wh..wh..opq" (layer.h).
 *
 * Read: the kernel's Documentation/filesystems/overlayfs.rst, mount(2),
 * xattr(7), the OCI image spec's layer.md.
 */
#ifndef HOP_OVERLAY_H
#define HOP_OVERLAY_H

#include <sys/stat.h>

/* The xattrs overlayfs keeps in its upper dir (and user.overlay.* when it
 * is mounted with userxattr): bookkeeping of this overlay, not content. */
#define OVERLAY_XATTR_PREFIX	  "trusted.overlay."
#define OVERLAY_USER_XATTR_PREFIX "user.overlay."
#define OVERLAY_XATTR_OPAQUE	  "trusted.overlay.opaque"

/* The dirs of one mount, as the options lowerdir=, upperdir=, workdir=. */
struct overlay_dirs {
	const char *lower; /* "L1:L2:...": the first is the top-most */
	const char *upper;
	const char *work; /* empty, on the same mount as upper */
	const char *merged;
};

/* Is path a directory? If not, fail naming it as what ("upper dir"). */
int overlay_check_dir(const char *what, const char *path);
/* Refuse what the kernel would misread (a ',' or '\' in a path, ':' within
 * a lower dir's name, an empty lower) and check that every dir is one. */
int overlay_check(const struct overlay_dirs *dirs);
/* Mount the overlay: mount(2) with the same data string as
 * "mount -t overlay overlay -o lowerdir=...,upperdir=...,workdir=...". */
int overlay_mount(const struct overlay_dirs *dirs);

/* Why the kernel said EINVAL to a mount: it tells only its log (dmesg). */
enum overlay_cause {
	OVERLAY_CAUSE_UNKNOWN,
	OVERLAY_CAUSE_WORK_ELSEWHERE,	/* work not on upper's mount */
	OVERLAY_CAUSE_UPPER_ON_OVERLAY, /* an upper dir cannot be on overlay */
	OVERLAY_CAUSE_NESTED,		/* upper inside work or the reverse */
};
enum overlay_cause overlay_cause(const struct overlay_dirs *dirs);

/* What an entry of an upper dir is. */
enum overlay_kind {
	OVERLAY_UPPER,	  /* a file, dir or link: new, or copied up */
	OVERLAY_WHITEOUT, /* char 0/0: the name is deleted */
	OVERLAY_OPAQUE,	  /* a dir that hides the lower dirs' one */
};

struct overlay_entry {
	const char *path; /* relative to the upper dir; a dir's ends in '/' */
	const char *full; /* the path to open: the upper dir's, then path */
	const struct stat *st; /* lstat() */
	enum overlay_kind kind;
};

/* Call visit for every entry below upper, in a stable order (bytewise by
 * name, a dir before what it holds); stops at the first visit < 0. */
typedef int (*overlay_visit)(const struct overlay_entry *entry, void *arg);
int overlay_walk(const char *upper, overlay_visit visit, void *arg);

/* Write the upper dir as an uncompressed OCI layer (pax tar) to layer,
 * through layer.tmp renamed into place (removed on failure), and put its
 * digest, the diff_id, "sha256:<hex>", into digest (DIGEST_MAX bytes). */
int overlay_diff(const char *upper, const char *layer, char *digest);

/* Apply a tar layer to dir with layer.h's unpack (whiteouts honoured). */
int overlay_apply(const char *layer, const char *dir);

#endif
