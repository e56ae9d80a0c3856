/* vmx_backend.h: what the VMX back end's files share: VMCS access, the per-vCPU state, and the probe. */
#ifndef UMBRA_VMX_BACKEND_H
#define UMBRA_VMX_BACKEND_H

#include "mm/palloc.h"
#include "vmx_svm/vcpu.h"
#include "vmx_svm/vmx.h"
#include "vmx_svm/vmx_caps.h"

extern const struct vendor_ops vmx_ops;

/* VMX with what umbra needs on this CPU: enable it and return the back end,
 * else NULL after saying why. */
const struct vendor_ops *vmx_probe(struct palloc *pa);

/* The MSRs VMX does not switch (SYSCALL's, KERNEL_GS_BASE): umbra keeps the
 * guest's copy here and in the CPU while the vCPU is loaded (vmx_msr.c). */
enum vmx_lazy_msr { LAZY_STAR, LAZY_LSTAR, LAZY_CSTAR, LAZY_SFMASK, LAZY_KGS, NR_LAZY_MSRS };

struct vmx_vcpu {
	u64 vmcs_pa;
	bool launched;	/* VMLAUNCH done: the next entry is VMRESUME */
	bool shadow;	/* the VM runs on shadow paging (vm_uses_shadow), not EPT */
	bool requeued;	/* an event the last exit interrupted is set up for the next entry */
	u64 exit_rip;	/* RIP at the last exit: a different one on entry moved past an insn */
	u64 cr0_shadow; /* CR0 and CR4 as the guest set them (the read shadows) */
	u64 cr4_shadow;
	u64 cr0_mask; /* the guest/host masks of this VM's kind (vmx_controls_for) */
	u64 cr4_mask;
	/* Shadow paging only: the guest's CR3 and EFER. The VMCS holds the
	 * hardware values (the shadow root, vshadow_hw_efer), see vshadow.h. */
	u64 cr3;
	u64 efer;
	u64 cr8; /* the task priority the guest set (CR8 moves exit) */
	u64 cr2; /* the guest's CR2: VMX does not switch it */
	u64 lazy[NR_LAZY_MSRS];
};

/* The capability MSRs as read at boot, and the controls built from them (vmx.c). */
extern struct vmx_caps vmx_caps_raw;
extern struct vmx_config vmx_cfg;

/* One VMCS is current on the CPU; reads and writes go to it. A failed
 * VMWRITE is an umbra bug (a field the CPU lacks): counted and reported. */
static inline u64 vmread(enum vmcs_field f)
{
	u64 v;
	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((u64)f) : "cc");
	return v;
}

void vmx_write_failed(enum vmcs_field f, u64 v);

static inline void vmwrite(enum vmcs_field f, u64 v)
{
	u8 bad;
	__asm__ volatile("vmwrite %2, %1; setbe %0" : "=q"(bad) : "r"((u64)f), "rm"(v) : "cc");
	if (unlikely(bad))
		vmx_write_failed(f, v);
}

/* Loads the vCPU's VMCS if another one is current (vmx.c). */
void vmx_load(struct vcpu *v);
struct vmx_vcpu *vmx_of(const struct vcpu *v);

/* The guest's paging and control registers, guest values (vmx_cr.c). */
u64 vmx_guest_cr0(struct vcpu *v);
u64 vmx_guest_cr3(struct vcpu *v);
u64 vmx_guest_cr4(struct vcpu *v);
u64 vmx_guest_efer(struct vcpu *v);
void vmx_paging(struct vcpu *v, struct vcpu_paging *p);
/* The guest's operand size and privilege (vmx_cr.c; vmx_paging and the VMCALL decode). */
struct vcpu_mode vmx_mode(struct vcpu *v);
u64 vmx_cr_read(struct vcpu *v, unsigned cr);
int vmx_cr_write(struct vcpu *v, unsigned cr, u64 val);

/* The registers that decide how the guest's addresses translate. */
struct vmx_paging_regs {
	u64 cr0, cr3, cr4, efer;
};
void vmx_paging_regs_read(struct vcpu *v, struct vmx_paging_regs *r);
/*
 * Make n (guest values, already checked) the guest's paging state: for a
 * shadow-paged VM first load the shadow root for it (vshadow_switch, whose
 * CR_GP or CR_ENDED is returned with nothing changed); then write the read
 * shadows, the values the CPU runs with, and the IA-32e mode entry control.
 * old is the state before (NULL at the start: everything is written).
 */
int vmx_set_paging(struct vcpu *v, const struct vmx_paging_regs *n,
		   const struct vmx_paging_regs *old);

/* Lazy MSRs: put this vCPU's in the CPU before entering it (vmx_msr.c). */
void vmx_msrs_load(struct vcpu *v);
void vmx_msrs_forget(struct vcpu *v);
bool vmx_msr_read(struct vcpu *v, u32 index, u64 *val);
bool vmx_msr_write(struct vcpu *v, u32 index, u64 val);

/* Fill *e from the current VMCS after an exit (vmx_exit.c); and after a
 * failed VMLAUNCH/VMRESUME, say why in e->why. */
void vmx_decode_exit(struct vcpu *v, struct vm_exit *e);
void vmx_entry_failed(struct vcpu *v, struct vm_exit *e, int rc);

/* vmx_entry.S: enter the guest; 0 after a VM exit, 1 VMfailInvalid, 2 VMfailValid. */
int vmx_enter(u64 *gprs, int launched);
void vmx_exit_point(void);

#endif
