/* test-container.c - the pure functions of day 04's runtime: names, the
 * --cpus and --pids limits, and the network an --ip makes. */
#include <errno.h>
#include <string.h>

#include "04-container-by-hand/container.h"
#include "lib/hop.h"
#include "unit.h"

static void test_names(void)
{
	static const char *const good[] = { "t", "doc04", "a.b_c-d",
					    "c1234567890", NULL };
	static const char *const bad[] = {
		"",
		".hidden",
		"../x",
		"a/b",
		"a b",
		"a\tb",
		"é",
		"x;rm",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 41 */
		NULL,
	};

	for (int i = 0; good[i]; i++)
		UNIT_CHECK(container_check_name(good[i]) == 0,
			   "name '%s' accepted", good[i]);
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(container_check_name(bad[i]) < 0 && hop_refused(),
			   "name '%s' refused", bad[i]);
}

static void test_cpus(void)
{
	static const struct {
		const char *text;
		long quota;
	} good[] = {
		{ "0.5", 50000 },   { "1", 100000 },	   { "0.01", 1000 },
		{ "2.25", 225000 }, { "8192", 819200000 }, { "0.015", 1500 },
	};
	static const char *const bad[] = {
		"",	"nan",	 "NaN",	  "inf",
		"-inf", "1e300", "1e2",	  "-1",
		"0",	"0.0",	 "0.009", ".5",
		"5.",	"0x10",	 " 1",	  "1 ",
		"+1",	"8193",	 "1.2.3", "100000000000000000000000000000",
		NULL,
	};
	struct container_limits limits;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		memset(&limits, 0, sizeof(limits));
		UNIT_CHECK(container_parse_cpus(good[i].text, &limits) == 0 &&
				   limits.cpu_quota == good[i].quota &&
				   limits.cpu_period == 100000,
			   "--cpus %s is %ld/100000 (got %ld/%ld)",
			   good[i].text, good[i].quota, limits.cpu_quota,
			   limits.cpu_period);
	}
	for (int i = 0; bad[i]; i++) {
		memset(&limits, 0, sizeof(limits));
		UNIT_CHECK(container_parse_cpus(bad[i], &limits) < 0 &&
				   hop_refused() && limits.cpu_quota == 0,
			   "--cpus '%s' refused, nothing set", bad[i]);
	}
}

/* mini-container reads --pids with hop_parse_long, 1 to the largest pid. */
static void test_pids(void)
{
	static const char *const bad[] = {
		"0", "-3", "99999999999999999999", "4194305", "1x", "", NULL
	};
	long pids = 0;

	UNIT_CHECK(hop_parse_long("64", 1, CONTAINER_MAX_PIDS, &pids) == 0 &&
			   pids == 64,
		   "--pids 64");
	UNIT_CHECK(hop_parse_long("4194304", 1, CONTAINER_MAX_PIDS, &pids) == 0,
		   "--pids at the largest pid");
	for (int i = 0; bad[i]; i++)
		UNIT_CHECK(hop_parse_long(bad[i], 1, CONTAINER_MAX_PIDS,
					  &pids) < 0 &&
				   hop_refused(),
			   "--pids '%s' refused", bad[i]);
}

static void test_network(void)
{
	struct container_network network = { 0 };

	UNIT_CHECK(container_set_network(&network, "10.88.0.2/24", NULL) == 0,
		   "--ip 10.88.0.2/24");
	UNIT_STREQ(network.gateway, "10.88.0.1", "the gateway is the first");
	UNIT_STREQ(network.bridge_address, "10.88.0.1/24",
		   "the bridge holds the gateway");
	UNIT_STREQ(network.bridge, "hop0", "the default bridge");
	UNIT_CHECK(container_set_network(&network, "172.16.5.9/12", "br1") ==
				   0 &&
			   strcmp(network.gateway, "172.16.0.1") == 0,
		   "a /12: the gateway is 172.16.0.1");
	UNIT_CHECK(container_set_network(&network, "10.88.0.1/24", NULL) < 0 &&
			   hop_refused(),
		   "the gateway's own address is refused");
	UNIT_CHECK(container_set_network(&network, "10.88.0.2/31", NULL) < 0,
		   "a /31 leaves no gateway");
	UNIT_CHECK(container_set_network(&network, "10.88.0.2", NULL) < 0,
		   "an address with no prefix is refused");
	UNIT_CHECK(container_set_network(&network, "10.88.0.2/24", "a/b") < 0,
		   "a bridge name with '/' is refused");
	UNIT_CHECK(container_set_network(&network, "10.88.0.0/24", NULL) < 0 &&
			   hop_refused(),
		   "the subnet itself is refused before anything is made");
	UNIT_CHECK(container_set_network(&network, "10.88.0.255/24", NULL) <
				   0 &&
			   hop_refused(),
		   "the broadcast address is refused before anything is made");
}

int main(void)
{
	unit_name = "container";
	test_names();
	test_cpus();
	test_pids();
	test_network();
	UNIT_DONE();
}
