# hộp — build, test, demo, docs, slides, check, bench.
# The two commands a learner needs: `sudo make demo` and `sudo make test`.
# Both install what is missing (tools/setup) and build first.

SHELL      := /bin/bash
TOP        := $(abspath .)
BUILD      := build
BIN        := $(BUILD)/bin
OBJ        := $(BUILD)/obj
LOCALEDIR  := $(TOP)/build/locale
VERSION    := 0.1.0

CC         ?= cc
WARNINGS   := -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes \
              -Wformat=2 -Wimplicit-fallthrough
CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -D_GNU_SOURCE $(WARNINGS) $(EXTRA_CFLAGS) \
              -Ilabs -DHOP_VERSION='"$(VERSION)"' -DHOP_LOCALEDIR='"$(LOCALEDIR)"'

LIB_SRC    := labs/lib/hop.c
NS_SRC     := labs/01-namespaces/ns.c
CGROUP_SRC := labs/02-cgroups/cgroup.c labs/02-cgroups/knob.c
ROOTFS_SRC := labs/03-rootfs-chroot/rootfs.c
STATE_SRC  := labs/04-container-by-hand/state.c
NET_SRC    := labs/04-container-by-hand/net.c

PROGRAMS   := $(BIN)/mini-unshare $(BIN)/mini-cgroup $(BIN)/mini-chroot \
              $(BIN)/mini-pivot-root $(BIN)/chroot-escape $(BIN)/mini-container \
              $(BIN)/mini-netns
PROBE      := $(BIN)/probe
MO         := $(LOCALEDIR)/vi/LC_MESSAGES/hop.mo
ROOTFS     := $(BUILD)/rootfs/busybox/.done

# Test files run in this order: the days, then the others, leaks.bats last.
TESTS      := $(sort $(wildcard tests/[0-9][0-9]-*.bats)) \
              $(filter-out tests/leaks.bats,$(sort $(wildcard tests/[a-z]*.bats))) \
              tests/leaks.bats

.PHONY: all setup doctor test test-vm vm demo docs slides check bench clean rootfs po
all: $(PROGRAMS) $(PROBE) $(MO)

$(BIN) $(OBJ):
	@mkdir -p $@

$(BIN)/mini-unshare: labs/01-namespaces/mini-unshare.c $(NS_SRC) $(LIB_SRC) \
		labs/01-namespaces/ns.h labs/lib/hop.h | $(BIN)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS)

$(BIN)/mini-cgroup: labs/02-cgroups/mini-cgroup.c $(CGROUP_SRC) $(LIB_SRC) \
		labs/02-cgroups/cgroup.h labs/02-cgroups/knob.h labs/lib/hop.h | $(BIN)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS) -lm

$(BIN)/mini-chroot: labs/03-rootfs-chroot/mini-chroot.c $(ROOTFS_SRC) $(NS_SRC) \
		$(LIB_SRC) labs/03-rootfs-chroot/rootfs.h labs/lib/hop.h | $(BIN)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS)

$(BIN)/mini-pivot-root: labs/03-rootfs-chroot/mini-pivot-root.c $(ROOTFS_SRC) \
		$(NS_SRC) $(LIB_SRC) labs/03-rootfs-chroot/rootfs.h \
		labs/01-namespaces/ns.h labs/lib/hop.h | $(BIN)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS)

$(BIN)/mini-netns: labs/04-container-by-hand/mini-netns.c $(NET_SRC) $(LIB_SRC) \
		labs/04-container-by-hand/net.h labs/lib/hop.h | $(BIN)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS)

$(BIN)/mini-container: labs/04-container-by-hand/mini-container.c $(STATE_SRC) $(NET_SRC) \
		$(ROOTFS_SRC) $(CGROUP_SRC) $(NS_SRC) $(LIB_SRC) \
		$(wildcard labs/0[1-4]-*/*.h) labs/lib/hop.h | $(BIN)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^) $(LDFLAGS) -lm

# Runs inside a chroot, so static like the probe.
$(BIN)/chroot-escape: labs/03-rootfs-chroot/chroot-escape.c | $(BIN)
	$(CC) $(CFLAGS) -static -o $@ $< $(LDFLAGS)

# The probe runs inside every test root filesystem: static, no libc needed there.
$(PROBE): tools/probe/probe.c | $(BIN)
	$(CC) $(CFLAGS) -static -o $@ $< $(LDFLAGS)

$(MO): vi/hop.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

rootfs: $(ROOTFS)
$(ROOTFS): rootfs/busybox $(PROBE)
	rootfs/busybox $(BUILD)/rootfs/busybox

setup:
	@tools/setup

doctor: all
	@tools/doctor

test: setup
	@$(MAKE) --no-print-directory all rootfs
	bats --tap $(TESTS)

# The throwaway VM: Debian's kernel under qemu, pure cgroup v2 (tools/vm).
vm: setup
	@$(MAKE) --no-print-directory all rootfs
	@tools/vm shell

test-vm: setup
	@$(MAKE) --no-print-directory all rootfs
	@tools/vm test $(TESTS)

demo: setup
	@$(MAKE) --no-print-directory all rootfs
	@tools/demo

docs: all
	@tools/docs build

slides:
	@tools/docs slides

check: setup
	@tools/check

bench: setup
	@$(MAKE) --no-print-directory all
	@tools/bench

# Refresh the message catalogue after changing _("...") strings.
po:
	xgettext --keyword=_ --keyword=N_ --from-code=UTF-8 --add-comments \
		--package-name=hop -o - labs/*/*.c | msgmerge --update --backup=none vi/hop.po -

clean:
	rm -rf $(BUILD)
