/* vmx_check.h: naming which VM-entry check a VMCS fails, for the report after a failed entry (pure, unit-tested). */
#ifndef UMBRA_VMX_CHECK_H
#define UMBRA_VMX_CHECK_H

#include <stdarg.h>

#include "arch/x86/msr.h"
#include "compiler.h"
#include "types.h"
#include "vmx_svm/vmx_caps.h"

/*
 * The CPU says only "invalid guest state" (exit reason 33) or "invalid
 * control field(s)" / "invalid host-state field(s)" (VM-instruction errors
 * 7 and 8). vmx.c reads the fields below back from the VMCS and these
 * checkers re-run the SDM's checks (vol. 3, chapter "VM Entries": "Checks on
 * VMX Controls and Host-State Area" and "Checks on the Guest State Area") in
 * the SDM's order, so the report names the first one that fails. They cover
 * the checks a hypervisor like umbra can get wrong; a state that passes them
 * all is reported as "no check identified". Not covered: SMM and the
 * dual-monitor treatment, posted-interrupt, virtual-APIC, PML, VM-function
 * and shadow-VMCS details (only their enabling bits against the capability
 * MSRs and their dependencies on other controls), the VM-exit/VM-entry MSR
 * lists, and the guest PDPTEs.
 */
struct vmx_seg_state {
	u16 sel;
	u32 limit;
	u32 ar; /* access rights as in the VMCS, VMX_AR_* */
	u64 base;
};

enum vmx_seg {
	VMX_SEG_ES,
	VMX_SEG_CS,
	VMX_SEG_SS,
	VMX_SEG_DS,
	VMX_SEG_FS,
	VMX_SEG_GS,
	VMX_SEG_LDTR,
	VMX_SEG_TR,
	VMX_NR_SEGS,
};

struct vmx_guest_state {
	u32 pin, proc, proc2, exit, entry; /* the controls as written in the VMCS */
	u32 entry_intr_info, entry_exc_error, entry_insn_len;
	u64 cr0, cr3, cr4, dr7, rsp, rip, rflags;
	u64 debugctl, pat, efer, sysenter_esp, sysenter_eip, link_pointer, pending_dbg;
	u32 sysenter_cs, interruptibility, activity;
	struct vmx_seg_state seg[VMX_NR_SEGS];
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
	u64 eptp;
	u16 vpid;
	u64 io_bitmap_a, io_bitmap_b, msr_bitmap; /* physical addresses */
	u32 cr3_target_count;
	u32 maxphyaddr; /* CPUID 0x80000008 EAX[7:0]; 0 means unknown, 52 is assumed */
};

struct vmx_host_state {
	u32 exit; /* the VM-exit controls */
	u64 cr0, cr3, cr4, efer, pat, rsp, rip;
	u16 cs, ss, ds, es, fs, gs, tr;
	u64 fs_base, gs_base, tr_base, gdtr_base, idtr_base, sysenter_esp, sysenter_eip;
	u32 maxphyaddr; /* CPUID 0x80000008 EAX[7:0]; 0 means unknown, 52 is assumed */
};

/*
 * Each writes the first failing check as one sentence into buf (no newline,
 * truncated to len) and returns true; it returns false, with "no check
 * identified" in buf, when every check it knows passes. The sentence starts
 * with the area and names the field, the rule and the value, e.g.
 *   "controls: primary processor-based control bit 15 (CR3-load exiting) is 0
 *    but the CPU requires 1 (IA32_VMX_TRUE_PROCBASED_CTLS)"
 *   "host state: TR selector is 0"
 *   "guest state: CR0 bit 5 (NE) is 0 but IA32_VMX_CR0_FIXED0 forces it to 1 (cr0=0x11)"
 *   "guest state: CS access rights 0x0093: type 3 is not a code segment"
 * vmx_check_controls reads only the controls and control-area fields of *g
 * (and g->cr0, which decides whether an injected exception may carry an
 * error code); vmx_check_guest assumes the controls pass. Canonical means
 * 48-bit, or 57-bit when the CR4 checked (guest or host) has LA57 set.
 */
bool vmx_check_controls(const struct vmx_caps *caps, const struct vmx_guest_state *g, char *buf,
			size_t len);
bool vmx_check_host(const struct vmx_caps *caps, const struct vmx_host_state *h, char *buf,
		    size_t len);
bool vmx_check_guest(const struct vmx_caps *caps, const struct vmx_guest_state *g, char *buf,
		     size_t len);

/* ---------------------------------------------------------------- shared by vmx_check*.c only */

/* One run of a checker: what it reads and where its sentence goes. */
struct vmxc {
	const struct vmx_caps *caps;
	const struct vmx_guest_state *g; /* NULL for the host checks */
	char *buf;
	size_t len;
	const char *area;  /* "controls", "host state", "guest state" */
	u32 proc2;	   /* as VM entry sees it: 0 without "activate secondary controls" */
	bool unrestricted; /* the "unrestricted guest" control */
	bool ia32e;	   /* the "IA-32e mode guest" entry control */
	bool v86;	   /* RFLAGS.VM */
	u32 maxphy;	   /* physical-address width in bits */
	u32 lawidth;	   /* linear-address width for canonical checks: 48, or 57 with CR4.LA57 */
};

#define VMXC_SEL_RPL GENMASK(1, 0)
#define VMXC_SEL_TI BIT(2)
#define VMXC_RFLAGS_VM BIT(17)
#define VMXC_CR4_PCIDE BIT(17)
#define VMXC_INTR_TYPE_OTHER 7 /* injected "other event" (pending MTF), vector 0 */
/* Intel defines no IA32_EFER bit besides these (SVME and the rest are AMD's). */
#define VMXC_EFER_KNOWN (EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

void vmxc_init(struct vmxc *c, const struct vmx_caps *caps, const struct vmx_guest_state *g,
	       char *buf, size_t len, const char *area);
/* Write "<area>: <pre><message>" into the buffer; always returns true (a check failed). */
bool vmxc_vfail(const struct vmxc *c, const char *pre, const char *fmt, va_list ap) __printf(3, 0);
bool vmxc_fail(const struct vmxc *c, const char *fmt, ...) __printf(2, 3);
/* "no check identified"; returns false. */
bool vmxc_none(char *buf, size_t len);
bool vmxc_canonical(u64 v, u32 width);
/* CR0 (n=0) or CR4 (n=4) against IA32_VMX_CRn_FIXED0/FIXED1, ignoring the bits in exempt. */
bool vmxc_fixed(const struct vmxc *c, int n, u64 val, u64 fixed0, u64 fixed1, u64 exempt);
/* IA32_PAT: every entry a valid memory type (0, 1, 4, 5, 6, 7). */
bool vmxc_pat(const struct vmxc *c, u64 pat);

static inline bool vmxc_beyond_phys(const struct vmxc *c, u64 addr)
{
	return (addr >> c->maxphy) != 0;
}

#endif
