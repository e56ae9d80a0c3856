/* svm_backend.h: what the SVM back end's files share, and how the rest of umbra finds it. */
#ifndef UMBRA_SVM_BACKEND_H
#define UMBRA_SVM_BACKEND_H

#include "mm/palloc.h"
#include "vmx_svm/features.h"
#include "vmx_svm/svm.h"
#include "vmx_svm/vcpu.h"

extern const struct vendor_ops svm_ops;

/* What this CPU's SVM offers (svm.c, read once by svm_probe). */
extern struct svm_features svm_feat;

/* SVM usable on this CPU: enable it and return the back end, else NULL.
 * Without NPT every VM runs on shadow paging. */
const struct vendor_ops *svm_probe(struct palloc *pa);

/* The back end's per-vCPU state. */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	bool ran;
	/* Shadow paging only: the guest's own CR0, CR3, CR4 and EFER (EFER
	 * without SVME); the VMCB holds the hardware values (vshadow.h). */
	u64 guest_cr0, guest_cr3, guest_cr4, guest_efer;
};

static inline struct svm_vcpu *svm_of(const struct vcpu *v)
{
	return v->vendor;
}

/* The VMCB of a vCPU (svm.c). */
struct vmcb *svm_vmcb(struct vcpu *v);

/* MSRs kept in the VMCB (svm_msr.c). */
bool svm_msr_read(struct vcpu *v, u32 index, u64 *val);
bool svm_msr_write(struct vcpu *v, u32 index, u64 val);

/* Shadow paging (svm_shadow.c). */
/* Intercepts and nested paging off, on top of the NPT VM's controls. */
void svm_shadow_control(struct vmcb_control *c);
/* The start state in the VMCB is the guest's: keep it as guest values and
 * load the hardware ones with the first shadow root. Fills err on failure. */
int svm_shadow_start(struct vcpu *v, char *err, size_t errlen);
/* MOV to CR0, CR3 or CR4 (checked by vcpu.c): CR_OK, CR_GP or CR_ENDED. */
int svm_shadow_cr_write(struct vcpu *v, unsigned cr, u64 val);
/* WRMSR EFER with a checked guest value (LMA kept): false means #GP. */
bool svm_shadow_efer_write(struct vcpu *v, u64 efer);
/* The exits only shadow-paged VMs take: #PF, INVLPG, CR accesses. */
void svm_shadow_decode(struct vcpu *v, struct vm_exit *e);

#endif
