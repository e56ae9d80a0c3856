/* svm.c: the AMD SVM back end: VMCB set-up, ASIDs, clean bits, permission maps, and exit decoding. */
#include "vmx_svm/svm.h"

#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/kstring.h"
#include "core/log.h"
#include "core/vm.h"
#include "mm/phys.h"
#include "vmx_svm/entry_gprs.h"
#include "vmx_svm/features.h"
#include "vmx_svm/svm_backend.h"
#include "vmx_svm/vcpu_exit.h"
#include "vmx_svm/vshadow.h"

/*
 * One VMCB per vCPU; one IOPM and one MSRPM shared by all VMs, all ones, so
 * every port and every MSR access exits and vcpu.c decides. The VMCB's
 * clean bits tell the CPU which parts it may keep cached: umbra marks
 * everything clean after each exit and clears a bit whenever it writes a
 * field that bit covers. A VM runs on NPT, or on shadow paging (svm_shadow.c)
 * when the CPU has no NPT or the VM was given tdp=off.
 */
#define IOPM_ORDER 2  /* 12 KiB used of 16 */
#define MSRPM_ORDER 1 /* 8 KiB */

static struct palloc *svm_pa;
struct svm_features svm_feat;
static u64 iopm_pa, msrpm_pa, host_vmcb_pa;
static u32 next_asid = 1;
/* Which VM (id + 1) last ran with each ASID: a different one must flush it first. */
#define MAX_ASIDS 64
static u32 asid_user[MAX_ASIDS];
static struct svm_vcpu svm_vcpus[VM_MAX];

static int alloc_pages(u32 order, owner_t owner, u8 fill, u64 *out)
{
	hpa_t p;
	if (palloc_alloc(svm_pa, order, owner, &p) != PALLOC_OK)
		return -1;
	memset(phys_to_virt(p), fill, PAGE_SIZE << order);
	*out = p.val;
	return 0;
}

static void read_features(void)
{
	struct svm_raw raw = { 0 };
	struct cpuid_regs r = cpuid(0x8000000A, 0);

	raw.ext_ecx = cpuid(0x80000001, 0).ecx;
	raw.has_leaf = cpuid(0x80000000, 0).eax >= 0x8000000A;
	raw.leaf_eax = r.eax;
	raw.leaf_ebx = r.ebx;
	raw.leaf_edx = r.edx;
	if (raw.ext_ecx & CPUID_80000001_ECX_SVM)
		raw.vm_cr = rdmsr(MSR_VM_CR);
	svm_features_decode(&raw, &svm_feat);
}

const struct vendor_ops *svm_probe(struct palloc *pa)
{
	u64 hsave;

	read_features();
	if (!svm_feat.present)
		return NULL;
	if (svm_feat.disabled) {
		pr_err("svm: disabled by firmware (VM_CR.SVMDIS=1); enable SVM in the firmware "
		       "setup\n");
		return NULL;
	}
	svm_pa = pa;
	if (alloc_pages(0, OWNER_HV, 0, &hsave) || alloc_pages(0, OWNER_HV, 0, &host_vmcb_pa) ||
	    alloc_pages(IOPM_ORDER, OWNER_HV, 0xFF, &iopm_pa) ||
	    alloc_pages(MSRPM_ORDER, OWNER_HV, 0xFF, &msrpm_pa)) {
		pr_err("svm: out of memory for the host save area and permission maps\n");
		return NULL;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	kprintf("svm: enabled: npt=%d nrips=%d decode_assists=%d vmcb_clean=%d flush_by_asid=%d "
		"asids=%u\n",
		svm_feat.npt, svm_feat.nrips, svm_feat.decode_assists, svm_feat.vmcb_clean,
		svm_feat.flush_by_asid, svm_feat.nr_asids);
	if (!svm_feat.npt)
		kprintf("svm: no nested paging (NPT): every VM uses shadow paging\n");
	return &svm_ops;
}

struct vmcb *svm_vmcb(struct vcpu *v)
{
	return svm_of(v)->vmcb;
}

/* ---------------------------------------------------------------- VMs */

static int npt_init(struct vm *vm)
{
	if (pt_init(&vm->tdp, &pt_fmt_x86_64, 48, 4, svm_pa, OWNER_VM_TDP(vm->id)))
		return -1;
	if (!(cpuid(0x80000001, 0).edx & CPUID_EXT_EDX_PAGE1GB))
		vm->tdp.block_mask &= (u8)~BIT(2);
	/* Nested walks are user accesses (APM 15.25.5): leaves need U. */
	return vm_tdp_map_ram(vm, PT_R | PT_W | PT_X | PT_U);
}

static int svm_vm_init(struct vm *vm)
{
	if (vshadow_wanted(vm, svm_feat.npt) ? vshadow_vm_init(vm) : npt_init(vm))
		return -1;
	if (next_asid >= svm_feat.nr_asids || next_asid >= MAX_ASIDS) {
		next_asid = 1;
		pr_info("svm: ASIDs shared: a VM entering an ASID another VM used last flushes "
			"it\n");
	}
	vm->asid = next_asid++;
	return 0;
}

static void svm_vm_free(struct vm *vm)
{
	if (vm_uses_shadow(vm))
		vshadow_vm_free(vm);
	else
		pt_destroy(&vm->tdp);
}

/* ---------------------------------------------------------------- vCPU state */

static void set_seg(struct vmcb_seg *s, u16 sel, u16 attrib, u32 limit, u64 base)
{
	s->sel = sel;
	s->attrib = attrib;
	s->limit = limit;
	s->base = base;
}

static void init_control(struct vmcb_control *c, const struct vm *vm)
{
	c->intercept3 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_CPUID | SVM_INTERCEPT_HLT |
			SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR | SVM_INTERCEPT_SHUTDOWN |
			SVM_INTERCEPT_INVLPGA;
	c->intercept3 |=
		SVM_INTERCEPT_INVD; /* else a guest can discard the host's dirty cache lines */
	c->intercept4 = SVM_INTERCEPT_RDTSCP | SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT |
			SVM_INTERCEPT_MWAIT_COND | SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
			SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI |
			SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_XSETBV;
	/* #DB and #AC can be delivered endlessly inside the CPU (CVE-2015-8104,
	 * CVE-2015-5307); intercepting them gives every delivery an exit. */
	c->intercept_exc = SVM_INTERCEPT_EXC_MC | SVM_INTERCEPT_EXC_DB | SVM_INTERCEPT_EXC_AC;
	c->iopm_base = iopm_pa;
	c->msrpm_base = msrpm_pa;
	c->asid = vm->asid;
	c->vintr = SVM_VINTR_MASKING;
	c->np_enable = SVM_NP_ENABLE;
	c->n_cr3 = vm->tdp.root.val;
}

static void init_save(struct vmcb_save *s, const struct guest_start *g)
{
	bool lm = g->mode == GUEST_MODE_LONG64;
	u16 code = lm ? SVM_ATTR_CODE64 : SVM_ATTR_CODE32;

	set_seg(&s->cs, 0x08, code, 0xFFFFFFFF, 0);
	set_seg(&s->ds, 0x10, SVM_ATTR_DATA32, 0xFFFFFFFF, 0);
	s->es = s->ss = s->fs = s->gs = s->ds;
	set_seg(&s->gdtr, 0, 0, lm ? g->gdt_limit : 0, lm ? g->gdt_base : 0);
	set_seg(&s->idtr, 0, 0, 0, 0);
	set_seg(&s->tr, 0, SVM_ATTR_TSS, 0xFFFF, 0);
	set_seg(&s->ldtr, 0, SVM_ATTR_LDT, 0xFFFF, 0);
	s->cr0 = lm ? 0x80000011 : 0x11; /* PE, ET (and PG) */
	s->cr3 = lm ? g->cr3 : 0;
	s->cr4 = lm ? BIT(5) : 0; /* PAE */
	s->efer = EFER_SVME | (lm ? EFER_LME | EFER_LMA : 0);
	s->rflags = 0x2;
	s->rip = g->rip;
	s->rsp = g->rsp;
	s->rax = g->rax;
	s->dr6 = 0xFFFF0FF0;
	s->dr7 = 0x400;
	s->g_pat = PAT_POWER_ON;
}

static int svm_vcpu_init(struct vcpu *v, const struct guest_start *g, char *err, size_t errlen)
{
	struct svm_vcpu *s = &svm_vcpus[v->vm->id];

	if (alloc_pages(0, OWNER_VM_STATE(v->vm->id), 0, &s->vmcb_pa)) {
		ksnprintf(err, errlen, "out of memory for its VMCB");
		return -1;
	}
	s->vmcb = phys_to_virt(hpa(s->vmcb_pa));
	s->ran = false;
	v->vendor = s;
	init_control(&s->vmcb->ctl, v->vm);
	init_save(&s->vmcb->save, g);
	vcpu_set_start(v, g);
	if (!vm_uses_shadow(v->vm))
		return 0;
	svm_shadow_control(&s->vmcb->ctl);
	return svm_shadow_start(v, err, errlen);
}

static void svm_vcpu_free(struct vcpu *v)
{
	struct svm_vcpu *s = svm_of(v);
	if (s && s->vmcb_pa)
		palloc_free(svm_pa, hpa(s->vmcb_pa), 0, OWNER_VM_STATE(v->vm->id));
	v->vendor = NULL;
}

/* ---------------------------------------------------------------- running */

static void decode_io(struct vm_exit *e, const struct vmcb_control *c)
{
	u64 info = c->exit_info1;
	u64 sz = FIELD_GET(SVM_IOIO_SIZE, info);

	e->reason = EXIT_IO;
	e->io.port = (u16)FIELD_GET(SVM_IOIO_PORT, info);
	e->io.size = sz & 1 ? 1 : sz & 2 ? 2 : 4;
	e->io.in = info & SVM_IOIO_IN;
	e->io.string = info & SVM_IOIO_STR;
	e->io.rep = info & SVM_IOIO_REP;
	e->next_rip = c->exit_info2; /* IOIO always reports the next RIP */
}

/* The code segment's default operand size (16, 32 or 64). */
static __always_inline u8 mode_bits(const struct vmcb_save *s)
{
	if ((s->efer & EFER_LMA) && (s->cs.attrib & SVM_ATTR_L))
		return 64;
	return (s->cs.attrib & SVM_ATTR_DB) ? 32 : 16;
}

/*
 * The intercepted instructions: the neutral reason + 1 (0: not one of
 * these) and the instruction's length, for the next RIP without NRIP save
 * (a redundant prefix in front would make it longer; umbra assumes none;
 * 0: the handler needs no next RIP). An instruction exit never interrupts
 * an event's delivery.
 */
#define INSN_FIRST SVM_EXIT_CPUID
static const struct {
	u8 reason1, len;
} insn_exits[SVM_EXIT_XSETBV - INSN_FIRST + 1] = {
	[SVM_EXIT_CPUID - INSN_FIRST] = { EXIT_CPUID + 1, 2 },
	[SVM_EXIT_INVD - INSN_FIRST] = { EXIT_CACHE_FLUSH + 1, 2 },
	[SVM_EXIT_MSR - INSN_FIRST] = { EXIT_MSR + 1, 2 },	     /* and e->msr */
	[SVM_EXIT_VMMCALL - INSN_FIRST] = { EXIT_HYPERCALL + 1, 3 }, /* and e->hc */
	/* Instructions a guest without SVM or XSAVE must see #UD for. */
	[SVM_EXIT_VMRUN - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_VMLOAD - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_VMSAVE - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_STGI - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_CLGI - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_SKINIT - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_INVLPGA - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_XSETBV - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_RDTSCP - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_MONITOR - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_MWAIT - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
	[SVM_EXIT_MWAIT_COND - INSN_FIRST] = { EXIT_UNDEFINED + 1, 0 },
};

/* Every other exit: the whole record, the shadow MMU's exits, and the
 * event an exit interrupted, delivered again on the next entry. */
static __noinline void decode_other(struct vcpu *v, struct vm_exit *e, struct vmcb *vmcb)
{
	struct vmcb_control *c = &vmcb->ctl;
	u64 code = c->exit_code;

	*e = (struct vm_exit){ .reason = EXIT_OTHER, .code = code };
	if (code == SVM_EXIT_NPF) {
		e->reason = EXIT_TDP_FAULT;
		e->tdp.gpa = c->exit_info2;
		e->tdp.present = c->exit_info1 & SVM_NPF_PRESENT;
		e->tdp.write = c->exit_info1 & SVM_NPF_WRITE;
		e->tdp.fetch = c->exit_info1 & SVM_NPF_FETCH;
		e->tdp.table_walk = c->exit_info1 & SVM_NPF_TABLE_WALK;
		e->tdp.during_event = c->exit_int_info & SVM_EVTINJ_VALID;
	} else if (code == SVM_EXIT_INTR || code == SVM_EXIT_NMI) {
		e->reason = EXIT_INTR;
		/* A short window lets the interrupt reach its handler (EOI). */
		if (code == SVM_EXIT_INTR)
			__asm__ volatile("sti; nop; cli" ::: "memory");
	} else if (code == SVM_EXIT_HLT) { /* the handler reads RFLAGS.IF */
		e->reason = EXIT_HLT;
		e->next_rip = svm_feat.nrips ? c->next_rip : vmcb->save.rip + 1;
	} else if (code == SVM_EXIT_SHUTDOWN) {
		e->reason = EXIT_SHUTDOWN;
	} else if (code == SVM_EXIT_INVALID) {
		e->reason = EXIT_INVALID;
	} else if (code >= SVM_EXIT_EXC_BASE && code < SVM_EXIT_EXC_BASE + 32) {
		e->reason = EXIT_EXCEPTION;
		e->exc.vector = (u8)(code - SVM_EXIT_EXC_BASE);
		e->exc.error = (u32)c->exit_info1;
	}
	if (vm_uses_shadow(v->vm))
		svm_shadow_decode(v, e);
	c->event_inj = (c->exit_int_info & SVM_EVTINJ_VALID) ? c->exit_int_info : 0;
}

/*
 * The common exits, the intercepted instructions whose operands are in the
 * VMCB or in RAX..RDI and which read neither RSP nor RFLAGS: a table lookup
 * (port I/O aside) that fills only what their handlers read. false: another
 * exit, for decode_other().
 */
static __always_inline bool decode_insn(struct vcpu *v, struct vm_exit *e, struct vmcb *vmcb)
{
	u64 code = vmcb->ctl.exit_code, i = code - INSN_FIRST;

	if (i < ARRAY_SIZE(insn_exits) && insn_exits[i].reason1) {
		e->reason = insn_exits[i].reason1 - 1;
		e->next_rip =
			svm_feat.nrips ? vmcb->ctl.next_rip : vmcb->save.rip + insn_exits[i].len;
		if (code == SVM_EXIT_MSR) {
			e->msr.write = vmcb->ctl.exit_info1 & 1;
			e->msr.index = (u32)v->gpr[GPR_RCX]; /* ECX is not in the VMCB */
		} else if (code == SVM_EXIT_VMMCALL) {
			e->hc.bits = mode_bits(&vmcb->save);
			e->hc.cpl = vmcb->save.cpl;
		}
	} else if (code == SVM_EXIT_IOIO) {
		decode_io(e, &vmcb->ctl);
	} else {
		return false;
	}
	vmcb->ctl.event_inj = 0;
	return true;
}

/*
 * After an exit, with VMCB clean bits: everything is clean until a handler
 * writes a field and clears that field's bit. Except that legacy PAE loads
 * the four PDPTEs with CR3, and umbra's PDPT page under a shadow root can
 * change: never let the CPU keep a cached CR3 then (a handler that leaves
 * long mode writes CR0 or EFER, which clears the bit too).
 */
static void mark_clean(struct vcpu *v, struct vmcb *vmcb)
{
	vmcb->ctl.clean = SVM_CLEAN_ALL;
	if (vm_uses_shadow(v->vm) && !(vmcb->save.efer & EFER_LMA))
		vmcb->ctl.clean &= ~SVM_CLEAN_CRX;
}

/*
 * The guest's RAX, RSP, RIP and RFLAGS are in the VMCB. RAX and RIP, which
 * nearly every handler reads or writes, are copied to the neutral vCPU
 * after every exit and back before every entry. RSP and RFLAGS live in the
 * VMCB: v->gpr[GPR_RSP] and v->rflags hold them only while svm_exit_all()
 * handles an exit (the common exits read neither).
 */
static __always_inline void after_exit(struct vcpu *v, struct vmcb *vmcb)
{
	v->gpr[GPR_RAX] = vmcb->save.rax;
	v->rip = vmcb->save.rip;
	if (svm_feat.vmcb_clean)
		mark_clean(v, vmcb);
}

/* Before every entry: RAX and RIP, and a TLB flush if umbra asked for one. */
static __always_inline void before_entry(struct vcpu *v, struct vmcb *vmcb)
{
	vmcb->save.rax = v->gpr[GPR_RAX];
	vmcb->save.rip = v->rip;
	vmcb->ctl.tlb_control = 0;
	if (v->vm->tlb_flush) {
		vmcb->ctl.tlb_control =
			svm_feat.flush_by_asid ? SVM_TLB_FLUSH_ASID : SVM_TLB_FLUSH_ALL;
		v->vm->tlb_flush = false;
	}
}

/* Hand the decoded exit to vcpu_exit(), and prepare the next entry if there is one. */
static __always_inline int handle(struct vcpu *v, struct vmcb *vmcb, const struct vm_exit *e)
{
	if (!vcpu_exit(v, e))
		return SVM_LOOP_STOP;
	before_entry(v, vmcb);
	return SVM_LOOP_ENTER;
}

/*
 * svm_guest_loop (svm_entry.S) calls this after every #VMEXIT, the host's
 * TR back and interrupts off. The guest's RBP and R12-R15 are still in the
 * CPU (C code preserves them), not in gpr[]: the exits decode_insn() knows
 * do not need them, and are handled here; for any other the answer is
 * SVM_LOOP_ALL_REGS, and the loop stores them and calls svm_exit_all().
 */
int svm_exit(struct vcpu *v)
{
	struct vmcb *vmcb = svm_of(v)->vmcb;
	struct vm_exit e;

	after_exit(v, vmcb);
	if (!decode_insn(v, &e, vmcb))
		return SVM_LOOP_ALL_REGS;
	return handle(v, vmcb, &e);
}

/* Any other exit, after svm_exit(), with every general register in gpr[] now,
 * and RSP and RFLAGS in the neutral vCPU while it is handled. */
int svm_exit_all(struct vcpu *v)
{
	struct vmcb *vmcb = svm_of(v)->vmcb;
	struct vm_exit e;
	int r;

	v->gpr[GPR_RSP] = vmcb->save.rsp;
	v->rflags = vmcb->save.rflags;
	decode_other(v, &e, vmcb);
	r = handle(v, vmcb, &e);
	vmcb->save.rsp = v->gpr[GPR_RSP];
	vmcb->save.rflags = v->rflags;
	return r;
}

/*
 * One time slice. The work that cannot change while the slice runs is done
 * here, once: the ASID's owner (another VM may have used it since) and
 * whether the CPU may keep any of the VMCB cached.
 */
static void svm_run(struct vcpu *v)
{
	struct svm_vcpu *s = svm_of(v);
	struct vmcb *vmcb = s->vmcb;

	if (asid_user[v->vm->asid] != v->vm->id + 1) {
		asid_user[v->vm->asid] = v->vm->id + 1;
		v->vm->tlb_flush = true;
	}
	if (!s->ran || !svm_feat.vmcb_clean)
		vmcb->ctl.clean = 0;
	s->ran = true;
	before_entry(v, vmcb);
	svm_guest_loop(v, v->gpr, s->vmcb_pa, host_vmcb_pa);
}

/*
 * EVENTINJ already holds an event when the exit interrupted its delivery
 * (svm_run puts it back): a hardware exception raised now happened during
 * that delivery, and exc_during_delivery() (vcpu.h) says what the CPU
 * delivers instead. Returns the vector, or -1 after ending the guest.
 */
static int during_delivery(struct vcpu *v, u8 vector)
{
	u64 first = svm_of(v)->vmcb->ctl.event_inj;
	int deliver;

	if (!(first & SVM_EVTINJ_VALID) || FIELD_GET(SVM_EVTINJ_TYPE, first) != SVM_EVTINJ_TYPE_EXC)
		return vector;
	deliver = exc_during_delivery((u8)FIELD_GET(SVM_EVTINJ_VECTOR, first), vector);
	if (deliver < 0)
		vm_end(v->vm, false, 0,
		       "triple fault (shutdown) at rip 0x%llx: exception %u while delivering a "
		       "double fault",
		       (unsigned long long)v->rip, vector);
	return deliver;
}

static void svm_inject(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	int deliver = during_delivery(v, vector);
	u64 ev;

	if (deliver < 0)
		return;
	if (deliver != vector) { /* #DF, whose error code is 0 */
		vector = (u8)deliver;
		has_error = true;
		error = 0;
	}
	ev = FIELD_PREP(SVM_EVTINJ_VECTOR, vector) |
	     FIELD_PREP(SVM_EVTINJ_TYPE, SVM_EVTINJ_TYPE_EXC) | SVM_EVTINJ_VALID;
	/* Real mode pushes no error codes. */
	if (has_error && (svm_of(v)->vmcb->save.cr0 & CR0_PE))
		ev |= SVM_EVTINJ_EV | FIELD_PREP(SVM_EVTINJ_ERROR, error);
	svm_of(v)->vmcb->ctl.event_inj = ev;
}

static void svm_paging(struct vcpu *v, struct vcpu_paging *p)
{
	const struct svm_vcpu *sv = svm_of(v);
	const struct vmcb_save *s = &sv->vmcb->save;

	if (vm_uses_shadow(v->vm)) {
		p->cr0 = sv->guest_cr0;
		p->cr3 = sv->guest_cr3;
		p->cr4 = sv->guest_cr4;
		p->efer = sv->guest_efer;
	} else {
		p->cr0 = s->cr0;
		p->cr3 = s->cr3;
		p->cr4 = s->cr4;
		p->efer = s->efer & ~EFER_SVME;
	}
	p->cpl = s->cpl;
	p->mode_bits = mode_bits(s);
	p->cs_base = p->mode_bits == 64 ? 0 : s->cs.base;
}

/* NPT VMs' CR accesses do not exit: these serve the neutral interface.
 * Shadow-paged VMs' do, and see their own values (svm_shadow.c). */
static u64 svm_cr_read(struct vcpu *v, unsigned cr)
{
	const struct svm_vcpu *s = svm_of(v);
	const struct vmcb *vmcb = s->vmcb;

	if (cr == 8)
		return vmcb->ctl.vintr & SVM_VINTR_TPR;
	if (vm_uses_shadow(v->vm))
		return cr == 0 ? s->guest_cr0 : cr == 3 ? s->guest_cr3 : s->guest_cr4;
	return cr == 0 ? vmcb->save.cr0 : cr == 3 ? vmcb->save.cr3 : vmcb->save.cr4;
}

static int svm_cr_write(struct vcpu *v, unsigned cr, u64 val)
{
	struct vmcb *vmcb = svm_of(v)->vmcb;

	if (cr == 8)
		vmcb->ctl.vintr = (vmcb->ctl.vintr & ~(u64)SVM_VINTR_TPR) | val;
	else if (vm_uses_shadow(v->vm))
		return svm_shadow_cr_write(v, cr, val);
	else if (cr == 0)
		vmcb->save.cr0 = val;
	else if (cr == 3)
		vmcb->save.cr3 = val;
	else
		vmcb->save.cr4 = val;
	vmcb->ctl.clean &= ~SVM_CLEAN_CRX;
	return CR_OK;
}

/* The guest's CR2, as the CPU would set it for a #PF umbra delivers. */
static void svm_set_cr2(struct vcpu *v, u64 cr2)
{
	struct vmcb *vmcb = svm_of(v)->vmcb;

	vmcb->save.cr2 = cr2;
	vmcb->ctl.clean &= ~SVM_CLEAN_CR2;
}

const struct vendor_ops svm_ops = {
	.name = "svm",
	.tdp_name = "npt",
	.tag_name = "asid",
	.vm_init = svm_vm_init,
	.vm_free = svm_vm_free,
	.vcpu_init = svm_vcpu_init,
	.vcpu_free = svm_vcpu_free,
	.run = svm_run,
	.inject_exception = svm_inject,
	.paging = svm_paging,
	.msr_read = svm_msr_read,
	.msr_write = svm_msr_write,
	.cr_read = svm_cr_read,
	.cr_write = svm_cr_write,
	.set_cr2 = svm_set_cr2,
};
