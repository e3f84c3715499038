/* net.c - a bridge, a veth pair, an address and a route, each one an
 * rtnetlink request built by hand. See net.h for the contract.
 *
 * A request is a netlink header, a fixed part (ifinfomsg for a link,
 * ifaddrmsg for an address, rtmsg for a route), then attributes: type,
 * length, value, nested for IFLA_LINKINFO. NLM_F_ACK asks the kernel to
 * answer every request with an NLMSG_ERROR message: error 0 means done.
 */
#include "04-container-by-hand/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/hop.h"

/* The largest request here, a veth pair, takes under 200 bytes. */
#define REQUEST_SIZE 512
/* One link's description (RTM_GETLINK's answer) takes a few KiB. */
#define ANSWER_SIZE 32768

union message {
	struct nlmsghdr header;
	char bytes[REQUEST_SIZE];
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
	if (inet_pton(AF_INET, text, address) != 1) {
		errno = EINVAL;
		return hop_fail(_("'%s' is not an IPv4 address"), text);
	}
	return 0;
}

int net_parse_cidr(const char *text, struct net_cidr *cidr)
{
	char address[INET_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	char *end;
	long prefix;

	if (!slash || (size_t)(slash - text) >= sizeof(address))
		goto bad;
	snprintf(address, sizeof(address), "%.*s", (int)(slash - text), text);
	errno = 0;
	prefix = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || prefix < 0 || prefix > 32 ||
	    inet_pton(AF_INET, address, &cidr->address) != 1)
		goto bad;
	cidr->prefix = (int)prefix;
	return 0;
bad:
	errno = EINVAL;
	return hop_fail(_("'%s' is not an IPv4 address with a prefix length, "
			  "like 10.88.0.2/24"),
			text);
}

int net_check_name(const char *name)
{
	size_t length = strlen(name);
	int saved = errno;

	errno = EINVAL;
	if (length == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return hop_fail(_("'%s' is not an interface name"), name);
	if (length > IFNAMSIZ - 1)
		return hop_fail(
			_("interface name '%s' has %zu bytes; the kernel "
			  "allows %d (IFNAMSIZ-1)"),
			name, length, IFNAMSIZ - 1);
	if (strpbrk(name, "/: \t\n"))
		return hop_fail(
			_("interface name '%s' has a '/', ':' or space"), name);
	errno = saved;
	return 0;
}

/* ---- Building and sending one request ---------------------------------- */

static struct nlmsghdr *request_start(union message *m, int type, int flags,
				      const void *fixed, size_t size)
{
	memset(m->bytes, 0, sizeof(m->bytes));
	m->header.nlmsg_len = NLMSG_LENGTH(size);
	m->header.nlmsg_type = (unsigned short)type;
	m->header.nlmsg_flags =
		(unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	memcpy(NLMSG_DATA(&m->header), fixed, size);
	return &m->header;
}

/* Append one attribute; with data NULL, open a nest for attr_end(). */
static struct rtattr *attr_add(struct nlmsghdr *h, int type, const void *data,
			       size_t size)
{
	struct rtattr *attr =
		(struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	attr->rta_type = (unsigned short)type;
	attr->rta_len = (unsigned short)RTA_LENGTH(size);
	if (data)
		memcpy(RTA_DATA(attr), data, size);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(attr->rta_len);
	return attr;
}

static void attr_string(struct nlmsghdr *h, int type, const char *text)
{
	attr_add(h, type, text, strlen(text) + 1);
}

/* Close a nest: its length covers every attribute added since. */
static void attr_end(struct nlmsghdr *h, struct rtattr *nest)
{
	nest->rta_len =
		(unsigned short)((char *)h + h->nlmsg_len - (char *)nest);
}

/* The index of a link description and its IFLA_LINKINFO/IFLA_INFO_KIND. */
static void link_parse(struct nlmsghdr *h, struct link *found)
{
	struct ifinfomsg *info = NLMSG_DATA(h);
	int size = (int)IFLA_PAYLOAD(h), inner;
	struct rtattr *attr, *nested;

	found->index = info->ifi_index;
	for (attr = IFLA_RTA(info); RTA_OK(attr, size);
	     attr = RTA_NEXT(attr, size)) {
		if (attr->rta_type != IFLA_LINKINFO)
			continue;
		inner = (int)RTA_PAYLOAD(attr);
		for (nested = RTA_DATA(attr); RTA_OK(nested, inner);
		     nested = RTA_NEXT(nested, inner))
			if (nested->rta_type == IFLA_INFO_KIND)
				snprintf(found->kind, sizeof(found->kind),
					 "%.*s", (int)RTA_PAYLOAD(nested),
					 (char *)RTA_DATA(nested));
	}
}

/* The kernel's answer: its errno, and its words (NLMSGERR_ATTR_MSG) if it
 * attached any after our request, which it echoes (or only its header,
 * with NLM_F_CAPPED). */
static int answer_error(struct nlmsghdr *h)
{
	struct nlmsgerr *error = NLMSG_DATA(h);
	char *end = (char *)h + h->nlmsg_len, *tlvs;
	struct rtattr *attr;
	int size;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*error))) {
		errno = EPROTO;
		return -1;
	}
	tlvs = (char *)(error + 1);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		tlvs = (char *)&error->msg + NLMSG_ALIGN(error->msg.nlmsg_len);
	size = tlvs < end ? (int)(end - tlvs) : 0;
	if (h->nlmsg_flags & NLM_F_ACK_TLVS)
		for (attr = (struct rtattr *)tlvs; RTA_OK(attr, size);
		     attr = RTA_NEXT(attr, size))
			if (attr->rta_type == NLMSGERR_ATTR_MSG)
				snprintf(kernel_message, sizeof(kernel_message),
					 "%.*s", (int)RTA_PAYLOAD(attr),
					 (char *)RTA_DATA(attr));
	if (error->error == 0)
		return 0;
	errno = -error->error;
	return -1;
}

/* Send one request and read until its answer; a link description that
 * comes first (RTM_GETLINK) goes into found. */
static int talk(int fd, struct nlmsghdr *request, struct link *found)
{
	union {
		struct nlmsghdr header;
		char bytes[ANSWER_SIZE];
	} answer;
	struct nlmsghdr *h;
	ssize_t got;

	request->nlmsg_seq = ++sequence;
	kernel_message[0] = '\0';
	if (send(fd, request, request->nlmsg_len, 0) < 0)
		return -1;
	for (;;) {
		got = recv(fd, answer.bytes, sizeof(answer.bytes), 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			errno = got < 0 ? errno : EPROTO;
			return -1;
		}
		for (h = &answer.header; NLMSG_OK(h, got);
		     h = NLMSG_NEXT(h, got)) {
			if (h->nlmsg_seq != request->nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return answer_error(h);
			if (h->nlmsg_type == RTM_NEWLINK && found)
				link_parse(h, found);
		}
	}
}

static int netlink_open(void)
{
	int one = 1;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	hop_explain(fd, "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, "
			"NETLINK_ROUTE)");
	if (fd < 0)
		return hop_fail("socket(AF_NETLINK, NETLINK_ROUTE)");
	/* Ask for the kernel's words with an error, and not for our request
	 * back. Kernels before 4.12 lack the first: then it says nothing. */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) < 0)
		kernel_message[0] = '\0';
	if (setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one)) < 0)
		kernel_message[0] = '\0';
	return fd;
}

static void close_keeping_errno(int fd)
{
	int saved = errno;

	if (fd >= 0)
		close(fd);
	errno = saved;
}

/* ---- The requests ------------------------------------------------------ */

/* RTM_GETLINK by name: its index and kind; ENODEV if there is no such link. */
static int link_find(int fd, const char *name, struct link *found)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC };
	union message m;
	struct nlmsghdr *h =
		request_start(&m, RTM_GETLINK, 0, &info, sizeof(info));
	int rc;

	attr_string(h, IFLA_IFNAME, name);
	memset(found, 0, sizeof(*found));
	rc = talk(fd, h, found);
	hop_explain(rc < 0 ? rc : found->index, "RTM_GETLINK \"%s\"", name);
	if (rc < 0)
		return hop_fail(_("find link %s"), name);
	return 0;
}

/* Like "ip link set NAME [master MASTER] up". */
static int link_set_up(int fd, const char *name, int index, const char *master,
		       int master_index)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC,
				  .ifi_index = index,
				  .ifi_flags = IFF_UP,
				  .ifi_change = IFF_UP };
	union message m;
	struct nlmsghdr *h =
		request_start(&m, RTM_NEWLINK, 0, &info, sizeof(info));
	unsigned int master_u32 = (unsigned int)master_index;
	int rc;

	if (master)
		attr_add(h, IFLA_MASTER, &master_u32, sizeof(master_u32));
	rc = talk(fd, h, NULL);
	hop_explain(rc, "RTM_NEWLINK \"%s\"%s%s%s up", name,
		    master ? " master \"" : "", master ? master : "",
		    master ? "\"" : "");
	if (rc < 0)
		return hop_fail(
			master ? _("put %s on bridge %s and bring it up") :
				 _("bring %s up"),
			name, master);
	return 0;
}

static int link_delete(int fd, const char *name, int index)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC, .ifi_index = index };
	union message m;
	struct nlmsghdr *h =
		request_start(&m, RTM_DELLINK, 0, &info, sizeof(info));
	int rc = talk(fd, h, NULL);

	hop_explain(rc, "RTM_DELLINK \"%s\"", name);
	if (rc < 0)
		return hop_fail(_("delete link %s"), name);
	return 0;
}

/* Like "ip link add NAME type bridge". */
static int bridge_create(int fd, const char *name)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC };
	union message m;
	struct nlmsghdr *h = request_start(&m, RTM_NEWLINK,
					   NLM_F_CREATE | NLM_F_EXCL, &info,
					   sizeof(info));
	struct rtattr *linkinfo;
	int rc;

	attr_string(h, IFLA_IFNAME, name);
	linkinfo = attr_add(h, IFLA_LINKINFO, NULL, 0);
	attr_string(h, IFLA_INFO_KIND, "bridge");
	attr_end(h, linkinfo);
	rc = talk(fd, h, NULL);
	hop_explain(rc, "RTM_NEWLINK bridge \"%s\"", name);
	if (rc < 0)
		return hop_fail(_("create bridge %s"), name);
	return 0;
}

/* Like "ip link add NAME type veth peer name PEER netns PID": the peer is
 * made directly in the other namespace, so its name cannot clash here. */
static int veth_create(int fd, const char *name, const char *peer, int netns_fd,
		       const char *netns_path)
{
	struct ifinfomsg info = { .ifi_family = AF_UNSPEC };
	union message m;
	struct nlmsghdr *h = request_start(&m, RTM_NEWLINK,
					   NLM_F_CREATE | NLM_F_EXCL, &info,
					   sizeof(info));
	struct rtattr *linkinfo, *data, *peer_info;
	unsigned int netns_u32 = (unsigned int)netns_fd;
	int rc;

	attr_string(h, IFLA_IFNAME, name);
	linkinfo = attr_add(h, IFLA_LINKINFO, NULL, 0);
	attr_string(h, IFLA_INFO_KIND, "veth");
	data = attr_add(h, IFLA_INFO_DATA, NULL, 0);
	/* The peer is described like a link of its own: ifinfomsg, then
	 * its attributes. */
	peer_info = attr_add(h, VETH_INFO_PEER, &info, sizeof(info));
	attr_string(h, IFLA_IFNAME, peer);
	attr_add(h, IFLA_NET_NS_FD, &netns_u32, sizeof(netns_u32));
	attr_end(h, peer_info);
	attr_end(h, data);
	attr_end(h, linkinfo);
	rc = talk(fd, h, NULL);
	hop_explain(rc, "RTM_NEWLINK veth \"%s\" peer \"%s\" netns %s", name,
		    peer, netns_path);
	if (rc < 0)
		return hop_fail(_("create veth pair %s (here) and %s (in %s)"),
				name, peer, netns_path);
	return 0;
}

/* Like "ip address replace CIDR dev NAME": NLM_F_REPLACE makes a second
 * run a no-op instead of EEXIST. */
static int address_add(int fd, const char *name, int index,
		       const struct net_cidr *cidr, const char *text)
{
	struct ifaddrmsg addr = { .ifa_family = AF_INET,
				  .ifa_prefixlen = (unsigned char)cidr->prefix,
				  .ifa_scope = RT_SCOPE_UNIVERSE,
				  .ifa_index = (unsigned int)index };
	union message m;
	struct nlmsghdr *h = request_start(&m, RTM_NEWADDR,
					   NLM_F_CREATE | NLM_F_REPLACE, &addr,
					   sizeof(addr));
	int rc;

	/* On a link that is not point-to-point, both are our address. */
	attr_add(h, IFA_LOCAL, &cidr->address, sizeof(cidr->address));
	attr_add(h, IFA_ADDRESS, &cidr->address, sizeof(cidr->address));
	rc = talk(fd, h, NULL);
	hop_explain(rc, "RTM_NEWADDR \"%s\" %s", name, text);
	if (rc < 0)
		return hop_fail(_("add address %s to %s"), text, name);
	return 0;
}

/* Like "ip route add default via GATEWAY": the kernel finds the link from
 * the gateway, which must be on a subnet of a link that is up. */
static int route_add_default(int fd, const struct in_addr *gateway,
			     const char *text)
{
	struct rtmsg route = { .rtm_family = AF_INET,
			       .rtm_table = RT_TABLE_MAIN,
			       .rtm_protocol = RTPROT_BOOT,
			       .rtm_scope = RT_SCOPE_UNIVERSE,
			       .rtm_type = RTN_UNICAST };
	union message m;
	struct nlmsghdr *h = request_start(&m, RTM_NEWROUTE,
					   NLM_F_CREATE | NLM_F_EXCL, &route,
					   sizeof(route));
	int rc;

	attr_add(h, RTA_GATEWAY, gateway, sizeof(*gateway));
	rc = talk(fd, h, NULL);
	hop_explain(rc, "RTM_NEWROUTE default via %s", text);
	if (rc < 0)
		return hop_fail(_("add default route via %s"), text);
	return 0;
}

/* Delete a link we made because a later step failed, keeping the error,
 * the context and the kernel's words of that step. */
static void undo_link(int fd, const char *name)
{
	char context[512], words[sizeof(kernel_message)];
	int saved = errno;
	struct link found;

	snprintf(context, sizeof(context), "%s", hop_context());
	snprintf(words, sizeof(words), "%s", kernel_message);
	if (link_find(fd, name, &found) == 0)
		link_delete(fd, name, found.index);
	snprintf(kernel_message, sizeof(kernel_message), "%s", words);
	errno = saved;
	hop_fail("%s", context);
}

/* ---- The bridge -------------------------------------------------------- */

/* Find name; EINVAL if it is there but not of kind. */
static int link_find_kind(int fd, const char *name, const char *kind,
			  struct link *found)
{
	if (link_find(fd, name, found) < 0)
		return -1;
	if (strcmp(found->kind, kind) != 0) {
		errno = EINVAL;
		return hop_fail(_("%s is not a %s (its kind: %s)"), name, kind,
				found->kind[0] ? found->kind : "none");
	}
	return 0;
}

int net_bridge_up(const char *bridge, const char *address)
{
	struct net_cidr cidr;
	struct link found;
	int fd, made = 0, rc;

	if (net_check_name(bridge) < 0 ||
	    (address && net_parse_cidr(address, &cidr) < 0))
		return -1;
	fd = netlink_open();
	if (fd < 0)
		return -1;
	rc = link_find_kind(fd, bridge, "bridge", &found);
	if (rc < 0 && errno == ENODEV) {
		made = bridge_create(fd, bridge) == 0;
		rc = made ? link_find(fd, bridge, &found) : -1;
	}
	if (rc == 0 && address)
		rc = address_add(fd, bridge, found.index, &cidr, address);
	if (rc == 0)
		rc = link_set_up(fd, bridge, found.index, NULL, 0);
	if (rc < 0 && made)
		undo_link(fd, bridge);
	close_keeping_errno(fd);
	return rc;
}

/* Delete name if it is a link of kind: never a link we did not make. */
static int delete_link_of_kind(const char *name, const char *kind)
{
	struct link found;
	int fd, rc;

	if (net_check_name(name) < 0)
		return -1;
	fd = netlink_open();
	if (fd < 0)
		return -1;
	rc = link_find_kind(fd, name, kind, &found);
	if (rc < 0 && errno == ENODEV)
		hop_fail(_("%s %s in this network namespace"), kind, name);
	if (rc == 0)
		rc = link_delete(fd, name, found.index);
	close_keeping_errno(fd);
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
	close_keeping_errno(fd);
	if (ours < 0 || init < 0)
		return -1;
	errno = EINVAL;
	return hop_fail(_("process %d is in %s network namespace, not in one "
			  "of its own"),
			(int)pid, ours ? _("this") : _("PID 1's (the host's)"));
}

/* A netlink socket that talks to the namespace of netns_fd: a socket
 * belongs to the namespace it was made in, so step in, make it, and step
 * back (setns(2) moves only the calling thread). */
static int netlink_open_in(int netns_fd, const char *netns_path)
{
	int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd, rc;

	hop_explain(home,
		    "open(\"/proc/thread-self/ns/net\", O_RDONLY|O_CLOEXEC)");
	if (home < 0)
		return hop_fail(_("open %s"), "/proc/thread-self/ns/net");
	rc = setns(netns_fd, CLONE_NEWNET);
	hop_explain(rc, "setns(%s, CLONE_NEWNET)", netns_path);
	if (rc < 0) {
		close_keeping_errno(home);
		return hop_fail(_("enter %s"), netns_path);
	}
	fd = netlink_open();
	rc = setns(home, CLONE_NEWNET);
	hop_explain(rc, "setns(/proc/thread-self/ns/net, CLONE_NEWNET)");
	close_keeping_errno(home);
	if (rc < 0) {
		close_keeping_errno(fd);
		return hop_fail(_("come back to our own network namespace"));
	}
	return fd;
}

/* Inside: lo up, eth0 with its address and up, the default route. */
static int configure_inside(int netns_fd, const char *netns_path,
			    const char *address, const struct net_cidr *cidr,
			    const char *gateway, const struct in_addr *via)
{
	struct link lo, eth0;
	int fd = netlink_open_in(netns_fd, netns_path);
	int rc;

	if (fd < 0)
		return -1;
	rc = link_find(fd, "lo", &lo);
	if (rc == 0)
		rc = link_set_up(fd, "lo", lo.index, NULL, 0);
	if (rc == 0)
		rc = link_find(fd, "eth0", &eth0);
	if (rc == 0)
		rc = address_add(fd, "eth0", eth0.index, cidr, address);
	if (rc == 0)
		rc = link_set_up(fd, "eth0", eth0.index, NULL, 0);
	if (rc == 0 && gateway)
		rc = route_add_default(fd, via, gateway);
	if (rc < 0) {
		char context[512];

		snprintf(context, sizeof(context), "%s", hop_context());
		hop_fail(_("%s, in %s"), context, netns_path);
	}
	close_keeping_errno(fd);
	return rc;
}

/* The gateway must be on the address's subnet, and not the address. */
static int check_gateway(const struct net_cidr *cidr, const char *address,
			 const char *gateway, struct in_addr *via)
{
	uint32_t mask = cidr->prefix ? ~0u << (32 - cidr->prefix) : 0;
	uint32_t ours = ntohl(cidr->address.s_addr);

	if (net_parse_address(gateway, via) < 0)
		return -1;
	if (((ntohl(via->s_addr) ^ ours) & mask) == 0 &&
	    ntohl(via->s_addr) != ours)
		return 0;
	errno = EINVAL;
	return hop_fail(_("gateway %s is not another address on %s's subnet"),
			gateway, address);
}

/* The bridge the host end joins; a clear error if it is missing. */
static int bridge_find(int fd, const char *bridge, struct link *found)
{
	if (link_find_kind(fd, bridge, "bridge", found) == 0)
		return 0;
	if (errno == ENODEV)
		hop_fail(_("bridge %s in this network namespace"), bridge);
	return -1;
}

int net_attach(pid_t pid, const char *bridge, const char *host_if,
	       const char *address, const char *gateway)
{
	struct net_cidr cidr;
	struct in_addr via;
	struct link found, veth;
	char netns_path[64];
	int netns_fd, fd, rc = -1;

	if (net_check_name(bridge) < 0 || net_check_name(host_if) < 0 ||
	    net_parse_cidr(address, &cidr) < 0 ||
	    (gateway && check_gateway(&cidr, address, gateway, &via) < 0))
		return -1;
	netns_fd = netns_open(pid, netns_path, sizeof(netns_path));
	if (netns_fd < 0)
		return -1;
	fd = netlink_open();
	if (fd < 0 || bridge_find(fd, bridge, &found) < 0 ||
	    veth_create(fd, host_if, "eth0", netns_fd, netns_path) < 0)
		goto out;
	/* From here on, a failure deletes the pair again. */
	if (link_find(fd, host_if, &veth) < 0 ||
	    link_set_up(fd, host_if, veth.index, bridge, found.index) < 0 ||
	    configure_inside(netns_fd, netns_path, address, &cidr, gateway,
			     &via) < 0)
		undo_link(fd, host_if);
	else
		rc = 0;
out:
	close_keeping_errno(fd);
	close_keeping_errno(netns_fd);
	return rc;
}
