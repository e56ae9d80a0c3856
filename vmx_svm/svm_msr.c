/* svm_msr.c: the guest MSRs whose values live in the VMCB, with the checks the CPU would make. */
#include "vmx_svm/svm_backend.h"

#include "arch/x86/cpu.h"
#include "core/vm.h"
#include "vmx_svm/vshadow.h"

#define EFER_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)

/* The 64-bit MSR slots of the save area, by index. */
static u64 *slot(struct vmcb_save *s, u32 index)
{
	switch (index) {
	case MSR_SYSENTER_CS:
		return &s->sysenter_cs;
	case MSR_SYSENTER_ESP:
		return &s->sysenter_esp;
	case MSR_SYSENTER_EIP:
		return &s->sysenter_eip;
	case MSR_STAR:
		return &s->star;
	case MSR_LSTAR:
		return &s->lstar;
	case MSR_CSTAR:
		return &s->cstar;
	case MSR_SFMASK:
		return &s->sfmask;
	case MSR_FS_BASE:
		return &s->fs.base;
	case MSR_GS_BASE:
		return &s->gs.base;
	case MSR_KERNEL_GS_BASE:
		return &s->kernel_gs_base;
	default:
		return NULL;
	}
}

bool svm_msr_read(struct vcpu *v, u32 index, u64 *val)
{
	struct vmcb_save *s = &svm_vmcb(v)->save;
	u64 *p = slot(s, index);

	if (index == MSR_EFER) {
		/* The guest sees no SVM; under shadow paging, its own value. */
		*val = vm_uses_shadow(v->vm) ? svm_of(v)->guest_efer : s->efer & ~EFER_SVME;
		return true;
	}
	if (index == MSR_IA32_PAT) {
		*val = s->g_pat;
		return true;
	}
	if (index == MSR_IA32_TSC) {
		*val = rdtsc() + svm_vmcb(v)->ctl.tsc_offset; /* what RDTSC reads in the guest */
		return true;
	}
	if (!p)
		return false;
	*val = *p;
	return true;
}

static bool efer_write(struct vcpu *v, struct vmcb *vmcb, u64 val)
{
	bool shadow = vm_uses_shadow(v->vm);
	u64 old = shadow ? svm_of(v)->guest_efer : vmcb->save.efer;
	u64 cr0 = shadow ? svm_of(v)->guest_cr0 : vmcb->save.cr0;

	if (val & ~(EFER_WRITABLE | EFER_LMA))
		return false;
	/* LME may not change while paging is on. */
	if ((cr0 & CR0_PG) && ((val ^ old) & EFER_LME))
		return false;
	if (shadow)
		return svm_shadow_efer_write(v, (val & EFER_WRITABLE) | (old & EFER_LMA));
	vmcb->save.efer = (val & EFER_WRITABLE) | (old & EFER_LMA) | EFER_SVME;
	vmcb->ctl.clean &= ~SVM_CLEAN_CRX;
	return true;
}

bool svm_msr_write(struct vcpu *v, u32 index, u64 val)
{
	struct vmcb *vmcb = svm_vmcb(v);
	u64 *p = slot(&vmcb->save, index);

	if (index == MSR_EFER)
		return efer_write(v, vmcb, val);
	if (index == MSR_IA32_PAT) { /* vcpu.c checked the value */
		vmcb->save.g_pat = val;
		vmcb->ctl.clean &= ~SVM_CLEAN_NP;
		return true;
	}
	if (index == MSR_IA32_TSC) {
		vmcb->ctl.tsc_offset = val - rdtsc();
		vmcb->ctl.clean &= ~SVM_CLEAN_INTERCEPTS; /* the TSC offset's clean bit */
		return true;
	}
	if (!p)
		return false; /* canonical addresses: vcpu.c checked */
	if (index == MSR_SYSENTER_CS)
		val &= 0xFFFF;
	*p = val;
	return true;
}
