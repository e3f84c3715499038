/* diff.c - an overlay's upper dir written as an OCI layer, and a layer
 * applied to a dir: the two halves of `docker commit` and `docker pull`.
 *
 * The layer is a pax tar written by libarchive and hashed (libcrypto,
 * digest.h) as it is written, so that its digest is the diff_id an image
 * config lists. The upper dir is walked by overlay_walk() (overlay.c).
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "06-layers/digest.h"
#include "06-layers/layer.h"
#include "06-layers/overlay.h"
#include "lib/hop.h"

/* The layer as it is written: libarchive's pax writer, hashed on the way. */
struct diff {
	struct archive *archive;
	struct archive_entry_linkresolver *links; /* hardlinks in upper */
	struct digest_hash hash;
	struct stat tmp; /* LAYER.tmp: never a part of the layer */
	int fd;
	const char *upper, *layer;
	char names[XATTR_LIST_MAX];
	char buffer[XATTR_SIZE_MAX]; /* a file's bytes, an xattr's value */
};

/* A short write to a regular file means the disk is full. */
static la_ssize_t diff_write(struct archive *archive, void *arg,
			     const void *data, size_t size)
{
	struct diff *d = arg;
	ssize_t n = write(d->fd, data, size);

	if (n != (ssize_t)size) {
		errno = n < 0 ? errno : ENOSPC;
		archive_set_error(archive, errno, "%s", strerror(errno));
		return -1;
	}
	if (digest_hash_update(&d->hash, data, size) < 0) {
		archive_set_error(archive, EIO, "%s", hop_context());
		return -1;
	}
	return (la_ssize_t)size;
}

static int archive_fail(struct diff *d, const char *path)
{
	errno = archive_errno(d->archive) > 0 ? archive_errno(d->archive) : 0;
	return hop_fail_library(_("write %s into %s: %s"), path, d->layer,
				archive_error_string(d->archive));
}

/* The xattrs of path, but overlayfs's own: they describe this overlay. */
static int add_xattrs(struct diff *d, struct archive_entry *entry,
		      const char *path)
{
	ssize_t size = llistxattr(path, d->names, sizeof(d->names)), n;

	if (size < 0 && errno != ENOTSUP)
		return hop_fail(_("list the xattrs of %s"), path);
	for (char *name = d->names; name < d->names + size;
	     name += strlen(name) + 1) {
		if (!strncmp(name, OVERLAY_XATTR_PREFIX,
			     strlen(OVERLAY_XATTR_PREFIX)) ||
		    !strncmp(name, OVERLAY_USER_XATTR_PREFIX,
			     strlen(OVERLAY_USER_XATTR_PREFIX)))
			continue;
		n = lgetxattr(path, name, d->buffer, sizeof(d->buffer));
		if (n < 0)
			return hop_fail(_("read the xattr %s of %s"), name,
					path);
		archive_entry_xattr_add_entry(entry, name, d->buffer,
					      (size_t)n);
	}
	return 0;
}

/* What sets one kind of entry apart: a file's size (none for a second
 * name of a file seen before: a hardlink to the first, found by
 * libarchive's resolver), a symlink's target, a device's numbers. */
static int describe(struct diff *d, struct archive_entry *entry,
		    const struct overlay_entry *e)
{
	const struct stat *st = e->st;
	struct archive_entry *spare = NULL;
	char target[PATH_MAX];
	ssize_t n;

	if (S_ISREG(st->st_mode)) {
		archive_entry_set_size(entry, st->st_size);
		archive_entry_set_dev(entry, st->st_dev);
		archive_entry_set_ino64(entry, (la_int64_t)st->st_ino);
		archive_entry_set_nlink(entry, st->st_nlink);
		if (st->st_nlink > 1)
			archive_entry_linkify(d->links, &entry, &spare);
	} else if (S_ISLNK(st->st_mode)) {
		n = readlink(e->full, target, sizeof(target) - 1);
		if (n < 0)
			return hop_fail(_("readlink %s"), e->full);
		target[n] = '\0';
		archive_entry_copy_symlink(entry, target);
	} else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
		archive_entry_set_rdev(entry, st->st_rdev);
	}
	return add_xattrs(d, entry, e->full);
}

static int put_content(struct diff *d, const char *path, const char *full)
{
	int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), rc = 0;
	ssize_t n;

	if (fd < 0)
		return hop_fail(_("open %s"), full);
	while (rc == 0 && (n = read(fd, d->buffer, sizeof(d->buffer))) != 0) {
		if (n < 0)
			rc = hop_fail(_("read %s"), full);
		else if (archive_write_data(d->archive, d->buffer, (size_t)n) <
			 0)
			rc = archive_fail(d, path);
	}
	close(fd);
	return rc;
}

/* An entry at path with e's owner (by number: names are the host's) and
 * mtime; no atime or ctime, which reading changes: one upper dir gives one
 * layer, to the byte. mode other than e's: an empty marker file. */
static int put_entry(struct diff *d, const char *path, mode_t mode,
		     const struct overlay_entry *e)
{
	struct archive_entry *entry = archive_entry_new();
	int rc = 0;

	if (!entry)
		return hop_fail(_("add %s"), path);
	archive_entry_set_pathname(entry, path);
	archive_entry_set_mode(entry, mode);
	archive_entry_set_uid(entry, e->st->st_uid);
	archive_entry_set_gid(entry, e->st->st_gid);
	archive_entry_set_mtime(entry, e->st->st_mtim.tv_sec,
				e->st->st_mtim.tv_nsec);
	if (mode == e->st->st_mode)
		rc = describe(d, entry, e);
	if (rc == 0 && archive_write_header(d->archive, entry) != ARCHIVE_OK)
		rc = archive_fail(d, path);
	if (rc == 0 && archive_entry_size(entry) > 0)
		rc = put_content(d, path, e->full);
	archive_entry_free(entry);
	return rc;
}

/* A whiteout (char 0/0) becomes an empty ".wh.NAME" (mode 0600, as Docker
 * writes it); an opaque dir is followed by ".wh..wh..opq" (with the dir's
 * permissions). */
static int diff_visit(const struct overlay_entry *e, void *arg)
{
	char path[PATH_MAX + sizeof(LAYER_WHITEOUT_OPAQUE)];
	const char *base = strrchr(e->path, '/');
	struct diff *d = arg;

	if (e->st->st_dev == d->tmp.st_dev && e->st->st_ino == d->tmp.st_ino)
		return hop_refuse(_("%s is inside %s: the layer would hold "
				    "itself"),
				  d->layer, d->upper);
	if (S_ISSOCK(e->st->st_mode)) {
		hop_step(_("leave out %s: a tar cannot hold a socket"),
			 e->path);
		return 0;
	}
	if (e->kind == OVERLAY_WHITEOUT) {
		base = base ? base + 1 : e->path;
		snprintf(path, sizeof(path), "%.*s%s%s", (int)(base - e->path),
			 e->path, LAYER_WHITEOUT_PREFIX, base);
		hop_step(_("%s: a whiteout becomes %s"), e->path, path);
		return put_entry(d, path, S_IFREG | 0600, e);
	}
	if (put_entry(d, e->path, e->st->st_mode, e) < 0)
		return -1;
	if (e->kind != OVERLAY_OPAQUE)
		return 0;
	snprintf(path, sizeof(path), "%s%s", e->path, LAYER_WHITEOUT_OPAQUE);
	hop_step(_("%s: an opaque dir is followed by %s"), e->path, path);
	return put_entry(d, path, S_IFREG | (e->st->st_mode & 0777), e);
}

static int diff_start(struct diff *d, const char *tmp)
{
	d->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	hop_explain(d->fd,
		    "openat(AT_FDCWD, \"%s\", O_WRONLY|O_CREAT|O_EXCL, "
		    "0644)",
		    tmp);
	if (d->fd < 0)
		return hop_fail(_("create %s"), tmp);
	if (fstat(d->fd, &d->tmp) < 0)
		return hop_fail(_("stat %s"), tmp);
	if (digest_hash_start(&d->hash, NULL) < 0)
		return -1;
	d->links = archive_entry_linkresolver_new();
	d->archive = archive_write_new();
	errno = ENOMEM;
	if (!d->links || !d->archive)
		return hop_fail(_("start %s"), tmp);
	archive_entry_linkresolver_set_strategy(
		d->links, ARCHIVE_FORMAT_TAR_PAX_RESTRICTED);
	/* ustar headers, and pax ones only where ustar falls short (long
	 * names, xattrs); no padding after the end-of-archive blocks. */
	if (archive_write_set_format_pax_restricted(d->archive) ||
	    archive_write_set_bytes_in_last_block(d->archive, 1) ||
	    archive_write_open2(d->archive, d, NULL, diff_write, NULL, NULL))
		return archive_fail(d, tmp);
	return 0;
}

/* Flush, and free what diff_start() made; -1 if anything was lost. The fd
 * is closed, but d->fd kept: it says that LAYER.tmp was made. */
static int diff_end(struct diff *d, int rc, const char *tmp)
{
	int saved;

	if (rc == 0 && archive_write_close(d->archive) != ARCHIVE_OK)
		rc = archive_fail(d, _("the end of the archive"));
	if (rc == 0 && fsync(d->fd) < 0)
		rc = hop_fail(_("write %s"), tmp);
	saved = errno;
	/* Before the fd is closed: after a failure, it writes the end of
	 * the archive into LAYER.tmp, which goes. */
	if (d->archive)
		archive_write_free(d->archive);
	if (d->links)
		archive_entry_linkresolver_free(d->links);
	if (d->fd >= 0 && close(d->fd) < 0 && rc == 0) {
		rc = hop_fail(_("write %s"), tmp);
		saved = errno;
	}
	errno = saved;
	return rc;
}

int overlay_diff(const char *upper, const char *layer, char *digest)
{
	struct diff *d;
	char tmp[PATH_MAX];
	int rc, saved;

	errno = ENAMETOOLONG;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", layer) >= (int)sizeof(tmp))
		return hop_fail(_("layer %s"), layer);
	if (overlay_check_dir(_("upper dir"), upper) < 0)
		return -1;
	d = calloc(1, sizeof(*d));
	if (!d)
		return hop_fail(_("layer %s"), layer);
	*d = (struct diff){ .fd = -1, .upper = upper, .layer = layer };
	rc = diff_start(d, tmp);
	if (rc == 0)
		rc = overlay_walk(upper, diff_visit, d);
	rc = diff_end(d, rc, tmp);
	if (rc == 0)
		rc = digest_hash_finish(&d->hash, digest);
	digest_hash_drop(&d->hash);
	if (rc == 0) {
		rc = rename(tmp, layer);
		hop_explain(rc, "rename(\"%s\", \"%s\")", tmp, layer);
		if (rc < 0)
			hop_fail(_("rename %s to %s"), tmp, layer);
	}
	saved = errno;
	if (rc < 0 && d->fd >= 0)
		hop_explain(unlink(tmp), "unlink(\"%s\")", tmp);
	errno = saved;
	free(d);
	return rc;
}

int overlay_apply(const char *layer, const char *dir)
{
	const struct layer_desc bare = { .size = -1 }; /* nothing to check */
	struct unpack *unpack;
	int rootfd, blobfd, rc = -1;

	rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	hop_explain(rootfd, "openat(AT_FDCWD, \"%s\", O_RDONLY|O_DIRECTORY)",
		    dir);
	if (rootfd < 0)
		return hop_fail(_("open %s"), dir);
	blobfd = open(layer, O_RDONLY | O_CLOEXEC);
	hop_explain(blobfd, "openat(AT_FDCWD, \"%s\", O_RDONLY)", layer);
	if (blobfd < 0) {
		rc = hop_fail(_("open %s"), layer);
		close(rootfd);
		return rc;
	}
	unpack = unpack_begin(rootfd);
	if (unpack && unpack_layer(unpack, blobfd, &bare) < 0)
		unpack_abort(unpack);
	else if (unpack)
		rc = unpack_finish(unpack);
	if (rc < 0)
		hop_wrap(_("apply %s to %s"), layer, dir);
	close(blobfd);
	close(rootfd);
	return rc;
}
