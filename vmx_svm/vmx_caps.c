/* vmx_caps.c: deriving the VMX controls umbra runs with from the capability MSRs. */
#include "vmx_svm/vmx_caps.h"

#include "compiler.h"
#include "core/log.h"
#include "vmx_svm/vmx.h"

/*
 * Each control capability MSR (SDM vol. 3, A.3-A.5) holds two masks:
 *
 *   63                     32 31                      0
 *  +-------------------------+-------------------------+
 *  | allowed-1: a 0 here     | allowed-0: a 1 here     |
 *  | means "must be 0"       | means "must be 1"       |
 *  +-------------------------+-------------------------+
 *
 * so the control word umbra writes is (wanted & allowed-1) | allowed-0.
 */
#define ALLOWED0(msr) ((u32)(msr))
#define ALLOWED1(msr) ((u32)((msr) >> 32))

#define LOW32 GENMASK(31, 0)
#define MEMTYPE_WB 6 /* the IA-32 memory-type encoding, as in the PAT and MTRRs */

#define EXC_DB 1
#define EXC_PF 14
#define EXC_AC 17
#define EXC_MC 18

/* A control umbra cannot run without, named as the refusal sentence names it. */
struct vmx_need {
	u32 bit;
	const char *name;
};

static const struct vmx_need pin_needs[] = {
	{ PIN_EXT_INTR_EXIT, "external-interrupt exiting" },
	{ PIN_NMI_EXIT, "NMI exiting" },
};

static const struct vmx_need proc_needs[] = {
	{ PROC_HLT_EXIT, "HLT exiting" },
	{ PROC_MWAIT_EXIT, "MWAIT exiting" },
	{ PROC_MONITOR_EXIT, "MONITOR exiting" },
	{ PROC_IO_BITMAPS, "I/O bitmaps" },
	{ PROC_MSR_BITMAPS, "MSR bitmaps" },
	/* else a guest's MOV to CR8 writes the host's task priority */
	{ PROC_CR8_LOAD_EXIT, "CR8-load exiting" },
	{ PROC_CR8_STORE_EXIT, "CR8-store exiting" },
};

static const struct vmx_need exit_needs[] = {
	{ EXIT_HOST_64, "64-bit host on exit (host address-space size)" },
	{ EXIT_SAVE_PAT, "save IA32_PAT on exit" },
	{ EXIT_LOAD_PAT, "load IA32_PAT on exit" },
	{ EXIT_SAVE_EFER, "save IA32_EFER on exit" },
	{ EXIT_LOAD_EFER, "load IA32_EFER on exit" },
	/* else an exit resets the guest's DR7 and DEBUGCTL */
	{ EXIT_SAVE_DEBUG, "save debug controls on exit" },
};

static const struct vmx_need entry_needs[] = {
	{ ENTRY_LOAD_PAT, "load IA32_PAT on entry" },
	{ ENTRY_LOAD_EFER, "load IA32_EFER on entry" },
	{ ENTRY_LOAD_DEBUG, "load debug controls on entry" },
};

/* The refusal sentence, built one missing feature at a time. */
struct vmx_why {
	char *buf;
	size_t len;
	size_t pos; /* characters wanted so far, may exceed len */
	int missing;
};

static void why_add(struct vmx_why *w, const char *name)
{
	const char *sep = w->missing ? ", " : "vmx: this CPU lacks what umbra needs: ";
	int n;

	w->missing++;
	if (!w->buf || w->pos >= w->len)
		return;
	n = ksnprintf(w->buf + w->pos, w->len - w->pos, "%s%s", sep, name);
	if (n > 0)
		w->pos += (size_t)n;
}

/* Name every need the CPU's allowed-1 settings leave out; return all their bits. */
static u32 check_needs(struct vmx_why *w, u64 msr, const struct vmx_need *needs, size_t n)
{
	u32 bits = 0;

	for (size_t i = 0; i < n; i++) {
		bits |= needs[i].bit;
		if (!(ALLOWED1(msr) & needs[i].bit))
			why_add(w, needs[i].name);
	}
	return bits;
}

static u32 adjust(u64 msr, u32 wanted)
{
	return (wanted & ALLOWED1(msr)) | ALLOWED0(msr);
}

/*
 * EPT as umbra uses it: a 4-level walk, paging structures it may map
 * write-back (or at least uncached), and INVEPT to flush after changing them.
 */
static void build_ept(u64 cap, struct vmx_config *cfg)
{
	u64 memtype;

	if (!(cap & VMX_EPT_WALK_4) || !(cap & (VMX_EPT_WB | VMX_EPT_UC)) ||
	    !(cap & VMX_EPT_INVEPT) || !(cap & (VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL)))
		return;
	memtype = (cap & VMX_EPT_WB) ? EPT_MEMTYPE_WB : EPT_MEMTYPE_UC;
	cfg->ept = true;
	cfg->eptp_flags = FIELD_PREP(EPTP_MEMTYPE, memtype) | FIELD_PREP(EPTP_WALK_LENGTH, 4 - 1);
	cfg->invept_type = (cap & VMX_EPT_INVEPT_SINGLE) ? INVEPT_SINGLE : INVEPT_ALL;
	cfg->ept_2m = cap & VMX_EPT_2M;
	cfg->ept_1g = cap & VMX_EPT_1G;
}

static void build_vpid(u64 cap, struct vmx_config *cfg)
{
	if (!(cap & VMX_VPID_INVVPID) || !(cap & (VMX_VPID_INVVPID_SINGLE | VMX_VPID_INVVPID_ALL)))
		return;
	cfg->vpid = true;
	cfg->invvpid_type = (cap & VMX_VPID_INVVPID_SINGLE) ? INVVPID_SINGLE : INVVPID_ALL;
}

/*
 * The secondary controls: EPT, VPID and unrestricted guest, each only when
 * umbra can really use it, nothing else (RDTSCP, INVPCID and XSAVES stay
 * off so that guests get #UD for them). IA32_VMX_PROCBASED_CTLS2 counts only
 * when the primary controls allow "activate secondary controls", and
 * IA32_VMX_EPT_VPID_CAP only when the secondary ones allow EPT or VPID. The
 * secondary controls have no default-1 class, so nothing forces one on.
 * "Activate secondary controls" is wanted, not needed: a CPU without it has
 * no EPT, so its VMs use shadow paging. It is set exactly when proc2 is not 0.
 */
static void build_secondary(const struct vmx_caps *caps, u64 proc, struct vmx_config *cfg)
{
	u64 proc2 = (ALLOWED1(proc) & PROC_SECONDARY) ? caps->procbased2 : 0;
	u64 cap = (ALLOWED1(proc2) & (PROC2_EPT | PROC2_VPID)) ? caps->ept_vpid : 0;
	u32 wanted = 0;

	if (ALLOWED1(proc2) & PROC2_EPT)
		build_ept(cap, cfg);
	if (ALLOWED1(proc2) & PROC2_VPID)
		build_vpid(cap, cfg);
	/* Unrestricted guest needs EPT (a VM-entry check on the controls) and,
	 * since such a guest may switch EFER.LMA without an exit, exits that
	 * store EFER.LMA into "IA-32e mode guest" for the next entry. */
	cfg->unrestricted = (ALLOWED1(proc2) & PROC2_UNRESTRICTED) && cfg->ept &&
			    (caps->misc & VMX_MISC_STORE_LMA);
	if (cfg->ept)
		wanted |= PROC2_EPT;
	if (cfg->vpid)
		wanted |= PROC2_VPID;
	if (cfg->unrestricted)
		wanted |= PROC2_UNRESTRICTED;
	cfg->proc2 = adjust(proc2, wanted);
	if (!cfg->proc2)
		cfg->proc &= ~(u32)PROC_SECONDARY | ALLOWED0(proc);
}

/*
 * Guest CR0/CR4 as VMX allows them (SDM A.7, A.8). The high 32 bits of both
 * registers are reserved, so only the low halves of the MSRs count.
 */
static void build_crs(const struct vmx_caps *caps, struct vmx_config *cfg)
{
	cfg->cr0_must1 = caps->cr0_fixed0 & LOW32;
	if (cfg->unrestricted)
		cfg->cr0_must1 &= ~(u64)(CR0_PE | CR0_PG);
	cfg->cr0_may1 = caps->cr0_fixed1 & LOW32;
	cfg->cr4_must1 = caps->cr4_fixed0 & LOW32;
	cfg->cr4_may1 = caps->cr4_fixed1 & LOW32;
	cfg->cr0_mask = (cfg->cr0_must1 | ~cfg->cr0_may1) & LOW32;
	cfg->cr4_mask = (cfg->cr4_must1 | ~cfg->cr4_may1 | CR4_HIDDEN) & LOW32;
}

/*
 * Shadow-paged VMs: the same controls without EPT and unrestricted guest
 * (VPID stays), plus the exits shadow paging lives on: MOV to and from CR3
 * (the guest's CR3 is not the one the CPU walks), INVLPG, and every #PF
 * (PFEC mask and match are 0). The CR0/CR4 bits whose hardware value
 * differs from the guest's, or whose change makes the shadow tables wrong,
 * are host-owned.
 */
static void build_shadow(const struct vmx_caps *caps, u64 proc_msr, struct vmx_config *cfg)
{
	const u32 exits = PROC_CR3_LOAD_EXIT | PROC_CR3_STORE_EXIT | PROC_INVLPG_EXIT;
	u64 proc2_msr = (ALLOWED1(proc_msr) & PROC_SECONDARY) ? caps->procbased2 : 0;
	struct vmx_vm_ctls *c = &cfg->shadow_ctls;

	cfg->shadow = (ALLOWED1(proc_msr) & exits) == exits;
	c->proc = cfg->proc | (exits & ALLOWED1(proc_msr));
	c->proc2 = adjust(proc2_msr, cfg->vpid ? PROC2_VPID : 0);
	if (c->proc2)
		c->proc |= PROC_SECONDARY;
	else
		c->proc &= ~(u32)PROC_SECONDARY | ALLOWED0(proc_msr);
	c->exception_bitmap = cfg->exception_bitmap | BIT(EXC_PF);
	c->cr0_mask = cfg->cr0_mask | CR0_PE | CR0_PG | CR0_WP;
	c->cr4_mask = cfg->cr4_mask | CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP;
}

int vmx_config_build(const struct vmx_caps *caps, struct vmx_config *cfg, char *why, size_t len)
{
	struct vmx_why w = { .buf = why, .len = len };
	bool true_ctls = caps->basic & VMX_BASIC_TRUE_CTLS;
	u64 pin_msr = true_ctls ? caps->true_pinbased : caps->pinbased;
	u64 proc_msr = true_ctls ? caps->true_procbased : caps->procbased;
	u64 exit_msr = true_ctls ? caps->true_exit : caps->exit;
	u64 entry_msr = true_ctls ? caps->true_entry : caps->entry;
	u32 want_pin, want_proc, want_exit, want_entry;

	*cfg = (struct vmx_config){ 0 };
	if (why && len)
		why[0] = '\0';
	cfg->revision = FIELD_GET(VMX_BASIC_REVISION, caps->basic);
	cfg->vmcs_size = FIELD_GET(VMX_BASIC_VMCS_SIZE, caps->basic);
	cfg->below_4g = caps->basic & VMX_BASIC_PA_32BIT;
	/* umbra maps the VMXON region and the VMCSs write-back. */
	if (FIELD_GET(VMX_BASIC_MEMTYPE, caps->basic) != MEMTYPE_WB)
		why_add(&w, "write-back memory type for the VMCS");

	/* What umbra wants in the primary words is what it needs, plus the
	 * secondary controls when there are any (see build_secondary()) and
	 * TSC offsetting, which makes a guest's WRMSR to the TSC possible. */
	/* The preemption timer is wanted too: vmx.c uses it as the time
	 * slice's backstop (see the note at enter_until_real_exit in vmx.c). */
	want_pin = check_needs(&w, pin_msr, pin_needs, ARRAY_SIZE(pin_needs)) | PIN_PREEMPT_TIMER;
	want_proc = check_needs(&w, proc_msr, proc_needs, ARRAY_SIZE(proc_needs)) | PROC_SECONDARY |
		    PROC_TSC_OFFSET;
	want_exit = check_needs(&w, exit_msr, exit_needs, ARRAY_SIZE(exit_needs));
	/* not "IA-32e mode guest": vmx.c sets that per vCPU */
	want_entry = check_needs(&w, entry_msr, entry_needs, ARRAY_SIZE(entry_needs));
	cfg->pin = adjust(pin_msr, want_pin);
	cfg->preempt_timer = cfg->pin & PIN_PREEMPT_TIMER;
	cfg->preempt_shift = (u8)FIELD_GET(VMX_MISC_PREEMPT_SHIFT, caps->misc);
	cfg->proc = adjust(proc_msr, want_proc);
	cfg->exit = adjust(exit_msr, want_exit);
	cfg->entry = adjust(entry_msr, want_entry);
	cfg->exception_bitmap = BIT(EXC_DB) | BIT(EXC_AC) | BIT(EXC_MC);
	build_secondary(caps, proc_msr, cfg);
	build_crs(caps, cfg);
	build_shadow(caps, proc_msr, cfg);
	return w.missing ? -1 : 0;
}

const char *vmx_config_refusal(const struct vmx_config *cfg)
{
	if (!cfg->ept && !cfg->shadow)
		return "no usable EPT (extended page tables), and no CR3-load, CR3-store and "
		       "INVLPG exiting for shadow paging, so guests cannot run on this CPU";
	return NULL;
}

struct vmx_vm_ctls vmx_controls_for(const struct vmx_config *cfg, bool shadow)
{
	if (shadow)
		return cfg->shadow_ctls;
	return (struct vmx_vm_ctls){
		.proc = cfg->proc,
		.proc2 = cfg->proc2,
		.exception_bitmap = cfg->exception_bitmap,
		.cr0_mask = cfg->cr0_mask,
		.cr4_mask = cfg->cr4_mask,
	};
}

/* INVEPT and INVVPID share the numbers of their single- and all-context types. */
static const char *inv_type_name(int type)
{
	if (type == INVEPT_SINGLE)
		return "single";
	if (type == INVEPT_ALL)
		return "all";
	return "none";
}

int vmx_config_format(const struct vmx_config *cfg, char *buf, size_t size)
{
	return ksnprintf(buf, size,
			 "vmx: enabled: ept=%d vpid=%d unrestricted=%d ept_2m=%d ept_1g=%d "
			 "invept=%s invvpid=%s vmcs_size=%u rev=0x%x%s",
			 cfg->ept, cfg->vpid, cfg->unrestricted, cfg->ept_2m, cfg->ept_1g,
			 inv_type_name(cfg->invept_type), inv_type_name(cfg->invvpid_type),
			 cfg->vmcs_size, cfg->revision,
			 cfg->ept ? "" : " (no EPT: every VM uses shadow paging)");
}

u64 vmx_cr0_real(const struct vmx_config *cfg, u64 guest_cr0)
{
	return (guest_cr0 | cfg->cr0_must1) & cfg->cr0_may1;
}

u64 vmx_cr4_real(const struct vmx_config *cfg, u64 guest_cr4)
{
	return (guest_cr4 | cfg->cr4_must1) & cfg->cr4_may1;
}

bool vmx_cr4_allowed(const struct vmx_config *cfg, u64 guest_cr4)
{
	return !(guest_cr4 & ~cfg->cr4_may1) && !(guest_cr4 & CR4_HIDDEN);
}

/* Basic exit reasons, SDM vol. 3 appendix C; the gaps are numbers no CPU uses. */
static const char *const exit_reason_names[] = {
	[VMX_EXIT_EXCEPTION_NMI] = "exception or NMI",
	[VMX_EXIT_EXT_INTR] = "external interrupt",
	[VMX_EXIT_TRIPLE_FAULT] = "triple fault",
	[VMX_EXIT_INIT] = "INIT signal",
	[VMX_EXIT_SIPI] = "start-up IPI",
	[5] = "I/O SMI",
	[6] = "other SMI",
	[VMX_EXIT_INTR_WINDOW] = "interrupt window",
	[VMX_EXIT_NMI_WINDOW] = "NMI window",
	[VMX_EXIT_TASK_SWITCH] = "task switch",
	[VMX_EXIT_CPUID] = "CPUID",
	[VMX_EXIT_GETSEC] = "GETSEC",
	[VMX_EXIT_HLT] = "HLT",
	[VMX_EXIT_INVD] = "INVD",
	[VMX_EXIT_INVLPG] = "INVLPG",
	[VMX_EXIT_RDPMC] = "RDPMC",
	[VMX_EXIT_RDTSC] = "RDTSC",
	[VMX_EXIT_RSM] = "RSM",
	[VMX_EXIT_VMCALL] = "VMCALL",
	[VMX_EXIT_VMCLEAR] = "VMCLEAR",
	[VMX_EXIT_VMLAUNCH] = "VMLAUNCH",
	[VMX_EXIT_VMPTRLD] = "VMPTRLD",
	[VMX_EXIT_VMPTRST] = "VMPTRST",
	[VMX_EXIT_VMREAD] = "VMREAD",
	[VMX_EXIT_VMRESUME] = "VMRESUME",
	[VMX_EXIT_VMWRITE] = "VMWRITE",
	[VMX_EXIT_VMXOFF] = "VMXOFF",
	[VMX_EXIT_VMXON] = "VMXON",
	[VMX_EXIT_CR_ACCESS] = "control-register access",
	[VMX_EXIT_MOV_DR] = "MOV DR",
	[VMX_EXIT_IO] = "I/O instruction",
	[VMX_EXIT_RDMSR] = "RDMSR",
	[VMX_EXIT_WRMSR] = "WRMSR",
	[VMX_EXIT_INVALID_GUEST] = "VM-entry failure: invalid guest state",
	[VMX_EXIT_MSR_LOADING] = "VM-entry failure: MSR loading",
	[VMX_EXIT_MWAIT] = "MWAIT",
	[VMX_EXIT_MTF] = "monitor trap flag",
	[VMX_EXIT_MONITOR] = "MONITOR",
	[VMX_EXIT_PAUSE] = "PAUSE",
	[VMX_EXIT_MACHINE_CHECK] = "VM-entry failure: machine-check event",
	[VMX_EXIT_TPR_BELOW] = "TPR below threshold",
	[VMX_EXIT_APIC_ACCESS] = "APIC access",
	[VMX_EXIT_VIRT_EOI] = "virtualized EOI",
	[VMX_EXIT_GDTR_IDTR] = "GDTR or IDTR access",
	[VMX_EXIT_LDTR_TR] = "LDTR or TR access",
	[VMX_EXIT_EPT_VIOLATION] = "EPT violation",
	[VMX_EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
	[VMX_EXIT_INVEPT] = "INVEPT",
	[VMX_EXIT_RDTSCP] = "RDTSCP",
	[VMX_EXIT_PREEMPT_TIMER] = "VMX-preemption timer expired",
	[VMX_EXIT_INVVPID] = "INVVPID",
	[VMX_EXIT_WBINVD] = "WBINVD or WBNOINVD",
	[VMX_EXIT_XSETBV] = "XSETBV",
	[VMX_EXIT_APIC_WRITE] = "APIC write",
	[VMX_EXIT_RDRAND] = "RDRAND",
	[VMX_EXIT_INVPCID] = "INVPCID",
	[VMX_EXIT_VMFUNC] = "VMFUNC",
	[VMX_EXIT_ENCLS] = "ENCLS",
	[VMX_EXIT_RDSEED] = "RDSEED",
	[VMX_EXIT_PML_FULL] = "page-modification log full",
	[VMX_EXIT_XSAVES] = "XSAVES",
	[VMX_EXIT_XRSTORS] = "XRSTORS",
};
_Static_assert(ARRAY_SIZE(exit_reason_names) == VMX_NR_EXIT_REASONS, "a name per exit reason");

const char *vmx_exit_reason_name(u32 basic_reason)
{
	if (basic_reason >= ARRAY_SIZE(exit_reason_names) || !exit_reason_names[basic_reason])
		return "unknown";
	return exit_reason_names[basic_reason];
}

/* VM-instruction error numbers, SDM vol. 3 "VM-instruction error numbers"
 * (30.4 or 31.4 by edition); 14, 21 and 27 are not used. */
static const char *const insn_error_names[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_name(u32 error)
{
	if (error >= ARRAY_SIZE(insn_error_names) || !insn_error_names[error])
		return "unknown";
	return insn_error_names[error];
}
