/* mini-overlay - mount an overlay, like
 *
 *     mount -t overlay overlay -o lowerdir=L1:L2,upperdir=U,workdir=W MERGED
 *
 * and see what the kernel keeps in the upper dir; then turn that upper dir
 * into an OCI layer (the first half of "docker commit") and apply a layer
 * to a dir (the other half: a copy of the lower dirs with the layer applied
 * is what the overlay showed).
 *
 * Usage: mini-overlay [-v] [-x] mount LOWER[:LOWER...] UPPER WORK MERGED
 *        mini-overlay [-v] [-x] show UPPER [LOWER[:LOWER...]...]
 *        mini-overlay [-v] [-x] diff UPPER LAYER.tar
 *        mini-overlay [-v] [-x] apply LAYER.tar DIR
 *
 * mount: the first LOWER is the top-most, as for the kernel. Unmount with
 * umount MERGED. Every dir must exist; WORK must be empty and on the same
 * mount as UPPER.
 *
 * show: one line per entry of UPPER, in bytewise order of the names, a dir
 * before what it holds: KIND padded to 10 columns, a space, the path
 * relative to UPPER (a dir's ends in '/'), and for two kinds a note:
 *
 *     upper      etc/hostname       (no LOWER given: new, or copied up)
 *     copied up  etc/hostname       (a LOWER has this path too)
 *     new        tmp/x              (no LOWER has it)
 *     whiteout   etc/motd  (char 0/0)
 *     opaque     var/cache/  (trusted.overlay.opaque=y)
 *
 * (the words in parentheses on the first three lines are not printed).
 *
 * diff: writes LAYER.tar (uncompressed pax tar, entries in the order of
 * show, a whiteout as DIR/.wh.NAME, an opaque dir followed by
 * DIR/.wh..wh..opq, overlayfs's own trusted.overlay.* xattrs left out)
 * through LAYER.tar.tmp, and prints its digest, the layer's diff_id:
 *
 *     sha256:<64 hex digits>
 *
 * apply: unpacks LAYER.tar into DIR, whiteouts and opaque dirs honoured
 * (layer.h); DIR is changed in place: apply to a copy.
 *
 * Exit status: 0 when done, 1 when it failed, 2 on a usage error.
 *
 * Read: mount(8) ("Mount options for overlay"), mount(2), xattr(7), the
 * kernel's Documentation/filesystems/overlayfs.rst, the OCI image spec's
 * layer.md ("Whiteouts"). Needs Linux 4.0 (more than one lower dir); the
 * hint about WORK uses statx(2)'s mount id, Linux 5.8.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "06-layers/digest.h"
#include "06-layers/overlay.h"
#include "lib/hop.h"

enum { EXIT_USAGE = 2 };

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out, _("Usage: %s [-v] [-x] COMMAND ARG...\n"), hop_program);
	fputs(_("Mount an overlay like mount -t overlay, and see its upper dir.\n"
		"\n"
		"  mount LOWER[:LOWER...] UPPER WORK MERGED\n"
		"        mount an overlay on MERGED: the first LOWER is the "
		"top-most\n"
		"  show UPPER [LOWER[:LOWER...]...]\n"
		"        list what UPPER holds: copied up, new, whiteout, "
		"opaque\n"
		"  diff UPPER LAYER.tar\n"
		"        write UPPER as an OCI layer; print its sha256 "
		"(the diff_id)\n"
		"  apply LAYER.tar DIR\n"
		"        apply a layer to DIR, whiteouts included\n"
		"\n"
		"  -v, --verbose   tell each step on stderr\n"
		"  -x, --explain   also show each kernel call\n"
		"  -h, --help      show this help\n"
		"  -V, --version   show the version\n"
		"\n"
		"Exit status: 0 when done, 1 on an error, 2 on a usage "
		"error.\n"),
	      out);
	exit(status);
}

static _Noreturn void usage_error(void)
{
	fprintf(stderr, _("Try '%s --help' for more.\n"), hop_program);
	exit(EXIT_USAGE);
}

/* Exactly count arguments after the command, or at least count when
 * more is set. */
static void check_args(const char *command, int argc, char **argv, int count,
		       int more)
{
	if (argc < count) {
		hop_warn_plain(_("%s: too few arguments"), command);
		usage_error();
	}
	if (argc > count && !more) {
		hop_warn_plain(_("%s: unexpected argument '%s'"), command,
			       argv[count]);
		usage_error();
	}
}

static const char *cause_hint(enum overlay_cause cause)
{
	switch (cause) {
	case OVERLAY_CAUSE_WORK_ELSEWHERE:
		return _("WORK must be on the same filesystem, the same mount, "
			 "as UPPER: overlayfs prepares files in WORK and "
			 "rename(2)s them into UPPER");
	case OVERLAY_CAUSE_UPPER_ON_OVERLAY:
		return _("UPPER is on an overlay, which cannot hold another's "
			 "upper dir: put UPPER and WORK on a tmpfs or a disk");
	case OVERLAY_CAUSE_NESTED:
		return _("UPPER and WORK must not be inside one another: make "
			 "them side by side");
	case OVERLAY_CAUSE_UNKNOWN: break;
	}
	return _("the kernel tells the reason in its log: dmesg | tail");
}

static int run_mount(int argc, char **argv)
{
	struct overlay_dirs dirs;
	int saved;

	check_args("mount", argc, argv, 4, 0);
	dirs = (struct overlay_dirs){ argv[0], argv[1], argv[2], argv[3] };
	hop_step(_("mount an overlay on %s: %s over the lower dirs %s (the "
		   "first is the top-most), work dir %s"),
		 dirs.merged, dirs.upper, dirs.lower, dirs.work);
	if (overlay_mount(&dirs) == 0) {
		hop_step(_("reads fall through to the lower dirs; writes copy "
			   "up into %s; umount %s when done"),
			 dirs.upper, dirs.merged);
		return 0;
	}
	saved = errno;
	hop_warn_context();
	if (hop_refused())
		return 1;
	if (saved == ENOENT || saved == ENOTDIR)
		hop_hint(_("overlayfs mounts dirs that exist: make them "
			   "first, with mkdir"));
	else if (saved == EPERM)
		hop_hint(_("mounting needs CAP_SYS_ADMIN: run it as root"));
	else if (saved == ENODEV)
		hop_hint(_("this kernel has no overlayfs: modprobe overlay"));
	else if (saved == EINVAL)
		hop_hint("%s", cause_hint(overlay_cause(&dirs)));
	return 1;
}

/* The LOWER arguments of show, each one dir or several with ':'. */
struct show {
	char **lowers;
	int count;
	char opaque[PATH_MAX]; /* the opaque dir we are in ("a/"), or "" */
};

static int in_lower(const struct show *s, const char *path)
{
	char full[PATH_MAX * 2];
	const char *start, *end;
	struct stat st;

	for (int i = 0; i < s->count; i++) {
		for (start = s->lowers[i];; start = end + 1) {
			end = strchrnul(start, ':');
			snprintf(full, sizeof(full), "%.*s/%s",
				 (int)(end - start), start, path);
			if (lstat(full, &st) == 0)
				return 1;
			if (!*end)
				break;
		}
	}
	return 0;
}

static int show_visit(const struct overlay_entry *e, void *arg)
{
	struct show *s = arg;
	const char *kind = "upper";

	if (e->kind == OVERLAY_WHITEOUT) {
		printf("%-10s %s  (char 0/0)\n", "whiteout", e->path);
		return 0;
	}
	/* What an opaque dir holds is new: the lower dirs are hidden there. */
	if (*s->opaque && strncmp(e->path, s->opaque, strlen(s->opaque)) != 0)
		s->opaque[0] = '\0';
	if (e->kind == OVERLAY_OPAQUE) {
		printf("%-10s %s  (%s=y)\n", "opaque", e->path,
		       OVERLAY_XATTR_OPAQUE);
		if (!*s->opaque)
			snprintf(s->opaque, sizeof(s->opaque), "%s", e->path);
		return 0;
	}
	if (s->count > 0)
		kind = !*s->opaque && in_lower(s, e->path) ? "copied up" :
							     "new";
	printf("%-10s %s\n", kind, e->path);
	return 0;
}

static int run_show(int argc, char **argv)
{
	struct show s = { argv + 1, argc - 1, "" };

	check_args("show", argc, argv, 1, 1);
	hop_step(_("walk %s: a char device 0/0 is a whiteout, a dir with "
		   "%s=y is opaque"),
		 argv[0], OVERLAY_XATTR_OPAQUE);
	if (overlay_walk(argv[0], show_visit, &s) < 0) {
		hop_warn_context();
		return 1;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		hop_warn(_("write the list"));
		return 1;
	}
	return 0;
}

static int run_diff(int argc, char **argv)
{
	char digest[DIGEST_MAX];
	int saved;

	check_args("diff", argc, argv, 2, 0);
	hop_step(_("write %s as a layer to %s (leaving out the %s* xattrs: "
		   "they are this overlay's bookkeeping)"),
		 argv[0], argv[1], OVERLAY_XATTR_PREFIX);
	if (overlay_diff(argv[0], argv[1], digest) < 0) {
		saved = errno;
		hop_warn_context();
		if (saved == EEXIST)
			hop_hint(_("%s.tmp was left by a run that was stopped: "
				   "remove it"),
				 argv[1]);
		return 1;
	}
	printf("%s\n", digest);
	return 0;
}

static int run_apply(int argc, char **argv)
{
	check_args("apply", argc, argv, 2, 0);
	hop_step(_("apply %s to %s"), argv[0], argv[1]);
	if (overlay_apply(argv[0], argv[1]) < 0) {
		hop_warn_context();
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *command;

	hop_init(argv[0]);
	optind = hop_parse_common_options(argc, argv, usage, EXIT_USAGE);
	if (optind >= argc) {
		hop_warn_plain(_("no command given"));
		usage_error();
	}
	command = argv[optind];
	/* Options may follow the command too: mini-overlay show -v U. */
	argc -= optind;
	argv += optind;
	optind = 1;
	optind = hop_parse_common_options(argc, argv, usage, EXIT_USAGE);
	argc -= optind;
	argv += optind;
	if (strcmp(command, "mount") == 0)
		return run_mount(argc, argv);
	if (strcmp(command, "show") == 0)
		return run_show(argc, argv);
	if (strcmp(command, "diff") == 0)
		return run_diff(argc, argv);
	if (strcmp(command, "apply") == 0)
		return run_apply(argc, argv);
	hop_warn_plain(_("unknown command '%s'"), command);
	usage_error();
}
