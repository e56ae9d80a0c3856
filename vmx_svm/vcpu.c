/* vcpu.c: the vendor-neutral vCPU loop: enter, read the exit, dispatch to its handler, resume. */
#include "vmx_svm/vcpu.h"

#include "arch/x86/cpu.h"
#include "core/kstring.h"
#include "core/vm.h"
#include "vmx_svm/exits.h"
#include "vmx_svm/vcpu_exit.h"
#include "vmx_svm/vshadow.h"

/*
 *   vcpu_run ──► vendor->run() ──► struct vm_exit ──► vcpu_exit(): exit_handlers[]
 *                     ▲  (the back end's loop)                      │
 *                     └──────── (VM running, slice not over) ◄──────┘
 *
 * Handlers change only the neutral state (gpr[], rip, rflags) and call the
 * back end for what lives in its structures. (On SVM the common exits,
 * whose handlers read neither, find RSP and RFLAGS there stale: svm.c.)
 * A guest that does something umbra cannot allow ends with vm_end() and a
 * message; umbra goes on.
 */

const struct vendor_ops *vendor;

/* ---------------------------------------------------------------- CPUID model */

#define HV_LEAF_BASE 0x40000000
#define HV_LEAF_MAX 0x40000001
#define HV_VERSION 0x00010000

/* Leaf 1 ECX/EDX bits umbra does not virtualize (yet). */
#define CPUID1_ECX_HIDE                                                                     \
	(BIT(3) /* monitor */ | BIT(5) /* VMX */ | BIT(6) /* SMX */ | BIT(7) /* EST */ |    \
	 BIT(8) /* TM2 */ | BIT(15) /* PDCM */ | BIT(18) /* DCA */ | BIT(21) /* x2APIC */ | \
	 BIT(24) /* TSC deadline */ | BIT(26) /* XSAVE */ | BIT(27) /* OSXSAVE */ |         \
	 BIT(28) /* AVX */)
#define CPUID1_EDX_HIDE                                                                  \
	(BIT(7) /* MCE */ | BIT(9) /* APIC */ | BIT(12) /* MTRR */ | BIT(14) /* MCA */ | \
	 BIT(22) /* ACPI thermal */ | BIT(29) /* TM */)
#define CPUID1_ECX_HYPERVISOR BIT(31)
/* Leaf 7.0 EBX: AVX2, AVX-512 family, SGX, MPX, RTM/HLE, processor trace. */
#define CPUID7_EBX_HIDE                                                                         \
	(BIT(2) | BIT(4) | BIT(5) | BIT(11) | BIT(14) | BIT(16) | BIT(17) | BIT(21) | BIT(25) | \
	 BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define CPUID_EXT_ECX_HIDE \
	(BIT(2) /* SVM */ | BIT(10) /* IBS */ | BIT(17) /* TCE */ | BIT(23) /* perf counters */)
#define CPUID_EXT_EDX_HIDE (BIT(25) /* FFXSR */ | BIT(27) /* RDTSCP: TSC_AUX is not switched */)

static struct cpuid_regs hv_leaf(u32 leaf)
{
	/* "umbraumbraum" in EBX, ECX, EDX, as CPU vendor strings are laid out. */
	if (leaf == HV_LEAF_BASE)
		return (struct cpuid_regs){ HV_LEAF_MAX, 0x72626d75, 0x626d7561, 0x6d756172 };
	if (leaf == HV_LEAF_BASE + 1)
		return (struct cpuid_regs){ HV_VERSION, 0, 0, 0 };
	return (struct cpuid_regs){ 0, 0, 0, 0 };
}

/* Inline in handle_cpuid, the exit guests take most; cpuid_model() for the rest of umbra. */
static __always_inline struct cpuid_regs model_leaf(u32 leaf, u32 sub)
{
	struct cpuid_regs r;

	if ((leaf & 0xFFFFFF00) == HV_LEAF_BASE)
		return hv_leaf(leaf);
	r = cpuid(leaf, sub);
	switch (leaf) {
	case 1:
		r.ecx = (r.ecx & ~(u32)CPUID1_ECX_HIDE) | (u32)CPUID1_ECX_HYPERVISOR;
		r.edx &= ~(u32)CPUID1_EDX_HIDE;
		r.ebx &= 0x00FFFFFF; /* initial APIC ID 0 */
		break;
	case 7:
		if (sub == 0) {
			r.ebx &= ~(u32)CPUID7_EBX_HIDE;
			r.ecx = 0;
			r.edx = 0;
		} else {
			r = (struct cpuid_regs){ 0, 0, 0, 0 };
		}
		break;
	case 5:
	case 6:
	case 0xA:
	case 0xB:
	case 0xD:
	case 0xF:
	case 0x10:
	case 0x12:
	case 0x14:
	case 0x8000000A:
	case 0x80000021: /* AMD extended features (AutoIBRS needs an EFER bit umbra refuses) */
		r = (struct cpuid_regs){ 0, 0, 0, 0 };
		break;
	case 0x80000001:
		r.ecx &= ~(u32)CPUID_EXT_ECX_HIDE;
		r.edx &= ~(u32)CPUID_EXT_EDX_HIDE;
		break;
	default:
		break;
	}
	return r;
}

struct cpuid_regs cpuid_model(u32 leaf, u32 sub)
{
	return model_leaf(leaf, sub);
}

static void handle_cpuid(struct vcpu *v, const struct vm_exit *e)
{
	struct cpuid_regs r = model_leaf((u32)v->gpr[GPR_RAX], (u32)v->gpr[GPR_RCX]);

	v->gpr[GPR_RAX] = r.eax;
	v->gpr[GPR_RBX] = r.ebx;
	v->gpr[GPR_RCX] = r.ecx;
	v->gpr[GPR_RDX] = r.edx;
	v->rip = e->next_rip;
}

/* ---------------------------------------------------------------- MSRs */

#define MISC_ENABLE_FAST_STRINGS BIT(0)

/* The allow list: MSRs umbra answers itself, or the back end keeps. */
static bool msr_read(struct vcpu *v, u32 index, u64 *val)
{
	switch (index) {
	case MSR_MTRR_CAP:
	case MSR_MTRR_DEF_TYPE:
		*val = 0;
		return true;
	case MSR_MISC_ENABLE:
		*val = MISC_ENABLE_FAST_STRINGS;
		return true;
	case MSR_TSC_AUX:
		*val = v->tsc_aux;
		return true;
	default:
		return vendor->msr_read(v, index, val);
	}
}

/* Addresses the CPU checks for canonical form on WRMSR. */
static bool msr_needs_canonical(u32 index)
{
	return index == MSR_SYSENTER_ESP || index == MSR_SYSENTER_EIP || index == MSR_LSTAR ||
	       index == MSR_CSTAR || index == MSR_FS_BASE || index == MSR_GS_BASE ||
	       index == MSR_KERNEL_GS_BASE;
}

static bool canonical(u64 v)
{
	return (u64)((s64)(v << 16) >> 16) == v;
}

/* Each PAT entry must be a defined memory type: 0, 1, 4, 5, 6 or 7. */
static bool pat_valid(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));
		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

static bool msr_write(struct vcpu *v, u32 index, u64 val)
{
	if (msr_needs_canonical(index) && !canonical(val))
		return false;
	if (index == MSR_IA32_PAT && !pat_valid(val))
		return false;
	if (index == MSR_SFMASK && (val >> 32))
		return false; /* bits 63:32 are reserved */
	switch (index) {
	case MSR_MISC_ENABLE:
	case MSR_MTRR_DEF_TYPE:
		return true; /* accepted, no effect: documented in docs/hypercalls.md */
	case MSR_TSC_AUX:
		if (val >> 32)
			return false;
		v->tsc_aux = val;
		return true;
	default:
		return vendor->msr_write(v, index, val);
	}
}

static void handle_msr(struct vcpu *v, const struct vm_exit *e)
{
	u64 val = (v->gpr[GPR_RDX] << 32) | (u32)v->gpr[GPR_RAX];
	bool ok;

	if (e->msr.write) {
		ok = msr_write(v, e->msr.index, val);
	} else {
		ok = msr_read(v, e->msr.index, &val);
		if (ok) {
			v->gpr[GPR_RAX] = (u32)val;
			v->gpr[GPR_RDX] = val >> 32;
		}
	}
	if (!ok) {
		vendor->inject_exception(v, VEC_GP, true, 0); /* as the CPU would */
		return;
	}
	v->rip = e->next_rip;
}

/* ---------------------------------------------------------------- ending exits */

#define RFLAGS_IF BIT(9)

static void handle_hlt(struct vcpu *v, const struct vm_exit *e)
{
	/* No virtual interrupt source exists yet, so a halted guest never wakes. */
	vm_end(v->vm, false, 0, "halted (HLT with interrupts %s) with nothing to wake it",
	       (v->rflags & RFLAGS_IF) ? "on" : "off");
}

static void handle_shutdown(struct vcpu *v, const struct vm_exit *e)
{
	vm_end(v->vm, false, 0, "triple fault (shutdown) at rip 0x%llx",
	       (unsigned long long)v->rip);
}

static void handle_invalid(struct vcpu *v, const struct vm_exit *e)
{
	if (e->why)
		vm_end(v->vm, false, 0, "the CPU refused to enter the guest: %s", e->why);
	else
		vm_end(v->vm, false, 0, "the CPU refused the guest's state (exit code 0x%llx)",
		       (unsigned long long)e->code);
}

#define VEC_DB 1
#define VEC_AC 17

/* #DB and #AC are intercepted only so that each delivery exits; hand them back. */
static void handle_exception(struct vcpu *v, const struct vm_exit *e)
{
	if (e->exc.vector == VEC_DB || e->exc.vector == VEC_AC) {
		if (e->exc.after_insn)
			v->rip = e->next_rip;
		vendor->inject_exception(v, e->exc.vector, e->exc.vector == VEC_AC, 0);
		return;
	}
	vm_end(v->vm, false, 0, "exception %u (error 0x%x) intercepted at rip 0x%llx",
	       e->exc.vector, e->exc.error, (unsigned long long)v->rip);
}

/* INVD would throw away dirty lines of every cache, umbra's and other guests'
 * included: write them back instead, as WBINVD does. */
static void handle_cache_flush(struct vcpu *v, const struct vm_exit *e)
{
	__asm__ volatile("wbinvd" ::: "memory");
	v->rip = e->next_rip;
}

/* A host interrupt: the slice timer (already acknowledged by its handler). */
static void handle_intr(struct vcpu *v, const struct vm_exit *e)
{
	v->preempted = true;
}

/* The CPUID model hides SVM, VMX and XSAVE, so their instructions raise #UD. */
static void handle_undefined(struct vcpu *v, const struct vm_exit *e)
{
	vendor->inject_exception(v, VEC_UD, false, 0);
}

static void handle_other(struct vcpu *v, const struct vm_exit *e)
{
	vm_end(v->vm, false, 0, "unexpected exit 0x%llx (%s) at rip 0x%llx",
	       (unsigned long long)e->code, e->why ? e->why : "not one umbra asked for",
	       (unsigned long long)v->rip);
}

/* ---------------------------------------------------------------- control registers */

#define CR0_ET BIT(4)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)

/* The architecture's own rules for MOV to CR0/CR4 (SDM vol. 3 2.5, APM
 * vol. 2 3.1); which CR4 bits exist at all is the back end's question. */
static bool cr_value_allowed(const struct vcpu_paging *p, unsigned cr, u64 val)
{
	bool long_mode = p->efer & EFER_LMA;

	if (cr == 0) {
		if ((val >> 32) || ((val & CR0_PG) && !(val & CR0_PE)) ||
		    ((val & CR0_NW) && !(val & CR0_CD)))
			return false;
		if ((val & CR0_PG) && !(p->cr0 & CR0_PG) && (p->efer & EFER_LME) &&
		    !(p->cr4 & CR4_PAE))
			return false; /* long mode needs PAE */
		return !(long_mode && p->mode_bits == 64 && !(val & CR0_PG));
	}
	if (cr == 4)
		return !(long_mode && !(val & CR4_PAE)) && !(!long_mode && (val & CR4_PCIDE));
	if (cr == 8)
		return !(val >> 4); /* the task priority is 4 bits */
	/* CR3: in long mode, bits from the physical width up are reserved
	 * (bit 63 is the no-flush hint of PCIDs); in 32-bit modes all 32 bits count. */
	return !long_mode || !(val & GENMASK(62, cpuid(0x80000008, 0).eax & 0xFF));
}

static void handle_cr(struct vcpu *v, const struct vm_exit *e)
{
	struct vcpu_paging p;
	u64 mask, val;
	int r;

	vendor->paging(v, &p);
	mask = p.mode_bits == 64 ? ~0ULL : 0xFFFFFFFFULL;
	if (!e->cr.write) {
		v->gpr[e->cr.gpr] = vendor->cr_read(v, e->cr.cr) & mask;
		v->rip = e->next_rip;
		return;
	}
	val = e->cr.has_val ? e->cr.value : v->gpr[e->cr.gpr] & mask;
	if (e->cr.cr == 0)
		val |= CR0_ET; /* hard-wired to 1 */
	r = cr_value_allowed(&p, e->cr.cr, val) ? vendor->cr_write(v, e->cr.cr, val) : CR_GP;
	if (r == CR_GP)
		vendor->inject_exception(v, VEC_GP, true, 0);
	else if (r == CR_OK)
		v->rip = e->next_rip;
}

const exit_handler exit_handlers[NR_EXIT_REASONS] = {
	[EXIT_CPUID] = handle_cpuid,
	[EXIT_MSR] = handle_msr,
	[EXIT_IO] = handle_io,
	[EXIT_TDP_FAULT] = handle_tdp_fault,
	[EXIT_HLT] = handle_hlt,
	[EXIT_HYPERCALL] = handle_hypercall,
	[EXIT_EXCEPTION] = handle_exception,
	[EXIT_SHUTDOWN] = handle_shutdown,
	[EXIT_INTR] = handle_intr,
	[EXIT_INVALID] = handle_invalid,
	[EXIT_UNDEFINED] = handle_undefined,
	[EXIT_CACHE_FLUSH] = handle_cache_flush,
	[EXIT_CR_ACCESS] = handle_cr,
	[EXIT_PAGE_FAULT] = handle_page_fault,
	[EXIT_INVLPG] = handle_invlpg,
	[EXIT_OTHER] = handle_other,
};

const char *const exit_reason_names[NR_EXIT_REASONS] = {
	[EXIT_CPUID] = "cpuid",
	[EXIT_MSR] = "msr",
	[EXIT_IO] = "io",
	[EXIT_TDP_FAULT] = "tdp_fault",
	[EXIT_HLT] = "hlt",
	[EXIT_HYPERCALL] = "hypercall",
	[EXIT_EXCEPTION] = "exception",
	[EXIT_SHUTDOWN] = "shutdown",
	[EXIT_INTR] = "intr",
	[EXIT_INVALID] = "invalid",
	[EXIT_UNDEFINED] = "undefined",
	[EXIT_CACHE_FLUSH] = "cache_flush",
	[EXIT_CR_ACCESS] = "cr",
	[EXIT_PAGE_FAULT] = "page_fault",
	[EXIT_INVLPG] = "invlpg",
	[EXIT_OTHER] = "other",
};

/* ---------------------------------------------------------------- state the CPU leaves alone */

#define FX_FCW 0	/* offset of the x87 control word */
#define FX_MXCSR 24	/* offset of MXCSR */
#define FCW_INIT 0x037F /* as after FNINIT */
#define DR6_INIT 0xFFFF0FF0
#define MXCSR_INIT 0x1F80

/* The vCPU whose x87/SSE and DR0-DR3 values are in the CPU now. */
static struct vcpu *fpu_owner;

static void fx_reset(struct vcpu *v)
{
	for (size_t i = 0; i < sizeof(v->fx); i++)
		v->fx[i] = 0;
	v->fx[FX_FCW] = FCW_INIT & 0xFF;
	v->fx[FX_FCW + 1] = FCW_INIT >> 8;
	v->fx[FX_MXCSR] = MXCSR_INIT & 0xFF;
	v->fx[FX_MXCSR + 1] = MXCSR_INIT >> 8;
	for (int i = 0; i < 4; i++)
		v->dr[i] = 0;
	v->dr6 = DR6_INIT;
	v->fx_ready = true;
}

/* VMRUN/VMLAUNCH switch neither the FPU/SSE registers nor DR0-DR3 (nor, on
 * VMX, DR6; on SVM the VMCB holds the guest's DR6 and this copy is unused): without
 * this, one guest would see another's. umbra itself uses neither. */
static void load_cpu_state(struct vcpu *v)
{
	if (fpu_owner == v)
		return;
	if (!v->fx_ready)
		fx_reset(v);
	if (fpu_owner) {
		__asm__ volatile("fxsave64 %0" : "=m"(fpu_owner->fx));
		fpu_owner->dr[0] = read_dr(0);
		fpu_owner->dr[1] = read_dr(1);
		fpu_owner->dr[2] = read_dr(2);
		fpu_owner->dr[3] = read_dr(3);
		fpu_owner->dr6 = read_dr6();
	}
	__asm__ volatile("fxrstor64 %0" : : "m"(v->fx));
	write_dr(0, v->dr[0]);
	write_dr(1, v->dr[1]);
	write_dr(2, v->dr[2]);
	write_dr(3, v->dr[3]);
	write_dr6(v->dr6);
	fpu_owner = v;
}

void vcpu_set_start(struct vcpu *v, const struct guest_start *g)
{
	memset(v->gpr, 0, sizeof(v->gpr));
	v->gpr[GPR_RAX] = g->rax;
	v->gpr[GPR_RBX] = g->rbx;
	v->gpr[GPR_RDI] = g->rdi;
	v->gpr[GPR_RSI] = g->rsi;
	v->gpr[GPR_RSP] = g->rsp;
	v->rip = g->rip;
	v->rflags = RFLAGS_FIXED;
}

void vcpu_forget(struct vcpu *v)
{
	if (fpu_owner == v)
		fpu_owner = NULL;
	v->fx_ready = false;
}

void vcpu_run(struct vcpu *v)
{
	load_cpu_state(v);
	v->preempted = false;
	if (v->vm->state == VM_RUNNING)
		vendor->run(v);
}
