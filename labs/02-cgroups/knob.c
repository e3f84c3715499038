/* knob.c - cgroup knobs with units and v1 <-> v2 names. See knob.h. */
#include "02-cgroups/knob.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/hop.h"

/* v1 shows "no limit" as a huge number of bytes (LONG_MAX rounded down to
 * a page); anything this large is "max". */
#define UNLIMITED_BYTES (1LL << 62)

/* The knobs whose values are bytes, in either version. */
static const char *const byte_knobs[] = {
	"memory.limit_in_bytes",
	"memory.soft_limit_in_bytes",
	"memory.memsw.limit_in_bytes",
	"memory.kmem.limit_in_bytes",
	"memory.max",
	"memory.high",
	"memory.low",
	"memory.min",
	"memory.swap.max",
	NULL,
};

static int is_byte_knob(const char *knob)
{
	for (int i = 0; byte_knobs[i]; i++)
		if (strcmp(knob, byte_knobs[i]) == 0)
			return 1;
	return 0;
}

int knob_parse_bytes(const char *text, long long *bytes)
{
	static const char units[] = "KMGT";
	const char *unit;
	char *end;
	double number;
	int shift = 0;

	if (strcmp(text, "max") == 0 || strcmp(text, "-1") == 0) {
		*bytes = -1;
		return 0;
	}
	/* Digits, maybe a fraction: strtod alone would also take "0x10",
	 * "1e3", "inf" and "nan". */
	size_t span = strspn(text, "0123456789");

	if (span == 0)
		goto bad;
	if (text[span] == '.') {
		size_t fraction = strspn(text + span + 1, "0123456789");

		if (fraction == 0)
			goto bad;
		span += 1 + fraction;
	}
	errno = 0;
	number = strtod(text, &end);
	if (end != text + span || errno || number < 0 || isnan(number))
		goto bad;
	if (*end) {
		unit = strchr(units, end[0] & ~0x20); /* k or K */
		if (!unit || !*unit ||
		    !(end[1] == '\0' || ((end[1] & ~0x20) == 'B' && !end[2]) ||
		      (end[1] == 'i' && end[2] == 'B' && !end[3])))
			goto bad;
		shift = 10 * (int)(unit - units + 1);
	}
	number = ldexp(number, shift);
	if (number >= (double)UNLIMITED_BYTES)
		goto bad;
	*bytes = (long long)number;
	return 0;
bad:
	return hop_refuse(_("bad size '%s' (use bytes, with K, M, G or T, or "
			    "max)"),
			  text);
}

long knob_shares_to_weight(long shares)
{
	return 1 + ((shares - 2) * 9999) / 262142;
}

long knob_weight_to_shares(long weight)
{
	return 2 + ((weight - 1) * 262142) / 9999;
}

/* "QUOTA PERIOD" of cpu.max into its two words. */
static int split_cpu_max(const char *text, char quota[32], char period[32])
{
	if (sscanf(text, "%31s %31s", quota, period) != 2) {
		errno = EIO;
		return hop_fail(_("cpu.max reads '%s', not \"QUOTA PERIOD\""),
				text);
	}
	return 0;
}

int knob_check_name(const char *knob)
{
	const char *dot = strchr(knob, '.');
	size_t length = strlen(knob);

	/* CONTROLLER.NAME, e.g. memory.max or memory.memsw.limit_in_bytes. */
	if (!dot || dot == knob || !dot[1] || length > 64 ||
	    strspn(knob, "abcdefghijklmnopqrstuvwxyz0123456789_.") != length)
		return hop_refuse(_("bad knob name '%s' (a file of the group, "
				    "like memory.max: a-z, 0-9, _ and .)"),
				  knob);
	return 0;
}

/* Open the knob file beneath the group's directory: openat2 refuses any
 * path that would leave it (RESOLVE_BENEATH) or follow a symlink, and the
 * file must be on a cgroup file system. Returns an fd or -1. */
static int open_knob(const char *dir, const char *knob, int flags)
{
	struct open_how how = {
		.flags = (unsigned long long)flags | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};
	struct statfs fs;
	int group, fd;

	if (knob_check_name(knob) < 0)
		return -1;
	group = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (group < 0)
		return hop_fail(_("open %s"), dir);
	fd = (int)syscall(SYS_openat2, group, knob, &how, sizeof(how));
	hop_explain(fd, "openat2(\"%s\", \"%s\", RESOLVE_BENEATH)", dir, knob);
	close(group);
	if (fd < 0 && errno == ENOENT)
		return hop_fail_hint(HOP_HINT_CGROUP_NO_KNOB,
				     _("no knob %s in %s"), knob, dir);
	if (fd < 0)
		return hop_fail(_("open %s/%s"), dir, knob);
	if (fstatfs(fd, &fs) < 0 || (fs.f_type != CGROUP2_SUPER_MAGIC &&
				     fs.f_type != CGROUP_SUPER_MAGIC)) {
		close(fd);
		errno = EXDEV;
		return hop_fail(_("%s/%s is not on a cgroup file system"), dir,
				knob);
	}
	return fd;
}

static int read_knob(const char *dir, const char *knob, char *value,
		     size_t size)
{
	int fd = open_knob(dir, knob, O_RDONLY);
	ssize_t length;

	if (fd < 0)
		return -1;
	length = read(fd, value, size - 1);
	close(fd);
	if (length < 0)
		return hop_fail(_("read %s/%s"), dir, knob);
	value[length] = '\0';
	while (length && value[length - 1] == '\n')
		value[--length] = '\0';
	return 0;
}

static int write_knob(const char *dir, const char *knob, const char *value)
{
	int fd = open_knob(dir, knob, O_WRONLY | O_TRUNC);
	ssize_t written;

	if (fd < 0)
		return -1;
	written = write(fd, value, strlen(value));
	hop_explain(written, "write(\"%s/%s\", \"%s\")", dir, knob, value);
	if (written < 0) {
		int saved = errno;

		close(fd);
		errno = saved;
		/* v1 refuses a memory limit above memory+swap's. */
		return hop_fail_hint(
			saved == EINVAL &&
					strcmp(knob, "memory.limit_in_bytes") ==
						0 ?
				HOP_HINT_CGROUP_MEMSW_FIRST :
				HOP_HINT_NONE,
			_("write %s to %s/%s"), value, dir, knob);
	}
	close(fd);
	return 0;
}

/* Bytes as this version writes them: -1 or "max" for no limit. */
static void format_bytes(long long bytes, int v2, char *text, size_t size)
{
	if (bytes < 0)
		snprintf(text, size, "%s", v2 ? "max" : "-1");
	else
		snprintf(text, size, "%lld", bytes);
}

/* A v1 byte count read back, as v2 would say it. */
static long long read_bytes(const char *dir, const char *knob)
{
	char text[64];
	long long bytes;

	if (read_knob(dir, knob, text, sizeof(text)) < 0)
		return -2;
	if (strcmp(text, "max") == 0)
		return -1;
	bytes = strtoll(text, NULL, 10);
	return bytes >= UNLIMITED_BYTES ? -1 : bytes;
}

/* v1 names on a v2 hierarchy. */
static int set_v1_name_on_v2(const char *dir, const char *knob,
			     const char *value, char *wrote, size_t size)
{
	char current[64], quota[32] = "max", period[32] = "100000";
	long long bytes, memory;
	long number;

	if (strcmp(knob, "memory.limit_in_bytes") == 0 ||
	    strcmp(knob, "memory.soft_limit_in_bytes") == 0) {
		const char *to = knob[7] == 'l' ? "memory.max" : "memory.low";

		if (knob_parse_bytes(value, &bytes) < 0)
			return -1;
		format_bytes(bytes, 1, current, sizeof(current));
		snprintf(wrote, size, "%s %s", to, current);
		return write_knob(dir, to, current);
	}
	if (strcmp(knob, "memory.memsw.limit_in_bytes") == 0) {
		if (knob_parse_bytes(value, &bytes) < 0)
			return -1;
		memory = read_bytes(dir, "memory.max");
		if (memory == -2)
			return -1;
		if (bytes >= 0 && (memory < 0 || bytes < memory)) {
			return hop_refuse(_("memsw is memory plus swap: set "
					    "memory.limit_in_bytes first, and "
					    "not above this"));
		}
		format_bytes(bytes < 0 ? -1 : bytes - memory, 1, current,
			     sizeof(current));
		snprintf(wrote, size, "memory.swap.max %s", current);
		return write_knob(dir, "memory.swap.max", current);
	}
	if (strcmp(knob, "cpu.shares") == 0) {
		if (hop_parse_long(value, 2, 262144, &number) < 0)
			return -1;
		snprintf(current, sizeof(current), "%ld",
			 knob_shares_to_weight(number));
		snprintf(wrote, size, "cpu.weight %s", current);
		return write_knob(dir, "cpu.weight", current);
	}
	/* cpu.cfs_quota_us or cpu.cfs_period_us: one half of cpu.max. */
	if (read_knob(dir, "cpu.max", current, sizeof(current)) < 0)
		return -1;
	if (split_cpu_max(current, quota, period) < 0)
		return -1;
	if (strcmp(knob, "cpu.cfs_quota_us") == 0) {
		if (strcmp(value, "-1") == 0 || strcmp(value, "max") == 0)
			snprintf(quota, sizeof(quota), "max");
		else if (hop_parse_long(value, 1000, 1L << 40, &number) < 0)
			return -1;
		else
			snprintf(quota, sizeof(quota), "%ld", number);
	} else {
		if (hop_parse_long(value, 1000, 1000000, &number) < 0)
			return -1;
		snprintf(period, sizeof(period), "%ld", number);
	}
	snprintf(current, sizeof(current), "%s %s", quota, period);
	snprintf(wrote, size, "cpu.max %s", current);
	return write_knob(dir, "cpu.max", current);
}

/* v2 names on a v1 hierarchy. */
static int set_v2_name_on_v1(const char *dir, const char *knob,
			     const char *value, char *wrote, size_t size)
{
	char text[64], quota[32], period[32] = "";
	long long bytes, memory;
	long number;

	if (strcmp(knob, "memory.max") == 0 ||
	    strcmp(knob, "memory.low") == 0) {
		const char *to = knob[7] == 'm' ? "memory.limit_in_bytes" :
						  "memory.soft_limit_in_bytes";

		if (knob_parse_bytes(value, &bytes) < 0)
			return -1;
		format_bytes(bytes, 0, text, sizeof(text));
		snprintf(wrote, size, "%s %s", to, text);
		return write_knob(dir, to, text);
	}
	if (strcmp(knob, "memory.swap.max") == 0) {
		if (knob_parse_bytes(value, &bytes) < 0)
			return -1;
		memory = read_bytes(dir, "memory.limit_in_bytes");
		if (memory == -2)
			return -1;
		if (bytes >= 0 && memory < 0) {
			return hop_refuse(_("v1 limits memory plus swap: set "
					    "memory.max first"));
		}
		format_bytes(bytes < 0 ? -1 : memory + bytes, 0, text,
			     sizeof(text));
		snprintf(wrote, size, "memory.memsw.limit_in_bytes %s", text);
		return write_knob(dir, "memory.memsw.limit_in_bytes", text);
	}
	if (strcmp(knob, "cpu.weight") == 0) {
		if (hop_parse_long(value, 1, 10000, &number) < 0)
			return -1;
		snprintf(text, sizeof(text), "%ld",
			 knob_weight_to_shares(number));
		snprintf(wrote, size, "cpu.shares %s", text);
		return write_knob(dir, "cpu.shares", text);
	}
	/* cpu.max: "QUOTA [PERIOD]"; the period goes first, so the kernel
	 * checks the quota against the new one. */
	if (sscanf(value, "%31s %31s", quota, period) < 1) {
		return hop_refuse(_("bad value '%s' (cpu.max is \"QUOTA "
				    "PERIOD\", QUOTA may be max)"),
				  value);
	}
	if (*period) {
		if (hop_parse_long(period, 1000, 1000000, &number) < 0 ||
		    write_knob(dir, "cpu.cfs_period_us", period) < 0)
			return -1;
	}
	if (strcmp(quota, "max") == 0)
		snprintf(quota, sizeof(quota), "-1");
	else if (hop_parse_long(quota, 1000, 1L << 40, &number) < 0)
		return -1;
	snprintf(wrote, size, "cpu.cfs_period_us %s, cpu.cfs_quota_us %s",
		 *period ? period : "(unchanged)", quota);
	return write_knob(dir, "cpu.cfs_quota_us", quota);
}

/* The knobs that have another name in the other version. */
static const struct {
	const char *v1, *v2;
} renamed[] = {
	{ "memory.limit_in_bytes", "memory.max" },
	{ "memory.soft_limit_in_bytes", "memory.low" },
	{ "memory.memsw.limit_in_bytes", "memory.swap.max" },
	{ "cpu.shares", "cpu.weight" },
	{ "cpu.cfs_quota_us+cpu.cfs_period_us", "cpu.max" },
	{ "cpu.cfs_quota_us", "cpu.max" },
	{ "cpu.cfs_period_us", "cpu.max" },
};

/* The other version's name of knob, or NULL if it has none or if knob
 * already belongs to the version of this hierarchy. */
static const char *counterpart(const char *knob, int v2)
{
	for (size_t i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++) {
		if (v2 && strcmp(knob, renamed[i].v1) == 0)
			return renamed[i].v2;
		if (!v2 && strcmp(knob, renamed[i].v2) == 0)
			return renamed[i].v1;
	}
	return NULL;
}

int knob_set(const struct cgroup_hierarchy *h, const char *dir,
	     const char *knob, const char *value, char note[KNOB_NOTE_SIZE])
{
	char wrote[128] = "", text[64];
	long long bytes;

	note[0] = '\0';
	if (knob_check_name(knob) < 0)
		return -1;
	if (counterpart(knob, h->v2)) {
		int rc = h->v2 ? set_v1_name_on_v2(dir, knob, value, wrote,
						   sizeof(wrote)) :
				 set_v2_name_on_v1(dir, knob, value, wrote,
						   sizeof(wrote));

		/* The note tells what was written: only once it was. */
		if (rc == 0)
			snprintf(note, KNOB_NOTE_SIZE,
				 _("cgroup %s has no %s: wrote %s"),
				 h->v2 ? "v2" : "v1", knob, wrote);
		return rc;
	}
	if (is_byte_knob(knob)) {
		if (knob_parse_bytes(value, &bytes) < 0)
			return -1;
		format_bytes(bytes, h->v2, text, sizeof(text));
		return write_knob(dir, knob, text);
	}
	return write_knob(dir, knob, value);
}

/* Read a v1 name on v2, or a v2 name on v1, and convert it back. */
static int get_translated(const struct cgroup_hierarchy *h, const char *dir,
			  const char *knob, char *value, size_t size)
{
	char text[64], quota[32] = "max", period[32] = "100000";
	long long bytes, swap;

	if (strstr(knob, "memory.") == knob) {
		int memsw = strcmp(knob, "memory.memsw.limit_in_bytes") == 0;
		int swap_max = strcmp(knob, "memory.swap.max") == 0;
		int low = strstr(knob, "low") || strstr(knob, "soft");
		const char *from = h->v2 ? (low ? "memory.low" : "memory.max") :
				   low	 ? "memory.soft_limit_in_bytes" :
					   "memory.limit_in_bytes";

		bytes = read_bytes(dir, from);
		if (bytes == -2)
			return -1;
		if (memsw || swap_max) {
			swap = read_bytes(
				dir, h->v2 ? "memory.swap.max" :
					     "memory.memsw.limit_in_bytes");
			if (swap == -2)
				return -1;
			/* v2 -> memsw = memory + swap; v1 -> swap = memsw - memory */
			if (bytes >= 0 && swap >= 0)
				bytes = h->v2 ? bytes + swap : swap - bytes;
			else
				bytes = -1;
		}
		format_bytes(bytes, 1, value, size);
		return 0;
	}
	if (strcmp(knob, "cpu.shares") == 0 ||
	    strcmp(knob, "cpu.weight") == 0) {
		if (read_knob(dir, h->v2 ? "cpu.weight" : "cpu.shares", text,
			      sizeof(text)) < 0)
			return -1;
		snprintf(value, size, "%ld",
			 h->v2 ? knob_weight_to_shares(strtol(text, NULL, 10)) :
				 knob_shares_to_weight(strtol(text, NULL, 10)));
		return 0;
	}
	if (h->v2) {
		if (read_knob(dir, "cpu.max", text, sizeof(text)) < 0)
			return -1;
		if (split_cpu_max(text, quota, period) < 0)
			return -1;
		if (strcmp(knob, "cpu.cfs_period_us") == 0)
			snprintf(value, size, "%s", period);
		else
			snprintf(value, size, "%s",
				 strcmp(quota, "max") == 0 ? "-1" : quota);
		return 0;
	}
	if (read_knob(dir, "cpu.cfs_quota_us", quota, sizeof(quota)) < 0 ||
	    read_knob(dir, "cpu.cfs_period_us", period, sizeof(period)) < 0)
		return -1;
	snprintf(value, size, "%s %s", strcmp(quota, "-1") == 0 ? "max" : quota,
		 period);
	return 0;
}

int knob_get(const struct cgroup_hierarchy *h, const char *dir,
	     const char *knob, char *value, size_t size,
	     char note[KNOB_NOTE_SIZE])
{
	note[0] = '\0';
	if (knob_check_name(knob) < 0)
		return -1;
	if (counterpart(knob, h->v2)) {
		snprintf(note, KNOB_NOTE_SIZE,
			 _("cgroup %s has no %s: read %s"), h->v2 ? "v2" : "v1",
			 knob, counterpart(knob, h->v2));
		return get_translated(h, dir, knob, value, size);
	}
	return read_knob(dir, knob, value, size);
}
