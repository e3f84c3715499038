/* process.c - the last steps of a container's process: limits, user,
 * capabilities, seccomp, exec. See process.h for the contract. */
#include "05-runtime/process.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/hop.h"

/* What -x shows for seccomp_load(): libseccomp makes this one call. */
#define LOAD_CALL "seccomp(SECCOMP_SET_MODE_FILTER, 0, {filter})"

/* The filter process_prepare built when no_new_privileges is true, kept
 * for process_exec to load just before execve. One container process per
 * process of ours: a variable of this file is enough. */
static scmp_filter_ctx late_filter;

static const char *rlimit_name(int resource)
{
	static const char *const names[RLIMIT_NLIMITS] = {
		[RLIMIT_CPU] = "RLIMIT_CPU",
		[RLIMIT_FSIZE] = "RLIMIT_FSIZE",
		[RLIMIT_DATA] = "RLIMIT_DATA",
		[RLIMIT_STACK] = "RLIMIT_STACK",
		[RLIMIT_CORE] = "RLIMIT_CORE",
		[RLIMIT_RSS] = "RLIMIT_RSS",
		[RLIMIT_NPROC] = "RLIMIT_NPROC",
		[RLIMIT_NOFILE] = "RLIMIT_NOFILE",
		[RLIMIT_MEMLOCK] = "RLIMIT_MEMLOCK",
		[RLIMIT_AS] = "RLIMIT_AS",
		[RLIMIT_LOCKS] = "RLIMIT_LOCKS",
		[RLIMIT_SIGPENDING] = "RLIMIT_SIGPENDING",
		[RLIMIT_MSGQUEUE] = "RLIMIT_MSGQUEUE",
		[RLIMIT_NICE] = "RLIMIT_NICE",
		[RLIMIT_RTPRIO] = "RLIMIT_RTPRIO",
		[RLIMIT_RTTIME] = "RLIMIT_RTTIME",
	};

	if (resource >= 0 && resource < RLIMIT_NLIMITS && names[resource])
		return names[resource];
	return "RLIMIT_?";
}

/* "CAP_SYS_ADMIN", as strace shows it (libcap says "cap_sys_admin"). */
static const char *cap_name(cap_value_t cap, char *buf, size_t size)
{
	char *name = cap_to_name(cap);

	snprintf(buf, size, "%s", name ? name : "?");
	cap_free(name);
	for (char *c = buf; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	return buf;
}

/* The capabilities this kernel has, as a mask: libcap may know more. */
static uint64_t kernel_capabilities(void)
{
	cap_value_t count = cap_max_bits();

	return count >= 64 ? ~0ULL : (1ULL << count) - 1;
}

/* A failed seccomp_release() has nothing to say: keep errno. */
static void release_filter(void *filter)
{
	int saved = errno;

	if (filter)
		seccomp_release(filter);
	errno = saved;
}

/* Set errno from libseccomp's negative return, and record it. */
static int seccomp_failed(int rc, const char *what, const char *name)
{
	errno = -rc;
	return hop_fail_library("%s %s: %s", what, name, strerror(-rc));
}

/* oom_score_adj, rlimits and umask: first, while we may still lower our
 * oom_score_adj or raise a hard limit (CAP_SYS_RESOURCE). */
static int set_limits(const struct oci_process *process)
{
	mode_t mask = process->umask >= 0 ? (mode_t)process->umask : 022;
	char text[16];
	mode_t old;

	if (process->has_oom_score_adj) {
		snprintf(text, sizeof(text), "%d", process->oom_score_adj);
		hop_step(_("oom_score_adj %s"), text);
		if (hop_write_file("/proc/self/oom_score_adj", text) < 0)
			return -1;
	}
	for (size_t i = 0; i < process->rlimit_count; i++) {
		const struct oci_rlimit *r = &process->rlimits[i];
		struct rlimit limit = { .rlim_cur = r->soft,
					.rlim_max = r->hard };
		int rc = setrlimit(r->resource, &limit);

		hop_explain(rc, "setrlimit(%s, {rlim_cur=%llu, rlim_max=%llu})",
			    rlimit_name(r->resource),
			    (unsigned long long)r->soft,
			    (unsigned long long)r->hard);
		if (rc < 0)
			return hop_fail(_("setrlimit %s %llu %llu"),
					rlimit_name(r->resource),
					(unsigned long long)r->soft,
					(unsigned long long)r->hard);
	}
	/* Not set: 0022 as runc, not whatever umask our caller had (sudo
	 * may pass on 0077). umask() cannot fail. */
	old = umask(mask);
	hop_explain_call("umask(%04o) = %04o", (unsigned)mask, (unsigned)old);
	return 0;
}

/* Every capability not in bounding out of the bounding set, the limit of
 * what the command can ever get (an exec as root gets all of it). First:
 * it needs CAP_SETPCAP in the effective set, which a change to a non-zero
 * uid empties. One already out is left alone, so that a process joining
 * a container needs no CAP_SETPCAP for it. */
static int drop_bounding(uint64_t bounding)
{
	cap_value_t count = cap_max_bits();
	char name[32];

	hop_step(_("bounding set %#llx"), (unsigned long long)bounding);
	for (cap_value_t cap = 0; cap < count; cap++) {
		int rc;

		if ((cap < 64 && (bounding >> cap & 1)) ||
		    cap_get_bound(cap) != 1)
			continue;
		rc = cap_drop_bound(cap);
		hop_explain(rc, "prctl(PR_CAPBSET_DROP, %s)",
			    cap_name(cap, name, sizeof(name)));
		if (rc < 0)
			return hop_fail(_("drop %s from the bounding set"),
					cap_name(cap, name, sizeof(name)));
	}
	return 0;
}

/* Only the configured groups, none of ours (sudo leaves root's groups) -
 * unless none were asked for in a user namespace that denies setgroups
 * (rootless): ours cannot be dropped there, and runc leaves them too. */
static int set_groups(const struct oci_process *process)
{
	size_t count = process->additional_gid_count, used = 0;
	char list[128] = "", text[16] = "";
	int rc;

	if (count == 0 &&
	    hop_read_file("/proc/self/setgroups", text, sizeof(text)) > 0 &&
	    strncmp(text, "deny", 4) == 0)
		return 0;
	for (size_t i = 0; i < count && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used,
					 "%s%u", i ? ", " : "",
					 (unsigned)process->additional_gids[i]);
	rc = setgroups(count, process->additional_gids);
	hop_explain(rc, "setgroups(%zu, [%s])", count, list);
	if (rc < 0)
		return hop_fail(_("setgroups [%s]"), list);
	return 0;
}

/* Groups, gid, then uid: after setresuid we could change none of them. */
static int set_user(const struct oci_process *process)
{
	uid_t uid = process->uid;
	gid_t gid = process->gid;
	int rc, parent_death = 0;

	hop_step(_("user %u, group %u"), (unsigned)uid, (unsigned)gid);
	/* The kernel clears the parent-death signal when our ids change:
	 * read it now, set it again after. */
	rc = prctl(PR_GET_PDEATHSIG, &parent_death);
	hop_explain(rc, "prctl(PR_GET_PDEATHSIG, [%d])", parent_death);
	if (rc < 0)
		return hop_fail("prctl(PR_GET_PDEATHSIG)");
	if (set_groups(process) < 0)
		return -1;
	rc = setresgid(gid, gid, gid);
	hop_explain(rc, "setresgid(%u, %u, %u)", gid, gid, gid);
	if (rc < 0)
		return hop_fail(_("setresgid %u"), (unsigned)gid);
	/* From uid 0 to another the kernel empties the permitted set, unless
	 * asked to keep it: set_capabilities chooses from it. The flag ends
	 * at exec. */
	if (uid != 0) {
		rc = prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
		hop_explain(rc, "prctl(PR_SET_KEEPCAPS, 1)");
		if (rc < 0)
			return hop_fail("prctl(PR_SET_KEEPCAPS)");
	}
	rc = setresuid(uid, uid, uid);
	hop_explain(rc, "setresuid(%u, %u, %u)", uid, uid, uid);
	if (rc < 0)
		return hop_fail(_("setresuid %u"), (unsigned)uid);
	if (parent_death) {
		rc = prctl(PR_SET_PDEATHSIG, parent_death, 0, 0, 0);
		hop_explain(rc, "prctl(PR_SET_PDEATHSIG, %d)", parent_death);
		if (rc < 0)
			return hop_fail("prctl(PR_SET_PDEATHSIG)");
	}
	return 0;
}

/* Each capability of mask into one set of state. */
static int fill_set(cap_t state, cap_flag_t set, uint64_t mask)
{
	for (cap_value_t cap = 0; cap < 64; cap++)
		if ((mask >> cap & 1) &&
		    cap_set_flag(state, set, 1, &cap, CAP_SET) < 0)
			return hop_fail("cap_set_flag %d", cap);
	return 0;
}

/* Effective, permitted and inheritable in one capset(2); after a change
 * to a non-zero uid it raises the effective set again from what
 * PR_SET_KEEPCAPS kept. */
static int set_process_capabilities(uint64_t effective, uint64_t permitted,
				    uint64_t inheritable)
{
	cap_t state = cap_init();
	int rc;

	if (!state)
		return hop_fail("cap_init");
	if (fill_set(state, CAP_EFFECTIVE, effective) < 0 ||
	    fill_set(state, CAP_PERMITTED, permitted) < 0 ||
	    fill_set(state, CAP_INHERITABLE, inheritable) < 0) {
		cap_free(state);
		return -1;
	}
	if (hop_verbose) {
		char *text = cap_to_text(state, NULL);

		hop_step(_("capabilities %s"), text ? text : "?");
		cap_free(text);
	}
	rc = cap_set_proc(state);
	hop_explain(rc,
		    "capset({effective=%#llx, permitted=%#llx, "
		    "inheritable=%#llx})",
		    (unsigned long long)effective,
		    (unsigned long long)permitted,
		    (unsigned long long)inheritable);
	if (rc < 0) {
		int saved = errno;

		cap_free(state);
		errno = saved;
		return hop_fail(_("set the capabilities (effective %#llx, "
				  "permitted %#llx, inheritable %#llx)"),
				(unsigned long long)effective,
				(unsigned long long)permitted,
				(unsigned long long)inheritable);
	}
	cap_free(state);
	return 0;
}

/* The sets exactly as configured; a capability this kernel lacks is left
 * out, as runc does, so a config written for a newer kernel still runs. */
static int set_capabilities(const struct oci_capabilities *caps)
{
	uint64_t known = kernel_capabilities();
	uint64_t all = caps->effective | caps->permitted | caps->inheritable |
		       caps->ambient;
	char name[32];
	int rc;

	if (all & ~known)
		hop_step(_("capabilities %#llx: this kernel does not have "
			   "them, left out"),
			 (unsigned long long)(all & ~known));
	if (set_process_capabilities(caps->effective & known,
				     caps->permitted & known,
				     caps->inheritable & known) < 0)
		return -1;
	/* Ambient: what a non-zero uid keeps across exec. Cleared first (a
	 * process joining may have inherited some) with prctl itself:
	 * cap_reset_ambient() asks about each capability before. */
	rc = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	hop_explain(rc, "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)");
	if (rc < 0)
		return hop_fail("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
	/* The kernel raises an ambient capability only if it is permitted
	 * and inheritable. runc's default spec lists ambient ones with no
	 * inheritable set, and runc leaves them out without a word: so do
	 * we (with a -v note), or runc's own bundles would not run. */
	if (caps->ambient & known & ~(caps->permitted & caps->inheritable))
		hop_step(_("ambient capabilities %#llx are not both permitted "
			   "and inheritable: left out, as runc does"),
			 (unsigned long long)(caps->ambient & known &
					      ~(caps->permitted &
						caps->inheritable)));
	for (cap_value_t cap = 0; cap < 64; cap++) {
		if (!((caps->ambient & known & caps->permitted &
		       caps->inheritable) >>
			      cap &
		      1))
			continue;
		rc = cap_set_ambient(cap, CAP_SET);
		hop_explain(rc,
			    "prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, %s)",
			    cap_name(cap, name, sizeof(name)));
		if (rc < 0)
			return hop_fail(_("raise %s in the ambient set"),
					cap_name(cap, name, sizeof(name)));
	}
	return 0;
}

static int load_filter(void *filter)
{
	int rc = seccomp_load(filter);

	if (rc < 0) {
		errno = -rc;
		return hop_fail(_("load the seccomp filter"));
	}
	return 0;
}

int process_prepare(const struct oci_process *process,
		    const struct oci_seccomp *seccomp)
{
	int late = process->no_new_privileges;
	void *filter = NULL;
	int rc;

	if (set_limits(process) < 0)
		return -1;
	/* Built now either way, so that create reports a bad profile. */
	if (seccomp && process_seccomp_filter(seccomp, &filter) < 0)
		return -1;
	/* Without no_new_privs, loading a filter needs CAP_SYS_ADMIN, which
	 * the capability steps may take away: load it before them, as runc
	 * does. Our own calls from here to execve then run under it. */
	if (filter && !late) {
		hop_step(_("seccomp filter, before the capabilities go"));
		hop_explain_call(LOAD_CALL);
		if (load_filter(filter) < 0)
			goto fail;
	}
	if (drop_bounding(process->capabilities.bounding) < 0 ||
	    set_user(process) < 0 ||
	    set_capabilities(&process->capabilities) < 0)
		goto fail;
	if (process->no_new_privileges) {
		rc = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
		hop_explain(rc, "prctl(PR_SET_NO_NEW_PRIVS, 1)");
		if (rc < 0) {
			hop_fail("prctl(PR_SET_NO_NEW_PRIVS)");
			goto fail;
		}
	}
	release_filter(late_filter);
	late_filter = late ? filter : NULL;
	if (!late)
		release_filter(filter);
	return 0;
fail:
	release_filter(filter);
	return -1;
}

/* 0 if path is a file we may execute, else -1 with errno as execve would
 * set it. */
static int check_executable(const char *path)
{
	struct stat st;
	int rc = stat(path, &st);

	hop_explain(rc, "stat(\"%s\")", path);
	if (rc < 0)
		return -1;
	/* A directory passes access(X_OK); execve refuses it. */
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	/* Our effective ids, the ones execve checks. Root passes when any
	 * x bit is set, as execve lets it. */
	rc = faccessat(AT_FDCWD, path, X_OK, AT_EACCESS);
	hop_explain(rc, "faccessat(AT_FDCWD, \"%s\", X_OK, AT_EACCESS)", path);
	return rc;
}

/* The value of PATH in env (the first, as getenv), or NULL. */
static const char *env_path(const char *const *env)
{
	for (; env && *env; env++)
		if (strncmp(*env, "PATH=", 5) == 0)
			return *env + 5;
	return NULL;
}

/* runc's words, from Go's exec.LookPath. */
static int not_found(const char *name, int error)
{
	if (error == EACCES)
		return hop_record(HOP_ERROR_REFUSED, HOP_HINT_NONE, EACCES,
				  _("exec: \"%s\": permission denied"), name);
	return hop_record(HOP_ERROR_REFUSED, HOP_HINT_NONE, ENOENT,
			  _("exec: \"%s\": executable file not found in "
			    "$PATH"),
			  name);
}

int process_find_executable(const struct oci_process *process, char *path,
			    size_t size)
{
	const char *name = process->args ? process->args[0] : NULL;
	const char *search = env_path(process->env), *end;
	int denied = 0;

	if (!name || !name[0])
		return not_found(name ? name : "", ENOENT);
	if (strchr(name, '/')) {
		if (snprintf(path, size, "%s", name) >= (int)size) {
			errno = ENAMETOOLONG;
			return hop_fail(_("exec: \"%s\""), name);
		}
		if (check_executable(name) == 0)
			return 0;
		if (errno == EACCES)
			return not_found(name, EACCES);
		return hop_fail(_("exec: \"%s\": stat %s"), name, name);
	}
	/* No PATH in the config: execvp's default, confstr(_CS_PATH). */
	if (!search)
		search = "/bin:/usr/bin";
	for (const char *dir = search;; dir = end + 1) {
		int length, n;

		end = strchrnul(dir, ':');
		length = (int)(end - dir);
		/* An empty entry is the working directory, as for execvp. */
		n = snprintf(path, size, "%.*s%s%s", length, dir,
			     length ? "/" : "", name);
		if (n >= 0 && (size_t)n < size) {
			if (check_executable(path) == 0)
				return 0;
			/* execvp goes on, and says EACCES at the end. */
			denied |= errno == EACCES;
		}
		if (!*end)
			break;
	}
	path[0] = '\0';
	return not_found(name, denied ? EACCES : ENOENT);
}

int process_exec(const struct oci_process *process,
		 const struct oci_seccomp *seccomp, const char *path)
{
	static const char *const no_env[] = { NULL };
	const char *const *env = process->env ? process->env : no_env;
	void *filter = late_filter;
	size_t count = 0;

	late_filter = NULL;
	if (!filter && seccomp && process->no_new_privileges &&
	    process_seccomp_filter(seccomp, &filter) < 0)
		return -1;
	while (env[count])
		count++;
	hop_step(_("exec %s"), path);
	/* Both lines before the load: from then on, even our write to
	 * stderr may be refused, or kill us. */
	if (filter)
		hop_explain_call(LOAD_CALL);
	hop_explain_call("execve(\"%s\", [\"%s\"%s], [/* %zu vars */])", path,
			 process->args[0], process->args[1] ? ", ..." : "",
			 count);
	/* As late as possible: the fewest of our own calls run under it. */
	if (filter && load_filter(filter) < 0) {
		release_filter(filter);
		return -1;
	}
	execve(path, (char *const *)process->args, (char *const *)env);
	release_filter(filter);
	return hop_fail(_("exec %s"), path);
}

/* .linux.seccomp.flags, as libseccomp's attributes. */
static int set_filter_flags(scmp_filter_ctx filter, unsigned flags)
{
	static const struct {
		unsigned flag;
		enum scmp_filter_attr attribute;
		const char *name;
	} attributes[] = {
		{ SECCOMP_FILTER_FLAG_TSYNC, SCMP_FLTATR_CTL_TSYNC, "TSYNC" },
		{ SECCOMP_FILTER_FLAG_LOG, SCMP_FLTATR_CTL_LOG, "LOG" },
		{ SECCOMP_FILTER_FLAG_SPEC_ALLOW, SCMP_FLTATR_CTL_SSB,
		  "SPEC_ALLOW" },
	};
	/* We set no_new_privs ourselves, when the config asks for it:
	 * libseccomp would set it at every load. */
	int rc = seccomp_attr_set(filter, SCMP_FLTATR_CTL_NNP, 0);

	if (rc < 0)
		return seccomp_failed(rc, "seccomp_attr_set", "CTL_NNP");
	for (size_t i = 0; i < sizeof(attributes) / sizeof(attributes[0]);
	     i++) {
		if (!(flags & attributes[i].flag))
			continue;
		rc = seccomp_attr_set(filter, attributes[i].attribute, 1);
		if (rc < 0)
			return seccomp_failed(rc, "seccomp_attr_set",
					      attributes[i].name);
	}
	return 0;
}

/* One rule for one syscall. libseccomp refuses two conditions on the same
 * argument in one rule (EINVAL); runc then adds each condition as a rule
 * of its own, so that any of them matches. So do we. */
static int add_rule(scmp_filter_ctx filter, const struct oci_seccomp_rule *rule,
		    const char *name, int number)
{
	struct scmp_arg_cmp conditions[6];
	unsigned seen = 0;
	int split = rule->arg_count > 6, rc = 0;

	for (size_t i = 0; i < rule->arg_count; i++) {
		const struct oci_seccomp_arg *arg = &rule->args[i];
		unsigned bit = arg->index < 32 ? 1U << arg->index : 0;

		split |= (seen & bit) != 0;
		seen |= bit;
		if (i < 6)
			conditions[i] = (struct scmp_arg_cmp){
				.arg = arg->index,
				.op = (enum scmp_compare)arg->op,
				.datum_a = arg->value,
				.datum_b = arg->value_two,
			};
	}
	if (!split)
		rc = seccomp_rule_add_array(filter, rule->action, number,
					    (unsigned)rule->arg_count,
					    conditions);
	for (size_t i = 0; split && i < rule->arg_count && rc >= 0; i++) {
		const struct oci_seccomp_arg *arg = &rule->args[i];
		struct scmp_arg_cmp one = {
			.arg = arg->index,
			.op = (enum scmp_compare)arg->op,
			.datum_a = arg->value,
			.datum_b = arg->value_two,
		};

		rc = seccomp_rule_add_array(filter, rule->action, number, 1,
					    &one);
	}
	if (rc < 0)
		return seccomp_failed(rc, "seccomp_rule_add", name);
	return 0;
}

static int add_rules(scmp_filter_ctx filter, const struct oci_seccomp *seccomp)
{
	size_t added = 0;

	for (size_t i = 0; i < seccomp->rule_count; i++) {
		const struct oci_seccomp_rule *rule = &seccomp->rules[i];

		/* libseccomp refuses it (EACCES): it would change nothing. */
		if (rule->action == seccomp->default_action) {
			hop_step(_("seccomp: rule %zu has the default action, "
				   "skipped"),
				 i);
			continue;
		}
		for (const char **name = rule->names; name && *name; name++) {
			int number = seccomp_syscall_resolve_name(*name);

			/* A profile written for a newer kernel names
			 * syscalls we do not know: runc skips them too. */
			if (number == __NR_SCMP_ERROR) {
				hop_step(_("seccomp: no syscall %s here, "
					   "skipped"),
					 *name);
				continue;
			}
			if (add_rule(filter, rule, *name, number) < 0)
				return -1;
			added++;
		}
	}
	hop_step(ngettext("seccomp: default action %#x, rules for %zu "
			  "syscall",
			  "seccomp: default action %#x, rules for %zu "
			  "syscalls",
			  added),
		 (unsigned)seccomp->default_action, added);
	return 0;
}

/* Syscalls Linux added from 5.1 on. A profile written before one of them
 * cannot have meant to refuse it, and the C library falls back to an older
 * call on ENOSYS only (faccessat2 -> faccessat, close_range -> close, clone3
 * -> clone), not on the profile's EPERM. So, as runc does, every one newer
 * than the newest syscall the profile names answers ENOSYS. */
static const char *const recent_syscalls[] = {
	"pidfd_send_signal",
	"io_uring_setup",
	"io_uring_enter",
	"io_uring_register",
	"open_tree",
	"move_mount",
	"fsopen",
	"fsconfig",
	"fsmount",
	"fspick",
	"pidfd_open",
	"clone3",
	"close_range",
	"openat2",
	"pidfd_getfd",
	"faccessat2",
	"process_madvise",
	"epoll_pwait2",
	"mount_setattr",
	"quotactl_fd",
	"landlock_create_ruleset",
	"landlock_add_rule",
	"landlock_restrict_self",
	"memfd_secret",
	"process_mrelease",
	"futex_waitv",
	"set_mempolicy_home_node",
	"cachestat",
	"fchmodat2",
	"map_shadow_stack",
	"futex_wake",
	"futex_wait",
	"futex_requeue",
	"statmount",
	"listmount",
	"lsm_get_self_attr",
	"lsm_set_self_attr",
	"lsm_list_modules",
	"mseal",
};

/* The highest syscall number (native) the profile names. */
static int newest_named(const struct oci_seccomp *seccomp)
{
	int newest = -1;

	for (size_t i = 0; i < seccomp->rule_count; i++)
		for (const char **name = seccomp->rules[i].names; name && *name;
		     name++) {
			int number = seccomp_syscall_resolve_name(*name);

			if (number > newest)
				newest = number;
		}
	return newest;
}

static int add_enosys_stubs(scmp_filter_ctx filter,
			    const struct oci_seccomp *seccomp)
{
	int newest = newest_named(seccomp), stubs = 0;
	size_t count = sizeof(recent_syscalls) / sizeof(recent_syscalls[0]);

	/* Nothing refused by default, or ENOSYS already (podman's and
	 * Docker's profiles): nothing to add. */
	if (seccomp->default_action == SCMP_ACT_ALLOW ||
	    seccomp->default_action == SCMP_ACT_LOG ||
	    seccomp->default_action == SCMP_ACT_ERRNO(ENOSYS))
		return 0;
	for (size_t i = 0; i < count; i++) {
		int number = seccomp_syscall_resolve_name(recent_syscalls[i]);
		int rc;

		if (number == __NR_SCMP_ERROR || number <= newest)
			continue;
		rc = seccomp_rule_add(filter, SCMP_ACT_ERRNO(ENOSYS), number,
				      0);
		if (rc < 0)
			return seccomp_failed(rc, "seccomp_rule_add",
					      recent_syscalls[i]);
		stubs++;
	}
	if (stubs)
		hop_step(_("seccomp: %d syscalls newer than the profile's "
			   "newest answer ENOSYS, as under runc"),
			 stubs);
	return 0;
}

int process_seccomp_filter(const struct oci_seccomp *seccomp, void **ctx)
{
	scmp_filter_ctx filter = seccomp_init(seccomp->default_action);
	char arch[16];

	*ctx = NULL;
	if (!filter) {
		errno = EINVAL;
		return hop_fail_library(_("seccomp_init: default action %#x "
					  "refused"),
					(unsigned)seccomp->default_action);
	}
	for (size_t i = 0; i < seccomp->architecture_count; i++) {
		int rc = seccomp_arch_add(filter, seccomp->architectures[i]);

		/* The native architecture is always there: EEXIST. */
		if (rc < 0 && rc != -EEXIST) {
			snprintf(arch, sizeof(arch), "%#x",
				 (unsigned)seccomp->architectures[i]);
			seccomp_failed(rc, "seccomp_arch_add", arch);
			release_filter(filter);
			return -1;
		}
	}
	if (add_rules(filter, seccomp) < 0 ||
	    add_enosys_stubs(filter, seccomp) < 0 ||
	    set_filter_flags(filter, seccomp->flags) < 0) {
		release_filter(filter);
		return -1;
	}
	*ctx = filter;
	return 0;
}
