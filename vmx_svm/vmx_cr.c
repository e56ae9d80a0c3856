/* vmx_cr.c: the guest's paging registers on VMX: CR0/CR4 behind their read shadows, CR3, CR8, and PAE's PDPTEs. */
#include "arch/x86/cpu.h"
#include "core/vm.h"
#include "vmx_svm/vmx_backend.h"

/*
 * Host-owned CR0/CR4 bits (vmx_cfg.cr0_mask/cr4_mask: what VMX forces, what
 * the CPU does not allow, the hidden features' CR4 bits) are read from the
 * shadows; the guest owns the rest and changes them without an exit. A MOV
 * that would change a host-owned bit exits, vcpu.c checks the value against
 * the architecture's rules, and vmx_cr_write below performs it, doing what
 * the CPU does on such a MOV: switching IA-32e mode when CR0.PG changes
 * under EFER.LME, loading PAE's PDPTEs, and flushing translations.
 */

u64 vmx_guest_cr0(struct vcpu *v)
{
	u64 m = vmx_cfg.cr0_mask;
	return (vmread(VMCS_GUEST_CR0) & ~m) | (vmx_of(v)->cr0_shadow & m);
}

u64 vmx_guest_cr4(struct vcpu *v)
{
	u64 m = vmx_cfg.cr4_mask;
	return (vmread(VMCS_GUEST_CR4) & ~m) | (vmx_of(v)->cr4_shadow & m);
}

void vmx_paging(struct vcpu *v, struct vcpu_paging *p)
{
	u64 cs_ar = vmread(VMCS_GUEST_CS_AR);

	p->cr0 = vmx_guest_cr0(v);
	p->cr3 = vmread(VMCS_GUEST_CR3);
	p->cr4 = vmx_guest_cr4(v);
	p->efer = vmread(VMCS_GUEST_EFER);
	p->cpl = (unsigned)FIELD_GET(VMX_AR_DPL, vmread(VMCS_GUEST_SS_AR));
	if ((p->efer & EFER_LMA) && (cs_ar & VMX_AR_L)) {
		p->mode_bits = 64;
		p->cs_base = 0;
	} else {
		p->mode_bits = (cs_ar & VMX_AR_DB) ? 32 : 16;
		p->cs_base = vmread(VMCS_GUEST_CS_BASE);
	}
}

u64 vmx_cr_read(struct vcpu *v, unsigned cr)
{
	if (cr == 0)
		return vmx_guest_cr0(v);
	if (cr == 3)
		return vmread(VMCS_GUEST_CR3);
	if (cr == 8)
		return vmx_of(v)->cr8;
	return vmx_guest_cr4(v);
}

/* The paging registers as a MOV would leave them. */
struct cr_state {
	u64 cr0, cr3, cr4, efer;
};

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
static int read_pdptes(struct vcpu *v, const struct cr_state *n, u64 pdpte[4], bool *needed)
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

/* CR0/CR4 bits whose change makes cached translations stale. */
#define CR0_PAGING_BITS (CR0_PG | CR0_WP)
#define CR4_PAGING_BITS (CR4_PSE | CR4_PAE | CR4_PGE | BIT(17) /* PCIDE */ | BIT(20) /* SMEP */)

/* The new state for a MOV to CR0, CR3 or CR4; CR_ENDED when this CPU cannot run it. */
static int next_state(struct vcpu *v, unsigned cr, u64 val, struct cr_state *n)
{
	if (cr == 3) {
		n->cr3 = val & ~BIT(63); /* the PCID no-flush hint is not part of CR3 */
	} else if (cr == 4) {
		if (!vmx_cr4_allowed(&vmx_cfg, val))
			return CR_GP;
		n->cr4 = val;
	} else {
		if (!vmx_cfg.unrestricted && (val & (CR0_PE | CR0_PG)) != (CR0_PE | CR0_PG)) {
			vm_end(v->vm, false, 0,
			       "it turned paging or protection off, which needs VMX unrestricted "
			       "guest; this CPU lacks it");
			return CR_ENDED;
		}
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
	struct cr_state old = { vmx_guest_cr0(v), vmread(VMCS_GUEST_CR3), vmx_guest_cr4(v),
				vmread(VMCS_GUEST_EFER) };
	struct cr_state n = old;
	u64 pdpte[4];
	bool load;
	int r;

	if (cr == 8) {
		s->cr8 = val;
		return CR_OK;
	}
	r = next_state(v, cr, val, &n);
	if (r == CR_OK)
		r = read_pdptes(v, &n, pdpte, &load);
	if (r != CR_OK)
		return r;
	s->cr0_shadow = n.cr0;
	s->cr4_shadow = n.cr4;
	vmwrite(VMCS_CR0_SHADOW, n.cr0);
	vmwrite(VMCS_CR4_SHADOW, n.cr4);
	vmwrite(VMCS_GUEST_CR0, vmx_cr0_real(&vmx_cfg, n.cr0));
	vmwrite(VMCS_GUEST_CR4, vmx_cr4_real(&vmx_cfg, n.cr4));
	vmwrite(VMCS_GUEST_CR3, n.cr3);
	if ((n.efer ^ old.efer) & EFER_LMA) {
		vmwrite(VMCS_GUEST_EFER, n.efer);
		vmwrite(VMCS_ENTRY_CTLS, (vmread(VMCS_ENTRY_CTLS) & ~(u64)ENTRY_IA32E_GUEST) |
						 ((n.efer & EFER_LMA) ? ENTRY_IA32E_GUEST : 0));
	}
	for (int i = 0; load && i < 4; i++)
		vmwrite(VMCS_GUEST_PDPTE0 + 2 * i, pdpte[i]);
	if (cr == 3 || ((n.cr0 ^ old.cr0) & CR0_PAGING_BITS) ||
	    ((n.cr4 ^ old.cr4) & CR4_PAGING_BITS))
		v->vm->tlb_flush = true; /* the VPID keeps the old translations otherwise */
	return CR_OK;
}
