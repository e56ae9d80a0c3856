/* vmx_exit.c: reading a VMX exit into the neutral record, and saying why a VM entry failed. */
#include "arch/x86/cpu.h"
#include "core/log.h"
#include "core/vm.h"
#include "vmx_svm/vmx_backend.h"
#include "vmx_svm/vmx_check.h"

/* The text e->why points to for the current exit (one vCPU runs at a time). */
static char why_buf[320];

/* Instructions a guest of umbra's CPU model must see #UD for: VMX (hidden
 * from CPUID), SMX, XSAVE and the monitor instructions (also hidden). */
static bool insn_undefined(u32 reason)
{
	switch (reason) {
	case VMX_EXIT_GETSEC:
	case VMX_EXIT_VMCLEAR:
	case VMX_EXIT_VMLAUNCH:
	case VMX_EXIT_VMPTRLD:
	case VMX_EXIT_VMPTRST:
	case VMX_EXIT_VMREAD:
	case VMX_EXIT_VMRESUME:
	case VMX_EXIT_VMWRITE:
	case VMX_EXIT_VMXOFF:
	case VMX_EXIT_VMXON:
	case VMX_EXIT_INVEPT:
	case VMX_EXIT_INVVPID:
	case VMX_EXIT_VMFUNC:
	case VMX_EXIT_XSETBV:
	case VMX_EXIT_MONITOR:
	case VMX_EXIT_MWAIT:
	case VMX_EXIT_RDTSCP:
	case VMX_EXIT_INVPCID:
	case VMX_EXIT_XSAVES:
	case VMX_EXIT_XRSTORS:
		return true;
	default:
		return false;
	}
}

static void decode_io(struct vm_exit *e, u64 q)
{
	e->reason = EXIT_IO;
	e->io.port = (u16)FIELD_GET(IOQ_PORT, q);
	e->io.size = (u8)(FIELD_GET(IOQ_SIZE, q) + 1);
	e->io.in = q & IOQ_IN;
	e->io.string = q & IOQ_STRING;
	e->io.rep = q & IOQ_REP;
}

static void decode_ept(struct vm_exit *e, u64 q)
{
	e->reason = EXIT_TDP_FAULT;
	e->tdp.gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	e->tdp.write = q & EPTQ_WRITE;
	e->tdp.fetch = q & EPTQ_FETCH;
	e->tdp.present = FIELD_GET(EPTQ_PERMS, q) != 0;
	/* Not "linear address valid and the final translation": the CPU was
	 * reading the guest's own page tables (or its PDPTEs). */
	e->tdp.table_walk = !((q & EPTQ_LINEAR_VALID) && (q & EPTQ_FINAL));
	e->tdp.during_event = vmread(VMCS_IDT_VEC_INFO) & INTR_INFO_VALID;
}

static void decode_cr(struct vcpu *v, struct vm_exit *e, u64 q)
{
	u64 type = FIELD_GET(CRQ_TYPE, q), cr0;

	e->reason = EXIT_CR_ACCESS;
	e->cr.cr = (u8)FIELD_GET(CRQ_CR, q);
	e->cr.gpr = (u8)FIELD_GET(CRQ_GPR, q);
	e->cr.write = type != CRQ_MOV_FROM;
	if (type == CRQ_CLTS || type == CRQ_LMSW) {
		cr0 = vmx_guest_cr0(v);
		e->cr.has_val = true;
		if (type == CRQ_CLTS)
			e->cr.value = cr0 & ~(u64)BIT(3);
		else /* LMSW sets PE, MP, EM, TS from its operand, and cannot clear PE */
			e->cr.value = (cr0 & ~(u64)0xE) | (FIELD_GET(CRQ_LMSW_DATA, q) & 0xF) |
				      (cr0 & CR0_PE);
	}
	if (e->cr.cr != 0 && e->cr.cr != 3 && e->cr.cr != 4 && e->cr.cr != 8) {
		e->reason = EXIT_OTHER;
		e->why = "access to a control register umbra does not intercept";
	}
}

/* DR6 bits a #DB reports: B0-B3, BD, BS. */
#define DR6_DB_BITS (GENMASK(3, 0) | BIT(13) | BIT(14))

#define VEC_DB 1

static void decode_exception(struct vcpu *v, struct vm_exit *e, u64 q)
{
	u64 info = vmread(VMCS_EXIT_INTR_INFO);
	u64 type = FIELD_GET(INTR_INFO_TYPE, info);
	u8 vector = (u8)FIELD_GET(INTR_INFO_VECTOR, info);

	if (type == INTR_TYPE_NMI) {
		/* A host NMI (umbra has no NMI sources): it only ends the slice. */
		e->reason = EXIT_INTR;
		return;
	}
	if (vector == VEC_PF && type == INTR_TYPE_HW_EXC && vmx_of(v)->shadow) {
		/* Shadow paging intercepts every #PF. Such an exit leaves CR2
		 * alone and gives the address in the qualification. */
		e->reason = EXIT_PAGE_FAULT;
		e->pf.gva = q;
		e->pf.error = (u32)vmread(VMCS_EXIT_INTR_ERROR);
		e->pf.during_event = vmread(VMCS_IDT_VEC_INFO) & INTR_INFO_VALID;
		return;
	}
	e->reason = EXIT_EXCEPTION;
	e->exc.vector = vector;
	e->exc.has_error = info & INTR_INFO_HAS_ERROR;
	e->exc.error = e->exc.has_error ? (u32)vmread(VMCS_EXIT_INTR_ERROR) : 0;
	/* A #DB that exits leaves DR6 alone and reports its bits in the
	 * qualification: put them where the guest's handler will look (the
	 * guest's DR6 is in the CPU while it runs, see vcpu.c). */
	if (e->exc.vector == VEC_DB)
		write_dr6((read_dr6() & ~DR6_DB_BITS) | (q & DR6_DB_BITS));
	e->exc.after_insn = type == INTR_TYPE_PRIV_SW_EXC; /* ICEBP */
}

/* A VM exit in the middle of VM entry (exit reason bit 31): which check. */
static void decode_entry_failure(struct vm_exit *e, u32 basic);

/* Exits that map one to one, each after an instruction: the neutral
 * reason + 1 (0: not one of these). */
static const u8 insn_exits[VMX_NR_EXIT_REASONS] = {
	[VMX_EXIT_CPUID] = EXIT_CPUID + 1,	[VMX_EXIT_HLT] = EXIT_HLT + 1,
	[VMX_EXIT_INVD] = EXIT_CACHE_FLUSH + 1, [VMX_EXIT_WBINVD] = EXIT_CACHE_FLUSH + 1,
	[VMX_EXIT_VMCALL] = EXIT_HYPERCALL + 1, [VMX_EXIT_RDMSR] = EXIT_MSR + 1,
	[VMX_EXIT_WRMSR] = EXIT_MSR + 1,
};

/* RIP after the exiting instruction; outside 64-bit code it wraps at 4 GiB. */
static u64 next_rip(const struct vcpu *v)
{
	u64 rip = v->rip + vmread(VMCS_EXIT_INSN_LEN);

	if ((rip >> 32) &&
	    (!(vmread(VMCS_GUEST_EFER) & EFER_LMA) || !(vmread(VMCS_GUEST_CS_AR) & VMX_AR_L)))
		rip &= GENMASK(31, 0);
	return rip;
}

/* Every exit but the common instruction exits: the whole record. */
static void decode_other(struct vcpu *v, struct vm_exit *e, u32 reason)
{
	u32 basic = (u32)FIELD_GET(EXIT_REASON_BASIC, reason);
	u64 q = vmread(VMCS_EXIT_QUAL);

	*e = (struct vm_exit){ .reason = EXIT_OTHER, .code = reason };
	if (basic < VMX_NR_EXIT_REASONS)
		e->why = vmx_exit_reason_name(basic);
	if (reason & EXIT_REASON_ENTRY_FAIL) {
		decode_entry_failure(e, basic);
		return;
	}
	e->next_rip = next_rip(v);
	if (basic == VMX_EXIT_IO) {
		decode_io(e, q);
	} else if (basic == VMX_EXIT_EPT_VIOLATION) {
		decode_ept(e, q);
	} else if (basic == VMX_EXIT_CR_ACCESS) {
		decode_cr(v, e, q);
	} else if (basic == VMX_EXIT_EXCEPTION_NMI) {
		decode_exception(v, e, q);
	} else if (basic == VMX_EXIT_INVLPG && vmx_of(v)->shadow) {
		e->reason = EXIT_INVLPG; /* the qualification is INVLPG's linear address */
		e->invlpg.gva = q;
		e->invlpg.gva_known = true;
	} else if (basic == VMX_EXIT_EXT_INTR || basic == VMX_EXIT_PREEMPT_TIMER) {
		e->reason = EXIT_INTR;
	} else if (basic == VMX_EXIT_TRIPLE_FAULT) {
		e->reason = EXIT_SHUTDOWN;
	} else if (insn_undefined(basic)) {
		e->reason = EXIT_UNDEFINED;
	}
}

/* The common exits (insn_exits[]) fill only what their handlers read. */
void vmx_decode_exit(struct vcpu *v, struct vm_exit *e)
{
	u32 reason = (u32)vmread(VMCS_EXIT_REASON);

	if (reason >= VMX_NR_EXIT_REASONS || !insn_exits[reason]) {
		decode_other(v, e, reason); /* entry failures have bit 31 set */
		return;
	}
	e->reason = (enum exit_reason)(insn_exits[reason] - 1);
	e->next_rip = next_rip(v);
	if (e->reason == EXIT_MSR) {
		e->msr.write = reason == VMX_EXIT_WRMSR;
		e->msr.index = (u32)v->gpr[GPR_RCX];
	} else if (e->reason == EXIT_HYPERCALL) {
		e->hc = vmx_mode(v);
	}
}

/* ---------------------------------------------------------------- failed entries */

static void read_seg(struct vmx_seg_state *s, u32 i)
{
	s->sel = (u16)vmread(VMCS_GUEST_ES_SEL + 2 * i);
	s->limit = (u32)vmread(VMCS_GUEST_ES_LIMIT + 2 * i);
	s->ar = (u32)vmread(VMCS_GUEST_ES_AR + 2 * i);
	s->base = vmread(VMCS_GUEST_ES_BASE + 2 * i);
}

static u32 maxphyaddr(void)
{
	return cpuid(0x80000008, 0).eax & 0xFF;
}

/* The guest-state and control fields, read back for vmx_check.c. */
static void read_guest_state(struct vmx_guest_state *g)
{
	*g = (struct vmx_guest_state){ 0 };
	g->pin = (u32)vmread(VMCS_PIN_CTLS);
	g->proc = (u32)vmread(VMCS_PROC_CTLS);
	g->proc2 = (g->proc & PROC_SECONDARY) ? (u32)vmread(VMCS_PROC2_CTLS) : 0;
	g->exit = (u32)vmread(VMCS_EXIT_CTLS);
	g->entry = (u32)vmread(VMCS_ENTRY_CTLS);
	g->entry_intr_info = (u32)vmread(VMCS_ENTRY_INTR_INFO);
	g->entry_exc_error = (u32)vmread(VMCS_ENTRY_EXC_ERROR);
	g->entry_insn_len = (u32)vmread(VMCS_ENTRY_INSN_LEN);
	g->cr0 = vmread(VMCS_GUEST_CR0);
	g->cr3 = vmread(VMCS_GUEST_CR3);
	g->cr4 = vmread(VMCS_GUEST_CR4);
	g->dr7 = vmread(VMCS_GUEST_DR7);
	g->rsp = vmread(VMCS_GUEST_RSP);
	g->rip = vmread(VMCS_GUEST_RIP);
	g->rflags = vmread(VMCS_GUEST_RFLAGS);
	g->debugctl = vmread(VMCS_GUEST_DEBUGCTL);
	g->pat = vmread(VMCS_GUEST_PAT);
	g->efer = vmread(VMCS_GUEST_EFER);
	g->sysenter_esp = vmread(VMCS_GUEST_SYSENTER_ESP);
	g->sysenter_eip = vmread(VMCS_GUEST_SYSENTER_EIP);
	g->sysenter_cs = (u32)vmread(VMCS_GUEST_SYSENTER_CS);
	g->link_pointer = vmread(VMCS_LINK_POINTER);
	g->pending_dbg = vmread(VMCS_GUEST_PENDING_DBG);
	g->interruptibility = (u32)vmread(VMCS_GUEST_INTERRUPTIBILITY);
	g->activity = (u32)vmread(VMCS_GUEST_ACTIVITY);
	for (u32 i = 0; i < VMX_NR_SEGS; i++)
		read_seg(&g->seg[i], i);
	g->gdtr_base = vmread(VMCS_GUEST_GDTR_BASE);
	g->idtr_base = vmread(VMCS_GUEST_IDTR_BASE);
	g->gdtr_limit = (u32)vmread(VMCS_GUEST_GDTR_LIMIT);
	g->idtr_limit = (u32)vmread(VMCS_GUEST_IDTR_LIMIT);
	g->eptp = (g->proc2 & PROC2_EPT) ? vmread(VMCS_EPTP) : 0;
	g->vpid = (g->proc2 & PROC2_VPID) ? (u16)vmread(VMCS_VPID) : 0;
	g->io_bitmap_a = vmread(VMCS_IO_BITMAP_A);
	g->io_bitmap_b = vmread(VMCS_IO_BITMAP_B);
	g->msr_bitmap = vmread(VMCS_MSR_BITMAP);
	g->cr3_target_count = (u32)vmread(VMCS_CR3_TARGET_COUNT);
	g->maxphyaddr = maxphyaddr();
}

static void read_host_state(struct vmx_host_state *h)
{
	*h = (struct vmx_host_state){ 0 };
	h->exit = (u32)vmread(VMCS_EXIT_CTLS);
	h->cr0 = vmread(VMCS_HOST_CR0);
	h->cr3 = vmread(VMCS_HOST_CR3);
	h->cr4 = vmread(VMCS_HOST_CR4);
	h->efer = vmread(VMCS_HOST_EFER);
	h->pat = vmread(VMCS_HOST_PAT);
	h->rsp = vmread(VMCS_HOST_RSP);
	h->rip = vmread(VMCS_HOST_RIP);
	h->cs = (u16)vmread(VMCS_HOST_CS_SEL);
	h->ss = (u16)vmread(VMCS_HOST_SS_SEL);
	h->ds = (u16)vmread(VMCS_HOST_DS_SEL);
	h->es = (u16)vmread(VMCS_HOST_ES_SEL);
	h->fs = (u16)vmread(VMCS_HOST_FS_SEL);
	h->gs = (u16)vmread(VMCS_HOST_GS_SEL);
	h->tr = (u16)vmread(VMCS_HOST_TR_SEL);
	h->fs_base = vmread(VMCS_HOST_FS_BASE);
	h->gs_base = vmread(VMCS_HOST_GS_BASE);
	h->tr_base = vmread(VMCS_HOST_TR_BASE);
	h->gdtr_base = vmread(VMCS_HOST_GDTR_BASE);
	h->idtr_base = vmread(VMCS_HOST_IDTR_BASE);
	h->sysenter_esp = vmread(VMCS_HOST_SYSENTER_ESP);
	h->sysenter_eip = vmread(VMCS_HOST_SYSENTER_EIP);
	h->maxphyaddr = maxphyaddr();
}

static void decode_entry_failure(struct vm_exit *e, u32 basic)
{
	struct vmx_guest_state g;
	char check[200];
	u64 q = vmread(VMCS_EXIT_QUAL);

	e->reason = EXIT_INVALID;
	if (basic == VMX_EXIT_INVALID_GUEST && q == 0) {
		read_guest_state(&g);
		vmx_check_guest(&vmx_caps_raw, &g, check, sizeof(check));
		ksnprintf(why_buf, sizeof(why_buf), "exit %u (%s): %s", basic,
			  vmx_exit_reason_name(basic), check);
	} else {
		ksnprintf(why_buf, sizeof(why_buf), "exit %u (%s), qualification %llu%s", basic,
			  vmx_exit_reason_name(basic), (unsigned long long)q,
			  q == ENTRY_FAIL_QUAL_PDPTE  ? " (a PDPTE has reserved bits)"
			  : q == ENTRY_FAIL_QUAL_LINK ? " (bad VMCS link pointer)"
						      : "");
	}
	e->why = why_buf;
}

/* VMLAUNCH/VMRESUME itself failed: no exit happened, the VMCS says why. */
void vmx_entry_failed(struct vcpu *v, struct vm_exit *e, int rc)
{
	struct vmx_guest_state g;
	struct vmx_host_state h;
	char check[200] = "";
	u32 err;

	*e = (struct vm_exit){ .reason = EXIT_INVALID, .code = (u64)rc };
	if (rc == 1) {
		e->why = "VMfailInvalid: no current VMCS";
		return;
	}
	err = (u32)vmread(VMCS_INSN_ERROR);
	if (err == 7) {
		read_guest_state(&g);
		vmx_check_controls(&vmx_caps_raw, &g, check, sizeof(check));
	} else if (err == 8) {
		read_host_state(&h);
		vmx_check_host(&vmx_caps_raw, &h, check, sizeof(check));
	}
	ksnprintf(why_buf, sizeof(why_buf), "VM-instruction error %u (%s)%s%s", err,
		  vmx_insn_error_name(err), check[0] ? ": " : "", check);
	e->why = why_buf;
}
