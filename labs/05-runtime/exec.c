/* exec.c - mini-runc exec: one more process in a running container, as
 * nsenter(1) does, with the container's own limits on it. See runtime.h.
 *
 * mini-runc forks a helper that makes itself non-dumpable (so that no
 * process of the container can ptrace it or open its /proc/PID/exe while
 * it is inside: CVE-2016-9962, CVE-2019-5736), joins the container's
 * cgroups and, with setns(), its namespaces. A process joins a PID
 * namespace only through its children: the helper forks the process,
 * which sets itself up (process.c) and execs the command. The helper
 * reports that pid, waits for it and ends with its status.
 *
 * Read: setns(2), prctl(2) PR_SET_DUMPABLE, nsenter(1). */
#include "05-runtime/runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "01-namespaces/ns.h"
#include "04-container-by-hand/container.h"
#include "05-runtime/instance.h"
#include "05-runtime/process.h"
#include "lib/hop.h"

/* What goes back to mini-runc: the process's pid, or an error. */
struct exec_report {
	pid_t pid;
	int error;
	enum hop_error_kind kind; /* so that it is said as it was recorded */
	char message[512];
};

struct exec_job {
	struct instance in;
	struct oci_config config;
	struct oci_process process; /* the config's, changed by options */
	void *process_json;	    /* of --process, or NULL */
	const char *env[256];
	gid_t gid;
	const struct runtime_exec_options *options;
	int console;
};

static _Noreturn void report_failure(int sync)
{
	struct exec_report report = { .error = errno,
				      .kind = hop_error_kind() };

	snprintf(report.message, sizeof(report.message), "%s", hop_context());
	/* No one to tell (mini-runc was killed): say it here, with its errno
	 * and kind, not send's. */
	if (send(sync, &report, sizeof(report), MSG_NOSIGNAL) < 0) {
		errno = report.error;
		hop_warn_context();
	}
	_exit(CONTAINER_SETUP_FAILED);
}

/* The namespaces of the container's init, in an order that works: the
 * user namespace first (it gives the rights for the others), the mount
 * namespace last (after it, no host path is reachable). */
static int join_namespaces(pid_t pid)
{
	static const struct {
		const char *name;
		int type;
	} order[] = { { "user", CLONE_NEWUSER }, { "ipc", CLONE_NEWIPC },
		      { "uts", CLONE_NEWUTS },	 { "net", CLONE_NEWNET },
		      { "pid", CLONE_NEWPID },	 { "cgroup", CLONE_NEWCGROUP },
		      { "time", CLONE_NEWTIME }, { "mnt", CLONE_NEWNS } };
	int fds[8];

	/* Open them all first: once in its mount namespace, the host's
	 * /proc is out of reach. */
	for (size_t i = 0; i < 8; i++) {
		char path[64], self[64];
		struct stat theirs, ours;

		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid,
			 order[i].name);
		snprintf(self, sizeof(self), "/proc/self/ns/%s", order[i].name);
		fds[i] = -1;
		/* Ours already (or none): setns would refuse the user one. */
		if (stat(path, &theirs) < 0 || stat(self, &ours) < 0 ||
		    theirs.st_ino == ours.st_ino)
			continue;
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return hop_fail(_("open %s"), path);
	}
	for (size_t i = 0; i < 8; i++) {
		int rc;

		if (fds[i] < 0)
			continue;
		rc = setns(fds[i], order[i].type);
		hop_explain(rc, "setns(/proc/%d/ns/%s)", (int)pid,
			    order[i].name);
		close(fds[i]);
		if (rc < 0)
			return hop_fail(_("join the %s namespace of pid %d"),
					order[i].name, (int)pid);
	}
	return 0;
}

static int close_all_but(int keep)
{
	int rc = keep > 3 ? (int)syscall(SYS_close_range, 3U,
					 (unsigned)keep - 1, 0U) :
			    0;

	if (rc == 0)
		rc = (int)syscall(SYS_close_range, (unsigned)keep + 1, ~0U, 0U);
	hop_explain(rc, "close_range(3.., all but %d)", keep);
	return rc;
}

/* The process, inside everything: its own session, the terminal, cwd,
 * then process.c's steps and exec. */
static _Noreturn void exec_process(struct exec_job *job, int sync)
{
	char path[PATH_MAX];
	int rc = setsid();

	hop_explain(rc, "setsid()");
	if (rc < 0 || hop_default_signals() < 0 ||
	    terminal_setup(&job->console, 0) < 0)
		report_failure(sync);
	/* No fd of our caller's reaches the command, nor our chdir below
	 * (CVE-2024-21626: --cwd /proc/self/fd/N would lead to the host):
	 * from 3 up, all are closed now but our socket to mini-runc, which
	 * the exec closes. */
	rc = close_all_but(sync);
	if (rc < 0) {
		hop_fail("close_range");
		report_failure(sync);
	}
	rc = chdir(job->process.cwd);
	hop_explain(rc, "chdir(\"%s\")", job->process.cwd);
	if (rc < 0) {
		hop_fail(_("chdir to cwd (\"%s\")"), job->process.cwd);
		report_failure(sync);
	}
	if (process_prepare(&job->process, job->config.seccomp) < 0 ||
	    process_find_executable(&job->process, path, sizeof(path)) < 0)
		report_failure(sync);
	process_exec(&job->process, job->config.seccomp, path);
	report_failure(sync);
}

/* The helper: joins, forks the process, reports its pid, waits for it
 * (unless --detach) and ends with its status. */
static _Noreturn void exec_helper(struct exec_job *job, int sync)
{
	struct exec_report report = { 0 };
	int rc = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

	hop_explain(rc, "prctl(PR_SET_DUMPABLE, 0)");
	if (rc < 0 || instance_join_cgroups(&job->in, getpid()) < 0)
		report_failure(sync);
	if (job->process.terminal &&
	    (job->console = terminal_connect(job->options->console_socket)) < 0)
		report_failure(sync);
	if (join_namespaces(job->in.pid) < 0)
		report_failure(sync);
	report.pid = fork();
	if (report.pid < 0) {
		hop_fail("fork");
		report_failure(sync);
	}
	if (report.pid == 0)
		exec_process(job, sync);
	if (job->console >= 0)
		close(job->console);
	if (send(sync, &report, sizeof(report), MSG_NOSIGNAL) < 0)
		_exit(CONTAINER_SETUP_FAILED);
	close(sync);
	if (job->options->detach)
		_exit(0);
	rc = ns_wait_forwarding(report.pid);
	_exit(rc < 0 ? CONTAINER_SETUP_FAILED : rc);
}

/* Read a --process file into job->process. */
static int read_process_file(struct exec_job *job, const char *file)
{
	FILE *in = fopen(file, "re");
	char *text = NULL;
	size_t size = 0;
	int rc;

	if (!in)
		return hop_fail(_("--process %s"), file);
	rc = getdelim(&text, &size, '\0', in) < 0 ? -1 : 0;
	fclose(in);
	if (rc < 0) {
		free(text);
		return hop_fail(_("read %s"), file);
	}
	rc = config_parse_process(text, file, &job->process,
				  &job->process_json);
	free(text);
	return rc;
}

/* --user UID or UID:GID, in numbers. */
static int parse_user(const char *text, struct oci_process *process)
{
	char uid[32];
	const char *colon = strchr(text, ':');
	long number;

	snprintf(uid, sizeof(uid), "%.*s",
		 (int)(colon ? (size_t)(colon - text) : strlen(text)), text);
	if (hop_parse_long(uid, 0, 0xfffffffe, &number) < 0)
		return hop_refuse(_("--user %s: UID or UID:GID, in numbers"),
				  text);
	process->uid = (uid_t)number;
	if (!colon)
		return 0;
	if (hop_parse_long(colon + 1, 0, 0xfffffffe, &number) < 0)
		return hop_refuse(_("--user %s: UID or UID:GID, in numbers"),
				  text);
	process->gid = (gid_t)number;
	return 0;
}

/* The config's process with the command line's changes. */
static int make_process(struct exec_job *job)
{
	const struct runtime_exec_options *o = job->options;
	size_t count = 0;

	if (o->process_file)
		return read_process_file(job, o->process_file);
	if (!o->args || !o->args[0])
		return hop_refuse(_("exec: no command given (ID ARGS...), "
				    "and no --process"));
	job->process = job->config.process;
	job->process.args = (const char **)o->args;
	job->process.terminal = o->tty;
	for (size_t i = 0; job->config.process.env[i] && count < 200; i++)
		job->env[count++] = job->config.process.env[i];
	for (size_t i = 0; o->env && o->env[i] && count < 255; i++)
		job->env[count++] = o->env[i];
	job->env[count] = NULL;
	job->process.env = job->env;
	if (o->cwd)
		job->process.cwd = o->cwd;
	if (o->user && parse_user(o->user, &job->process) < 0)
		return -1;
	return 0;
}

/* Hear from the helper: the process's pid, or why there is none. */
static int hear(int sync, pid_t helper, pid_t *pid)
{
	struct exec_report report;
	ssize_t got;

	/* The helper's note with the pid, then from the process: nothing
	 * (its exec closed the last copy of the socket) or why it could not
	 * run. Its note may also come first. */
	for (int heard = 0; heard < 2; heard++) {
		do
			got = recv(sync, &report, sizeof(report), 0);
		while (got < 0 && errno == EINTR);
		if (got == sizeof(report) && report.pid > 0)
			*pid = report.pid;
		else if (got == 0 && *pid > 0)
			return 0;
		else
			break;
	}
	ns_wait_status(helper);
	if (got != sizeof(report)) {
		errno = EPROTO;
		return hop_fail(_("exec: the helper ended without a word"));
	}
	return hop_record(report.kind, HOP_HINT_NONE, report.error, "%s",
			  report.message);
}

static int start_helper(struct exec_job *job)
{
	int pair[2], status;
	pid_t helper, pid = 0;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
		return hop_fail("socketpair");
	helper = fork();
	if (helper < 0)
		return hop_fail("fork");
	if (helper == 0) {
		close(pair[0]);
		exec_helper(job, pair[1]);
	}
	close(pair[1]);
	if (hear(pair[0], helper, &pid) < 0) {
		close(pair[0]);
		return -1;
	}
	close(pair[0]);
	if (job->options->pid_file) {
		FILE *out = fopen(job->options->pid_file, "we");

		if (!out || fprintf(out, "%d", (int)pid) < 0 || fclose(out))
			hop_warn(_("--pid-file %s: %s"), job->options->pid_file,
				 strerror(errno));
	}
	status = job->options->detach ? ns_wait_status(helper) :
					ns_wait_forwarding(helper);
	return status;
}

int runtime_exec(const struct runtime *rt, const char *id,
		 const struct runtime_exec_options *options)
{
	struct exec_job *job = calloc(1, sizeof(*job));
	int rc = -1;

	if (!job)
		return hop_fail(_("out of memory"));
	job->options = options;
	job->console = -1;
	if (instance_open(rt, id, &job->in) < 0) {
		free(job);
		return -1;
	}
	if (job->in.status != RUNTIME_RUNNING)
		hop_refuse(_("cannot exec in a container that is %s"),
			   instance_status_name(job->in.status));
	else if (config_load(job->in.state.dir, &job->config) == 0) {
		/* Nobody waits on our lock while the process runs. */
		close(job->in.state.lock);
		job->in.state.lock = -1;
		if (make_process(job) == 0)
			rc = start_helper(job);
		config_free(&job->config);
	}
	if (job->process_json) {
		config_free_process(&job->process);
		config_free_json(job->process_json);
	}
	instance_close(&job->in);
	free(job);
	return rc;
}
