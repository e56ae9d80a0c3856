/* svm_shadow.c: SVM under shadow paging: guest and hardware control registers, CR/INVLPG/#PF exits. */
#include "arch/x86/cpu.h"
#include "core/kstring.h"
#include "core/vm.h"
#include "mm/gwalk.h"
#include "vmx_svm/emulate.h"
#include "vmx_svm/exits.h"
#include "vmx_svm/svm_backend.h"
#include "vmx_svm/vshadow.h"

/*
 * Without nested paging the CPU walks umbra's shadow tables, so the VMCB's
 * CR0, CR3, CR4 and EFER hold umbra's values (vshadow.h says which bits
 * differ) while struct svm_vcpu keeps the guest's. Every read and write of
 * CR0, CR3 and CR4 exits, and so do INVLPG and #PF:
 *
 *   MOV CR, LMSW, CLTS, SMSW ─► CR exit ─► decoded here ─► vcpu.c handle_cr
 *     ─► svm_shadow_cr_write: the guest's new state, as its CPU computes it
 *        ─► vshadow_switch: the shadow root for that state
 *           ─► VMCB: the hardware values; guest copies in svm_vcpu
 *   INVLPG ─► EXIT_INVLPG        #PF ─► EXIT_PAGE_FAULT    (vshadow.c's handlers)
 *
 * Without decode assists (QEMU's TCG has none, nor NRIP save) a CR or
 * INVLPG exit names neither the instruction, its length nor its operand:
 * the instruction is read from guest memory at RIP and decoded.
 */

#define CR0_TS BIT(3)
/* CR0 bits that exist (PE MP EM TS ET NE, WP, AM, NW CD PG); writes to the others are dropped. */
#define CR0_DEFINED (GENMASK(5, 0) | BIT(16) | BIT(18) | GENMASK(31, 29))
#define LMSW_BITS GENMASK(3, 0) /* PE MP EM TS */
#define CR3_NOFLUSH BIT(63)	/* with PCIDE: keep the PCID's translations; not stored */
#define CR3_PCID GENMASK(11, 0)
#define CR4_FSGSBASE BIT(16)
/* CPUID bits behind those CR4 bits. */
#define CPUID1_ECX_PCID BIT(17)
#define CPUID7_EBX_FSGSBASE BIT(0)
#define CPUID7_EBX_SMEP BIT(7)
#define CPUID7_EBX_SMAP BIT(20)

/* Bits whose change alters translations (CR0/CR4's are in msr.h). */
#define EFER_PAGING_BITS (EFER_NXE | EFER_LMA)

/* The guest's paging registers, as a MOV leaves them. */
struct cr_state {
	u64 cr0, cr3, cr4, efer;
};

static struct cr_state guest_state(const struct svm_vcpu *s)
{
	return (struct cr_state){ s->guest_cr0, s->guest_cr3, s->guest_cr4, s->guest_efer };
}

void svm_shadow_control(struct vmcb_control *c)
{
	c->np_enable = 0;
	c->n_cr3 = 0;
	c->intercept_cr = SVM_INTERCEPT_CR_READ(0) | SVM_INTERCEPT_CR_READ(3) |
			  SVM_INTERCEPT_CR_READ(4) | SVM_INTERCEPT_CR_WRITE(0) |
			  SVM_INTERCEPT_CR_WRITE(3) | SVM_INTERCEPT_CR_WRITE(4);
	c->intercept3 |= SVM_INTERCEPT_INVLPG;
	c->intercept_exc |= SVM_INTERCEPT_EXC_PF;
}

/*
 * Make n the guest's paging state: the shadow root first (nothing changes
 * if that fails), then the guest copies and the hardware values. Any change
 * of the root or of how translations are formed flushes the ASID: the CPU
 * does not flush on a VMRUN that loads another CR3.
 */
static int apply(struct vcpu *v, const struct cr_state *n)
{
	struct svm_vcpu *s = svm_of(v);
	struct vmcb *vmcb = s->vmcb;
	struct cr_state old = guest_state(s);
	u64 hw_cr3;
	int r = vshadow_switch(v, n->cr0, n->cr3, n->cr4, n->efer, &hw_cr3);

	if (r != CR_OK)
		return r;
	s->guest_cr0 = n->cr0;
	s->guest_cr3 = n->cr3;
	s->guest_cr4 = n->cr4;
	s->guest_efer = n->efer;
	if (vmcb->save.cr3 != hw_cr3 || ((old.cr0 ^ n->cr0) & CR0_PAGING_BITS) ||
	    ((old.cr4 ^ n->cr4) & CR4_PAGING_BITS) || ((old.efer ^ n->efer) & EFER_PAGING_BITS))
		v->vm->tlb_flush = true;
	vmcb->save.cr0 = vshadow_hw_cr0(n->cr0);
	vmcb->save.cr3 = hw_cr3;
	vmcb->save.cr4 = vshadow_hw_cr4(n->cr4, n->efer);
	vmcb->save.efer = vshadow_hw_efer(n->efer) | EFER_SVME;
	vmcb->ctl.clean &= ~SVM_CLEAN_CRX;
	return CR_OK;
}

int svm_shadow_start(struct vcpu *v, char *err, size_t errlen)
{
	struct svm_vcpu *s = svm_of(v);
	const struct vmcb_save *save = &s->vmcb->save;
	struct cr_state n = { save->cr0, save->cr3, save->cr4, save->efer & ~EFER_SVME };
	int r;

	s->guest_cr0 = n.cr0;
	s->guest_cr3 = n.cr3;
	s->guest_cr4 = n.cr4;
	s->guest_efer = n.efer;
	r = apply(v, &n);
	if (r == CR_OK)
		return 0;
	ksnprintf(err, errlen, "shadow paging could not build its first page table (%s)",
		  r == CR_GP ? "invalid PDPTEs" : "no shadow pages");
	return -1;
}

/* ---------------------------------------------------------------- MOV to CR0, CR3, CR4 */

/* CR4 bits the guest's CPU model has (cpuid_model); setting another is #GP. */
static u64 cr4_allowed(void)
{
	static u64 mask;
	struct cpuid_regs l1, l7 = { 0, 0, 0, 0 };

	if (mask)
		return mask;
	l1 = cpuid_model(1, 0);
	if (cpuid_model(0, 0).eax >= 7)
		l7 = cpuid_model(7, 0);
	/* VME PVI TSD DE PSE PAE MCE PGE PCE OSFXSR OSXMMEXCPT */
	mask = GENMASK(10, 0);
	if (l1.ecx & CPUID1_ECX_PCID)
		mask |= CR4_PCIDE;
	if (l7.ebx & CPUID7_EBX_FSGSBASE)
		mask |= CR4_FSGSBASE;
	if (l7.ebx & CPUID7_EBX_SMEP)
		mask |= CR4_SMEP;
	if (l7.ebx & CPUID7_EBX_SMAP)
		mask |= CR4_SMAP;
	return mask;
}

/* The state a MOV to cr leaves (vcpu.c checked the architecture's rules on val). */
static int next_state(struct vcpu *v, unsigned cr, u64 val, struct cr_state *n)
{
	if (cr == 3) {
		/* Bit 63 is PCIDE's no-flush hint; without PCIDE it is reserved. */
		if ((val & CR3_NOFLUSH) && !(n->cr4 & CR4_PCIDE))
			return CR_GP;
		n->cr3 = val & ~CR3_NOFLUSH;
		return CR_OK;
	}
	if (cr == 4) {
		if (val & ~cr4_allowed())
			return CR_GP;
		if ((val & CR4_PCIDE) && !(n->cr4 & CR4_PCIDE) && (n->cr3 & CR3_PCID))
			return CR_GP; /* PCIDE needs PCID 0 in CR3 */
		n->cr4 = val;
		return CR_OK;
	}
	if (!(val & CR0_PE)) {
		vm_end(v->vm, false, 0, "real mode under shadow paging is not supported");
		return CR_ENDED;
	}
	/* Paging on with LME enters IA-32e mode; paging off leaves it. */
	if ((val & CR0_PG) && !(n->cr0 & CR0_PG) && (n->efer & EFER_LME))
		n->efer |= EFER_LMA;
	else if (!(val & CR0_PG))
		n->efer &= ~EFER_LMA;
	n->cr0 = val & CR0_DEFINED;
	return CR_OK;
}

int svm_shadow_cr_write(struct vcpu *v, unsigned cr, u64 val)
{
	struct cr_state n = guest_state(svm_of(v));
	int r = next_state(v, cr, val, &n);

	if (r == CR_OK)
		r = apply(v, &n);
	if (r == CR_OK && cr == 3)
		v->vm->tlb_flush = true; /* MOV to CR3 drops the old translations */
	return r;
}

bool svm_shadow_efer_write(struct vcpu *v, u64 efer)
{
	struct cr_state n = guest_state(svm_of(v));

	n.efer = efer;
	return apply(v, &n) != CR_GP; /* CR_ENDED: the VM is gone, no #GP */
}

/* ---------------------------------------------------------------- decoding exits */

/* The exit's decoding ended the VM (vm_end said why): the loop stops on it. */
static void decode_ended(struct vm_exit *e)
{
	e->reason = EXIT_OTHER;
	e->why = "the guest was ended while its exit was decoded";
}

/* Decode the instruction at RIP; shown gets its bytes for messages. */
static int decode_at_rip(struct vcpu *v, struct vcpu_paging *p, struct emul_sys *s, char *shown,
			 size_t len)
{
	u8 bytes[EMUL_MAX_LEN];
	size_t n;

	svm_ops.paging(v, p);
	n = vcpu_fetch_insn(v, bytes, sizeof(bytes));
	emul_format_bytes(bytes, n, shown, len);
	return emul_decode_sys(bytes, n, p->mode_bits, s);
}

static u64 next_rip(const struct vcpu *v, const struct vcpu_paging *p, const struct emul_sys *s)
{
	if (svm_feat.nrips)
		return svm_of(v)->vmcb->ctl.next_rip;
	return p->mode_bits == 64 ? v->rip + s->len : (v->rip + s->len) & 0xFFFFFFFF;
}

/* The linear address of a decoded memory operand: segment base + offset. */
static u64 linear(struct vcpu *v, const struct vcpu_paging *p, const struct emul_sys *s)
{
	const struct vmcb_save *save = &svm_of(v)->vmcb->save;
	const struct vmcb_seg *seg[] = { &save->es, &save->cs, &save->ss,
					 &save->ds, &save->fs, &save->gs };
	u64 la = emul_sys_mem_offset(v->gpr, s, v->rip);

	/* 64-bit mode: only FS and GS have a base. */
	if (p->mode_bits != 64 || s->mem.seg >= EMUL_SEG_FS)
		la += seg[s->mem.seg % ARRAY_SIZE(seg)]->base;
	return p->mode_bits == 64 ? la : la & 0xFFFFFFFF;
}

/* Read guest-virtual memory as a supervisor read would, byte by byte (pages may differ). */
static bool read_linear(struct vcpu *v, const struct vcpu_paging *p, u64 la, u8 *buf, size_t n)
{
	struct gwalk_regs regs = { .cr0 = p->cr0, .cr3 = p->cr3, .cr4 = p->cr4, .efer = p->efer };

	for (size_t i = 0; i < n; i++) {
		u64 pa;
		if (!gwalk_translate(&v->vm->mem, &regs, la + i, &pa) ||
		    gmem_read(&v->vm->mem, gpa(pa), buf + i, 1))
			return false;
	}
	return true;
}

/* LMSW: the new CR0 from bits 3:0 of its operand; it can set PE but not clear it. */
static bool lmsw_value(struct vcpu *v, struct vm_exit *e, const struct vcpu_paging *p,
		       const struct emul_sys *s)
{
	u64 cr0 = svm_of(v)->guest_cr0;
	u8 src[2];

	if (!s->mem_op) {
		src[0] = (u8)v->gpr[s->reg % NR_GPRS];
	} else if (!read_linear(v, p, linear(v, p, s), src, sizeof(src))) {
		vm_end(v->vm, false, 0, "LMSW at rip 0x%llx reads memory it has not mapped",
		       (unsigned long long)v->rip);
		return false;
	}
	e->cr.has_val = true;
	e->cr.value = (cr0 & ~LMSW_BITS) | (src[0] & LMSW_BITS) | (cr0 & CR0_PE);
	return true;
}

/* The decoded instruction into the neutral record; false when the VM was ended. */
static bool cr_insn(struct vcpu *v, struct vm_exit *e, const struct vcpu_paging *p,
		    const struct emul_sys *s)
{
	bool to_cr0 = e->cr.write && e->cr.cr == 0;

	if ((s->op == EMUL_SYS_MOV_TO_CR || s->op == EMUL_SYS_MOV_FROM_CR) &&
	    (s->op == EMUL_SYS_MOV_TO_CR) == e->cr.write && s->cr == e->cr.cr) {
		e->cr.gpr = s->reg;
		return true;
	}
	if (s->op == EMUL_SYS_CLTS && to_cr0) {
		e->cr.has_val = true;
		e->cr.value = svm_of(v)->guest_cr0 & ~CR0_TS;
		return true;
	}
	if (s->op == EMUL_SYS_LMSW && to_cr0)
		return lmsw_value(v, e, p, s);
	if (s->op == EMUL_SYS_SMSW && !e->cr.write && e->cr.cr == 0) {
		/* A CR0 read into a whole register; the word-sized forms would need a merge. */
		if (!s->mem_op && s->size > 2) {
			e->cr.gpr = s->reg;
			return true;
		}
		vm_end(v->vm, false, 0,
		       "SMSW to %s at rip 0x%llx is not emulated under shadow paging",
		       s->mem_op ? "memory" : "a 16-bit register", (unsigned long long)v->rip);
		return false;
	}
	vm_end(v->vm, false, 0,
	       "the instruction at rip 0x%llx is not the CR%u %s that exited (self-modifying "
	       "code?)",
	       (unsigned long long)v->rip, e->cr.cr, e->cr.write ? "write" : "read");
	return false;
}

/* CR exits: with decode assists a MOV names its GPR; else the instruction is decoded. */
static void decode_cr(struct vcpu *v, struct vm_exit *e)
{
	const struct vmcb_control *c = &svm_of(v)->vmcb->ctl;
	char shown[3 * EMUL_MAX_LEN + 1];
	struct vcpu_paging p;
	struct emul_sys s;

	e->reason = EXIT_CR_ACCESS;
	e->cr.cr = (u8)FIELD_GET(SVM_EXIT_CR_NUM, e->code);
	e->cr.write = e->code >= SVM_EXIT_WRITE_CR0;
	if (svm_feat.decode_assists && svm_feat.nrips && (c->exit_info1 & SVM_CR_INFO_MOV)) {
		e->cr.gpr = (u8)FIELD_GET(SVM_CR_INFO_GPR, c->exit_info1);
		e->next_rip = c->next_rip;
		return;
	}
	if (decode_at_rip(v, &p, &s, shown, sizeof(shown))) {
		vm_end(v->vm, false, 0, "cannot decode the CR%u access at rip 0x%llx [%s]: %s",
		       e->cr.cr, (unsigned long long)v->rip, shown, s.why ? s.why : "unreadable");
		decode_ended(e);
		return;
	}
	e->next_rip = next_rip(v, &p, &s);
	if (!cr_insn(v, e, &p, &s))
		decode_ended(e);
}

/* INVLPG: the address from decode assists or from the decoded operand; if
 * neither, NRIP alone lets the handler flush everything and go on. */
static void decode_invlpg(struct vcpu *v, struct vm_exit *e)
{
	const struct vmcb_control *c = &svm_of(v)->vmcb->ctl;
	char shown[3 * EMUL_MAX_LEN + 1];
	struct vcpu_paging p;
	struct emul_sys s;

	e->reason = EXIT_INVLPG;
	e->invlpg.gva = svm_feat.decode_assists ? c->exit_info1 : 0;
	e->invlpg.gva_known = svm_feat.decode_assists;
	if (svm_feat.decode_assists && svm_feat.nrips) {
		e->next_rip = c->next_rip;
		return;
	}
	if (decode_at_rip(v, &p, &s, shown, sizeof(shown)) == 0 && s.op == EMUL_SYS_INVLPG) {
		if (!e->invlpg.gva_known)
			e->invlpg.gva = linear(v, &p, &s);
		e->invlpg.gva_known = true;
		e->next_rip = next_rip(v, &p, &s);
		return;
	}
	if (svm_feat.nrips) {
		e->next_rip = c->next_rip;
		return;
	}
	vm_end(v->vm, false, 0, "cannot decode the INVLPG at rip 0x%llx [%s]: %s",
	       (unsigned long long)v->rip, shown, s.why ? s.why : "another instruction");
	decode_ended(e);
}

void svm_shadow_decode(struct vcpu *v, struct vm_exit *e)
{
	const struct vmcb_control *c = &svm_of(v)->vmcb->ctl;

	if (e->code == SVM_EXIT_EXC_BASE + VEC_PF) {
		/* An intercepted #PF leaves CR2 alone: the address is in EXITINFO2. */
		e->reason = EXIT_PAGE_FAULT;
		e->pf.error = (u32)c->exit_info1;
		e->pf.gva = c->exit_info2;
		e->pf.during_event = c->exit_int_info & SVM_EVTINJ_VALID;
	} else if (e->code == SVM_EXIT_INVLPG) {
		decode_invlpg(v, e);
	} else if (e->code <= SVM_EXIT_WRITE_CR15) {
		decode_cr(v, e);
	}
}
