/* test-process.c - day 05's last steps of a container's process: the
 * seccomp filter as libseccomp builds it, the command's lookup with the
 * config's PATH, and (as root, in forked children) process_prepare and
 * process_exec as the kernel shows them in /proc/self/status, before and
 * after the exec. The structs are filled by hand: no config.json here. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "05-runtime/config.h"
#include "05-runtime/process.h"
#include "lib/hop.h"
#include "unit.h"

#define BIT(cap) (1ULL << (cap))
#define THREE	 (BIT(CAP_KILL) | BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_AUDIT_WRITE))

/* What a child saw of itself; sent up a pipe, before and after exec. */
struct state {
	int stage; /* 1: after process_prepare, 2: after process_exec */
	int prepared, error;
	char context[200];
	unsigned long long eff, prm, inh, bnd, amb;
	int no_new_privs, seccomp, umask, getcwd_errno, pdeath, groups;
	unsigned long long nofile_soft, nofile_hard;
	uid_t uid;
	gid_t gid, group[4];
};

/* All a file holds (up to size-1 bytes), from its start. */
static void read_all(int fd, char *buf, size_t size)
{
	ssize_t got = pread(fd, buf, size - 1, 0);

	buf[got > 0 ? got : 0] = '\0';
}

static unsigned long long status_field(const char *status, const char *key)
{
	const char *line = strstr(status, key);

	return line ? strtoull(line + strlen(key), NULL, 16) : ~0ULL;
}

static void read_state(struct state *s, int stage)
{
	char status[4096], dir[64];
	struct rlimit limit = { 0, 0 };
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	s->stage = stage;
	read_all(fd, status, sizeof(status));
	close(fd);
	s->eff = status_field(status, "CapEff:\t");
	s->prm = status_field(status, "CapPrm:\t");
	s->inh = status_field(status, "CapInh:\t");
	s->bnd = status_field(status, "CapBnd:\t");
	s->amb = status_field(status, "CapAmb:\t");
	s->no_new_privs =
		(int)strtol(strstr(status, "NoNewPrivs:") + 11, NULL, 10);
	s->seccomp = (int)strtol(strstr(status, "Seccomp:") + 8, NULL, 10);
	s->umask = (int)strtol(strstr(status, "Umask:") + 6, NULL, 8);
	getrlimit(RLIMIT_NOFILE, &limit);
	s->nofile_soft = limit.rlim_cur;
	s->nofile_hard = limit.rlim_max;
	errno = 0;
	s->getcwd_errno = getcwd(dir, sizeof(dir)) ? 0 : errno;
	prctl(PR_GET_PDEATHSIG, &s->pdeath);
	s->uid = getuid();
	s->gid = getgid();
	s->groups = getgroups(4, s->group);
}

static void send_state(int fd, const struct state *s)
{
	if (write(fd, s, sizeof(*s)) != (ssize_t)sizeof(*s))
		_exit(98);
}

/* In a child: process_prepare, what it left, then process_exec of this
 * program ("report FD"), which sends what the exec left. */
static _Noreturn void prepare_and_exec(struct oci_process *process,
				       const struct oci_seccomp *seccomp,
				       int out)
{
	struct state s = { 0 };
	char path[256];

	s.prepared = process_prepare(process, seccomp);
	s.error = errno;
	snprintf(s.context, sizeof(s.context), "%s", hop_context());
	read_state(&s, 1);
	send_state(out, &s);
	if (s.prepared == 0 &&
	    process_find_executable(process, path, sizeof(path)) == 0)
		process_exec(process, seccomp, path);
	_exit(99);
}

/* Fork, run prepare_and_exec, and gather the two states (stage 0: none);
 * check that the child ended with want. The child's stderr goes to log
 * (if not -1), for its -x lines. */
static void run_child(struct oci_process *process,
		      const struct oci_seccomp *seccomp, int log, int want,
		      struct state *before, struct state *after)
{
	char fd_text[16];
	const char *args[] = { "/proc/self/exe", "report", fd_text, NULL };
	int pipe_fds[2], status = -1;
	pid_t pid;

	memset(before, 0, sizeof(*before));
	memset(after, 0, sizeof(*after));
	if (pipe(pipe_fds) < 0)
		return;
	snprintf(fd_text, sizeof(fd_text), "%d", pipe_fds[1]);
	process->args = args;
	(void)fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(pipe_fds[0]);
		if (log >= 0)
			(void)dup2(log, 2);
		prepare_and_exec(process, seccomp, pipe_fds[1]);
	}
	close(pipe_fds[1]);
	if (read(pipe_fds[0], before, sizeof(*before)) != sizeof(*before))
		before->stage = 0;
	if (read(pipe_fds[0], after, sizeof(*after)) != sizeof(*after))
		after->stage = 0;
	close(pipe_fds[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	UNIT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == want,
		   "the child ended with status %d (raw %#x)", want, status);
	process->args = NULL;
}

static const char *path_env[] = { "PATH=/usr/bin:/bin", NULL };

/* uid 0, three capabilities in every set, no_new_privs: the filter is
 * loaded by process_exec, so it shows only after the exec. */
static void test_prepare_root(void)
{
	struct oci_seccomp_rule rule = {
		.names = (const char *[]){ "getcwd", NULL },
		.action = SCMP_ACT_ERRNO(EPERM),
	};
	struct oci_seccomp seccomp = { .default_action = SCMP_ACT_ALLOW,
				       .rules = &rule,
				       .rule_count = 1 };
	struct oci_process process = {
		.umask = 077,
		.env = path_env,
		.cwd = "/",
		.has_capabilities = 1,
		.capabilities = { THREE, THREE, THREE, THREE, THREE },
		.rlimits = { { RLIMIT_NOFILE, 1024, 1024 } },
		.rlimit_count = 1,
		.no_new_privileges = 1,
	};
	struct state b, a;
	char log[16384];
	int fd = memfd_create("log", MFD_CLOEXEC);

	hop_explain_calls = 1;
	run_child(&process, &seccomp, fd, 0, &b, &a);
	hop_explain_calls = 0;
	UNIT_CHECK(b.stage == 1 && b.prepared == 0,
		   "root: process_prepare works (%s)",
		   b.prepared == 0 ? "" : b.context);
	UNIT_CHECK(b.eff == THREE && b.prm == THREE && b.inh == THREE &&
			   b.bnd == THREE && b.amb == THREE,
		   "root: every set is the three asked (eff %llx prm %llx inh "
		   "%llx bnd %llx amb %llx)",
		   b.eff, b.prm, b.inh, b.bnd, b.amb);
	UNIT_CHECK(b.no_new_privs == 1 && b.seccomp == 0 && b.getcwd_errno == 0,
		   "root: no_new_privs set, the filter not yet loaded "
		   "(NoNewPrivs %d, Seccomp %d)",
		   b.no_new_privs, b.seccomp);
	UNIT_CHECK(b.umask == 077 && b.nofile_soft == 1024 &&
			   b.nofile_hard == 1024,
		   "root: umask %04o, RLIMIT_NOFILE %llu/%llu", b.umask,
		   b.nofile_soft, b.nofile_hard);
	UNIT_CHECK(a.stage == 2, "root: process_exec ran the command");
	UNIT_CHECK(a.eff == THREE && a.prm == THREE && a.bnd == THREE &&
			   a.amb == THREE,
		   "root: after exec, the three still (eff %llx prm %llx bnd "
		   "%llx amb %llx)",
		   a.eff, a.prm, a.bnd, a.amb);
	UNIT_CHECK(a.seccomp == 2 && a.no_new_privs == 1 &&
			   a.getcwd_errno == EPERM,
		   "root: after exec, the filter is in: getcwd fails with "
		   "EPERM (Seccomp %d, errno %d)",
		   a.seccomp, a.getcwd_errno);
	UNIT_CHECK(a.umask == 077 && a.nofile_soft == 1024,
		   "root: umask and rlimit survive the exec");
	read_all(fd, log, sizeof(log));
	close(fd);
	UNIT_CHECK(strstr(log, "prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN) = 0") &&
			   strstr(log,
				  "setrlimit(RLIMIT_NOFILE, {rlim_cur=1024, "
				  "rlim_max=1024}) = 0") &&
			   strstr(log, "prctl(PR_CAP_AMBIENT, "
				       "PR_CAP_AMBIENT_RAISE, CAP_KILL) = 0") &&
			   strstr(log, "execve(\"/proc/self/exe\""),
		   "root: -x shows the kernel calls");
	UNIT_CHECK(strstr(log, "PR_SET_NO_NEW_PRIVS") &&
			   strstr(log, "seccomp(") >
				   strstr(log, "PR_SET_NO_NEW_PRIVS"),
		   "root: -x shows the filter loaded after no_new_privs");
}

/* A non-zero uid with capabilities, no no_new_privs: the filter is
 * loaded first (it needs CAP_SYS_ADMIN then), the capabilities survive
 * the change of uid, and only the ambient ones survive the exec. */
static void test_prepare_user(void)
{
	gid_t groups[] = { 100, 65534 };
	struct oci_seccomp_rule rule = {
		.names = (const char *[]){ "getcwd", NULL },
		.action = SCMP_ACT_ERRNO(ENOSYS),
	};
	struct oci_seccomp seccomp = { .default_action = SCMP_ACT_ALLOW,
				       .rules = &rule,
				       .rule_count = 1 };
	struct oci_process process = {
		.uid = 65534,
		.gid = 65534,
		.additional_gids = groups,
		.additional_gid_count = 2,
		.umask = -1,
		.env = path_env,
		.has_capabilities = 1,
		.capabilities = {
			.bounding = THREE,
			.effective = BIT(CAP_NET_BIND_SERVICE),
			.permitted = BIT(CAP_NET_BIND_SERVICE) | BIT(CAP_KILL),
			.inheritable = BIT(CAP_NET_BIND_SERVICE),
			.ambient = BIT(CAP_NET_BIND_SERVICE),
		},
	};
	struct state b, a;

	run_child(&process, &seccomp, -1, 0, &b, &a);
	UNIT_CHECK(b.stage == 1 && b.prepared == 0,
		   "user: process_prepare works (%s)",
		   b.prepared == 0 ? "" : b.context);
	UNIT_CHECK(b.uid == 65534 && b.gid == 65534 && b.groups == 2 &&
			   b.group[0] == 100 && b.group[1] == 65534,
		   "user: uid %u gid %u, groups %d: %u %u", b.uid, b.gid,
		   b.groups, b.group[0], b.group[1]);
	UNIT_CHECK(b.eff == BIT(CAP_NET_BIND_SERVICE) &&
			   b.prm == (BIT(CAP_NET_BIND_SERVICE) |
				     BIT(CAP_KILL)) &&
			   b.bnd == THREE && b.amb == BIT(CAP_NET_BIND_SERVICE),
		   "user: the sets as asked, past setresuid (eff %llx prm "
		   "%llx bnd %llx amb %llx)",
		   b.eff, b.prm, b.bnd, b.amb);
	UNIT_CHECK(b.seccomp == 2 && b.no_new_privs == 0 &&
			   b.getcwd_errno == ENOSYS,
		   "user: the filter is loaded before the exec (Seccomp %d, "
		   "getcwd errno %d)",
		   b.seccomp, b.getcwd_errno);
	UNIT_CHECK(b.umask == 022, "user: umask not set is 0022 (%04o)",
		   b.umask);
	UNIT_CHECK(a.stage == 2 && a.uid == 65534,
		   "user: process_exec ran the command as 65534");
	UNIT_CHECK(a.eff == BIT(CAP_NET_BIND_SERVICE) &&
			   a.prm == BIT(CAP_NET_BIND_SERVICE) &&
			   a.amb == BIT(CAP_NET_BIND_SERVICE),
		   "user: after exec, the ambient capability alone (eff %llx "
		   "prm %llx amb %llx)",
		   a.eff, a.prm, a.amb);
	UNIT_CHECK(a.seccomp == 2 && a.getcwd_errno == ENOSYS,
		   "user: the filter is still in after exec");
}

/* The parent-death signal is cleared by a change of ids: kept. */
static void test_parent_death_kept(void)
{
	struct oci_process process = { .uid = 1000, .gid = 1000, .umask = -1 };
	int status = -1, signal_number = 0;
	pid_t pid;

	(void)fflush(stdout);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (process_prepare(&process, NULL) < 0)
			_exit(2);
		prctl(PR_GET_PDEATHSIG, &signal_number);
		_exit(signal_number == SIGKILL ? 0 : 3);
	}
	waitpid(pid, &status, 0);
	UNIT_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "PR_SET_PDEATHSIG survives setresuid (status %#x)", status);
}

/* Ambient without inheritable (runc spec's default): left out, as runc
 * does, and the process runs. */
static void test_ambient_refused(void)
{
	struct oci_process process = {
		.umask = -1,
		.env = path_env,
		.has_capabilities = 1,
		.capabilities = { THREE, THREE, THREE, 0, BIT(CAP_KILL) },
	};
	struct state b, a;

	run_child(&process, NULL, -1, 0, &b, &a);
	UNIT_CHECK(b.stage == 1 && b.prepared == 0,
		   "ambient without inheritable: prepare goes on");
	UNIT_CHECK(b.amb == 0,
		   "ambient without inheritable: left out "
		   "(CapAmb %#llx)",
		   b.amb);
}

/* A filter libseccomp refuses fails process_prepare, before the wait on
 * exec.fifo: create reports it, not start. */
static void test_bad_filter_early(void)
{
	struct oci_seccomp_arg bad_index = { 6, 0, 0, SCMP_CMP_EQ };
	struct oci_seccomp_rule rule = {
		.names = (const char *[]){ "getcwd", NULL },
		.action = SCMP_ACT_ERRNO(EPERM),
		.args = &bad_index,
		.arg_count = 1,
	};
	struct oci_seccomp seccomp = { .default_action = SCMP_ACT_ALLOW,
				       .rules = &rule,
				       .rule_count = 1 };
	struct oci_process process = { .umask = -1,
				       .env = path_env,
				       .no_new_privileges = 1 };
	struct state b, a;

	run_child(&process, &seccomp, -1, 99, &b, &a);
	UNIT_CHECK(b.stage == 1 && b.prepared < 0 && b.error == EINVAL &&
			   b.seccomp == 0,
		   "a bad late filter fails process_prepare, nothing loaded");
	UNIT_STREQ(b.context, "seccomp_rule_add getcwd: Invalid argument",
		   "a bad late filter: the library's words");
}

/* Run process_seccomp_filter with -v, its notes into notes. */
static int build_filter(const struct oci_seccomp *seccomp, void **ctx,
			char *notes, size_t size)
{
	int log = memfd_create("notes", MFD_CLOEXEC), saved = dup(2), rc;

	(void)fflush(stderr);
	(void)dup2(log, 2);
	hop_verbose = 1;
	rc = process_seccomp_filter(seccomp, ctx);
	hop_verbose = 0;
	(void)dup2(saved, 2);
	close(saved);
	read_all(log, notes, size);
	close(log);
	return rc;
}

static void test_seccomp_filter(void)
{
	uint32_t architectures[] = { SCMP_ARCH_X86_64, SCMP_ARCH_X86,
				     SCMP_ARCH_X32 };
	struct oci_seccomp_arg size_zero = { 1, 0, 0, SCMP_CMP_EQ };
	struct oci_seccomp_arg personas[] = { { 0, 0x8, 0, SCMP_CMP_EQ },
					      { 0, 0x20008, 0, SCMP_CMP_EQ } };
	struct oci_seccomp_arg bad_index = { 6, 0, 0, SCMP_CMP_EQ };
	struct oci_seccomp_rule rules[] = {
		{ (const char *[]){ "getcwd", "hop_no_such_syscall", NULL },
		  SCMP_ACT_ERRNO(EPERM), &size_zero, 1 },
		{ (const char *[]){ "getpid", NULL }, SCMP_ACT_ALLOW, NULL, 0 },
		{ (const char *[]){ "personality", NULL },
		  SCMP_ACT_ERRNO(EINVAL), personas, 2 },
	};
	struct oci_seccomp seccomp = {
		SCMP_ACT_ALLOW, architectures, 3, rules, 3, 0
	};
	char notes[4096], pfc[65536];
	void *ctx = NULL;
	struct stat st = { 0 };
	int fd;

	UNIT_CHECK(build_filter(&seccomp, &ctx, notes, sizeof(notes)) == 0 &&
			   ctx,
		   "filter: ERRNO rules with args, three architectures");
	UNIT_CHECK(strstr(notes, "hop_no_such_syscall") != NULL,
		   "filter: -v says the unknown syscall is skipped");
	UNIT_CHECK(strstr(notes, "rule 1 has the default action") != NULL,
		   "filter: -v says the rule with the default action is "
		   "skipped");
	fd = memfd_create("pfc", MFD_CLOEXEC);
	UNIT_CHECK(ctx && seccomp_export_pfc(ctx, fd) == 0,
		   "filter: exported as PFC text");
	read_all(fd, pfc, sizeof(pfc));
	close(fd);
	UNIT_CHECK(strstr(pfc, "getcwd") && strstr(pfc, "personality") &&
			   !strstr(pfc, "getpid"),
		   "filter: getcwd and personality have rules, getpid none");
	UNIT_CHECK(strstr(pfc, "x86_64") && strstr(pfc, "x32"),
		   "filter: x86_64 and x32 are in");
	fd = memfd_create("bpf", MFD_CLOEXEC);
	UNIT_CHECK(ctx && seccomp_export_bpf(ctx, fd) == 0 &&
			   fstat(fd, &st) == 0 && st.st_size > 0 &&
			   st.st_size % 8 == 0,
		   "filter: a BPF program of %lld instructions",
		   (long long)st.st_size / 8);
	close(fd);
	if (ctx)
		seccomp_release(ctx);

	seccomp.rules[0].args = &bad_index;
	UNIT_CHECK(build_filter(&seccomp, &ctx, notes, sizeof(notes)) < 0 &&
			   errno == EINVAL && !ctx &&
			   hop_error_kind() == HOP_ERROR_LIBRARY,
		   "filter: argument 6 is a library failure, EINVAL");
	UNIT_STREQ(hop_context(), "seccomp_rule_add getcwd: Invalid argument",
		   "filter: the failure names the call and the syscall");
	seccomp.default_action = 0x12345678;
	UNIT_CHECK(build_filter(&seccomp, &ctx, notes, sizeof(notes)) < 0 &&
			   hop_error_kind() == HOP_ERROR_LIBRARY,
		   "filter: a default action libseccomp refuses");
}

/* process_find_executable on one command with one environment. */
static int find(const char *command, const char **env, char *path, size_t size)
{
	const char *args[] = { command, NULL };
	struct oci_process process = { .args = args, .env = env };

	return process_find_executable(&process, path, size);
}

static void make_file(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd >= 0) {
		(void)write(fd, "#!/bin/sh\n", 10);
		fchmod(fd, mode);
		close(fd);
	}
}

static void test_find_in_path(void)
{
	const char *no_path[] = { "HOME=/", NULL };
	const char *empty_dirs[] = { "PATH=/nonexistent:/nonexistent2", NULL };
	const char *want = access("/usr/bin/sh", X_OK) == 0 ? "/usr/bin/sh" :
							      "/bin/sh";
	char path[256], small[6];

	UNIT_CHECK(find("sh", path_env, path, sizeof(path)) == 0,
		   "find: sh with PATH=/usr/bin:/bin");
	UNIT_STREQ(path, want, "find: the first directory that has it");
	UNIT_CHECK(find("sh", no_path, path, sizeof(path)) == 0,
		   "find: no PATH in the env: execvp's /bin:/usr/bin");
	UNIT_STREQ(path, "/bin/sh", "find: /bin first then");
	UNIT_CHECK(find("sh", empty_dirs, path, sizeof(path)) < 0 &&
			   errno == ENOENT,
		   "find: the config's PATH is searched, not ours");
	UNIT_CHECK(find("hop-no-such-command", path_env, path, sizeof(path)) <
				   0 &&
			   errno == ENOENT && hop_refused(),
		   "find: a missing command is ENOENT");
	UNIT_STREQ(hop_context(),
		   "exec: \"hop-no-such-command\": executable file not found "
		   "in $PATH",
		   "find: runc's words for it");
	UNIT_CHECK(find("sh", path_env, small, sizeof(small)) < 0 &&
			   errno == ENOENT,
		   "find: a path longer than the buffer is not taken");
	UNIT_CHECK(find("", path_env, path, sizeof(path)) < 0 &&
			   errno == ENOENT,
		   "find: an empty args[0] is not found");
}

static void test_find_with_slash(const char *dir)
{
	char file[256], path[256], env_text[300];
	const char *env[] = { env_text, NULL };
	int home = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	snprintf(file, sizeof(file), "%s/notexec", dir);
	make_file(file, 0644);
	UNIT_CHECK(find(file, path_env, path, sizeof(path)) < 0 &&
			   errno == EACCES,
		   "find: a file without an x bit is EACCES");
	snprintf(env_text, sizeof(env_text), "exec: \"%s\": permission denied",
		 file);
	UNIT_STREQ(hop_context(), env_text, "find: runc's words for it");
	snprintf(env_text, sizeof(env_text), "PATH=/nonexistent:%s", dir);
	UNIT_CHECK(find("notexec", env, path, sizeof(path)) < 0 &&
			   errno == EACCES,
		   "find: found in PATH but not executable: EACCES");
	UNIT_CHECK(find("/tmp", path_env, path, sizeof(path)) < 0 &&
			   errno == EACCES,
		   "find: a directory is EACCES, as execve says");
	UNIT_CHECK(find("/nonexistent/cmd", path_env, path, sizeof(path)) < 0 &&
			   errno == ENOENT,
		   "find: a missing absolute path is ENOENT");
	UNIT_STREQ(hop_context(),
		   "exec: \"/nonexistent/cmd\": stat /nonexistent/cmd",
		   "find: Go's words for it (the program adds strerror)");

	snprintf(file, sizeof(file), "%s/bin", dir);
	mkdir(file, 0755);
	snprintf(file, sizeof(file), "%s/bin/tool", dir);
	make_file(file, 0755);
	UNIT_CHECK(chdir(dir) == 0 &&
			   find("bin/tool", path_env, path, sizeof(path)) == 0,
		   "find: a relative path with '/' is found");
	UNIT_STREQ(path, "bin/tool", "find: and taken as is");
	snprintf(env_text, sizeof(env_text), "PATH=/nonexistent::/bin");
	make_file("tool", 0755);
	UNIT_CHECK(find("tool", env, path, sizeof(path)) == 0,
		   "find: an empty PATH entry is the working directory");
	UNIT_STREQ(path, "tool", "find: taken relative, as execvp");
	unlink("tool");
	unlink("bin/tool");
	rmdir("bin");
	unlink("notexec");
	if (home >= 0) {
		(void)fchdir(home);
		close(home);
	}
}

static void test_exec_failure(void)
{
	const char *args[] = { "x", NULL };
	struct oci_process process = { .args = args, .env = path_env };

	UNIT_CHECK(process_exec(&process, NULL, "/nonexistent/x") < 0 &&
			   errno == ENOENT,
		   "exec: returns -1 with execve's errno");
	UNIT_STREQ(hop_context(), "exec /nonexistent/x",
		   "exec: the failure names the path");
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/hop-test-process.XXXXXX";

	/* The command process_exec runs in the children: report and end. */
	if (argc == 3 && strcmp(argv[1], "report") == 0) {
		struct state s = { 0 };

		read_state(&s, 2);
		send_state((int)strtol(argv[2], NULL, 10), &s);
		_exit(0);
	}
	unit_name = "process";
	test_seccomp_filter();
	test_find_in_path();
	if (mkdtemp(dir)) {
		test_find_with_slash(dir);
		rmdir(dir);
	}
	test_exec_failure();
	if (geteuid() == 0) {
		test_prepare_root();
		test_prepare_user();
		test_parent_death_kept();
		test_ambient_refused();
		test_bad_filter_early();
	} else {
		printf("# not root: process_prepare is not tested\n");
	}
	UNIT_DONE();
}
