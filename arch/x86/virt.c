/* virt.c: choosing the x86 virtualization back end this CPU can use. */
#include "core/arch.h"
#include "core/log.h"
#include "vmx_svm/svm_backend.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "vmx_svm/features.h"

bool arch_virt_init(struct palloc *pa)
{
	vendor = svm_probe(pa);
	if (vendor)
		return true;
	if (cpuid(1, 0).ecx & CPUID_1_ECX_VMX)
		pr_err("vmx: this CPU has Intel VMX, whose back end is not built yet; "
		       "guests run on AMD SVM only for now\n");
	else
		pr_err("virt: no usable SVM with nested paging on this CPU\n");
	return false;
}

/* 0x100000 ticks at the bus clock divided by 16: about 16.8 ms on QEMU's
 * 1 GHz APIC clock; the length on real hardware follows its bus clock. */
#define SLICE_TICKS 0x100000

bool arch_slice_init(void)
{
	return lapic_init();
}

void arch_slice_start(void)
{
	lapic_timer_oneshot(SLICE_TICKS);
}

void arch_slice_stop(void)
{
	lapic_timer_stop();
}
