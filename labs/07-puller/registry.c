/* registry.c - the registry conversation, with libcurl.
 *
 * A manifest is read into memory (it is small, and must be parsed); a
 * blob streams to the caller's file descriptor through a running sha256,
 * and is judged when its last byte has arrived: the right size, the
 * right digest, or it is thrown away. Blobs come in parallel, one
 * connection each, through curl's multi interface.
 */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "07-puller/registry.h"
#include "lib/hop.h"

static int curl_ready;

/* ---- WWW-Authenticate ---- */

/* Copy the value of key="value" (or key=value) from a challenge. */
static void challenge_param(const char *params, const char *key, char *out,
			    size_t size)
{
	size_t klen = strlen(key);
	const char *p = params;

	out[0] = '\0';
	while ((p = strcasestr(p, key)) != NULL) {
		int at_start = p == params || p[-1] == ' ' || p[-1] == ',';
		size_t n = 0;

		p += klen;
		if (!at_start || *p != '=')
			continue;
		p++;
		if (*p == '"') {
			for (p++; *p && *p != '"' && n + 1 < size; p++)
				out[n++] = *p;
		} else {
			for (; *p && *p != ',' && *p != ' ' && n + 1 < size;
			     p++)
				out[n++] = *p;
		}
		out[n] = '\0';
		return;
	}
}

int registry_parse_challenge(const char *value, struct challenge *c)
{
	size_t n = strcspn(value, " ");

	memset(c, 0, sizeof(*c));
	if (n == 0 || n >= sizeof(c->scheme))
		return -1;
	memcpy(c->scheme, value, n);
	challenge_param(value + n, "realm", c->realm, sizeof(c->realm));
	challenge_param(value + n, "service", c->service, sizeof(c->service));
	challenge_param(value + n, "scope", c->scope, sizeof(c->scope));
	if (strcasecmp(c->scheme, "Basic") == 0)
		return 0;
	if (strcasecmp(c->scheme, "Bearer") == 0 && c->realm[0])
		return 0;
	return -1;
}

/* ---- one small request: a manifest or a token ---- */

struct response {
	char *data;
	size_t size;
	size_t limit;
	int too_big;
	long status;
	char content_type[128];
	char docker_digest[DIGEST_MAX];
	char challenge[1024];
};

static size_t on_body(char *data, size_t one, size_t n, void *arg)
{
	struct response *r = arg;
	char *grown;

	n *= one;
	if (r->size + n > r->limit) {
		r->too_big = 1;
		return 0; /* curl stops: CURLE_WRITE_ERROR */
	}
	grown = realloc(r->data, r->size + n + 1);
	if (!grown)
		return 0;
	r->data = grown;
	memcpy(r->data + r->size, data, n);
	r->size += n;
	r->data[r->size] = '\0';
	return n;
}

/* "Name: value\r\n" into out, if the line is that header. */
static void header_value(const char *line, size_t n, const char *name,
			 char *out, size_t size)
{
	size_t k = strlen(name), len;

	if (n <= k + 1 || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return;
	line += k + 1;
	n -= k + 1;
	while (n && (*line == ' ' || *line == '\t')) {
		line++;
		n--;
	}
	while (n && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	len = n < size - 1 ? n : size - 1;
	memcpy(out, line, len);
	out[len] = '\0';
}

/* A header line's length without its CRLF (curl's is not NUL-ended). */
static int line_length(const char *line, size_t n)
{
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	return (int)n;
}

static size_t on_header(char *line, size_t one, size_t n, void *arg)
{
	struct response *r = arg;

	n *= one;
	if (n > 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* a new response (after a redirect): forget the last one's */
		r->content_type[0] = r->docker_digest[0] = r->challenge[0] =
			'\0';
		if (hop_explain_calls)
			fprintf(stderr, "  < %.*s\n", line_length(line, n),
				line);
	}
	header_value(line, n, "Content-Type", r->content_type,
		     sizeof(r->content_type));
	header_value(line, n, "Docker-Content-Digest", r->docker_digest,
		     sizeof(r->docker_digest));
	header_value(line, n, "WWW-Authenticate", r->challenge,
		     sizeof(r->challenge));
	if (hop_explain_calls &&
	    (strncasecmp(line, "Content-Type:", 13) == 0 ||
	     strncasecmp(line, "Content-Length:", 15) == 0 ||
	     strncasecmp(line, "Docker-Content-Digest:", 22) == 0 ||
	     strncasecmp(line, "WWW-Authenticate:", 17) == 0 ||
	     strncasecmp(line, "Location:", 9) == 0))
		fprintf(stderr, "  < %.*s\n", line_length(line, n), line);
	return n;
}

/* The options every request of ours has. */
static void common_options(CURL *curl, const struct registry *registry)
{
	(void)curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
	(void)curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
	(void)curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, registry->timeout);
	/* A registry that accepts and then says nothing: fewer than one
	 * byte a second for timeout seconds ends the transfer. */
	(void)curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	(void)curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, registry->timeout);
	(void)curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(curl, CURLOPT_USERAGENT,
			       "hop-mini-ctr/" HOP_VERSION);
	(void)curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
}

/* Why a transfer failed, in words, with a hint code for the usual causes. */
static int transfer_failed(const char *url, CURLcode code, const char *why)
{
	enum hop_hint hint = HOP_HINT_NONE;

	if (code == CURLE_COULDNT_CONNECT)
		hint = HOP_HINT_REGISTRY_DOWN;
	else if (code == CURLE_SSL_CONNECT_ERROR ||
		 code == CURLE_PEER_FAILED_VERIFICATION)
		hint = HOP_HINT_REGISTRY_PLAIN_HTTP;
	else if (code == CURLE_OPERATION_TIMEDOUT)
		hint = HOP_HINT_REGISTRY_TIMEOUT;
	return hop_record(HOP_ERROR_LIBRARY, hint, EIO, "GET %s: %s", url,
			  why[0] ? why : curl_easy_strerror(code));
}

/* How -x shows our Authorization header: its kind, never its secret. */
static const char *auth_label(const struct registry *registry)
{
	return strncmp(registry->authorization, "Authorization: Basic", 20) ==
			       0 ?
		       "\n  > Authorization: Basic (-u USER:PASSWORD)" :
		       "\n  > Authorization: Bearer (the token server's token)";
}

static int get(const struct registry *registry, const char *url,
	       const char *accept, const char *userpwd, int auth,
	       struct response *r)
{
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURL *curl = curl_easy_init();
	CURLcode code;

	if (!curl)
		return hop_fail_library(_("curl_easy_init failed"));
	if (accept)
		headers = curl_slist_append(headers, accept);
	if (auth && registry->authorization[0])
		headers = curl_slist_append(headers, registry->authorization);
	common_options(curl, registry);
	(void)curl_easy_setopt(curl, CURLOPT_URL, url);
	(void)curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
	(void)curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	(void)curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
	(void)curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	if (userpwd)
		(void)curl_easy_setopt(curl, CURLOPT_USERPWD, userpwd);
	if (hop_explain_calls)
		fprintf(stderr, "  > GET %s%s%s%s\n", url,
			accept ? "\n  > " : "", accept ? accept : "",
			auth && registry->authorization[0] ?
				auth_label(registry) :
			userpwd ?
				"\n  > Authorization: Basic (-u USER:PASSWORD)" :
				"");
	code = curl_easy_perform(curl);
	(void)curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(curl);
	curl_slist_free_all(headers);
	if (code == CURLE_WRITE_ERROR && r->too_big)
		return hop_refuse(_("GET %s: more than %zu bytes: refused"),
				  url, r->limit);
	if (code != CURLE_OK)
		return transfer_failed(url, code, errbuf);
	return 0;
}

static void response_free(struct response *r)
{
	free(r->data);
	memset(r, 0, sizeof(*r));
}

/* ---- authentication ---- */

static char *escape(const char *text)
{
	return curl_easy_escape(NULL, text, 0);
}

/* Ask the token server for a token, as the challenge says. */
static int bearer(struct registry *registry, const struct challenge *c)
{
	struct response r = { .limit = 1 << 20 };
	char scope[600], url[2048];
	char *service, *escaped;
	json_t *json;
	const char *token;

	if (c->scope[0])
		snprintf(scope, sizeof(scope), "%s", c->scope);
	else
		snprintf(scope, sizeof(scope), "repository:%s:pull",
			 registry->name);
	service = escape(c->service);
	escaped = escape(scope);
	snprintf(url, sizeof(url), "%s%cservice=%s&scope=%s", c->realm,
		 strchr(c->realm, '?') ? '&' : '?', service ? service : "",
		 escaped ? escaped : "");
	curl_free(service);
	curl_free(escaped);
	hop_step(_("token: asking %s for %s"), c->realm, scope);
	if (get(registry, url, NULL, registry->user, 0, &r) < 0)
		return hop_wrap(_("token server"));
	if (r.status != 200) {
		hop_refuse(_("the token server %s answered HTTP %ld: %s"),
			   c->realm, r.status,
			   r.status == 401 ? _("wrong or missing credentials") :
					     _("no token"));
		response_free(&r);
		return -1;
	}
	json = json_loadb(r.data ? r.data : "", r.size, 0, NULL);
	token = json_string_value(json_object_get(json, "token"));
	if (!token)
		token = json_string_value(
			json_object_get(json, "access_token"));
	if (!token || strlen(token) + 32 > sizeof(registry->authorization)) {
		json_decref(json);
		response_free(&r);
		return hop_refuse(_("the token server %s sent no usable token"),
				  c->realm);
	}
	snprintf(registry->authorization, sizeof(registry->authorization),
		 "Authorization: Bearer %s", token);
	json_decref(json);
	response_free(&r);
	return 0;
}

static int basic(struct registry *registry)
{
	unsigned char encoded[1400];
	size_t n = strlen(registry->user);

	if (n > 1000)
		return hop_refuse(_("-u: too long"));
	EVP_EncodeBlock(encoded, (const unsigned char *)registry->user, (int)n);
	snprintf(registry->authorization, sizeof(registry->authorization),
		 "Authorization: Basic %s", encoded);
	return 0;
}

/* Answer a 401's challenge, once. */
static int authenticate(struct registry *registry, const char *value)
{
	struct challenge c;

	if (registry->tried_auth || registry_parse_challenge(value, &c) < 0)
		return hop_refuse(
			_("the registry answered 401 Unauthorized%s%s"),
			registry->user ? "" : _(": it needs credentials"),
			registry->user ? _(": wrong credentials") : "");
	registry->tried_auth = 1;
	hop_step(_("the registry asks for %s authentication"), c.scheme);
	if (strcasecmp(c.scheme, "Bearer") == 0)
		return bearer(registry, &c);
	if (!registry->user)
		return hop_refuse(
			_("the registry asks for a user and password "
			  "(Basic realm \"%s\"): give -u USER:PASSWORD"),
			c.realm);
	return basic(registry);
}

/* ---- manifests ---- */

int registry_init(struct registry *registry, const char *host, const char *name,
		  int plain_http, const char *user, long timeout)
{
	memset(registry, 0, sizeof(*registry));
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return hop_fail_library(_("curl_global_init failed"));
		curl_ready = 1;
	}
	snprintf(registry->base, sizeof(registry->base), "%s://%s",
		 plain_http ? "http" : "https", host);
	snprintf(registry->name, sizeof(registry->name), "%s", name);
	registry->user = user;
	registry->timeout = timeout;
	return 0;
}

/* sha256 of a buffer, as "sha256:<hex>". */
static int hash_bytes(const char *data, size_t size, char *out)
{
	struct digest_hash hash = { 0 };

	if (digest_hash_start(&hash, NULL) < 0)
		return -1;
	if (digest_hash_update(&hash, data, size) < 0) {
		digest_hash_drop(&hash);
		return -1;
	}
	return digest_hash_finish(&hash, out);
}

static const char accept_manifests[] =
	"Accept: " MEDIA_OCI_INDEX ", " MEDIA_OCI_MANIFEST
	", " MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_MANIFEST;

static int check_manifest(const char *reference, const struct response *r,
			  struct manifest_body *out)
{
	if (hash_bytes(r->data ? r->data : "", r->size, out->digest) < 0)
		return -1;
	/* A reference with a ':' is a digest (a tag has none). */
	if (strchr(reference, ':') && strcmp(reference, out->digest) != 0)
		return hop_refuse(_("digest mismatch for manifest %s: the "
				    "registry sent %s; refused"),
				  reference, out->digest);
	if (r->docker_digest[0] && strcmp(r->docker_digest, out->digest) != 0)
		return hop_refuse(_("digest mismatch for manifest %s: the "
				    "registry says %s but sent %s; refused"),
				  reference, r->docker_digest, out->digest);
	return 0;
}

int registry_get_manifest(struct registry *registry, const char *reference,
			  struct manifest_body *out)
{
	struct response r = { .limit = REGISTRY_MANIFEST_MAX };
	char url[1024];

	memset(out, 0, sizeof(*out));
	snprintf(url, sizeof(url), "%s/v2/%s/manifests/%s", registry->base,
		 registry->name, reference);
	hop_step(_("GET %s"), url);
	for (;;) {
		if (get(registry, url, accept_manifests, NULL, 1, &r) < 0)
			goto fail;
		if (r.status != 401 || !r.challenge[0])
			break;
		if (authenticate(registry, r.challenge) < 0)
			goto fail;
		response_free(&r);
		r.limit = REGISTRY_MANIFEST_MAX;
	}
	if (r.status == 404) {
		hop_refuse(_("%s:%s: not found in the registry (HTTP 404)"),
			   registry->name, reference);
		goto fail;
	}
	if (r.status != 200) {
		hop_refuse(_("GET %s: HTTP %ld"), url, r.status);
		goto fail;
	}
	if (check_manifest(reference, &r, out) < 0)
		goto fail;
	snprintf(out->media_type, sizeof(out->media_type), "%.*s",
		 (int)strcspn(r.content_type, " ;"), r.content_type);
	out->data = r.data;
	out->size = r.size;
	return 0;
fail:
	response_free(&r);
	return -1;
}

void manifest_body_free(struct manifest_body *body)
{
	free(body->data);
	body->data = NULL;
}

/* ---- blobs, in parallel ---- */

struct transfer {
	struct response answer; /* what -x shows of the answer */
	CURL *curl;
	struct curl_slist *headers;
	struct digest_hash hash;
	char url[1024];
	char errbuf[CURL_ERROR_SIZE];
	int too_big, write_failed;
};

static size_t on_blob(char *data, size_t one, size_t n, void *arg)
{
	struct blob_job *job = arg;
	struct transfer *t = job->priv;
	long status = 0;
	size_t done = 0;

	n *= one;
	(void)curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		return n; /* an error page: not the blob, not hashed */
	if (job->received + (int64_t)n > job->desc.size) {
		t->too_big = 1;
		return 0;
	}
	if (digest_hash_update(&t->hash, data, n) < 0)
		return 0;
	while (done < n) {
		ssize_t w = write(job->fd, data + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			t->write_failed = errno ? errno : EIO;
			return 0;
		}
		done += (size_t)w;
	}
	job->received += (int64_t)n;
	return n;
}

static int start_blob(struct registry *registry, CURLM *multi,
		      struct blob_job *job)
{
	struct transfer *t = calloc(1, sizeof(*t));

	if (!t || !(t->curl = curl_easy_init()) ||
	    digest_hash_start(&t->hash, job->desc.digest) < 0) {
		if (t && t->curl)
			curl_easy_cleanup(t->curl);
		free(t);
		return hop_fail_library(_("start the download of %s"),
					job->desc.digest);
	}
	job->priv = t;
	snprintf(t->url, sizeof(t->url), "%s/v2/%s/blobs/%s", registry->base,
		 registry->name, job->desc.digest);
	if (registry->authorization[0])
		t->headers = curl_slist_append(NULL, registry->authorization);
	common_options(t->curl, registry);
	(void)curl_easy_setopt(t->curl, CURLOPT_URL, t->url);
	(void)curl_easy_setopt(t->curl, CURLOPT_HTTPHEADER, t->headers);
	(void)curl_easy_setopt(t->curl, CURLOPT_WRITEFUNCTION, on_blob);
	(void)curl_easy_setopt(t->curl, CURLOPT_WRITEDATA, job);
	(void)curl_easy_setopt(t->curl, CURLOPT_HEADERFUNCTION, on_header);
	(void)curl_easy_setopt(t->curl, CURLOPT_HEADERDATA, &t->answer);
	(void)curl_easy_setopt(t->curl, CURLOPT_ERRORBUFFER, t->errbuf);
	(void)curl_easy_setopt(t->curl, CURLOPT_PRIVATE, job);
	if (hop_explain_calls)
		fprintf(stderr, "  > GET %s%s\n", t->url,
			registry->authorization[0] ? auth_label(registry) : "");
	job->state = BLOB_RUNNING;
	hop_step(_("GET %s (%s, %lld bytes)"), t->url, job->what,
		 (long long)job->desc.size);
	if (curl_multi_add_handle(multi, t->curl) != CURLM_OK)
		return hop_fail_library(_("start the download of %s"),
					job->desc.digest);
	return 0;
}

/* The transfer is over: was it the blob? */
static int judge(struct blob_job *job, CURLcode code)
{
	struct transfer *t = job->priv;
	char got[DIGEST_MAX];
	long status = 0;

	(void)curl_easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
	if (t->too_big)
		return hop_refuse(_("%s %s: the registry sent more than the "
				    "%lld bytes its descriptor says; refused"),
				  job->what, job->desc.digest,
				  (long long)job->desc.size);
	if (t->write_failed) {
		errno = t->write_failed;
		return hop_fail(_("%s %s: write"), job->what, job->desc.digest);
	}
	if (code != CURLE_OK)
		return transfer_failed(t->url, code, t->errbuf);
	if (status != 200)
		return hop_refuse(_("GET %s: HTTP %ld"), t->url, status);
	if (job->received != job->desc.size)
		return hop_refuse(_("%s %s: %lld bytes instead of %lld "
				    "(truncated); refused"),
				  job->what, job->desc.digest,
				  (long long)job->received,
				  (long long)job->desc.size);
	if (digest_hash_finish(&t->hash, got) < 0)
		return -1;
	t->hash.ctx = NULL;
	if (strcmp(got, job->desc.digest) != 0)
		return hop_refuse(_("digest mismatch for %s %s: the registry "
				    "sent %s; refused"),
				  job->what, job->desc.digest, got);
	return 0;
}

static void end_transfer(CURLM *multi, struct blob_job *job)
{
	struct transfer *t = job->priv;

	if (!t)
		return;
	(void)curl_multi_remove_handle(multi, t->curl);
	curl_easy_cleanup(t->curl);
	curl_slist_free_all(t->headers);
	if (t->hash.ctx)
		digest_hash_drop(&t->hash);
	free(t);
	job->priv = NULL;
}

/* Take the finished transfers; -1 at the first failure. */
static int reap(CURLM *multi, const struct blob_callbacks *cb)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		struct blob_job *job = NULL;
		int rc;

		if (msg->msg != CURLMSG_DONE)
			continue;
		(void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
					(char **)&job);
		rc = judge(job, msg->data.result);
		end_transfer(multi, job);
		if (rc == 0 && cb->done && cb->done(cb->done_arg, job) < 0)
			rc = -1;
		job->state = rc == 0 ? BLOB_DONE : BLOB_FAILED;
		if (rc < 0) {
			snprintf(job->error, sizeof(job->error), "%s",
				 hop_context());
			return -1;
		}
	}
	return 0;
}

struct blob_batch {
	CURLM *multi;
	struct blob_job *jobs;
	size_t n;
	const struct blob_callbacks *cb;
	int running, status;
};

struct blob_batch *registry_blobs_start(struct registry *registry,
					struct blob_job *jobs, size_t n,
					const struct blob_callbacks *cb)
{
	struct blob_batch *b = calloc(1, sizeof(*b));
	size_t i;

	if (!b || !(b->multi = curl_multi_init())) {
		free(b);
		hop_fail_library(_("curl_multi_init failed"));
		return NULL;
	}
	b->jobs = jobs;
	b->n = n;
	b->cb = cb;
	b->running = 1;
	for (i = 0; i < n && b->status == 0; i++)
		b->status = start_blob(registry, b->multi, &jobs[i]);
	return b;
}

int registry_blobs_step(struct blob_batch *b)
{
	if (b->status < 0)
		return -1;
	if (!b->running)
		return 0;
	if (curl_multi_perform(b->multi, &b->running) != CURLM_OK ||
	    curl_multi_poll(b->multi, NULL, 0, 100, NULL) != CURLM_OK)
		return b->status = hop_fail_library(_("curl_multi failed"));
	if (b->cb->stop && *b->cb->stop) {
		errno = EINTR;
		return b->status = hop_fail(_("interrupted"));
	}
	b->status = reap(b->multi, b->cb);
	if (b->status == 0 && !b->running)
		b->status = reap(b->multi, b->cb); /* the last ones */
	if (b->cb->progress)
		b->cb->progress(b->cb->progress_arg, b->jobs, b->n);
	return b->status < 0 ? -1 : b->running ? 1 : 0;
}

void registry_blobs_end(struct blob_batch *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->n; i++)
		end_transfer(b->multi, &b->jobs[i]);
	curl_multi_cleanup(b->multi);
	free(b);
}

int registry_get_blobs(struct registry *registry, struct blob_job *jobs,
		       size_t n, const struct blob_callbacks *cb)
{
	struct blob_batch *b = registry_blobs_start(registry, jobs, n, cb);
	int rc;

	if (!b)
		return -1;
	while ((rc = registry_blobs_step(b)) > 0)
		;
	registry_blobs_end(b);
	return rc;
}
