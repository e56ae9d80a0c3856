/* vmx_check_guest.c: naming the VM-entry check that the guest state fails (SDM vol. 3). */
#include "vmx_svm/vmx_check.h"

#include <stdarg.h>

#include "compiler.h"
#include "core/log.h"
#include "vmx_svm/vmx.h"

/*
 * The SDM's order: control registers, debug registers and MSRs; segment
 * registers (selectors, bases, limits, access rights); GDTR and IDTR; RIP
 * and RFLAGS; activity and interruptibility state, pending debug exceptions
 * and the VMCS link pointer. One deliberate change: RFLAGS.VM=1 in an
 * IA-32e mode guest or with CR0.PE=0 is reported before the segment checks,
 * whose virtual-8086 rules would otherwise blame the segments for it.
 */

#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define DEBUGCTL_BTF BIT(1)
#define DEBUGCTL_RESERVED (GENMASK(63, 16) | GENMASK(5, 2))
#define RFLAGS_FIXED1 BIT(1)
#define RFLAGS_TF BIT(8)
#define RFLAGS_IF BIT(9)
#define RFLAGS_RESERVED (GENMASK(63, 22) | BIT(15) | BIT(5) | BIT(3))

#define AR_RESERVED_LOW GENMASK(11, 8)
#define AR_RESERVED_HIGH GENMASK(31, 17)
#define AR_V86 0xF3 /* present, DPL 3, read/write accessed data */
#define TYPE_ACCESSED BIT(0)
#define TYPE_READABLE BIT(1) /* for code segments */
#define TYPE_CODE BIT(3)
#define TYPE_LDT 2
#define TYPE_TSS16_BUSY 3
#define TYPE_TSS_BUSY 11

#define INTERRUPTIBILITY_SMI BIT(2)
#define INTERRUPTIBILITY_NMI BIT(3)
#define INTERRUPTIBILITY_RESERVED GENMASK(31, 5)
#define PENDING_DBG_BS BIT(14)
#define PENDING_DBG_RESERVED (GENMASK(63, 17) | BIT(15) | BIT(13) | GENMASK(11, 4))
#define ACTIVITY_SHUTDOWN 2
#define ACTIVITY_WAIT_SIPI 3
#define MISC_ACTIVITY_BASE 5 /* IA32_VMX_MISC bit 5+n: activity state n (1..3) supported */

static const char *const seg_names[VMX_NR_SEGS] = {
	"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR"
};

/* "guest state: <SEG> access rights 0x....: <message>" */
__printf(3, 4) static bool seg_fail(const struct vmxc *c, int i, const char *fmt, ...)
{
	char pre[40];
	va_list ap;

	ksnprintf(pre, sizeof(pre), "%s access rights 0x%04x: ", seg_names[i], c->g->seg[i].ar);
	va_start(ap, fmt);
	vmxc_vfail(c, pre, fmt, ap);
	va_end(ap);
	return true;
}

static bool usable(const struct vmxc *c, int i)
{
	return !(c->g->seg[i].ar & VMX_AR_UNUSABLE);
}

static u32 seg_type(const struct vmxc *c, int i)
{
	return (u32)FIELD_GET(VMX_AR_TYPE, c->g->seg[i].ar);
}

static u32 seg_dpl(const struct vmxc *c, int i)
{
	return (u32)FIELD_GET(VMX_AR_DPL, c->g->seg[i].ar);
}

static u32 sel_rpl(const struct vmxc *c, int i)
{
	return (u32)(c->g->seg[i].sel & VMXC_SEL_RPL);
}

/* Whether the entry injects an event of this type. */
static bool injecting(const struct vmxc *c, u32 type)
{
	u32 info = c->g->entry_intr_info;
	return (info & INTR_INFO_VALID) && FIELD_GET(INTR_INFO_TYPE, info) == type;
}

/* ---------------------------------------- control registers and MSRs */

static bool guest_cr(const struct vmxc *c)
{
	const struct vmx_guest_state *g = c->g;
	u64 exempt = CR0_NW | CR0_CD | (c->unrestricted ? CR0_PE | CR0_PG : 0);
	unsigned long long cr0 = g->cr0, cr4 = g->cr4;

	/* NW and CD are never checked: VM entry does not change them. */
	if (vmxc_fixed(c, 0, g->cr0, c->caps->cr0_fixed0, c->caps->cr0_fixed1, exempt))
		return true;
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return vmxc_fail(c, "CR0.PG is 1 but CR0.PE is 0 (cr0=0x%llx)", cr0);
	if (vmxc_fixed(c, 4, g->cr4, c->caps->cr4_fixed0, c->caps->cr4_fixed1, 0))
		return true;
	if ((g->entry & ENTRY_LOAD_DEBUG) && (g->debugctl & DEBUGCTL_RESERVED))
		return vmxc_fail(c, "IA32_DEBUGCTL 0x%llx has reserved bits set (0x%llx)",
				 (unsigned long long)g->debugctl,
				 (unsigned long long)(g->debugctl & DEBUGCTL_RESERVED));
	if (c->ia32e && !(g->cr0 & CR0_PG))
		return vmxc_fail(
			c, "IA-32e mode guest entry control is 1 but CR0.PG is 0 (cr0=0x%llx)",
			cr0);
	if (c->ia32e && !(g->cr4 & CR4_PAE))
		return vmxc_fail(
			c, "IA-32e mode guest entry control is 1 but CR4.PAE is 0 (cr4=0x%llx)",
			cr4);
	if (!c->ia32e && (g->cr4 & VMXC_CR4_PCIDE))
		return vmxc_fail(
			c, "CR4.PCIDE is 1 but IA-32e mode guest entry control is 0 (cr4=0x%llx)",
			cr4);
	if (vmxc_beyond_phys(c, g->cr3))
		return vmxc_fail(
			c, "CR3 0x%llx has bits set beyond the physical-address width (%u bits)",
			(unsigned long long)g->cr3, c->maxphy);
	return false;
}

static bool guest_efer(const struct vmxc *c)
{
	u64 efer = c->g->efer;
	unsigned long long e = efer;
	int lma = !!(efer & EFER_LMA), lme = !!(efer & EFER_LME);

	if (efer & ~VMXC_EFER_KNOWN)
		return vmxc_fail(c, "IA32_EFER 0x%llx has reserved bits set (0x%llx)", e,
				 (unsigned long long)(efer & ~VMXC_EFER_KNOWN));
	if (lma != c->ia32e)
		return vmxc_fail(
			c, "IA-32e mode guest entry control is %d but EFER.LMA is %d (efer=0x%llx)",
			c->ia32e, lma, e);
	if ((c->g->cr0 & CR0_PG) && lme != lma)
		return vmxc_fail(c,
				 "CR0.PG is 1 but EFER.LME is %d and EFER.LMA is %d (efer=0x%llx)",
				 lme, lma, e);
	return false;
}

static bool guest_msrs(const struct vmxc *c)
{
	const struct vmx_guest_state *g = c->g;

	if ((g->entry & ENTRY_LOAD_DEBUG) && (g->dr7 >> 32))
		return vmxc_fail(c, "DR7 0x%llx has bits 63:32 set", (unsigned long long)g->dr7);
	if (!vmxc_canonical(g->sysenter_esp, c->lawidth))
		return vmxc_fail(c, "IA32_SYSENTER_ESP 0x%llx is not canonical",
				 (unsigned long long)g->sysenter_esp);
	if (!vmxc_canonical(g->sysenter_eip, c->lawidth))
		return vmxc_fail(c, "IA32_SYSENTER_EIP 0x%llx is not canonical",
				 (unsigned long long)g->sysenter_eip);
	if ((g->entry & ENTRY_LOAD_PAT) && vmxc_pat(c, g->pat))
		return true;
	if ((g->entry & ENTRY_LOAD_EFER) && guest_efer(c))
		return true;
	return false;
}

/* ---------------------------------------- segment registers */

/* Virtual-8086 mode exists only in protected mode outside IA-32e mode. */
static bool guest_vm_flag(const struct vmxc *c)
{
	if (!c->v86)
		return false;
	if (c->ia32e)
		return vmxc_fail(c, "RFLAGS.VM is 1 in an IA-32e mode guest (rflags=0x%llx)",
				 (unsigned long long)c->g->rflags);
	if (!(c->g->cr0 & CR0_PE))
		return vmxc_fail(c, "RFLAGS.VM is 1 but CR0.PE is 0 (rflags=0x%llx, cr0=0x%llx)",
				 (unsigned long long)c->g->rflags, (unsigned long long)c->g->cr0);
	return false;
}

static bool guest_selectors(const struct vmxc *c)
{
	const struct vmx_seg_state *s = c->g->seg;

	if (s[VMX_SEG_TR].sel & VMXC_SEL_TI)
		return vmxc_fail(c, "TR selector 0x%04x has TI=1, must name the GDT",
				 s[VMX_SEG_TR].sel);
	if (usable(c, VMX_SEG_LDTR) && (s[VMX_SEG_LDTR].sel & VMXC_SEL_TI))
		return vmxc_fail(c, "LDTR selector 0x%04x has TI=1, must name the GDT",
				 s[VMX_SEG_LDTR].sel);
	if (!c->v86 && !c->unrestricted && sel_rpl(c, VMX_SEG_SS) != sel_rpl(c, VMX_SEG_CS))
		return vmxc_fail(c,
				 "SS selector 0x%04x has RPL %u but CS selector 0x%04x has RPL %u "
				 "(they must match without unrestricted guest)",
				 s[VMX_SEG_SS].sel, sel_rpl(c, VMX_SEG_SS), s[VMX_SEG_CS].sel,
				 sel_rpl(c, VMX_SEG_CS));
	return false;
}

static bool guest_bases(const struct vmxc *c)
{
	static const int canon[] = { VMX_SEG_TR, VMX_SEG_FS, VMX_SEG_GS, VMX_SEG_LDTR };
	static const int low32[] = { VMX_SEG_CS, VMX_SEG_SS, VMX_SEG_DS, VMX_SEG_ES };
	const struct vmx_seg_state *s = c->g->seg;

	for (int i = VMX_SEG_ES; c->v86 && i <= VMX_SEG_GS; i++)
		if (s[i].base != (u64)s[i].sel << 4)
			return vmxc_fail(c,
					 "%s base 0x%llx is not selector 0x%04x * 16, as "
					 "virtual-8086 mode (RFLAGS.VM=1) requires",
					 seg_names[i], (unsigned long long)s[i].base, s[i].sel);
	for (size_t k = 0; k < ARRAY_SIZE(canon); k++) {
		int i = canon[k];
		if ((i != VMX_SEG_LDTR || usable(c, i)) && !vmxc_canonical(s[i].base, c->lawidth))
			return vmxc_fail(c, "%s base 0x%llx is not canonical", seg_names[i],
					 (unsigned long long)s[i].base);
	}
	for (size_t k = 0; k < ARRAY_SIZE(low32); k++) {
		int i = low32[k];
		if ((i == VMX_SEG_CS || usable(c, i)) && (s[i].base >> 32))
			return vmxc_fail(c, "%s base 0x%llx has bits 63:32 set", seg_names[i],
					 (unsigned long long)s[i].base);
	}
	return false;
}

static bool guest_v86_segs(const struct vmxc *c)
{
	const struct vmx_seg_state *s = c->g->seg;

	for (int i = VMX_SEG_ES; i <= VMX_SEG_GS; i++)
		if (s[i].limit != 0xFFFF)
			return vmxc_fail(c,
					 "%s limit 0x%x is not 0xffff, as virtual-8086 mode "
					 "(RFLAGS.VM=1) requires",
					 seg_names[i], s[i].limit);
	for (int i = VMX_SEG_ES; i <= VMX_SEG_GS; i++)
		if (s[i].ar != AR_V86)
			return seg_fail(c, i, "virtual-8086 mode (RFLAGS.VM=1) requires 0x00f3");
	return false;
}

static bool cs_type(const struct vmxc *c)
{
	u32 t = seg_type(c, VMX_SEG_CS);

	if (t == 3 && c->unrestricted)
		return false;
	if (!(t & TYPE_CODE))
		return seg_fail(
			c, VMX_SEG_CS, "type %u is not a code segment%s", t,
			c->unrestricted ? " (nor 3, the data type unrestricted guest allows)" : "");
	if (!(t & TYPE_ACCESSED))
		return seg_fail(c, VMX_SEG_CS, "type %u is a code segment without the accessed bit",
				t);
	return false;
}

static bool data_type(const struct vmxc *c, int i)
{
	u32 t = seg_type(c, i);

	if (!usable(c, i))
		return false;
	if (i == VMX_SEG_SS && t != 3 && t != 7)
		return seg_fail(c, i, "type %u is not a read/write accessed data segment (3 or 7)",
				t);
	if (!(t & TYPE_ACCESSED))
		return seg_fail(c, i, "type %u has the accessed bit clear", t);
	if ((t & TYPE_CODE) && !(t & TYPE_READABLE))
		return seg_fail(c, i, "type %u is an execute-only code segment", t);
	return false;
}

static bool seg_dpl_ok(const struct vmxc *c, int i)
{
	u32 dpl = seg_dpl(c, i), ss_dpl = seg_dpl(c, VMX_SEG_SS), t = seg_type(c, i);
	bool cs3 = seg_type(c, VMX_SEG_CS) == 3;

	switch (i) {
	case VMX_SEG_CS:
		if (t == 3 && dpl)
			return seg_fail(c, i, "DPL %u with type 3 (unrestricted guest), must be 0",
					dpl);
		if ((t == 9 || t == 11) && dpl != ss_dpl)
			return seg_fail(
				c, i,
				"DPL %u of a non-conforming code segment differs from SS.DPL %u",
				dpl, ss_dpl);
		if ((t == 13 || t == 15) && dpl > ss_dpl)
			return seg_fail(c, i,
					"DPL %u of a conforming code segment is above SS.DPL %u",
					dpl, ss_dpl);
		return false;
	case VMX_SEG_SS:
		if (!c->unrestricted && dpl != sel_rpl(c, i))
			return seg_fail(c, i, "DPL %u differs from the selector's RPL %u", dpl,
					sel_rpl(c, i));
		if (dpl && (cs3 || !(c->g->cr0 & CR0_PE)))
			return seg_fail(c, i, "DPL %u, must be 0 with %s", dpl,
					cs3 ? "CS type 3" : "CR0.PE=0");
		return false;
	default:
		if (!c->unrestricted && usable(c, i) && t <= 11 && dpl < sel_rpl(c, i))
			return seg_fail(c, i, "DPL %u is below the selector's RPL %u", dpl,
					sel_rpl(c, i));
		return false;
	}
}

static bool seg_s_ok(const struct vmxc *c, int i, bool want)
{
	if (!(c->g->seg[i].ar & VMX_AR_S) == !want)
		return false;
	if (want)
		return seg_fail(
			c, i, "S is 0 (a system descriptor), must be 1 for a code or data segment");
	return seg_fail(c, i, "S is 1, must be 0 for a system descriptor");
}

/* What a checked segment of any kind must also get right: P, reserved bits,
 * CS.L with CS.D, and G against the limit (a limit above 0xfffff needs G=1;
 * G=1 means the limit counts 4 KiB pages, so bits 11:0 must be all ones). */
static bool seg_rest_ok(const struct vmxc *c, int i)
{
	u32 ar = c->g->seg[i].ar, limit = c->g->seg[i].limit;

	if (!(ar & VMX_AR_P))
		return seg_fail(c, i, "P is 0 (not present)");
	if (ar & AR_RESERVED_LOW)
		return seg_fail(c, i, "reserved bits 11:8 are not 0");
	if (i == VMX_SEG_CS && c->ia32e && (ar & VMX_AR_L) && (ar & VMX_AR_DB))
		return seg_fail(c, i, "L and D are both 1 in an IA-32e mode guest");
	if ((ar & VMX_AR_G) && (limit & 0xFFF) != 0xFFF)
		return seg_fail(c, i, "G is 1 but limit 0x%x has bits 11:0 not all ones", limit);
	if (!(ar & VMX_AR_G) && (limit & 0xFFF00000))
		return seg_fail(c, i, "G is 0 but limit 0x%x is above 0xfffff", limit);
	if (i == VMX_SEG_TR && (ar & VMX_AR_UNUSABLE))
		return seg_fail(c, i, "TR is marked unusable");
	if (ar & AR_RESERVED_HIGH)
		return seg_fail(c, i, "reserved bits 31:17 are not 0");
	return false;
}

static bool guest_code_data(const struct vmxc *c)
{
	static const int order[] = { VMX_SEG_CS, VMX_SEG_SS, VMX_SEG_DS,
				     VMX_SEG_ES, VMX_SEG_FS, VMX_SEG_GS };

	if (c->v86)
		return guest_v86_segs(c);
	for (size_t k = 0; k < ARRAY_SIZE(order); k++) {
		int i = order[k];
		bool checked = i == VMX_SEG_CS || usable(c, i);

		if (i == VMX_SEG_CS ? cs_type(c) : data_type(c, i))
			return true;
		if (checked && seg_s_ok(c, i, true))
			return true;
		if (seg_dpl_ok(c, i))
			return true;
		if (checked && seg_rest_ok(c, i))
			return true;
	}
	return false;
}

static bool guest_tr_ldtr(const struct vmxc *c)
{
	u32 t = seg_type(c, VMX_SEG_TR);

	if (c->ia32e && t != TYPE_TSS_BUSY)
		return seg_fail(
			c, VMX_SEG_TR,
			"type %u is not a busy 64-bit TSS (11), as an IA-32e mode guest requires",
			t);
	if (!c->ia32e && t != TYPE_TSS16_BUSY && t != TYPE_TSS_BUSY)
		return seg_fail(c, VMX_SEG_TR, "type %u is not a busy TSS (3 or 11)", t);
	if (seg_s_ok(c, VMX_SEG_TR, false) || seg_rest_ok(c, VMX_SEG_TR))
		return true;
	if (!usable(c, VMX_SEG_LDTR))
		return false;
	t = seg_type(c, VMX_SEG_LDTR);
	if (t != TYPE_LDT)
		return seg_fail(c, VMX_SEG_LDTR, "type %u is not an LDT (2)", t);
	return seg_s_ok(c, VMX_SEG_LDTR, false) || seg_rest_ok(c, VMX_SEG_LDTR);
}

/* ---------------------------------------- descriptor tables, RIP, RFLAGS */

static bool guest_dtables(const struct vmxc *c)
{
	const struct vmx_guest_state *g = c->g;

	if (!vmxc_canonical(g->gdtr_base, c->lawidth))
		return vmxc_fail(c, "GDTR base 0x%llx is not canonical",
				 (unsigned long long)g->gdtr_base);
	if (!vmxc_canonical(g->idtr_base, c->lawidth))
		return vmxc_fail(c, "IDTR base 0x%llx is not canonical",
				 (unsigned long long)g->idtr_base);
	if (g->gdtr_limit >> 16)
		return vmxc_fail(c, "GDTR limit 0x%x has bits 31:16 set", g->gdtr_limit);
	if (g->idtr_limit >> 16)
		return vmxc_fail(c, "IDTR limit 0x%x has bits 31:16 set", g->idtr_limit);
	return false;
}

static bool guest_rip_rflags(const struct vmxc *c)
{
	const struct vmx_guest_state *g = c->g;
	bool cs_l = g->seg[VMX_SEG_CS].ar & VMX_AR_L;
	unsigned long long rip = g->rip, rflags = g->rflags;

	if (!(c->ia32e && cs_l) && (g->rip >> 32))
		return vmxc_fail(c,
				 "RIP 0x%llx has bits 63:32 set outside 64-bit mode (IA-32e mode "
				 "guest %d, CS.L %d)",
				 rip, c->ia32e, cs_l);
	if (c->ia32e && cs_l && !vmxc_canonical(g->rip, c->lawidth))
		return vmxc_fail(c, "RIP 0x%llx is not canonical", rip);
	if (g->rflags & RFLAGS_RESERVED)
		return vmxc_fail(c, "RFLAGS 0x%llx has reserved bits set (0x%llx)", rflags,
				 (unsigned long long)(g->rflags & RFLAGS_RESERVED));
	if (!(g->rflags & RFLAGS_FIXED1))
		return vmxc_fail(c, "RFLAGS 0x%llx has bit 1 clear, must be 1", rflags);
	if (injecting(c, INTR_TYPE_EXT) && !(g->rflags & RFLAGS_IF))
		return vmxc_fail(
			c, "an external interrupt is injected but RFLAGS.IF is 0 (rflags=0x%llx)",
			rflags);
	return false;
}

/* ---------------------------------------- non-register state */

static const char *const activity_names[] = { "active", "HLT", "shutdown", "wait-for-SIPI" };

/* The injected events a non-active activity state can receive. */
static bool activity_takes(u32 act, u32 info)
{
	u32 type = (u32)FIELD_GET(INTR_INFO_TYPE, info),
	    vec = (u32)FIELD_GET(INTR_INFO_VECTOR, info);

	if (act == VMX_ACTIVITY_HLT)
		return type == INTR_TYPE_EXT || type == INTR_TYPE_NMI ||
		       (type == INTR_TYPE_HW_EXC && (vec == 1 || vec == 18)) ||
		       (type == VMXC_INTR_TYPE_OTHER && vec == 0);
	if (act == ACTIVITY_SHUTDOWN)
		return type == INTR_TYPE_NMI || (type == INTR_TYPE_HW_EXC && vec == 18);
	return false;
}

static bool guest_activity(const struct vmxc *c)
{
	const struct vmx_guest_state *g = c->g;
	u32 act = g->activity, intr = g->interruptibility;

	if (act > ACTIVITY_WAIT_SIPI)
		return vmxc_fail(c, "activity state %u is not 0 to 3", act);
	if (act && !(c->caps->misc & BIT(MISC_ACTIVITY_BASE + act)))
		return vmxc_fail(
			c, "activity state %u (%s) is not supported (IA32_VMX_MISC bit %u is 0)",
			act, activity_names[act], MISC_ACTIVITY_BASE + act);
	if (act == VMX_ACTIVITY_HLT && seg_dpl(c, VMX_SEG_SS))
		return vmxc_fail(c, "activity state is HLT but SS.DPL is %u, must be 0",
				 seg_dpl(c, VMX_SEG_SS));
	if (act && (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
		return vmxc_fail(
			c, "activity state %u (%s) with blocking by %s, must be active (0)", act,
			activity_names[act], (intr & INTERRUPTIBILITY_STI) ? "STI" : "MOV SS");
	if (act && (g->entry_intr_info & INTR_INFO_VALID) &&
	    !activity_takes(act, g->entry_intr_info))
		return vmxc_fail(c,
				 "activity state %u (%s) cannot receive the injected event "
				 "(interruption information 0x%x)",
				 act, activity_names[act], g->entry_intr_info);
	return false;
}

static bool guest_interruptibility(const struct vmxc *c)
{
	u32 intr = c->g->interruptibility;
	u32 blk = intr & (u32)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
	bool nmi = injecting(c, INTR_TYPE_NMI);

	if (intr & INTERRUPTIBILITY_RESERVED)
		return vmxc_fail(c, "interruptibility state 0x%x has reserved bits 31:5 set", intr);
	if (blk == (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		return vmxc_fail(
			c, "interruptibility state 0x%x has blocking by both STI and MOV SS", intr);
	if ((intr & INTERRUPTIBILITY_STI) && !(c->g->rflags & RFLAGS_IF))
		return vmxc_fail(
			c, "interruptibility state 0x%x has blocking by STI but RFLAGS.IF is 0",
			intr);
	if (blk && injecting(c, INTR_TYPE_EXT))
		return vmxc_fail(c,
				 "interruptibility state 0x%x has blocking by %s but an external "
				 "interrupt is injected",
				 intr, blk == INTERRUPTIBILITY_STI ? "STI" : "MOV SS");
	if (nmi && (intr & INTERRUPTIBILITY_MOV_SS))
		return vmxc_fail(
			c,
			"interruptibility state 0x%x has blocking by MOV SS but an NMI is injected",
			intr);
	if (intr & INTERRUPTIBILITY_SMI)
		return vmxc_fail(c, "interruptibility state 0x%x has blocking by SMI outside SMM",
				 intr);
	if (nmi && (c->g->pin & PIN_VIRTUAL_NMIS) && (intr & INTERRUPTIBILITY_NMI))
		return vmxc_fail(c,
				 "interruptibility state 0x%x has virtual-NMI blocking but an NMI "
				 "is injected",
				 intr);
	/* The SDM lets a processor refuse this one or not. */
	if (nmi && (intr & INTERRUPTIBILITY_STI))
		return vmxc_fail(c,
				 "interruptibility state 0x%x has blocking by STI while an NMI is "
				 "injected (some processors refuse this)",
				 intr);
	return false;
}

/* Under STI or MOV-SS blocking, or in HLT, a pending single-step trap (BS) must
 * be recorded exactly when RFLAGS.TF=1 and DEBUGCTL.BTF=0. */
static bool guest_pending_dbg(const struct vmxc *c)
{
	const struct vmx_guest_state *g = c->g;
	unsigned long long pd = g->pending_dbg;
	bool tf = g->rflags & RFLAGS_TF, btf = g->debugctl & DEBUGCTL_BTF;
	bool bs = g->pending_dbg & PENDING_DBG_BS;

	if (g->pending_dbg & PENDING_DBG_RESERVED)
		return vmxc_fail(c,
				 "pending debug exceptions 0x%llx have reserved bits set (0x%llx)",
				 pd, (unsigned long long)(g->pending_dbg & PENDING_DBG_RESERVED));
	if (!(g->interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	    g->activity != VMX_ACTIVITY_HLT)
		return false;
	if (bs == (tf && !btf))
		return false;
	return vmxc_fail(c,
			 "pending debug exceptions 0x%llx: BS is %d but RFLAGS.TF is %d and "
			 "DEBUGCTL.BTF is %d under STI/MOV-SS blocking or HLT, so BS must be %d",
			 pd, bs, tf, btf, !bs);
}

static bool guest_link(const struct vmxc *c)
{
	if (c->g->link_pointer != ~0ULL)
		return vmxc_fail(
			c,
			"VMCS link pointer is 0x%llx, must be all ones (umbra uses no shadow VMCS)",
			(unsigned long long)c->g->link_pointer);
	return false;
}

typedef bool (*guest_check_fn)(const struct vmxc *c);

static const guest_check_fn guest_checks[] = {
	guest_cr,	  guest_msrs,	   guest_vm_flag,	   guest_selectors,
	guest_bases,	  guest_code_data, guest_tr_ldtr,	   guest_dtables,
	guest_rip_rflags, guest_activity,  guest_interruptibility, guest_pending_dbg,
	guest_link,
};

bool vmx_check_guest(const struct vmx_caps *caps, const struct vmx_guest_state *g, char *buf,
		     size_t len)
{
	struct vmxc c;

	vmxc_init(&c, caps, g, buf, len, "guest state");
	for (size_t i = 0; i < ARRAY_SIZE(guest_checks); i++)
		if (guest_checks[i](&c))
			return true;
	return vmxc_none(buf, len);
}
