/* probe - print what a process sees of the kernel, from inside a container.
 *
 * Usage: probe COMMAND [ARG]; one "key value" result per line on stdout:
 *   pid            pid N / ppid N
 *   ids            uid REAL EFFECTIVE / gid REAL EFFECTIVE / one
 *                  "uid_map INSIDE OUTSIDE COUNT" (and gid_map) per map line
 *   hostname       the UTS node name, alone
 *   ns             NAME INODE for cgroup ipc mnt net pid pid_for_children
 *                  time time_for_children user uts ("NAME -" when missing)
 *   mounts         MOUNTPOINT FSTYPE per /proc/self/mountinfo line
 *   caps           CapInh..CapAmb HEX, then "effective cap_NAME" per bit
 *   fds            fd N TARGET per open file descriptor (not the one
 *                  it lists them with), in order
 *   clock          monotonic SECONDS / boottime SECONDS
 *   alloc MIB      map MIB MiB and touch every page: allocated MIB MiB
 *   fork N         N children wait for the parent: forked N, or
 *                  forked K / fork K+1 failed: ENAME (exit 1)
 *   burn SECONDS   spin for SECONDS of wall time: cpu SECONDS wall SECONDS
 *   sleep SECONDS  sleep, "inf" for ever; SIGTERM/SIGINT end it with 0
 *   newcalls       "NAME ok" or "NAME ENAME" for faccessat2, close_range
 *                  and openat2, three syscalls of Linux 5.6-5.9 that the
 *                  C library falls back from on ENOSYS (seccomp tests)
 * Exit status 0, 1 when a call failed ("probe: what: strerror" on stderr),
 * 2 for bad usage. Linked statically and copied into every test root
 * filesystem, so it needs nothing from the container's libc.
 *
 * Read: namespaces(7), user_namespaces(7), proc(5), capabilities(7),
 * clock_gettime(2). Time namespaces need Linux 5.6.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: probe COMMAND [ARG]\n"
	"  pid            pid N, ppid N\n"
	"  ids            uid REAL EFFECTIVE, gid REAL EFFECTIVE,\n"
	"                 uid_map/gid_map INSIDE OUTSIDE COUNT\n"
	"  hostname       the UTS node name\n"
	"  ns             NAME INODE for each namespace kind\n"
	"  mounts         MOUNTPOINT FSTYPE for each mount\n"
	"  caps           CapInh..CapAmb HEX, effective NAME\n"
	"  fds            fd N TARGET for each open file descriptor\n"
	"  clock          monotonic SECONDS, boottime SECONDS\n"
	"  alloc MIB      allocate and touch MIB MiB: allocated MIB MiB\n"
	"  fork N         fork N waiting children: forked N\n"
	"                 (or forked K, fork K+1 failed: ENAME, exit 1)\n"
	"  burn SECONDS   spin: cpu SECONDS wall SECONDS\n"
	"  sleep SECONDS  sleep (inf: forever); SIGTERM ends it with status 0\n"
	"exit status: 0 ok, 1 a call failed, 2 bad usage\n";

/* capabilities(7), in bit order; newer bits print as cap_N. Packed by
 * hand: clang-format would put one name on each line. */
/* clang-format off */
static const char *const cap_names[] = {
	"cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner",
	"cap_fsetid", "cap_kill", "cap_setgid", "cap_setuid", "cap_setpcap",
	"cap_linux_immutable", "cap_net_bind_service", "cap_net_broadcast",
	"cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner",
	"cap_sys_module", "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace",
	"cap_sys_pacct", "cap_sys_admin", "cap_sys_boot", "cap_sys_nice",
	"cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod",
	"cap_lease", "cap_audit_write", "cap_audit_control", "cap_setfcap",
	"cap_mac_override", "cap_mac_admin", "cap_syslog", "cap_wake_alarm",
	"cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf",
	"cap_checkpoint_restore",
};
/* clang-format on */

static _Noreturn void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static _Noreturn void die(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	fputs("probe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(saved));
	exit(1);
}

static _Noreturn void usage(int status)
{
	if (status)
		fputs("usage: probe COMMAND [ARG] (probe --help lists them)\n",
		      stderr);
	else
		fputs(usage_text, stdout);
	exit(status);
}

/* A count (integral) or a number of seconds; bad input is a usage error. */
static double parse_number(const char *text, double max, int integral)
{
	char *end;
	double n;

	errno = 0;
	n = strtod(text, &end);
	if (errno || end == text || *end || !(n >= 0) || n > max ||
	    (integral && n != (double)(long)n)) {
		fprintf(stderr, "probe: bad number: %s\n", text);
		usage(2);
	}
	return n;
}

static double clock_seconds(clockid_t clock, const char *name)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts) < 0)
		die("clock_gettime %s", name);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Print each line of a /proc file through one callback. */
static void for_each_line(const char *path, void (*fn)(char *line))
{
	char *line = NULL;
	size_t size = 0;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		die("open %s", path);
	errno = 0;
	while (getline(&line, &size, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		fn(line);
		errno = 0;
	}
	if (errno || ferror(f))
		die("read %s", path);
	free(line);
	if (fclose(f) != 0)
		die("close %s", path);
}

static const char *map_name;

/* "         0       1000          1" becomes "uid_map 0 1000 1" */
static void print_map_line(char *line)
{
	char *field, *save;

	printf("%s", map_name);
	for (field = strtok_r(line, " \t", &save); field;
	     field = strtok_r(NULL, " \t", &save))
		printf(" %s", field);
	printf("\n");
}

static void print_mount_line(char *line)
{
	char point[PATH_MAX], type[256];
	char *tail = strstr(line, " - ");

	/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE SOURCE OPTIONS */
	if (!tail || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
	    sscanf(tail, " - %255s", type) != 1)
		return;
	printf("%s %s\n", point, type);
}

static unsigned long long cap_effective;

/* "CapEff:\t000001ffffffffff" */
static void print_cap_line(char *line)
{
	char *value = strchr(line, ':');

	if (strncmp(line, "Cap", 3) != 0 || !value)
		return;
	*value++ = '\0';
	value += strspn(value, " \t");
	printf("%s %s\n", line, value);
	if (strcmp(line, "CapEff") == 0) {
		errno = 0;
		cap_effective = strtoull(value, NULL, 16);
		if (errno)
			die("CapEff %s", value);
	}
}

static void print_caps(void)
{
	size_t known = sizeof(cap_names) / sizeof(cap_names[0]);

	for_each_line("/proc/self/status", print_cap_line);
	for (unsigned int bit = 0; bit < 64; bit++) {
		if (!(cap_effective & (1ULL << bit)))
			continue;
		if (bit < known)
			printf("effective %s\n", cap_names[bit]);
		else
			printf("effective cap_%u\n", bit);
	}
}

static void print_namespaces(void)
{
	/* clang-format off */
	static const char *const kinds[] = {
		"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children",
		"time", "time_for_children", "user", "uts",
	};
	/* clang-format on */
	char path[64], link[64];

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		ssize_t n;
		char *inode;

		snprintf(path, sizeof(path), "/proc/self/ns/%s", kinds[i]);
		n = readlink(path, link, sizeof(link) - 1);
		if (n < 0 && errno == ENOENT) {
			printf("%s -\n", kinds[i]);
			continue;
		}
		if (n < 0)
			die("readlink %s", path);
		link[n] = '\0';
		/* "net:[4026531840]" */
		inode = strchr(link, '[');
		if (!inode)
			continue;
		inode[strcspn(inode, "]")] = '\0';
		printf("%s %s\n", kinds[i], inode + 1);
	}
}

/* What a leaked descriptor looks like (CVE-2024-21626: a directory of
 * the host's cgroup tree): its number and what it points to. */
static void print_fds(void)
{
	char link[PATH_MAX], own[16];
	struct dirent *entry;
	DIR *dir = opendir("/proc/self/fd");

	if (!dir)
		die("open /proc/self/fd");
	snprintf(own, sizeof(own), "%d", dirfd(dir));
	errno = 0;
	while ((entry = readdir(dir))) {
		ssize_t n;

		if (entry->d_name[0] == '.' || !strcmp(entry->d_name, own))
			continue;
		n = readlinkat(dirfd(dir), entry->d_name, link,
			       sizeof(link) - 1);
		if (n < 0)
			die("readlink /proc/self/fd/%s", entry->d_name);
		link[n] = '\0';
		printf("fd %s %s\n", entry->d_name, link);
		errno = 0;
	}
	if (errno)
		die("read /proc/self/fd");
	closedir(dir);
}

static void alloc(long mib)
{
	size_t size = (size_t)mib << 20;
	long page = sysconf(_SC_PAGESIZE);
	char *p;

	if (page <= 0)
		die("sysconf _SC_PAGESIZE");
	p = mmap(NULL, size ? size : 1, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap %ld MiB", mib);
	/* Writing one byte per page makes the kernel charge the page. */
	for (size_t off = 0; off < size; off += (size_t)page)
		p[off] = 1;
	printf("allocated %ld MiB\n", mib);
}

/* Each recent syscall, called directly (not through the C library, which
 * would hide an ENOSYS behind its fallback). */
static void new_calls(void)
{
	struct {
		const char *name;
		long rc;
	} calls[3];
	/* openat2's struct open_how: flags, mode, resolve, all zero. */
	unsigned long long how[3] = { 0, 0, 0 };

	calls[0].name = "faccessat2";
	calls[0].rc = syscall(SYS_faccessat2, AT_FDCWD, "/", F_OK, 0);
	calls[0].rc = calls[0].rc < 0 ? errno : 0;
	calls[1].name = "close_range";
	calls[1].rc = syscall(SYS_close_range, 1000U, 1001U, 0U);
	calls[1].rc = calls[1].rc < 0 ? errno : 0;
	calls[2].name = "openat2";
	calls[2].rc = syscall(SYS_openat2, AT_FDCWD, "/", how, sizeof(how));
	if (calls[2].rc >= 0)
		close((int)calls[2].rc);
	calls[2].rc = calls[2].rc < 0 ? errno : 0;
	for (int i = 0; i < 3; i++) {
		const char *name = strerrorname_np((int)calls[i].rc);

		printf("%s %s\n", calls[i].name,
		       calls[i].rc == 0 ? "ok" :
		       name		? name :
					  "unknown");
	}
}

static int fork_children(long count)
{
	int gate[2], status = 0;
	long made;

	/* Children block on the pipe until the parent closes its end. */
	if (pipe2(gate, O_CLOEXEC) < 0)
		die("pipe2");
	for (made = 0; made < count; made++) {
		pid_t pid = fork();
		char byte;

		if (pid < 0) {
			const char *name = strerrorname_np(errno);

			printf("forked %ld\n", made);
			printf("fork %ld failed: %s\n", made + 1,
			       name ? name : "unknown");
			status = 1;
			break;
		}
		if (pid == 0) {
			close(gate[1]);
			while (read(gate[0], &byte, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	if (!status)
		printf("forked %ld\n", made);
	if (close(gate[1]) < 0)
		die("close");
	while (made > 0) {
		if (wait(NULL) < 0) {
			if (errno == EINTR)
				continue;
			die("wait");
		}
		made--;
	}
	return status;
}

static void burn(double seconds)
{
	double start = clock_seconds(CLOCK_MONOTONIC, "monotonic");
	double wall;

	do
		wall = clock_seconds(CLOCK_MONOTONIC, "monotonic") - start;
	while (wall < seconds);
	printf("cpu %.2f wall %.2f\n",
	       clock_seconds(CLOCK_PROCESS_CPUTIME_ID, "process"), wall);
}

static void on_stop_signal(int sig)
{
	(void)sig;
	_exit(0);
}

/* A PID 1 ignores signals it has no handler for: install one. */
static void sleep_for(double seconds)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	struct timespec ts;

	if (sigaction(SIGTERM, &sa, NULL) < 0 ||
	    sigaction(SIGINT, &sa, NULL) < 0)
		die("sigaction");
	if (isinf(seconds) || seconds > (double)INT_MAX)
		for (;;)
			pause();
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0)
		if (errno != EINTR)
			die("nanosleep");
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int status = 0, takes_arg;
	struct utsname uts;

	if (cmd && (!strcmp(cmd, "--help") || !strcmp(cmd, "-h")))
		usage(0);
	if (!cmd)
		usage(2);
	takes_arg = !strcmp(cmd, "alloc") || !strcmp(cmd, "fork") ||
		    !strcmp(cmd, "burn") || !strcmp(cmd, "sleep");
	if (argc != 2 + takes_arg)
		usage(2);

	if (!strcmp(cmd, "pid")) {
		printf("pid %d\nppid %d\n", (int)getpid(), (int)getppid());
	} else if (!strcmp(cmd, "ids")) {
		printf("uid %u %u\ngid %u %u\n", (unsigned)getuid(),
		       (unsigned)geteuid(), (unsigned)getgid(),
		       (unsigned)getegid());
		map_name = "uid_map";
		for_each_line("/proc/self/uid_map", print_map_line);
		map_name = "gid_map";
		for_each_line("/proc/self/gid_map", print_map_line);
	} else if (!strcmp(cmd, "hostname")) {
		if (uname(&uts) < 0)
			die("uname");
		printf("%s\n", uts.nodename);
	} else if (!strcmp(cmd, "ns")) {
		print_namespaces();
	} else if (!strcmp(cmd, "mounts")) {
		for_each_line("/proc/self/mountinfo", print_mount_line);
	} else if (!strcmp(cmd, "caps")) {
		print_caps();
	} else if (!strcmp(cmd, "fds")) {
		print_fds();
	} else if (!strcmp(cmd, "newcalls")) {
		new_calls();
	} else if (!strcmp(cmd, "clock")) {
		printf("monotonic %.2f\nboottime %.2f\n",
		       clock_seconds(CLOCK_MONOTONIC, "monotonic"),
		       clock_seconds(CLOCK_BOOTTIME, "boottime"));
	} else if (!strcmp(cmd, "alloc")) {
		alloc((long)parse_number(argv[2], 1 << 20, 1));
	} else if (!strcmp(cmd, "fork")) {
		status = fork_children((long)parse_number(argv[2], 1e6, 1));
	} else if (!strcmp(cmd, "burn")) {
		burn(parse_number(argv[2], 1e6, 0));
	} else if (!strcmp(cmd, "sleep")) {
		sleep_for(parse_number(argv[2], INFINITY, 0));
	} else {
		fprintf(stderr, "probe: unknown command: %s\n", cmd);
		usage(2);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		die("write stdout");
	return status;
}
