/* hooks.c - OCI hooks: a program of the host, run at a point of the
 * container's life with the container's state as JSON on its stdin.
 * See instance.h. Read: the runtime spec's config.md, "POSIX-platform
 * Hooks"; pipe(7). */
#include "05-runtime/instance.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/hop.h"

/* In the child: the state on stdin, then exec the hook. */
static _Noreturn void hook_child(const struct oci_hook *hook, int input)
{
	static const char *none[] = { NULL };
	const char *just_path[] = { hook->path, NULL };

	if (dup2(input, STDIN_FILENO) < 0)
		_exit(127);
	execve(hook->path, (char *const *)(hook->args ? hook->args : just_path),
	       (char *const *)(hook->env ? hook->env : none));
	_exit(127);
}

/* Wait for pid, at most timeout seconds (0: no limit); kill it after. */
static int wait_hook(pid_t pid, int timeout, int *status)
{
	struct timespec pause = { 0, 10000000L }; /* 10 ms */

	for (long waited = 0;; waited += 10) {
		pid_t got = waitpid(pid, status, timeout ? WNOHANG : 0);

		if (got == pid)
			return 0;
		if (got < 0 && errno != EINTR)
			return -1;
		if (timeout && waited >= timeout * 1000L) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			errno = ETIMEDOUT;
			return -1;
		}
		if (timeout)
			nanosleep(&pause, NULL);
	}
}

static int run_hook(const struct oci_hook *hook, const char *phase,
		    const char *state)
{
	int pipefd[2], status = 0;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return hop_fail("pipe2");
	hop_step(_("hook %s: %s"), phase, hook->path);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return hop_fail("fork");
	}
	if (pid == 0)
		hook_child(hook, pipefd[0]);
	close(pipefd[0]);
	/* A hook that does not read its stdin is fine: no SIGPIPE here. */
	(void)signal(SIGPIPE, SIG_IGN);
	if (write(pipefd[1], state, strlen(state)) < 0 && errno != EPIPE)
		hop_warn(_("hook %s: write the state: %s"), hook->path,
			 strerror(errno));
	close(pipefd[1]);
	if (wait_hook(pid, hook->timeout, &status) < 0)
		return hop_fail(_("%s hook %s"), phase, hook->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	errno = ECANCELED;
	return hop_fail(_("%s hook %s ended with status %d"), phase, hook->path,
			WIFEXITED(status) ? WEXITSTATUS(status) :
					    128 + WTERMSIG(status));
}

int hooks_run(const struct oci_hook *hooks, size_t count, const char *phase,
	      const char *state)
{
	for (size_t i = 0; i < count; i++)
		if (run_hook(&hooks[i], phase, state) < 0)
			return -1;
	return 0;
}
