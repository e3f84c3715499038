/* mini-ctr - pull images from a registry and run them: containerd's ctr(8)
 * in small, standing on day 06's layers and day 05's mini-runc.
 *
 *   mini-ctr [options] pull REF          GET manifest, config, layers
 *   mini-ctr [options] images [-q]       what the store holds
 *   mini-ctr [options] rmi REF           forget REF, collect its blobs
 *   mini-ctr [options] create REF ID     a bundle: overlay + config.json
 *   mini-ctr [options] run [--rm] [-d] REF ID [CMD...]
 *   mini-ctr [options] ps | rm [-f] ID | check
 *
 * The store (--root, /var/lib/hop) is an OCI image layout; blobs enter it
 * only whole and checked (store.h). An image is unpacked once, at pull,
 * into a snapshot; a container is an overlay on it (container.h), run by
 * the runtime (--runtime, mini-runc beside us) with its state in --state
 * (/run/hop/ctr), as containerd runs runc.
 *
 * Exit status: run's is the container's; otherwise 0, 1 on failure, 2 on a
 * usage error. Read: ctr(8), the distribution spec, the image spec.
 */
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "06-layers/layer.h"
#include "07-puller/container.h"
#include "07-puller/pull.h"
#include "lib/hop.h"

static struct {
	const char *root, *state, *runtime, *platform, *user;
	int plain_http, quiet;
	long timeout;
} opt = { "/var/lib/hop", "/run/hop/ctr", NULL, NULL, NULL, 0, 0, 30 };

static volatile sig_atomic_t stop_signal;

static const char * or (const char *text, const char *otherwise)
{
	return text ? text : otherwise;
}

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out, _("Usage: %s [options] COMMAND [ARGS]\n"), hop_program);
	fputs(_("Pull images from a registry and run them, as containerd's ctr does.\n"
		"\n"
		"Commands:\n"
		"  pull REF                  fetch an image (checked) into the store\n"
		"  images [-q]               the images in the store (-q: names)\n"
		"  rmi REF                   forget an image and remove its blobs\n"
		"  create REF ID             make container ID from an image\n"
		"  run [--rm] [-d] REF ID [CMD...]  create it and run it\n"
		"  ps                        the containers, with their state\n"
		"  rm [-f] ID                remove a container (-f: kill it first)\n"
		"  check                     every blob matches its digest\n"
		"\n"
		"Options:\n"
		"  --root DIR         the store (default /var/lib/hop)\n"
		"  --state DIR        the runtime's state (default /run/hop/ctr)\n"
		"  --runtime PATH     the OCI runtime (default: mini-runc)\n"
		"  --plain-http       talk HTTP, not HTTPS (a local registry)\n"
		"  --platform OS/ARCH the image to take from an index\n"
		"  -u, --user U:P     credentials for the registry\n"
		"  --timeout SECONDS  give up on a silent registry (default 30)\n"
		"  -q, --quiet        no progress\n"
		"  -v, --verbose      narrate each step on stderr\n"
		"  -x, --explain      also each system call and HTTP exchange\n"
		"  -h, --help, -V, --version\n"
		"REF is [HOST[:PORT]/]NAME[:TAG][@DIGEST], e.g. 127.0.0.1:5055/busybox\n"),
	      out);
	exit(status);
}

/* ---- the runtime ---- */

/* mini-runc beside us, unless --runtime says otherwise. */
static const char *runtime_path(void)
{
	static char path[PATH_MAX];
	ssize_t n;
	char *slash;

	if (opt.runtime)
		return opt.runtime;
	n = readlink("/proc/self/exe", path, sizeof(path) - 16);
	if (n <= 0)
		return "mini-runc";
	path[n] = '\0';
	slash = strrchr(path, '/');
	snprintf(slash + 1, sizeof(path) - (size_t)(slash + 1 - path),
		 "mini-runc");
	return path;
}

/* Run the runtime with args; stdout into out (if given), stderr kept
 * unless quiet. Returns its exit status (128+N for a signal), -1. */
static int runtime(const char *const *args, char *out, size_t size, int quiet,
		   const char *log)
{
	const char *argv[16];
	int pipefd[2] = { -1, -1 }, status;
	size_t i, n = 0, used = 0;
	pid_t pid;

	argv[n++] = runtime_path();
	argv[n++] = "--root";
	argv[n++] = opt.state;
	for (i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if (out && pipe2(pipefd, O_CLOEXEC) < 0)
		return hop_fail("pipe2");
	hop_explain_call("fork + execve(\"%s\", %s %s ...)", argv[0], argv[3],
			 argv[4] ? argv[4] : "");
	pid = fork();
	if (pid < 0)
		return hop_fail("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (out)
			(void)dup2(pipefd[1], 1);
		if (log) {
			int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0640);

			(void)dup2(null, 0);
			(void)dup2(fd, 1);
			(void)dup2(fd, 2);
		} else if (quiet)
			(void)dup2(null, 2);
		(void)hop_default_signals();
		execv(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: %s: %s\n", hop_program, argv[0],
			strerror(errno));
		_exit(127);
	}
	if (out) {
		ssize_t r;

		close(pipefd[1]);
		while (used + 1 < size &&
		       (r = read(pipefd[0], out + used, size - used - 1)) > 0)
			used += (size_t)r;
		out[used] = '\0';
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return hop_fail("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The runtime's view of a container: "running", "created", "stopped"...,
 * or "" if it does not know it. */
static void runtime_status(const char *id, char *status, size_t size, long *pid)
{
	const char *args[] = { "state", id, NULL };
	char out[8192];
	json_t *json;

	status[0] = '\0';
	*pid = 0;
	if (runtime(args, out, sizeof(out), 1, NULL) != 0)
		return;
	json = json_loads(out, 0, NULL);
	snprintf(status, size, "%s",
		 or (json_string_value(json_object_get(json, "status")), ""));
	*pid = (long)json_integer_value(json_object_get(json, "pid"));
	json_decref(json);
}

/* ---- commands ---- */

/* REF, canonical: docker.io/library/busybox:latest. */
static int canonical(const char *text, struct ref *ref, char *name, size_t size)
{
	if (ref_parse(text, ref) < 0)
		return -1;
	ref_string(ref, name, size);
	return 0;
}

static const char *platform(void)
{
	return opt.platform ? opt.platform : layout_machine_platform();
}

static int open_store(struct store *store, int create)
{
	return store_open(store, opt.root, create);
}

/* Progress: a bar per blob on a terminal, a line per blob otherwise. */
struct progress {
	const struct blob_job *jobs; /* the batch shown (the config comes
				      * alone, then the layers) */
	int tty, drawn;
	char shown[64]; /* per job: 1 once its start, 2 once its end is said */
};

static void draw(void *arg, const struct blob_job *jobs, size_t n)
{
	struct progress *p = arg;
	size_t i;

	if (opt.quiet)
		return;
	if (jobs != p->jobs) { /* a new batch: its lines start below */
		p->jobs = jobs;
		p->drawn = 0;
		memset(p->shown, 0, sizeof(p->shown));
	}
	if (p->tty && p->drawn)
		fprintf(stderr, "\033[%dA", p->drawn);
	for (i = 0; i < n && i < sizeof(p->shown); i++) {
		const struct blob_job *j = &jobs[i];
		double part = j->desc.size ? (double)j->received /
						     (double)j->desc.size :
					     1;

		if (p->tty) {
			int bars = (int)(part * 30);

			fprintf(stderr,
				"\r%-6s %.19s  [%.*s%*s] %6.1f / %.1f MiB\033[K\n",
				j->what, j->desc.digest, bars,
				"##############################", 30 - bars, "",
				(double)j->received / 1048576.0,
				(double)j->desc.size / 1048576.0);
		} else if (!p->shown[i]) {
			fprintf(stderr, _("%s %s: fetching %lld bytes\n"),
				j->what, j->desc.digest,
				(long long)j->desc.size);
			p->shown[i] = 1;
		}
		if (!p->tty && p->shown[i] == 1 && j->state == BLOB_DONE) {
			fprintf(stderr, _("%s %s: done\n"), j->what,
				j->desc.digest);
			p->shown[i] = 2;
		}
	}
	p->drawn = p->tty ? (int)n : 0;
}

/* A refused pull: remove the blobs it linked in (whole and checked, but
 * of an image we will not keep), and any other blob no image needs. A
 * pull killed by a signal keeps them: the next one does not fetch them
 * again. (What works records nothing: the pull's failure is kept.) */
static void forget_blobs(struct store *store)
{
	size_t removed;
	int64_t bytes;

	if (store_lock(store, 1) == 0) {
		if (store_gc(store, &removed, &bytes) == 0 && removed)
			hop_step(_("removed %zu blobs of the refused image"),
				 removed);
		(void)snapshot_gc(store);
		(void)store_unlock(store);
	}
}

/* The image was fetched: unpack it into its snapshot; if that fails,
 * forget it again, blobs and all. */
static int unpack_pulled(struct store *store, const char *name)
{
	struct image image;
	size_t removed;
	int64_t bytes;
	int rc;

	if (image_load(store->fd, name, platform(), &image) < 0)
		return hop_wrap(_("image %s"), name);
	/* The pull unpacked its layers while they came; this makes sure,
	 * and sweeps what a killed pull left (DIGEST.hop-XXXXXX), which
	 * needs the lock exclusive: no other unpack runs. */
	if (store_lock(store, 1) < 0) {
		image_free(&image);
		return -1;
	}
	snapshot_sweep(store, strchr(image.manifest.digest, ':') + 1);
	rc = snapshot_make(store, &image, &stop_signal, NULL);
	image_free(&image);
	if (rc == 0)
		return store_unlock(store);
	if (stop_signal) /* the blobs are whole: the next pull unpacks them */
		return -1;
	hop_warn_context();
	hop_warn_plain(_("%s: not kept: removing what this pull stored"), name);
	if (store_lock(store, 1) == 0) {
		(void)store_untag(store, name);
		(void)store_gc(store, &removed, &bytes);
		(void)store_unlock(store);
	}
	errno = EINVAL;
	return hop_refuse(_("%s: refused"), name);
}

static int cmd_pull(const char *text)
{
	struct progress progress = { .tty = isatty(2) };
	struct blob_callbacks cb = { .progress = draw,
				     .progress_arg = &progress,
				     .stop = &stop_signal };
	struct registry registry;
	struct pulled pulled;
	struct store store;
	struct ref ref;
	char name[600];
	int rc, fresh;

	if (canonical(text, &ref, name, sizeof(name)) < 0)
		return -1;
	fresh = access(opt.root, F_OK) < 0 && errno == ENOENT;
	if (registry_init(&registry, ref_host(&ref), ref.name, opt.plain_http,
			  opt.user, opt.timeout) < 0 ||
	    open_store(&store, 1) < 0)
		return -1;
	rc = pull_image(&registry, &store,
			&(struct pull_target){ &ref, name, platform() }, &cb,
			&pulled);
	if (rc < 0 && !stop_signal)
		forget_blobs(&store); /* refused: nothing of it stays */
	if (rc == 0)
		rc = unpack_pulled(&store, name);
	store_close(&store);
	if (rc < 0) {
		hop_wrap(_("pull %s"), name);
		/* The store this pull made goes with it: nothing is left. */
		if (fresh)
			(void)layer_remove_tree(AT_FDCWD, opt.root);
		return -1;
	}
	if (!opt.quiet)
		fprintf(stderr,
			_("%s: fetched %zu blobs (%.1f MiB), %zu already here\n"),
			name, pulled.fetched, (double)pulled.bytes / 1048576.0,
			pulled.had);
	printf("%s %s\n", name, pulled.resolved);
	return 0;
}

/* Sum of the sizes of an image's blobs, from its stored manifest. */
static int64_t image_size(struct store *store, const json_t *entry)
{
	const char *digest =
		json_string_value(json_object_get(entry, "digest"));
	int64_t total = json_integer_value(json_object_get(entry, "size"));
	const json_t *layer;
	json_t *manifest;
	char path[2 * PATH_MAX];
	size_t i;

	if (!digest || digest_check(digest) < 0)
		return total;
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", store->root,
		 digest + 7);
	manifest = json_load_file(path, 0, NULL);
	total += json_integer_value(
		json_object_get(json_object_get(manifest, "config"), "size"));
	json_array_foreach(json_object_get(manifest, "layers"), i, layer)
	{
		total += json_integer_value(json_object_get(layer, "size"));
	}
	json_decref(manifest);
	return total;
}

static int cmd_images(int names_only)
{
	struct store store;
	const json_t *entry;
	json_t *images;
	size_t i;

	if (open_store(&store, 0) < 0)
		return -1;
	images = store_images(&store);
	if (!images) {
		store_close(&store);
		return -1;
	}
	if (!names_only)
		printf("%-44s %-20s %10s  %s\n", "REF", "DIGEST", "SIZE",
		       "PLATFORM");
	json_array_foreach(images, i, entry)
	{
		const json_t *notes = json_object_get(entry, "annotations");
		const json_t *p = json_object_get(entry, "platform");
		const char *name = json_string_value(
			json_object_get(notes, STORE_REF_NAME));
		const char *digest = json_string_value(
			json_object_get(notes, STORE_REF_DIGEST));

		if (names_only) {
			printf("%s\n", name ? name : "");
			continue;
		}
		printf("%-44s %-20.19s %6.1f MiB  %s/%s\n", name ? name : "-",
		       digest ? digest : "-",
		       (double)image_size(&store, entry) / 1048576.0,
		       or (json_string_value(json_object_get(p, "os")), "?"),
		       or (json_string_value(json_object_get(p, "architecture")),
			   "?"));
	}
	json_decref(images);
	store_close(&store);
	return 0;
}

/* The manifest digest name points at, or "". */
static void image_digest(struct store *store, const char *name, char *out,
			 size_t size)
{
	json_t *images = store_images(store);
	const json_t *entry;
	size_t i;

	out[0] = '\0';
	json_array_foreach(images, i, entry)
	{
		const char *have = json_string_value(json_object_get(
			json_object_get(entry, "annotations"), STORE_REF_NAME));

		if (have && strcmp(have, name) == 0)
			snprintf(out, size, "%s",
				 json_string_value(
					 json_object_get(entry, "digest")));
	}
	json_decref(images);
}

static int cmd_rmi(const char *text)
{
	char name[600], digest[DIGEST_MAX], user[80];
	struct store store;
	struct ref ref;
	size_t removed = 0;
	int64_t bytes = 0;
	int rc = -1;

	if (canonical(text, &ref, name, sizeof(name)) < 0 ||
	    open_store(&store, 0) < 0)
		return -1;
	if (store_lock(&store, 1) < 0)
		goto out;
	image_digest(&store, name, digest, sizeof(digest));
	if (digest[0] &&
	    container_using(&store, digest, user, sizeof(user)) == 0 && user[0])
		hop_refuse(
			_("%s is used by container %s (mini-ctr rm %s first)"),
			name, user, user);
	else if (store_untag(&store, name) == 0 &&
		 store_gc(&store, &removed, &bytes) == 0 &&
		 snapshot_gc(&store) == 0)
		rc = 0;
	(void)store_unlock(&store);
out:
	store_close(&store);
	if (rc == 0)
		printf(_("%s: removed, and %zu blobs (%.1f MiB) no image needs\n"),
		       name, removed, (double)bytes / 1048576.0);
	return rc;
}

static int create(const char *text, const char *id, const char *const *args)
{
	struct store store;
	struct ref ref;
	char name[600];
	int rc;

	if (canonical(text, &ref, name, sizeof(name)) < 0 ||
	    container_check_id(id) < 0 || open_store(&store, 0) < 0)
		return -1;
	rc = container_create(&store, name, platform(), id, args);
	store_close(&store);
	return rc;
}

static int remove_container(const char *id, int force)
{
	char status[32];
	struct store store;
	long pid;
	int rc;

	if (container_check_id(id) < 0 || open_store(&store, 0) < 0)
		return -1;
	runtime_status(id, status, sizeof(status), &pid);
	if (strcmp(status, "running") == 0 && !force) {
		store_close(&store);
		return hop_refuse(_("container %s is running: stop it, or "
				    "rm -f to kill it"),
				  id);
	}
	if (status[0]) {
		const char *args[] = { "delete", "--force", id, NULL };

		if (runtime(args, NULL, 0, 0, NULL) != 0) {
			store_close(&store);
			return hop_refuse(_("the runtime could not delete %s"),
					  id);
		}
	}
	if (faccessat(store.fd, "containers", F_OK, 0) == 0) {
		char dir[100];

		snprintf(dir, sizeof(dir), "containers/%s", id);
		if (faccessat(store.fd, dir, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
			store_close(&store);
			return hop_refuse(_("no container %s in %s"), id,
					  opt.root);
		}
	}
	rc = container_remove(&store, id);
	store_close(&store);
	return rc;
}

static int cmd_run(const char *text, const char *id, const char *const *args,
		   int rm, int detach)
{
	char bundle[PATH_MAX + 80], log[PATH_MAX + 100];
	const char *run[] = { "run", "--bundle", bundle, id, NULL, NULL };
	const char *run_detached[] = { "run",  "--detach", "--bundle",
				       bundle, id,	   NULL };
	int status;

	if (create(text, id, args) < 0)
		return -1;
	snprintf(bundle, sizeof(bundle), "%s/containers/%s", opt.root, id);
	snprintf(log, sizeof(log), "%s/log", bundle);
	hop_step(_("running %s with %s"), id, runtime_path());
	if (detach)
		return runtime(run_detached, NULL, 0, 0, log) == 0 ?
			       0 :
			       hop_refuse(_("the runtime could not start %s; "
					    "see %s"),
					  id, log);
	/* The terminal's ^C goes to the container; we wait for it. */
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGQUIT, SIG_IGN);
	status = runtime(run, NULL, 0, 0, NULL);
	if (rm && remove_container(id, 1) < 0)
		hop_warn_context();
	return status;
}

static int cmd_ps(void)
{
	struct store store;
	struct dirent *e;
	DIR *dir;

	if (open_store(&store, 0) < 0)
		return -1;
	dir = fdopendir(openat(store.fd, "containers",
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	printf("%-20s %-44s %-8s %s\n", "ID", "IMAGE", "STATUS", "PID");
	while (dir && (e = readdir(dir)) != NULL) {
		char image[600], status[32];
		long pid;

		if (e->d_name[0] == '.' || strstr(e->d_name, ".hop-"))
			continue;
		(void)container_annotation(&store, e->d_name,
					   CONTAINER_IMAGE_NAME, image,
					   sizeof(image));
		runtime_status(e->d_name, status, sizeof(status), &pid);
		printf("%-20s %-44s %-8s %ld\n", e->d_name, image,
		       status[0] ? status : "stopped", pid);
	}
	if (dir)
		closedir(dir);
	store_close(&store);
	return 0;
}

static void report(void *arg, const char *digest, const char *problem)
{
	(void)arg;
	printf("%s: %s\n", digest, problem);
}

static int cmd_check(void)
{
	struct store store;
	int problems;

	if (open_store(&store, 0) < 0)
		return -1;
	problems = store_check(&store, report, NULL);
	store_close(&store);
	if (problems < 0)
		return -1;
	if (problems > 0)
		return hop_refuse(_("the store %s: problems found: %d"),
				  opt.root, problems);
	printf(_("%s: every blob matches its digest, and every image has its "
		 "blobs\n"),
	       opt.root);
	return 0;
}

/* ---- options ---- */

/* path, made absolute from the current directory, into buf. */
static const char *absolute(const char *path, char *buf)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		return path;
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (snprintf(buf, PATH_MAX, "%s/%s", cwd, path) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return buf;
}

/* Say what failed, and what usually causes it; exit 1. */
static _Noreturn void fail(void)
{
	hop_warn_context();
	switch (hop_error_hint()) {
	case HOP_HINT_REGISTRY_DOWN:
		hop_hint(_("is the registry running, on that port? "
			   "(tools/registry start)"));
		break;
	case HOP_HINT_REGISTRY_PLAIN_HTTP:
		hop_hint(_(
			"a local registry speaks plain HTTP: add --plain-http"));
		break;
	case HOP_HINT_REGISTRY_TIMEOUT:
		hop_hint(_("the registry stopped answering; --timeout SECONDS "
			   "waits longer"));
		break;
	case HOP_HINT_STORE_EMPTY:
		hop_hint(_("nothing was pulled into it yet: mini-ctr --root %s "
			   "pull REF"),
			 opt.root);
		break;
	case HOP_HINT_STORE_ON_OVERLAY:
		hop_hint(
			_("the store is on an overlay (a container's upper dir "
			  "cannot be): give --root a directory elsewhere"));
		break;
	default: break;
	}
	exit(1);
}

static void on_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

/* Options of a command ("run --rm -d"): the letters it allows. */
static int command_flags(int argc, char **argv, const char *allowed, int *flags)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i];

		if (strcmp(o, "--") == 0)
			return i + 1;
		if (strcmp(o, "--rm") == 0 && strchr(allowed, 'r'))
			flags['r'] = 1;
		else if ((strcmp(o, "-d") == 0 || strcmp(o, "--detach") == 0) &&
			 strchr(allowed, 'd'))
			flags['d'] = 1;
		else if ((strcmp(o, "-f") == 0 || strcmp(o, "--force") == 0) &&
			 strchr(allowed, 'f'))
			flags['f'] = 1;
		else if (strcmp(o, "-q") == 0 && strchr(allowed, 'q'))
			flags['q'] = 1;
		else {
			hop_warn_plain(_("%s: unknown option '%s'"), argv[0],
				       o);
			usage(stderr, 2);
		}
	}
	return i;
}

static int operands(const char *command, int have, int low, int high,
		    const char *what)
{
	if (have < low || (high >= 0 && have > high)) {
		hop_warn_plain(_("%s needs %s"), command, what);
		usage(stderr, 2);
	}
	return 0;
}

static int dispatch(int argc, char **argv)
{
	const char *command = argv[0];
	int flags[128] = { 0 };
	int i = command_flags(argc, argv,
			      strcmp(command, "run") == 0    ? "rd" :
			      strcmp(command, "rm") == 0     ? "f" :
			      strcmp(command, "images") == 0 ? "q" :
							       "",
			      flags);
	int left = argc - i;

	if (strcmp(command, "pull") == 0 &&
	    operands(command, left, 1, 1, "REF") == 0)
		return cmd_pull(argv[i]);
	if (strcmp(command, "images") == 0 || strcmp(command, "ls") == 0)
		return operands(command, left, 0, 0, _("no operand")) < 0 ?
			       -1 :
			       cmd_images(flags['q']);
	if (strcmp(command, "rmi") == 0 &&
	    operands(command, left, 1, 1, "REF") == 0)
		return cmd_rmi(argv[i]);
	if (strcmp(command, "create") == 0 &&
	    operands(command, left, 2, 2, "REF ID") == 0)
		return create(argv[i], argv[i + 1], NULL);
	if (strcmp(command, "run") == 0 &&
	    operands(command, left, 2, -1, "REF ID [CMD...]") == 0) {
		if (flags['r'] && flags['d']) {
			hop_warn_plain(_("run: --rm and -d together: remove a "
					 "detached container with rm -f"));
			usage(stderr, 2);
		}
		return cmd_run(argv[i], argv[i + 1],
			       (const char *const *)argv + i + 2, flags['r'],
			       flags['d']);
	}
	if (strcmp(command, "ps") == 0)
		return operands(command, left, 0, 0, _("no operand")) < 0 ?
			       -1 :
			       cmd_ps();
	if (strcmp(command, "rm") == 0 &&
	    operands(command, left, 1, 1, "ID") == 0)
		return remove_container(argv[i], flags['f']);
	if (strcmp(command, "check") == 0)
		return operands(command, left, 0, 0, _("no operand")) < 0 ?
			       -1 :
			       cmd_check();
	hop_warn_plain(_("unknown command '%s'"), command);
	usage(stderr, 2);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "state", required_argument, NULL, 's' },
		{ "runtime", required_argument, NULL, 'R' },
		{ "plain-http", no_argument, NULL, 'P' },
		{ "platform", required_argument, NULL, 'p' },
		{ "user", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "explain", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	static char root_buf[PATH_MAX], state_buf[PATH_MAX];
	int c, rc;

	hop_init(argv[0]);
	opterr = 0;
	for (;;) {
		const char *word = argv[optind];

		c = getopt_long(argc, argv, "+:u:qvxhV", options, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'r': opt.root = optarg; break;
		case 's': opt.state = optarg; break;
		case 'R': opt.runtime = optarg; break;
		case 'P': opt.plain_http = 1; break;
		case 'p': opt.platform = optarg; break;
		case 'u': opt.user = optarg; break;
		case 't':
			if (hop_parse_long(optarg, 1, 3600, &opt.timeout) < 0) {
				hop_warn_plain(
					_("--timeout '%s': a number of seconds, 1 to 3600"),
					optarg);
				usage(stderr, 2);
			}
			break;
		case 'q': opt.quiet = 1; break;
		case 'v': hop_verbose = 1; break;
		case 'x': hop_verbose = hop_explain_calls = 1; break;
		case 'h': usage(stdout, 0);
		case 'V': printf("%s %s\n", hop_program, HOP_VERSION); return 0;
		default: hop_warn_bad_option(word, c); usage(stderr, 2);
		}
	}
	if (optind >= argc)
		usage(stderr, 2);
	/* The runtime runs elsewhere and wants absolute paths; so do
	 * the messages that name them. */
	opt.root = absolute(opt.root, root_buf);
	opt.state = absolute(opt.state, state_buf);
	if (!opt.root || !opt.state)
		hop_die(1, _("the current directory"));
	if (opt.user && !strchr(opt.user, ':')) {
		hop_warn_plain(_("-u '%s': give USER:PASSWORD"), opt.user);
		usage(stderr, 2);
	}
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	rc = dispatch(argc - optind, argv + optind);
	if (rc < 0 && stop_signal) {
		/* Stopped by a signal: say where, then let it end us. */
		hop_warn_context();
		(void)signal(stop_signal, SIG_DFL);
		(void)raise(stop_signal);
		return 128 + stop_signal;
	}
	if (rc < 0)
		fail();
	return rc;
}
