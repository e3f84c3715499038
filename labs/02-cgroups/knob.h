/* knob.h - reading and writing cgroup knobs (the files of a group), with
 * the names of the other cgroup version translated:
 *
 *   v1                                 v2
 *   memory.limit_in_bytes              memory.max
 *   memory.soft_limit_in_bytes         memory.low
 *   memory.memsw.limit_in_bytes        memory.swap.max (memsw is memory+swap,
 *                                      swap.max is swap alone: the difference)
 *   cpu.cfs_quota_us, cpu.cfs_period_us  cpu.max ("QUOTA PERIOD")
 *   cpu.shares (2..262144)             cpu.weight (1..10000), converted the
 *                                      way the kernel docs and runc do
 *   pids.max                           pids.max
 *
 * Values of memory knobs take units (100M, 1.5G: powers of 1024) and "max".
 * Same contract as cgroup.h: -1 with errno and hop_context() on failure.
 */
#ifndef HOP_KNOB_H
#define HOP_KNOB_H

#include <stddef.h>

#include "02-cgroups/cgroup.h"

/* Refuse a knob name that is not CONTROLLER.NAME in [a-z0-9_.] (no '/':
 * a knob is a file of the group's own directory, never a path). */
int knob_check_name(const char *knob);

/* "100M" -> 104857600, "1.5G" -> 1610612736, "max" -> -1. */
int knob_parse_bytes(const char *text, long long *bytes);

/* cpu.shares <-> cpu.weight, as runc converts them. */
long knob_shares_to_weight(long shares);
long knob_weight_to_shares(long weight);

/* Room for the one-line note knob_set() and knob_get() leave. */
#define KNOB_NOTE_SIZE 256

/* Write value to knob in the group whose directory is dir, on the hierarchy
 * h. If the knob belongs to the other cgroup version, the one-line note
 * says what was written instead ("" when nothing was translated). */
int knob_set(const struct cgroup_hierarchy *h, const char *dir,
	     const char *knob, const char *value, char note[KNOB_NOTE_SIZE]);

/* Read knob into value (one line, no newline), translated back the same
 * way; note as for knob_set(). */
int knob_get(const struct cgroup_hierarchy *h, const char *dir,
	     const char *knob, char *value, size_t size,
	     char note[KNOB_NOTE_SIZE]);

#endif
