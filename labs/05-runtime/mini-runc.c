/* mini-runc - an OCI runtime with runc's command line: runc(8).
 *
 * Usage: mini-runc [global options] COMMAND [options] ID
 *   spec [--rootless]                  write a default config.json
 *   create [--bundle B] [--pid-file P] [--console-socket S] ID
 *   start ID | run [--detach] [--bundle B] [--pid-file P] ID
 *   state ID | list [--format json] [-q] | ps [--format json] ID
 *   kill [--all] ID [SIGNAL] | delete [--force] ID
 *   pause ID | resume ID | events --stats ID | features
 *   exec [--process FILE | --tty --env K=V --cwd D --user U] ID [ARGS]
 * Global: --root DIR (/run/hop/runc), --log FILE, --log-format text|json,
 * --systemd-cgroup, --debug (= -v), -x (explain each kernel call).
 *
 * This file is the command line: it reads options and decides the exit
 * status. The work is in the modules: runtime.c maps config.json (read
 * by config.c) onto day 04's runtime core, whose child sets itself up
 * with mounts.c, devices.c and process.c; instance.c reads a container's
 * record for the verbs that only look at it or signal it.
 *
 * Exit status: run's is the container's (128+N for signal N); otherwise 0,
 * or 1 with the error on stderr (and in --log, where engines read it).
 *
 * Read: the OCI runtime spec (runtime.md, config.md), runc(8), and day
 * 04's container.h. Linux 5.6 (openat2, clone3's time namespace).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "05-runtime/config.h"
#include "05-runtime/runtime.h"
#include "lib/hop.h"

static struct runtime rt = { .root = RUNTIME_DEFAULT_ROOT };
static const char *log_file, *log_format = "text";

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out, _("Usage: %s [global options] COMMAND [options] ID\n"),
		hop_program);
	fputs(_("An OCI runtime: runs a bundle (config.json + root "
		"filesystem) as runc does.\n"
		"\n"
		"Commands:\n"
		"  spec [--rootless]      write a default config.json here\n"
		"  create ID              make the container; its process "
		"waits for start\n"
		"  start ID               run the process of a created "
		"container\n"
		"  run ID                 create, start, wait and delete "
		"(--detach: no wait)\n"
		"  state ID               its state, as JSON\n"
		"  list                   the containers (--format json, -q: ids)\n"
		"  kill ID [SIGNAL]       signal its process (--all: every "
		"process)\n"
		"  delete ID              remove a stopped one (--force: "
		"kill it first)\n"
		"  exec ID ARGS...        one more process inside\n"
		"  ps ID                  its processes (--format json)\n"
		"  pause ID, resume ID    freeze and thaw it\n"
		"  events --stats ID      one sample of its cgroup's "
		"counters, as JSON\n"
		"  features               what this runtime supports, as JSON\n"
		"\n"
		"Options of create and run: --bundle DIR (default .), "
		"--pid-file FILE,\n"
		"  --console-socket SOCKET (with process.terminal), --detach "
		"(run).\n"
		"Global options:\n"
		"      --root DIR         state directory (/run/hop/runc)\n"
		"      --log FILE         write each command line there, and\n"
		"                         the error if it fails\n"
		"      --log-format F     text or json\n"
		"      --systemd-cgroup   cgroupsPath is slice:prefix:name\n"
		"  -v, --debug            tell each step on stderr\n"
		"  -x, --explain          also show each kernel call\n"
		"  -h, --help             show this help\n"
		"  -V, --version          show the version\n"),
	      out);
	exit(status);
}

/* The error, to stderr and to --log (containerd and conmon read it from
 * there, as JSON lines: {"level":"error","msg":...,"time":...}). */
/* One line for the --log file, in the format asked for: a JSON object
 * (what containerd's shim and conmon read back), or logrus' text form,
 * the message quoted with its own quotes and backslashes escaped. */
static void log_line(const char *level, const char *message)
{
	FILE *log = log_file ? fopen(log_file, "ae") : NULL;
	char when[32];
	time_t now = time(NULL);
	struct tm utc;

	if (!log)
		return;
	gmtime_r(&now, &utc);
	if (strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
		when[0] = '\0';
	if (strcmp(log_format, "json") == 0) {
		json_t *line = json_pack("{s:s, s:s, s:s}", "level", level,
					 "msg", message, "time", when);

		if (line) { /* NULL: not UTF-8, say */
			json_dumpf(line, log, JSON_COMPACT);
			fputc('\n', log);
			json_decref(line);
		}
	} else {
		fprintf(log, "time=\"%s\" level=%s msg=\"", when, level);
		for (const char *c = message; *c; c++)
			fprintf(log, "%s%c",
				*c == '"' || *c == '\\' ? "\\" : "", *c);
		fputs("\"\n", log);
	}
	fclose(log);
}

static _Noreturn void fail(void)
{
	int saved = errno;
	char message[1024] = "";

	snprintf(message, sizeof(message), "%s%s%s", hop_context(),
		 hop_error_kind() == HOP_ERROR_SYSTEM ? ": " : "",
		 hop_error_kind() == HOP_ERROR_SYSTEM ? strerror(saved) : "");
	log_line("error", message);
	errno = saved;
	hop_die_context(1);
}

/* Each call leaves its command line in the --log file (level debug): the
 * calls an engine makes, one line each, in order. */
static void log_call(int argc, char **argv)
{
	char line[2048] = "";
	size_t used = 0;

	if (!log_file)
		return;
	for (int i = 0; i < argc && used < sizeof(line); i++)
		used += (size_t)snprintf(line + used, sizeof(line) - used,
					 "%s%s", i ? " " : "", argv[i]);
	log_line("debug", line);
}

/* A command's options: those of create, run and exec share one table,
 * as runc accepts them (and ignores the ones that do not concern it). */
struct command_options {
	struct runtime_create_options create;
	struct runtime_exec_options exec;
	int rootless, all, force, json, stats;
	char *env[64];
	int env_count;
};

enum {
	OPT_BUNDLE = 256,
	OPT_PID_FILE,
	OPT_CONSOLE,
	OPT_NO_PIVOT,
	OPT_NO_KEYRING,
	OPT_IGNORED,
	OPT_IGNORED_VALUE,
	OPT_FORMAT,
	OPT_PROCESS,
	OPT_CWD,
	OPT_USER,
	OPT_ROOTLESS,
	OPT_STATS,
};

static const struct option command_longs[] = {
	{ "bundle", required_argument, NULL, 'b' },
	{ "pid-file", required_argument, NULL, OPT_PID_FILE },
	{ "console-socket", required_argument, NULL, OPT_CONSOLE },
	{ "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
	{ "no-new-keyring", no_argument, NULL, OPT_NO_KEYRING },
	/* Accepted, as runc's callers pass them; nothing to do for us. */
	{ "no-subreaper", no_argument, NULL, OPT_IGNORED },
	{ "preserve-fds", required_argument, NULL, OPT_IGNORED_VALUE },
	{ "detach", no_argument, NULL, 'd' },
	{ "all", no_argument, NULL, 'a' },
	{ "force", no_argument, NULL, 'f' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "quiet", no_argument, NULL, 'q' },
	{ "process", required_argument, NULL, 'p' },
	{ "tty", no_argument, NULL, 't' },
	{ "env", required_argument, NULL, 'e' },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "user", required_argument, NULL, 'u' },
	{ "rootless", optional_argument, NULL, OPT_ROOTLESS },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void set_option(struct command_options *o, int c)
{
	switch (c) {
	case 'b': o->create.bundle = optarg; break;
	case OPT_PID_FILE:
		o->create.pid_file = o->exec.pid_file = optarg;
		break;
	case OPT_CONSOLE:
		o->create.console_socket = o->exec.console_socket = optarg;
		break;
	case OPT_NO_PIVOT: o->create.no_pivot = 1; break;
	case OPT_NO_KEYRING: o->create.no_new_keyring = 1; break;
	case 'd': o->create.detach = o->exec.detach = 1; break;
	case 'a': o->all = 1; break;
	case 'f': o->force = 1; break;
	case OPT_FORMAT:
		if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
			hop_die_plain(1, _("--format %s: table or json"),
				      optarg);
		o->json = strcmp(optarg, "json") == 0;
		break;
	case 'q': o->json = LIST_QUIET; break;
	case 'p': o->exec.process_file = optarg; break;
	case 't': o->exec.tty = 1; break;
	case 'e':
		if (o->env_count == 63)
			hop_die_plain(1, _("too many --env"));
		o->env[o->env_count++] = optarg;
		break;
	case OPT_CWD: o->exec.cwd = optarg; break;
	case 'u': o->exec.user = optarg; break;
	case OPT_ROOTLESS:
		o->rootless = !optarg || strcmp(optarg, "false") != 0;
		break;
	case OPT_STATS: o->stats = 1; break;
	case OPT_IGNORED:
	case OPT_IGNORED_VALUE: break;
	case 'h': usage(stdout, 0);
	default: usage(stderr, 1);
	}
}

/* The command's options; returns the index of its first operand. */
static int parse_command(int argc, char **argv, struct command_options *o)
{
	optind = 1;
	opterr = 0;
	for (;;) {
		const char *word = argv[optind];
		int c = getopt_long(argc, argv, "+:b:dafp:qte:u:h",
				    command_longs, NULL);

		if (c == -1)
			break;
		if (c == '?' || c == ':') {
			hop_warn_bad_option(word, c);
			usage(stderr, 1);
		}
		set_option(o, c);
	}
	o->exec.env = o->env;
	return optind;
}

/* Exactly one ID operand (and, for kill, a signal after it). */
static const char *the_id(int argc, char **argv, int first, int extra)
{
	if (first >= argc)
		hop_die_plain(1, _("%s: the container's ID is missing"),
			      argv[0]);
	if (argc - first > 1 + extra)
		hop_die_plain(1,
			      _("%s: one container ID, then no more "
				"words: '%s'"),
			      argv[0], argv[first + 1 + extra]);
	return argv[first];
}

static int spec_command(const struct command_options *o)
{
	char *text = config_default(o->rootless);
	FILE *out;

	if (!text)
		return -1;
	/* Like runc spec: config.json in the current directory, never
	 * over an existing one. */
	out = fopen("config.json", "wxe");
	if (!out) {
		free(text);
		return hop_fail(_("write config.json"));
	}
	fputs(text, out);
	free(text);
	if (fclose(out) != 0)
		return hop_fail(_("write config.json"));
	return 0;
}

static int features_command(void)
{
	printf("{\"ociVersionMin\":\"1.0.0\",\"ociVersionMax\":\"%s\","
	       "\"hooks\":[\"createRuntime\",\"createContainer\","
	       "\"startContainer\",\"poststart\",\"poststop\"],"
	       "\"linux\":{\"namespaces\":[\"cgroup\",\"ipc\",\"mount\","
	       "\"network\",\"pid\",\"time\",\"user\",\"uts\"],"
	       "\"cgroup\":{\"v1\":true,\"v2\":true,\"systemd\":true},"
	       "\"seccomp\":{\"enabled\":true},\"apparmor\":{\"enabled\":"
	       "false},\"selinux\":{\"enabled\":false}}}\n",
	       RUNTIME_OCI_VERSION);
	return 0;
}

/* One command: its options, then the call. Returns the exit status. */
static int dispatch(int argc, char **argv)
{
	struct command_options o = { .create.bundle = "." };
	const char *name = argv[0];
	int first = parse_command(argc, argv, &o), rc = -1;

	if (strcmp(name, "spec") == 0)
		rc = spec_command(&o);
	else if (strcmp(name, "features") == 0)
		rc = features_command();
	else if (strcmp(name, "list") == 0)
		rc = instance_list(&rt, o.json, stdout);
	else if (strcmp(name, "create") == 0)
		rc = runtime_create(&rt, the_id(argc, argv, first, 0),
				    &o.create);
	else if (strcmp(name, "run") == 0)
		rc = runtime_run(&rt, the_id(argc, argv, first, 0), &o.create);
	else if (strcmp(name, "start") == 0)
		rc = runtime_start(&rt, the_id(argc, argv, first, 0));
	else if (strcmp(name, "state") == 0)
		rc = instance_state(&rt, the_id(argc, argv, first, 0), stdout);
	else if (strcmp(name, "kill") == 0) {
		const char *id = the_id(argc, argv, first, 1);
		int signo = SIGTERM;

		if (first + 1 < argc &&
		    (signo = runtime_parse_signal(argv[first + 1])) < 0)
			fail();
		rc = instance_kill(&rt, id, signo, o.all);
	} else if (strcmp(name, "delete") == 0)
		rc = instance_delete(&rt, the_id(argc, argv, first, 0),
				     o.force);
	else if (strcmp(name, "pause") == 0 || strcmp(name, "resume") == 0)
		rc = instance_pause(&rt, the_id(argc, argv, first, 0),
				    name[0] == 'p');
	else if (strcmp(name, "ps") == 0)
		rc = instance_ps(&rt, the_id(argc, argv, first, 0), o.json,
				 stdout);
	else if (strcmp(name, "events") == 0) {
		if (!o.stats)
			hop_die_plain(1, _("events: only --stats (one "
					   "sample) is supported"));
		rc = instance_stats(&rt, the_id(argc, argv, first, 0), stdout);
	} else if (strcmp(name, "exec") == 0) {
		if (first >= argc)
			hop_die_plain(1, _("exec: the container's ID is "
					   "missing"));
		o.exec.args = argv + first + 1;
		rc = runtime_exec(&rt, argv[first], &o.exec);
	} else {
		hop_warn_plain(_("unknown command '%s'"), name);
		usage(stderr, 1);
	}
	if (rc < 0)
		fail();
	/* run and exec (without --detach) end with the process's status. */
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "debug", no_argument, NULL, 'v' },
		{ "explain", no_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	hop_init(argv[0]);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		hop_die(1, "signal(SIGPIPE)");
	opterr = 0;
	for (;;) {
		const char *word = argv[optind];
		int c = getopt_long(argc, argv, "+:vxhV", longs, NULL);

		if (c == -1)
			break;
		switch (c) {
		case 'r': rt.root = optarg; break;
		case 'l': log_file = optarg; break;
		case 'f': log_format = optarg; break;
		case 's': rt.systemd_cgroup = 1; break;
		case 'v': hop_verbose = 1; break;
		case 'x': hop_explain_calls = 1; break;
		case 'h': usage(stdout, 0);
		case 'V':
			printf("%s version %s\nspec: %s\n", hop_program,
			       HOP_VERSION, RUNTIME_OCI_VERSION);
			return 0;
		default: hop_warn_bad_option(word, c); usage(stderr, 1);
		}
	}
	if (strcmp(log_format, "text") != 0 && strcmp(log_format, "json") != 0)
		hop_die_plain(1, _("--log-format %s: text or json"),
			      log_format);
	if (optind >= argc)
		usage(stderr, 1);
	log_call(argc - optind, argv + optind);
	if (rt.root[0] != '/')
		hop_die_plain(1, _("--root %s: not an absolute path"), rt.root);
	return dispatch(argc - optind, argv + optind);
}
