/* hop.c - error, narration and file helpers shared by every hộp program. */
#include "lib/hop.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef HOP_VERSION
#define HOP_VERSION "0"
#endif

#ifndef HOP_LOCALEDIR
#define HOP_LOCALEDIR "/usr/share/locale"
#endif

const char *hop_program = "hop";
int hop_verbose;
int hop_explain_calls;

static char context[512];
static enum hop_error_kind kind;
static enum hop_hint hint_code;

void hop_init(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');
	/* secure_getenv: a set-user-ID copy must not read its messages from
	 * a directory the caller chose. */
	const char *dir = secure_getenv("HOP_LOCALEDIR");

	hop_program = slash ? slash + 1 : argv0;
	setlocale(LC_ALL, "");
	bindtextdomain("hop", dir && *dir ? dir : HOP_LOCALEDIR);
	textdomain("hop");
	/* A parent and its child both narrate on stderr: whole lines keep
	 * their -v and -x lines from breaking into each other. */
	setvbuf(stderr, NULL, _IOLBF, BUFSIZ);
}

int hop_parse_common_options(int argc, char **argv,
			     void (*usage)(FILE *out, int status),
			     int bad_status)
{
	static const struct option longs[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "explain", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	opterr = 0; /* we name the bad option ourselves, with our short name */
	for (;;) {
		/* The word getopt_long is at, for hop_warn_bad_option(). */
		const char *word = argv[optind];
		/* '+': stop at the first non-option, so COMMAND keeps its
		 * options. */
		int c = getopt_long(argc, argv, "+vxhV", longs, NULL);

		if (c == -1)
			break;
		switch (c) {
		case 'v': hop_verbose = 1; break;
		case 'x': hop_explain_calls = 1; break;
		case 'h': usage(stdout, 0); exit(0);
		case 'V': printf("%s %s\n", hop_program, HOP_VERSION); exit(0);
		default:
			hop_warn_bad_option(word, c);
			usage(stderr, bad_status);
			exit(bad_status);
		}
	}
	return optind;
}

void hop_warn_bad_option(const char *word, int c)
{
	const char *equals;

	if (!word || word[0] != '-' || word[1] != '-') {
		/* A short option: only optopt names it ("-zv" is one word). */
		if (c == ':')
			hop_warn_plain(_("option '-%c' needs a value"), optopt);
		else
			hop_warn_plain(_("unknown option '-%c'"), optopt);
		return;
	}
	equals = strchr(word, '=');
	if (c == ':')
		hop_warn_plain(_("option '%s' needs a value"), word);
	else if (optopt && equals) /* a known option, given a value */
		hop_warn_plain(_("option '%.*s' takes no value"),
			       (int)(equals - word), word);
	else
		hop_warn_plain(_("unknown option '%s'"), word);
}

/* In parentheses, here and below: hop.h makes these names macros too. */
int(hop_record)(enum hop_error_kind new_kind, enum hop_hint hint, int error,
		const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	kind = new_kind;
	hint_code = hint;
	errno = error;
	return -1;
}

int(hop_wrap)(const char *fmt, ...)
{
	char inner[sizeof(context)];
	int saved = errno;
	va_list ap;

	memcpy(inner, context, sizeof(inner));
	va_start(ap, fmt);
	vsnprintf(context, sizeof(context), fmt, ap);
	va_end(ap);
	/* Cut where it does not fit, like every context. */
	strncat(context, ": ", sizeof(context) - strlen(context) - 1);
	strncat(context, inner, sizeof(context) - strlen(context) - 1);
	errno = saved;
	return -1;
}

int(hop_set_hint)(enum hop_hint hint)
{
	hint_code = hint;
	return -1;
}

int hop_refused(void)
{
	return kind == HOP_ERROR_REFUSED;
}

enum hop_error_kind hop_error_kind(void)
{
	return kind;
}

enum hop_hint hop_error_hint(void)
{
	return hint_code;
}

const char *hop_context(void)
{
	return context[0] ? context : _("unknown step");
}

static void print_message(int with_errno, int saved, const char *fmt,
			  va_list ap)
{
	fprintf(stderr, "%s: ", hop_program);
	vfprintf(stderr, fmt, ap);
	if (with_errno)
		fprintf(stderr, ": %s", strerror(saved));
	fputc('\n', stderr);
}

void hop_die(int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	print_message(1, saved, fmt, ap);
	va_end(ap);
	exit(status);
}

void hop_die_context(int status)
{
	hop_warn_context();
	exit(status);
}

void hop_warn_context(void)
{
	int saved = errno;

	if (kind == HOP_ERROR_SYSTEM)
		hop_warn("%s", hop_context());
	else
		hop_warn_plain("%s", hop_context());
	errno = saved;
}

void hop_die_plain(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_message(0, 0, fmt, ap);
	va_end(ap);
	exit(status);
}

void hop_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	print_message(1, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void hop_warn_plain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_message(0, 0, fmt, ap);
	va_end(ap);
}

void hop_hint(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	fputs(_("hint: "), stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = saved;
}

void hop_step(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!hop_verbose && !hop_explain_calls)
		return;
	fprintf(stderr, "%s: ", hop_program);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = saved;
}

/* "  call(args)", indented under the step it belongs to. */
static void print_call(const char *fmt, va_list ap)
{
	fputs("  ", stderr);
	vfprintf(stderr, fmt, ap);
}

void hop_explain(long result, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!hop_explain_calls)
		return;
	va_start(ap, fmt);
	print_call(fmt, ap);
	va_end(ap);
	if (result < 0)
		fprintf(stderr, " = -1 %s (%s)\n", strerrorname_np(saved),
			strerror(saved));
	else
		fprintf(stderr, " = %ld\n", result);
	errno = saved;
}

void hop_explain_call(const char *fmt, ...)
{
	va_list ap;

	if (!hop_explain_calls)
		return;
	va_start(ap, fmt);
	print_call(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *hop_flags_string(unsigned long flags, const struct hop_flag *names,
			     char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; names->name && used < size; names++) {
		if ((flags & names->value) != names->value || !names->value)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 used ? "|" : "", names->name);
		flags &= ~names->value;
	}
	if ((flags || !used) && used < size)
		snprintf(buf + used, size - used, "%s%#lx", used ? "|" : "",
			 flags);
	return buf;
}

int hop_parse_long(const char *text, long low, long high, long *value)
{
	char *end;
	long parsed;

	errno = 0;
	parsed = strtol(text, &end, 10);
	/* strtol skips leading blanks: a number starts with a digit or a
	 * sign. */
	if (end == text || *end || errno ||
	    !(isdigit((unsigned char)*text) || *text == '-' || *text == '+') ||
	    parsed < low || parsed > high)
		return hop_refuse(_("bad value '%s' (a whole number from %ld "
				    "to %ld)"),
				  text, low, high);
	*value = parsed;
	return 0;
}

int hop_write_file(const char *path, const char *text)
{
	size_t length = strlen(text);
	ssize_t written;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return hop_fail(_("open %s"), path);
	written = write(fd, text, length);
	if (hop_explain_calls) {
		char shown[160];
		size_t at = 0;

		/* Newlines shown as \n, the way strace shows a buffer. */
		for (const char *c = text; *c && at + 3 < sizeof(shown); c++) {
			if (*c == '\n') {
				shown[at++] = '\\';
				shown[at++] = 'n';
			} else {
				shown[at++] = *c;
			}
		}
		shown[at] = '\0';
		hop_explain(written, "write(\"%s\", \"%s\")", path, shown);
	}
	if (written < 0 || (size_t)written != length) {
		int saved = written < 0 ? errno : EIO;

		close(fd);
		errno = saved;
		return hop_fail(_("write %s"), path);
	}
	if (close(fd) < 0)
		return hop_fail(_("close %s"), path);
	return 0;
}

ssize_t hop_read_file(const char *path, char *buf, size_t size)
{
	ssize_t got, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return hop_fail(_("open %s"), path);
	while ((size_t)total + 1 < size) {
		got = read(fd, buf + total, size - 1 - (size_t)total);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int saved = errno;

			close(fd);
			errno = saved;
			return hop_fail(_("read %s"), path);
		}
		if (got == 0)
			break;
		total += got;
	}
	buf[total] = '\0';
	close(fd);
	return total;
}

int hop_default_signals(void)
{
	struct sigaction fallback = { .sa_handler = SIG_DFL };
	/* The kernel's own struct sigaction (x86-64, arm64): handler,
	 * flags, restorer, mask; all 0 is SIG_DFL with nothing else. */
	unsigned long kernel_default[4] = { 0, 0, 0, 0 };
	sigset_t none;

	for (int signo = 1; signo < NSIG; signo++) {
		if (signo == SIGKILL || signo == SIGSTOP ||
		    sigaction(signo, &fallback, NULL) == 0)
			continue;
		/* EINVAL: one of glibc's (32, 33); the kernel takes it. */
		(void)syscall(SYS_rt_sigaction, signo, kernel_default, NULL,
			      sizeof(kernel_default[3]));
	}
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return hop_fail("sigprocmask(SIG_SETMASK, {})");
	return 0;
}
