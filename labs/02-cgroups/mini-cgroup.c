/* mini-cgroup - make, limit, join and remove control groups, like
 * libcgroup's cgcreate, cgset, cgget, cgexec, cgdelete and lscgroup.
 *
 * Usage: mini-cgroup [-v] [-x] create -g CONTROLLERS:GROUP...
 *        mini-cgroup [-v] [-x] set -r KNOB=VALUE... -g CONTROLLERS:GROUP
 *        mini-cgroup [-v] [-x] get -r KNOB... -g CONTROLLERS:GROUP
 *        mini-cgroup [-v] [-x] exec -g CONTROLLERS:GROUP... [--] COMMAND...
 *        mini-cgroup [-v] [-x] delete [-r] -g CONTROLLERS:GROUP...
 *        mini-cgroup [-v] list | where | mode
 *
 * GROUP is relative to our base, where every group is made; ".." is
 * refused. The base is our own cgroup (see /proc/self/cgroup), except on
 * cgroup v2 when that cgroup is not the root (a systemd login session):
 * then it is /sys/fs/cgroup/hop (see cgroup.h). `where` prints it. A
 * cgroup is a directory, and its knobs are files: -x shows each mkdir,
 * write and rmdir.
 *
 * Read: cgroups(7), cgcreate(1), cgset(1), cgexec(1), cgdelete(1), and
 * Documentation/admin-guide/cgroup-v2.rst. Works on v1, v2 and hybrid hosts.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "02-cgroups/cgroup.h"
#include "02-cgroups/knob.h"
#include "lib/hop.h"

#define MAX_ARGS 16

/* What the options of one command named. */
struct request {
	char *groups[MAX_ARGS]; /* "-g CONTROLLERS:GROUP" */
	int group_count;
	char *knobs[MAX_ARGS]; /* "-r KNOB[=VALUE]" */
	int knob_count;
	int recursive; /* delete -r */
};

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out,
		_("Usage: %s [-v] [-x] COMMAND [options]\n"
		  "Make, limit, join and remove control groups, like "
		  "libcgroup's tools.\n"
		  "\n"
		  "  create -g CONTROLLERS:GROUP...           like cgcreate\n"
		  "  set -r KNOB=VALUE... -g CONTROLLERS:GROUP like cgset\n"
		  "  get -r KNOB... -g CONTROLLERS:GROUP      like cgget -n -v\n"
		  "  exec -g CONTROLLERS:GROUP... -- COMMAND  like cgexec\n"
		  "  delete [-r] -g CONTROLLERS:GROUP...      like cgdelete\n"
		  "  list                                     like lscgroup\n"
		  "  where                                    where our groups "
		  "go\n"
		  "  mode                                     v1, v2 or hybrid\n"
		  "\n"
		  "GROUP is a path beneath our base, e.g. lab/demo: your own "
		  "cgroup, or\n"
		  "/sys/fs/cgroup/hop on cgroup v2 when yours is not the root "
		  "(see where).\n"
		  "Knobs of the other cgroup version are translated "
		  "(memory.limit_in_bytes\n"
		  "<-> memory.max, cpu.shares <-> cpu.weight, cpu.cfs_*_us <-> "
		  "cpu.max).\n"
		  "Sizes take K, M, G (powers of 1024) and max.\n"
		  "\n"
		  "  -v, --verbose   tell each step on stderr\n"
		  "  -x, --explain   also show each file made, written or "
		  "removed\n"
		  "  -h, --help      show this help\n"
		  "  -V, --version   show the version\n"),
		hop_program);
	exit(status);
}

/* Split "cpu,memory:lab/demo" in place. */
static void split_group(char *arg, char **controllers, char **group)
{
	char *colon = strchr(arg, ':');

	if (!colon || colon == arg || !colon[1])
		hop_die_plain(1,
			      _("-g %s: expected CONTROLLERS:GROUP, e.g. "
				"memory,cpu:lab/demo"),
			      arg);
	*colon = '\0';
	*controllers = arg;
	*group = colon + 1;
}

/* The error of a module call, with a hint when the cause is common: chosen
 * by the hint code the module attached, else by errno, never by the text
 * (which may be translated). */
static _Noreturn void fail(void)
{
	int saved = errno;

	hop_warn_context();
	switch (hop_error_hint()) {
	case HOP_HINT_CGROUP_SUBTREE_BUSY:
		hop_hint(_("on cgroup v2 a group with processes cannot give "
			   "controllers to children; 'mini-cgroup -v where' "
			   "tells where our groups go and why"));
		break;
	case HOP_HINT_CGROUP_MEMSW_FIRST:
		hop_hint(_("on v1, memory.limit_in_bytes may not go above "
			   "memory.memsw.limit_in_bytes: raise that first"));
		break;
	case HOP_HINT_CGROUP_NO_KNOB:
		hop_hint(_("the knobs are the files of the group's directory: "
			   "ls it"));
		break;
	case HOP_HINT_CGROUP_NO_CONTROLLER:
		hop_hint(_("see /proc/cgroups for the controllers this kernel "
			   "has"));
		break;
	default:
		if (hop_error_kind() != HOP_ERROR_SYSTEM)
			break;
		if (saved == EACCES || saved == EPERM || saved == EROFS)
			hop_hint(_("cgroups are changed by root: run it with "
				   "sudo"));
		else if (saved == EBUSY)
			hop_hint(_("end those processes, or move them out, "
				   "first"));
		else if (saved == EEXIST)
			hop_hint(_("that group is there already: use it as it "
				   "is, or remove it first with mini-cgroup "
				   "delete"));
		else if (saved == EOPNOTSUPP)
			hop_hint(_("systemd turns a controller on at the root "
				   "when a unit asks for it, e.g. systemctl "
				   "set-property user.slice "
				   "MemoryAccounting=yes"));
		break;
	}
	exit(1);
}

static int find_group(char *arg, struct cgroup_hierarchy *hierarchies,
		      char **group)
{
	char *controllers;
	int count;

	split_group(arg, &controllers, group);
	if (cgroup_check_group(*group) < 0)
		fail();
	count = cgroup_find_all(controllers, hierarchies,
				CGROUP_MAX_HIERARCHIES);
	if (count < 0)
		fail();
	return count;
}

static int run_create_delete(const struct request *req, int create)
{
	struct cgroup_hierarchy hierarchies[CGROUP_MAX_HIERARCHIES];
	char *group;

	for (int i = 0; i < req->group_count; i++) {
		int count = find_group(req->groups[i], hierarchies, &group);

		hop_step("%s %s in %d hierarch%s", create ? "create" : "delete",
			 group, count, count == 1 ? "y" : "ies");
		if (create ? cgroup_create(hierarchies, count, group) :
			     cgroup_delete(hierarchies, count, group,
					   req->recursive))
			fail();
	}
	return 0;
}

/* set and get: each knob goes to the hierarchy of its controller. */
static int run_set_get(const struct request *req, int set)
{
	struct cgroup_hierarchy hierarchies[CGROUP_MAX_HIERARCHIES], *h;
	char *group, dir[PATH_MAX], value[4096], note[KNOB_NOTE_SIZE];
	char controller[32];
	char asked[256];

	if (req->group_count != 1 || req->knob_count == 0)
		hop_die_plain(1, _("%s needs -r and exactly one -g"),
			      set ? "set" : "get");
	snprintf(asked, sizeof(asked), "%s", req->groups[0]);
	int count = find_group(req->groups[0], hierarchies, &group);

	for (int i = 0; i < req->knob_count; i++) {
		char *knob = req->knobs[i], *equals = strchr(knob, '=');

		if (set != (equals != NULL))
			hop_die_plain(1,
				      set ? _("-r %s: expected KNOB=VALUE") :
					    _("-r %s: expected KNOB"),
				      knob);
		if (equals)
			*equals = '\0';
		snprintf(controller, sizeof(controller), "%.*s",
			 (int)strcspn(knob, "."), knob);
		h = NULL;
		for (int j = 0; j < count; j++)
			if (cgroup_has_controller(&hierarchies[j], controller))
				h = &hierarchies[j];
		if (!h)
			hop_die_plain(1,
				      _("knob %s: its controller '%s' is not "
					"in -g %s"),
				      knob, controller, asked);
		if (cgroup_dir(h, group, dir, sizeof(dir)) < 0)
			fail();
		if (access(dir, F_OK) < 0) {
			hop_fail(_("group %s (%s)"), group, dir);
			fail();
		}
		if (set ? knob_set(h, dir, knob, equals + 1, note) :
			  knob_get(h, dir, knob, value, sizeof(value), note))
			fail();
		if (note[0])
			fprintf(stderr, _("%s: note: %s\n"), hop_program, note);
		if (!set)
			printf("%s\n", value);
	}
	return 0;
}

static int run_exec(const struct request *req, char **command)
{
	struct cgroup_hierarchy hierarchies[CGROUP_MAX_HIERARCHIES];
	char *group;

	if (!command[0])
		hop_die_plain(1, _("exec: no command given"));
	for (int i = 0; i < req->group_count; i++) {
		int count = find_group(req->groups[i], hierarchies, &group);

		hop_step(_("move pid %d into %s"), (int)getpid(), group);
		if (cgroup_attach(hierarchies, count, group, getpid()) < 0)
			fail();
	}
	hop_explain_call("execvp(\"%s\", ...)", command[0]);
	execvp(command[0], command);
	hop_die(errno == ENOENT ? 127 : 126, _("exec %s"), command[0]);
}

/* "controllers:group": on v2, the controllers the group itself has. */
static int print_group(const char *group, void *data)
{
	const struct cgroup_hierarchy *h = data;
	char dir[PATH_MAX], path[PATH_MAX + 32], list[256];

	if (h->v2 && cgroup_dir(h, group, dir, sizeof(dir)) == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
		if (hop_read_file(path, list, sizeof(list)) >= 0) {
			list[strcspn(list, "\n")] = '\0';
			for (char *c = list; *c; c++)
				if (*c == ' ')
					*c = ',';
			printf("%s:%s\n", *list ? list : "-", group);
			return 0;
		}
	}
	printf("%s:%s\n", h->controllers, group);
	return 0;
}

/* The hierarchies of the usual controllers, each once (the v2 tree holds
 * them all). Returns how many were stored in seen (at most 8). */
static int usual_hierarchies(struct cgroup_hierarchy seen[8])
{
	static const char *const controllers[] = { "cpu",  "cpuset", "memory",
						   "pids", "io",     "blkio",
						   NULL };
	int count = 0;

	for (int i = 0; controllers[i] && count < 8; i++) {
		struct cgroup_hierarchy *h = &seen[count];
		int again = 0;

		if (cgroup_find(controllers[i], h) < 0)
			continue; /* not on this machine */
		for (int j = 0; j < count; j++)
			again |= strcmp(seen[j].mount, h->mount) == 0;
		if (!again)
			count++;
	}
	return count;
}

/* Every group beneath our base, like lscgroup. */
static int run_list(void)
{
	struct cgroup_hierarchy seen[8];
	int count = usual_hierarchies(seen);

	for (int i = 0; i < count; i++)
		if (cgroup_walk(&seen[i], print_group, &seen[i]) < 0)
			fail();
	return 0;
}

/* Where our groups go in each hierarchy, and with -v why there. */
static int run_where(void)
{
	struct cgroup_hierarchy seen[8];
	char dir[PATH_MAX];
	int count = usual_hierarchies(seen);

	for (int i = 0; i < count; i++) {
		const struct cgroup_hierarchy *h = &seen[i];

		if (cgroup_dir(h, "", dir, sizeof(dir)) < 0)
			fail();
		/* The reason first, each line at once: stderr and stdout
		 * interleave in the order a reader expects. */
		if (h->top)
			hop_step(
				_("our own cgroup %s holds processes, so cgroup "
				  "v2 lets it give no controller to children: "
				  "our groups go to %s, a base of our own at "
				  "the top that no systemd unit owns"),
				h->own, dir);
		else
			hop_step(_("%s: our groups go beneath our own cgroup "
				   "%s"),
				 h->v2 ? "v2" : h->controllers,
				 *h->own ? h->own : "/");
		printf("%s %s\n", h->v2 ? "v2" : h->controllers, dir);
		(void)fflush(stdout);
	}
	return 0;
}

static int parse_command_options(int argc, char **argv, struct request *req)
{
	int c;

	optind = 1;
	while ((c = getopt(argc, argv, "+:g:r")) != -1) {
		int takes_knob = c == 'r' && argv[optind] &&
				 strcmp(argv[0], "delete") != 0;

		if ((c == 'g' && req->group_count == MAX_ARGS) ||
		    (takes_knob && req->knob_count == MAX_ARGS))
			hop_die_plain(1, _("%s: at most %d -%c options"),
				      argv[0], MAX_ARGS, c);
		if (c == 'g')
			req->groups[req->group_count++] = optarg;
		else if (takes_knob)
			req->knobs[req->knob_count++] = argv[optind++];
		else if (c == 'r')
			req->recursive = 1;
		else if (c == ':')
			hop_die_plain(1, _("option '-%c' needs a value"),
				      optopt);
		else
			hop_die_plain(1, _("%s: unknown option '-%c'"), argv[0],
				      optopt);
	}
	return optind;
}

int main(int argc, char **argv)
{
	struct request req = { 0 };
	enum cgroup_mode mode;
	int rest;

	hop_init(argv[0]);
	optind = hop_parse_common_options(argc, argv, usage, 1);

	if (optind >= argc) {
		hop_warn_plain(_("no command given"));
		usage(stderr, 1);
	}
	argc -= optind;
	argv += optind;
	opterr = 0;
	rest = parse_command_options(argc, argv, &req);

	if (strcmp(argv[0], "mode") == 0) {
		if (cgroup_mode(&mode) < 0)
			fail();
		printf("%s\n", cgroup_mode_name(mode));
		return 0;
	}
	if (strcmp(argv[0], "list") == 0)
		return run_list();
	if (strcmp(argv[0], "where") == 0)
		return run_where();
	if (strcmp(argv[0], "exec") == 0)
		return run_exec(&req, argv + rest);
	if (rest < argc)
		hop_die_plain(1, _("%s: unexpected argument '%s'"), argv[0],
			      argv[rest]);
	if (strcmp(argv[0], "create") != 0 && strcmp(argv[0], "delete") != 0 &&
	    strcmp(argv[0], "set") != 0 && strcmp(argv[0], "get") != 0) {
		hop_warn_plain(_("unknown command '%s'"), argv[0]);
		usage(stderr, 1);
	}
	if (req.group_count == 0)
		hop_die_plain(1, _("%s: no group given (-g CONTROLLERS:GROUP)"),
			      argv[0]);
	if (strcmp(argv[0], "create") == 0 || strcmp(argv[0], "delete") == 0)
		return run_create_delete(&req, argv[0][0] == 'c');
	return run_set_get(&req, strcmp(argv[0], "set") == 0);
}
