/* ns.c - Linux namespaces: unshare, id maps, mount(2) and propagation,
 * /proc, time offsets, fork and wait. See ns.h for the contract. */
#include "01-namespaces/ns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/hop.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6; older glibc headers lack it */
#endif

const struct hop_flag ns_clone_flags[] = {
	{ CLONE_NEWNS, "CLONE_NEWNS" },
	{ CLONE_NEWCGROUP, "CLONE_NEWCGROUP" },
	{ CLONE_NEWUTS, "CLONE_NEWUTS" },
	{ CLONE_NEWIPC, "CLONE_NEWIPC" },
	{ CLONE_NEWUSER, "CLONE_NEWUSER" },
	{ CLONE_NEWPID, "CLONE_NEWPID" },
	{ CLONE_NEWNET, "CLONE_NEWNET" },
	{ CLONE_NEWTIME, "CLONE_NEWTIME" },
	{ 0, NULL },
};

const struct hop_flag ns_mount_flags[] = {
	{ MS_RDONLY, "MS_RDONLY" },
	{ MS_NOSUID, "MS_NOSUID" },
	{ MS_NODEV, "MS_NODEV" },
	{ MS_NOEXEC, "MS_NOEXEC" },
	{ MS_REMOUNT, "MS_REMOUNT" },
	{ MS_BIND, "MS_BIND" },
	{ MS_MOVE, "MS_MOVE" },
	{ MS_REC, "MS_REC" },
	{ MS_PRIVATE, "MS_PRIVATE" },
	{ MS_SLAVE, "MS_SLAVE" },
	{ MS_SHARED, "MS_SHARED" },
	{ MS_UNBINDABLE, "MS_UNBINDABLE" },
	{ MS_NOATIME, "MS_NOATIME" },
	{ MS_NODIRATIME, "MS_NODIRATIME" },
	{ MS_RELATIME, "MS_RELATIME" },
	{ MS_STRICTATIME, "MS_STRICTATIME" },
	{ MS_SYNCHRONOUS, "MS_SYNCHRONOUS" },
	{ MS_DIRSYNC, "MS_DIRSYNC" },
	{ 0, NULL },
};

int ns_unshare(int flags)
{
	char names[256];
	int rc = unshare(flags);

	hop_explain(rc, "unshare(%s)",
		    hop_flags_string((unsigned long)flags, ns_clone_flags,
				     names, sizeof(names)));
	if (rc < 0)
		return hop_fail("unshare(%s)", names);
	return 0;
}

int ns_map_root(uid_t outside_uid, gid_t outside_gid)
{
	char line[64];

	/* Without "deny", an unprivileged process may not write gid_map:
	 * it could otherwise drop a group that was denying it access. */
	if (hop_write_file("/proc/self/setgroups", "deny") < 0)
		return -1;
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)outside_uid);
	if (hop_write_file("/proc/self/uid_map", line) < 0)
		return -1;
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)outside_gid);
	return hop_write_file("/proc/self/gid_map", line);
}

/* "x" quoted, or NULL, the way strace shows a string argument. */
#define QUOTED(text) \
	(text) ? "\"" : "", (text) ? (text) : "NULL", (text) ? "\"" : ""

int ns_mount(const char *source, const char *target, const char *type,
	     unsigned long flags, const char *data)
{
	char names[160];
	int rc = mount(source, target, type, flags, data);

	hop_flags_string(flags, ns_mount_flags, names, sizeof(names));
	hop_explain(rc, "mount(%s%s%s, \"%s\", %s%s%s, %s, %s%s%s)",
		    QUOTED(source), target, QUOTED(type), names, QUOTED(data));
	if (rc == 0)
		return 0;
	if (flags & (MS_PRIVATE | MS_SLAVE | MS_SHARED))
		return hop_fail(_("make the mounts at %s %s"), target, names);
	if (flags & MS_BIND)
		return hop_fail(_("bind-mount %s on %s"), source, target);
	return hop_fail(_("mount %s on %s"), type ? type : source, target);
}

int ns_set_propagation(unsigned long propagation)
{
	return ns_mount("none", "/", NULL, MS_REC | propagation, NULL);
}

static const struct hop_flag propagations[] = {
	{ MS_PRIVATE, "private" },
	{ MS_SHARED, "shared" },
	{ MS_SLAVE, "slave" },
	{ 0, "unchanged" },
	{ 0, NULL },
};

int ns_parse_propagation(const char *name, unsigned long *propagation)
{
	for (const struct hop_flag *p = propagations; p->name; p++) {
		if (strcmp(name, p->name) == 0) {
			*propagation = p->value;
			return 0;
		}
	}
	return hop_refuse(_("unknown propagation mode '%s'"), name);
}

const char *ns_propagation_name(unsigned long propagation)
{
	const struct hop_flag *p = propagations;

	while (p->name && p->value != propagation)
		p++;
	return p->name ? p->name : "?";
}

int ns_make_mount_private(const char *path)
{
	char at[PATH_MAX];
	struct statx st;

	if (!realpath(path, at))
		return hop_fail(_("find %s"), path);
	/* A mount on a plain directory joins the peer group of the mount
	 * that holds it: walk up to that mount (STATX_ATTR_MOUNT_ROOT, Linux
	 * 5.8); "/" always is one. */
	while (strcmp(at, "/") != 0) {
		char *slash;

		if (statx(AT_FDCWD, at, AT_SYMLINK_NOFOLLOW, 0, &st) < 0)
			return hop_fail("statx %s", at);
		if (st.stx_attributes & STATX_ATTR_MOUNT_ROOT)
			break;
		slash = strrchr(at, '/');
		slash[slash == at ? 1 : 0] = '\0';
	}
	/* Not MS_REC: the mounts beneath keep what they were. */
	return ns_mount("none", at, NULL, MS_PRIVATE, NULL);
}

int ns_mount_proc(const char *target)
{
	return ns_mount("proc", target, "proc",
			MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
}

int ns_set_time_offsets(long monotonic_seconds, long boottime_seconds)
{
	char text[96];

	snprintf(text, sizeof(text), "monotonic %ld 0\nboottime %ld 0\n",
		 monotonic_seconds, boottime_seconds);
	return hop_write_file("/proc/self/timens_offsets", text);
}

pid_t ns_fork(void)
{
	pid_t pid = fork();

	if (pid != 0)
		hop_explain(pid, "clone(SIGCHLD)");
	if (pid < 0)
		return hop_fail("fork");
	return pid;
}

enum { STILL_RUNNING = -2 };

/* waitpid(2) turned into a shell-like status; with WNOHANG, STILL_RUNNING
 * while pid runs. */
static int wait_status(pid_t pid, int options)
{
	int status;
	pid_t rc;

	while ((rc = waitpid(pid, &status, options)) < 0) {
		if (errno != EINTR)
			return hop_fail("waitpid %d", (int)pid);
	}
	if (rc == 0)
		return STILL_RUNNING;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int ns_wait_status(pid_t pid)
{
	return wait_status(pid, 0);
}

static void forward(pid_t pid, int signo)
{
	int rc = kill(pid, signo);

	hop_explain(rc, "kill(%d, %s)", (int)pid, sigabbrev_np(signo));
	hop_step(_("passed SIG%s on to %d"), sigabbrev_np(signo), (int)pid);
}

pid_t ns_clone(int flags)
{
	char names[256];
	/* The raw system call with no new stack behaves like fork(2): the
	 * child goes on from here, on a copy of our stack. */
	long pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL,
			   NULL, NULL, 0UL);

	if (pid != 0)
		hop_explain(pid, "clone(%s|SIGCHLD)",
			    hop_flags_string((unsigned long)flags,
					     ns_clone_flags, names,
					     sizeof(names)));
	if (pid < 0)
		return hop_fail("clone(%s|SIGCHLD)", names);
	return (pid_t)pid;
}

int ns_write_id_map(pid_t pid, const char *file, const char *map)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	return hop_write_file(path, map);
}

/* The signals that stop the child are blocked and taken one at a time with
 * sigtimedwait(2), as is SIGCHLD: no handler, and none is lost between the
 * check and the wait. */
int ns_wait_forwarding(pid_t pid)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN };
	struct sigaction fallback = { .sa_handler = SIG_DFL };
	static const struct timespec grace = { .tv_sec = NS_STOP_SECONDS };
	static const struct timespec none = { 0 };
	const struct timespec *timeout = NULL;
	sigset_t wanted, old;
	int status, signo;

	sigemptyset(&wanted);
	sigaddset(&wanted, SIGCHLD);
	sigaddset(&wanted, SIGTERM);
	sigaddset(&wanted, SIGHUP);
	/* ^C and ^\ reach a child of our own process group from the terminal
	 * already. A child in a session of its own (mini-container's calls
	 * setsid) hears them only from us. */
	if (getpgid(pid) == getpgrp()) {
		sigaction(SIGINT, &ignore, NULL);
		sigaction(SIGQUIT, &ignore, NULL);
	} else {
		sigaddset(&wanted, SIGINT);
		sigaddset(&wanted, SIGQUIT);
	}
	sigprocmask(SIG_BLOCK, &wanted, &old);
	/* An ignored signal is dropped even while blocked (a shell starts
	 * background jobs with SIGINT ignored): take each one back. */
	for (int each = 1; each < NSIG; each++)
		if (each != SIGCHLD && sigismember(&wanted, each) == 1)
			sigaction(each, &fallback, NULL);
	while ((status = wait_status(pid, WNOHANG)) == STILL_RUNNING) {
		signo = sigtimedwait(&wanted, NULL, timeout);
		if (signo > 0 && signo != SIGCHLD) {
			/* kill(1) and the service manager reach us: pass it
			 * on, and give the child NS_STOP_SECONDS to end. */
			forward(pid, signo);
			timeout = &grace;
		} else if (signo < 0 && errno == EAGAIN) {
			/* PID 1 of a PID namespace never gets a signal it has
			 * no handler for (pid_namespaces(7)), except SIGKILL:
			 * stop it the way docker stop does. */
			forward(pid, SIGKILL);
			timeout = NULL;
		}
	}
	/* A SIGTERM that came with the child's end: we end anyway. */
	while (sigtimedwait(&wanted, NULL, &none) > 0)
		;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return status;
}

int ns_become_root(void)
{
	int rc;

	/* Our credentials still hold the ids we had outside, which the new
	 * namespace may not map: take uid and gid 0 of the namespace now. */
	rc = setgroups(0, NULL);
	hop_explain(rc, "setgroups(0, NULL)");
	if (rc < 0 && errno != EPERM) /* EPERM: setgroups is denied here */
		return hop_fail("setgroups");
	rc = setresgid(0, 0, 0);
	hop_explain(rc, "setresgid(0, 0, 0)");
	if (rc < 0)
		return hop_fail("setresgid 0");
	rc = setresuid(0, 0, 0);
	hop_explain(rc, "setresuid(0, 0, 0)");
	if (rc < 0)
		return hop_fail("setresuid 0");
	return 0;
}
