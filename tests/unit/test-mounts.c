/* test-mounts.c - the pure helpers of labs/05-runtime/mounts.c: which
 * sysctls a container may set, rootfsPropagation's names, and the flags a
 * bind mount is remounted with. The mounts themselves need root and a
 * mount namespace: tests/05-*.bats runs them. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "05-runtime/mounts.h"
#include "lib/hop.h"
#include "unit.h"

#define ALL_NAMESPACES (CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS)

static void test_sysctl_allowed(void)
{
	static const struct {
		const char *key;
		int flags;
	} good[] = {
		{ "net.ipv4.ip_forward", CLONE_NEWNET },
		{ "net.core.somaxconn", CLONE_NEWNET },
		{ "kernel.msgmax", CLONE_NEWIPC },
		{ "kernel.sem", CLONE_NEWIPC },
		{ "kernel.shmmax", CLONE_NEWIPC },
		{ "kernel.shm_rmid_forced", CLONE_NEWIPC },
		{ "fs.mqueue.msg_max", CLONE_NEWIPC },
		{ "kernel.hostname", CLONE_NEWUTS },
		{ "kernel.domainname", CLONE_NEWUTS },
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		UNIT_CHECK(mounts_check_sysctl(good[i].key, good[i].flags) == 0,
			   "%s allowed with its namespace", good[i].key);
}

static void test_sysctl_host(void)
{
	static const struct {
		const char *key;
		int flags;
	} bad[] = {
		{ "net.ipv4.ip_forward", CLONE_NEWIPC | CLONE_NEWUTS },
		{ "kernel.msgmax", CLONE_NEWNET | CLONE_NEWUTS },
		{ "fs.mqueue.msg_max", CLONE_NEWNET },
		{ "kernel.hostname", CLONE_NEWNET | CLONE_NEWIPC },
		{ "kernel.core_pattern", ALL_NAMESPACES },
		{ "kernel.sem_extra", ALL_NAMESPACES },
		{ "vm.overcommit_memory", ALL_NAMESPACES },
		{ "fs.file-max", ALL_NAMESPACES },
		{ "network.x", ALL_NAMESPACES },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		UNIT_CHECK(mounts_check_sysctl(bad[i].key, bad[i].flags) < 0 &&
				   errno == EINVAL && hop_refused(),
			   "%s refused: the host's", bad[i].key);
	mounts_check_sysctl("net.ipv4.ip_forward", CLONE_NEWUTS);
	UNIT_STREQ(hop_context(),
		   "sysctl net.ipv4.ip_forward is not allowed: the container "
		   "has no network namespace of its own",
		   "net.* without a network namespace: the reason");
	mounts_check_sysctl("kernel.core_pattern", ALL_NAMESPACES);
	UNIT_STREQ(hop_context(),
		   "sysctl kernel.core_pattern is not allowed: it is not in a "
		   "namespace, and would change the host",
		   "a host-wide sysctl: the reason");
}

static void test_sysctl_names(void)
{
	static const char *const bad[] = {
		"",
		".",
		"net..ipv4",
		"net.ipv4.",
		".net.ipv4",
		"net/ipv4/ip_forward",
		"net.ipv4.conf.all/../../../kernel/core_pattern",
		"net.ipv4.conf...forwarding",
		NULL,
	};

	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(mounts_check_sysctl(bad[i], ALL_NAMESPACES) < 0 &&
				   errno == EINVAL && hop_refused(),
			   "'%s' refused: not a name", bad[i]);
	mounts_check_sysctl("net/ipv4/ip_forward", ALL_NAMESPACES);
	UNIT_STREQ(hop_context(),
		   "sysctl 'net/ipv4/ip_forward' is not a sysctl name (parts "
		   "joined by dots, no '/')",
		   "a path for a name: the reason");
}

static void test_propagation(void)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} good[] = {
		{ "private", MS_PRIVATE },
		{ "rprivate", MS_PRIVATE | MS_REC },
		{ "shared", MS_SHARED },
		{ "rshared", MS_SHARED | MS_REC },
		{ "slave", MS_SLAVE },
		{ "rslave", MS_SLAVE | MS_REC },
		{ "unbindable", MS_UNBINDABLE },
		{ "runbindable", MS_UNBINDABLE | MS_REC },
	};
	static const char *const bad[] = { "",		"r",	   "rr",
					   "rrprivate", "Private", "private ",
					   "unchanged", "rivate",  NULL };
	unsigned long flags;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		UNIT_CHECK(mounts_parse_propagation(good[i].name, &flags) ==
					   0 &&
				   flags == good[i].flags,
			   "'%s' parses", good[i].name);
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(mounts_parse_propagation(bad[i], &flags) < 0 &&
				   hop_refused(),
			   "'%s' refused", bad[i]);
}

static void test_remount_flags(void)
{
	static const struct {
		unsigned long requested, cleared, current, want;
		const char *what;
	} cases[] = {
		{ MS_BIND | MS_REC | MS_RDONLY, 0, MS_RELATIME,
		  MS_RDONLY | MS_RELATIME,
		  "ro: the atime mode is kept, MS_BIND is not a flag to keep" },
		{ MS_RDONLY, 0, MS_NOSUID | MS_NODEV | MS_NOATIME,
		  MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOATIME,
		  "ro on a nosuid,nodev,noatime mount keeps them (locked in "
		  "a user namespace)" },
		{ 0, MS_NOSUID, MS_NOSUID | MS_RELATIME, MS_RELATIME,
		  "suid asked: nosuid is not kept" },
		{ MS_RDONLY, MS_RDONLY, MS_RDONLY | MS_RELATIME,
		  MS_RDONLY | MS_RELATIME, "asked wins over cleared" },
		{ MS_NOEXEC, 0, 0, MS_NOEXEC | MS_STRICTATIME,
		  "no atime flag now: strictatime must be said" },
		{ MS_STRICTATIME, 0, MS_NOATIME | MS_NODIRATIME,
		  MS_STRICTATIME | MS_NODIRATIME,
		  "an atime mode asked replaces the one it had" },
		{ MS_NOATIME, 0, MS_RELATIME, MS_NOATIME,
		  "noatime asked: relatime goes" },
		{ MS_SYNCHRONOUS | MS_RDONLY, 0, MS_RELATIME,
		  MS_RDONLY | MS_RELATIME,
		  "a superblock flag is no bind mount's to change" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned long got = mounts_remount_flags(
			cases[i].requested, cases[i].cleared, cases[i].current);

		UNIT_CHECK(got == cases[i].want, "%s", cases[i].what);
		if (got != cases[i].want)
			printf("#   got %#lx, want %#lx\n", got, cases[i].want);
	}
}

int main(void)
{
	unit_name = "mounts";
	test_sysctl_allowed();
	test_sysctl_host();
	test_sysctl_names();
	test_propagation();
	test_remount_flags();
	UNIT_DONE();
}
