/* process.h - the last steps of a container's process, from .process and
 * .linux.seccomp of config.json: in the container's namespaces, after
 * pivot_root, as the init of `mini-runc create/run` or a process joining
 * with `mini-runc exec`.
 *
 *   process_prepare          before the wait on exec.fifo: everything that
 *                            needs privilege (limits, user, capabilities)
 *   process_find_executable  the command's path, found now so that create
 *                            can report a missing command
 *   process_exec             after the wait: the late seccomp filter, then
 *                            execve with exactly the config's environment
 *   process_seccomp_filter   the libseccomp filter, built but not loaded
 *
 * Same contract as the other modules: -1 with errno and hop_context(),
 * never exits, never prints to stdout; -v narrates, -x shows each kernel
 * call.
 *
 * Read: capabilities(7), prctl(2) (PR_CAPBSET_DROP, PR_SET_KEEPCAPS,
 * PR_CAP_AMBIENT, PR_SET_NO_NEW_PRIVS), setresuid(2), setgroups(2),
 * setrlimit(2), seccomp(2), seccomp_rule_add(3), cap_set_proc(3),
 * execve(2), and runc's libcontainer/standard_init_linux.go.
 */
#ifndef HOP_PROCESS_H
#define HOP_PROCESS_H

#include <stddef.h>

#include "05-runtime/config.h"

/* In this order: oom_score_adj, rlimits, umask (0022 when not set, as
 * runc); the seccomp filter now if no_new_privileges is false (loading it
 * then needs CAP_SYS_ADMIN, which the capabilities step may drop); the
 * bounding set; the user (groups, gid, uid: capabilities kept across the
 * change of uid); the effective, permitted, inheritable and ambient sets
 * exactly as configured; no_new_privs. The caller has done chdir(cwd). With
 * no_new_privileges true the filter is built here, so that a bad one is
 * reported by create, and kept for process_exec. seccomp may be NULL. */
int process_prepare(const struct oci_process *process,
		    const struct oci_seccomp *seccomp);

/* The command's path into path: args[0] as is when it holds a '/', else
 * searched in the PATH of process->env (not ours; /bin:/usr/bin when it
 * has none, as execvp), in the current root. Not found: refused with
 * errno ENOENT, `exec: "foo": executable file not found in $PATH`; found
 * but not an executable file: EACCES. Checked with our effective ids, in
 * the working directory: runc looks after process_prepare, as the
 * container's user; before it, root finds what the user may not run. */
int process_find_executable(const struct oci_process *process, char *path,
			    size_t size);

/* Load the filter process_prepare kept (or build it from seccomp, when
 * no_new_privileges is true and it did not), then execve(path, args) with
 * exactly process->env. Returns only on failure: -1, errno from execve
 * (or from loading the filter), the context "exec PATH". */
int process_exec(const struct oci_process *process,
		 const struct oci_seccomp *seccomp, const char *path);

/* Build the filter into *ctx (a scmp_filter_ctx; seccomp_release() it)
 * without loading it. A syscall name this libseccomp does not know is
 * skipped with a -v note, as runc does for profiles written for newer
 * kernels; so is a rule whose action is the default one. */
int process_seccomp_filter(const struct oci_seccomp *seccomp, void **ctx);

#endif
