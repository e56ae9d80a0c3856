/* arm64.h: what the arm64 files of umbra share with each other. */
#ifndef UMBRA_ARM64_H
#define UMBRA_ARM64_H

#include "compiler.h"
#include "mm/pt.h"
#include "types.h"

/* trap.c: umbra's own exceptions. */
u64 trap_breakpoint_count(void);

/* platform.c: how the run ends (PSCI from the device tree). */
void platform_set_psci(bool present, bool smc);

/* cpu_report.c: the CPU's physical address range in bits (ID_AA64MMFR0_EL1). */
u32 cpu_pa_bits(void);
/* VMID width: 8 or 16. */
u32 cpu_vmid_bits(void);

/* paging.c: clean the data cache for [va, va + size) to the point of coherency. */
void dcache_clean_range(u64 va, u64 size);

#endif
