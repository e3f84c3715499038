/* test-net.c - the pure functions of day 04's network: CIDR and address
 * parsing, prefix masks, host and gateway addresses, interface names. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>

#include "04-container-by-hand/net.h"
#include "lib/hop.h"
#include "unit.h"

static void test_cidrs(void)
{
	static const struct {
		const char *text, *address;
		int prefix;
	} good[] = {
		{ "10.88.0.2/24", "10.88.0.2", 24 },
		{ "10.0.0.1/8", "10.0.0.1", 8 },
		{ "0.0.0.0/0", "0.0.0.0", 0 },
		{ "255.255.255.255/32", "255.255.255.255", 32 },
		{ "10.0.0.0/24", "10.0.0.0", 24 }, /* a subnet parses */
		{ "192.168.1.7/31", "192.168.1.7", 31 },
	};
	static const char *const bad[] = {
		"",
		"1.2.3.4",
		"1.2.3.4/",
		"/24",
		"10.0.0.1/33",
		"10.0.0.1/-1",
		"10.0.0.1/-0",
		"10.0.0.1/+24",
		"10.0.0.1/ 24",
		"10.0.0.1/24 ",
		"10.0.0.1/024",
		"10.0.0.1/00",
		"10.0.0.1/99999999999999999999",
		"10.0.0.1/2x",
		"10.0.0.256/24",
		" 10.0.0.1/24",
		"10.0.0/24",
		"010.0.0.1/24",
		"10.0.0.1/24/24",
		"fe80::1/64",
		"10.0.0.1.10.0.0.1.10.0.0.1/24",
		NULL,
	};
	struct net_cidr cidr;
	char text[INET_ADDRSTRLEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int rc = net_parse_cidr(good[i].text, &cidr);

		inet_ntop(AF_INET, &cidr.address, text, sizeof(text));
		UNIT_CHECK(rc == 0 && strcmp(text, good[i].address) == 0 &&
				   cidr.prefix == good[i].prefix,
			   "cidr '%s' is %s and /%d", good[i].text,
			   good[i].address, good[i].prefix);
	}
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(net_parse_cidr(bad[i], &cidr) < 0 &&
				   errno == EINVAL && hop_refused(),
			   "cidr '%s' refused", bad[i]);
	net_parse_cidr("10.0.0.1/33", &cidr);
	UNIT_STREQ(hop_context(),
		   "'10.0.0.1/33' is not an IPv4 address with a prefix "
		   "length, like 10.88.0.2/24",
		   "the refusal quotes the input and shows the form");
}

static void test_addresses(void)
{
	static const char *const bad[] = {
		"",	      "10.0.0.256", " 1.2.3.4",	 "1.2.3.4 ", "1.2.3",
		"1.2.3.4/24", "::1",	    "localhost", NULL
	};
	struct in_addr address;

	UNIT_CHECK(net_parse_address("1.2.3.4", &address) == 0 &&
			   address.s_addr == htonl(0x01020304),
		   "address '1.2.3.4' in network byte order");
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(net_parse_address(bad[i], &address) < 0 &&
				   hop_refused(),
			   "address '%s' refused", bad[i]);
}

static void test_masks(void)
{
	UNIT_CHECK(net_mask(0) == 0, "/0 masks nothing (no shift by 32)");
	UNIT_CHECK(net_mask(1) == 0x80000000U, "/1 is 128.0.0.0");
	UNIT_CHECK(net_mask(24) == 0xffffff00U, "/24 is 255.255.255.0");
	UNIT_CHECK(net_mask(31) == 0xfffffffeU, "/31 is 255.255.255.254");
	UNIT_CHECK(net_mask(32) == 0xffffffffU, "/32 is every bit");
	UNIT_CHECK(net_mask(-1) == 0 && net_mask(33) == 0xffffffffU,
		   "out of range is clamped, not undefined");
}

/* Parse text, which must be a valid CIDR, and check it as a host's. */
static int host(const char *text)
{
	struct net_cidr cidr;

	if (net_parse_cidr(text, &cidr) < 0)
		return 99;
	return net_check_host(&cidr, text);
}

static void test_hosts(void)
{
	UNIT_CHECK(host("10.88.0.2/24") == 0, "10.88.0.2/24 is a host's");
	UNIT_CHECK(host("10.88.0.1/24") == 0, "10.88.0.1/24 is a host's");
	UNIT_CHECK(host("10.88.0.254/24") == 0, "10.88.0.254/24 is a host's");
	UNIT_CHECK(host("10.88.0.0/24") < 0 && hop_refused(),
		   "10.88.0.0/24, the subnet itself, refused");
	UNIT_STREQ(hop_context(),
		   "'10.88.0.0/24' is the subnet itself, not an address on it",
		   "the subnet's refusal says what it is");
	UNIT_CHECK(host("10.88.0.255/24") < 0 && hop_refused(),
		   "10.88.0.255/24, the broadcast address, refused");
	UNIT_CHECK(host("10.255.255.255/8") < 0, "10.255.255.255/8 refused");
	UNIT_CHECK(host("10.88.1.0/16") == 0 && host("10.88.0.255/16") == 0,
		   "x.x.0.0 and x.x.0.255 are hosts in a /16");
	UNIT_CHECK(host("10.88.0.0/31") == 0 && host("10.88.0.1/31") == 0,
		   "a /31 has two hosts and no broadcast (RFC 3021)");
	UNIT_CHECK(host("10.88.0.0/32") == 0, "a /32 is one host");
}

/* Check gateway for the host address cidr_text. */
static int gateway(const char *cidr_text, const char *text)
{
	struct net_cidr cidr;
	struct in_addr via;

	if (net_parse_cidr(cidr_text, &cidr) < 0)
		return 99;
	return net_check_gateway(&cidr, cidr_text, text, &via);
}

static void test_gateways(void)
{
	UNIT_CHECK(gateway("10.88.0.2/24", "10.88.0.1") == 0,
		   "10.88.0.1 for 10.88.0.2/24");
	UNIT_CHECK(gateway("10.88.0.2/24", "10.88.0.254") == 0,
		   "10.88.0.254 for 10.88.0.2/24");
	UNIT_CHECK(gateway("10.88.0.2/24", "10.99.0.1") < 0 && hop_refused(),
		   "10.99.0.1 is off the subnet of 10.88.0.2/24");
	UNIT_STREQ(hop_context(),
		   "'10.99.0.1' is not another host address on the subnet of "
		   "10.88.0.2/24",
		   "the gateway's refusal names both");
	UNIT_CHECK(gateway("10.88.0.2/24", "10.88.0.2") < 0,
		   "the address itself is no gateway");
	UNIT_CHECK(gateway("10.88.0.2/24", "10.88.0.0") < 0,
		   "the subnet is no gateway");
	UNIT_CHECK(gateway("10.88.0.2/24", "10.88.0.255") < 0,
		   "the broadcast address is no gateway");
	UNIT_CHECK(gateway("10.88.0.2/24", "10.88.0.1/24") < 0 && hop_refused(),
		   "a gateway is an address, not a CIDR");
	UNIT_CHECK(gateway("10.88.0.2/32", "10.88.0.1") < 0,
		   "a /32 has room for no gateway");
	UNIT_CHECK(gateway("10.88.0.0/31", "10.88.0.1") == 0,
		   "the other end of a /31");
	UNIT_CHECK(gateway("10.88.0.2/0", "192.168.1.1") == 0,
		   "on a /0 everything is on the subnet");
}

static void test_names(void)
{
	static const char *const good[] = {
		"eth0", "hop0", "hop-4194304", "a", "abcdefghijklmno", NULL
	};
	static const char *const bad[] = {
		"",    ".",	 "..",	 "abcdefghijklmnop",
		"a/b", "eth0:1", "a b",	 "a\tb",
		"a\n", "a\rb",	 "a\vb", "a\fb",
		NULL,
	};

	for (int i = 0; good[i]; i++)
		UNIT_CHECK(net_check_name(good[i]) == 0, "name '%s' accepted",
			   good[i]);
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(net_check_name(bad[i]) < 0 && errno == EINVAL &&
				   hop_refused(),
			   "name #%d (%zu bytes) refused", i, strlen(bad[i]));
	UNIT_CHECK(strlen(good[4]) == IFNAMSIZ - 1,
		   "the longest name accepted is IFNAMSIZ-1 bytes");
	net_check_name("abcdefghijklmnop");
	UNIT_STREQ(hop_context(),
		   "interface name 'abcdefghijklmnop' has 16 bytes; the "
		   "kernel allows 15 (IFNAMSIZ-1)",
		   "a long name: how long, and the limit");
}

int main(void)
{
	unit_name = "net";
	test_cidrs();
	test_addresses();
	test_masks();
	test_hosts();
	test_gateways();
	test_names();
	UNIT_DONE();
}
