/* container.c - an image unpacked once; a container is an overlay on it. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "06-layers/layer.h"
#include "06-layers/overlay.h"
#include "06-layers/tree.h"
#include "07-puller/container.h"
#include "lib/hop.h"

int container_check_id(const char *id)
{
	size_t i, n = strlen(id);

	for (i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') ||
		      (i > 0 && (c == '_' || c == '.' || c == '-'))))
			break;
	}
	if (n == 0 || n > 64 || i < n)
		return hop_refuse(_("container ID '%s': use letters, digits "
				    "and _.- (not first), at most 64"),
				  id);
	return 0;
}

static void snapshot_path(const struct store *store, const char *digest,
			  char *out, size_t size)
{
	snprintf(out, size, "%s/snapshots/%s", store->root,
		 strchr(digest, ':') ? strchr(digest, ':') + 1 : digest);
}

void snapshot_sweep(struct store *store, const char *hex)
{
	int fd = openat(store->fd, "snapshots",
			O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	size_t n = strlen(hex);
	struct dirent *e;

	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strncmp(e->d_name, hex, n) != 0 ||
		    strncmp(e->d_name + n, ".hop-", 5) != 0)
			continue;
		hop_step(_("removing %s, left by an unpack that was killed"),
			 e->d_name);
		if (layer_remove_tree(dirfd(dir), e->d_name) < 0)
			hop_warn_context();
	}
	closedir(dir);
}

int snapshot_make(struct store *store, const struct image *image,
		  const volatile sig_atomic_t *stop,
		  const struct snapshot_source *from)
{
	char path[2 * PATH_MAX];
	struct tree_options options = { .stop = stop,
					.blobs_checked = from != NULL };

	if (from) {
		options.source = from->source;
		options.source_arg = from->arg;
	}
	if (mkdirat(store->fd, "snapshots", 0700) < 0 && errno != EEXIST)
		return hop_fail(_("make %s/snapshots"), store->root);
	snapshot_path(store, image->manifest.digest, path, sizeof(path));
	if (access(path, F_OK) == 0) {
		hop_step(_("snapshot %s: already unpacked"), path);
		return 0;
	}
	hop_step(_("unpacking %zu layers into %s"), image->nlayers, path);
	return tree_make(store->fd, image, path, &options);
}

/* Is the snapshot named hex still an image's? */
static int named(const json_t *images, const char *hex)
{
	const json_t *entry;
	size_t i;

	json_array_foreach(images, i, entry)
	{
		const char *d =
			json_string_value(json_object_get(entry, "digest"));

		if (d && strchr(d, ':') && strcmp(strchr(d, ':') + 1, hex) == 0)
			return 1;
	}
	return 0;
}

int snapshot_gc(struct store *store)
{
	json_t *images = store_images(store);
	int fd = openat(store->fd, "snapshots",
			O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *dir;

	if (!images) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		if (fd >= 0)
			close(fd);
		json_decref(images);
		return errno == ENOENT ? 0 : hop_fail(_("read snapshots"));
	}
	while ((e = readdir(dir)) != NULL) {
		char digest[80], user[80];

		int leftover = strstr(e->d_name, ".hop-") != NULL;

		/* DIGEST.hop-XXXXXX is an unpack killed by SIGKILL: the store
		 * is locked, so no unpack is running now. */
		if (e->d_name[0] == '.' ||
		    (!leftover && named(images, e->d_name)))
			continue;
		snprintf(digest, sizeof(digest), "sha256:%.64s", e->d_name);
		if (!leftover &&
		    container_using(store, digest, user, sizeof(user)) == 0 &&
		    user[0])
			continue; /* its overlay still needs it */
		hop_step(_("removing the snapshot %s"), e->d_name);
		if (layer_remove_tree(dirfd(dir), e->d_name) < 0)
			hop_warn_context();
	}
	closedir(dir);
	json_decref(images);
	return 0;
}

/* Mount the container's overlay on ID/rootfs. */
static int mount_rootfs(struct store *store, const struct image *image,
			const char *id)
{
	char lower[2 * PATH_MAX], upper[2 * PATH_MAX], work[2 * PATH_MAX],
		merged[2 * PATH_MAX];
	struct overlay_dirs dirs = { lower, upper, work, merged };

	snapshot_path(store, image->manifest.digest, lower, sizeof(lower));
	snprintf(upper, sizeof(upper), "%s/containers/%s/upper", store->root,
		 id);
	snprintf(work, sizeof(work), "%s/containers/%s/work", store->root, id);
	snprintf(merged, sizeof(merged), "%s/containers/%s/rootfs", store->root,
		 id);
	if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0 ||
	    mkdir(merged, 0755) < 0)
		return hop_fail(_("make %s"), merged);
	if (overlay_check(&dirs) < 0)
		return -1;
	if (overlay_mount(&dirs) < 0)
		return overlay_cause(&dirs) == OVERLAY_CAUSE_UPPER_ON_OVERLAY ?
			       hop_set_hint(HOP_HINT_STORE_ON_OVERLAY) :
			       -1;
	return 0;
}

static int make_container(struct store *store, const struct image *image,
			  const char *name, const char *id,
			  const char *const *args)
{
	const char *annotations[] = { CONTAINER_IMAGE_NAME, name,
				      CONTAINER_IMAGE_MANIFEST,
				      image->manifest.digest, NULL };
	struct tree_options options = { .bundle = 1,
					.args = args,
					.annotations = annotations };
	char path[2 * PATH_MAX];
	int bundlefd, rootfd, rc = -1;

	if (mount_rootfs(store, image, id) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/containers/%s", store->root, id);
	bundlefd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rootfd = bundlefd < 0 ? -1 :
				openat(bundlefd, "rootfs",
				       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		hop_fail(_("open %s/rootfs"), path);
	else
		rc = tree_write_config(bundlefd, image, rootfd, &options);
	if (rootfd >= 0)
		close(rootfd);
	if (bundlefd >= 0)
		close(bundlefd);
	return rc;
}

int container_create(struct store *store, const char *name,
		     const char *platform, const char *id,
		     const char *const *args)
{
	struct image image;
	char dir[2 * PATH_MAX];
	int rc;

	if (container_check_id(id) < 0)
		return -1;
	if (image_load(store->fd, name, platform, &image) < 0)
		return hop_wrap(_("image %s"), name);
	snprintf(dir, sizeof(dir), "containers/%s", id);
	rc = snapshot_make(store, &image, NULL, NULL);
	if (rc == 0 && mkdirat(store->fd, dir, 0711) < 0) {
		rc = errno == EEXIST ?
			     hop_refuse(_("container %s already exists "
					  "(mini-ctr rm %s)"),
					id, id) :
			     hop_fail(_("make %s/%s"), store->root, dir);
		image_free(&image);
		return rc;
	}
	if (rc == 0 && make_container(store, &image, name, id, args) < 0) {
		/* Say why, not what the removal below may say. */
		enum hop_error_kind kind = hop_error_kind();
		enum hop_hint hint = hop_error_hint();
		char why[1024];
		int error = errno;

		snprintf(why, sizeof(why), "%s", hop_context());
		if (container_remove(store, id) < 0)
			hop_warn_context();
		rc = hop_record(kind, hint, error, "%s", why);
	}
	image_free(&image);
	return rc;
}

int container_remove(struct store *store, const char *id)
{
	char rootfs[2 * PATH_MAX + 100], dir[2 * PATH_MAX];
	int fd, rc;

	if (container_check_id(id) < 0)
		return -1;
	snprintf(dir, sizeof(dir), "%s/containers", store->root);
	snprintf(rootfs, sizeof(rootfs), "%s/%s/rootfs", dir, id);
	rc = umount2(rootfs, UMOUNT_NOFOLLOW);
	hop_explain(rc, "umount2(\"%s\", UMOUNT_NOFOLLOW)", rootfs);
	if (rc < 0 && errno != EINVAL && errno != ENOENT)
		return hop_fail(_("unmount %s"), rootfs);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hop_fail(_("open %s"), dir);
	rc = layer_remove_tree(fd, id);
	close(fd);
	return rc;
}

int container_annotation(struct store *store, const char *id, const char *key,
			 char *out, size_t size)
{
	char path[2 * PATH_MAX];
	json_t *config;
	const char *value;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/containers/%s/config.json",
		 store->root, id);
	config = json_load_file(path, 0, NULL);
	if (!config)
		return -1;
	value = json_string_value(
		json_object_get(json_object_get(config, "annotations"), key));
	snprintf(out, size, "%s", value ? value : "");
	json_decref(config);
	return 0;
}

int container_using(struct store *store, const char *digest, char *id,
		    size_t size)
{
	int fd = openat(store->fd, "containers",
			O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;

	id[0] = '\0';
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((e = readdir(dir)) != NULL) {
		char have[DIGEST_MAX];

		if (e->d_name[0] == '.')
			continue;
		if (container_annotation(store, e->d_name,
					 CONTAINER_IMAGE_MANIFEST, have,
					 sizeof(have)) == 0 &&
		    strcmp(have, digest) == 0) {
			snprintf(id, size, "%s", e->d_name);
			break;
		}
	}
	closedir(dir);
	return 0;
}
