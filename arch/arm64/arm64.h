/* arm64.h: what the arm64 files of umbra share with each other. */
#ifndef UMBRA_ARM64_H
#define UMBRA_ARM64_H

#include "compiler.h"
#include "boot/boot_info.h"
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

/* boot.c: the devices the device tree named. */
const struct boot_devices *arm64_devices(void);

/* gic.c: acknowledge the interrupt that made the guest exit; true when it
 * was the slice timer (the vCPU's slice is over). */
bool arm64_irq_ack(void);

/* paging.c: clean and invalidate the data cache for [va, va + size) to the
 * point of coherency, then the instruction cache. */
void dcache_clean_range(u64 va, u64 size);

#endif
