# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# fpbpf build. `make` builds everything; `make test` runs unit, host and VM tests.
# OUTPUT=dir moves all generated files; V=1 shows commands; SAN=1 builds with ASan+UBSan.

OUTPUT ?= build
ifeq ($(SAN),1)
OUT := $(abspath $(OUTPUT))/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
OUT := $(abspath $(OUTPUT))
SANFLAGS :=
endif
PREFIX ?= /usr/local
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -dumpmachine)

CFLAGS ?= -O2 -g
CFLAGS += -Wall -Wextra -std=gnu11 -MMD -MP $(SANFLAGS)
CPPFLAGS += -I$(OUT) -Ibpf -Iuserspace -Iinclude -D_GNU_SOURCE
LDFLAGS += $(SANFLAGS)
LDLIBS += -lbpf -lelf -lz -ljansson -lm
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) \
	-I/usr/include/$(MULTIARCH) -I$(OUT) -Ibpf -MMD -MP -Wall

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(patsubst $(abspath .)/%,%,$(2))";
endif

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all clean deps test check unit integration vmtest vmtest-debian fuzz fuzz-short bench vmbench demo install

USER_SRCS := $(wildcard userspace/*/*.c)
USER_OBJS := $(patsubst userspace/%.c,$(OUT)/obj/%.o,$(USER_SRCS))
LIB_OBJS := $(filter-out $(OUT)/obj/cli/main.o,$(USER_OBJS))
VICTIMS := $(patsubst tests/victims/%.c,$(OUT)/victims/%,$(wildcard tests/victims/*.c)) \
	$(patsubst tests/victims/%.cc,$(OUT)/victims/%,$(wildcard tests/victims/*.cc))
UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUT)/unit/%,$(wildcard tests/unit/*.c))
BENCHES := $(patsubst bench/%.c,$(OUT)/bench/%,$(filter-out %.bpf.c,$(wildcard bench/*.c)))

all: $(OUT)/fpbpf $(VICTIMS) $(OUT)/kvdemo

deps:
	$(Q)./scripts/install-deps.sh

$(OUT)/.deps-ok: scripts/install-deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)./scripts/install-deps.sh
	$(Q)touch $@

# Kernel types come from bpf/kernel_types.bpf.h (CO-RE): no kernel's BTF is read at build time.
$(OUT)/%.bpf.o: bpf/%.bpf.c | $(OUT)/.deps-ok
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/bench/%.bpf.o: bench/%.bpf.c | $(OUT)/.deps-ok
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUT)/%.bpf.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@

$(OUT)/syscall_numbers.h: scripts/gen-syscall-table.sh | $(OUT)/.deps-ok
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)./scripts/gen-syscall-table.sh $(CC) > $@

# Every userspace object waits for the generated headers: the engine includes the
# skeleton, the syscall table is the seccomp backend's.
$(OUT)/obj/%.o: userspace/%.c $(OUT)/injector.bpf.skel.h $(OUT)/syscall_numbers.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUT)/fpbpf: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Victims and the demo are the programs under test: plain builds, like a user's; the
# one for caller= as a user who wants stack walks builds (frame pointers).
$(OUT)/victims/callervictim: VICTIM_CFLAGS := -fno-omit-frame-pointer
$(OUT)/victims/libfpvictim.so: $(wildcard tests/victims/lib/*.c) include/fpbpf.h | $(OUT)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Iinclude -fPIC -shared $(filter %.c,$^) -o $@

$(OUT)/victims/%: tests/victims/%.c include/fpbpf.h $(OUT)/victims/libfpvictim.so | $(OUT)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -Wall -Wextra $(VICTIM_CFLAGS) -Iinclude -MMD -MP $< -o $@ -pthread \
		-L$(@D) -lfpvictim -Wl,-rpath,'$$ORIGIN'

$(OUT)/victims/%: tests/victims/%.cc include/fpbpf.h | $(OUT)/.deps-ok
	$(call msg,CXX,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CXX) -O2 -g -Wall -Wextra -Iinclude -MMD -MP $< -o $@

$(OUT)/kvdemo: examples/kvdemo.c include/fpbpf.h | $(OUT)/.deps-ok
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Iinclude -MMD -MP $< -o $@

$(OUT)/unit/%: tests/unit/%.c $(LIB_OBJS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< $(LIB_OBJS) $(LDFLAGS) $(LDLIBS) -lcmocka -o $@

$(OUT)/bench/usdt_empty: bench/usdt_empty.c $(OUT)/bench/empty_usdt.bpf.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -g -Wall -Wextra -I$(OUT)/bench -MMD -MP $< -o $@ -lbpf -lelf -lz

$(OUT)/bench/%: bench/%.c include/fpbpf.h | $(OUT)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -O2 -g -Wall -Wextra -Iinclude -DFIU_ENABLE=1 -MMD -MP $< -o $@ -lfiu

# Parsers of untrusted input, each with a libFuzzer target: rules, SDT argument specs.
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Ibpf -Iuserspace -Iinclude -D_GNU_SOURCE

$(OUT)/fuzz_rules: tests/fuzz/fuzz_rules.c userspace/rules/rules.c userspace/rules/names.c userspace/util/num.c | $(OUT)/.deps-ok
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $^ -o $@

$(OUT)/fuzz_argspec: tests/fuzz/fuzz_argspec.c userspace/elf/usdt_argspec.c | $(OUT)/.deps-ok
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) $^ -o $@

# --- tests: `make test` = unit + host integration (ASan/UBSan build) + fuzz + VM suite ---
SAN_OUT := $(abspath $(OUTPUT))/san

unit:
	$(Q)$(MAKE) --no-print-directory SAN=1 $(patsubst $(OUT)/%,$(SAN_OUT)/%,$(UNIT_TESTS))
	$(Q)./tests/run-unit.sh $(SAN_OUT)/unit

integration:
	$(Q)$(MAKE) --no-print-directory SAN=1 all
	$(Q)FPBPF=$(SAN_OUT)/fpbpf VICTIMS=$(SAN_OUT)/victims ./tests/run-integration.sh $(TESTS)

check: unit integration

fuzz: $(OUT)/fuzz_rules $(OUT)/fuzz_argspec
	$(Q)mkdir -p $(OUT)/fuzz-corpus/rules $(OUT)/fuzz-corpus/argspec
	$(OUT)/fuzz_rules -max_total_time=$${FUZZ_SECONDS:-300} $(OUT)/fuzz-corpus/rules tests/fuzz/corpus
	$(OUT)/fuzz_argspec -max_total_time=$${FUZZ_SECONDS:-300} $(OUT)/fuzz-corpus/argspec tests/fuzz/corpus_argspec

fuzz-short: $(OUT)/fuzz_rules $(OUT)/fuzz_argspec
	$(Q)./tests/run-fuzz.sh $(OUT)/fuzz_rules tests/fuzz/corpus $${FUZZ_SECONDS:-20}
	$(Q)./tests/run-fuzz.sh $(OUT)/fuzz_argspec tests/fuzz/corpus_argspec $${FUZZ_SECONDS:-20}

# The suites whose result depends on what the kernel can do (emulation makes each fpbpf
# start cost ~2 s, so the rest stay on the host): syscall backends, direct-write delivery
# (usdt, sessions) and doctor. The host runs cli, input, control and stop-and-write.
# `make vmtest VM_TESTS=` runs every suite.
# sys.sh runs each backend's full table on one kernel (SYS_TABLES; empty: every backend):
# seccomp on the host, fmod_ret, kprobe and lsm here (none on Debian's 6.1, the same version); its parity
# group runs every backend on every kernel.
VM_TESTS ?= doctor sys usdt sessions explore
VM_SYS_TABLES ?= fmod_ret kprobe lsm
vmtest:
	$(Q)$(MAKE) --no-print-directory SAN=1 all
	$(Q)$(if $(ARGS)$(TESTS),,$(if $(VM_TESTS),echo "vmtest: suites $(VM_TESTS); the others run on the host (VM_TESTS= runs all)";))./vmtest/run.sh $(if $(ARGS),$(ARGS),env FPBPF=$(SAN_OUT)/fpbpf VICTIMS=$(SAN_OUT)/victims SYS_TABLES="$(VM_SYS_TABLES)" ./tests/run-integration.sh $(if $(TESTS),$(TESTS),$(VM_TESTS)))

# Debian's own kernel (bookworm's linux-image-amd64: kprobes and the BPF LSM, but no
# bpf_override_return): what the syscall backends must do on a kernel users run.
DEBIAN_TESTS ?= doctor sys
DEBIAN_SYS_TABLES ?= none
vmtest-debian:
	$(Q)$(MAKE) --no-print-directory SAN=1 all
	$(Q)VMTEST_DEBIAN=1 ./vmtest/run.sh $(if $(ARGS),$(ARGS),env FPBPF=$(SAN_OUT)/fpbpf VICTIMS=$(SAN_OUT)/victims SYS_TABLES="$(DEBIAN_SYS_TABLES)" ./tests/run-integration.sh $(DEBIAN_TESTS))

test:
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory integration
	$(Q)$(MAKE) --no-print-directory fuzz-short
	$(Q)$(MAKE) --no-print-directory vmtest
	$(Q)$(MAKE) --no-print-directory vmtest-debian

bench: all $(BENCHES)
	$(Q)./bench/run.sh $(OUT)

# The syscall benchmarks need kprobes and bpf_override_return: run the same script in the VM.
vmbench: all $(BENCHES)
	$(Q)./vmtest/run.sh ./bench/run.sh $(OUT)

demo: $(OUT)/.deps-ok
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./examples/demo.sh $(OUT)

install: $(OUT)/fpbpf
	install -D -m 0755 $(OUT)/fpbpf $(DESTDIR)$(PREFIX)/bin/fpbpf
	install -D -m 0644 include/fpbpf.h $(DESTDIR)$(PREFIX)/include/fpbpf.h

clean:
	rm -rf $(OUTPUT)

-include $(wildcard $(OUT)/*.d $(OUT)/obj/*/*.d $(OUT)/victims/*.d $(OUT)/unit/*.d $(OUT)/bench/*.d)
