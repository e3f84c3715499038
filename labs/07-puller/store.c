/* store.c - the content store: an OCI image layout that only ever holds
 * whole, checked blobs. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "07-puller/registry.h"
#include "07-puller/store.h"
#include "lib/hop.h"

/* The hex part of a checked sha256 digest: its file name in blobs/sha256. */
static const char *hex_of(const char *digest)
{
	if (digest_check(digest) < 0)
		return NULL;
	if (strncmp(digest, "sha256:", 7) != 0) {
		hop_refuse(_("%s: this store keeps sha256 blobs only"), digest);
		return NULL;
	}
	return digest + 7;
}

static int make_dir(int dirfd, const char *name)
{
	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Write a small file whole: an unnamed file, linked as NAME.new, renamed
 * over NAME. */
static int replace_file(int dirfd, const char *name, const char *text)
{
	char temp[64], proc[64];
	size_t n = strlen(text);
	int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		return hop_fail(_("write %s"), name);
	snprintf(temp, sizeof(temp), "%s.new", name);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	(void)unlinkat(dirfd, temp, 0); /* left by a crash */
	if (write(fd, text, n) != (ssize_t)n || fsync(fd) < 0 ||
	    linkat(AT_FDCWD, proc, dirfd, temp, AT_SYMLINK_FOLLOW) < 0 ||
	    renameat(dirfd, temp, dirfd, name) < 0) {
		hop_fail(_("write %s"), name);
		close(fd);
		(void)unlinkat(dirfd, temp, 0);
		return -1;
	}
	close(fd);
	return 0;
}

static int init_layout(struct store *store)
{
	struct stat st;

	if (make_dir(store->fd, "blobs") < 0 ||
	    make_dir(store->fd, "blobs/sha256") < 0 ||
	    make_dir(store->fd, "containers") < 0)
		return hop_fail(_("make the store %s"), store->root);
	if (fstatat(store->fd, "oci-layout", &st, 0) < 0 &&
	    replace_file(store->fd, "oci-layout",
			 "{\"imageLayoutVersion\":\"1.0.0\"}\n") < 0)
		return -1;
	if (fstatat(store->fd, "index.json", &st, 0) < 0 &&
	    replace_file(store->fd, "index.json",
			 "{\"schemaVersion\":2,\"mediaType\":\"" MEDIA_OCI_INDEX
			 "\",\"manifests\":[]}\n") < 0)
		return -1;
	return 0;
}

/* flock(ROOT/index.lock, op): held by whoever writes index.json. */
static int index_lock(struct store *store, int op)
{
	int rc = flock(store->indexfd, op);

	hop_explain(rc, "flock(\"%s/index.lock\", %s)", store->root,
		    op == LOCK_EX ? "LOCK_EX" : "LOCK_UN");
	return rc < 0 ? hop_fail(_("lock %s/index.lock"), store->root) : 0;
}

int store_open(struct store *store, const char *root, int create)
{
	memset(store, 0, sizeof(*store));
	store->fd = store->blobsfd = store->lockfd = store->indexfd = -1;
	snprintf(store->root, sizeof(store->root), "%s", root);
	if (create && mkdir(root, 0700) < 0 && errno != EEXIST)
		return hop_fail(_("make the store %s"), root);
	store->fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (store->fd < 0)
		return errno == ENOENT ?
			       hop_fail_hint(HOP_HINT_STORE_EMPTY,
					     _("open the store %s"), root) :
			       hop_fail(_("open the store %s"), root);
	store->indexfd = openat(store->fd, "index.lock",
				O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (store->indexfd < 0) {
		hop_fail(_("open the store %s"), root);
		goto fail;
	}
	/* Two first pulls into one new store: one makes it, whole. (A store
	 * that has its index.json is made: no lock needed.) */
	if (create && faccessat(store->fd, "index.json", F_OK, 0) < 0 &&
	    (index_lock(store, LOCK_EX) < 0 || init_layout(store) < 0 ||
	     index_lock(store, LOCK_UN) < 0))
		goto fail;
	store->blobsfd = openat(store->fd, "blobs/sha256",
				O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	store->lockfd =
		openat(store->fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (store->blobsfd < 0 || store->lockfd < 0) {
		hop_fail(_("open the store %s"), root);
		goto fail;
	}
	return 0;
fail:
	store_close(store);
	return -1;
}

void store_close(struct store *store)
{
	if (store->lockfd >= 0)
		close(store->lockfd);
	if (store->indexfd >= 0)
		close(store->indexfd);
	if (store->blobsfd >= 0)
		close(store->blobsfd);
	if (store->fd >= 0)
		close(store->fd);
	store->fd = store->blobsfd = store->lockfd = store->indexfd = -1;
}

int store_lock(struct store *store, int exclusive)
{
	int rc = flock(store->lockfd, exclusive ? LOCK_EX : LOCK_SH);

	hop_explain(rc, "flock(\"%s/lock\", %s)", store->root,
		    exclusive ? "LOCK_EX" : "LOCK_SH");
	return rc < 0 ? hop_fail(_("lock %s/lock"), store->root) : 0;
}

int store_try_lock(struct store *store)
{
	int rc = flock(store->lockfd, LOCK_EX | LOCK_NB);

	hop_explain(rc, "flock(\"%s/lock\", LOCK_EX|LOCK_NB)", store->root);
	return rc;
}

int store_unlock(struct store *store)
{
	return flock(store->lockfd, LOCK_UN) < 0 ?
		       hop_fail(_("unlock %s/lock"), store->root) :
		       0;
}

int store_has(struct store *store, const struct descriptor *desc)
{
	const char *hex = hex_of(desc->digest);
	struct stat st;

	if (!hex)
		return -1;
	if (fstatat(store->blobsfd, hex, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : hop_fail("stat %s", desc->digest);
	return S_ISREG(st.st_mode) && st.st_size == desc->size;
}

int store_temp(struct store *store)
{
	int fd = openat(store->blobsfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC,
			0644);

	hop_explain(fd, "openat(\"%s/blobs/sha256\", O_TMPFILE|O_RDWR)",
		    store->root);
	return fd < 0 ? hop_fail(_("a new file in %s/blobs/sha256"),
				 store->root) :
			fd;
}

int store_commit(struct store *store, int fd, const char *digest)
{
	const char *hex = hex_of(digest);
	char proc[64];
	int rc;

	if (!hex)
		return -1;
	if (fsync(fd) < 0)
		return hop_fail(_("write %s"), digest);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	rc = linkat(AT_FDCWD, proc, store->blobsfd, hex, AT_SYMLINK_FOLLOW);
	hop_explain(rc, "linkat(\"%s\", \"blobs/sha256/%.12s...\")", proc, hex);
	if (rc < 0 && errno != EEXIST)
		return hop_fail(_("link %s into the store"), digest);
	return 0;
}

int store_put(struct store *store, const char *digest, const void *data,
	      size_t size)
{
	int fd = store_temp(store), rc = -1;

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size)
		hop_fail(_("write %s"), digest);
	else
		rc = store_commit(store, fd, digest);
	close(fd);
	return rc;
}

static json_t *load_index(struct store *store)
{
	json_error_t error;
	json_t *index;
	int fd = openat(store->fd, "index.json", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		hop_fail(_("open %s/index.json"), store->root);
		return NULL;
	}
	index = json_loadfd(fd, 0, &error);
	close(fd);
	if (!index || !json_is_array(json_object_get(index, "manifests"))) {
		hop_fail_library(_("%s/index.json: %s"), store->root,
				 index ? _("no manifests array") : error.text);
		json_decref(index);
		return NULL;
	}
	return index;
}

static int save_index(struct store *store, json_t *index)
{
	char *text = json_dumps(index, JSON_INDENT(2));
	int rc;

	if (!text)
		return hop_fail_library(_("index.json: out of memory"));
	rc = replace_file(store->fd, "index.json", text);
	free(text);
	return rc;
}

static const char *entry_name(const json_t *entry)
{
	return json_string_value(json_object_get(
		json_object_get(entry, "annotations"), STORE_REF_NAME));
}

/* Remove name's entries from the manifests array; how many went. */
static size_t drop_name(json_t *manifests, const char *name)
{
	size_t i = 0, dropped = 0;

	while (i < json_array_size(manifests)) {
		const char *have = entry_name(json_array_get(manifests, i));

		if (have && strcmp(have, name) == 0) {
			(void)json_array_remove(manifests, i);
			dropped++;
		} else {
			i++;
		}
	}
	return dropped;
}

static json_t *platform_json(const char *platform)
{
	char os[32] = "", arch[32] = "", variant[32] = "";
	json_t *json;

	(void)sscanf(platform, "%31[^/]/%31[^/]/%31s", os, arch, variant);
	json = json_pack("{s:s, s:s}", "os", os, "architecture", arch);
	if (json && variant[0])
		(void)json_object_set_new(json, "variant",
					  json_string(variant));
	return json;
}

int store_tag(struct store *store, const char *name,
	      const struct descriptor *manifest, const char *platform,
	      const char *resolved)
{
	json_t *index, *entry;
	int rc = -1;

	if (index_lock(store, LOCK_EX) < 0)
		return -1;
	index = load_index(store);
	if (index) {
		json_t *manifests = json_object_get(index, "manifests");

		(void)drop_name(manifests, name);
		entry = json_pack("{s:s, s:s, s:I, s:o, s:{s:s, s:s}}",
				  "mediaType", manifest->media_type, "digest",
				  manifest->digest, "size",
				  (json_int_t)manifest->size, "platform",
				  platform_json(platform), "annotations",
				  STORE_REF_NAME, name, STORE_REF_DIGEST,
				  resolved);
		if (!entry || json_array_append_new(manifests, entry) < 0)
			hop_fail_library(_("index.json: out of memory"));
		else
			rc = save_index(store, index);
		json_decref(index);
	}
	(void)index_lock(store, LOCK_UN);
	return rc;
}

int store_untag(struct store *store, const char *name)
{
	json_t *index;
	int rc = -1;

	if (index_lock(store, LOCK_EX) < 0)
		return -1;
	index = load_index(store);
	if (!index) {
		(void)index_lock(store, LOCK_UN);
		return -1;
	}
	if (drop_name(json_object_get(index, "manifests"), name) == 0) {
		errno = ENOENT;
		hop_fail(_("%s: no such image in %s"), name, store->root);
	} else {
		rc = save_index(store, index);
	}
	json_decref(index);
	(void)index_lock(store, LOCK_UN);
	return rc;
}

json_t *store_images(struct store *store)
{
	json_t *index = load_index(store), *manifests;

	if (!index)
		return NULL;
	manifests = json_incref(json_object_get(index, "manifests"));
	json_decref(index);
	return manifests;
}

/* ---- what the images need ---- */

/* Read a stored manifest blob and parse it (NULL if missing or bad). */
static json_t *read_manifest(struct store *store, const char *digest)
{
	const char *hex = hex_of(digest);
	json_t *json;
	int fd;

	if (!hex)
		return NULL;
	fd = openat(store->blobsfd, hex, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	json = json_loadfd(fd, 0, NULL);
	close(fd);
	return json;
}

/* Every digest the images need, as an object used as a set. */
static json_t *needed(struct store *store)
{
	json_t *manifests = store_images(store), *set, *entry, *layer;
	size_t i, j;

	if (!manifests)
		return NULL;
	set = json_object();
	json_array_foreach(manifests, i, entry)
	{
		const char *digest =
			json_string_value(json_object_get(entry, "digest"));
		json_t *manifest;

		if (!digest)
			continue;
		(void)json_object_set_new(set, digest, json_true());
		manifest = read_manifest(store, digest);
		layer = json_object_get(manifest, "config");
		if (json_is_string(json_object_get(layer, "digest")))
			(void)json_object_set_new(
				set,
				json_string_value(
					json_object_get(layer, "digest")),
				json_true());
		json_array_foreach(json_object_get(manifest, "layers"), j,
				   layer)
		{
			const char *d = json_string_value(
				json_object_get(layer, "digest"));

			if (d)
				(void)json_object_set_new(set, d, json_true());
		}
		json_decref(manifest);
	}
	json_decref(manifests);
	return set;
}

int store_gc(struct store *store, size_t *removed, int64_t *bytes)
{
	json_t *keep = needed(store);
	struct dirent *e;
	DIR *dir;
	int fd;

	*removed = 0;
	*bytes = 0;
	if (!keep)
		return -1;
	fd = dup(store->blobsfd);
	dir = fd < 0 ? NULL : fdopendir(fd);
	if (!dir) {
		json_decref(keep);
		return hop_fail(_("read %s/blobs/sha256"), store->root);
	}
	while ((e = readdir(dir)) != NULL) {
		char digest[80];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(digest, sizeof(digest), "sha256:%.72s", e->d_name);
		if (json_object_get(keep, digest))
			continue;
		if (fstatat(store->blobsfd, e->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0)
			*bytes += st.st_size;
		if (unlinkat(store->blobsfd, e->d_name, 0) == 0) {
			hop_step(_("removed %s"), digest);
			(*removed)++;
		}
	}
	closedir(dir);
	json_decref(keep);
	return 0;
}

/* ---- check ---- */

/* sha256 of the blob file name; "" if it cannot be read. */
static int hash_file(int dirfd, const char *name, char *out)
{
	struct digest_hash hash = { 0 };
	char buf[1 << 16];
	ssize_t n;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0 || digest_hash_start(&hash, NULL) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		(void)digest_hash_update(&hash, buf, (size_t)n);
	close(fd);
	if (n < 0) {
		digest_hash_drop(&hash);
		return -1;
	}
	return digest_hash_finish(&hash, out);
}

static int check_blobs(struct store *store,
		       void (*report)(void *, const char *, const char *),
		       void *arg)
{
	struct dirent *e;
	int problems = 0, fd = dup(store->blobsfd);
	DIR *dir = fd < 0 ? NULL : fdopendir(fd);

	if (!dir)
		return hop_fail(_("read %s/blobs/sha256"), store->root);
	while ((e = readdir(dir)) != NULL) {
		char digest[80], got[DIGEST_MAX];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(digest, sizeof(digest), "sha256:%.70s", e->d_name);
		hop_step(_("checking %s"), digest);
		if (digest_check(digest) < 0) {
			report(arg, digest, _("not a sha256 digest name"));
			problems++;
		} else if (hash_file(store->blobsfd, e->d_name, got) < 0) {
			report(arg, digest, strerror(errno));
			problems++;
		} else if (strcmp(got, digest) != 0) {
			report(arg, digest,
			       _("content does not match its name"));
			problems++;
		}
	}
	closedir(dir);
	return problems;
}

int store_check(struct store *store,
		void (*report)(void *, const char *, const char *), void *arg)
{
	json_t *need = needed(store), *value;
	const char *digest;
	int problems;

	if (!need)
		return -1;
	problems = check_blobs(store, report, arg);
	if (problems < 0) {
		json_decref(need);
		return -1;
	}
	json_object_foreach(need, digest, value)
	{
		const char *hex = hex_of(digest);
		struct stat st;

		if (!hex || fstatat(store->blobsfd, hex, &st,
				    AT_SYMLINK_NOFOLLOW) < 0) {
			report(arg, digest, _("needed by an image, missing"));
			problems++;
		}
	}
	json_decref(need);
	return problems;
}
