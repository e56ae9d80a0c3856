/* arch.h: the interface generic code uses to reach the architecture, chosen at link time. */
#ifndef UMBRA_ARCH_H
#define UMBRA_ARCH_H

#include "boot/boot_info.h"
#include "core/cmdline.h"
#include "mm/palloc.h"
#include "types.h"

/* "x86_64" or "arm64". */
const char *arch_name(void);
/* Move the console to what console= named; false if that device is absent. */
bool arch_console_select(enum console_kind kind);
/* Descriptor tables and exception handling for the boot CPU. */
void arch_cpu_init(void);
/* Build and switch to the hypervisor's own page tables (W^X image, RAM NX). */
int arch_paging_init(struct palloc *pa, const struct boot_info *bi);
/* One line per virtualization feature set the CPU offers. */
void arch_cpu_report(void);
/* Turn on hardware virtualization for running guests; false (with the reason
 * printed) when this CPU offers nothing umbra can use. */
bool arch_virt_init(struct palloc *pa);
/* Time slices for guests: a host timer whose interrupt makes the running
 * guest exit. arch_slice_start arms one slice (about 16 ms). */
bool arch_slice_init(void);
void arch_slice_start(void);
void arch_slice_stop(void);
/* Per-VM hardware state, for core/vm.c. */
struct vm;
struct guest_start;
/* Guest-physical address where a VM's RAM starts (x86 0, arm64 0x40000000). */
u64 arch_guest_ram_base(void);
/* After the image is loaded into vm->mem: the TDP or stage-2 table, the
 * address-space tag and the vCPU at its start state. On failure writes the
 * reason into err and returns negative; arch_vm_free then undoes the rest. */
int arch_vm_init(struct vm *vm, const struct guest_start *start, char *err, size_t errlen);
void arch_vm_free(struct vm *vm);
/* How the VM runs, for its "created" line: "svm npt asid=1", "el2 stage2 vmid=1 ipa=40". */
int arch_vm_describe(const struct vm *vm, char *buf, size_t len);
/* Architecture counters for the VM's end-of-run report (x86: shadow paging). */
void arch_vm_report(const struct vm *vm);
/* Bytes each VM slot has in the architecture's static per-VM arrays, beside
 * struct vm (x86: the back end's vCPU record and the shadow MMU record). */
u64 arch_vm_static_bytes(void);

/*
 * Boot cost. The entry code (boot/x86/entry.S, boot/arm64/entry.S) reads a
 * counter among umbra's first instructions into boot_counter_start;
 * arch_boot_counter reads the same counter now and sets *what to its name
 * and meaning, e.g. "TSC ticks (instructions under QEMU -icount shift=0)".
 */
extern u64 boot_counter_start;
u64 arch_boot_counter(const char **what);

/* Raise a breakpoint trap and return how many the handler has seen in all. */
u64 arch_breakpoint_selftest(void);

/* Effective permissions of one hypervisor virtual address. */
struct arch_map_info {
	bool present;
	bool writable;
	bool executable;
};
struct arch_map_info arch_paging_query(u64 va);

/* Touch an address nothing maps; never returns (the fault report ends the run). */
__attribute__((noreturn)) void arch_selftest_pagefault(void);

#endif
