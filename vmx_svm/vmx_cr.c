/* vmx_cr.c: the guest's paging registers on VMX: CR0/CR4 behind their read shadows, CR3, CR8, EFER, and PAE's PDPTEs. */
#include "arch/x86/cpu.h"
#include "core/vm.h"
#include "vmx_svm/vmx_backend.h"
#include "vmx_svm/vshadow.h"

/*
 * Host-owned CR0/CR4 bits (the VM's cr0_mask/cr4_mask: what VMX forces,
 * what the CPU does not allow, the hidden features' CR4 bits, and under
 * shadow paging the paging controls) are read from the shadows; the guest
 * owns the rest and changes them without an exit. A MOV that would change a
 * host-owned bit exits, vcpu.c checks the value against the architecture's
 * rules, and vmx_cr_write below performs it, doing what the CPU does on
 * such a MOV: switching IA-32e mode when CR0.PG changes under EFER.LME,
 * loading PAE's PDPTEs, and flushing translations.
 *
 * Two kinds of VM:
 *
 *               guest value (what it reads)      VMCS guest-state field (what the CPU runs)
 *   EPT    CR0  shadow & mask | field & ~mask    the guest's, with VMX's fixed bits
 *          CR3  the field                        the guest's
 *          EFER the field                        the guest's
 *   shadow CR0  as with EPT                      vshadow_hw_cr0(guest), fixed bits
 *          CR3  vmx_vcpu.cr3 (CR3 moves exit)    the shadow root from vshadow_switch
 *          CR4  as with EPT                      vshadow_hw_cr4(guest), fixed bits
 *          EFER vmx_vcpu.efer (WRMSR exits)      vshadow_hw_efer(guest)
 *
 * With EPT off the CPU loads PAE's PDPTEs at VM entry from the hardware
 * CR3, umbra's own PDPT page, so the VMCS PDPTE fields matter only for EPT
 * VMs; the guest's own PDPTEs are checked by vshadow_switch.
 */

u64 vmx_guest_cr0(struct vcpu *v)
{
	struct vmx_vcpu *s = vmx_of(v);
	return (vmread(VMCS_GUEST_CR0) & ~s->cr0_mask) | (s->cr0_shadow & s->cr0_mask);
}

u64 vmx_guest_cr4(struct vcpu *v)
{
	struct vmx_vcpu *s = vmx_of(v);
	return (vmread(VMCS_GUEST_CR4) & ~s->cr4_mask) | (s->cr4_shadow & s->cr4_mask);
}

u64 vmx_guest_cr3(struct vcpu *v)
{
	struct vmx_vcpu *s = vmx_of(v);
	return s->shadow ? s->cr3 : vmread(VMCS_GUEST_CR3);
}

u64 vmx_guest_efer(struct vcpu *v)
{
	struct vmx_vcpu *s = vmx_of(v);
	return s->shadow ? s->efer : vmread(VMCS_GUEST_EFER);
}

void vmx_paging_regs_read(struct vcpu *v, struct vmx_paging_regs *r)
{
	r->cr0 = vmx_guest_cr0(v);
	r->cr3 = vmx_guest_cr3(v);
	r->cr4 = vmx_guest_cr4(v);
	r->efer = vmx_guest_efer(v);
}

/* Operand size and privilege from the guest's EFER and CS/SS access rights. */
static struct vcpu_mode mode_from(u64 efer)
{
	u64 cs_ar = vmread(VMCS_GUEST_CS_AR);
	struct vcpu_mode m = {
		.bits = (cs_ar & VMX_AR_DB) ? 32 : 16,
		.cpl = (u8)FIELD_GET(VMX_AR_DPL, vmread(VMCS_GUEST_SS_AR)),
	};

	if ((efer & EFER_LMA) && (cs_ar & VMX_AR_L))
		m.bits = 64;
	return m;
}

struct vcpu_mode vmx_mode(struct vcpu *v)
{
	return mode_from(vmx_guest_efer(v));
}

void vmx_paging(struct vcpu *v, struct vcpu_paging *p)
{
	struct vcpu_mode m;

	p->cr0 = vmx_guest_cr0(v);
	p->cr3 = vmx_guest_cr3(v);
	p->cr4 = vmx_guest_cr4(v);
	p->efer = vmx_guest_efer(v);
	m = mode_from(p->efer);
	p->cpl = m.cpl;
	p->mode_bits = m.bits;
	p->cs_base = m.bits == 64 ? 0 : vmread(VMCS_GUEST_CS_BASE);
}

u64 vmx_cr_read(struct vcpu *v, unsigned cr)
{
	if (cr == 0)
		return vmx_guest_cr0(v);
	if (cr == 3)
		return vmx_guest_cr3(v);
	if (cr == 8)
		return vmx_of(v)->cr8;
	return vmx_guest_cr4(v);
}

/* Guest values in the shadows (and the vCPU's copies), hardware values in
 * the guest-state fields. EFER and the entry control change rarely: they
 * are written only when they do. */
static void write_paging(struct vcpu *v, const struct vmx_paging_regs *n,
			 const struct vmx_paging_regs *old, u64 hw_cr3)
{
	struct vmx_vcpu *s = vmx_of(v);
	u64 cr0 = n->cr0, cr4 = n->cr4, efer = n->efer;

	if (s->shadow) {
		cr0 = vshadow_hw_cr0(n->cr0);
		cr4 = vshadow_hw_cr4(n->cr4, n->efer);
		efer = vshadow_hw_efer(n->efer);
		s->cr3 = n->cr3;
		s->efer = n->efer;
	}
	s->cr0_shadow = n->cr0;
	s->cr4_shadow = n->cr4;
	vmwrite(VMCS_CR0_SHADOW, n->cr0);
	vmwrite(VMCS_CR4_SHADOW, n->cr4);
	vmwrite(VMCS_GUEST_CR0, vmx_cr0_real(&vmx_cfg, cr0));
	vmwrite(VMCS_GUEST_CR4, vmx_cr4_real(&vmx_cfg, cr4));
	vmwrite(VMCS_GUEST_CR3, hw_cr3);
	if (old && n->efer == old->efer)
		return;
	vmwrite(VMCS_GUEST_EFER, efer);
	if (old && !((n->efer ^ old->efer) & EFER_LMA))
		return;
	vmwrite(VMCS_ENTRY_CTLS, (vmread(VMCS_ENTRY_CTLS) & ~(u64)ENTRY_IA32E_GUEST) |
					 ((n->efer & EFER_LMA) ? ENTRY_IA32E_GUEST : 0));
}

int vmx_set_paging(struct vcpu *v, const struct vmx_paging_regs *n,
		   const struct vmx_paging_regs *old)
{
	u64 hw_cr3 = n->cr3;
	int r;

	if (vmx_of(v)->shadow) {
		r = vshadow_switch(v, n->cr0, n->cr3, n->cr4, n->efer, &hw_cr3);
		if (r != CR_OK)
			return r;
	}
	write_paging(v, n, old, hw_cr3);
	return CR_OK;
}

/* PDPTE bits that must be 0 in a present entry: 2:1, 8:5, and 63:MAXPHYADDR. */
static u64 pdpte_reserved(void)
{
	static u64 rsvd;

	if (!rsvd)
		rsvd = GENMASK(2, 1) | GENMASK(8, 5) | GENMASK(63, cpuid(0x80000008, 0).eax & 0xFF);
	return rsvd;
}

/* With EPT, entering PAE paging takes the four PDPTEs from the VMCS, not
 * from memory (SDM "Loading guest state"): for a MOV umbra performs, it
 * reads and checks them itself, before anything changes, as the CPU does. */
static int read_pdptes(struct vcpu *v, const struct vmx_paging_regs *n, u64 pdpte[4], bool *needed)
{
	*needed = (n->cr0 & CR0_PG) && (n->cr4 & CR4_PAE) && !(n->efer & EFER_LMA);
	if (!*needed)
		return CR_OK;
	if (gmem_read(&v->vm->mem, gpa(n->cr3 & GENMASK(31, 5)), pdpte, 4 * sizeof(u64)))
		return CR_GP;
	for (int i = 0; i < 4; i++)
		if ((pdpte[i] & BIT(0)) && (pdpte[i] & pdpte_reserved()))
			return CR_GP;
	return CR_OK;
}

/* A new CR0 this VM cannot run: EPT without unrestricted guest needs PE and
 * PG; shadow paging runs paging off on an identity shadow, but not real
 * mode (the CPU's CR0.PE stays 1 without unrestricted guest). */
static bool cr0_runnable(struct vcpu *v, u64 val)
{
	if (vmx_of(v)->shadow) {
		if (val & CR0_PE)
			return true;
		vm_end(v->vm, false, 0,
		       "it turned protection off (real mode), which umbra does not run under "
		       "shadow paging on VMX");
		return false;
	}
	if (vmx_cfg.unrestricted || (val & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG))
		return true;
	vm_end(v->vm, false, 0,
	       "it turned paging or protection off, which needs VMX unrestricted guest; this "
	       "CPU lacks it");
	return false;
}

/* The new state for a MOV to CR0, CR3 or CR4; CR_ENDED when this CPU cannot run it. */
static int next_state(struct vcpu *v, unsigned cr, u64 val, struct vmx_paging_regs *n)
{
	if (cr == 3) {
		n->cr3 = val & ~BIT(63); /* the PCID no-flush hint is not part of CR3 */
	} else if (cr == 4) {
		if (!vmx_cr4_allowed(&vmx_cfg, val))
			return CR_GP;
		n->cr4 = val;
	} else {
		if (!cr0_runnable(v, val))
			return CR_ENDED;
		if ((val & CR0_PG) && !(n->cr0 & CR0_PG) && (n->efer & EFER_LME))
			n->efer |= EFER_LMA;
		else if (!(val & CR0_PG))
			n->efer &= ~EFER_LMA;
		n->cr0 = val;
	}
	return CR_OK;
}

int vmx_cr_write(struct vcpu *v, unsigned cr, u64 val)
{
	struct vmx_vcpu *s = vmx_of(v);
	struct vmx_paging_regs old, n;
	u64 pdpte[4];
	bool load = false;
	int r;

	if (cr == 8) {
		s->cr8 = val;
		return CR_OK;
	}
	vmx_paging_regs_read(v, &old);
	n = old;
	r = next_state(v, cr, val, &n);
	if (r == CR_OK && !s->shadow)
		r = read_pdptes(v, &n, pdpte, &load);
	if (r == CR_OK)
		r = vmx_set_paging(v, &n, &old);
	if (r != CR_OK)
		return r;
	for (int i = 0; load && i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	/* The VPID keeps the old translations otherwise; under shadow paging
	 * even a cached root needs it, since the TLB entries of the root left
	 * behind carry the same VPID. */
	if (cr == 3 || ((n.cr0 ^ old.cr0) & CR0_PAGING_BITS) ||
	    ((n.cr4 ^ old.cr4) & CR4_PAGING_BITS))
		v->vm->tlb_flush = true;
	return CR_OK;
}
