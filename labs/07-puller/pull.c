/* pull.c - a registry's image into the store, checked all the way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "07-puller/container.h"
#include "07-puller/pull.h"
#include "lib/hop.h"

static int is_index(const char *media_type)
{
	return strcmp(media_type, MEDIA_OCI_INDEX) == 0 ||
	       strcmp(media_type, MEDIA_DOCKER_LIST) == 0;
}

static int is_manifest(const char *media_type)
{
	return strcmp(media_type, MEDIA_OCI_MANIFEST) == 0 ||
	       strcmp(media_type, MEDIA_DOCKER_MANIFEST) == 0;
}

/* "os/arch[/variant]" of an index entry. */
static void entry_platform(const json_t *entry, char *out, size_t size)
{
	const json_t *p = json_object_get(entry, "platform");
	const char *variant = json_string_value(json_object_get(p, "variant"));

	const char *os = json_string_value(json_object_get(p, "os"));
	const char *arch =
		json_string_value(json_object_get(p, "architecture"));

	snprintf(out, size, "%s/%s%s%s", os ? os : "?", arch ? arch : "?",
		 variant ? "/" : "", variant ? variant : "");
}

int pull_pick_platform(const json_t *index, const char *platform,
		       struct descriptor *out)
{
	const json_t *entry;
	char have[64], list[512] = "";
	size_t i, used = 0;
	size_t want = strlen(platform);

	json_array_foreach(json_object_get(index, "manifests"), i, entry)
	{
		entry_platform(entry, have, sizeof(have));
		/* "linux/arm64" matches "linux/arm64/v8": no variant asked */
		if (strcmp(have, platform) == 0 ||
		    (strncmp(have, platform, want) == 0 && have[want] == '/' &&
		     strchr(platform + strcspn(platform, "/") + 1, '/') ==
			     NULL))
			return layout_read_descriptor(entry, have, out);
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, "%s%s",
						 used ? ", " : "", have);
	}
	return hop_refuse(_("no image for %s in the index; it has: %s "
			    "(choose one with --platform)"),
			  platform, used ? list : _("nothing"));
}

/* The manifest's media type: its own mediaType field, else the header's. */
static const char *media_type_of(const json_t *json,
				 const struct manifest_body *body)
{
	const char *type =
		json_string_value(json_object_get(json, "mediaType"));

	return type ? type : body->media_type;
}

/* GET the reference; if it is an index, GET this platform's manifest. */
static int resolve(struct registry *registry, const struct ref *ref,
		   const char *platform, struct manifest_body *body,
		   json_t **json, struct pulled *out)
{
	struct descriptor chosen;
	json_error_t error;

	if (registry_get_manifest(registry, ref_reference(ref), body) < 0)
		return -1;
	snprintf(out->resolved, sizeof(out->resolved), "%s", body->digest);
	*json = json_loadb(body->data, body->size, 0, &error);
	if (!*json)
		return hop_refuse(_("manifest %s: not JSON: %s"), body->digest,
				  error.text);
	if (json_integer_value(json_object_get(*json, "schemaVersion")) != 2)
		return hop_refuse(_("manifest %s: schemaVersion is not 2 "
				    "(Docker's old schema 1 is not read)"),
				  body->digest);
	if (!is_index(media_type_of(*json, body)))
		return 0;
	if (pull_pick_platform(*json, platform, &chosen) < 0)
		return -1;
	hop_step(_("the index names %s for %s"), chosen.digest, platform);
	json_decref(*json);
	*json = NULL;
	manifest_body_free(body);
	if (registry_get_manifest(registry, chosen.digest, body) < 0)
		return -1;
	if ((int64_t)body->size != chosen.size)
		return hop_refuse(_("manifest %s: %zu bytes, the index says "
				    "%lld; refused"),
				  chosen.digest, body->size,
				  (long long)chosen.size);
	*json = json_loadb(body->data, body->size, 0, &error);
	if (!*json)
		return hop_refuse(_("manifest %s: not JSON: %s"), chosen.digest,
				  error.text);
	return 0;
}

/* The blobs a manifest needs: its config, then its layers. */
static struct blob_job *manifest_jobs(const json_t *manifest, size_t *n)
{
	const json_t *layers = json_object_get(manifest, "layers");
	struct blob_job *jobs;
	const json_t *layer;
	size_t i;

	if (!json_is_array(layers)) {
		hop_refuse(_("manifest: no layers array; refused"));
		return NULL;
	}
	*n = 1 + json_array_size(layers);
	jobs = calloc(*n, sizeof(*jobs));
	if (!jobs) {
		hop_fail(_("out of memory"));
		return NULL;
	}
	jobs[0].what = "config";
	if (layout_read_descriptor(json_object_get(manifest, "config"),
				   "config", &jobs[0].desc) < 0)
		goto fail;
	json_array_foreach(layers, i, layer)
	{
		jobs[i + 1].what = "layer";
		if (layout_read_descriptor(layer, "layer", &jobs[i + 1].desc) <
		    0)
			goto fail;
	}
	for (i = 0; i < *n; i++)
		jobs[i].fd = -1;
	return jobs;
fail:
	free(jobs);
	return NULL;
}

/* A blob was checked whole: link it in. */
static int link_blob(void *arg, struct blob_job *job)
{
	struct store *store = arg;

	return store_commit(store, job->fd, job->desc.digest);
}

/* Fetch the jobs the store lacks. */
static int fetch(struct registry *registry, struct store *store,
		 struct blob_job *jobs, size_t n,
		 const struct blob_callbacks *callbacks, struct pulled *out)
{
	struct blob_callbacks cb = *callbacks;
	struct blob_job *want = calloc(n, sizeof(*want));
	size_t i, k = 0;
	int rc = 0;

	if (!want)
		return hop_fail(_("out of memory"));
	for (i = 0; i < n && rc == 0; i++) {
		int has = store_has(store, &jobs[i].desc);

		if (has < 0)
			rc = -1;
		else if (has) {
			out->had++;
			hop_step(_("%s %s: already in the store"), jobs[i].what,
				 jobs[i].desc.digest);
		} else {
			want[k] = jobs[i];
			want[k].fd = store_temp(store);
			rc = want[k++].fd < 0 ? -1 : 0;
		}
	}
	cb.done = link_blob;
	cb.done_arg = store;
	if (rc == 0 && k > 0)
		rc = registry_get_blobs(registry, want, k, &cb);
	for (i = 0; i < k; i++) {
		if (want[i].fd >= 0)
			close(want[i].fd);
		if (want[i].state == BLOB_DONE) {
			out->fetched++;
			out->bytes += want[i].desc.size;
		}
	}
	if (callbacks->progress && k > 0)
		callbacks->progress(callbacks->progress_arg, want, k);
	free(want);
	return rc;
}

/* ---- the layers: fetched and unpacked at once ---- */

/* A layer being fetched, read by the unpack as its bytes arrive: they
 * are in the job's file up to job->received; when it has no more, the
 * transfers are let run a step. The end comes when the job is done, and
 * that means its size and sha256 were right. */
struct stream {
	struct blob_batch *batch;
	struct blob_job *job;
	int64_t offset;
	struct layer_source source;
};

static ssize_t stream_read(void *arg, void *buf, size_t size)
{
	struct stream *s = arg;

	for (;;) {
		int64_t have = s->job->received - s->offset;
		ssize_t n;

		if (have > 0) {
			n = pread(s->job->fd, buf,
				  (size_t)have < size ? (size_t)have : size,
				  (off_t)s->offset);
			if (n < 0)
				return hop_fail(_("read %s"),
						s->job->desc.digest);
			s->offset += n;
			return n;
		}
		if (s->job->state == BLOB_DONE)
			return 0;
		if (s->job->state == BLOB_FAILED ||
		    registry_blobs_step(s->batch) < 0)
			return -1; /* the batch recorded why */
	}
}

struct pipeline {
	struct stream *streams; /* per layer; job NULL: in the store */
};

static const struct layer_source *layer_source(void *arg, size_t i)
{
	struct pipeline *p = arg;

	return p->streams[i].job ? &p->streams[i].source : NULL;
}

/* The unpack failed: was it the bytes? A changed or cut blob breaks the
 * gzip stream before its last byte shows the wrong digest. Let the
 * transfers end, and if one failed (digest, size), say that instead. */
static void prefer_transfer_failure(struct blob_batch *batch,
				    const struct blob_job *want, size_t k)
{
	size_t i;

	while (registry_blobs_step(batch) > 0)
		;
	for (i = 0; i < k; i++) {
		if (want[i].state == BLOB_FAILED) {
			hop_refuse("%s", want[i].error);
			return;
		}
	}
}

/* Fetch the layers the store lacks, and unpack the snapshot from them
 * while they come: download, sha256, inflate and extract at once. */
static int fetch_and_unpack(struct registry *registry, struct store *store,
			    const struct image *image, struct blob_job *jobs,
			    const struct blob_callbacks *callbacks,
			    struct pulled *out)
{
	struct blob_callbacks cb = *callbacks;
	size_t i, k = 0, n = image->nlayers;
	struct blob_job *want = calloc(n + 1, sizeof(*want));
	struct stream *streams = calloc(n + 1, sizeof(*streams));
	struct pipeline pipeline = { streams };
	struct blob_batch *batch = NULL;
	int rc = 0;

	if (!want || !streams) {
		free(want);
		free(streams);
		return hop_fail(_("out of memory"));
	}
	for (i = 0; i < n && rc == 0; i++) {
		int has = store_has(store, &jobs[i].desc);

		if (has < 0) {
			rc = -1;
		} else if (has) {
			out->had++;
		} else {
			want[k] = jobs[i];
			want[k].fd = store_temp(store);
			streams[i].job = &want[k];
			rc = want[k++].fd < 0 ? -1 : 0;
		}
	}
	cb.done = link_blob;
	cb.done_arg = store;
	if (rc == 0 && k > 0) {
		batch = registry_blobs_start(registry, want, k, &cb);
		rc = batch ? 0 : -1;
	}
	for (i = 0; i < n; i++) {
		streams[i].batch = batch;
		streams[i].source =
			(struct layer_source){ stream_read, &streams[i] };
	}
	if (rc == 0)
		rc = snapshot_make(store, image, callbacks->stop,
				   &(struct snapshot_source){ layer_source,
							      &pipeline });
	if (rc == 0 && batch) {
		/* the snapshot was there already: fetch the rest */
		while ((rc = registry_blobs_step(batch)) > 0)
			;
	}
	if (rc < 0 && batch)
		prefer_transfer_failure(batch, want, k);
	registry_blobs_end(batch);
	for (i = 0; i < k; i++) {
		close(want[i].fd);
		if (want[i].state == BLOB_DONE) {
			out->fetched++;
			out->bytes += want[i].desc.size;
		}
	}
	free(streams);
	free(want);
	return rc;
}

/* What a pull killed with SIGKILL while it unpacked left: swept if no
 * other pull runs (the lock exclusive, without waiting), then the lock
 * shared, as every pull holds it. */
static int lock_and_sweep(struct store *store, const char *manifest)
{
	if (store_try_lock(store) == 0)
		snapshot_sweep(store, strchr(manifest, ':') + 1);
	return store_lock(store, 0);
}

int pull_image(struct registry *registry, struct store *store,
	       const struct pull_target *target,
	       const struct blob_callbacks *callbacks, struct pulled *out)
{
	const char *platform = target->platform;
	struct manifest_body body = { 0 };
	struct blob_job *jobs = NULL;
	struct image image = { 0 };
	json_t *json = NULL;
	size_t n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	snprintf(out->platform, sizeof(out->platform), "%s", platform);
	if (resolve(registry, target->ref, platform, &body, &json, out) < 0)
		goto done;
	if (!is_manifest(media_type_of(json, &body))) {
		hop_refuse(_("manifest %s: media type '%s' is not an image "
			     "manifest we read"),
			   body.digest, media_type_of(json, &body));
		goto done;
	}
	jobs = manifest_jobs(json, &n);
	if (!jobs || lock_and_sweep(store, body.digest) < 0)
		goto done;
	snprintf(out->manifest.digest, sizeof(out->manifest.digest), "%s",
		 body.digest);
	snprintf(out->manifest.media_type, sizeof(out->manifest.media_type),
		 "%s", media_type_of(json, &body));
	out->manifest.size = (int64_t)body.size;
	/* The config first (the layers' diff_ids are in it), then the
	 * manifest; the image can then be read from the store, unnamed. */
	if (fetch(registry, store, jobs, 1, callbacks, out) == 0 &&
	    store_put(store, body.digest, body.data, body.size) == 0 &&
	    image_load_manifest(store->fd, &out->manifest, &image) == 0 &&
	    fetch_and_unpack(registry, store, &image, jobs + 1, callbacks,
			     out) == 0 &&
	    store_tag(store, target->name, &out->manifest, platform,
		      out->resolved) == 0)
		rc = 0;
	image_free(&image);
	(void)store_unlock(store);
done:
	free(jobs);
	json_decref(json);
	manifest_body_free(&body);
	return rc;
}
