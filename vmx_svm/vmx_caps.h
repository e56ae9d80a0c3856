/* vmx_caps.h: the VMX controls umbra runs with, derived from the capability MSRs (pure, unit-tested). */
#ifndef UMBRA_VMX_CAPS_H
#define UMBRA_VMX_CAPS_H

#include "types.h"

/*
 * Raw values of the capability MSRs as the CPU reports them (SDM vol. 3
 * appendix A). The true_* ones are read only when IA32_VMX_BASIC bit 55
 * says they exist (0 otherwise); procbased2 only when the primary controls
 * allow "activate secondary controls"; ept_vpid only when the secondary
 * controls allow EPT or VPID.
 */
struct vmx_caps {
	u64 basic;	    /* IA32_VMX_BASIC 0x480 */
	u64 pinbased;	    /* 0x481 */
	u64 procbased;	    /* 0x482 */
	u64 exit;	    /* 0x483 */
	u64 entry;	    /* 0x484 */
	u64 misc;	    /* 0x485 */
	u64 cr0_fixed0;	    /* 0x486 */
	u64 cr0_fixed1;	    /* 0x487 */
	u64 cr4_fixed0;	    /* 0x488 */
	u64 cr4_fixed1;	    /* 0x489 */
	u64 procbased2;	    /* 0x48B */
	u64 ept_vpid;	    /* 0x48C */
	u64 true_pinbased;  /* 0x48D */
	u64 true_procbased; /* 0x48E */
	u64 true_exit;	    /* 0x48F */
	u64 true_entry;	    /* 0x490 */
};

/*
 * What umbra programs into every VMCS, and what it may rely on.
 * Controls follow the allowed-0/allowed-1 rule: a bit the CPU forces to 1
 * is set, a bit umbra wants and the CPU allows is set, every other bit is
 * 0 (using the TRUE_* MSRs when present, so default-1 controls umbra does
 * not want, such as CR3-load exiting, can be cleared; without them those
 * stay forced on, and vmx.c must cope with the exits they cause).
 * Needed everywhere: external-interrupt and NMI exiting; HLT, MWAIT and
 * MONITOR exiting, I/O and MSR bitmaps; a 64-bit host and PAT and EFER
 * saved and loaded on exit, PAT and EFER loaded on entry.
 * proc2 holds only EPT, VPID and unrestricted guest, each when usable (never
 * RDTSCP, INVPCID or XSAVES: guests get #UD for those). proc has
 * PROC_SECONDARY exactly when proc2 is not 0: write VMCS_PROC2_CTLS only then.
 *
 * Two kinds of VM use different per-VM controls (struct vmx_vm_ctls, see
 * vmx_controls_for): TDP VMs run on EPT (the top-level proc, proc2,
 * exception_bitmap, cr0_mask and cr4_mask below); shadow-paged VMs (no
 * usable EPT, or tdp=off) run on page tables umbra builds, with EPT and
 * unrestricted guest off and CR3, INVLPG and #PF intercepted (shadow_ctls).
 */
struct vmx_vm_ctls {
	u32 proc, proc2;      /* proc2 is written only when proc has PROC_SECONDARY */
	u32 exception_bitmap; /* #PF is in it for shadow paging (PFEC mask and match 0) */
	u64 cr0_mask, cr4_mask;
};

struct vmx_config {
	u32 revision;  /* VMCS revision identifier */
	u32 vmcs_size; /* bytes of the VMXON region and of each VMCS */
	bool below_4g; /* VMXON region and VMCS must lie below 4 GiB */

	u32 pin, proc, proc2, exit, entry; /* entry without ENTRY_IA32E_GUEST: set per vCPU */
	u32 exception_bitmap;		   /* #DB, #AC, #MC */

	bool ept;	    /* EPT with a 4-level walk, WB or UC tables, and INVEPT */
	bool ept_1g;	    /* 1 GiB EPT leaves */
	bool ept_2m;	    /* 2 MiB EPT leaves */
	bool vpid;	    /* VPID with INVVPID single- or all-context */
	bool unrestricted;  /* guests may run with CR0.PE or CR0.PG clear (needs EPT and
			    * IA32_VMX_MISC bit 5, exits saving EFER.LMA) */
	u64 eptp_flags;	    /* EPTP memory type and walk length: OR the root's address in */
	int invept_type;    /* INVEPT_SINGLE or INVEPT_ALL (0 without EPT) */
	int invvpid_type;   /* INVVPID_SINGLE or INVVPID_ALL (0 without VPID) */
	bool preempt_timer; /* the VMX-preemption timer: PIN_PREEMPT_TIMER is set */
	u8 preempt_shift;   /* it counts down once every 2^preempt_shift TSC ticks */

	/* Guest CR0/CR4: bits the CPU forces to 1 (fixed0) and lets be 1 (fixed1)
	 * while in VMX operation. With unrestricted guest, PE and PG leave
	 * cr0_must1 (a shadow-paged VM, which runs without it, always has both:
	 * see vmx_svm/vshadow.h). */
	u64 cr0_must1, cr0_may1, cr4_must1, cr4_may1;
	/* Guest/host masks: host-owned bits, where the guest reads the shadow and
	 * a write that changes them exits. cr0_must1|~cr0_may1, and for CR4 also
	 * VMXE and SMXE (VMX and SMX are hidden from guests). Low 32 bits only. */
	u64 cr0_mask, cr4_mask;

	/* Shadow paging is possible: the CPU allows CR3-load, CR3-store and
	 * INVLPG exiting (every VMX CPU does; checked all the same). */
	bool shadow;
	/* Controls of a shadow-paged VM: proc | CR3-load, CR3-store and INVLPG
	 * exiting; proc2 with VPID only (PROC_SECONDARY only if that is not 0);
	 * #PF added to the exception bitmap; PE, PG and WP added to the CR0 mask,
	 * PSE, PAE, PGE, PCIDE, SMEP and SMAP to the CR4 mask, because the CPU
	 * runs the guest with umbra's values there (vmx_svm/vshadow.h). */
	struct vmx_vm_ctls shadow_ctls;
};

/*
 * Build *cfg from *caps. Returns 0 when umbra can run guests with these
 * controls (why is then ""); otherwise -1, with why holding one sentence that
 * names every missing required feature, e.g.
 *   "vmx: this CPU lacks what umbra needs: MSR bitmaps, load IA32_EFER on entry"
 * (a write-back VMCS memory type is required too). *cfg is filled in either
 * way, for reports. why may be NULL; a short buffer gets a truncated
 * sentence, VMX_CONFIG_WHY_MAX always holds the whole of it.
 * A CPU without EPT or without unrestricted guest still gives 0: cfg->ept
 * and cfg->unrestricted say so, and VMs use shadow paging without EPT. So
 * does a CPU without secondary controls: it has no EPT either. (The Core 2
 * and older CPUs in the unit tests lack PAT/EFER saving and loading, so
 * they give -1 all the same.)
 */
#define VMX_CONFIG_WHY_MAX 512
int vmx_config_build(const struct vmx_caps *caps, struct vmx_config *cfg, char *why, size_t len);

/* NULL when guests may start on this configuration, else why not (one
 * sentence, no newline). A CPU without usable EPT is accepted: every VM
 * then uses shadow paging; only a CPU with neither EPT nor the exits
 * shadow paging needs is refused. */
const char *vmx_config_refusal(const struct vmx_config *cfg);

/* The per-VM controls for a TDP VM (shadow false) or a shadow-paged one. */
struct vmx_vm_ctls vmx_controls_for(const struct vmx_config *cfg, bool shadow);

/* The boot line, without a newline:
 *   "vmx: enabled: ept=1 vpid=1 unrestricted=1 ept_2m=1 ept_1g=1 invept=single invvpid=single
 *    vmcs_size=4096 rev=0x..."
 * and without EPT, "...; no EPT: every VM uses shadow paging" after it. */
int vmx_config_format(const struct vmx_config *cfg, char *buf, size_t size);

/* The CR0/CR4 value the CPU runs the guest with for a guest-visible value:
 * forced bits set, disallowed bits clear. */
u64 vmx_cr0_real(const struct vmx_config *cfg, u64 guest_cr0);
u64 vmx_cr4_real(const struct vmx_config *cfg, u64 guest_cr4);

/* Whether a guest-requested CR4 value is allowed: no bit outside cr4_may1,
 * and neither VMXE nor SMXE (hidden features). CR0 has no such check here:
 * its architectural rules live in vcpu.c. */
bool vmx_cr4_allowed(const struct vmx_config *cfg, u64 guest_cr4);

/* Names for messages: "EPT violation", "VM entry with invalid control
 * field(s)", ...; "unknown" for numbers without one. Pass the basic exit
 * reason (FIELD_GET(EXIT_REASON_BASIC, reason)): an entry failure's bit 31
 * makes any number unknown. */
const char *vmx_exit_reason_name(u32 basic_reason);
const char *vmx_insn_error_name(u32 error);

#endif
