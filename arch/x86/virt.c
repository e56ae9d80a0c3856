/* virt.c: choosing the x86 virtualization back end this CPU can use. */
#include "core/arch.h"
#include "core/kstring.h"
#include "core/log.h"
#include "core/vm.h"
#include "vmx_svm/svm_backend.h"
#include "vmx_svm/vmx_backend.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "vmx_svm/features.h"
#include "vmx_svm/vshadow.h"

bool arch_virt_init(struct palloc *pa)
{
	if (cpuid(0x80000001, 0).ecx & CPUID_80000001_ECX_SVM)
		vendor = svm_probe(pa);
	else if (cpuid(1, 0).ecx & CPUID_1_ECX_VMX)
		vendor = vmx_probe(pa);
	else
		pr_err("virt: this CPU has neither AMD SVM nor Intel VMX\n");
	return vendor != NULL;
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

/* ---------------------------------------------------------------- VMs */

u64 arch_guest_ram_base(void)
{
	return 0;
}

int arch_vm_init(struct vm *vm, const struct guest_start *start, char *err, size_t errlen)
{
	if (start->mode != GUEST_MODE_PROT32 && start->mode != GUEST_MODE_LONG64) {
		ksnprintf(err, errlen, "the image is not an x86 guest");
		return -1;
	}
	if (vendor->vm_init(vm)) {
		ksnprintf(err, errlen, "out of memory for its tables");
		return -1;
	}
	if (vendor->vcpu_init(&vm->vcpu, start, err, errlen))
		return -1;
	return 0;
}

void arch_vm_free(struct vm *vm)
{
	vcpu_forget(&vm->vcpu);
	if (vm->vcpu.vendor)
		vendor->vcpu_free(&vm->vcpu);
	if (vm->tdp.root.val || vm_uses_shadow(vm))
		vendor->vm_free(vm);
}

int arch_vm_describe(const struct vm *vm, char *buf, size_t len)
{
	const char *paging = vm_uses_shadow(vm) ? "shadow" : vendor->tdp_name;

	if (!vm->asid)
		return ksnprintf(buf, len, "%s %s %s=off", vendor->name, paging, vendor->tag_name);
	if (vm_uses_shadow(vm))
		return ksnprintf(buf, len, "%s shadow %s=%u shadow_pages=%u", vendor->name,
				 vendor->tag_name, vm->asid, vm->arch.shadow->budget);
	return ksnprintf(buf, len, "%s %s %s=%u", vendor->name, paging, vendor->tag_name, vm->asid);
}

void arch_vm_report(const struct vm *vm)
{
	vshadow_report(vm);
}

/* Every VM slot has a record in the back end's vCPU array and one in
 * vshadow.c's shadow MMU array, used or not. */
u64 arch_vm_static_bytes(void)
{
	u64 vcpu = vendor == &vmx_ops ? sizeof(struct vmx_vcpu) : sizeof(struct svm_vcpu);

	return vcpu + sizeof(struct shadow_mmu);
}

/* ---------------------------------------------------------------- boot cost */

/* Under QEMU -icount shift=0 the TSC advances by one per instruction. */
u64 arch_boot_counter(const char **what)
{
	*what = "TSC ticks (instructions under QEMU -icount shift=0)";
	return rdtsc();
}
