/* net.h - a container's network: a bridge on the host and a veth pair whose
 * other end is the container's eth0. The module mini-netns is made of, and
 * mini-container uses to give a container its network.
 *
 *     host network namespace          |  container network namespace
 *                                     |
 *     hop0 (bridge, 10.88.0.1/24)     |
 *       └── hop-1234 (veth) ──────────┼── eth0 (veth, 10.88.0.2/24)
 *                                     |   lo; default via 10.88.0.1
 *
 * Every change is an rtnetlink request (netlink(7), NETLINK_ROUTE), the
 * same messages ip(8) sends: RTM_NEWLINK, RTM_DELLINK, RTM_NEWADDR and
 * RTM_NEWROUTE, each answered by an ACK that carries 0 or an errno. -x
 * (hop_explain_calls) shows each request and its answer on stderr.
 *
 * Every function returns 0 on success and -1 with errno set and a context
 * line (hop_context()) on failure; none of them exits or prints to stdout.
 * The "host" is the network namespace of the caller.
 *
 * Read: rtnetlink(7), netlink(7), veth(4), ip-link(8), ip-address(8),
 * ip-route(8), setns(2), network_namespaces(7).
 */
#ifndef HOP_NET_H
#define HOP_NET_H

#include <netinet/in.h>
#include <sys/types.h>

#include "lib/hop.h"

/* An IPv4 address with its prefix length: 10.88.0.2/24. */
struct net_cidr {
	struct in_addr address;
	int prefix; /* 0 to 32 */
};

/* Parse "10.88.0.2/24"; the prefix length is required (EINVAL). */
int net_parse_cidr(const char *text, struct net_cidr *cidr);

/* Parse a plain IPv4 address, "10.88.0.1" (EINVAL). */
int net_parse_address(const char *text, struct in_addr *address);

/* Refuse (EINVAL) an interface name the kernel would refuse: empty, longer
 * than IFNAMSIZ-1 (15) bytes, ".", "..", or with '/', ':' or a space. */
int net_check_name(const char *name);

/* Make the bridge (if it is missing) in the caller's network namespace,
 * give it address (CIDR; NULL leaves its addresses as they are) and bring
 * it up. Running it again changes nothing. */
int net_bridge_up(const char *bridge, const char *address);

/* Delete the bridge; ENODEV if there is none, EINVAL if that link is not a
 * bridge. Its ports stay, unplugged. */
int net_bridge_delete(const char *bridge);

/* Give process pid, which must have a network namespace of its own, a veth
 * pair: host_if here, joined to bridge and up; its peer made directly in
 * the namespace of pid as eth0, with address (CIDR) and up, lo up, and a
 * default route via gateway (NULL: no route). On failure, whatever was
 * made is deleted again. */
int net_attach(pid_t pid, const char *bridge, const char *host_if,
	       const char *address, const char *gateway);

/* Delete host_if, which must be a veth; its peer goes with it. ENODEV if
 * it is gone already (the kernel deletes the pair by itself when the
 * container's network namespace dies). */
int net_detach(const char *host_if);

/* What the kernel said about the last refused request (netlink's extended
 * ACK, e.g. "Nexthop has invalid gateway"), or "" if it said nothing. */
const char *net_kernel_message(void);

#endif
