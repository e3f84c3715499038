/* scope.c - a systemd scope for a container. See scope.h. */
#include "05-runtime/scope.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "lib/hop.h"

#define SYSTEMD	     "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define MANAGER	     SYSTEMD ".Manager"
#define NAME_SIZE    256

/* A name systemd takes for a unit: letters, digits and ":-_.\\". */
static int unit_name_ok(const char *name)
{
	return *name && strlen(name) < 256 &&
	       strspn(name,
		      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789:-_.\\") == strlen(name);
}

/* "a-b.slice" -> "a.slice/a-b.slice": systemd nests a slice in the one
 * its name's prefix names; "-.slice" is the root. */
static int slice_path(const char *slice, char *out, size_t size)
{
	size_t len = strlen(slice) - strlen(".slice"), used = 0;

	out[0] = '\0';
	if (strcmp(slice, "-.slice") == 0)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && slice[i] != '-')
			continue;
		if (i == 0 || slice[i - 1] == '-')
			return -1; /* "-a.slice", "a--b.slice" */
		used += (size_t)snprintf(out + used, size - used,
					 "%s%.*s.slice", used ? "/" : "",
					 (int)i, slice);
		if (used >= size)
			return -1;
	}
	return 0;
}

/* "slice:prefix:name" -> its three parts; an empty slice is runc's
 * default for machines, system.slice (podman always names one). */
static int split_path(const char *cgroups_path, char *slice, size_t size,
		      char *prefix, char *name)
{
	const char *colon = strchr(cgroups_path, ':'), *second;

	second = colon ? strchr(colon + 1, ':') : NULL;
	if (!colon || !second || (size_t)(colon - cgroups_path) >= size ||
	    (size_t)(second - colon - 1) >= NAME_SIZE ||
	    strlen(second + 1) >= NAME_SIZE)
		return -1;
	snprintf(slice, size, "%.*s", (int)(colon - cgroups_path),
		 cgroups_path);
	snprintf(prefix, NAME_SIZE, "%.*s", (int)(second - colon - 1),
		 colon + 1);
	snprintf(name, NAME_SIZE, "%s", second + 1);
	if (!*slice)
		snprintf(slice, size, "system.slice");
	return 0;
}

/* A slice's name: a unit name ending in ".slice", with more before. */
static int is_slice(const char *slice)
{
	size_t len = strlen(slice);

	return unit_name_ok(slice) && len > strlen(".slice") &&
	       strcmp(slice + len - strlen(".slice"), ".slice") == 0;
}

int scope_parse(const char *cgroups_path, struct scope *scope)
{
	char prefix[NAME_SIZE], name[NAME_SIZE], dir[512];
	const size_t unit_size = sizeof(scope->unit),
		     group_size = sizeof(scope->group);

	if (split_path(cgroups_path, scope->slice, sizeof(scope->slice), prefix,
		       name) < 0 ||
	    (size_t)snprintf(scope->unit, unit_size, "%s%s%s.scope", prefix,
			     *prefix ? "-" : "", name) >= unit_size ||
	    !unit_name_ok(scope->unit) || !is_slice(scope->slice) ||
	    slice_path(scope->slice, dir, sizeof(dir)) < 0 ||
	    (size_t)snprintf(scope->group, group_size, "%s%s%s", dir,
			     *dir ? "/" : "", scope->unit) >= group_size) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int scope_available(void)
{
	if (sd_booted() > 0)
		return 0;
	errno = ENOTSUP;
	return hop_refuse(_("--systemd-cgroup: systemd is not PID 1 here, "
			    "nobody to ask for a scope (hint: leave the "
			    "option out; podman: --cgroup-manager=cgroupfs)"));
}

/* A failed sd-bus call: its D-Bus error, or else its errno. */
static int bus_fail(const char *what, const sd_bus_error *error, int r)
{
	errno = -r;
	if (error && sd_bus_error_is_set(error))
		return hop_refuse("%s: %s", what, error->message);
	return hop_fail("%s", what);
}

/* "active", "activating", "failed"...: the unit's ActiveState. */
static int active_state(sd_bus *bus, const char *unit, char *state, size_t size)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path;
	char *value = NULL;
	int r;

	r = sd_bus_call_method(bus, SYSTEMD, SYSTEMD_PATH, MANAGER, "GetUnit",
			       &error, &reply, "s", unit);
	if (r >= 0)
		r = sd_bus_message_read(reply, "o", &path);
	if (r >= 0)
		r = sd_bus_get_property_string(bus, SYSTEMD, path,
					       SYSTEMD ".Unit", "ActiveState",
					       &error, &value);
	if (r >= 0)
		snprintf(state, size, "%s", value);
	free(value);
	sd_bus_message_unref(reply);
	sd_bus_error_free(&error);
	return r;
}

int scope_start(const char *unit, const char *slice, pid_t pid)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	sd_bus_message *call = NULL, *reply = NULL;
	char state[64] = "";
	sd_bus *bus = NULL;
	int r, rc = 0;

	hop_step(_("ask systemd for the scope %s in %s, holding pid %d "
		   "(Delegate=yes)"),
		 unit, slice, (int)pid);
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		errno = -r;
		return hop_fail(_("--systemd-cgroup: connect to systemd over "
				  "D-Bus (is systemd PID 1 here?)"));
	}
	r = sd_bus_message_new_method_call(bus, &call, SYSTEMD, SYSTEMD_PATH,
					   MANAGER, "StartTransientUnit");
	if (r >= 0)
		r = sd_bus_message_append(call, "ss", unit, "fail");
	if (r >= 0)
		r = sd_bus_message_append(call, "a(sv)", 5, "Description", "s",
					  "hộp container (mini-runc)", "Slice",
					  "s", slice, "Delegate", "b", 1,
					  "DefaultDependencies", "b", 0, "PIDs",
					  "au", 1, (uint32_t)pid);
	if (r >= 0)
		r = sd_bus_message_append(call, "a(sa(sv))", 0);
	if (r < 0)
		rc = bus_fail(_("build the StartTransientUnit call"), NULL, r);
	if (rc == 0) {
		r = sd_bus_call(bus, call, 0, &error, &reply);
		if (r < 0)
			rc = bus_fail(_("systemd StartTransientUnit"), &error,
				      r);
	}
	/* The call returns a job; the unit is ours once it is active. */
	for (int waited = 0; rc == 0 && strcmp(state, "active") != 0;
	     waited++) {
		struct timespec ms = { 0, 1000000 };

		r = active_state(bus, unit, state, sizeof(state));
		if (r < 0 && r != -ENOENT && waited > 10)
			rc = bus_fail(_("read the scope's state"), NULL, r);
		else if (strcmp(state, "failed") == 0 || waited >= 5000) {
			errno = ETIMEDOUT;
			rc = hop_fail(_("systemd scope %s: %s"), unit,
				      *state ? state : "no state");
		} else if (strcmp(state, "active") != 0)
			nanosleep(&ms, NULL);
	}
	sd_bus_error_free(&error);
	sd_bus_message_unref(reply);
	sd_bus_message_unref(call);
	sd_bus_flush_close_unref(bus);
	return rc;
}
