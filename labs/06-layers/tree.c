/* tree.c - a root filesystem or a bundle from an image, all or nothing.
 *
 * The layers are applied in a fresh directory beside DEST; only when all
 * of them are there (and config.json, for a bundle) is it renamed to DEST
 * with renameat2(RENAME_NOREPLACE), so DEST is never half made, and a
 * DEST that appeared meanwhile is not replaced.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "06-layers/bundle.h"
#include "06-layers/layer.h"
#include "06-layers/tree.h"
#include "lib/hop.h"

/* Apply layer i: from the caller's source, or from the layout's blob. */
static int apply_one(struct unpack *unpack, int layoutfd,
		     const struct image *image, size_t i,
		     const struct tree_options *options)
{
	const struct image_layer *l = &image->layers[i];
	struct layer_desc desc = { l->blob.digest, l->diff_id,
				   l->blob.media_type, l->blob.size,
				   options->blobs_checked };
	const struct layer_source *source =
		options->source ? options->source(options->source_arg, i) :
				  NULL;
	int fd, rc;

	hop_step(_("layer %zu of %zu: %s"), i + 1, image->nlayers,
		 l->blob.digest);
	if (source)
		return unpack_layer_from(unpack, source, &desc);
	fd = layout_open_blob(layoutfd, l->blob.digest);
	if (fd < 0)
		return -1;
	rc = unpack_layer(unpack, fd, &desc);
	close(fd);
	return rc;
}

int tree_apply_layers(int layoutfd, const struct image *image, int rootfd,
		      const struct tree_options *options)
{
	struct unpack *unpack = unpack_begin(rootfd);
	size_t i;

	if (!unpack)
		return -1;
	if (options->stop)
		unpack_stop_when(unpack, options->stop);
	for (i = 0; i < image->nlayers; i++) {
		if (apply_one(unpack, layoutfd, image, i, options) < 0) {
			unpack_abort(unpack);
			return -1;
		}
	}
	return unpack_finish(unpack);
}

/* The image's config, with the caller's args and annotations. Args
 * replace the image's Entrypoint and Cmd, as ctr's do: they are set in a
 * copy of the image config, so an image with no command can be run with
 * one. */
static json_t *runtime_config(const struct image *image, int rootfd,
			      const struct tree_options *options)
{
	json_t *image_config = json_deep_copy(image->config_json);
	json_t *inner = json_object_get(image_config, "config");
	json_t *config;
	size_t i;

	if (!image_config) {
		hop_fail_library(_("image config: out of memory"));
		return NULL;
	}
	if (options->args && options->args[0]) {
		json_t *args = json_array();

		if (!inner) {
			inner = json_object();
			(void)json_object_set_new(image_config, "config",
						  inner);
		}
		for (i = 0; options->args[i]; i++)
			(void)json_array_append_new(
				args, json_string(options->args[i]));
		(void)json_object_set_new(inner, "Cmd", args);
		(void)json_object_del(inner, "Entrypoint");
	}
	config = bundle_config(image_config, rootfd);
	json_decref(image_config);
	if (config && options->annotations && options->annotations[0]) {
		json_t *notes = json_object();

		for (i = 0;
		     options->annotations[i] && options->annotations[i + 1];
		     i += 2)
			(void)json_object_set_new(
				notes, options->annotations[i],
				json_string(options->annotations[i + 1]));
		(void)json_object_set_new(config, "annotations", notes);
	}
	return config;
}

int tree_write_config(int bundlefd, const struct image *image, int rootfd,
		      const struct tree_options *options)
{
	json_t *config = runtime_config(image, rootfd, options);
	int fd, status;

	if (!config)
		return -1;
	fd = openat(bundlefd, "config.json",
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	status = fd < 0 ? -1 : json_dumpfd(config, fd, JSON_INDENT(2));
	if (fd >= 0 && (status < 0 || write(fd, "\n", 1) != 1 || close(fd) < 0))
		status = -1;
	json_decref(config);
	if (status < 0)
		return hop_fail(_("write config.json"));
	return 0;
}

/* Fill the fresh directory temp (fd): the root, and config.json. */
static int fill(int layoutfd, const struct image *image, const char *temp,
		int fd, const struct tree_options *options)
{
	int rootfd = -1, status = -1;

	if (options->bundle && mkdirat(fd, "rootfs", 0755) == 0)
		rootfd = openat(fd, "rootfs",
				O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else if (!options->bundle)
		rootfd = dup(fd);
	if (rootfd < 0)
		hop_fail(_("make %s"), temp);
	else if (fchmod(rootfd, 0755) < 0)
		hop_fail(_("chmod %s"), temp);
	else if (tree_apply_layers(layoutfd, image, rootfd, options) == 0 &&
		 (!options->bundle ||
		  tree_write_config(fd, image, rootfd, options) == 0))
		status = 0;
	if (rootfd >= 0)
		close(rootfd);
	return status;
}

int tree_make(int layoutfd, const struct image *image, const char *path,
	      const struct tree_options *options)
{
	char dest[PATH_MAX], temp[PATH_MAX + 16];
	size_t n;
	int fd, status = -1;

	if (snprintf(dest, sizeof(dest), "%s", path) >= (int)sizeof(dest))
		return hop_refuse(_("%s: path too long"), path);
	n = strlen(dest);
	while (n > 1 && dest[n - 1] == '/') /* "rootfs/": rootfs.hop-* */
		dest[--n] = '\0';
	if (access(dest, F_OK) == 0 || errno != ENOENT)
		return hop_refuse(_("%s already exists: give a new path"),
				  dest);
	snprintf(temp, sizeof(temp), "%s.hop-XXXXXX", dest);
	if (!mkdtemp(temp))
		return hop_fail(_("make %s"), temp);
	hop_step(_("building in %s"), temp);
	fd = open(temp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		hop_fail(_("open %s"), temp);
	else if (fill(layoutfd, image, temp, fd, options) == 0) {
		status = renameat2(AT_FDCWD, temp, AT_FDCWD, dest,
				   RENAME_NOREPLACE);
		hop_explain(status,
			    "renameat2(\"%s\", \"%s\", RENAME_NOREPLACE)", temp,
			    dest);
		if (status < 0 && errno == EEXIST)
			hop_refuse(_("%s already exists: give a new path"),
				   dest);
		else if (status < 0)
			hop_fail(_("rename %s to %s"), temp, dest);
	}
	if (status < 0 && layer_remove_tree(AT_FDCWD, temp) < 0)
		hop_warn(_("remove %s"), temp);
	if (fd >= 0)
		close(fd);
	if (status == 0)
		hop_step(_("renamed %s to %s"), temp, dest);
	return status;
}
