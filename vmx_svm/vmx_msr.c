/* vmx_msr.c: the guest MSRs VMX keeps in the VMCS, and the SYSCALL ones it does not switch at all. */
#include "arch/x86/cpu.h"
#include "core/vm.h"
#include "vmx_svm/vmx_backend.h"

/*
 * A VM exit switches EFER, PAT, the SYSENTER MSRs and the FS/GS bases
 * through the VMCS, but not STAR, LSTAR, CSTAR, SFMASK or KERNEL_GS_BASE.
 * umbra itself never uses SYSCALL or SWAPGS, so those five can hold a
 * guest's values while umbra runs: they are swapped only when another
 * vCPU enters (the "lazy" owner), and read from the CPU while their owner
 * is loaded, since the guest's SWAPGS changes KERNEL_GS_BASE without an exit.
 */
#define EFER_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)

static const u32 lazy_index[NR_LAZY_MSRS] = {
	[LAZY_STAR] = MSR_STAR,	    [LAZY_LSTAR] = MSR_LSTAR,	     [LAZY_CSTAR] = MSR_CSTAR,
	[LAZY_SFMASK] = MSR_SFMASK, [LAZY_KGS] = MSR_KERNEL_GS_BASE,
};
static struct vcpu *lazy_owner;

void vmx_msrs_load(struct vcpu *v)
{
	if (lazy_owner == v)
		return;
	if (lazy_owner)
		for (int i = 0; i < NR_LAZY_MSRS; i++)
			vmx_of(lazy_owner)->lazy[i] = rdmsr(lazy_index[i]);
	for (int i = 0; i < NR_LAZY_MSRS; i++)
		wrmsr(lazy_index[i], vmx_of(v)->lazy[i]);
	lazy_owner = v;
}

void vmx_msrs_forget(struct vcpu *v)
{
	if (lazy_owner == v)
		lazy_owner = NULL;
}

static int lazy_slot(u32 index)
{
	for (int i = 0; i < NR_LAZY_MSRS; i++)
		if (lazy_index[i] == index)
			return i;
	return -1;
}

/* The VMCS guest-state field an MSR lives in, or 0. */
static enum vmcs_field vmcs_slot(u32 index)
{
	switch (index) {
	case MSR_SYSENTER_CS:
		return VMCS_GUEST_SYSENTER_CS;
	case MSR_SYSENTER_ESP:
		return VMCS_GUEST_SYSENTER_ESP;
	case MSR_SYSENTER_EIP:
		return VMCS_GUEST_SYSENTER_EIP;
	case MSR_FS_BASE:
		return VMCS_GUEST_FS_BASE;
	case MSR_GS_BASE:
		return VMCS_GUEST_GS_BASE;
	case MSR_IA32_PAT:
		return VMCS_GUEST_PAT;
	default:
		return VMCS_VPID; /* encoding 0: "none" here */
	}
}

bool vmx_msr_read(struct vcpu *v, u32 index, u64 *val)
{
	enum vmcs_field f = vmcs_slot(index);
	int slot = lazy_slot(index);

	if (index == MSR_EFER) {
		*val = vmx_guest_efer(v);
	} else if (index == MSR_IA32_TSC) {
		*val = rdtsc(); /* what RDTSC reads in the guest */
		if (vmx_cfg.proc & PROC_TSC_OFFSET)
			*val += vmread(VMCS_TSC_OFFSET);
	} else if (f != VMCS_VPID) {
		*val = vmread(f);
	} else if (slot >= 0) {
		*val = lazy_owner == v ? rdmsr(index) : vmx_of(v)->lazy[slot];
	} else {
		return false;
	}
	return true;
}

/*
 * EPT: the guest's EFER is the VMCS field. Shadow paging: it is the vCPU's
 * copy, and a change (NXE changes what the shadow entries must say) goes
 * through vmx_set_paging, which loads the root for it and writes the
 * hardware EFER and the IA-32e mode entry control.
 */
static bool efer_write(struct vcpu *v, u64 val)
{
	struct vmx_paging_regs old, n;
	int r;

	vmx_paging_regs_read(v, &old);
	if (val & ~(EFER_WRITABLE | EFER_LMA))
		return false;
	if ((val & EFER_NXE) && !(cpuid(0x80000001, 0).edx & CPUID_EXT_EDX_NX))
		return false;
	/* LME may not change while paging is on; LMA is the CPU's to set. */
	if ((old.cr0 & CR0_PG) && ((val ^ old.efer) & EFER_LME))
		return false;
	n = old;
	n.efer = (val & EFER_WRITABLE) | (old.efer & EFER_LMA);
	if (!vmx_of(v)->shadow) {
		vmwrite(VMCS_GUEST_EFER, n.efer);
		return true;
	}
	if (n.efer == old.efer)
		return true;
	r = vmx_set_paging(v, &n, &old);
	if (r == CR_OK && ((n.efer ^ old.efer) & EFER_NXE))
		v->vm->tlb_flush = true; /* the VPID's entries were made under the old NXE */
	/* CR_ENDED: the VM is over, there is nothing left to fault. */
	return r != CR_GP;
}

bool vmx_msr_write(struct vcpu *v, u32 index, u64 val)
{
	enum vmcs_field f = vmcs_slot(index);
	int slot = lazy_slot(index);

	if (index == MSR_EFER)
		return efer_write(v, val);
	if (index == MSR_IA32_TSC) {
		if (!(vmx_cfg.proc & PROC_TSC_OFFSET))
			return false;
		vmwrite(VMCS_TSC_OFFSET, val - rdtsc());
		return true;
	}
	/* vcpu.c checked canonical addresses and PAT memory types. */
	if (f != VMCS_VPID) {
		vmwrite(f, index == MSR_SYSENTER_CS ? (val & 0xFFFF) : val);
		return true;
	}
	if (slot < 0)
		return false;
	vmx_of(v)->lazy[slot] = val;
	if (lazy_owner == v)
		wrmsr(index, val);
	return true;
}
