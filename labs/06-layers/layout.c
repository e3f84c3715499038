/* layout.c - from index.json to the layers, every blob checked. */
#include "06-layers/layout.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/hop.h"

/* A manifest, an index or a config is read whole: refuse a huge one. */
#define JSON_BLOB_MAX ((int64_t)4 * 1024 * 1024)

#define TYPE_OCI_INDEX	  "application/vnd.oci.image.index.v1+json"
#define TYPE_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define TYPE_OCI_CONFIG	  "application/vnd.oci.image.config.v1+json"
#define TYPE_DOCKER_LIST \
	"application/vnd.docker.distribution.manifest.list.v2+json"
#define TYPE_DOCKER_MANIFEST \
	"application/vnd.docker.distribution.manifest.v2+json"
#define TYPE_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define REF_NAME	   "org.opencontainers.image.ref.name"

static int open_beneath(int dirfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));

	hop_explain(fd, "openat2(\"%s\", RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS)",
		    path);
	return fd;
}

int layout_open(const char *dir)
{
	char text[256];
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd;
	ssize_t n;

	if (dirfd < 0)
		return hop_fail(_("open the image layout %s"), dir);
	fd = open_beneath(dirfd, "oci-layout", O_RDONLY);
	n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	if (fd >= 0)
		close(fd);
	if (n < 0) {
		hop_fail(_("%s/oci-layout (is %s an OCI image layout?)"), dir,
			 dir);
		close(dirfd);
		return -1;
	}
	text[n] = '\0';
	if (!strstr(text, "\"imageLayoutVersion\"")) {
		close(dirfd);
		return hop_refuse(_("%s/oci-layout: no imageLayoutVersion"),
				  dir);
	}
	return dirfd;
}

int layout_open_blob(int dirfd, const char *digest)
{
	char path[DIGEST_MAX + 16], rel[DIGEST_MAX];
	int fd;

	if (digest_check(digest) < 0)
		return -1;
	snprintf(path, sizeof(path), "blobs/%s",
		 digest_blob_path(digest, rel, sizeof(rel)));
	fd = open_beneath(dirfd, path, O_RDONLY);
	if (fd < 0)
		return hop_fail(_("blob %s"), digest);
	return fd;
}

int layout_check_blob(int dirfd, const struct descriptor *desc)
{
	static unsigned char block[128 * 1024];
	struct digest_hash hash = { 0 };
	char got[DIGEST_MAX];
	struct stat st;
	ssize_t n = 0;
	int fd = layout_open_blob(dirfd, desc->digest);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || digest_hash_start(&hash, desc->digest) < 0) {
		close(fd);
		return hash.ctx ? hop_fail(_("blob %s"), desc->digest) : -1;
	}
	if (st.st_size != desc->size) {
		close(fd);
		digest_hash_drop(&hash);
		return hop_refuse(
			_("blob %s: size mismatch: the descriptor says %lld bytes, the blob has %lld"),
			desc->digest, (long long)desc->size,
			(long long)st.st_size);
	}
	while ((n = read(fd, block, sizeof(block))) > 0 &&
	       digest_hash_update(&hash, block, (size_t)n) == 0)
		;
	close(fd);
	if (n != 0) {
		digest_hash_drop(&hash);
		return n < 0 ? hop_fail(_("read blob %s"), desc->digest) : -1;
	}
	if (digest_hash_finish(&hash, got) < 0)
		return -1;
	if (strcmp(got, desc->digest) != 0)
		return hop_refuse(
			_("blob %s: digest mismatch: its bytes hash to %s"),
			desc->digest, got);
	return 0;
}

int layout_read_descriptor(const json_t *json, const char *where,
			   struct descriptor *desc)
{
	const char *type =
		json_string_value(json_object_get(json, "mediaType"));
	const char *digest = json_string_value(json_object_get(json, "digest"));
	json_t *size = json_object_get(json, "size");

	if (!digest || !json_is_integer(size) || json_integer_value(size) < 0)
		return hop_refuse(
			_("%s: a descriptor needs a digest and a size"), where);
	if (digest_check(digest) < 0)
		return hop_wrap("%s", where);
	snprintf(desc->digest, sizeof(desc->digest), "%s", digest);
	snprintf(desc->media_type, sizeof(desc->media_type), "%s",
		 type ? type : "");
	desc->size = json_integer_value(size);
	return 0;
}

/* Read a whole small blob, check its size and digest, parse it. */
static json_t *read_json_blob(int dirfd, const struct descriptor *desc)
{
	char got[DIGEST_MAX];
	struct digest_hash hash = { 0 };
	json_error_t error;
	char *text = NULL;
	json_t *json = NULL;
	struct stat st;
	int fd;

	if (desc->size > JSON_BLOB_MAX) {
		hop_refuse(
			_("blob %s: %lld bytes is too big for a manifest or a config"),
			desc->digest, (long long)desc->size);
		return NULL;
	}
	fd = layout_open_blob(dirfd, desc->digest);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		hop_fail(_("blob %s"), desc->digest);
	} else if (st.st_size != desc->size) {
		hop_refuse(
			_("blob %s: size mismatch: the descriptor says %lld bytes, the blob has %lld"),
			desc->digest, (long long)desc->size,
			(long long)st.st_size);
	} else if (!(text = malloc((size_t)desc->size + 1)) ||
		   read(fd, text, (size_t)desc->size) != (ssize_t)desc->size) {
		hop_fail(_("read blob %s"), desc->digest);
	} else if (digest_hash_start(&hash, desc->digest) == 0 &&
		   digest_hash_update(&hash, text, (size_t)desc->size) == 0 &&
		   digest_hash_finish(&hash, got) == 0) {
		if (strcmp(got, desc->digest) != 0)
			hop_refuse(
				_("blob %s: digest mismatch: its bytes hash to %s"),
				desc->digest, got);
		else if (!(json = json_loadb(text, (size_t)desc->size, 0,
					     &error)))
			hop_fail_library(_("blob %s: line %d column %d: %s"),
					 desc->digest, error.line, error.column,
					 error.text);
	}
	free(text);
	close(fd);
	return json;
}

const char *layout_machine_platform(void)
{
	static const char *const names[][2] = {
		{ "x86_64", "linux/amd64" },	{ "aarch64", "linux/arm64" },
		{ "armv7l", "linux/arm" },	{ "i686", "linux/386" },
		{ "ppc64le", "linux/ppc64le" }, { "s390x", "linux/s390x" },
		{ "riscv64", "linux/riscv64" },
	};
	struct utsname u;
	size_t i;

	if (uname(&u) == 0) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strcmp(u.machine, names[i][0]) == 0)
				return names[i][1];
		}
	}
	return "linux/unknown";
}

/* "os/arch[/variant]" of an index entry's platform object. */
static void platform_name(const json_t *platform, char *out, size_t size)
{
	const char *os = json_string_value(json_object_get(platform, "os"));
	const char *arch =
		json_string_value(json_object_get(platform, "architecture"));
	const char *variant =
		json_string_value(json_object_get(platform, "variant"));

	snprintf(out, size, "%s/%s%s%s", os ? os : "?", arch ? arch : "?",
		 variant ? "/" : "", variant ? variant : "");
}

/* Does the name of an entry's platform match the one wanted? "linux/arm"
 * matches "linux/arm/v7"; a variant asked for must be there. */
static int platform_matches(const char *have, const char *want)
{
	size_t n = strlen(want);

	return strncmp(have, want, n) == 0 &&
	       (have[n] == '\0' || have[n] == '/');
}

/* From an index (or a Docker manifest list), the descriptor of the
 * manifest for platform; the error lists the platforms there are. */
static int index_pick(const json_t *index, const char *where,
		      const char *platform, struct descriptor *desc)
{
	char have[64], list[512] = "";
	json_t *entry;
	size_t i, used = 0;

	json_array_foreach(json_object_get(index, "manifests"), i, entry)
	{
		platform_name(json_object_get(entry, "platform"), have,
			      sizeof(have));
		if (platform_matches(have, platform))
			return layout_read_descriptor(entry, where, desc);
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, "%s%s",
						 used ? ", " : "", have);
	}
	return hop_refuse(_("%s: no image for the platform %s; there are: %s"),
			  where, platform, used ? list : _("none"));
}

/* index.json: not a blob (it has no digest to check), read from the
 * layout's directory, size-capped. */
static json_t *read_index(int dirfd)
{
	json_error_t error;
	json_t *json;
	int fd = open_beneath(dirfd, "index.json", O_RDONLY);

	if (fd < 0) {
		hop_fail("index.json");
		return NULL;
	}
	json = json_loadfd(fd, 0, &error);
	close(fd);
	if (!json)
		hop_fail_library("index.json: line %d column %d: %s",
				 error.line, error.column, error.text);
	return json;
}

/* The descriptor in index.json tagged tag, or the only one if tag is
 * NULL; the error lists the tags there are. */
static int index_find_tag(const json_t *index, const char *tag,
			  const char *platform, struct descriptor *desc)
{
	json_t *manifests = json_object_get(index, "manifests"), *entry;
	json_t *same = json_array();
	char list[512] = "";
	size_t i, used = 0;
	int status;

	if (!tag && json_array_size(manifests) == 1)
		json_array_append(same, json_array_get(manifests, 0));
	json_array_foreach(manifests, i, entry)
	{
		const char *name = json_string_value(json_object_get(
			json_object_get(entry, "annotations"), REF_NAME));

		if (tag && name && strcmp(name, tag) == 0)
			json_array_append(same, entry);
		else if (name && used < sizeof(list))
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, "%s%s",
						 used ? ", " : "", name);
	}
	if (json_array_size(same) == 1)
		status = layout_read_descriptor(json_array_get(same, 0),
						"index.json", desc);
	else if (json_array_size(same) > 1) { /* one tag, several platforms */
		json_t *tagged = json_pack("{sO}", "manifests", same);

		status = index_pick(tagged, "index.json", platform, desc);
		json_decref(tagged);
	} else if (!tag)
		status = hop_refuse(
			_("index.json holds %zu images: name one as DIR:TAG (tags: %s)"),
			json_array_size(manifests), used ? list : _("none"));
	else
		status = hop_refuse(_("no image tagged '%s' (tags: %s)"), tag,
				    used ? list : _("none"));
	json_decref(same);
	return status;
}

/* Follow index.json (and an index it names) to the manifest. */
static json_t *find_manifest(int dirfd, const char *tag, const char *platform,
			     struct descriptor *desc)
{
	json_t *index = read_index(dirfd), *json = NULL;

	if (!index || index_find_tag(index, tag, platform, desc) < 0) {
		json_decref(index);
		return NULL;
	}
	json_decref(index);
	json = read_json_blob(dirfd, desc);
	if (json && (strcmp(desc->media_type, TYPE_OCI_INDEX) == 0 ||
		     strcmp(desc->media_type, TYPE_DOCKER_LIST) == 0)) {
		char where[DIGEST_MAX + 8];

		snprintf(where, sizeof(where), "index %s", desc->digest);
		index = json;
		json = NULL;
		if (index_pick(index, where, platform, desc) == 0)
			json = read_json_blob(dirfd, desc);
		json_decref(index);
	}
	if (json && strcmp(desc->media_type, TYPE_OCI_MANIFEST) != 0 &&
	    strcmp(desc->media_type, TYPE_DOCKER_MANIFEST) != 0) {
		hop_refuse(
			_("manifest %s: media type '%s' is not an image manifest"),
			desc->digest, desc->media_type);
		json_decref(json);
		json = NULL;
	}
	return json;
}

/* The layers of a manifest, each with the diff_id the config gives it. */
static int read_layers(const json_t *manifest, const json_t *config,
		       struct image *image)
{
	json_t *layers = json_object_get(manifest, "layers");
	json_t *diff_ids =
		json_object_get(json_object_get(config, "rootfs"), "diff_ids");
	size_t i, n = json_array_size(layers);
	char where[DIGEST_MAX + 16];

	snprintf(where, sizeof(where), "manifest %s", image->manifest.digest);
	if (!json_is_array(layers) || json_array_size(diff_ids) != n)
		return hop_refuse(
			_("%s: %zu layers, but the config has %zu diff_ids"),
			where, n, json_array_size(diff_ids));
	image->layers = calloc(n ? n : 1, sizeof(*image->layers));
	if (!image->layers)
		return hop_fail("image");
	image->nlayers = n;
	for (i = 0; i < n; i++) {
		const char *diff_id =
			json_string_value(json_array_get(diff_ids, i));

		if (layout_read_descriptor(json_array_get(layers, i), where,
					   &image->layers[i].blob) < 0)
			return -1;
		if (!diff_id)
			return hop_refuse(
				_("config %s: diff_id %zu is not a string"),
				image->config.digest, i + 1);
		if (digest_check(diff_id) < 0)
			return hop_wrap(_("config %s"), image->config.digest);
		snprintf(image->layers[i].diff_id, DIGEST_MAX, "%s", diff_id);
	}
	return 0;
}

/* The rest of an image, from its manifest (JSON, already read). */
static int image_fill(int dirfd, json_t *manifest, struct image *image)
{
	char where[DIGEST_MAX + 16];
	json_t *config;
	int status = -1;

	snprintf(where, sizeof(where), "manifest %s", image->manifest.digest);
	if (layout_read_descriptor(json_object_get(manifest, "config"), where,
				   &image->config) == 0 &&
	    (config = read_json_blob(dirfd, &image->config))) {
		image->config_json = config;
		platform_name(config, image->platform, sizeof(image->platform));
		status = read_layers(manifest, config, image);
	}
	json_decref(manifest);
	if (status < 0)
		image_free(image);
	return status;
}

int image_load(int dirfd, const char *tag, const char *platform,
	       struct image *image)
{
	json_t *manifest;

	memset(image, 0, sizeof(*image));
	manifest = find_manifest(
		dirfd, tag, platform ? platform : layout_machine_platform(),
		&image->manifest);
	if (!manifest)
		return -1;
	return image_fill(dirfd, manifest, image);
}

int image_load_manifest(int dirfd, const struct descriptor *desc,
			struct image *image)
{
	json_t *manifest;

	memset(image, 0, sizeof(*image));
	image->manifest = *desc;
	manifest = read_json_blob(dirfd, desc);
	if (!manifest)
		return -1;
	return image_fill(dirfd, manifest, image);
}

void image_free(struct image *image)
{
	json_decref(image->config_json);
	free(image->layers);
	memset(image, 0, sizeof(*image));
}
