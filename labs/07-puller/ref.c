/* ref.c - image references: [HOST[:PORT]/]NAME[:TAG][@DIGEST]. */
#include <stdio.h>
#include <string.h>

#include "07-puller/ref.h"
#include "lib/hop.h"

static int is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: alnum runs joined by '.', '_', "__" or runs of '-'. */
static int check_component(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t run = 0;

		while (i < n && is_lower_alnum(p[i])) {
			i++;
			run++;
		}
		if (run == 0)
			return -1;
		if (i == n)
			return 0;
		if (p[i] == '.' ||
		    (p[i] == '_' && (i + 1 == n || p[i + 1] != '_')))
			i++;
		else if (p[i] == '_')
			i += 2;
		else if (p[i] == '-')
			while (i < n && p[i] == '-')
				i++;
		else
			return -1;
		if (i == n)
			return -1; /* a separator at the end */
	}
	return -1;
}

static int check_name(const char *name)
{
	const char *p = name, *slash;

	if (!*name)
		return -1;
	for (;;) {
		slash = strchr(p, '/');
		if (check_component(p, slash ? (size_t)(slash - p) :
					       strlen(p)) < 0)
			return -1;
		if (!slash)
			return 0;
		p = slash + 1;
	}
}

static int check_tag(const char *tag)
{
	size_t i, n = strlen(tag);

	if (n == 0 || n > 128 || tag[0] == '.' || tag[0] == '-')
		return -1;
	for (i = 0; i < n; i++) {
		char c = tag[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		      c == '-'))
			return -1;
	}
	return 0;
}

/* A host: letters, digits, '.', '-', an optional :PORT, or [IPv6]. */
static int check_domain(const char *domain)
{
	const char *p;

	if (!*domain)
		return -1;
	for (p = domain; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr(".-:[]", *p)))
			return -1;
	}
	return 0;
}

/* Split "rest" (no digest) into domain, name and tag. */
static int split(char *rest, struct ref *ref)
{
	char *slash = strchr(rest, '/'), *colon, *name = rest;

	snprintf(ref->domain, sizeof(ref->domain), "docker.io");
	if (slash && (memchr(rest, '.', (size_t)(slash - rest)) ||
		      memchr(rest, ':', (size_t)(slash - rest)) ||
		      strncmp(rest, "localhost/", 10) == 0)) {
		*slash = '\0';
		if (snprintf(ref->domain, sizeof(ref->domain), "%s", rest) >=
			    (int)sizeof(ref->domain) ||
		    check_domain(ref->domain) < 0)
			return -1;
		name = slash + 1;
	}
	colon = strrchr(name, ':');
	if (colon) {
		*colon = '\0';
		if (check_tag(colon + 1) < 0)
			return -1;
		snprintf(ref->tag, sizeof(ref->tag), "%s", colon + 1);
	}
	if (check_name(name) < 0)
		return -1;
	if (strlen(name) + 8 >= sizeof(ref->name))
		return -1;
	if (strcmp(ref->domain, "docker.io") == 0 && !strchr(name, '/'))
		snprintf(ref->name, sizeof(ref->name), "library/%.240s", name);
	else if (snprintf(ref->name, sizeof(ref->name), "%s", name) >=
		 (int)sizeof(ref->name))
		return -1;
	return 0;
}

int ref_parse(const char *text, struct ref *ref)
{
	char buf[512], *at;

	memset(ref, 0, sizeof(*ref));
	if (snprintf(buf, sizeof(buf), "%s", text) >= (int)sizeof(buf))
		return hop_refuse(_("image reference '%.40s...': too long"),
				  text);
	at = strchr(buf, '@');
	if (at) {
		*at = '\0';
		if (digest_check(at + 1) < 0)
			return hop_wrap(_("image reference '%s'"), text);
		snprintf(ref->digest, sizeof(ref->digest), "%s", at + 1);
	}
	if (split(buf, ref) < 0)
		return hop_refuse(
			_("image reference '%s': not [HOST[:PORT]/]NAME[:TAG][@DIGEST] "
			  "(NAME in lowercase, e.g. 127.0.0.1:5055/busybox:latest)"),
			text);
	if (!ref->tag[0] && !ref->digest[0])
		snprintf(ref->tag, sizeof(ref->tag), "latest");
	return 0;
}

const char *ref_string(const struct ref *ref, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s%s%s%s%s", ref->domain, ref->name,
		 ref->tag[0] ? ":" : "", ref->tag, ref->digest[0] ? "@" : "",
		 ref->digest);
	return buf;
}

const char *ref_host(const struct ref *ref)
{
	return strcmp(ref->domain, "docker.io") == 0 ? "registry-1.docker.io" :
						       ref->domain;
}

const char *ref_reference(const struct ref *ref)
{
	return ref->digest[0] ? ref->digest : ref->tag;
}
