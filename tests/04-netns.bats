#!/usr/bin/env bats
# Day 04: mini-netns, a bridge and a veth pair for a container.
#
# The "host" is a network namespace each test makes (hop-test-host-PID),
# the "container" a process with a network namespace of its own, and a
# second namespace (hop-test-other-PID) stands for a machine that is not
# on the bridge. Every mini-netns runs inside the test's host namespace:
# nothing is added to the machine's own network, and no packet goes to an address outside these
# namespaces. Side by side, the same wiring is done with ip(8).
bats_require_minimum_version 1.5.0
load helpers

# Named after the test's process, so that two runs at once keep apart.
HOST=hop-test-host-$$
OTHER=hop-test-other-$$

setup() {
	requires root cmd:ip cmd:nsenter cmd:unshare cmd:busybox
	CONTAINERS=()
	ip netns add $HOST
	# A new namespace may inherit ip_forward=1 from the machine; the
	# tests must not depend on it.
	in_host sysctl -qw net.ipv4.ip_forward=0
}

teardown() {
	local pid
	for pid in "${CONTAINERS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	remove_namespaces
}

remove_namespaces() {
	ip netns del $HOST 2>/dev/null || true
	ip netns del $OTHER 2>/dev/null || true
}

in_host() {
	ip netns exec $HOST "$@"
}

# in_container PID COMMAND...: run COMMAND in the network namespace of PID.
in_container() {
	nsenter -t "$1" -n "${@:2}"
}

# Start a "container": sleep in a network namespace of its own; its pid
# goes into $container.
start_container() {
	unshare -n sleep 300 >/dev/null 2>&1 3>&- &
	container=$!
	CONTAINERS+=("$container")
	wait_until "[ \"\$(stat -L -c %i /proc/$container/ns/net)\" != \"\$(host_ns net)\" ]"
}

make_bridge() {
	in_host mini-netns bridge --address 10.88.0.1/24
}

# The veth links in the host namespace, one name a line.
host_veths() {
	in_host ip -o link show type veth | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'
}

# The other namespace: 10.99.0.2/24, joined to the host (10.99.0.1/24) by a veth
# of its own, not by the bridge. It has a route back to 10.88.0.0/24, so
# only the host's refusal to forward keeps the container from it.
make_other() {
	ip netns add $OTHER
	in_host ip link add hop-to-other type veth peer name eth0 netns $OTHER
	in_host ip address add 10.99.0.1/24 dev hop-to-other
	in_host ip link set hop-to-other up
	ip netns exec $OTHER ip address add 10.99.0.2/24 dev eth0
	ip netns exec $OTHER ip link set eth0 up
	ip netns exec $OTHER ip route add 10.88.0.0/24 via 10.99.0.1
}

# What the container sees, with what must differ (addresses, link numbers)
# blanked, to compare two containers.
inside_view() {
	in_container "$1" sh -c 'ip -br -4 address; ip route; ip -o link |
		cut -d" " -f2,3; ip -d -o link show eth0 | grep -ow veth' |
		sed -E 's/@if[0-9]+//; s/10\.88\.0\.[23]( |\/|$)/ADDR\1/g'
}

@test "bridge: hop0 is made in the host namespace with its address, up; again changes nothing" {
	run -0 in_host mini-netns bridge --name hop0 --address 10.88.0.1/24
	run -0 in_host ip -d -o link show hop0
	assert_output --regexp '<([A-Z_]+,)*UP[,>]'
	assert_output --regexp ' bridge '
	run -0 in_host ip -br -4 address show dev hop0
	assert_output --regexp '^hop0 +[A-Z]+ +10\.88\.0\.1/24 *$'
	run -0 in_host mini-netns bridge --address 10.88.0.1/24
	run -0 in_host ip -br -4 address show dev hop0
	assert_output --regexp '^hop0 +[A-Z]+ +10\.88\.0\.1/24 *$'
	# Not on the machine itself.
	run ! ip link show hop0
	run -0 in_host mini-netns delete-bridge --name hop0
	run ! in_host ip link show hop0
}

@test "bridge: the same as ip link add type bridge, ip address add, ip link set up" {
	make_bridge
	in_host ip link add hop1 type bridge
	in_host ip address add 10.77.0.1/24 dev hop1
	in_host ip link set hop1 up
	local ours theirs
	ours=$(in_host ip -d -o link show hop0 | grep -oE '<[^>]*>| bridge ')
	theirs=$(in_host ip -d -o link show hop1 | grep -oE '<[^>]*>| bridge ')
	assert_equal "$ours" "$theirs"
	ours=$(in_host ip -o -4 address show dev hop0 |
		cut -d' ' -f2- | sed 's/hop0/BR/g; s/10\.88/NET/g')
	theirs=$(in_host ip -o -4 address show dev hop1 |
		cut -d' ' -f2- | sed 's/hop1/BR/g; s/10\.77/NET/g')
	assert_equal "$ours" "$theirs"
}

@test "attach: inside, eth0 has the address, lo is up, the default route is via the bridge" {
	make_bridge
	start_container
	run -0 in_host mini-netns attach --pid "$container" \
		--address 10.88.0.2/24 --gateway 10.88.0.1
	assert_output ""
	run -0 in_container "$container" ip -br -4 address show dev eth0
	assert_output --regexp '^eth0@if[0-9]+ +UP +10\.88\.0\.2/24 *$'
	run -0 in_container "$container" ip -o link show lo
	assert_output --partial '<LOOPBACK,UP,LOWER_UP>'
	run -0 in_container "$container" ip route show default
	assert_output --regexp '^default via 10\.88\.0\.1 dev eth0 *$'
	# The host end is a veth, up, a port of hop0.
	run -0 in_host ls /sys/class/net/hop0/brif
	assert_output "hop-$container"
	run -0 in_host ip -d -o link show "hop-$container"
	assert_output --partial "master hop0"
	assert_output --regexp ' veth '
	run -0 in_host bridge link show dev "hop-$container"
	assert_output --partial "master hop0 state forwarding"
	# Neither end is on the machine itself.
	run ! ip link show "hop-$container"
}

@test "attach: -x shows each netlink request; stdout stays empty" {
	make_bridge
	start_container
	run -0 --separate-stderr in_host mini-netns -x attach \
		--pid "$container" --address 10.88.0.2/24 --gateway 10.88.0.1
	assert_output ""
	local want
	for want in "RTM_GETLINK \"hop0\" = [0-9]+" \
		"RTM_NEWLINK veth \"hop-$container\" peer \"eth0\" netns /proc/$container/ns/net = 0" \
		"RTM_NEWLINK \"hop-$container\" master \"hop0\" up = 0" \
		"setns\(/proc/$container/ns/net, CLONE_NEWNET\) = 0" \
		"RTM_NEWLINK \"lo\" up = 0" \
		"RTM_NEWADDR \"eth0\" 10\.88\.0\.2/24 = 0" \
		"RTM_NEWLINK \"eth0\" up = 0" \
		"RTM_NEWROUTE default via 10\.88\.0\.1 = 0"; do
		grep -qE "^  $want\$" <<<"$stderr" ||
			fail "no line '$want' in: $stderr"
	done
}

@test "ping: the container reaches the bridge, and not a host off the bridge" {
	make_bridge
	make_other
	start_container
	in_host mini-netns attach --pid "$container" --address 10.88.0.2/24 \
		--gateway 10.88.0.1
	run -0 in_container "$container" busybox ping -c1 -W2 10.88.0.1
	assert_output --partial "1 packets received"
	# The other namespace is there: the host reaches it.
	run -0 in_host busybox ping -c1 -W2 10.99.0.2
	# The container does not: the host does not forward its packets.
	run ! in_container "$container" busybox ping -c1 -W1 10.99.0.2
	# It is the host that keeps it in: once the host forwards, it gets
	# through (still between the test's own namespaces).
	in_host sysctl -qw net.ipv4.ip_forward=1
	run -0 in_container "$container" busybox ping -c1 -W2 10.99.0.2
}

@test "detach: both ends of the pair are gone, the bridge stays" {
	make_bridge
	start_container
	in_host mini-netns attach --pid "$container" --address 10.88.0.2/24
	run -0 in_host mini-netns detach --pid "$container"
	run ! in_host ip link show "hop-$container"
	run -0 in_container "$container" ip -o link
	refute_output --partial eth0
	run -0 in_host ls /sys/class/net/hop0/brif
	assert_output ""
	in_host mini-netns attach --pid "$container" --host-if hop-named \
		--address 10.88.0.2/24
	run -0 in_host mini-netns detach --host-if hop-named
	run -0 host_veths
	assert_output ""
}

@test "kill: when the container's process dies, the kernel deletes the pair" {
	make_bridge
	start_container
	in_host mini-netns attach --pid "$container" --address 10.88.0.2/24
	run -0 host_veths
	assert_output "hop-$container"
	kill "$container"
	wait "$container" || true
	wait_until "[ -z \"\$(host_veths)\" ]"
	run -0 in_host ls /sys/class/net/hop0/brif
	assert_output ""
}

@test "ip side by side: the same wiring made with ip(8) looks the same inside and out" {
	make_bridge
	start_container
	local ours=$container
	in_host mini-netns attach --pid "$ours" --address 10.88.0.2/24 \
		--gateway 10.88.0.1
	start_container
	local theirs=$container
	in_host ip link add "hop-$theirs" type veth peer name eth0 netns "$theirs"
	in_host ip link set "hop-$theirs" master hop0 up
	in_container "$theirs" ip address add 10.88.0.3/24 dev eth0
	in_container "$theirs" ip link set eth0 up
	in_container "$theirs" ip link set lo up
	in_container "$theirs" ip route add default via 10.88.0.1

	run -0 inside_view "$ours"
	assert_line --regexp '^eth0 +UP +ADDR/24'
	assert_equal "$output" "$(inside_view "$theirs")"
	local host_ours host_theirs
	host_ours=$(in_host ip -d -o link show "hop-$ours" | grep -oE '<[^>]*>|master [^ ]*| veth ')
	host_theirs=$(in_host ip -d -o link show "hop-$theirs" | grep -oE '<[^>]*>|master [^ ]*| veth ')
	assert_equal "$host_ours" "$host_theirs"
	# Both are on one bridge: they reach each other with no forwarding.
	run -0 in_container "$ours" busybox ping -c1 -W2 10.88.0.3
	run -0 in_container "$theirs" busybox ping -c1 -W2 10.88.0.2
}

@test "bad input: an address that is not IPv4 with a prefix length" {
	make_bridge
	start_container
	run -1 in_host mini-netns attach --pid "$container" --address 10.88.0.300/24
	assert_output "mini-netns: --address: '10.88.0.300/24' is not an IPv4 address with a prefix length, like 10.88.0.2/24"
	run -1 in_host mini-netns attach --pid "$container" --address 10.88.0.2
	assert_output --partial "'10.88.0.2' is not an IPv4 address with a prefix length"
	run -1 in_host mini-netns bridge --name hop2 --address 10.88.0.1/33
	assert_output --partial "'10.88.0.1/33' is not an IPv4 address"
	run -1 in_host mini-netns attach --pid "$container" --address 10.88.0.2/24 \
		--gateway 10.99.0.1
	assert_output "$(printf '%s\n' \
		"mini-netns: --gateway: '10.99.0.1' is not another host address on the subnet of 10.88.0.2/24" \
		"hint: the gateway is the bridge's address, on the same subnet: 10.88.0.1 for 10.88.0.2/24")"
	run -1 in_host mini-netns attach --pid "$container" --address 10.88.0.2/24 \
		--gateway 10.88.0.255
	assert_line --index 0 "mini-netns: --gateway: '10.88.0.255' is not another host address on the subnet of 10.88.0.2/24"
	run -0 host_veths
	assert_output ""
	run ! in_host ip link show hop2
}

@test "bad input: the subnet itself or its broadcast address is no host's address" {
	make_bridge
	start_container
	run -1 in_host mini-netns attach --pid "$container" --address 10.88.0.0/24
	assert_output "$(printf '%s\n' \
		"mini-netns: --address: '10.88.0.0/24' is the subnet itself, not an address on it" \
		"hint: hosts lie between a subnet's first address and its last: 10.88.0.1 to 10.88.0.254 in 10.88.0.0/24")"
	run -1 in_host mini-netns bridge --name hop2 --address 10.88.0.255/24
	assert_line --index 0 "mini-netns: --address: '10.88.0.255/24' is the subnet's broadcast address, not a host's"
	# A /31 has neither (RFC 3021): both its addresses are hosts'.
	run -0 in_host mini-netns bridge --name hop2 --address 10.77.0.0/31
	run -0 in_host ip -br -4 address show dev hop2
	assert_output --regexp '^hop2 +[A-Z]+ +10\.77\.0\.0/31 *$'
	in_host mini-netns delete-bridge --name hop2
	run -0 host_veths
	assert_output ""
}

@test "bad input: a process that does not exist, or shares the host's namespace" {
	make_bridge
	local nosuch
	nosuch=$(cat /proc/sys/kernel/pid_max) # pids stay below pid_max
	run -1 in_host mini-netns attach --pid "$nosuch" --address 10.88.0.2/24
	assert_line "mini-netns: network namespace of process $nosuch (/proc/$nosuch/ns/net): No such process"
	assert_line --partial "hint: "
	# A process of the host namespace itself: its eth0 and default route
	# would land beside the host's own.
	run -1 in_host sh -c 'exec mini-netns attach --pid $$ --address 10.88.0.2/24'
	assert_output --regexp '^mini-netns: process [0-9]+ is in this network namespace, not in one of its own$'
	run -1 in_host mini-netns attach --pid x --address 10.88.0.2/24
	assert_output "mini-netns: --pid: bad value 'x' (a whole number from 1 to 4194304)"
	run -0 host_veths
	assert_output ""
}

@test "bad input: a missing bridge, a link that is not a bridge" {
	start_container
	run -1 in_host mini-netns attach --pid "$container" --address 10.88.0.2/24
	assert_line "mini-netns: bridge hop0 in this network namespace: No such device"
	assert_line "hint: make the bridge first: mini-netns bridge --name hop0 --address CIDR"
	run -1 in_host mini-netns attach --pid "$container" --bridge lo \
		--address 10.88.0.2/24
	assert_output --partial "lo is not a bridge"
	run -1 in_host mini-netns delete-bridge --name lo
	assert_output --partial "lo is not a bridge"
	run -0 host_veths
	assert_output ""
	run -0 in_container "$container" ip -o link
	refute_output --partial eth0
}

@test "bad input: names longer than IFNAMSIZ-1, and detach of what is not a veth" {
	make_bridge
	start_container
	run -1 in_host mini-netns attach --pid "$container" \
		--host-if hop-name-too-long-x --address 10.88.0.2/24
	assert_output "mini-netns: --host-if: interface name 'hop-name-too-long-x' has 19 bytes; the kernel allows 15 (IFNAMSIZ-1)"
	run -1 in_host mini-netns bridge --name hop-bridge-too-long
	assert_output --partial "interface name 'hop-bridge-too-long' has 19 bytes"
	# The kernel refuses any white space, not only ' ', tab and newline.
	run -1 in_host mini-netns bridge --name $'hop\rx'
	assert_output "mini-netns: --name: interface name "$'\'hop\rx\''" has a '/', ':' or white space"
	run -1 in_host ip link show $'hop\rx'
	run -1 in_host mini-netns detach --host-if hop0
	assert_output "mini-netns: hop0 is not a veth (its kind: bridge)"
	run -0 in_host ip link show hop0
	run -1 in_host mini-netns detach --host-if hop-nosuch
	assert_line "mini-netns: veth hop-nosuch in this network namespace: No such device"
	run -0 host_veths
	assert_output ""
}

@test "bad input: a failure after the pair is made deletes it again" {
	make_bridge
	start_container
	# The container already has a default route (over a veth of its own):
	# the last step fails.
	in_container "$container" ip link add hop-x0 type veth peer name hop-x1
	in_container "$container" ip link set hop-x0 up
	in_container "$container" ip route add default dev hop-x0
	run -1 in_host mini-netns attach --pid "$container" \
		--address 10.88.0.2/24 --gateway 10.88.0.1
	assert_line "mini-netns: in /proc/$container/ns/net: add default route via 10.88.0.1: File exists"
	run -0 host_veths
	assert_output ""
	run -0 in_container "$container" ip -o link
	refute_output --partial eth0
}

@test "usage: commands and options are checked, --help and --version work" {
	# In the test host too, in case a check let something through.
	run -0 in_host mini-netns --help
	assert_line --partial "attach --pid PID --address CIDR"
	run -0 in_host mini-netns --version
	assert_output --regexp '^mini-netns [0-9]'
	run -1 in_host mini-netns
	assert_line "mini-netns: no command given"
	run -1 in_host mini-netns bogus
	assert_line "mini-netns: unknown command 'bogus'"
	run -1 in_host mini-netns attach --address 10.88.0.2/24
	assert_line "mini-netns: attach: option --pid is required"
	run -1 in_host mini-netns bridge --gateway 10.88.0.1
	assert_line "mini-netns: bridge: option --gateway does not apply"
	run -1 in_host mini-netns detach
	assert_line "mini-netns: detach: give --host-if NAME or --pid PID"
	# In a group of short options the unknown one is named, not the
	# program's path; a known long option given a value says so.
	run -1 in_host mini-netns -zv bridge
	assert_line --index 0 "mini-netns: unknown option '-z'"
	run -1 in_host mini-netns -vz bridge
	assert_line --index 0 "mini-netns: unknown option '-z'"
	run -1 in_host mini-netns bridge --verbose=1
	assert_line --index 0 "mini-netns: option '--verbose' takes no value"
	run -1 in_host mini-netns bridge --name
	assert_line --index 0 "mini-netns: option '--name' needs a value"
}
