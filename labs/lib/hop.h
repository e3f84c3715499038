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

#include <errno.h>
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

/* After getopt_long() returned '?' or ':' (c), say what was wrong with
 * the option in word, the argument getopt_long() was at when called
 * (argv[optind] before the call: in "-zv" optind has not moved on yet):
 * "unknown option '-z'", "option '--pid' takes no value", "option
 * '--propagation' needs a value". */
void hop_warn_bad_option(const char *word, int c);

/* Set the program name and the message catalogue (gettext). */
void hop_init(const char *argv0);

/* What kind of failure the last recorded one was: it decides how it is
 * printed (strerror or not) and, with errno and the hint code, which hint a
 * program gives. Never match the context text: it is translated. */
enum hop_error_kind {
	HOP_ERROR_SYSTEM,  /* a system call failed: errno says why */
	HOP_ERROR_REFUSED, /* we refused the input: the context says why */
	HOP_ERROR_LIBRARY, /* a library failed: the context holds its message */
};

/* A cause a module recognised, for the program to turn into a hint line.
 * One list for the whole project, so that two modules never reuse a code;
 * a module that learns a new cause adds it here. */
enum hop_hint {
	HOP_HINT_NONE = 0,
	/* day 02: on v2 a group with processes cannot give controllers to
	 * its children (EBUSY writing cgroup.subtree_control) */
	HOP_HINT_CGROUP_SUBTREE_BUSY,
	/* day 02: v1 memory.limit_in_bytes above memory.memsw.limit_in_bytes */
	HOP_HINT_CGROUP_MEMSW_FIRST,
	/* day 02: the group has no knob (file) of that name */
	HOP_HINT_CGROUP_NO_KNOB,
	/* day 02: no such controller in this kernel or hierarchy */
	HOP_HINT_CGROUP_NO_CONTROLLER,
	/* day 03: sysfs refused in a user namespace that has no network
	 * namespace of its own */
	HOP_HINT_SYSFS_NEEDS_NETNS,
	/* day 07: nothing listens where the registry should be */
	HOP_HINT_REGISTRY_DOWN,
	/* day 07: TLS to a registry that speaks plain HTTP */
	HOP_HINT_REGISTRY_PLAIN_HTTP,
	/* day 07: the registry stopped sending */
	HOP_HINT_REGISTRY_TIMEOUT,
	/* day 07: the store holds nothing yet */
	HOP_HINT_STORE_EMPTY,
	/* day 07: an overlay's upper dir on an overlay (the store) */
	HOP_HINT_STORE_ON_OVERLAY,
};

/* Record a failure: its kind, a hint code, the errno it leaves, and one
 * line of context (what was being done); returns -1. Called through: */
int hop_record(enum hop_error_kind kind, enum hop_hint hint, int error,
	       const char *fmt, ...) HOP_PRINTF(4, 5);
/* A system call failed: keeps errno, no hint. */
#define hop_fail(...) \
	hop_record(HOP_ERROR_SYSTEM, HOP_HINT_NONE, errno, __VA_ARGS__)
/* The same, with a hint code attached. */
#define hop_fail_hint(hint, ...) \
	hop_record(HOP_ERROR_SYSTEM, (hint), errno, __VA_ARGS__)
/* Refuse bad input: errno EINVAL, and the program prints the context alone
 * (the kernel was not asked). */
#define hop_refuse(...) \
	hop_record(HOP_ERROR_REFUSED, HOP_HINT_NONE, EINVAL, __VA_ARGS__)
/* A library failed (put its own message in the context: jansson's line and
 * column, curl's code, the HTTP status): printed without strerror; errno
 * is kept when set, else it becomes EIO. */
#define hop_fail_library(...)                                             \
	hop_record(HOP_ERROR_LIBRARY, HOP_HINT_NONE, errno ? errno : EIO, \
		   __VA_ARGS__)
/* Wrap the last failure with more context on its way up: the context
 * becomes "<fmt>: <old context>"; kind, hint and errno are kept. */
int hop_wrap(const char *fmt, ...) HOP_PRINTF(1, 2);
/* Attach a hint code to the last failure (recorded by a helper that could
 * not know the cause, e.g. hop_write_file()); keeps errno; returns -1. */
int hop_set_hint(enum hop_hint hint);
/* Was the last failure recorded by hop_refuse()? */
int hop_refused(void);
#ifdef __clang_analyzer__
/* Tell clang's static analyzer (make check) what it cannot see from another
 * file: these always return -1, so "return hop_fail(...)" is a failure
 * path and no result is read after it. */
#define hop_record(...)	   (hop_record(__VA_ARGS__), -1)
#define hop_wrap(...)	   (hop_wrap(__VA_ARGS__), -1)
#define hop_set_hint(hint) (hop_set_hint(hint), -1)
#endif
/* The context recorded by the last failure. */
const char *hop_context(void);
/* The kind and the hint code of the last failure. */
enum hop_error_kind hop_error_kind(void);
enum hop_hint hop_error_hint(void);

/* "program: <message>: <strerror(errno)>" then exit(status). */
_Noreturn void hop_die(int status, const char *fmt, ...) HOP_PRINTF(2, 3);
/* The same, for a failure recorded by a module: with strerror for a
 * system call, the context alone for a refusal or a library failure. */
_Noreturn void hop_die_context(int status);
/* Print the last failure as hop_die_context() does, and go on; keeps
 * errno. */
void hop_warn_context(void);
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

/* A whole decimal number from low to high into *value; anything else
 * ("", "12x", " 1", out of range) is refused (hop_refuse). */
int hop_parse_long(const char *text, long low, long high, long *value);

/* Write a whole string to a file (no O_CREAT): the way to talk to /proc and
 * /sys. -x shows it as write("path", "text") = n. */
int hop_write_file(const char *path, const char *text);

/* Every signal back to its default and none blocked, before an exec: an
 * ignored signal stays ignored across execve, so what our caller ignored
 * (nohup, a shell's background job, a CI runner) would reach the command.
 * Also the two glibc keeps for itself, which its sigaction() refuses. */
int hop_default_signals(void);
/* Read up to size-1 bytes of a file into buf, NUL-terminated.
 * Returns the number of bytes read. */
ssize_t hop_read_file(const char *path, char *buf, size_t size);

#endif
