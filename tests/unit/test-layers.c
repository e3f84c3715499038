/* test-layers.c - labs/06-layers: digest_check() on the strings a
 * manifest can hold, the sha256 of a known text, and unpack_layer() on
 * small tars written in memory: what a layer makes, whiteouts, and every
 * hostile name refused with nothing made outside the root. The layers of
 * real images (umoci's, skopeo's) are in tests/06-layers.bats. */
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "06-layers/digest.h"
#include "06-layers/layer.h"
#include "lib/hop.h"
#include "unit.h"

static void test_digests(void)
{
	static const char *const bad[] = {
		"",
		"sha256",
		"sha256:",
		"md5:d41d8cd98f00b204e9800998ecf8427e",
		"sha256:../../../etc/passwd",
		"sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",
		"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85/",
		"sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	};
	char got[DIGEST_MAX], path[DIGEST_MAX];
	struct digest_hash hash = { 0 };

	UNIT_CHECK(
		digest_check(
			"sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") ==
			0,
		"a sha256 digest is accepted");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		UNIT_CHECK(digest_check(bad[i]) < 0 && hop_refused(),
			   "'%s' is refused", bad[i]);
	UNIT_CHECK(digest_hash_start(&hash, NULL) == 0 &&
			   digest_hash_update(&hash, "abc", 3) == 0 &&
			   digest_hash_finish(&hash, got) == 0,
		   "hash abc");
	UNIT_STREQ(
		got,
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha256 of abc");
	UNIT_STREQ(
		digest_blob_path(got, path, sizeof(path)),
		"sha256/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"its path under blobs/");
}

/* One tar entry to write: a name, a type, and a link target or content. */
struct entry {
	const char *name;
	mode_t type; /* AE_IFREG, AE_IFDIR, AE_IFLNK; 0: a hardlink */
	const char *data;
};

/* A tar of the entries, in a memfd, read from the start. */
static int tar_of(const struct entry *entries, size_t n)
{
	int fd = memfd_create("layer", MFD_CLOEXEC);
	struct archive *a = archive_write_new();

	archive_write_set_format_pax_restricted(a);
	archive_write_open_fd(a, fd);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		const struct entry *t = &entries[i];

		archive_entry_set_pathname(e, t->name);
		archive_entry_set_filetype(e, t->type ? t->type : AE_IFREG);
		archive_entry_set_perm(e, t->type == AE_IFDIR ? 0755 : 0644);
		if (t->type == AE_IFLNK)
			archive_entry_set_symlink(e, t->data);
		else if (!t->type)
			archive_entry_set_hardlink(e, t->data);
		else if (t->type == AE_IFREG && t->data)
			archive_entry_set_size(e, (la_int64_t)strlen(t->data));
		archive_write_header(a, e);
		if (t->type == AE_IFREG && t->data)
			archive_write_data(a, t->data, strlen(t->data));
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Apply the entries to root (a directory fd); 0 or -1. */
static int apply(int root, const struct entry *entries, size_t n)
{
	struct layer_desc desc = { NULL, NULL, NULL, -1 };
	struct unpack *unpack = unpack_begin(root);
	int fd = tar_of(entries, n), status;

	status = unpack_layer(unpack, fd, &desc);
	close(fd);
	if (status == 0)
		return unpack_finish(unpack);
	unpack_abort(unpack);
	return status;
}

static int exists_at(int dirfd, const char *path)
{
	struct stat st;

	return fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void test_layers(int top)
{
	static const struct entry base[] = {
		{ "./", AE_IFDIR, NULL },
		{ "etc/", AE_IFDIR, NULL },
		{ "etc/motd", AE_IFREG, "hi\n" },
		{ "etc/link", 0, "etc/motd" },
		{ "var/cache/a", AE_IFREG, "a" },
		{ "lib", AE_IFLNK, "usr/lib" },
	};
	static const struct entry lower[] = {
		{ "a/b/old", AE_IFREG, "o" },
		{ "a/keep", AE_IFREG, "k" },
	};
	/* The marker comes last: layer.md says SHOULD come first, not MUST. */
	static const struct entry late_opaque[] = {
		{ "a/b/c", AE_IFREG, "c" },
		{ "a/.wh..wh..opq", AE_IFREG, NULL },
	};
	static const struct entry upper[] = {
		{ "etc/.wh.motd", AE_IFREG, NULL },
		{ "var/cache/.wh..wh..opq", AE_IFREG, NULL },
		{ "var/cache/b", AE_IFREG, "b" },
	};
	int root;

	mkdirat(top, "root", 0755);
	root = openat(top, "root", O_RDONLY | O_DIRECTORY);
	UNIT_CHECK(apply(root, base, 6) == 0, "a layer applies");
	UNIT_CHECK(exists_at(root, "etc/motd") && exists_at(root, "etc/link") &&
			   exists_at(root, "lib") &&
			   exists_at(root, "var/cache/a"),
		   "its files, hardlink, symlink and missing parents are made");
	UNIT_CHECK(apply(root, upper, 3) == 0, "a layer of whiteouts applies");
	UNIT_CHECK(!exists_at(root, "etc/motd") && exists_at(root, "etc/link"),
		   ".wh.motd removes motd, not its other link");
	UNIT_CHECK(!exists_at(root, "var/cache/a") &&
			   exists_at(root, "var/cache/b"),
		   "an opaque directory keeps only what its own layer made");
	UNIT_CHECK(apply(root, lower, 2) == 0 &&
			   apply(root, late_opaque, 2) == 0,
		   "an opaque marker after what its layer put beneath it");
	UNIT_CHECK(exists_at(root, "a/b/c") && !exists_at(root, "a/b/old") &&
			   !exists_at(root, "a/keep"),
		   "it keeps a/b/c, and removes the lower a/b/old and a/keep");
	close(root);
}

static void test_hostile(int top)
{
	static const struct entry cases[][2] = {
		{ { "../outside/new", AE_IFREG, "x" } },
		{ { "/outside/new", AE_IFREG, "x" } },
		{ { "a/../../outside/new", AE_IFREG, "x" } },
		{ { "evil", AE_IFLNK, "../outside" },
		  { "evil/new", AE_IFREG, "x" } },
		{ { "evil", AE_IFLNK, "/" }, { "evil/new", AE_IFREG, "x" } },
		{ { "hard", 0, "../outside/canary" } },
		{ { "hard", 0, "/outside/canary" } },
		{ { ".", AE_IFLNK, "../outside" } },
		{ { "../.wh.canary", AE_IFREG, NULL } },
		{ { "evil", AE_IFLNK, "../outside" },
		  { "evil/.wh.canary", AE_IFREG, NULL } },
		{ { "evil", AE_IFLNK, "../outside" },
		  { "evil/.wh..wh..opq", AE_IFREG, NULL } },
		{ { ".wh...", AE_IFREG, NULL } },
	};
	char name[32];
	struct stat before, after;
	int fd = openat(top, "outside/canary", O_WRONLY | O_CREAT, 0644);

	write(fd, "canary\n", 7);
	close(fd);
	fstatat(top, "outside/canary", &before, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = cases[i][1].name ? 2 : 1;
		int root, rc;

		snprintf(name, sizeof(name), "hostile%zu", i);
		mkdirat(top, name, 0755);
		root = openat(top, name, O_RDONLY | O_DIRECTORY);
		rc = apply(root, cases[i], n);
		UNIT_CHECK(rc < 0 && hop_refused() &&
				   strstr(hop_context(), cases[i][n - 1].name),
			   "'%s' is refused, by name (%s)",
			   cases[i][n - 1].name, hop_context());
		close(root);
	}
	UNIT_CHECK(fstatat(top, "outside/canary", &after, 0) == 0 &&
			   after.st_nlink == 1 &&
			   after.st_size == before.st_size &&
			   after.st_mtim.tv_nsec == before.st_mtim.tv_nsec,
		   "the canary outside is untouched");
	UNIT_CHECK(!exists_at(top, "outside/new"), "nothing is made outside");
}

int main(void)
{
	char top[] = "/tmp/test-layers-XXXXXX";
	int fd;

	unit_name = "layers";
	test_digests();
	if (!mkdtemp(top))
		return 1;
	fd = open(top, O_RDONLY | O_DIRECTORY);
	mkdirat(fd, "outside", 0755);
	test_layers(fd);
	test_hostile(fd);
	close(fd);
	layer_remove_tree(AT_FDCWD, top);
	UNIT_DONE();
}
