/* vmx_check.c: naming the VM-entry check that the controls or the host state fail (SDM vol. 3). */
#include "vmx_svm/vmx_check.h"

#include <stdarg.h>

#include "compiler.h"
#include "core/log.h"
#include "vmx_svm/vmx.h"

/*
 * Each checker walks the SDM's list of checks in the SDM's order and stops
 * at the first rule the state breaks. The CPU does not say which check it
 * tripped over, and the SDM leaves their order to the implementation, so the
 * sentence names *a* broken rule: fix it and, if the entry still fails, the
 * next report names the next one. The guest-state checks, which share the
 * helpers below, are in vmx_check_guest.c.
 */

#define INTR_INFO_RESERVED GENMASK(30, 12)
#define INTR_TYPE_RESERVED 1
#define ENTRY_ERROR_RESERVED GENMASK(31, 16)
#define BASIC_ANY_ERROR_CODE BIT(56) /* hardware exceptions may be injected with or without one */
#define MISC_INJECT_LEN0 BIT(30)     /* software events may be injected with length 0 */
#define EPT_CAP_WALK_5 BIT(7)
#define EPTP_RESERVED_LOW GENMASK(11, 7)
#define PROC2_APIC_REG_VIRT BIT(8)
#define PROC2_VIRT_INTR BIT(9)
#define ENTRY_DEACT_DUAL BIT(11)
#define CR3_TARGETS_MAX 4

/* ---------------------------------------- shared helpers */

static u32 phys_width(u32 maxphyaddr)
{
	return maxphyaddr == 0 || maxphyaddr > 52 ? 52 : maxphyaddr;
}

/* Bits 63:width-1 all equal. */
bool vmxc_canonical(u64 v, u32 width)
{
	u64 top = v >> (width - 1);
	return top == 0 || top == (~0ULL >> (width - 1));
}

void vmxc_init(struct vmxc *c, const struct vmx_caps *caps, const struct vmx_guest_state *g,
	       char *buf, size_t len, const char *area)
{
	*c = (struct vmxc){ .caps = caps, .g = g, .len = len, .area = area };
	c->buf = buf;
	if (!g)
		return;
	c->proc2 = (g->proc & PROC_SECONDARY) ? g->proc2 : 0;
	c->unrestricted = c->proc2 & PROC2_UNRESTRICTED;
	c->ia32e = g->entry & ENTRY_IA32E_GUEST;
	c->v86 = g->rflags & VMXC_RFLAGS_VM;
	c->maxphy = phys_width(g->maxphyaddr);
	c->lawidth = (g->cr4 & CR4_LA57) ? 57 : 48;
}

bool vmxc_vfail(const struct vmxc *c, const char *pre, const char *fmt, va_list ap)
{
	size_t n;

	if (!c->len)
		return true;
	n = (size_t)ksnprintf(c->buf, c->len, "%s: %s", c->area, pre);
	if (n < c->len)
		kvsnprintf(c->buf + n, c->len - n, fmt, ap);
	return true;
}

bool vmxc_fail(const struct vmxc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmxc_vfail(c, "", fmt, ap);
	va_end(ap);
	return true;
}

bool vmxc_none(char *buf, size_t len)
{
	if (len)
		ksnprintf(buf, len, "no check identified");
	return false;
}

/* The first invalid PAT entry (valid types: 0 UC, 1 WC, 4 WT, 5 WP, 6 WB, 7 UC-), or -1. */
static int bad_pat_entry(u64 pat)
{
	for (int i = 0; i < 8; i++) {
		u64 t = (pat >> (8 * i)) & 0xFF;
		if (t == 2 || t == 3 || t > 7)
			return i;
	}
	return -1;
}

bool vmxc_pat(const struct vmxc *c, u64 pat)
{
	int i = bad_pat_entry(pat);

	if (i < 0)
		return false;
	return vmxc_fail(c,
			 "IA32_PAT entry %d holds memory type %llu, not one of 0, 1, 4, 5, 6, 7 "
			 "(pat=0x%llx)",
			 i, (unsigned long long)((pat >> (8 * i)) & 0xFF), (unsigned long long)pat);
}

/* ---------------------------------------- CR0/CR4 against the fixed MSRs */

static const char *const cr0_names[32] = {
	[0] = "PE",  [1] = "MP",  [2] = "EM",  [3] = "TS",  [4] = "ET",	 [5] = "NE",
	[16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};

static const char *const cr4_names[32] = {
	[0] = "VME",	     [1] = "PVI",    [2] = "TSD",      [3] = "DE",    [4] = "PSE",
	[5] = "PAE",	     [6] = "MCE",    [7] = "PGE",      [8] = "PCE",   [9] = "OSFXSR",
	[10] = "OSXMMEXCPT", [11] = "UMIP",  [12] = "LA57",    [13] = "VMXE", [14] = "SMXE",
	[16] = "FSGSBASE",   [17] = "PCIDE", [18] = "OSXSAVE", [19] = "KL",   [20] = "SMEP",
	[21] = "SMAP",	     [22] = "PKE",   [23] = "CET",     [24] = "PKS",
};

/* " (NAME)" for a named bit, "" otherwise. */
static const char *bit_name(char *tmp, size_t size, const char *const names[32], u32 bit)
{
	if (bit >= 32 || !names[bit])
		return "";
	ksnprintf(tmp, size, " (%s)", names[bit]);
	return tmp;
}

/* FIXED0 holds the bits forced to 1, FIXED1 the bits allowed to be 1. */
bool vmxc_fixed(const struct vmxc *c, int n, u64 val, u64 fixed0, u64 fixed1, u64 exempt)
{
	const char *const *names = n == 0 ? cr0_names : cr4_names;
	u64 bad0 = fixed0 & ~val & ~exempt, bad1 = val & ~fixed1 & ~exempt;
	u32 b;
	char tmp[24];

	if (!(bad0 | bad1))
		return false;
	b = (u32)__builtin_ctzll(bad0 | bad1);
	if (bad0 & BIT(b))
		return vmxc_fail(
			c,
			"CR%d bit %u%s is 0 but IA32_VMX_CR%d_FIXED0 forces it to 1 (cr%d=0x%llx)",
			n, b, bit_name(tmp, sizeof(tmp), names, b), n, n, (unsigned long long)val);
	return vmxc_fail(c,
			 "CR%d bit %u%s is 1 but IA32_VMX_CR%d_FIXED1 forces it to 0 (cr%d=0x%llx)",
			 n, b, bit_name(tmp, sizeof(tmp), names, b), n, n, (unsigned long long)val);
}

/* ---------------------------------------- controls: allowed settings */

static const char *const pin_names[32] = {
	[0] = "external-interrupt exiting",
	[3] = "NMI exiting",
	[5] = "virtual NMIs",
	[6] = "activate VMX-preemption timer",
	[7] = "process posted interrupts",
};

static const char *const proc_names[32] = {
	[2] = "interrupt-window exiting",
	[3] = "use TSC offsetting",
	[7] = "HLT exiting",
	[9] = "INVLPG exiting",
	[10] = "MWAIT exiting",
	[11] = "RDPMC exiting",
	[12] = "RDTSC exiting",
	[15] = "CR3-load exiting",
	[16] = "CR3-store exiting",
	[17] = "activate tertiary controls",
	[19] = "CR8-load exiting",
	[20] = "CR8-store exiting",
	[21] = "use TPR shadow",
	[22] = "NMI-window exiting",
	[23] = "MOV-DR exiting",
	[24] = "unconditional I/O exiting",
	[25] = "use I/O bitmaps",
	[27] = "monitor trap flag",
	[28] = "use MSR bitmaps",
	[29] = "MONITOR exiting",
	[30] = "PAUSE exiting",
	[31] = "activate secondary controls",
};

static const char *const proc2_names[32] = {
	[0] = "virtualize APIC accesses",
	[1] = "enable EPT",
	[2] = "descriptor-table exiting",
	[3] = "enable RDTSCP",
	[4] = "virtualize x2APIC mode",
	[5] = "enable VPID",
	[6] = "WBINVD exiting",
	[7] = "unrestricted guest",
	[8] = "APIC-register virtualization",
	[9] = "virtual-interrupt delivery",
	[10] = "PAUSE-loop exiting",
	[11] = "RDRAND exiting",
	[12] = "enable INVPCID",
	[13] = "enable VM functions",
	[14] = "VMCS shadowing",
	[15] = "enable ENCLS exiting",
	[16] = "RDSEED exiting",
	[17] = "enable PML",
	[18] = "EPT-violation #VE",
	[19] = "conceal VMX from PT",
	[20] = "enable XSAVES/XRSTORS",
	[22] = "mode-based execute control for EPT",
	[25] = "use TSC scaling",
};

static const char *const exit_names[32] = {
	[2] = "save debug controls",
	[9] = "host address-space size",
	[12] = "load IA32_PERF_GLOBAL_CTRL",
	[15] = "acknowledge interrupt on exit",
	[18] = "save IA32_PAT",
	[19] = "load IA32_PAT",
	[20] = "save IA32_EFER",
	[21] = "load IA32_EFER",
	[22] = "save VMX-preemption timer value",
	[23] = "clear IA32_BNDCFGS",
	[24] = "conceal VMX from PT",
};

static const char *const entry_names[32] = {
	[2] = "load debug controls",
	[9] = "IA-32e mode guest",
	[10] = "entry to SMM",
	[11] = "deactivate dual-monitor treatment",
	[13] = "load IA32_PERF_GLOBAL_CTRL",
	[14] = "load IA32_PAT",
	[15] = "load IA32_EFER",
	[16] = "load IA32_BNDCFGS",
	[17] = "conceal VMX from PT",
};

enum ctl_kind { CTL_PIN, CTL_PROC, CTL_PROC2, CTL_EXIT, CTL_ENTRY };

struct ctl_desc {
	const char *what;
	const char *msr; /* after "IA32_VMX_" and, for the TRUE ones, "TRUE_" */
	bool has_true;
	const char *const *names;
};

static const struct ctl_desc ctl_descs[] = {
	[CTL_PIN] = { "pin-based", "PINBASED_CTLS", true, pin_names },
	[CTL_PROC] = { "primary processor-based", "PROCBASED_CTLS", true, proc_names },
	[CTL_PROC2] = { "secondary processor-based", "PROCBASED_CTLS2", false, proc2_names },
	[CTL_EXIT] = { "VM-exit", "EXIT_CTLS", true, exit_names },
	[CTL_ENTRY] = { "VM-entry", "ENTRY_CTLS", true, entry_names },
};

/* The capability MSR VM entry checks a control vector against: the TRUE one when
 * IA32_VMX_BASIC bit 55 says it exists. Bits 31:0 must be 1, bits 63:32 may be 1. */
static u64 ctl_cap(const struct vmx_caps *caps, enum ctl_kind k, bool *is_true)
{
	*is_true = ctl_descs[k].has_true && (caps->basic & VMX_BASIC_TRUE_CTLS);
	switch (k) {
	case CTL_PIN:
		return *is_true ? caps->true_pinbased : caps->pinbased;
	case CTL_PROC:
		return *is_true ? caps->true_procbased : caps->procbased;
	case CTL_PROC2:
		return caps->procbased2;
	case CTL_EXIT:
		return *is_true ? caps->true_exit : caps->exit;
	case CTL_ENTRY:
		return *is_true ? caps->true_entry : caps->entry;
	}
	return 0;
}

/* Whether the CPU allows control bit in vector k to be 1. */
static bool ctl_may1(const struct vmx_caps *caps, enum ctl_kind k, u64 bit)
{
	bool t;
	return (ctl_cap(caps, k, &t) >> 32) & bit;
}

static bool check_allowed(const struct vmxc *c, enum ctl_kind k, u32 val)
{
	const struct ctl_desc *d = &ctl_descs[k];
	bool t;
	u64 cap = ctl_cap(c->caps, k, &t);
	u32 must1 = (u32)cap, may1 = (u32)(cap >> 32);
	u32 bad = (~val & must1) | (val & ~may1), b;
	char tmp[48];

	if (!bad)
		return false;
	b = (u32)__builtin_ctz(bad);
	if (val & BIT(b))
		return vmxc_fail(
			c, "%s control bit %u%s is 1 but the CPU does not allow it (IA32_VMX_%s%s)",
			d->what, b, bit_name(tmp, sizeof(tmp), d->names, b), t ? "TRUE_" : "",
			d->msr);
	return vmxc_fail(c, "%s control bit %u%s is 0 but the CPU requires 1 (IA32_VMX_%s%s)",
			 d->what, b, bit_name(tmp, sizeof(tmp), d->names, b), t ? "TRUE_" : "",
			 d->msr);
}

/* ---------------------------------------- controls: execution */

static bool check_bitmap(const struct vmxc *c, const char *what, u64 addr)
{
	if (addr & (PAGE_SIZE - 1))
		return vmxc_fail(c, "%s address 0x%llx is not 4 KiB aligned", what,
				 (unsigned long long)addr);
	if (vmxc_beyond_phys(c, addr))
		return vmxc_fail(c,
				 "%s address 0x%llx is beyond the physical-address width (%u bits)",
				 what, (unsigned long long)addr, c->maxphy);
	return false;
}

static bool check_eptp(const struct vmxc *c)
{
	u64 eptp = c->g->eptp, cap = c->caps->ept_vpid;
	unsigned long long e = (unsigned long long)eptp;
	u32 mt = (u32)FIELD_GET(EPTP_MEMTYPE, eptp), walk = (u32)FIELD_GET(EPTP_WALK_LENGTH, eptp);

	if (mt != EPT_MEMTYPE_UC && mt != EPT_MEMTYPE_WB)
		return vmxc_fail(c, "EPTP 0x%llx: memory type %u is neither UC (0) nor WB (6)", e,
				 mt);
	if (mt == EPT_MEMTYPE_UC && !(cap & VMX_EPT_UC))
		return vmxc_fail(c,
				 "EPTP 0x%llx: memory type UC is not supported "
				 "(IA32_VMX_EPT_VPID_CAP bit 8)",
				 e);
	if (mt == EPT_MEMTYPE_WB && !(cap & VMX_EPT_WB))
		return vmxc_fail(c,
				 "EPTP 0x%llx: memory type WB is not supported "
				 "(IA32_VMX_EPT_VPID_CAP bit 14)",
				 e);
	if (!(walk == 3 && (cap & VMX_EPT_WALK_4)) && !(walk == 4 && (cap & EPT_CAP_WALK_5)))
		return vmxc_fail(c,
				 "EPTP 0x%llx: walk length field (bits 5:3) is %u, a %u-level walk "
				 "the CPU does not support (3 = 4 levels)",
				 e, walk, walk + 1);
	if ((eptp & EPTP_AD) && !(cap & VMX_EPT_AD))
		return vmxc_fail(c,
				 "EPTP 0x%llx: bit 6 (accessed/dirty flags) is 1 but "
				 "IA32_VMX_EPT_VPID_CAP bit 21 is 0",
				 e);
	if (eptp & EPTP_RESERVED_LOW)
		return vmxc_fail(c, "EPTP 0x%llx: reserved bits 11:7 are not 0", e);
	if (vmxc_beyond_phys(c, eptp))
		return vmxc_fail(
			c, "EPTP 0x%llx: address is beyond the physical-address width (%u bits)", e,
			c->maxphy);
	return false;
}

/* Rules between execution controls; bits are reported by name. */
static bool check_exec_deps(const struct vmxc *c)
{
	u32 pin = c->g->pin, proc = c->g->proc, p2 = c->proc2;
	u32 apic = (u32)(PROC2_VIRT_X2APIC | PROC2_APIC_REG_VIRT | PROC2_VIRT_INTR);

	if (!(proc & PROC_TPR_SHADOW) && (p2 & apic))
		return vmxc_fail(c, "secondary control %s is 1 but use TPR shadow is 0",
				 proc2_names[__builtin_ctz(p2 & apic)]);
	if ((pin & PIN_VIRTUAL_NMIS) && !(pin & PIN_NMI_EXIT))
		return vmxc_fail(c, "pin-based control virtual NMIs is 1 but NMI exiting is 0");
	if ((proc & PROC_NMI_WINDOW) && !(pin & PIN_VIRTUAL_NMIS))
		return vmxc_fail(c, "NMI-window exiting is 1 but virtual NMIs is 0");
	if ((p2 & PROC2_VIRT_X2APIC) && (p2 & PROC2_VIRT_APIC_ACCESS))
		return vmxc_fail(c,
				 "virtualize x2APIC mode and virtualize APIC accesses are both 1");
	if ((p2 & PROC2_VIRT_INTR) && !(pin & PIN_EXT_INTR_EXIT))
		return vmxc_fail(
			c, "virtual-interrupt delivery is 1 but external-interrupt exiting is 0");
	if ((pin & PIN_POSTED_INTR) && !(p2 & PROC2_VIRT_INTR))
		return vmxc_fail(
			c, "process posted interrupts is 1 but virtual-interrupt delivery is 0");
	if ((pin & PIN_POSTED_INTR) && !(c->g->exit & EXIT_ACK_INTR))
		return vmxc_fail(
			c, "process posted interrupts is 1 but acknowledge interrupt on exit is 0");
	if ((p2 & PROC2_VPID) && c->g->vpid == 0)
		return vmxc_fail(c, "enable VPID is 1 but the VPID is 0");
	if ((p2 & PROC2_EPT) && check_eptp(c))
		return true;
	if ((p2 & PROC2_UNRESTRICTED) && !(p2 & PROC2_EPT))
		return vmxc_fail(c, "unrestricted guest is 1 but enable EPT is 0");
	return false;
}

static bool check_exec(const struct vmxc *c)
{
	const struct vmx_guest_state *g = c->g;

	if (check_allowed(c, CTL_PIN, g->pin) || check_allowed(c, CTL_PROC, g->proc))
		return true;
	/* Without "activate secondary controls" VM entry treats them as 0. */
	if ((g->proc & PROC_SECONDARY) && check_allowed(c, CTL_PROC2, g->proc2))
		return true;
	if (g->cr3_target_count > CR3_TARGETS_MAX)
		return vmxc_fail(c, "CR3-target count %u is above %d", g->cr3_target_count,
				 CR3_TARGETS_MAX);
	if ((g->proc & PROC_IO_BITMAPS) && (check_bitmap(c, "I/O bitmap A", g->io_bitmap_a) ||
					    check_bitmap(c, "I/O bitmap B", g->io_bitmap_b)))
		return true;
	if ((g->proc & PROC_MSR_BITMAPS) && check_bitmap(c, "MSR bitmap", g->msr_bitmap))
		return true;
	return check_exec_deps(c);
}

/* ---------------------------------------- controls: exit, entry, injection */

static bool check_exit(const struct vmxc *c)
{
	if (check_allowed(c, CTL_EXIT, c->g->exit))
		return true;
	if ((c->g->exit & EXIT_SAVE_PREEMPT_TIMER) && !(c->g->pin & PIN_PREEMPT_TIMER))
		return vmxc_fail(c, "save VMX-preemption timer value is 1 but activate "
				    "VMX-preemption timer is 0");
	return false;
}

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF",	 "#BR", "#UD", "#NM", "#DF", "vector 9", "#TS",
	"#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM", "#VE",	 "#CP",
};

static const char *exc_name(u32 vec)
{
	return vec < 32 && exc_names[vec] ? exc_names[vec] : "reserved vector";
}

/* Exceptions that push an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
static bool exc_has_error(u32 vec)
{
	return vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21;
}

/* The deliver-error-code bit (11) of an injected event. */
static bool check_error_bit(const struct vmxc *c, u32 info, u32 type, u32 vec)
{
	bool has = info & INTR_INFO_HAS_ERROR;
	bool real = c->unrestricted && !(c->g->cr0 & CR0_PE);
	bool any = c->caps->basic & BASIC_ANY_ERROR_CODE;

	if (has && real)
		return vmxc_fail(
			c,
			"VM-entry interruption information 0x%x: deliver-error-code is 1 but the "
			"guest will be in real mode (unrestricted guest, CR0.PE=0)",
			info);
	if (has && type != INTR_TYPE_HW_EXC)
		return vmxc_fail(c,
				 "VM-entry interruption information 0x%x: deliver-error-code is 1 "
				 "but type %u is not a hardware exception (3)",
				 info, type);
	if (any || type != INTR_TYPE_HW_EXC || has == exc_has_error(vec))
		return false;
	if (has)
		return vmxc_fail(c,
				 "VM-entry interruption information 0x%x: deliver-error-code is 1 "
				 "but exception %u (%s) has no error code",
				 info, vec, exc_name(vec));
	if (real)
		return false;
	return vmxc_fail(c,
			 "VM-entry interruption information 0x%x: exception %u (%s) has an error "
			 "code but deliver-error-code is 0",
			 info, vec, exc_name(vec));
}

static bool check_injection(const struct vmxc *c)
{
	u32 info = c->g->entry_intr_info, len = c->g->entry_insn_len;
	u32 type = (u32)FIELD_GET(INTR_INFO_TYPE, info),
	    vec = (u32)FIELD_GET(INTR_INFO_VECTOR, info);

	if (!(info & INTR_INFO_VALID))
		return false;
	if (type == INTR_TYPE_RESERVED)
		return vmxc_fail(c, "VM-entry interruption information 0x%x: type 1 is reserved",
				 info);
	if (type == VMXC_INTR_TYPE_OTHER && !ctl_may1(c->caps, CTL_PROC, PROC_MTF))
		return vmxc_fail(c,
				 "VM-entry interruption information 0x%x: type 7 (other event) "
				 "needs monitor trap flag support",
				 info);
	if (type == INTR_TYPE_NMI && vec != 2)
		return vmxc_fail(c,
				 "VM-entry interruption information 0x%x: an NMI (type 2) must "
				 "have vector 2, not %u",
				 info, vec);
	if (type == INTR_TYPE_HW_EXC && vec > 31)
		return vmxc_fail(c,
				 "VM-entry interruption information 0x%x: hardware exception "
				 "vector %u is above 31",
				 info, vec);
	if (type == VMXC_INTR_TYPE_OTHER && vec != 0)
		return vmxc_fail(c,
				 "VM-entry interruption information 0x%x: other event (type 7) "
				 "must have vector 0",
				 info);
	if (check_error_bit(c, info, type, vec))
		return true;
	if (info & INTR_INFO_RESERVED)
		return vmxc_fail(
			c, "VM-entry interruption information 0x%x: reserved bits 30:12 are not 0",
			info);
	if ((info & INTR_INFO_HAS_ERROR) && (c->g->entry_exc_error & ENTRY_ERROR_RESERVED))
		return vmxc_fail(c, "VM-entry exception error code 0x%x has bits 31:16 set",
				 c->g->entry_exc_error);
	if (type >= INTR_TYPE_SW_INT && type <= INTR_TYPE_SW_EXC &&
	    (len > 15 || (len == 0 && !(c->caps->misc & MISC_INJECT_LEN0))))
		return vmxc_fail(c,
				 "VM-entry instruction length %u for a software interrupt or "
				 "exception (type %u) is not 1 to 15",
				 len, type);
	return false;
}

static bool check_entry(const struct vmxc *c)
{
	if (check_allowed(c, CTL_ENTRY, c->g->entry) || check_injection(c))
		return true;
	if (c->g->entry & ENTRY_SMM)
		return vmxc_fail(c, "VM-entry control entry to SMM is 1 outside SMM");
	if (c->g->entry & ENTRY_DEACT_DUAL)
		return vmxc_fail(
			c, "VM-entry control deactivate dual-monitor treatment is 1 outside SMM");
	return false;
}

bool vmx_check_controls(const struct vmx_caps *caps, const struct vmx_guest_state *g, char *buf,
			size_t len)
{
	struct vmxc c;

	vmxc_init(&c, caps, g, buf, len, "controls");
	if (check_exec(&c) || check_exit(&c) || check_entry(&c))
		return true;
	return vmxc_none(buf, len);
}

/* ---------------------------------------- host state */

static bool host_regs(const struct vmxc *c, const struct vmx_host_state *h)
{
	unsigned long long efer = (unsigned long long)h->efer;
	bool size64 = h->exit & EXIT_HOST_64;

	if (vmxc_fixed(c, 0, h->cr0, c->caps->cr0_fixed0, c->caps->cr0_fixed1, 0) ||
	    vmxc_fixed(c, 4, h->cr4, c->caps->cr4_fixed0, c->caps->cr4_fixed1, 0))
		return true;
	if (vmxc_beyond_phys(c, h->cr3))
		return vmxc_fail(
			c, "CR3 0x%llx has bits set beyond the physical-address width (%u bits)",
			(unsigned long long)h->cr3, c->maxphy);
	if (!vmxc_canonical(h->sysenter_esp, c->lawidth) ||
	    !vmxc_canonical(h->sysenter_eip, c->lawidth))
		return vmxc_fail(c, "IA32_SYSENTER_%s 0x%llx is not canonical",
				 vmxc_canonical(h->sysenter_esp, c->lawidth) ? "EIP" : "ESP",
				 (unsigned long long)(vmxc_canonical(h->sysenter_esp, c->lawidth)
							      ? h->sysenter_eip
							      : h->sysenter_esp));
	if ((h->exit & EXIT_LOAD_PAT) && vmxc_pat(c, h->pat))
		return true;
	if (!(h->exit & EXIT_LOAD_EFER))
		return false;
	if (h->efer & ~VMXC_EFER_KNOWN)
		return vmxc_fail(c, "IA32_EFER 0x%llx has reserved bits set (0x%llx)", efer,
				 (unsigned long long)(h->efer & ~VMXC_EFER_KNOWN));
	if (!(h->efer & EFER_LMA) != !size64)
		return vmxc_fail(c,
				 "IA32_EFER.LMA is %d but host address-space size exit control is "
				 "%d (efer=0x%llx)",
				 !!(h->efer & EFER_LMA), size64, efer);
	if (!(h->efer & EFER_LME) != !size64)
		return vmxc_fail(c,
				 "IA32_EFER.LME is %d but host address-space size exit control is "
				 "%d (efer=0x%llx)",
				 !!(h->efer & EFER_LME), size64, efer);
	return false;
}

static bool host_selectors(const struct vmxc *c, const struct vmx_host_state *h)
{
	static const char *const names[] = { "ES", "CS", "SS", "DS", "FS", "GS", "TR" };
	const u16 sel[] = { h->es, h->cs, h->ss, h->ds, h->fs, h->gs, h->tr };

	for (size_t i = 0; i < ARRAY_SIZE(sel); i++) {
		if (sel[i] & VMXC_SEL_RPL)
			return vmxc_fail(c, "%s selector 0x%04x has RPL %u, must be 0", names[i],
					 sel[i], (unsigned)(sel[i] & VMXC_SEL_RPL));
		if (sel[i] & VMXC_SEL_TI)
			return vmxc_fail(c, "%s selector 0x%04x has TI=1, must name the GDT",
					 names[i], sel[i]);
	}
	if (h->cs == 0)
		return vmxc_fail(c, "CS selector is 0");
	if (h->tr == 0)
		return vmxc_fail(c, "TR selector is 0");
	if (h->ss == 0 && !(h->exit & EXIT_HOST_64))
		return vmxc_fail(
			c, "SS selector is 0 with a 32-bit host (host address-space size is 0)");
	return false;
}

static bool host_bases(const struct vmxc *c, const struct vmx_host_state *h)
{
	static const char *const names[] = { "FS", "GS", "GDTR", "IDTR", "TR" };
	const u64 base[] = { h->fs_base, h->gs_base, h->gdtr_base, h->idtr_base, h->tr_base };

	for (size_t i = 0; i < ARRAY_SIZE(base); i++)
		if (!vmxc_canonical(base[i], c->lawidth))
			return vmxc_fail(c, "%s base 0x%llx is not canonical", names[i],
					 (unsigned long long)base[i]);
	return false;
}

/* umbra's host always runs in IA-32e mode, so the host is 64-bit. */
static bool host_size(const struct vmxc *c, const struct vmx_host_state *h)
{
	if (!(h->exit & EXIT_HOST_64))
		return vmxc_fail(
			c,
			"host address-space size exit control is 0 but umbra runs in IA-32e mode");
	if (!(h->cr4 & CR4_PAE))
		return vmxc_fail(c, "CR4.PAE is 0 with a 64-bit host (cr4=0x%llx)",
				 (unsigned long long)h->cr4);
	if (!vmxc_canonical(h->rip, c->lawidth))
		return vmxc_fail(c, "RIP 0x%llx is not canonical", (unsigned long long)h->rip);
	return false;
}

bool vmx_check_host(const struct vmx_caps *caps, const struct vmx_host_state *h, char *buf,
		    size_t len)
{
	struct vmxc c;

	vmxc_init(&c, caps, NULL, buf, len, "host state");
	c.maxphy = phys_width(h->maxphyaddr);
	c.lawidth = (h->cr4 & CR4_LA57) ? 57 : 48;
	if (host_regs(&c, h) || host_selectors(&c, h) || host_bases(&c, h) || host_size(&c, h))
		return true;
	return vmxc_none(buf, len);
}
