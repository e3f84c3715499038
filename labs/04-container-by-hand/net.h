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
 * RTM_NEWROUTE, each answered by an ACK that carries 0 or an errno; libmnl
 * lays the messages out. -x (hop_explain_calls) shows each request and its
 * answer on stderr.
 *
 * Every function returns 0 on success and -1 with errno set and a context
 * line (hop_context()) on failure; none of them exits or prints to stdout.
 * Bad input is refused with hop_refuse() (hop_refused() is then true and
 * errno EINVAL) before the kernel is asked. The "host" is the network
 * namespace of the caller.
 *
 * Read: rtnetlink(7), netlink(7), veth(4), ip-link(8), ip-address(8),
 * ip-route(8), setns(2), network_namespaces(7).
 */
#ifndef HOP_NET_H
#define HOP_NET_H

#include <netinet/in.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/hop.h"

/* An IPv4 address with its prefix length: 10.88.0.2/24. */
struct net_cidr {
	struct in_addr address;
	int prefix; /* 0 to 32 */
};

/* Parse "10.88.0.2/24": dotted quad, '/', a prefix length of 0 to 32 in
 * plain digits (no sign, space or leading zero); the prefix is required. */
int net_parse_cidr(const char *text, struct net_cidr *cidr);

/* Parse a plain IPv4 address, "10.88.0.1". */
int net_parse_address(const char *text, struct in_addr *address);

/* The netmask of a prefix length, in host byte order: 24 -> 0xffffff00. */
uint32_t net_mask(int prefix);

/* Refuse, as an address for a host (a link's own address), the subnet
 * itself (10.88.0.0/24) and its broadcast address (10.88.0.255/24). A /31
 * or /32 has neither (RFC 3021). text is cidr as the user wrote it. */
int net_check_host(const struct net_cidr *cidr, const char *text);

/* Parse gateway into via and refuse it unless it is another host address
 * on cidr's subnet: not cidr's own address, not the subnet or its
 * broadcast address. cidr_text is cidr as the user wrote it. */
int net_check_gateway(const struct net_cidr *cidr, const char *cidr_text,
		      const char *gateway, struct in_addr *via);

/* Refuse an interface name the kernel would refuse (dev_valid_name()):
 * empty, longer than IFNAMSIZ-1 (15) bytes, ".", "..", or with '/', ':' or
 * white space. */
int net_check_name(const char *name);

/* Make the bridge (if it is missing) in the caller's network namespace,
 * give it address (a host CIDR; NULL leaves its addresses as they are) and
 * bring it up. Running it again changes nothing. */
int net_bridge_up(const char *bridge, const char *address);

/* Delete the bridge; ENODEV if there is none, refused if that link is not
 * a bridge. Its ports stay, unplugged. */
int net_bridge_delete(const char *bridge);

/* Give process pid, which must have a network namespace of its own, a veth
 * pair: host_if here, joined to bridge and up; its peer made directly in
 * the namespace of pid as eth0, with address (a host CIDR) and up, lo up,
 * and a default route via gateway (NULL: no route). On failure, whatever was
 * made is deleted again. */
int net_attach(pid_t pid, const char *bridge, const char *host_if,
	       const char *address, const char *gateway);

/* Delete host_if, which must be a veth (else refused); its peer goes with
 * it. ENODEV if it is gone already (the kernel deletes the pair by itself
 * when the container's network namespace dies). */
int net_detach(const char *host_if);

/* What the kernel said about the last refused request (netlink's extended
 * ACK, e.g. "Nexthop has invalid gateway"), or "" if it said nothing. */
const char *net_kernel_message(void);

/* "ip link set lo up" in the caller's network namespace (mini-runc: a
 * new one has its loopback down, and runc brings it up). */
int net_loopback_up(void);

#endif
