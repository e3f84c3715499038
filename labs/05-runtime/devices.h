/* devices.h - which device files a container may use: the OCI
 * .linux.resources.devices rules, on cgroup v1 and v2, as runc applies them.
 *
 * A rule allows or denies access ('r' read, 'w' write, 'm' mknod) to the
 * devices of a type ('c' char, 'b' block, 'a' all) and number (major:minor,
 * -1 for any). The rules are read in order and the last one that matches
 * decides, one kind of access at a time: after "allow c 1:3 rwm" and "deny
 * c 1:3 w", /dev/null can be read but not written (nor opened O_RDWR). No
 * matching rule: denied. An 'a' rule stands for every device and every
 * access, whatever its numbers and access say (v1's devices.allow and
 * devices.deny read "a" so, and runc does the same on v2).
 *
 *   v1  the devices controller's files: "a" into devices.deny (deny all),
 *       then each rule, in order, into devices.allow or devices.deny.
 *   v2  no devices controller, no files: an eBPF program of type
 *       BPF_PROG_TYPE_CGROUP_DEVICE, attached to the group, that the kernel
 *       runs on each open(2) and mknod(2) of a device file. We write it
 *       instruction by instruction (no libbpf, no compiler): see
 *       devices_program().
 *
 * Neither call adds devices_default_rules: a runtime appends them after the
 * config's own rules, as runc does, so a container always has /dev/null.
 *
 * Same contract as the other modules: -1 with errno and hop_context() on
 * failure; never exits, never prints to stdout.
 *
 * Read: Documentation/admin-guide/cgroup-v1/devices.rst and the "Device
 * controller" section of cgroup-v2.rst; bpf(2); the OCI runtime spec's
 * config-linux.md ("Device allowlist"); runc's
 * libcontainer/cgroups/ebpf/devicefilter and devices_emulator.go.
 * Kernel: 4.15 for BPF_PROG_TYPE_CGROUP_DEVICE.
 */
#ifndef HOP_DEVICES_H
#define HOP_DEVICES_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

#include "02-cgroups/cgroup.h"
#include "05-runtime/config.h"

/* The most rules devices_apply() takes (the v1 check below is quadratic in
 * the numbers the rules name). */
#define DEVICES_MAX_RULES 256

/* runc 1.1's AllowedDevices (libcontainer/specconv): mknod of any char or
 * block device, null, random, full, tty, zero, urandom, the ptys (136:*),
 * ptmx and tun. /dev/console (5:1) is not among them since runc 1.0. */
extern const struct oci_device_rule devices_default_rules[];
extern const size_t devices_default_count;

/* Does the rule list let a process make ("m") or open ("r", "w", "rw") the
 * device type:major:minor ('c' or 'b')? 1 yes, 0 no. The pure form of the
 * program devices_program() builds: both decide alike. */
int devices_allowed(const struct oci_device_rule *rules, size_t count,
		    char type, uint32_t major, uint32_t minor,
		    const char *access);

/* Refuse rules cgroup v1 cannot enforce as written: v1 keeps a list of
 * exceptions that a later rule removes only when it names exactly the same
 * devices, so "allow c 1:* rwm" then "deny c 1:7 w" would leave /dev/full
 * writable. Refused when v1 would decide any device differently from
 * devices_allowed(). It takes the parent group to allow everything, as a
 * top-level group does; a stricter parent stays stricter (the kernel copies
 * its exceptions on "a" into devices.allow, and refuses an allow that the
 * parent does not have). */
int devices_check_v1(const struct oci_device_rule *rules, size_t count);

/* The BPF_PROG_TYPE_CGROUP_DEVICE program for the rules, into out (at most
 * max instructions; out may be NULL to count them). Returns the number of
 * instructions, or -1: a rule refused, or ENOSPC when max is too small. */
int devices_program(const struct oci_device_rule *rules, size_t count,
		    struct bpf_insn *out, size_t max);

/* Apply the rules to the group whose directory is dir in hierarchy h: v1
 * (h->v2 == 0, the devices controller's hierarchy) through devices.deny and
 * devices.allow, after devices_check_v1(); v2 by loading the program and
 * attaching it to dir (BPF_F_ALLOW_MULTI). Meant for a new, empty group:
 * on v2 a second call adds a second program, and a device is allowed only
 * when every program attached allows it. */
int devices_apply(const struct cgroup_hierarchy *h, const char *dir,
		  const struct oci_device_rule *rules, size_t count);

#endif
