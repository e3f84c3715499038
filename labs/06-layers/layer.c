/* layer.c - apply OCI layers to a root directory, verified and confined.
 *
 * Two libarchive readers are chained so that one pass over the blob does
 * everything: the outer one reads the blob (hashing and counting the bytes
 * as they come from the file) and decompresses it as a raw stream; the
 * inner one reads tar entries from that stream (hashing the uncompressed
 * bytes for the diff_id). Nothing is held whole in memory.
 *
 * Each entry is made with *at() calls from a directory fd that openat2()
 * resolved beneath the root with no symlink followed, so nothing outside
 * the root can be reached, whatever the names and links in the layer say.
 */
#include "06-layers/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <search.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "06-layers/digest.h"
#include "lib/hop.h"

#define BLOCK ((size_t)128 * 1024)

/* A directory whose times are set at the very end. */
struct dir_time {
	char *path;
	struct timespec times[2];
};

struct unpack {
	int rootfd;
	const char *layer; /* the digest, for messages */
	void *made;	   /* tsearch tree: paths this layer made */
	struct dir_time *dirs;
	size_t ndirs, dirs_size;
	const volatile sig_atomic_t *stop; /* set by a signal: give up */
	/* the stream of the layer being applied */
	int blobfd;
	const struct layer_source *source; /* instead of blobfd, if set */
	int64_t blob_bytes, want_size;
	struct digest_hash blob_hash, tar_hash;
	struct archive *outer, *inner;
	unsigned char block[BLOCK];
};

struct unpack *unpack_begin(int rootfd)
{
	struct unpack *unpack = calloc(1, sizeof(*unpack));

	if (!unpack) {
		hop_fail("unpack");
		return NULL;
	}
	unpack->rootfd = rootfd;
	unpack->blobfd = -1;
	return unpack;
}

void unpack_stop_when(struct unpack *unpack, const volatile sig_atomic_t *flag)
{
	unpack->stop = flag;
}

/* ---- refusing and resolving names --------------------------------------- */

static int refuse_entry(struct unpack *unpack, const char *name,
			const char *why)
{
	return hop_refuse(_("layer %s: entry '%s': %s; refused"), unpack->layer,
			  name, why);
}

/* Copy a name from the tar into out as a clean relative path: no "." or
 * empty components, no trailing "/"; the root becomes "". An absolute path
 * or a ".." component is not rewritten: the reason to refuse it is
 * returned (NULL if the name is clean). */
static const char *clean_name(const char *name, char *out, size_t size)
{
	const char *p = name;
	size_t used = 0;

	out[0] = '\0';
	if (name[0] == '/')
		return _("an absolute path");
	while (*p) {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			return _("\"..\" in the path");
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (used + len + 2 > size)
				return _("a name too long");
			if (used)
				out[used++] = '/';
			memcpy(out + used, p, len);
			used += len;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	out[used] = '\0';
	return NULL;
}

static int openat2_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* Open the directory dir (a clean path, "" for the root) beneath the root,
 * one component at a time, making the ones that are missing (mode 0755, as
 * tar does) when make is set. A symlink on the way is refused by name. */
static int open_dir(struct unpack *unpack, const char *entry, const char *dir,
		    int make)
{
	char part[PATH_MAX];
	const char *p = dir;
	int fd = openat2_beneath(unpack->rootfd, ".", O_DIRECTORY);

	while (fd >= 0 && *p) {
		size_t len = strcspn(p, "/");
		int next;

		snprintf(part, sizeof(part), "%.*s", (int)len, p);
		next = openat2_beneath(fd, part, O_DIRECTORY);
		if (next < 0 && errno == ENOENT && make &&
		    mkdirat(fd, part, 0755) == 0)
			next = openat2_beneath(fd, part, O_DIRECTORY);
		if (next < 0) {
			int error = errno;

			close(fd);
			snprintf(part, sizeof(part), "%.*s",
				 (int)(p - dir + len), dir);
			if (error == ELOOP)
				return refuse_entry(
					unpack, entry,
					_("the path goes through a symlink"));
			if (error == ENOTDIR)
				return refuse_entry(
					unpack, entry,
					_("the path goes through a file"));
			errno = error;
			return hop_fail(_("layer %s: entry '%s': open %s"),
					unpack->layer, entry, part);
		}
		close(fd);
		fd = next;
		p += len;
		if (*p == '/')
			p++;
	}
	if (fd < 0)
		return hop_fail(_("layer %s: open the root"), unpack->layer);
	return fd;
}

/* Split a clean path into its directory (in dir) and its last name. */
static const char *split_name(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (!slash) {
		dir[0] = '\0';
		return path;
	}
	snprintf(dir, size, "%.*s", (int)(slash - path), path);
	return slash + 1;
}

/* ---- removing what a layer replaces or whites out ----------------------- */

int layer_remove_tree(int dirfd, const char *name)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd, status = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0);
	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -1;
	}
	while (status == 0 && (d = readdir(dir))) {
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			status = layer_remove_tree(fd, d->d_name);
	}
	closedir(dir);
	if (status == 0)
		status = unlinkat(dirfd, name, AT_REMOVEDIR);
	return status;
}

static int made_compare(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Record path as made by this layer, and its parent directories (made
 * or gone through): an opaque marker that comes after them must keep
 * them. A parent already recorded has its own parents recorded too. */
static int made_add(struct unpack *unpack, const char *path)
{
	size_t length = strlen(path);

	for (;;) {
		char *copy = strndup(path, length), **found;

		if (!copy)
			return hop_fail("unpack");
		found = tsearch(copy, &unpack->made, made_compare);
		if (!found)
			return free(copy), hop_fail("unpack");
		if (*found != copy) {
			free(copy);
			if (length < strlen(path))
				return 0;
		}
		while (length > 0 && path[length - 1] != '/')
			length--;
		if (length-- == 0)
			return 0;
	}
}

static int made_has(struct unpack *unpack, const char *path)
{
	return tfind(path, &unpack->made, made_compare) != NULL;
}

/* Beneath the directory fd (the clean path dir), remove all that this
 * layer did not make; go down into the directories it made, or went
 * through, to do the same there. */
static int clear_unmade(struct unpack *unpack, int fd, const char *dir)
{
	char child[PATH_MAX + NAME_MAX + 2];
	struct dirent *d;
	DIR *stream = fdopendir(fd);
	int status = 0;

	if (!stream)
		return close(fd), -1;
	while (status == 0 && (d = readdir(stream))) {
		int sub;

		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s%s%s", dir, *dir ? "/" : "",
			 d->d_name);
		if (!made_has(unpack, child)) {
			status = layer_remove_tree(fd, d->d_name);
			hop_explain(status, "unlinkat(\"%s\") (opaque)", child);
			continue;
		}
		sub = openat(fd, d->d_name,
			     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0)
			status = clear_unmade(unpack, sub, child);
	}
	closedir(stream);
	return status;
}

/* ".wh..wh..opq" in dir: what the layers below put in dir is hidden, so
 * remove every thing in it that this layer did not make itself. */
static int apply_opaque(struct unpack *unpack, const char *entry,
			const char *dir)
{
	int fd = open_dir(unpack, entry, dir, 1);

	if (fd < 0)
		return -1;
	if (clear_unmade(unpack, fd, dir) < 0)
		return hop_fail(_("layer %s: entry '%s': clear %s"),
				unpack->layer, entry, *dir ? dir : "/");
	return made_add(unpack, dir);
}

/* ".wh.NAME" in dir: remove NAME (and all beneath it). */
static int apply_whiteout(struct unpack *unpack, const char *entry,
			  const char *dir, const char *base)
{
	const char *target = base + strlen(LAYER_WHITEOUT_PREFIX);
	char path[PATH_MAX + NAME_MAX + 2];
	int fd, status;

	if (strcmp(base, LAYER_WHITEOUT_OPAQUE) == 0)
		return apply_opaque(unpack, entry, dir);
	if (strncmp(target, LAYER_WHITEOUT_PREFIX,
		    strlen(LAYER_WHITEOUT_PREFIX)) == 0)
		return refuse_entry(
			unpack, entry,
			_("a whiteout of a kind OCI does not define"));
	if (!*target || strcmp(target, ".") == 0 || strcmp(target, "..") == 0)
		return refuse_entry(unpack, entry, _("a whiteout of no name"));
	/* A whiteout hides what the layers below made, never what its own
	 * layer made (layer.md). */
	snprintf(path, sizeof(path), "%s%s%s", dir, *dir ? "/" : "", target);
	if (made_has(unpack, path))
		return 0;
	fd = open_dir(unpack, entry, dir, 0);
	if (fd < 0)
		return hop_refused() || errno != ENOENT ? -1 : 0;
	status = layer_remove_tree(fd, target);
	hop_explain(status, "unlinkat(\"%s%s%s\") (whiteout)", dir,
		    *dir ? "/" : "", target);
	close(fd);
	if (status < 0)
		return hop_fail(_("layer %s: entry '%s': remove %s"),
				unpack->layer, entry, target);
	return 0;
}

/* ---- making entries ------------------------------------------------------ */

/* Owner, mode, extended attributes and times of what fd (or, when fd is
 * -1, name in dirfd: a device, a FIFO, a symlink) now is. The owner goes
 * first: chown clears the setuid and setgid bits. */
static int apply_metadata(struct unpack *unpack, struct archive_entry *e,
			  int dirfd, const char *name, int fd)
{
	mode_t mode = archive_entry_perm(e);
	struct timespec times[2] = {
		{ archive_entry_atime(e), archive_entry_atime_nsec(e) },
		{ archive_entry_mtime(e), archive_entry_mtime_nsec(e) },
	};
	int is_link = archive_entry_filetype(e) == AE_IFLNK;
	const char *xname;
	const void *value;
	size_t size;
	int status;

	if (!archive_entry_atime_is_set(e))
		times[0] = times[1];
	status = fd >= 0 ? fchown(fd, (uid_t)archive_entry_uid(e),
				  (gid_t)archive_entry_gid(e)) :
			   fchownat(dirfd, name, (uid_t)archive_entry_uid(e),
				    (gid_t)archive_entry_gid(e),
				    AT_SYMLINK_NOFOLLOW);
	if (status == 0 && !is_link)
		status = fd >= 0 ? fchmod(fd, mode) :
				   fchmodat(dirfd, name, mode, 0);
	archive_entry_xattr_reset(e);
	while (status == 0 && fd >= 0 &&
	       archive_entry_xattr_next(e, &xname, &value, &size) == ARCHIVE_OK)
		status = fsetxattr(fd, xname, value, size, 0);
	if (status == 0 && archive_entry_filetype(e) != AE_IFDIR)
		status = fd >= 0 ? futimens(fd, times) :
				   utimensat(dirfd, name, times,
					     AT_SYMLINK_NOFOLLOW);
	if (status < 0)
		return hop_fail(
			_("layer %s: entry '%s': set owner, mode and times"),
			unpack->layer, archive_entry_pathname(e));
	return 0;
}

/* Remember a directory's times, to set when every layer is applied. */
static int remember_dir(struct unpack *unpack, const char *path,
			struct archive_entry *e)
{
	struct dir_time *d;

	if (unpack->ndirs == unpack->dirs_size) {
		size_t size = unpack->dirs_size ? 2 * unpack->dirs_size : 64;
		void *dirs = realloc(unpack->dirs, size * sizeof(*d));

		if (!dirs)
			return hop_fail("unpack");
		unpack->dirs = dirs;
		unpack->dirs_size = size;
	}
	d = &unpack->dirs[unpack->ndirs];
	d->path = strdup(path);
	if (!d->path)
		return hop_fail("unpack");
	d->times[1].tv_sec = archive_entry_mtime(e);
	d->times[1].tv_nsec = archive_entry_mtime_nsec(e);
	d->times[0] = d->times[1];
	if (archive_entry_atime_is_set(e)) {
		d->times[0].tv_sec = archive_entry_atime(e);
		d->times[0].tv_nsec = archive_entry_atime_nsec(e);
	}
	unpack->ndirs++;
	return 0;
}

/* A hard link: its target is another entry's name, so it is checked and
 * resolved the same way, and must already be in the root. */
static int make_hardlink(struct unpack *unpack, struct archive_entry *e,
			 int dirfd, const char *base)
{
	char target[PATH_MAX], tdir[PATH_MAX];
	const char *why =
		clean_name(archive_entry_hardlink(e), target, sizeof(target));
	const char *tbase;
	int tfd, status;

	if (why || !*target)
		return hop_refuse(
			_("layer %s: entry '%s': a hard link to '%s': %s; refused"),
			unpack->layer, archive_entry_pathname(e),
			archive_entry_hardlink(e), why ? why : _("the root"));
	tbase = split_name(target, tdir, sizeof(tdir));
	tfd = open_dir(unpack, archive_entry_pathname(e), tdir, 0);
	if (tfd < 0)
		return -1;
	status = linkat(tfd, tbase, dirfd, base, 0);
	hop_explain(status, "linkat(\"%s\", \"%s\")", target, base);
	close(tfd);
	if (status < 0)
		return hop_fail(_("layer %s: entry '%s': link to %s"),
				unpack->layer, archive_entry_pathname(e),
				target);
	return 0;
}

/* A file: its data is copied from the stream as it is decompressed. */
static int make_file(struct unpack *unpack, struct archive_entry *e, int dirfd,
		     const char *base)
{
	int fd = openat(dirfd, base,
			O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			0600);
	int status;

	hop_explain(fd, "openat(\"%s\", O_CREAT|O_EXCL|O_NOFOLLOW)",
		    archive_entry_pathname(e));
	if (fd < 0)
		return hop_fail(_("layer %s: entry '%s': create"),
				unpack->layer, archive_entry_pathname(e));
	if (archive_read_data_into_fd(unpack->inner, fd) != ARCHIVE_OK) {
		close(fd);
		return hop_fail_library(_("layer %s: entry '%s': %s"),
					unpack->layer,
					archive_entry_pathname(e),
					archive_error_string(unpack->inner));
	}
	status = apply_metadata(unpack, e, dirfd, base, fd);
	close(fd);
	return status;
}

/* A directory: made if missing (an existing one is kept, with its
 * contents), its metadata set now and its times at the end. */
static int make_dir(struct unpack *unpack, struct archive_entry *e, int dirfd,
		    const char *base, const char *path)
{
	int fd, status;

	if (*base) {
		status = mkdirat(dirfd, base, 0700);
		hop_explain(status, "mkdirat(\"%s\")", path);
		if (status < 0 && errno != EEXIST)
			return hop_fail(_("layer %s: entry '%s': mkdir"),
					unpack->layer,
					archive_entry_pathname(e));
	}
	fd = openat(dirfd, *base ? base : ".",
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return hop_fail(_("layer %s: entry '%s': open"), unpack->layer,
				archive_entry_pathname(e));
	status = apply_metadata(unpack, e, dirfd, base, fd);
	close(fd);
	if (status == 0)
		status = remember_dir(unpack, path, e);
	return status;
}

/* A symlink, a device or a FIFO: made with one call, then its metadata. */
static int make_special(struct unpack *unpack, struct archive_entry *e,
			int dirfd, const char *base)
{
	mode_t type = archive_entry_filetype(e);
	int status;

	if (type == AE_IFLNK) {
		const char *target = archive_entry_symlink(e);

		status = symlinkat(target ? target : "", dirfd, base);
		hop_explain(status, "symlinkat(\"%s\", \"%s\")", target,
			    archive_entry_pathname(e));
	} else if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO) {
		status = mknodat(dirfd, base, type | 0600,
				 archive_entry_rdev(e));
		hop_explain(status, "mknodat(\"%s\")",
			    archive_entry_pathname(e));
	} else {
		return refuse_entry(unpack, archive_entry_pathname(e),
				    _("a file type tar layers do not hold"));
	}
	if (status < 0)
		return hop_fail(_("layer %s: entry '%s': create"),
				unpack->layer, archive_entry_pathname(e));
	return apply_metadata(unpack, e, dirfd, base, -1);
}

/* Make what the entry describes at base in dirfd, in place of what was
 * there (a directory over a directory keeps the old one's contents). */
static int make_entry(struct unpack *unpack, struct archive_entry *e, int dirfd,
		      const char *base, const char *path)
{
	int is_dir = archive_entry_filetype(e) == AE_IFDIR &&
		     !archive_entry_hardlink(e);
	struct stat st;

	if (*base && fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    !(is_dir && S_ISDIR(st.st_mode)) &&
	    layer_remove_tree(dirfd, base) < 0)
		return hop_fail(_("layer %s: entry '%s': replace"),
				unpack->layer, archive_entry_pathname(e));
	if (is_dir)
		return make_dir(unpack, e, dirfd, base, path);
	if (archive_entry_hardlink(e))
		return make_hardlink(unpack, e, dirfd, base);
	if (archive_entry_filetype(e) == AE_IFREG)
		return make_file(unpack, e, dirfd, base);
	return make_special(unpack, e, dirfd, base);
}

/* One tar entry: a whiteout, the root, or something to make. */
static int apply_entry(struct unpack *unpack, struct archive_entry *e)
{
	const char *name = archive_entry_pathname(e);
	char path[PATH_MAX] = "", dir[PATH_MAX];
	const char *base, *why;
	int dirfd, status;

	if (!name || !*name)
		return refuse_entry(unpack, "", _("an empty name"));
	why = clean_name(name, path, sizeof(path));
	if (why)
		return refuse_entry(unpack, name, why);
	base = split_name(path, dir, sizeof(dir));
	if (strncmp(base, LAYER_WHITEOUT_PREFIX,
		    strlen(LAYER_WHITEOUT_PREFIX)) == 0)
		return apply_whiteout(unpack, name, dir, base);
	if (!*path && (archive_entry_filetype(e) != AE_IFDIR ||
		       archive_entry_hardlink(e)))
		return refuse_entry(
			unpack, name,
			_("the root made something other than a directory"));
	dirfd = open_dir(unpack, name, dir, 1);
	if (dirfd < 0)
		return -1;
	status = make_entry(unpack, e, dirfd, base, path);
	close(dirfd);
	if (status == 0)
		status = made_add(unpack, path);
	return status;
}

/* ---- the stream: blob -> (decompress) -> tar ----------------------------- */

/* The outer reader's source: the blob, hashed and counted as it is read.
 * Reading stops at the size the manifest gives, and one byte past it, so a
 * blob that is too long is caught without reading it all. */
static la_ssize_t read_blob(struct archive *a, void *data, const void **buf)
{
	struct unpack *unpack = data;
	size_t want = BLOCK;
	ssize_t n;

	if (unpack->want_size >= 0 &&
	    (int64_t)want > unpack->want_size + 1 - unpack->blob_bytes)
		want = (size_t)(unpack->want_size + 1 - unpack->blob_bytes);
	if (!want)
		n = 0;
	else if (unpack->source) {
		n = unpack->source->read(unpack->source->arg, unpack->block,
					 want);
		if (n < 0) { /* the source said why */
			archive_set_error(a, EIO, "%s", hop_context());
			return -1;
		}
	} else
		n = read(unpack->blobfd, unpack->block, want);
	if (unpack->stop && *unpack->stop) {
		archive_set_error(a, EINTR, "%s", _("interrupted"));
		return -1;
	}
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	if (n > 0 && unpack->blob_hash.ctx &&
	    digest_hash_update(&unpack->blob_hash, unpack->block, (size_t)n) <
		    0) {
		archive_set_error(a, EIO, "%s", hop_context());
		return -1;
	}
	unpack->blob_bytes += n;
	*buf = unpack->block;
	return n;
}

/* The inner reader's source: the decompressed stream, hashed. */
static la_ssize_t read_tar(struct archive *a, void *data, const void **buf)
{
	static unsigned char block[BLOCK];
	struct unpack *unpack = data;
	la_ssize_t n = archive_read_data(unpack->outer, block, sizeof(block));

	if (n < 0) {
		archive_set_error(a, archive_errno(unpack->outer), "%s",
				  archive_error_string(unpack->outer));
		return -1;
	}
	if (n > 0 &&
	    digest_hash_update(&unpack->tar_hash, block, (size_t)n) < 0) {
		archive_set_error(a, EIO, "%s", hop_context());
		return -1;
	}
	*buf = block;
	return n;
}

/* Is this a layer media type we know (OCI's and Docker's)? The
 * compression itself is read from the blob's first bytes, as containerd
 * does: gzip, zstd, or none. */
static int known_layer_type(const char *type)
{
	static const char *const known[] = {
		"application/vnd.oci.image.layer.v1.tar",
		"application/vnd.oci.image.layer.v1.tar+gzip",
		"application/vnd.oci.image.layer.v1.tar+zstd",
		"application/vnd.oci.image.layer.nondistributable.v1.tar",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
		"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
		"application/vnd.docker.image.rootfs.diff.tar",
		"application/vnd.docker.image.rootfs.diff.tar.gzip",
		"application/vnd.docker.image.rootfs.diff.tar.zstd",
		"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(type, known[i]) == 0)
			return 1;
	}
	return 0;
}

static int open_stream(struct unpack *unpack, const struct layer_desc *desc)
{
	unpack->outer = archive_read_new();
	unpack->inner = archive_read_new();
	if (!unpack->outer || !unpack->inner)
		return hop_fail("libarchive");
	archive_read_support_filter_gzip(unpack->outer);
	archive_read_support_filter_zstd(unpack->outer);
	archive_read_support_format_raw(unpack->outer);
	archive_read_support_format_tar(unpack->inner);
	if ((!desc->checked &&
	     digest_hash_start(&unpack->blob_hash, desc->digest) < 0) ||
	    digest_hash_start(&unpack->tar_hash, desc->diff_id) < 0)
		return -1;
	if (archive_read_open(unpack->outer, unpack, NULL, read_blob, NULL) !=
		    ARCHIVE_OK ||
	    archive_read_next_header(unpack->outer, &(struct archive_entry *){
							    0 }) != ARCHIVE_OK)
		return hop_fail_library(_("layer %s: %s"), unpack->layer,
					archive_error_string(unpack->outer));
	if (archive_read_open(unpack->inner, unpack, NULL, read_tar, NULL) !=
	    ARCHIVE_OK)
		return hop_fail_library(_("layer %s: %s"), unpack->layer,
					archive_error_string(unpack->inner));
	return 0;
}

static void close_stream(struct unpack *unpack)
{
	if (unpack->inner)
		archive_read_free(unpack->inner);
	if (unpack->outer)
		archive_read_free(unpack->outer);
	unpack->inner = unpack->outer = NULL;
	if (unpack->blob_hash.ctx)
		digest_hash_drop(&unpack->blob_hash);
	if (unpack->tar_hash.ctx)
		digest_hash_drop(&unpack->tar_hash);
	tdestroy(unpack->made, free);
	unpack->made = NULL;
}

/* Every entry of the tar, then the rest of both streams (the tar's end
 * padding counts in the diff_id; the blob's last bytes in its digest). */
static int apply_entries(struct unpack *unpack, long *count)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(unpack->inner, &e)) ==
		       ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		if (unpack->stop && *unpack->stop) {
			errno = EINTR;
			return hop_fail(_("layer %s"), unpack->layer);
		}
		if (apply_entry(unpack, e) < 0)
			return -1;
		(*count)++;
	}
	if (r != ARCHIVE_EOF)
		return hop_fail_library(_("layer %s: %s"), unpack->layer,
					archive_error_string(unpack->inner));
	while ((r = (int)read_tar(unpack->inner, unpack,
				  &(const void *){ NULL })) > 0)
		;
	if (r < 0)
		return hop_fail_library(_("layer %s: %s"), unpack->layer,
					archive_error_string(unpack->inner));
	while ((r = (int)read_blob(unpack->outer, unpack,
				   &(const void *){ NULL })) > 0)
		;
	if (r < 0)
		return hop_fail_library(_("layer %s: %s"), unpack->layer,
					archive_error_string(unpack->outer));
	return 0;
}

/* Compare what was read with what the image says. */
static int check_stream(struct unpack *unpack, const struct layer_desc *desc)
{
	char blob[DIGEST_MAX], tar[DIGEST_MAX];

	blob[0] = '\0';
	if ((unpack->blob_hash.ctx &&
	     digest_hash_finish(&unpack->blob_hash, blob) < 0) ||
	    digest_hash_finish(&unpack->tar_hash, tar) < 0)
		return -1;
	if (desc->size >= 0 && unpack->blob_bytes > desc->size)
		return hop_refuse(
			_("blob %s: size mismatch: the manifest says %lld bytes, the blob has more"),
			unpack->layer, (long long)desc->size);
	if (desc->size >= 0 && unpack->blob_bytes < desc->size)
		return hop_refuse(
			_("blob %s: size mismatch: the manifest says %lld bytes, the blob has %lld"),
			unpack->layer, (long long)desc->size,
			(long long)unpack->blob_bytes);
	if (desc->digest && !desc->checked && strcmp(blob, desc->digest) != 0)
		return hop_refuse(
			_("blob %s: digest mismatch: its bytes hash to %s"),
			desc->digest, blob);
	if (desc->diff_id && strcmp(tar, desc->diff_id) != 0)
		return hop_refuse(
			_("layer %s: diff_id mismatch: the config says %s, the tar hashes to %s"),
			unpack->layer, desc->diff_id, tar);
	if (desc->digest && desc->diff_id)
		hop_step(_("layer %s: %lld bytes, digest and diff_id verified"),
			 unpack->layer, (long long)unpack->blob_bytes);
	else
		hop_step(_("layer %s: %lld bytes, no digest to verify"),
			 unpack->layer, (long long)unpack->blob_bytes);
	return 0;
}

int unpack_layer(struct unpack *unpack, int blobfd,
		 const struct layer_desc *desc)
{
	unpack->blobfd = blobfd;
	return unpack_layer_from(unpack, NULL, desc);
}

int unpack_layer_from(struct unpack *unpack, const struct layer_source *source,
		      const struct layer_desc *desc)
{
	long count = 0;
	int status;

	unpack->layer = desc->digest ? desc->digest : _("(no digest)");
	if (desc->media_type && !known_layer_type(desc->media_type))
		return hop_refuse(
			_("layer %s: media type '%s' is not a layer type we know"),
			unpack->layer, desc->media_type);
	unpack->source = source;
	unpack->blob_bytes = 0;
	unpack->want_size = desc->size;
	status = open_stream(unpack, desc);
	if (status == 0)
		status = apply_entries(unpack, &count);
	if (status < 0 && desc->size >= 0 && unpack->blob_bytes > desc->size)
		status = hop_refuse(
			_("blob %s: size mismatch: the manifest says %lld bytes, the blob has more"),
			unpack->layer, (long long)desc->size);
	if (status == 0)
		status = check_stream(unpack, desc);
	if (status == 0)
		hop_step(ngettext("layer %s: %ld entry applied",
				  "layer %s: %ld entries applied",
				  (unsigned long)count),
			 unpack->layer, count);
	close_stream(unpack);
	return status;
}

int unpack_finish(struct unpack *unpack)
{
	int status = 0;
	size_t i;

	/* In the order they were made: a directory that a later layer lists
	 * again gets that layer's times. */
	for (i = 0; i < unpack->ndirs; i++) {
		struct dir_time *d = &unpack->dirs[i];
		int fd = openat2_beneath(unpack->rootfd,
					 *d->path ? d->path : ".",
					 O_RDONLY | O_DIRECTORY);

		/* A later layer removed it, or put a file or a symlink there. */
		if (fd < 0 &&
		    (errno == ENOENT || errno == ENOTDIR || errno == ELOOP))
			continue;
		if (status == 0 && (fd < 0 || futimens(fd, d->times) < 0))
			status = hop_fail(_("set the times of %s"),
					  *d->path ? d->path : "/");
		if (fd >= 0)
			close(fd);
	}
	unpack_abort(unpack);
	return status;
}

void unpack_abort(struct unpack *unpack)
{
	size_t i;

	if (!unpack)
		return;
	close_stream(unpack);
	for (i = 0; i < unpack->ndirs; i++)
		free(unpack->dirs[i].path);
	free(unpack->dirs);
	free(unpack);
}
