/* test-puller.c - labs/07-puller's parsers: image references, a 401's
 * WWW-Authenticate challenge, and the choice of a platform in an index.
 * The conversation with a real registry is in tests/07-puller.bats. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "07-puller/pull.h"
#include "07-puller/ref.h"
#include "07-puller/registry.h"
#include "lib/hop.h"
#include "unit.h"

#define HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_refs(void)
{
	static const char *const good[][2] = {
		{ "busybox", "docker.io/library/busybox:latest" },
		{ "busybox:1.36", "docker.io/library/busybox:1.36" },
		{ "me/app", "docker.io/me/app:latest" },
		{ "127.0.0.1:5055/busybox", "127.0.0.1:5055/busybox:latest" },
		{ "localhost/a/b:v1", "localhost/a/b:v1" },
		{ "reg.example/a__b/c-d.e:T_1", "reg.example/a__b/c-d.e:T_1" },
		{ "127.0.0.1:5055/x@sha256:" HEX,
		  "127.0.0.1:5055/x@sha256:" HEX },
		{ "x:tag@sha256:" HEX, "docker.io/library/x:tag@sha256:" HEX },
	};
	static const char *const bad[] = {
		"",	    "Busybox",	  "a//b", "a/",	   "-a",
		"a..b",	    "a:",	  "a:-x", "a:.x",  "a@sha256:../../x",
		"a@md5:00", "host:5000/", "a b",  "a/b/C", "a___b",
	};
	struct ref ref;
	char text[600];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		UNIT_CHECK(ref_parse(good[i][0], &ref) == 0, "'%s' parses",
			   good[i][0]);
		UNIT_STREQ(ref_string(&ref, text, sizeof(text)), good[i][1],
			   "'%s' is %s", good[i][0], good[i][1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		UNIT_CHECK(ref_parse(bad[i], &ref) < 0 && hop_refused(),
			   "'%s' is refused", bad[i]);
	(void)ref_parse("busybox", &ref);
	UNIT_STREQ(ref_host(&ref), "registry-1.docker.io",
		   "docker.io is asked at registry-1.docker.io");
	UNIT_STREQ(ref_reference(&ref), "latest", "no tag: latest");
	(void)ref_parse("a:1@sha256:" HEX, &ref);
	UNIT_STREQ(ref_reference(&ref), "sha256:" HEX,
		   "a digest wins over the tag");
}

static void test_challenges(void)
{
	struct challenge c;

	UNIT_CHECK(registry_parse_challenge(
			   "Bearer realm=\"http://127.0.0.1:5058/token\","
			   "service=\"hop-registry\","
			   "scope=\"repository:busybox:pull\"",
			   &c) == 0,
		   "a Bearer challenge parses");
	UNIT_STREQ(c.realm, "http://127.0.0.1:5058/token", "its realm");
	UNIT_STREQ(c.service, "hop-registry", "its service");
	UNIT_STREQ(c.scope, "repository:busybox:pull", "its scope");
	UNIT_CHECK(registry_parse_challenge("Basic realm=\"Registry Realm\"",
					    &c) == 0 &&
			   strcmp(c.scheme, "Basic") == 0 &&
			   strcmp(c.realm, "Registry Realm") == 0,
		   "a Basic challenge parses");
	UNIT_CHECK(registry_parse_challenge("Bearer service=\"x\"", &c) < 0,
		   "Bearer without a realm is refused");
	UNIT_CHECK(registry_parse_challenge("Negotiate", &c) < 0,
		   "an unknown scheme is refused");
	UNIT_CHECK(registry_parse_challenge(
			   "Bearer xrealm=\"bad\",realm=\"good\"", &c) == 0 &&
			   strcmp(c.realm, "good") == 0,
		   "a key is matched whole, not inside another");
}

static void test_platforms(void)
{
	json_t *index = json_pack(
		"{s:[{s:s, s:s, s:i, s:{s:s, s:s}},"
		"    {s:s, s:s, s:i, s:{s:s, s:s, s:s}}]}",
		"manifests", "mediaType", MEDIA_OCI_MANIFEST, "digest",
		"sha256:" HEX, "size", 10, "platform", "os", "linux",
		"architecture", "amd64", "mediaType", MEDIA_OCI_MANIFEST,
		"digest",
		"sha256:1111111111111111111111111111111111111111111111111111111111111111",
		"size", 20, "platform", "os", "linux", "architecture", "arm64",
		"variant", "v8");
	struct descriptor d;

	UNIT_CHECK(pull_pick_platform(index, "linux/amd64", &d) == 0 &&
			   d.size == 10,
		   "linux/amd64 is picked");
	UNIT_CHECK(pull_pick_platform(index, "linux/arm64", &d) == 0 &&
			   d.size == 20,
		   "linux/arm64 matches linux/arm64/v8");
	UNIT_CHECK(pull_pick_platform(index, "linux/arm64/v8", &d) == 0 &&
			   d.size == 20,
		   "linux/arm64/v8 matches itself");
	UNIT_CHECK(pull_pick_platform(index, "linux/s390x", &d) < 0 &&
			   strstr(hop_context(), "linux/amd64, linux/arm64/v8"),
		   "a missing platform lists those there are");
	UNIT_CHECK(pull_pick_platform(index, "linux/arm", &d) < 0,
		   "linux/arm is not linux/arm64");
	json_decref(index);
}

int main(void)
{
	unit_name = "puller";
	test_refs();
	test_challenges();
	test_platforms();
	UNIT_DONE();
}
