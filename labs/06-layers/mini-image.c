/* mini-image - read an OCI image layout; unpack it into a root
 * filesystem, or into a bundle that mini-runc and runc run.
 *
 * Reproduces `umoci unpack` and the image half of `ctr`/`skopeo inspect`:
 *
 *   mini-image [-v] [-x] [--platform OS/ARCH] inspect DIR[:TAG]
 *   mini-image [-v] [-x] [--platform OS/ARCH] unpack DIR[:TAG] ROOTFS
 *   mini-image [-v] [-x] [--platform OS/ARCH] bundle DIR[:TAG] BUNDLE
 *
 * inspect checks every blob's size and sha256 against its descriptor,
 * then prints the manifest, the config, each layer with its diff_id, and
 * the config's Env, Entrypoint, Cmd, WorkingDir, User, ExposedPorts.
 * unpack applies the layers in order; every blob is checked (size,
 * digest, diff_id) while it streams, and every entry is made inside the
 * root or refused. The root is built in ROOTFS.hop-XXXXXX and renamed to
 * ROOTFS only when every layer is applied: a failure leaves nothing.
 * bundle does the same into BUNDLE/rootfs and writes BUNDLE/config.json.
 *
 * Exit status: 0, 1 on failure, 2 on a usage error. A signal (SIGINT,
 * SIGTERM, SIGHUP, SIGPIPE) during unpack or bundle stops it; what was
 * made is removed, and the signal then ends the program.
 * Read: the OCI image spec (image-layout.md, manifest.md, layer.md,
 * config.md, conversion.md); openat2(2); umoci-unpack(1). Linux 5.6
 * (openat2).
 */
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "06-layers/layout.h"
#include "06-layers/tree.h"
#include "lib/hop.h"

static void usage(FILE *out, int status)
{
	fprintf(out,
		_("Usage: %s [-v] [-x] [--platform OS/ARCH] COMMAND ...\n"
		  "\n"
		  "  inspect DIR[:TAG]          show an OCI image layout's image\n"
		  "  unpack DIR[:TAG] ROOTFS    apply its layers to a new ROOTFS\n"
		  "  bundle DIR[:TAG] BUNDLE    a new OCI bundle: rootfs and config.json\n"
		  "\n"
		  "  --platform OS/ARCH  the image to take from an index (default: %s)\n"
		  "  -v, --verbose       narrate each step on stderr\n"
		  "  -x, --explain       also show each system call\n"
		  "  -h, --help          show this help\n"
		  "  -V, --version       show the version\n"),
		hop_program, layout_machine_platform());
	exit(status);
}

/* "os/arch" or "os/arch/variant", as OCI names them: lowercase letters
 * and digits. */
static int check_platform(const char *platform)
{
	int parts = 1, length = 0;
	const char *p;

	for (p = platform; *p; p++) {
		if (*p == '/' && length > 0) {
			parts++;
			length = 0;
		} else if ((*p >= 'a' && *p <= 'z') ||
			   (*p >= '0' && *p <= '9')) {
			length++;
		} else {
			break;
		}
	}
	if (*p || length == 0 || parts < 2 || parts > 3)
		return hop_refuse(
			_("--platform '%s': not OS/ARCH or OS/ARCH/VARIANT (e.g. linux/amd64)"),
			platform);
	return 0;
}

/* Open DIR[:TAG] and load its image. A colon followed by no '/' starts
 * the tag, as in umoci's --image. */
static int load(const char *ref, const char *platform, struct image *image)
{
	char dir[PATH_MAX];
	char *colon;
	int dirfd;

	snprintf(dir, sizeof(dir), "%s", ref);
	colon = strrchr(dir, ':');
	if (colon && strchr(colon, '/'))
		colon = NULL;
	if (colon)
		*colon++ = '\0';
	hop_step(_("image layout %s, tag %s"), dir,
		 colon ? colon : _("(the only one)"));
	dirfd = layout_open(dir);
	if (dirfd < 0)
		return -1;
	if (image_load(dirfd, colon, platform, image) < 0) {
		close(dirfd);
		return hop_wrap("%s", ref);
	}
	return dirfd;
}

static void print_descriptor(const char *what, const struct descriptor *d)
{
	printf("%-11s%s %s %lld\n", what, d->digest, d->media_type,
	       (long long)d->size);
}

static void print_json_field(const json_t *config, const char *key)
{
	json_t *value = json_object_get(config, key);
	char *text;

	if (!value || json_is_null(value))
		return;
	if (json_is_string(value)) {
		if (*json_string_value(value))
			printf("%-11s%s\n", key, json_string_value(value));
		return;
	}
	text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
	if (text)
		printf("%-11s%s\n", key, text);
	free(text);
}

/* Every layer's blob checked first: nothing is printed of a broken image. */
static int inspect(int dirfd, const struct image *image)
{
	const json_t *config = json_object_get(image->config_json, "config");
	json_t *value;
	const char *key;
	char what[32];
	size_t i;

	for (i = 0; i < image->nlayers; i++) {
		hop_step(_("layer %zu of %zu: check the size and sha256 of %s"),
			 i + 1, image->nlayers, image->layers[i].blob.digest);
		if (layout_check_blob(dirfd, &image->layers[i].blob) < 0)
			return -1;
	}
	print_descriptor("manifest", &image->manifest);
	print_descriptor("config", &image->config);
	for (i = 0; i < image->nlayers; i++) {
		snprintf(what, sizeof(what), "layer %zu", i + 1);
		print_descriptor(what, &image->layers[i].blob);
		printf("  %-9s%s\n", "diff_id", image->layers[i].diff_id);
	}
	printf("%-11s%s\n", "platform", image->platform);
	json_array_foreach(json_object_get(config, "Env"), i, value)
	{
		printf("%-11s%s\n", "Env", json_string_value(value));
	}
	print_json_field(config, "Entrypoint");
	print_json_field(config, "Cmd");
	print_json_field(config, "WorkingDir");
	print_json_field(config, "User");
	if (json_object_size(json_object_get(config, "ExposedPorts"))) {
		printf("%-11s", "ExposedPorts");
		json_object_foreach(json_object_get(config, "ExposedPorts"),
				    key, value)
		{
			printf(" %s", key);
		}
		printf("\n");
	}
	return 0;
}

/* A signal (^C, kill, a closed pipe) while a root is built: the unpack
 * stops, the half-made root is removed, and then the signal ends us. */
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	if (!stop_signal) /* the first one: a SIGPIPE may follow a SIGTERM */
		stop_signal = sig;
}

static int catch_signals(void)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	/* No SA_RESTART: a read that waits returns, with EINTR. */
	struct sigaction sa = { .sa_handler = on_signal };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (sigaction(signals[i], &sa, NULL) < 0)
			return hop_fail("sigaction");
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "explain", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *platform = NULL, *command;
	struct image image;
	int c, dirfd, status, want;

	hop_init(argv[0]);
	opterr = 0; /* we name a bad option ourselves */
	for (;;) {
		/* The word getopt_long is at, for hop_warn_bad_option(). */
		const char *word = argv[optind];

		c = getopt_long(argc, argv, "+:vxhV", options, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'p': platform = optarg; break;
		case 'v': hop_verbose = 1; break;
		case 'x': hop_verbose = hop_explain_calls = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("%s %s\n", hop_program, HOP_VERSION); return 0;
		default: hop_warn_bad_option(word, c); usage(stderr, 2);
		}
	}
	if (optind >= argc)
		usage(stderr, 2);
	command = argv[optind++];
	want = strcmp(command, "inspect") == 0 ? 1 :
	       strcmp(command, "unpack") == 0 ||
			       strcmp(command, "bundle") == 0 ?
						 2 :
						 0;
	if (!want) {
		hop_warn_plain(_("unknown command '%s'"), command);
		usage(stderr, 2);
	}
	if (argc - optind != want) {
		hop_warn_plain(_("%s needs %s"), command,
			       want == 1 ? "DIR[:TAG]" :
					   _("DIR[:TAG] and a new path"));
		usage(stderr, 2);
	}
	if (platform && check_platform(platform) < 0) {
		hop_warn_context();
		usage(stderr, 2);
	}
	dirfd = load(argv[optind], platform, &image);
	if (dirfd < 0)
		hop_die_context(1);
	if (want == 1)
		status = inspect(dirfd, &image);
	else
		status = catch_signals() < 0 ?
				 -1 :
				 tree_make(dirfd, &image, argv[optind + 1],
					   &(struct tree_options){
						   .bundle = strcmp(command,
								    "bundle") ==
							     0,
						   .stop = &stop_signal });
	image_free(&image);
	close(dirfd);
	if (status < 0 && stop_signal) {
		hop_warn_context();
		(void)signal(stop_signal, SIG_DFL);
		(void)raise(stop_signal);
		return 128 + stop_signal;
	}
	if (status < 0)
		hop_die_context(1);
	return 0;
}
