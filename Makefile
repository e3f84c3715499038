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
# CFLAGS is the user's (make CFLAGS=-O0 works); what the code needs to
# build at all is added with override, so it cannot be dropped.
CFLAGS     ?= -O2 -g
override CFLAGS += -std=c11 $(WARNINGS) $(EXTRA_CFLAGS)
override CPPFLAGS += -D_GNU_SOURCE -Ilabs -DHOP_VERSION='"$(VERSION)"' \
              -DHOP_LOCALEDIR='"$(LOCALEDIR)"'
# make SANITIZE=1: every program with AddressSanitizer and UBSan, in
# build/san/ (the bad-input tests run once against it, see make test).
SANITIZE   ?=
ifeq ($(SANITIZE),1)
BIN        := $(BUILD)/san/bin
OBJ        := $(BUILD)/san/obj
override CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=address,undefined
endif
# The libraries a program links, through pkg-config: PKGS is set per program
# below (netlink through libmnl for day 04's network; the days to come add
# jansson, libcurl, libarchive, libcrypto, libseccomp, libcap, libsystemd).
PKGS       :=
LIBS        = $(if $(PKGS),$(shell pkg-config --libs $(PKGS)))
NET_PKGS   := libmnl

# Each module once, as an object; -MMD -MP lists the headers each object
# really includes, so a changed header rebuilds exactly what uses it.
LIB_OBJ    := $(OBJ)/lib/hop.o
NS_OBJ     := $(OBJ)/01-namespaces/ns.o
CGROUP_OBJ := $(OBJ)/02-cgroups/cgroup.o $(OBJ)/02-cgroups/knob.o
ROOTFS_OBJ := $(OBJ)/03-rootfs-chroot/rootfs.o
STATE_OBJ  := $(OBJ)/04-container-by-hand/state.o
NET_OBJ    := $(OBJ)/04-container-by-hand/net.o
CONTAINER_OBJ := $(OBJ)/04-container-by-hand/container.o $(STATE_OBJ)
RUNTIME_OBJ := $(addprefix $(OBJ)/05-runtime/,config.o process.o mounts.o hooks.o \
              devices.o runtime.o instance.o terminal.o exec.o scope.o)
RUNTIME_PKGS := jansson libseccomp libcap libmnl libsystemd
# Day 06: layers, image layouts and overlays (day 07's puller reuses them).
LAYERS_OBJ := $(addprefix $(OBJ)/06-layers/,digest.o layer.o layout.o bundle.o tree.o)
OVERLAY_OBJ := $(OBJ)/06-layers/overlay.o $(OBJ)/06-layers/diff.o
LAYERS_PKGS := libarchive jansson libcrypto
# Day 07: the puller (libcurl) and mini-ctr's store and containers.
PULLER_OBJ := $(addprefix $(OBJ)/07-puller/,ref.o registry.o store.o pull.o container.o)
PULLER_PKGS := libcurl libarchive jansson libcrypto

PROGRAMS   := $(BIN)/mini-unshare $(BIN)/mini-cgroup $(BIN)/mini-chroot \
              $(BIN)/mini-pivot-root $(BIN)/chroot-escape $(BIN)/mini-container \
              $(BIN)/mini-netns $(BIN)/mini-runc $(BIN)/mini-overlay $(BIN)/mini-image \
              $(BIN)/mini-ctr
PROBE      := $(BUILD)/bin/probe
MO         := $(LOCALEDIR)/vi/LC_MESSAGES/hop.mo
ROOTFS     := $(BUILD)/rootfs/busybox/.done

# C unit tests of the parsers and pure functions (tests/unit/NAME.c), always
# built with ASan and UBSan: a test binary links the modules it tests.
UNIT_OBJ   := $(BUILD)/unit/obj
UNIT_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
UNITS      := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test-*.c))

# Test files run in this order: the days, then the others, leaks.bats last.
TESTS      := $(sort $(wildcard tests/[0-9][0-9]-*.bats)) \
              $(filter-out tests/leaks.bats,$(sort $(wildcard tests/[a-z]*.bats))) \
              tests/leaks.bats

.PHONY: all setup doctor test test-vm test-systemd vm demo docs slides check bench clean rootfs po unit sanitize
all: $(PROGRAMS) $(PROBE) $(MO)

$(OBJ)/%.o: labs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(UNIT_OBJ)/%.o: labs/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 $(WARNINGS) $(UNIT_FLAGS) -MMD -MP -c -o $@ $<

$(UNIT_OBJ)/tests/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -std=c11 $(WARNINGS) $(UNIT_FLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD)/obj $(BUILD)/san/obj $(BUILD)/unit/obj -type f -name '*.d' 2>/dev/null)

$(BUILD)/unit/test-cgroup: $(UNIT_OBJ)/tests/test-cgroup.o \
		$(UNIT_OBJ)/02-cgroups/cgroup.o $(UNIT_OBJ)/02-cgroups/knob.o \
		$(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-container: $(UNIT_OBJ)/tests/test-container.o \
		$(UNIT_OBJ)/04-container-by-hand/container.o \
		$(UNIT_OBJ)/04-container-by-hand/state.o \
		$(UNIT_OBJ)/04-container-by-hand/net.o \
		$(UNIT_OBJ)/03-rootfs-chroot/rootfs.o \
		$(UNIT_OBJ)/02-cgroups/cgroup.o $(UNIT_OBJ)/02-cgroups/knob.o \
		$(UNIT_OBJ)/01-namespaces/ns.o $(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-lib: $(UNIT_OBJ)/tests/test-lib.o \
		$(UNIT_OBJ)/01-namespaces/ns.o $(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-net: $(UNIT_OBJ)/tests/test-net.o \
		$(UNIT_OBJ)/04-container-by-hand/net.o $(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-config: $(UNIT_OBJ)/tests/test-config.o \
		$(UNIT_OBJ)/05-runtime/config.o $(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-process: $(UNIT_OBJ)/tests/test-process.o \
		$(UNIT_OBJ)/05-runtime/process.o $(UNIT_OBJ)/05-runtime/config.o \
		$(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-devices: $(UNIT_OBJ)/tests/test-devices.o \
		$(UNIT_OBJ)/05-runtime/devices.o $(UNIT_OBJ)/02-cgroups/cgroup.o \
		$(UNIT_OBJ)/02-cgroups/knob.o $(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-mounts: $(UNIT_OBJ)/tests/test-mounts.o \
		$(UNIT_OBJ)/05-runtime/mounts.o $(UNIT_OBJ)/01-namespaces/ns.o \
		$(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-scope: $(UNIT_OBJ)/tests/test-scope.o \
		$(UNIT_OBJ)/05-runtime/scope.o $(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-layers: $(UNIT_OBJ)/tests/test-layers.o \
		$(UNIT_OBJ)/06-layers/layer.o $(UNIT_OBJ)/06-layers/digest.o \
		$(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-layers: PKGS += $(LAYERS_PKGS)
$(BUILD)/unit/test-puller: $(UNIT_OBJ)/tests/test-puller.o \
		$(UNIT_OBJ)/07-puller/ref.o $(UNIT_OBJ)/07-puller/registry.o \
		$(UNIT_OBJ)/07-puller/pull.o $(UNIT_OBJ)/07-puller/store.o \
		$(UNIT_OBJ)/07-puller/container.o $(UNIT_OBJ)/06-layers/tree.o \
		$(UNIT_OBJ)/06-layers/bundle.o $(UNIT_OBJ)/06-layers/layer.o \
		$(UNIT_OBJ)/06-layers/overlay.o \
		$(UNIT_OBJ)/06-layers/layout.o $(UNIT_OBJ)/06-layers/digest.o \
		$(UNIT_OBJ)/lib/hop.o
$(BUILD)/unit/test-puller: PKGS += $(PULLER_PKGS)
$(BUILD)/unit/test-config $(BUILD)/unit/test-process \
	$(BUILD)/unit/test-devices $(BUILD)/unit/test-scope: PKGS += $(RUNTIME_PKGS)
$(UNITS):
	$(CC) $(UNIT_FLAGS) -o $@ $(filter %.o,$^) $(LIBS) -lm

# make print-UNIT_FLAGS: a variable's value (tests/unit.bats builds with it).
print-%:
	@echo '$($*)'

# Every unit test, each its own program; a failure or a sanitizer report
# fails the run after all have run.
unit: $(UNITS)
	@status=0; for t in $(UNITS); do $$t || status=1; done; exit $$status

$(BIN)/mini-unshare: $(OBJ)/01-namespaces/mini-unshare.o $(NS_OBJ) $(LIB_OBJ)
$(BIN)/mini-cgroup: $(OBJ)/02-cgroups/mini-cgroup.o $(CGROUP_OBJ) $(LIB_OBJ)
$(BIN)/mini-chroot: $(OBJ)/03-rootfs-chroot/mini-chroot.o $(ROOTFS_OBJ) $(NS_OBJ) $(LIB_OBJ)
$(BIN)/mini-pivot-root: $(OBJ)/03-rootfs-chroot/mini-pivot-root.o $(ROOTFS_OBJ) \
		$(NS_OBJ) $(LIB_OBJ)
$(BIN)/mini-netns: $(OBJ)/04-container-by-hand/mini-netns.o $(NET_OBJ) $(LIB_OBJ)
$(BIN)/mini-container: $(OBJ)/04-container-by-hand/mini-container.o $(CONTAINER_OBJ) \
		$(NET_OBJ) $(ROOTFS_OBJ) $(CGROUP_OBJ) $(NS_OBJ) $(LIB_OBJ)

$(BIN)/mini-runc: $(OBJ)/05-runtime/mini-runc.o $(RUNTIME_OBJ) $(CONTAINER_OBJ) \
		$(NET_OBJ) $(ROOTFS_OBJ) $(CGROUP_OBJ) $(NS_OBJ) $(LIB_OBJ)
$(BIN)/mini-runc: PKGS += $(RUNTIME_PKGS)

$(BIN)/mini-image: $(OBJ)/06-layers/mini-image.o $(LAYERS_OBJ) $(LIB_OBJ)
$(BIN)/mini-overlay: $(OBJ)/06-layers/mini-overlay.o $(OVERLAY_OBJ) $(LAYERS_OBJ) \
		$(LIB_OBJ)
$(BIN)/mini-image $(BIN)/mini-overlay: PKGS += $(LAYERS_PKGS)
$(BIN)/mini-ctr: $(OBJ)/07-puller/mini-ctr.o $(PULLER_OBJ) $(LAYERS_OBJ) \
		$(OBJ)/06-layers/overlay.o $(LIB_OBJ)
$(BIN)/mini-ctr: PKGS += $(PULLER_PKGS)

$(BIN)/mini-netns $(BIN)/mini-container $(BUILD)/unit/test-net \
	$(BUILD)/unit/test-container: PKGS += $(NET_PKGS)

$(filter-out $(BIN)/chroot-escape,$(PROGRAMS)):
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) -lm

# Runs inside a chroot, so static like the probe.
$(BIN)/chroot-escape: labs/03-rootfs-chroot/chroot-escape.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(filter-out -fsanitize=%,$(CFLAGS)) -static -o $@ $<

# The probe runs inside every test root filesystem: static, no libc needed there.
$(PROBE): tools/probe/probe.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(filter-out -fsanitize=%,$(CFLAGS)) -static -o $@ $<

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
	@$(MAKE) --no-print-directory unit sanitize
	bats --tap $(TESTS)

# The bad-input tests once more, against programs built with ASan and UBSan
# (build/san/bin): a sanitizer report makes the program exit with another
# status (86), so the test fails. LeakSanitizer is off: it cannot read the
# threads of a process that sits in a new PID namespace (it dies with a
# "fatal error" there), and a program that exits on an error frees nothing.
SAN_OPTIONS := ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=86 \
               UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
sanitize:
	@$(MAKE) --no-print-directory -s SANITIZE=1 all
	$(SAN_OPTIONS) HOP_BIN=$(TOP)/$(BUILD)/san/bin bats --tap -f 'bad input' \
		$(sort $(wildcard tests/[0-9][0-9]-*.bats))

# The throwaway VM: Debian's kernel under qemu, pure cgroup v2 (tools/vm).
vm: setup
	@$(MAKE) --no-print-directory all rootfs
	@tools/vm shell

test-vm: setup
	@$(MAKE) --no-print-directory all rootfs
	@tools/vm test $(TESTS)

# The systemd lane: a stock Debian 12 (systemd, pure cgroup v2), the tests
# run from root's login session, as a student runs them (tools/vm). All of
# them: about 9 minutes under TCG. A shorter list, only the files that make
# cgroups (FILE:REGEX runs only the tests whose names match; about 5.5 min):
#   make test-systemd SYSTEMD_TESTS="tests/02-cgroups.bats \
#     tests/04-container-by-hand.bats tests/04-netns.bats tests/demo.bats \
#     'tests/docs.bats:/0[24]-' tests/leaks.bats"
SYSTEMD_TESTS := $(TESTS)

test-systemd: setup
	@$(MAKE) --no-print-directory all rootfs
	@tools/vm systemd-test $(SYSTEMD_TESTS)

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
