/* cpu_report.c: what this arm64 CPU offers umbra at EL2, in one line. */
#include "arch/arm64/arm64.h"
#include "arch/arm64/sysreg.h"
#include "core/arch.h"
#include "core/console.h"
#include "mm/stage2.h"

u32 cpu_pa_bits(void)
{
	u32 bits = 32;

	stage2_pa_range_bits((u32)FIELD_GET(ID_AA64MMFR0_PARANGE, read_sysreg(id_aa64mmfr0_el1)),
			     &bits);
	return bits;
}

u32 cpu_vmid_bits(void)
{
	return FIELD_GET(ID_AA64MMFR1_VMIDBITS, read_sysreg(id_aa64mmfr1_el1)) == 2 ? 16 : 8;
}

void arch_cpu_report(void)
{
	u64 mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	u64 pfr0 = read_sysreg(id_aa64pfr0_el1);

	kprintf("arm64: parange=%u vmid_bits=%u vhe=%u gicv3=%u\n", cpu_pa_bits(), cpu_vmid_bits(),
		FIELD_GET(ID_AA64MMFR1_VH, mmfr1) ? 1 : 0,
		FIELD_GET(ID_AA64PFR0_GIC, pfr0) ? 1 : 0);
}
