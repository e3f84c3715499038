/* mini-netns - wire a process that has a network namespace of its own to
 * the host through a bridge and a veth pair: the recipe usually typed as
 *
 *     ip link add hop0 type bridge
 *     ip address add 10.88.0.1/24 dev hop0
 *     ip link set hop0 up
 *     ip link add hop-PID type veth peer name eth0 netns PID
 *     ip link set hop-PID master hop0 up
 *     nsenter -t PID -n ip address add 10.88.0.2/24 dev eth0
 *     nsenter -t PID -n ip link set eth0 up
 *     nsenter -t PID -n ip link set lo up
 *     nsenter -t PID -n ip route add default via 10.88.0.1
 *
 * done with the rtnetlink messages ip(8) sends (see net.c).
 *
 * Usage: mini-netns [-v] [-x] bridge [--name hop0] [--address CIDR]
 *        mini-netns [-v] [-x] attach --pid PID --address CIDR
 *                   [--bridge hop0] [--host-if NAME] [--gateway ADDRESS]
 *        mini-netns [-v] [-x] detach --host-if NAME | --pid PID
 *        mini-netns [-v] [-x] delete-bridge [--name hop0]
 *
 * The process then reaches the host (the bridge's address) and the other
 * processes on the bridge, nothing else: the host does not forward its
 * packets unless told to (ip_forward, and nft masquerade for the internet).
 *
 * Read: ip-link(8), ip-address(8), ip-route(8), veth(4), rtnetlink(7),
 * network_namespaces(7), setns(2). Needs Linux 3.17 (/proc/thread-self).
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "04-container-by-hand/net.h"
#include "lib/hop.h"

/* What the options named; "given" holds the letters of those used. */
struct options {
	const char *name, *address, *bridge, *host_if, *gateway;
	pid_t pid;
	char given[16];
	char default_host_if[IFNAMSIZ];
};

static const struct option longs[] = {
	{ "name", required_argument, NULL, 'n' },
	{ "address", required_argument, NULL, 'a' },
	{ "pid", required_argument, NULL, 'p' },
	{ "bridge", required_argument, NULL, 'b' },
	{ "host-if", required_argument, NULL, 'i' },
	{ "gateway", required_argument, NULL, 'g' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "explain", no_argument, NULL, 'x' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static _Noreturn void usage(FILE *out, int status)
{
	fprintf(out, _("Usage: %s [-v] [-x] COMMAND [options]\n"), hop_program);
	fputs(_("Give a process in its own network namespace a veth pair to "
		"a bridge, like ip(8).\n"
		"\n"
		"  bridge [--name hop0] [--address CIDR]\n"
		"        make the bridge if it is missing, give it CIDR, bring "
		"it up\n"
		"  attach --pid PID --address CIDR [--gateway ADDRESS]\n"
		"         [--bridge hop0] [--host-if NAME]\n"
		"        veth pair: NAME (default hop-PID) here on the bridge, "
		"eth0 in\n"
		"        the namespace of PID with CIDR; lo up; default route "
		"via ADDRESS\n"
		"  detach --host-if NAME | --pid PID\n"
		"        delete the veth pair (NAME, or hop-PID)\n"
		"  delete-bridge [--name hop0]\n"
		"        delete the bridge\n"
		"\n"
		"CIDR is an IPv4 address with its prefix length: 10.88.0.2/24.\n"
		"\n"
		"  -v, --verbose   tell each step on stderr\n"
		"  -x, --explain   also show each netlink request and its "
		"answer\n"
		"  -h, --help      show this help\n"
		"  -V, --version   show the version\n"
		"\n"
		"Exit status: 0 when done, 1 on any error.\n"),
	      out);
	exit(status);
}

static _Noreturn void usage_error(void)
{
	fprintf(stderr, _("Try '%s --help' for more.\n"), hop_program);
	exit(1);
}

/* Input errors name the option; the module's context says the rest, and
 * hint, if not NULL, what is usually meant. */
static void check_input(const char *option, int rc, const char *hint)
{
	if (rc >= 0)
		return;
	hop_warn_plain("%s: %s", option, hop_context());
	if (hint)
		hop_hint("%s", hint);
	exit(1);
}

/* 4194304: the largest pid_max, PID_MAX_LIMIT. */
static pid_t parse_pid(const char *text)
{
	long value = 0;

	check_input("--pid", hop_parse_long(text, 1, 4194304, &value), NULL);
	return (pid_t)value;
}

/* Options may come before and after the command: both passes land here. */
static void parse_options(int argc, char **argv, struct options *opt)
{
	const char *word; /* the word getopt_long is at, for a bad option */
	size_t length;
	int c;

	for (;;) {
		word = argv[optind];
		c = getopt_long(argc, argv, "+:vxhV", longs, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'n': opt->name = optarg; break;
		case 'a': opt->address = optarg; break;
		case 'p': opt->pid = parse_pid(optarg); break;
		case 'b': opt->bridge = optarg; break;
		case 'i': opt->host_if = optarg; break;
		case 'g': opt->gateway = optarg; break;
		case 'v': hop_verbose = 1; break;
		case 'x': hop_explain_calls = 1; break;
		case 'h': usage(stdout, 0);
		case 'V': printf("%s %s\n", hop_program, HOP_VERSION); exit(0);
		default: /* '?' or ':'; in "-zv", "-z" is no word of argv */
			hop_warn_bad_option(word, c);
			usage_error();
		}
		length = strlen(opt->given);
		if (!strchr(opt->given, c) && strchr("napbig", c) &&
		    length + 1 < sizeof(opt->given))
			opt->given[length] = (char)c;
	}
}

/* Refuse an option the command has no use for, and a missing one. */
static void check_options(const char *command, const struct options *opt,
			  const char *allowed, const char *required)
{
	for (const struct option *o = longs; o->name; o++) {
		int given = strchr(opt->given, o->val) != NULL;

		if (given && !strchr(allowed, o->val)) {
			hop_warn_plain(_("%s: option --%s does not apply"),
				       command, o->name);
			usage_error();
		}
		if (!given && strchr(required, o->val)) {
			hop_warn_plain(_("%s: option --%s is required"),
				       command, o->name);
			usage_error();
		}
	}
}

/* The error of a module call, with a hint when the cause is common. */
static _Noreturn void fail(const char *enodev_hint)
{
	int saved = errno;

	hop_warn_context(); /* refused input: without strerror */
	if (hop_refused())
		exit(1);
	if (net_kernel_message()[0])
		hop_warn_plain(_("the kernel says: %s"), net_kernel_message());
	if (saved == EPERM || saved == EACCES)
		hop_hint(_("changing links needs CAP_NET_ADMIN: run it as "
			   "root"));
	else if (saved == ESRCH)
		hop_hint(_("no process has that id (any more): see ps -e"));
	else if (saved == ENODEV)
		hop_hint("%s", enodev_hint);
	else if (saved == EEXIST)
		hop_hint(_(
			"that name or route is taken: see ip -br link here, "
			"and nsenter -t PID -n ip -br link; ip route inside"));
	exit(1);
}

/* --address: a CIDR, and one a host may have. */
static void check_address(const char *address, struct net_cidr *cidr)
{
	check_input("--address", net_parse_cidr(address, cidr), NULL);
	check_input("--address", net_check_host(cidr, address),
		    _("hosts lie between a subnet's first address and its "
		      "last: 10.88.0.1 to 10.88.0.254 in 10.88.0.0/24"));
}

static int run_bridge(struct options *opt)
{
	struct net_cidr cidr;

	check_options("bridge", opt, "na", "");
	check_input("--name", net_check_name(opt->name), NULL);
	if (opt->address)
		check_address(opt->address, &cidr);
	hop_step(_("bridge %s: make it if missing, address %s, up"), opt->name,
		 opt->address ? opt->address : _("unchanged"));
	if (net_bridge_up(opt->name, opt->address) < 0)
		fail(_("see ip -br link"));
	return 0;
}

static int run_attach(struct options *opt)
{
	struct net_cidr cidr;
	struct in_addr via;
	char hint[128];

	check_options("attach", opt, "pbiag", "pa");
	check_input("--bridge", net_check_name(opt->bridge), NULL);
	check_input("--host-if", net_check_name(opt->host_if), NULL);
	check_address(opt->address, &cidr);
	if (opt->gateway)
		check_input("--gateway",
			    net_check_gateway(&cidr, opt->address, opt->gateway,
					      &via),
			    _("the gateway is the bridge's address, on the "
			      "same subnet: 10.88.0.1 for 10.88.0.2/24"));
	hop_step(_("process %d: %s on %s here, eth0 %s there, gateway %s"),
		 (int)opt->pid, opt->host_if, opt->bridge, opt->address,
		 opt->gateway ? opt->gateway : _("none"));
	snprintf(hint, sizeof(hint),
		 _("make the bridge first: %s bridge --name %s --address "
		   "CIDR"),
		 hop_program, opt->bridge);
	if (net_attach(opt->pid, opt->bridge, opt->host_if, opt->address,
		       opt->gateway) < 0)
		fail(hint);
	return 0;
}

static int run_delete(struct options *opt, int bridge)
{
	const char *name = bridge ? opt->name : opt->host_if;

	if (bridge)
		check_options("delete-bridge", opt, "n", "");
	else
		check_options("detach", opt, "ip", "");
	if (!bridge && !opt->pid && !strchr(opt->given, 'i'))
		hop_die_plain(1, _("detach: give --host-if NAME or --pid PID"));
	check_input(bridge ? "--name" : "--host-if", net_check_name(name),
		    NULL);
	hop_step(_("delete %s"), name);
	if ((bridge ? net_bridge_delete(name) : net_detach(name)) < 0)
		fail(_("there is no link of that name here: see ip -br link"));
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt = { .name = "hop0", .bridge = "hop0" };
	const char *command;

	hop_init(argv[0]);
	opterr = 0;
	parse_options(argc, argv, &opt);
	if (optind >= argc) {
		hop_warn_plain(_("no command given"));
		usage_error();
	}
	command = argv[optind];
	argc -= optind;
	argv += optind;
	optind = 1;
	parse_options(argc, argv, &opt);
	if (optind < argc) {
		hop_warn_plain(_("%s: unexpected argument '%s'"), command,
			       argv[optind]);
		usage_error();
	}
	/* The default host end is named after the process, like hop-1234. */
	snprintf(opt.default_host_if, sizeof(opt.default_host_if), "hop-%d",
		 (int)opt.pid);
	if (!opt.host_if)
		opt.host_if = opt.default_host_if;

	if (strcmp(command, "bridge") == 0)
		return run_bridge(&opt);
	if (strcmp(command, "attach") == 0)
		return run_attach(&opt);
	if (strcmp(command, "detach") == 0)
		return run_delete(&opt, 0);
	if (strcmp(command, "delete-bridge") == 0)
		return run_delete(&opt, 1);
	hop_warn_plain(_("unknown command '%s'"), command);
	usage_error();
}
