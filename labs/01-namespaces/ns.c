/* ns.c - Linux namespaces: unshare, id maps, mount propagation, /proc,
 * time offsets, fork and wait. See ns.h for the contract. */
#include "01-namespaces/ns.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <grp.h>
#include <sys/mount.h>
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
	{ MS_RDONLY, "MS_RDONLY" },   { MS_NOSUID, "MS_NOSUID" },
	{ MS_NODEV, "MS_NODEV" },     { MS_NOEXEC, "MS_NOEXEC" },
	{ MS_REMOUNT, "MS_REMOUNT" }, { MS_BIND, "MS_BIND" },
	{ MS_MOVE, "MS_MOVE" },	      { MS_REC, "MS_REC" },
	{ MS_PRIVATE, "MS_PRIVATE" }, { MS_SLAVE, "MS_SLAVE" },
	{ MS_SHARED, "MS_SHARED" },   { 0, NULL },
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

int ns_set_propagation(unsigned long propagation)
{
	char names[128];
	unsigned long flags = MS_REC | propagation;
	int rc = mount("none", "/", NULL, flags, NULL);

	hop_explain(rc, "mount(\"none\", \"/\", NULL, %s, NULL)",
		    hop_flags_string(flags, ns_mount_flags, names,
				     sizeof(names)));
	if (rc < 0)
		return hop_fail(_("make the mounts under / %s"), names);
	return 0;
}

int ns_mount_proc(const char *target)
{
	char names[128];
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	int rc = mount("proc", target, "proc", flags, NULL);

	hop_explain(rc, "mount(\"proc\", \"%s\", \"proc\", %s, NULL)", target,
		    hop_flags_string(flags, ns_mount_flags, names,
				     sizeof(names)));
	if (rc < 0)
		return hop_fail(_("mount proc on %s"), target);
	return 0;
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

int ns_wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return hop_fail("waitpid %d", (int)pid);
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
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

static pid_t forward_to;

static void forward_signal(int signo)
{
	if (forward_to > 0)
		kill(forward_to, signo);
}

int ns_wait_forwarding(pid_t pid)
{
	struct sigaction forward = { .sa_handler = forward_signal };
	struct sigaction ignore = { .sa_handler = SIG_IGN };

	forward_to = pid;
	/* kill(1) and the service manager reach us: pass it on. */
	sigaction(SIGTERM, &forward, NULL);
	sigaction(SIGHUP, &forward, NULL);
	/* ^C and ^\ reach the child from the terminal already. */
	sigaction(SIGINT, &ignore, NULL);
	sigaction(SIGQUIT, &ignore, NULL);
	return ns_wait_status(pid);
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
