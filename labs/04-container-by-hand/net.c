/* net.c - a bridge, a veth pair, an address and a route, each one an
 * rtnetlink request. See net.h for the contract.
 *
 * A request is a netlink header (nlmsghdr), a fixed part (ifinfomsg for a
 * link, ifaddrmsg for an address, rtmsg for a route), then attributes:
 * type, length, value, nested for IFLA_LINKINFO. libmnl does the byte
 * work (mnl_nlmsg_put_header, mnl_attr_put*, mnl_attr_nest_start/end to
 * build, mnl_cb_run2 to walk the answers); what goes into each message is
 * written out here. NLM_F_ACK asks the kernel to answer every request
 * with an NLMSG_ERROR message: error 0 means done.
 */
#include "04-container-by-hand/net.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/hop.h"

/* A request here takes under 200 bytes; one link's description (the
 * answer to RTM_GETLINK) a few KiB. */
#define MESSAGE_SIZE 32768

union message {
	struct nlmsghdr header; /* aligns the bytes for it */
	char bytes[MESSAGE_SIZE];
};

/* A link as RTM_GETLINK describes it. */
struct link {
	int index;
	char kind[16]; /* IFLA_INFO_KIND: "bridge", "veth"; "" for lo */
};

static unsigned int sequence;
static char kernel_message[256];

const char *net_kernel_message(void)
{
	return kernel_message;
}

/* ---- Input ------------------------------------------------------------ */

int net_parse_address(const char *text, struct in_addr *address)
{
	if (inet_pton(AF_INET, text, address) != 1)
		return hop_refuse(_("'%s' is not an IPv4 address"), text);
	return 0;
}

int net_parse_cidr(const char *text, struct net_cidr *cidr)
{
	char address[INET_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t digits = slash ? strspn(slash + 1, "0123456789") : 0;

	/* Plain digits: strtol alone would also take " 24", "+24" and "-0". */
	if (!slash || (size_t)(slash - text) >= sizeof(address) ||
	    digits == 0 || digits > 2 || slash[1 + digits] ||
	    (digits == 2 && slash[1] == '0'))
		goto bad;
	cidr->prefix = (int)strtol(slash + 1, NULL, 10);
	snprintf(address, sizeof(address), "%.*s", (int)(slash - text), text);
	if (cidr->prefix <= 32 &&
	    inet_pton(AF_INET, address, &cidr->address) == 1)
		return 0;
bad:
	return hop_refuse(_("'%s' is not an IPv4 address with a prefix length, "
			    "like 10.88.0.2/24"),
			  text);
}

uint32_t net_mask(int prefix)
{
	return prefix <= 0 ? 0 : ~0U << (32 - (prefix > 32 ? 32 : prefix));
}

int net_check_host(const struct net_cidr *cidr, const char *text)
{
	uint32_t host = ntohl(cidr->address.s_addr) & ~net_mask(cidr->prefix);

	if (cidr->prefix > 30 || (host != 0 && host != ~net_mask(cidr->prefix)))
		return 0;
	return hop_refuse(host ? _("'%s' is the subnet's broadcast address, "
				   "not a host's") :
				 _("'%s' is the subnet itself, not an address "
				   "on it"),
			  text);
}

int net_check_gateway(const struct net_cidr *cidr, const char *cidr_text,
		      const char *gateway, struct in_addr *via)
{
	struct net_cidr theirs;

	if (net_parse_address(gateway, via) < 0)
		return -1;
	theirs = (struct net_cidr){ *via, cidr->prefix };
	if (((via->s_addr ^ cidr->address.s_addr) &
	     htonl(net_mask(cidr->prefix))) != 0 ||
	    via->s_addr == cidr->address.s_addr ||
	    net_check_host(&theirs, gateway) < 0)
		return hop_refuse(_("'%s' is not another host address on the "
				    "subnet of %s"),
				  gateway, cidr_text);
	return 0;
}

int net_check_name(const char *name)
{
	size_t length = strlen(name);

	if (length == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return hop_refuse(_("'%s' is not an interface name"), name);
	if (length > IFNAMSIZ - 1)
		return hop_refuse(_("interface name '%s' has %zu bytes; the "
				    "kernel allows %d (IFNAMSIZ-1)"),
				  name, length, IFNAMSIZ - 1);
	/* The kernel's dev_valid_name() refuses any isspace() byte. */
	for (const char *c = name; *c; c++)
		if (*c == '/' || *c == ':' || isspace((unsigned char)*c))
			return hop_refuse(_("interface name '%s' has a '/', "
					    "':' or white space"),
					  name);
	return 0;
}

/* Close what is open of fd and nl. */
static void close_keeping_errno(int fd, struct mnl_socket *nl)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	if (nl)
		mnl_socket_close(nl);
	errno = saved;
}

/* ---- One request, one answer ------------------------------------------ */

/* The netlink header and the request's fixed part; attributes follow.
 * One request at a time: they all take this buffer. */
static struct nlmsghdr *request_start(int type, int flags, const void *fixed,
				      size_t size)
{
	static union message request;
	struct nlmsghdr *h = mnl_nlmsg_put_header(request.bytes);

	h->nlmsg_type = (unsigned short)type;
	h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	h->nlmsg_seq = ++sequence;
	memcpy(mnl_nlmsg_put_extra_header(h, size), fixed, size);
	return h;
}

/* Read one datagram. Only the kernel (port 0) may answer: a process with
 * CAP_NET_ADMIN can send to our socket too. MSG_TRUNC: it did not fit in
 * answer, and the rest of it is lost. */
static ssize_t receive(int fd, union message *answer)
{
	struct sockaddr_nl from;
	struct iovec iov = { answer->bytes, sizeof(answer->bytes) };
	struct msghdr msg = { .msg_name = &from,
			      .msg_namelen = sizeof(from),
			      .msg_iov = &iov,
			      .msg_iovlen = 1 };
	ssize_t got;

	do
		got = recvmsg(fd, &msg, 0);
	while (got < 0 && errno == EINTR);
	if (got >= 0 && (msg.msg_flags & MSG_TRUNC))
		errno = EMSGSIZE;
	else if (got >= 0 && (msg.msg_namelen != sizeof(from) ||
			      from.nl_family != AF_NETLINK || from.nl_pid != 0))
		errno = EPROTO;
	else
		return got;
	return -1;
}

/* An RTM_NEWLINK answer (to RTM_GETLINK): the link's index, and its kind,
 * IFLA_INFO_KIND nested in IFLA_LINKINFO. */
static int link_parse(const struct nlmsghdr *h, void *data)
{
	const struct ifinfomsg *info = mnl_nlmsg_get_payload(h);
	const struct nlattr *attr, *kind;
	struct link *found = data;

	if (!found || h->nlmsg_type != RTM_NEWLINK ||
	    mnl_nlmsg_get_payload_len(h) < sizeof(*info))
		return MNL_CB_OK;
	found->index = info->ifi_index;
	mnl_attr_for_each(attr, h, sizeof(*info))
	{
		if (mnl_attr_get_type(attr) == IFLA_LINKINFO)
			mnl_attr_for_each_nested(kind, attr)
			{
				if (mnl_attr_get_type(kind) == IFLA_INFO_KIND)
					snprintf(found->kind,
						 sizeof(found->kind), "%.*s",
						 (int)mnl_attr_get_payload_len(
							 kind),
						 mnl_attr_get_str(kind));
			}
	}
	return MNL_CB_OK;
}

/* The ACK: its errno, and the kernel's words (NLMSGERR_ATTR_MSG) if it
 * attached any after the header of our request (NLM_F_CAPPED). */
static int answer_error(const struct nlmsghdr *h, void *data)
{
	const struct nlmsgerr *error = mnl_nlmsg_get_payload(h);
	const unsigned int words = NLM_F_CAPPED | NLM_F_ACK_TLVS;
	const struct nlattr *attr;

	(void)data;
	if (mnl_nlmsg_get_payload_len(h) < sizeof(*error)) {
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	if ((h->nlmsg_flags & words) == words)
		mnl_attr_for_each(attr, h, sizeof(*error))
		{
			if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
			    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
				snprintf(kernel_message, sizeof(kernel_message),
					 "%s", mnl_attr_get_str(attr));
		}
	errno = -error->error;
	return error->error == 0 ? MNL_CB_STOP : MNL_CB_ERROR;
}

/* Send one request and read until its ACK; a link description that comes
 * first (RTM_GETLINK) goes into found. mnl_cb_run2 checks that each answer
 * is to this request (nlmsg_seq) and addressed to us (nlmsg_pid). -x shows
 * the request as what says (printf-like), then 0, the index found, or the
 * errno. */
static HOP_PRINTF(4, 5) int talk(struct mnl_socket *nl,
				 struct nlmsghdr *request, struct link *found,
				 const char *what, ...)
{
	static mnl_cb_t control[NLMSG_MIN_TYPE] = { [NLMSG_ERROR] =
							    answer_error };
	static union message answer;
	char line[256];
	va_list ap;
	ssize_t got;
	int rc = MNL_CB_OK;

	va_start(ap, what);
	vsnprintf(line, sizeof(line), what, ap);
	va_end(ap);
	kernel_message[0] = '\0';
	if (mnl_socket_sendto(nl, request, request->nlmsg_len) < 0)
		rc = MNL_CB_ERROR;
	while (rc == MNL_CB_OK) {
		got = receive(mnl_socket_get_fd(nl), &answer);
		rc = got < 0 ?
			     MNL_CB_ERROR :
			     mnl_cb_run2(answer.bytes, (size_t)got,
					 request->nlmsg_seq,
					 mnl_socket_get_portid(nl), link_parse,
					 found, control, NLMSG_MIN_TYPE);
	}
	rc = rc == MNL_CB_STOP ? 0 : -1;
	hop_explain(rc == 0 && found ? found->index : rc, "%s", line);
	return rc;
}

/* A netlink socket of the caller's network namespace, on a port the
 * kernel picks; it asks for the kernel's words with an error (Linux 4.12)
 * and for only the header of our request back (4.3). */
static struct mnl_socket *netlink_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	int one = 1;

	hop_explain(nl ? mnl_socket_get_fd(nl) : -1,
		    "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)");
	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0) {
		(void)mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one,
					    sizeof(one));
		(void)mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one,
					    sizeof(one));
		return nl;
	}
	hop_fail("socket(AF_NETLINK, NETLINK_ROUTE)");
	close_keeping_errno(-1, nl);
	return NULL;
}

/* ---- The requests ------------------------------------------------------ */

/* RTM_GETLINK by name: its index and kind; ENODEV if there is no such link. */
static int link_find(struct mnl_socket *nl, const char *name,
		     struct link *found)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC };
	struct nlmsghdr *h = request_start(RTM_GETLINK, 0, &info, sizeof(info));

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	memset(found, 0, sizeof(*found));
	if (talk(nl, h, found, "RTM_GETLINK \"%s\"", name) < 0)
		return hop_fail(_("find link %s"), name);
	return 0;
}

/* Like "ip link set NAME [master MASTER] up". With no index (0), the
 * kernel finds the link by its name. */
static int link_set_up(struct mnl_socket *nl, const char *name,
		       const char *master, int master_index)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC,
				  .ifi_flags = IFF_UP,
				  .ifi_change = IFF_UP };
	struct nlmsghdr *h = request_start(RTM_NEWLINK, 0, &info, sizeof(info));

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	if (master)
		mnl_attr_put_u32(h, IFLA_MASTER, (uint32_t)master_index);
	if (talk(nl, h, NULL, "RTM_NEWLINK \"%s\"%s%s%s up", name,
		 master ? " master \"" : "", master ? master : "",
		 master ? "\"" : "") < 0)
		return hop_fail(master ? _("put %s on bridge %s and bring it "
					   "up") :
					 _("bring %s up"),
				name, master);
	return 0;
}

/* By index: the link whose kind was checked, even if renamed since. */
static int link_delete(struct mnl_socket *nl, const char *name, int index)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	struct nlmsghdr *h = request_start(RTM_DELLINK, 0, &info, sizeof(info));

	if (talk(nl, h, NULL, "RTM_DELLINK \"%s\"", name) < 0)
		return hop_fail(_("delete link %s"), name);
	return 0;
}

/* Like "ip link add NAME type bridge". */
static int bridge_create(struct mnl_socket *nl, const char *name)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC };
	struct nlmsghdr *h = request_start(
		RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof(info));
	struct nlattr *linkinfo;

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(h, linkinfo);
	if (talk(nl, h, NULL, "RTM_NEWLINK bridge \"%s\"", name) < 0)
		return hop_fail(_("create bridge %s"), name);
	return 0;
}

/* Like "ip link add NAME type veth peer name PEER netns PID": the peer is
 * made directly in the other namespace, so its name cannot clash here. */
static int veth_create(struct mnl_socket *nl, const char *name,
		       const char *peer, int netns_fd, const char *netns_path)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC };
	struct nlmsghdr *h = request_start(
		RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &info, sizeof(info));
	struct nlattr *linkinfo, *data, *peer_info;

	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(h, IFLA_LINKINFO);
	mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
	/* The peer is described like a link of its own: an ifinfomsg, then
	 * its attributes. IFLA_NET_NS_FD names the namespace we opened and
	 * checked; a pid (IFLA_NET_NS_PID) could be another process's by now. */
	peer_info = mnl_attr_nest_start(h, VETH_INFO_PEER);
	memcpy(mnl_nlmsg_put_extra_header(h, sizeof(info)), &info,
	       sizeof(info));
	mnl_attr_put_strz(h, IFLA_IFNAME, peer);
	mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)netns_fd);
	mnl_attr_nest_end(h, peer_info);
	mnl_attr_nest_end(h, data);
	mnl_attr_nest_end(h, linkinfo);
	if (talk(nl, h, NULL, "RTM_NEWLINK veth \"%s\" peer \"%s\" netns %s",
		 name, peer, netns_path) < 0)
		return hop_fail(_("create veth pair %s (here) and %s (in %s)"),
				name, peer, netns_path);
	return 0;
}

/* Like "ip address replace CIDR dev NAME": NLM_F_REPLACE makes a second
 * run a no-op instead of EEXIST. */
static int address_add(struct mnl_socket *nl, const char *name, int index,
		       const struct net_cidr *cidr, const char *text)
{
	struct ifaddrmsg addr = { .ifa_family = AF_INET,
				  .ifa_prefixlen = (unsigned char)cidr->prefix,
				  .ifa_scope = RT_SCOPE_UNIVERSE,
				  .ifa_index = (unsigned int)index };
	struct nlmsghdr *h = request_start(
		RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, &addr, sizeof(addr));

	/* On a link that is not point-to-point, both are our address. */
	mnl_attr_put(h, IFA_LOCAL, sizeof(cidr->address), &cidr->address);
	mnl_attr_put(h, IFA_ADDRESS, sizeof(cidr->address), &cidr->address);
	if (talk(nl, h, NULL, "RTM_NEWADDR \"%s\" %s", name, text) < 0)
		return hop_fail(_("add address %s to %s"), text, name);
	return 0;
}

/* Like "ip route add default via GATEWAY": the kernel finds the link from
 * the gateway, which must be on a subnet of a link that is up. */
static int route_add_default(struct mnl_socket *nl,
			     const struct in_addr *gateway, const char *text)
{
	struct rtmsg route = { .rtm_family = AF_INET,
			       .rtm_table = RT_TABLE_MAIN,
			       .rtm_protocol = RTPROT_BOOT,
			       .rtm_scope = RT_SCOPE_UNIVERSE,
			       .rtm_type = RTN_UNICAST };
	struct nlmsghdr *h = request_start(
		RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &route, sizeof(route));

	mnl_attr_put(h, RTA_GATEWAY, sizeof(*gateway), gateway);
	if (talk(nl, h, NULL, "RTM_NEWROUTE default via %s", text) < 0)
		return hop_fail(_("add default route via %s"), text);
	return 0;
}

/* Delete a link we made because a later step failed, keeping the error,
 * the context and the kernel's words of that step. */
static void undo_link(struct mnl_socket *nl, const char *name)
{
	char context[512], words[sizeof(kernel_message)];
	int saved = errno;
	struct link found;

	snprintf(context, sizeof(context), "%s", hop_context());
	snprintf(words, sizeof(words), "%s", kernel_message);
	if (link_find(nl, name, &found) == 0)
		link_delete(nl, name, found.index);
	snprintf(kernel_message, sizeof(kernel_message), "%s", words);
	errno = saved;
	hop_fail("%s", context);
}

/* ---- The bridge -------------------------------------------------------- */

/* Find name; refused if it is there but not of kind; ENODEV, with what
 * was looked for, if it is not there. */
static int link_find_kind(struct mnl_socket *nl, const char *name,
			  const char *kind, struct link *found)
{
	if (link_find(nl, name, found) < 0) {
		if (errno == ENODEV)
			hop_fail(_("%s %s in this network namespace"), kind,
				 name);
		return -1;
	}
	if (strcmp(found->kind, kind) != 0)
		return hop_refuse(_("%s is not a %s (its kind: %s)"), name,
				  kind, found->kind[0] ? found->kind : "none");
	return 0;
}

int net_bridge_up(const char *bridge, const char *address)
{
	struct net_cidr cidr;
	struct link found;
	struct mnl_socket *nl;
	int made = 0, rc;

	if (net_check_name(bridge) < 0 ||
	    (address && (net_parse_cidr(address, &cidr) < 0 ||
			 net_check_host(&cidr, address) < 0)))
		return -1;
	nl = netlink_open();
	if (!nl)
		return -1;
	rc = link_find_kind(nl, bridge, "bridge", &found);
	if (rc < 0 && errno == ENODEV) {
		made = bridge_create(nl, bridge) == 0;
		rc = made ? link_find(nl, bridge, &found) : -1;
	}
	if (rc == 0 && address)
		rc = address_add(nl, bridge, found.index, &cidr, address);
	if (rc == 0)
		rc = link_set_up(nl, bridge, NULL, 0);
	if (rc < 0 && made)
		undo_link(nl, bridge);
	close_keeping_errno(-1, nl);
	return rc;
}

/* Delete name if it is a link of kind: never a link we did not make. */
static int delete_link_of_kind(const char *name, const char *kind)
{
	struct link found;
	struct mnl_socket *nl;
	int rc;

	if (net_check_name(name) < 0)
		return -1;
	nl = netlink_open();
	if (!nl)
		return -1;
	rc = link_find_kind(nl, name, kind, &found);
	if (rc == 0)
		rc = link_delete(nl, name, found.index);
	close_keeping_errno(-1, nl);
	return rc;
}

int net_bridge_delete(const char *bridge)
{
	return delete_link_of_kind(bridge, "bridge");
}

int net_detach(const char *host_if)
{
	return delete_link_of_kind(host_if, "veth");
}

/* ---- The container's end ----------------------------------------------- */

/* Whether fd is the same namespace as the file at path. */
static int same_namespace(int fd, const char *path)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return hop_fail(_("stat %s"), path);
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

/* Open /proc/PID/ns/net, the handle of that process's network namespace.
 * Refuse ours and PID 1's: an eth0 and a default route would land on the
 * host, beside its own. */
static int netns_open(pid_t pid, char *path, size_t size)
{
	int fd, ours, init;

	snprintf(path, size, "/proc/%d/ns/net", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	hop_explain(fd, "open(\"%s\", O_RDONLY|O_CLOEXEC)", path);
	if (fd < 0 && errno == ENOENT)
		errno = ESRCH;
	if (fd < 0)
		return hop_fail(_("network namespace of process %d (%s)"),
				(int)pid, path);
	ours = same_namespace(fd, "/proc/thread-self/ns/net");
	init = ours == 0 ? same_namespace(fd, "/proc/1/ns/net") : 0;
	if (init < 0 && (errno == EACCES || errno == EPERM))
		init = 0; /* PID 1 is not ours to inspect (a sandbox): skip */
	if (ours == 0 && init == 0)
		return fd;
	close_keeping_errno(fd, NULL);
	if (ours < 0 || init < 0)
		return -1;
	return hop_refuse(_("process %d is in %s network namespace, not in "
			    "one of its own"),
			  (int)pid,
			  ours ? _("this") : _("PID 1's (the host's)"));
}

/* A netlink socket that talks to the namespace of netns_fd: a socket
 * belongs to the namespace it was made in, so step in, make it, and step
 * back (setns(2) moves only the calling thread). */
static struct mnl_socket *netlink_open_in(int netns_fd, const char *netns_path)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct mnl_socket *nl;
	int rc;

	hop_explain(home,
		    "open(\"/proc/thread-self/ns/net\", O_RDONLY|O_CLOEXEC)");
	if (home < 0) {
		hop_fail(_("open %s"), "/proc/thread-self/ns/net");
		return NULL;
	}
	rc = setns(netns_fd, CLONE_NEWNET);
	hop_explain(rc, "setns(%s, CLONE_NEWNET)", netns_path);
	if (rc < 0) {
		close_keeping_errno(home, NULL);
		hop_fail(_("enter %s"), netns_path);
		return NULL;
	}
	nl = netlink_open();
	rc = setns(home, CLONE_NEWNET);
	hop_explain(rc, "setns(/proc/thread-self/ns/net, CLONE_NEWNET)");
	close_keeping_errno(home, NULL);
	if (rc < 0) {
		close_keeping_errno(-1, nl);
		hop_fail(_("come back to our own network namespace"));
		return NULL;
	}
	return nl;
}

int net_loopback_up(void)
{
	struct mnl_socket *nl = netlink_open();
	int rc;

	if (!nl)
		return -1;
	rc = link_set_up(nl, "lo", NULL, 0);
	mnl_socket_close(nl);
	return rc;
}

/* Inside: lo up, eth0 with its address and up, the default route. */
static int configure_inside(int netns_fd, const char *netns_path,
			    const char *address, const struct net_cidr *cidr,
			    const char *gateway, const struct in_addr *via)
{
	struct mnl_socket *nl = netlink_open_in(netns_fd, netns_path);
	struct link eth0;
	int rc;

	if (!nl)
		return -1;
	rc = link_set_up(nl, "lo", NULL, 0);
	if (rc == 0)
		rc = link_find(nl, "eth0", &eth0);
	if (rc == 0)
		rc = address_add(nl, "eth0", eth0.index, cidr, address);
	if (rc == 0)
		rc = link_set_up(nl, "eth0", NULL, 0);
	if (rc == 0 && gateway)
		rc = route_add_default(nl, via, gateway);
	if (rc < 0)
		hop_wrap(_("in %s"), netns_path);
	close_keeping_errno(-1, nl);
	return rc;
}

int net_attach(pid_t pid, const char *bridge, const char *host_if,
	       const char *address, const char *gateway)
{
	struct net_cidr cidr;
	struct in_addr via;
	struct link found;
	struct mnl_socket *nl = NULL;
	char netns_path[64];
	int netns_fd, rc = -1;

	if (net_check_name(bridge) < 0 || net_check_name(host_if) < 0 ||
	    net_parse_cidr(address, &cidr) < 0 ||
	    net_check_host(&cidr, address) < 0 ||
	    (gateway && net_check_gateway(&cidr, address, gateway, &via) < 0))
		return -1;
	netns_fd = netns_open(pid, netns_path, sizeof(netns_path));
	if (netns_fd < 0)
		return -1;
	nl = netlink_open();
	if (!nl || link_find_kind(nl, bridge, "bridge", &found) < 0 ||
	    veth_create(nl, host_if, "eth0", netns_fd, netns_path) < 0)
		goto out;
	/* From here on, a failure deletes the pair again. */
	if (link_set_up(nl, host_if, bridge, found.index) < 0 ||
	    configure_inside(netns_fd, netns_path, address, &cidr, gateway,
			     &via) < 0)
		undo_link(nl, host_if);
	else
		rc = 0;
out:
	close_keeping_errno(netns_fd, nl);
	return rc;
}
