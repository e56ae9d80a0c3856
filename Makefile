# Makefile: the one flat build for umbra (hypervisor image, boot ISO, tests, lint).
#
#   make            build/x86_64/umbra.elf
#   make iso        build/x86_64/umbra.iso (GRUB for BIOS and UEFI, multiboot2)
#   make run        boot the ISO under QEMU on this terminal
#   make test       unit tests and boot tests, ending with "N passed, N failed"
#   make lint       clang-format check, cppcheck, clang-tidy
#   make tcb        lines of code the x86_64 image compiles, by folder

ARCH ?= x86_64
CC ?= gcc
ifeq ($(origin CC),default)
CC := gcc
endif
BUILD := build
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

HOSTCC ?= gcc
PYTHON := /usr/bin/python3
CLANG := $(findstring clang,$(CC))

# Each architecture: its folder under arch/, its cross tools, its target flags.
ifeq ($(ARCH),x86_64)
ARCH_DIR := x86
CROSS :=
ARCH_CFLAGS := -m64 -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx -mno-80387 \
	-mcmodel=small -fcf-protection=none
CLANG_TARGET := x86_64-unknown-none-elf
else ifeq ($(ARCH),arm64)
ARCH_DIR := arm64
CROSS := aarch64-linux-gnu-
# General registers only (guests' FP/SIMD state is theirs), and no unaligned
# accesses: they fault while the MMU is off, when all memory is Device memory.
ARCH_CFLAGS := -march=armv8-a -mgeneral-regs-only -mstrict-align -mcmodel=small
CLANG_TARGET := aarch64-unknown-none-elf
else
$(error ARCH=$(ARCH) is not supported: use ARCH=x86_64 (the default) or ARCH=arm64)
endif

# gcc means the architecture's gcc (aarch64-linux-gnu-gcc for arm64); clang
# takes --target instead.
ifeq ($(CLANG),)
ifneq ($(CROSS),)
ifeq ($(CC),gcc)
override CC := $(CROSS)gcc
endif
endif
endif
OBJCOPY := $(CROSS)objcopy

OUT := $(BUILD)/$(ARCH)

# ---------------------------------------------------------------- tools
# A missing tool is installed by scripts/install-deps (Debian packages).
NEED_TOOLS := $(firstword $(CC)) ld objcopy
define need
$(if $(shell command -v $(1) 2>/dev/null),,$(shell scripts/install-deps >&2))
endef

# ---------------------------------------------------------------- flags
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wcast-align -Wwrite-strings -Wundef -Wvla -Wformat=2 \
	-Wnull-dereference -Wdouble-promotion -Wimplicit-fallthrough \
	-Wno-unused-parameter
COMMON := -std=gnu11 -g -I. -Iinclude $(WARN)

# arch/<arch>/vm_arch.h is found by name, so core/vm.h holds the right vCPU.
KCFLAGS := $(COMMON) -Iarch/$(ARCH_DIR) -O2 -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-pic -fno-pie -fno-common -fno-strict-aliasing -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables $(ARCH_CFLAGS) -DUMBRA_VERSION=\"$(VERSION)\"
ifneq ($(CLANG),)
KCFLAGS += --target=$(CLANG_TARGET) -Wno-unused-command-line-argument
KLD := ld.lld
else
KLD := $(CROSS)ld
endif
KASFLAGS := $(KCFLAGS) -D__ASSEMBLY__ -Wa,--noexecstack
KLDFLAGS := -nostdlib -static -z max-page-size=4096
ifeq ($(CLANG),)
KLDFLAGS += --no-warn-rwx-segments
endif

# ---------------------------------------------------------------- sources
# Pure logic: built into the image and into the host unit tests unchanged.
# Shared by both architectures' images (and, the pure ones, the unit tests).
PURE_COMMON := \
	boot/memmap.c \
	core/bundle.c \
	core/cmdline.c \
	core/cpio.c \
	core/elf.c \
	core/format.c \
	core/loader.c \
	core/loader_mb.c \
	drivers/vplat.c \
	drivers/vuart.c \
	drivers/vfwcfg.c \
	drivers/vpl011.c \
	drivers/vtestdev.c \
	mm/gmem.c \
	mm/palloc.c \
	mm/stage2.c \
	mm/pt.c \
	mm/pt_arm64.c
K_COMMON := \
	core/init.c \
	core/log.c \
	core/string.c \
	core/selftest.c \
	core/vm.c \
	mm/mem_init.c

# x86_64 only.
PURE_X86 := \
	boot/multiboot.c \
	drivers/acpi_rsdp.c \
	mm/gwalk.c \
	mm/pt_x86.c \
	mm/shadow.c \
	mm/shadow_fault.c \
	mm/shadow_rmap.c \
	vmx_svm/features.c \
	vmx_svm/emulate.c \
	vmx_svm/vmx_caps.c \
	vmx_svm/vmx_check.c \
	vmx_svm/vmx_check_guest.c
K_X86 := \
	arch/x86/boot.c \
	arch/x86/gdt.c \
	arch/x86/idt.c \
	arch/x86/trap.c \
	arch/x86/paging.c \
	arch/x86/platform.c \
	arch/x86/cpu_report.c \
	drivers/uart16550.c \
	arch/x86/virt.c \
	arch/x86/lapic.c \
	vmx_svm/vcpu.c \
	vmx_svm/exits.c \
	vmx_svm/vshadow.c \
	vmx_svm/svm.c \
	vmx_svm/svm_msr.c \
	vmx_svm/svm_shadow.c \
	vmx_svm/vmx.c \
	vmx_svm/vmx_cr.c \
	vmx_svm/vmx_exit.c \
	vmx_svm/vmx_msr.c
ASM_X86 := boot/x86/entry.S arch/x86/isr.S vmx_svm/svm_entry.S vmx_svm/vmx_entry.S

# arm64 only.
PURE_ARM64 := \
	boot/dtb.c \
	drivers/fdt.c \
	drivers/fdt_check.c
K_ARM64 := \
	arch/arm64/boot.c \
	arch/arm64/cpu_report.c \
	arch/arm64/gic.c \
	arch/arm64/paging.c \
	arch/arm64/platform.c \
	arch/arm64/trap.c \
	arch/arm64/vcpu.c \
	arch/arm64/vcpu_trap.c \
	drivers/pl011.c
ASM_ARM64 := boot/arm64/entry.S arch/arm64/vectors.S arch/arm64/guest_entry.S

# Pure logic: built into the image and into the host unit tests unchanged.
PURE_SRCS := $(PURE_COMMON) $(PURE_X86) $(PURE_ARM64)

ifeq ($(ARCH),x86_64)
K_SRCS := $(PURE_COMMON) $(PURE_X86) $(K_COMMON) $(K_X86)
K_ASM := $(ASM_X86)
else
K_SRCS := $(PURE_COMMON) $(PURE_ARM64) $(K_COMMON) $(K_ARM64)
K_ASM := $(ASM_ARM64)
endif

# Test guests (tests/guests/<name>/, see tests/guests/README.md): `make` builds
# ALL_GUESTS; `make iso` puts GUESTS in the image, each with its module command
# line GUEST_CMDLINE_<name> (what follows "--" is the guest's own command line).
ALL_GUESTS := hello cpu paging mmio hostile shadowbench exitbench
GUESTS := hello
GUEST_CMDLINE_hello := name=hello mem=64M -- greetings from the module command line
GUEST_CMDLINE_cpu := name=cpu mem=64M
GUEST_CMDLINE_paging := name=paging mem=64M
GUEST_CMDLINE_mmio := name=mmio mem=64M
GUEST_CMDLINE_hostile := name=hostile mem=64M
GUEST_CMDLINE_shadowbench := name=shadowbench mem=16M tdp=off
GUEST_CMDLINE_exitbench := name=exitbench mem=16M
GUEST_ELFS := $(patsubst %,$(OUT)/guests/%.elf,$(ALL_GUESTS))
# Plain ELF64 guests (tests/guests64/), started in long mode.
GUESTS64 := hello64
GUEST64_ELFS := $(patsubst %,$(OUT)/guests/%.elf,$(GUESTS64))

# arm64 test guests (tests/guests/arm64/<name>/, see tests/guests/README.md):
# ELF64 kernels for EL1, built with tests/guests/arm64/lib/.
A64_GUESTS := hello mmu mmio psci hostile exitbench
A64_GUEST_ELFS := $(patsubst %,$(OUT)/guests/%.elf,$(A64_GUESTS))

K_OBJS := $(patsubst %.c,$(OUT)/%.o,$(K_SRCS)) $(patsubst %.S,$(OUT)/%.o,$(K_ASM))
K_DEPS := $(K_OBJS:.o=.d)

.PHONY: all iso run test unit boot-tests lint tcb clean guests
ifeq ($(ARCH),x86_64)
all: $(OUT)/umbra.elf $(GUEST_ELFS) $(GUEST64_ELFS)
else
all: $(OUT)/umbra.bin $(A64_GUEST_ELFS)
endif

$(OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(OUT)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(KASFLAGS) -MMD -MP -c $< -o $@

ifeq ($(ARCH),x86_64)
$(OUT)/umbra.ld: linker/umbra.ld.S
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -I. -Iinclude -D__ASSEMBLY__ $< -o $@

# Linked as a 64-bit ELF (kept for debuggers), then rewrapped as a 32-bit ELF:
# QEMU's -kernel only loads Multiboot1 images that are 32-bit ELF files.
$(OUT)/umbra64.elf: $(K_OBJS) $(OUT)/umbra.ld
	$(KLD) $(KLDFLAGS) -T $(OUT)/umbra.ld -o $@ $(K_OBJS)

$(OUT)/umbra.elf: $(OUT)/umbra64.elf
	$(call need,grub-file)
	$(OBJCOPY) -O elf32-i386 $< $@
	@grub-file --is-x86-multiboot $@ || { echo "error: $@ has no valid Multiboot1 header"; rm -f $@; exit 1; }
	@grub-file --is-x86-multiboot2 $@ || { echo "error: $@ has no valid Multiboot2 header"; rm -f $@; exit 1; }

else
$(OUT)/umbra.ld: linker/umbra-arm64.ld.S
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -I. -Iinclude -D__ASSEMBLY__ $< -o $@

# The ELF is for debuggers; umbra.bin (the arm64 Image: header first, then the
# image as it sits in memory) is what loaders take.
$(OUT)/umbra.elf: $(K_OBJS) $(OUT)/umbra.ld
	$(KLD) $(KLDFLAGS) -T $(OUT)/umbra.ld -o $@ $(K_OBJS)

$(OUT)/umbra.bin: $(OUT)/umbra.elf
	$(OBJCOPY) -O binary $< $@
	@head -c 60 $@ | tail -c 4 | grep -q 'ARMd' || { echo "error: $@ has no arm64 Image header"; rm -f $@; exit 1; }
endif

-include $(K_DEPS)

# ---------------------------------------------------------------- unit tests
UNIT_OUT := $(BUILD)/unit
UNIT_CFLAGS := $(COMMON) -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined -DUMBRA_HOST_TEST -DUMBRA_VERSION=\"$(VERSION)\"
UNIT_TESTS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(patsubst %.c,$(UNIT_OUT)/%.o,$(PURE_SRCS) $(UNIT_TESTS))

$(UNIT_OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

# Criterion's own per-test timeout code sometimes leaks 48 bytes at exit
# (nothing of ours on the stack); LeakSanitizer still checks everything else.
UNIT_RUN := LSAN_OPTIONS=suppressions=$(CURDIR)/tests/unit/lsan.supp:print_suppressions=0 \
	$(UNIT_OUT)/unit-tests

$(UNIT_OUT)/unit-tests: $(UNIT_OBJS)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $^ -lcriterion

-include $(UNIT_OBJS:.o=.d)

ifeq ($(ARCH),x86_64)
# ---------------------------------------------------------------- test guests
# Small freestanding kernels that check one area each from inside a VM: 32-bit
# Multiboot1 ELF files (so QEMU -kernel starts them too), each built from
# tests/guests/<name>/*.c *.S, the library tests/guests/lib/ and the part of it
# both architectures share, tests/guests/common/.
GUEST_CFLAGS := -std=gnu11 -g -O2 -Itests/guests/lib -Itests/guests/common $(WARN) \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie -fno-common \
	-fno-strict-aliasing -mno-mmx -mno-sse -mno-sse2 -mno-80387 -fno-asynchronous-unwind-tables \
	-fcf-protection=none
ifneq ($(findstring clang,$(CC)),)
GUEST_CFLAGS += --target=i386-unknown-none-elf -Wno-unused-command-line-argument
else
GUEST_CFLAGS += -m32
endif
GUEST_ASFLAGS := $(GUEST_CFLAGS) -D__ASSEMBLY__ -Wa,--noexecstack
GUEST_OBJ := $(OUT)/guests/obj
guest_objs = $(patsubst tests/guests/%,$(GUEST_OBJ)/%.o,$(basename $(sort \
	$(wildcard tests/guests/$(1)/*.c tests/guests/$(1)/*.S))))
GUEST_LIB_OBJS := $(call guest_objs,lib) $(call guest_objs,common)

$(GUEST_OBJ)/%.o: tests/guests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OBJ)/%.o: tests/guests/%.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(OUT)/guest.ld: linker/guest.ld.S
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLY__ $< -o $@

define GUEST_RULE
$(OUT)/guests/$(1).elf: $(call guest_objs,$(1)) $(GUEST_LIB_OBJS) $(OUT)/guest.ld
	$$(call need,grub-file)
	$$(KLD) -m elf_i386 -nostdlib -static -z max-page-size=4096 -z noexecstack \
		-T $(OUT)/guest.ld -o $$@ $(call guest_objs,$(1)) $(GUEST_LIB_OBJS)
	@grub-file --is-x86-multiboot $$@ || { echo "error: $$@ has no valid Multiboot1 header"; rm -f $$@; exit 1; }
endef
$(foreach g,$(ALL_GUESTS),$(eval $(call GUEST_RULE,$(g))))

-include $(wildcard $(GUEST_OBJ)/*/*.d)

# Plain ELF64 test guests (tests/guests64/<name>/main.S): no Multiboot header,
# so umbra's loader starts them in long mode.
ifneq ($(findstring clang,$(CC)),)
GUEST64_ASFLAGS := --target=x86_64-unknown-none-elf
else
GUEST64_ASFLAGS := -m64
endif

$(OUT)/guests/%.o64: tests/guests64/%/main.S
	@mkdir -p $(dir $@)
	$(CC) $(GUEST64_ASFLAGS) -D__ASSEMBLY__ -Wa,--noexecstack -c $< -o $@

$(OUT)/guest64.ld: linker/guest64.ld.S
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLY__ $< -o $@

$(OUT)/guests/%.elf: $(OUT)/guests/%.o64 $(OUT)/guest64.ld
	$(KLD) -m elf_x86_64 -nostdlib -static -z max-page-size=4096 -z noexecstack \
		-T $(OUT)/guest64.ld -o $@ $<

guests: $(GUEST_ELFS)

# ---------------------------------------------------------------- boot image
# The hypervisor command line baked into the ISO (empty: all defaults).
HV_CMDLINE ?=
GUEST_MODULE_ARGS = $(foreach g,$(GUESTS),$(OUT)/guests/$(g).elf "$(GUEST_CMDLINE_$(g))")

iso: $(OUT)/umbra.iso
$(OUT)/umbra.iso: $(OUT)/umbra.elf $(GUEST_ELFS) scripts/mkiso
	$(call need,grub-mkrescue)$(call need,xorriso)$(call need,mformat)
	scripts/mkiso $@ $(OUT)/umbra.elf $(GUEST_MODULE_ARGS) --cmdline "$(HV_CMDLINE)"

# Boot the ISO under QEMU with the serial console on this terminal. umbra
# leaves through isa-debug-exit: status 1 means pass, 3 means fail.
QEMU_RUN := qemu-system-x86_64 -accel tcg -cpu max -m 512M -nographic -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04
run: $(OUT)/umbra.iso
	$(call need,qemu-system-x86_64)
	@echo "make run: booting $(OUT)/umbra.iso under QEMU (Ctrl-A X quits)"
	@$(QEMU_RUN) -cdrom $(OUT)/umbra.iso; s=$$?; \
	if [ $$s -eq 1 ]; then echo "make run: umbra reported pass"; \
	elif [ $$s -eq 3 ]; then echo "make run: umbra reported FAIL"; exit 1; \
	else echo "make run: QEMU exited with status $$s"; fi

else
# ---------------------------------------------------------------- arm64 test guests
# ELF64 kernels entered at EL1 (docs/arm64.md), each built from
# tests/guests/arm64/<name>/*.c *.S, the library tests/guests/arm64/lib/ and
# tests/guests/common/ (shared with the x86 guests, objects in obj/common/).
A64_GUEST_CFLAGS := -std=gnu11 -g -O2 -Itests/guests/arm64/lib -Itests/guests/common $(WARN) \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-pic -fno-pie -fno-common \
	-fno-strict-aliasing -fno-asynchronous-unwind-tables -march=armv8-a -mgeneral-regs-only \
	-mstrict-align
ifneq ($(CLANG),)
A64_GUEST_CFLAGS += --target=$(CLANG_TARGET) -Wno-unused-command-line-argument
endif
A64_GUEST_ASFLAGS := $(A64_GUEST_CFLAGS) -D__ASSEMBLY__ -Wa,--noexecstack
A64_GUEST_OBJ := $(OUT)/guests/obj
a64_guest_objs = $(patsubst tests/guests/arm64/%,$(A64_GUEST_OBJ)/%.o,$(basename $(sort \
	$(wildcard tests/guests/arm64/$(1)/*.c tests/guests/arm64/$(1)/*.S))))
A64_GUEST_LIB_OBJS := $(call a64_guest_objs,lib) $(patsubst tests/guests/%.c,$(A64_GUEST_OBJ)/%.o, \
	$(sort $(wildcard tests/guests/common/*.c)))

$(A64_GUEST_OBJ)/common/%.o: tests/guests/common/%.c
	@mkdir -p $(dir $@)
	$(CC) $(A64_GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(A64_GUEST_OBJ)/%.o: tests/guests/arm64/%.c
	@mkdir -p $(dir $@)
	$(CC) $(A64_GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(A64_GUEST_OBJ)/%.o: tests/guests/arm64/%.S
	@mkdir -p $(dir $@)
	$(CC) $(A64_GUEST_ASFLAGS) -MMD -MP -c $< -o $@

$(OUT)/guest.ld: linker/guest-arm64.ld.S
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -D__ASSEMBLY__ $< -o $@

define A64_GUEST_RULE
$(OUT)/guests/$(1).elf: $(call a64_guest_objs,$(1)) $(A64_GUEST_LIB_OBJS) $(OUT)/guest.ld
	$$(KLD) -nostdlib -static -z max-page-size=4096 -z noexecstack \
		-T $(OUT)/guest.ld -o $$@ $(call a64_guest_objs,$(1)) $(A64_GUEST_LIB_OBJS)
endef
$(foreach g,$(A64_GUESTS),$(eval $(call A64_GUEST_RULE,$(g))))

-include $(wildcard $(A64_GUEST_OBJ)/*/*.d)

guests: $(A64_GUEST_ELFS)

# ---------------------------------------------------------------- arm64 boot
# The guest bundle (scripts/mkbundle, a newc cpio archive) given as the initrd.
A64_BUNDLE_GUESTS := hello
A64_CMDLINE_hello := name=hello mem=64M -- greetings from the bundle
A64_BUNDLE_ARGS = $(foreach g,$(A64_BUNDLE_GUESTS),"$(OUT)/guests/$(g).elf $(A64_CMDLINE_$(g))")
HV_CMDLINE ?=

$(OUT)/guests.cpio: $(A64_GUEST_ELFS) scripts/mkbundle
	$(PYTHON) scripts/mkbundle $@ $(A64_BUNDLE_ARGS)

iso: $(OUT)/guests.cpio

# Boot umbra under QEMU's virt machine at EL2 with the serial console on this
# terminal. umbra leaves through semihosting: status 0 means pass, 1 fail.
QEMU_RUN := qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -accel tcg -cpu max \
	-m 512M -nographic -no-reboot -semihosting-config enable=on,target=native
run: $(OUT)/umbra.bin $(OUT)/guests.cpio
	$(call need,qemu-system-aarch64)
	@echo "make run: booting $(OUT)/umbra.bin under qemu-system-aarch64 (Ctrl-A X quits)"
	@$(QEMU_RUN) -kernel $(OUT)/umbra.bin -initrd $(OUT)/guests.cpio -append "$(HV_CMDLINE)"; s=$$?; \
	if [ $$s -eq 0 ]; then echo "make run: umbra reported pass"; \
	elif [ $$s -eq 1 ]; then echo "make run: umbra reported FAIL"; exit 1; \
	else echo "make run: QEMU exited with status $$s"; fi
endif

# ---------------------------------------------------------------- tests
# The boot tests take both architectures' images whatever ARCH is: x86_64's
# umbra.elf, guests and ISO, and arm64's umbra.bin and guests (sub-makes, so
# each is built with its own ARCH's flags and tools).
TEST_OUT := $(BUILD)/test
BOOT_TEST_IMAGES = $(MAKE) --no-print-directory ARCH=x86_64 all iso && \
	$(MAKE) --no-print-directory ARCH=arm64 all
test: $(UNIT_OUT)/unit-tests
	$(call need,qemu-system-x86_64)$(call need,bochs)$(call need,qemu-system-aarch64)
	$(BOOT_TEST_IMAGES)
	@mkdir -p $(TEST_OUT)
	@rm -f $(TEST_OUT)/*.xml $(TEST_OUT)/*.rc
	$(UNIT_RUN) --jobs 2 --xml=$(TEST_OUT)/unit.xml; echo $$? > $(TEST_OUT)/unit.rc
	$(PYTHON) -m pytest tests/boot -v -rfE --junitxml=$(TEST_OUT)/boot.xml; echo $$? > $(TEST_OUT)/boot.rc
	@$(PYTHON) scripts/test-summary $(TEST_OUT)/unit.xml $(TEST_OUT)/unit.rc \
		$(TEST_OUT)/boot.xml $(TEST_OUT)/boot.rc

unit: $(UNIT_OUT)/unit-tests
	@mkdir -p $(TEST_OUT)
	$(UNIT_RUN) --jobs 2 --xml=$(TEST_OUT)/unit.xml; echo $$? > $(TEST_OUT)/unit.rc
	@$(PYTHON) scripts/test-summary $(TEST_OUT)/unit.xml $(TEST_OUT)/unit.rc

boot-tests:
	$(call need,qemu-system-x86_64)$(call need,bochs)$(call need,qemu-system-aarch64)
	$(BOOT_TEST_IMAGES)
	@mkdir -p $(TEST_OUT)
	$(PYTHON) -m pytest tests/boot -v -rfE --junitxml=$(TEST_OUT)/boot.xml; echo $$? > $(TEST_OUT)/boot.rc
	@$(PYTHON) scripts/test-summary $(TEST_OUT)/boot.xml $(TEST_OUT)/boot.rc

# ---------------------------------------------------------------- lint and size
# Both images' sources: the shared and x86 ones checked for x86_64, the arm64
# ones for aarch64 (each with its own vm_arch.h on the include path).
LINT_X86 := $(PURE_COMMON) $(PURE_X86) $(K_COMMON) $(K_X86)
LINT_ARM64 := $(PURE_ARM64) $(K_ARM64)
LINT_SRCS := $(LINT_X86) $(LINT_ARM64) $(wildcard include/*.h) \
	$(wildcard core/*.h arch/x86/*.h arch/arm64/*.h mm/*.h boot/*.h drivers/*.h vmx_svm/*.h)
LINT_TIDY := $(filter-out -Werror,$(COMMON)) -ffreestanding -DUMBRA_VERSION=\"lint\"
lint:
	$(call need,clang-format)$(call need,cppcheck)$(call need,clang-tidy)
	clang-format --dry-run --Werror $(sort $(LINT_SRCS) $(wildcard tests/unit/*.[ch]))
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --std=c11 -I. -Iinclude -Iarch/x86 -DUMBRA_VERSION=\"lint\" \
		--suppress=missingIncludeSystem $(LINT_X86)
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
		--inline-suppr --std=c11 -I. -Iinclude -Iarch/arm64 -DUMBRA_VERSION=\"lint\" \
		--suppress=missingIncludeSystem $(LINT_ARM64) core/vm.c
	clang-tidy --quiet $(LINT_X86) -- $(LINT_TIDY) -Iarch/x86 --target=x86_64-unknown-none-elf
	clang-tidy --quiet $(LINT_ARM64) core/vm.c -- $(LINT_TIDY) -Iarch/arm64 \
		--target=aarch64-unknown-none-elf -mgeneral-regs-only
	@echo "lint: clean"

# Lines of code (cloc: no blanks, no comments) of exactly the files the image
# compiles: its sources and every header they include (from the .d files).
tcb: $(OUT)/umbra.elf
	$(call need,cloc)
	@$(PYTHON) scripts/tcb $(OUT) $(K_OBJS)

clean:
	rm -rf $(BUILD)
.SECONDARY:

# ---------------------------------------------------------------- benchmarks
# Counted in instructions, never timed (docs/performance.md). Host benchmarks
# by valgrind's callgrind: the engine is built from the image's own sources, at
# -O2 without sanitizers; tests/bench supplies phys_to_virt over host memory.
# Engine objects get -ffreestanding -fno-builtin as in the image, so gcc emits
# no calls to the host libc (whose memset varies with the CPU) from them.
# Shadow paging on SVM: the shadowbench guest under the x86_64 image in QEMU
# with -icount (its TSC counts instructions), with NPT and with tdp=off, each
# twice; the figures are written into docs/performance.md. The x86_64 image
# and guest come from a sub-make, so `make ARCH=arm64 bench` works too. The
# cost part (exits per lane, boot, memory per VM, TCB) needs both images.
BENCH_OUT := $(BUILD)/bench
BENCH_CFLAGS := $(COMMON) -O2
BENCH_ENGINE := mm/pt.c mm/pt_x86.c mm/pt_arm64.c mm/palloc.c core/format.c
BENCH_SRCS := $(BENCH_ENGINE) tests/bench/pt_bench.c tests/bench/bench_env.c
BENCH_OBJS := $(patsubst %.c,$(BENCH_OUT)/%.o,$(BENCH_SRCS))
BENCH_X86 := $(BUILD)/x86_64

.PHONY: bench
bench: $(BENCH_OUT)/pt_bench
	$(call need,valgrind)$(call need,qemu-system-x86_64)$(call need,qemu-system-aarch64)
	$(call need,bochs)
	@$(MAKE) --no-print-directory ARCH=x86_64 all
	@$(MAKE) --no-print-directory ARCH=arm64 all
	@$(MAKE) --no-print-directory ARCH=x86_64 tcb > $(BENCH_OUT)/tcb-x86_64.txt
	@$(MAKE) --no-print-directory ARCH=arm64 tcb > $(BENCH_OUT)/tcb-arm64.txt
	@$(PYTHON) scripts/bench --bin $< --umbra $(BENCH_X86)/umbra.elf \
		--guest $(BENCH_X86)/guests/shadowbench.elf --shadow-runs 2 --build $(BUILD) \
		--bochs --doc docs/performance.md

$(patsubst %.c,$(BENCH_OUT)/%.o,$(BENCH_ENGINE)): BENCH_CFLAGS += -ffreestanding -fno-builtin

$(BENCH_OUT)/%.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BENCH_CFLAGS) -MMD -MP -c $< -o $@

$(BENCH_OUT)/pt_bench: $(BENCH_OBJS)
	$(HOSTCC) $(COMMON) -O2 -o $@ $^

-include $(BENCH_OBJS:.o=.d)
