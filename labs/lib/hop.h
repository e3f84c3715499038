/* hop.h - the few helpers every hộp program shares.
 *
 * Errors: modules return -1 with errno set and record one line of context
 * with hop_fail("mount %s", path); the program then calls hop_die() or
 * hop_warn(), which print "mini-x: mount /proc: Permission denied".
 *
 * Narration: hop_step() prints a step when -v is on; hop_explain() prints a
 * kernel call, strace-like, when -x is on. Both write to stderr, so stdout
 * carries results only.
 */
#ifndef HOP_LIB_H
#define HOP_LIB_H

#include <libintl.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define _(msgid)  gettext(msgid)
#define N_(msgid) msgid

#if defined(__GNUC__)
#define HOP_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define HOP_PRINTF(fmt, args)
#endif

extern const char *hop_program; /* name used in messages */
extern int hop_verbose;		/* -v: narrate each step */
extern int hop_explain_calls;	/* -x: print each kernel call */

/* One named bit of a flags word, for hop_flags_string(). */
struct hop_flag {
	unsigned long value;
	const char *name;
};

/* For programs whose only options are -v, -x, -h and -V: parse them (up
 * to the first word that is not an option) and return the index of that
 * word. -h calls usage(stdout, 0); -V prints the version and exits 0; an
 * unknown option is named and usage(stderr, bad_status) is called. */
int hop_parse_common_options(int argc, char **argv,
			     void (*usage)(FILE *out, int status),
			     int bad_status);

/* Set the program name and the message catalogue (gettext). */
void hop_init(const char *argv0);

/* Record what was being done when a call failed; keeps errno; returns -1. */
int hop_fail(const char *fmt, ...) HOP_PRINTF(1, 2);
/* Refuse bad input: like hop_fail() with errno EINVAL, but marked, so the
 * program prints the context alone (the kernel was not asked). */
int hop_refuse(const char *fmt, ...) HOP_PRINTF(1, 2);
/* Was the last failure recorded by hop_refuse()? */
int hop_refused(void);
#ifdef __clang_analyzer__
/* Tell clang's static analyzer (make check) what it cannot see from another
 * file: these two always return -1, so "return hop_fail(...)" is a failure
 * path and no result is read after it. */
#define hop_fail(...)	(hop_fail(__VA_ARGS__), -1)
#define hop_refuse(...) (hop_refuse(__VA_ARGS__), -1)
#endif
/* The context recorded by the last hop_fail(). */
const char *hop_context(void);

/* "program: <message>: <strerror(errno)>" then exit(status). */
_Noreturn void hop_die(int status, const char *fmt, ...) HOP_PRINTF(2, 3);
/* The same, for a failure recorded by a module with hop_fail(). */
_Noreturn void hop_die_context(int status);
/* "program: <message>" with no errno, then exit(status). */
_Noreturn void hop_die_plain(int status, const char *fmt, ...) HOP_PRINTF(2, 3);
/* "program: <message>: <strerror(errno)>", and go on. */
void hop_warn(const char *fmt, ...) HOP_PRINTF(1, 2);
/* "program: <message>" with no errno, and go on. */
void hop_warn_plain(const char *fmt, ...) HOP_PRINTF(1, 2);
/* "hint: <message>", for a cause that is common. */
void hop_hint(const char *fmt, ...) HOP_PRINTF(1, 2);

/* -v narration: "program: <message>". */
void hop_step(const char *fmt, ...) HOP_PRINTF(1, 2);
/* -x: "  <call>(<args>) = <result>", or "= -1 EPERM (...)" when result < 0.
 * errno is kept, so it can be called right after the call it explains. */
void hop_explain(long result, const char *fmt, ...) HOP_PRINTF(2, 3);

/* -x for a call that does not return when it works (execve):
 * "  <call>(<args>)" printed before it is made. */
void hop_explain_call(const char *fmt, ...) HOP_PRINTF(1, 2);

/* "CLONE_NEWPID|CLONE_NEWNS|0x11" into buf; returns buf. */
const char *hop_flags_string(unsigned long flags, const struct hop_flag *names,
			     char *buf, size_t size);

/* Write a whole string to a file (no O_CREAT): the way to talk to /proc and
 * /sys. -x shows it as write("path", "text") = n. */
int hop_write_file(const char *path, const char *text);
/* Read up to size-1 bytes of a file into buf, NUL-terminated.
 * Returns the number of bytes read. */
ssize_t hop_read_file(const char *path, char *buf, size_t size);

#endif
