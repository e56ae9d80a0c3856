/* vmx.c: the Intel VMX back end: VMXON, one VMCS per vCPU, EPT or shadow paging, VPID, entering the guest. */
#include "vmx_svm/vmx.h"

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/trap.h"
#include "core/console.h"
#include "core/kstring.h"
#include "core/log.h"
#include "core/vm.h"
#include "mm/phys.h"
#include "vmx_svm/features.h"
#include "vmx_svm/vmx_backend.h"
#include "vmx_svm/vcpu_exit.h"
#include "vmx_svm/vshadow.h"

/*
 * umbra enters VMX operation once (VMXON) and keeps one VMCS per vCPU. The
 * controls come from vmx_caps.c, which derives them from the capability
 * MSRs; this file writes them, the host state and the guest's start state
 * into each VMCS, and runs the guest. One I/O bitmap pair and one MSR
 * bitmap, all ones, are shared by every VM: every port and MSR access exits
 * and vcpu.c decides, as on SVM.
 *
 * CR0 and CR4: VMX forces some bits on while a guest runs (CR0.NE, CR4.VMXE;
 * PE and PG too without unrestricted guest). Those bits are host-owned in
 * the guest/host masks: the guest reads its own value from the read shadow,
 * and a MOV that would change one exits to vcpu.c's handle_cr, which checks
 * it and calls vmx_cr_write (vmx_cr.c). Every other bit is the guest's own.
 *
 * Each VM runs on EPT, or on shadow paging when the CPU has no usable EPT or
 * the VM was started with tdp=off (vshadow_wanted). A shadow-paged VM has
 * no EPTP, no unrestricted guest, and intercepts MOV to and from CR3,
 * INVLPG and every #PF (vmx_controls_for); the CPU runs it with umbra's
 * values in CR0, CR3, CR4 and EFER (vmx_cr.c and vmx_svm/vshadow.h).
 */
#define DR7_INIT 0x400

struct vmx_config vmx_cfg;
struct vmx_caps vmx_caps_raw;
static struct palloc *vmx_pa;
static u64 io_bitmap_pa, msr_bitmap_pa;
static struct vmx_vcpu vmx_vcpus[VM_MAX];
static struct vmx_vcpu *current_vmcs; /* the VMCS the CPU has loaded */
static u32 next_vpid = 1;
static u32 write_failures;

static int alloc_page(owner_t owner, u8 fill, u64 *out)
{
	hpa_t p;
	if (palloc_alloc(vmx_pa, 0, owner, &p) != PALLOC_OK)
		return -1;
	memset(phys_to_virt(p), fill, PAGE_SIZE);
	*out = p.val;
	return 0;
}

__attribute__((noinline, cold)) void vmx_write_failed(enum vmcs_field f, u64 v)
{
	if (write_failures++ == 0)
		pr_err("vmx: VMWRITE of field 0x%x (value 0x%llx) failed: VM-instruction error %u "
		       "(%s)\n",
		       f, (unsigned long long)v, (unsigned)vmread(VMCS_INSN_ERROR),
		       vmx_insn_error_name((u32)vmread(VMCS_INSN_ERROR)));
}

/* VMXON, VMCLEAR and VMPTRLD take a memory operand holding a physical
 * address; each returns false when the CPU reports VMfail. */
#define VMX_PA_INSN(name, insn)                                                                \
	static bool name(u64 pa)                                                               \
	{                                                                                      \
		u8 bad;                                                                        \
		__asm__ volatile(insn " %1; setbe %0" : "=q"(bad) : "m"(pa) : "cc", "memory"); \
		return !bad;                                                                   \
	}
VMX_PA_INSN(vmxon, "vmxon")
VMX_PA_INSN(vmclear, "vmclear")
VMX_PA_INSN(vmptrld, "vmptrld")

/* ---------------------------------------------------------------- probing and VMXON */

static void read_caps(struct vmx_caps *c)
{
	*c = (struct vmx_caps){ 0 };
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	c->procbased = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(MSR_IA32_VMX_EXIT_CTLS);
	c->entry = rdmsr(MSR_IA32_VMX_ENTRY_CTLS);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	if (c->basic & VMX_BASIC_TRUE_CTLS) {
		c->true_pinbased = rdmsr(MSR_IA32_VMX_TRUE_PINBASED_CTLS);
		c->true_procbased = rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
		c->true_exit = rdmsr(MSR_IA32_VMX_TRUE_EXIT_CTLS);
		c->true_entry = rdmsr(MSR_IA32_VMX_TRUE_ENTRY_CTLS);
	}
	if ((c->procbased >> 32) & PROC_SECONDARY) {
		c->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		if ((c->procbased2 >> 32) & (PROC2_EPT | PROC2_VPID))
			c->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

/* Firmware may leave IA32_FEATURE_CONTROL unlocked: then umbra allows VMXON
 * outside SMX and locks it. Locked with that bit clear, VMX is off. */
static bool feature_control_allows_vmx(void)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FEATURE_CONTROL_LOCK)) {
		fc |= FEATURE_CONTROL_VMXON_OUTSIDE_SMX | FEATURE_CONTROL_LOCK;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
		kprintf("vmx: IA32_FEATURE_CONTROL was unlocked: VMXON allowed and locked\n");
	}
	if (!(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX)) {
		pr_err("vmx: disabled by firmware (IA32_FEATURE_CONTROL locked without VMXON "
		       "outside SMX); enable VT-x in the firmware setup\n");
		return false;
	}
	return true;
}

static bool vmx_on(void)
{
	u64 region;

	/* VMX operation needs the fixed CR0/CR4 bits (CR0.NE, CR4.VMXE). */
	write_cr0((read_cr0() | vmx_caps_raw.cr0_fixed0) & vmx_caps_raw.cr0_fixed1);
	write_cr4((read_cr4() | vmx_caps_raw.cr4_fixed0 | CR4_VMXE) & vmx_caps_raw.cr4_fixed1);
	if (alloc_page(OWNER_HV, 0, &region))
		return false;
	*(u32 *)phys_to_virt(hpa(region)) = vmx_cfg.revision;
	if (!vmxon(region)) {
		pr_err("vmx: VMXON failed\n");
		return false;
	}
	return true;
}

const struct vendor_ops *vmx_probe(struct palloc *pa)
{
	char why[VMX_CONFIG_WHY_MAX];
	const char *refusal;

	vmx_pa = pa;
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX) || !feature_control_allows_vmx())
		return NULL;
	read_caps(&vmx_caps_raw);
	if (vmx_config_build(&vmx_caps_raw, &vmx_cfg, why, sizeof(why))) {
		pr_err("%s\n", why);
		return NULL;
	}
	refusal = vmx_config_refusal(&vmx_cfg);
	if (refusal) {
		pr_err("vmx: %s\n", refusal);
		return NULL;
	}
	if (vmx_cfg.vmcs_size > PAGE_SIZE) {
		pr_err("vmx: VMCS of %u bytes does not fit a page\n", vmx_cfg.vmcs_size);
		return NULL;
	}
	if (alloc_page(OWNER_HV, 0xFF, &io_bitmap_pa) ||
	    alloc_page(OWNER_HV, 0xFF, &msr_bitmap_pa) || !vmx_on()) {
		pr_err("vmx: could not enter VMX operation (out of memory or VMXON refused)\n");
		return NULL;
	}
	vmx_config_format(&vmx_cfg, why, sizeof(why));
	kprintf("%s\n", why);
	return &vmx_ops;
}

/* ---------------------------------------------------------------- VMs */

static int ept_init(struct vm *vm)
{
	if (pt_init(&vm->tdp, &pt_fmt_ept, 48, 4, vmx_pa, OWNER_VM_TDP(vm->id)))
		return -1;
	if (!vmx_cfg.ept_1g)
		vm->tdp.block_mask &= (u8)~BIT(2);
	if (!vmx_cfg.ept_2m)
		vm->tdp.block_mask &= (u8)~BIT(1);
	return vm_tdp_map_ram(vm, PT_R | PT_W | PT_X);
}

static int vmx_vm_init(struct vm *vm)
{
	if (!vshadow_wanted(vm, vmx_cfg.ept)) {
		if (ept_init(vm))
			return -1;
	} else if (!vmx_cfg.shadow) {
		/* Only with tdp=off: without EPT the CPU was refused at boot. */
		pr_err("vm %u %s: shadow paging needs CR3-load, CR3-store and INVLPG exiting, "
		       "which this CPU does not allow\n",
		       vm->id, vm->name);
		return -1;
	} else if (vshadow_vm_init(vm)) {
		return -1;
	}
	vm->asid = vmx_cfg.vpid && next_vpid <= 0xFFFF ? next_vpid++ : 0;
	vm->tlb_flush = true; /* a page-table root or VPID may have been used before */
	return 0;
}

static void vmx_vm_free(struct vm *vm)
{
	if (vm_uses_shadow(vm))
		vshadow_vm_free(vm);
	else
		pt_destroy(&vm->tdp);
}

struct vmx_vcpu *vmx_of(const struct vcpu *v)
{
	return v->vendor;
}

void vmx_load(struct vcpu *v)
{
	struct vmx_vcpu *s = vmx_of(v);

	if (current_vmcs == s)
		return;
	if (!vmptrld(s->vmcs_pa))
		panic("vmx: VMPTRLD of 0x%llx failed", (unsigned long long)s->vmcs_pa);
	current_vmcs = s;
}

/* ---------------------------------------------------------------- VMCS contents */

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

static u16 read_sel(int which)
{
	u16 s = 0;
	switch (which) {
	case 0:
		__asm__ volatile("mov %%cs, %0" : "=r"(s));
		break;
	case 1:
		__asm__ volatile("mov %%ss, %0" : "=r"(s));
		break;
	case 2:
		__asm__ volatile("mov %%ds, %0" : "=r"(s));
		break;
	case 3:
		__asm__ volatile("mov %%es, %0" : "=r"(s));
		break;
	case 4:
		__asm__ volatile("mov %%fs, %0" : "=r"(s));
		break;
	case 5:
		__asm__ volatile("mov %%gs, %0" : "=r"(s));
		break;
	default:
		__asm__ volatile("str %0" : "=r"(s));
		break;
	}
	return s;
}

/* Where a VM exit lands: umbra's own state, which does not change after boot. */
static void write_host_state(void)
{
	struct desc_ptr gdt, idt;
	u16 tr = read_sel(6);

	__asm__ volatile("sgdt %0" : "=m"(gdt));
	__asm__ volatile("sidt %0" : "=m"(idt));
	vmwrite(VMCS_HOST_CR0, read_cr0());
	vmwrite(VMCS_HOST_CR3, read_cr3());
	vmwrite(VMCS_HOST_CR4, read_cr4());
	vmwrite(VMCS_HOST_CS_SEL, read_sel(0));
	vmwrite(VMCS_HOST_SS_SEL, read_sel(1));
	vmwrite(VMCS_HOST_DS_SEL, read_sel(2));
	vmwrite(VMCS_HOST_ES_SEL, read_sel(3));
	vmwrite(VMCS_HOST_FS_SEL, read_sel(4));
	vmwrite(VMCS_HOST_GS_SEL, read_sel(5));
	vmwrite(VMCS_HOST_TR_SEL, tr);
	vmwrite(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
	vmwrite(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
	vmwrite(VMCS_HOST_TR_BASE, gdt_tss_base());
	vmwrite(VMCS_HOST_GDTR_BASE, gdt.base);
	vmwrite(VMCS_HOST_IDTR_BASE, idt.base);
	vmwrite(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
	vmwrite(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
	vmwrite(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
	vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
	vmwrite(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT));
	vmwrite(VMCS_HOST_RIP, (u64)(uintptr_t)vmx_exit_point);
}

/* The controls of the VM's kind; "IA-32e mode guest" comes with the paging
 * state (vmx_set_paging). */
/* How often the VMX-preemption timer polls the slice timer (see enter_until_real_exit). */
#define PREEMPT_POLL_TSC (1u << 22)

static void write_controls(const struct vm *vm, const struct vmx_vm_ctls *c)
{
	vmwrite(VMCS_PIN_CTLS, vmx_cfg.pin);
	vmwrite(VMCS_PROC_CTLS, c->proc);
	if (c->proc & PROC_SECONDARY) /* without a VPID of its own, VPID 0 (off) */
		vmwrite(VMCS_PROC2_CTLS, vm->asid ? c->proc2 : c->proc2 & ~PROC2_VPID);
	vmwrite(VMCS_EXIT_CTLS, vmx_cfg.exit);
	vmwrite(VMCS_ENTRY_CTLS, vmx_cfg.entry);
	vmwrite(VMCS_EXCEPTION_BITMAP, c->exception_bitmap);
	vmwrite(VMCS_PF_ERROR_MASK, 0);
	vmwrite(VMCS_PF_ERROR_MATCH, 0);
	vmwrite(VMCS_CR3_TARGET_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0);
	vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	vmwrite(VMCS_ENTRY_INTR_INFO, 0);
	vmwrite(VMCS_IO_BITMAP_A, io_bitmap_pa);
	vmwrite(VMCS_IO_BITMAP_B, io_bitmap_pa);
	vmwrite(VMCS_MSR_BITMAP, msr_bitmap_pa);
	if (vmx_cfg.proc & PROC_TSC_OFFSET)
		vmwrite(VMCS_TSC_OFFSET, 0);
	vmwrite(VMCS_CR0_MASK, c->cr0_mask);
	vmwrite(VMCS_CR4_MASK, c->cr4_mask);
	if (c->proc2 & PROC2_EPT)
		vmwrite(VMCS_EPTP, vmx_cfg.eptp_flags | vm->tdp.root.val);
	if (vm->asid)
		vmwrite(VMCS_VPID, vm->asid);
	/* Without the "save VMX-preemption timer value" exit control the CPU
	 * leaves the field alone and loads the timer from it on every entry. */
	if (vmx_cfg.preempt_timer)
		vmwrite(VMCS_PREEMPT_TIMER, MAX(PREEMPT_POLL_TSC >> vmx_cfg.preempt_shift, 1u));
}

static void write_seg(enum vmcs_field sel, u16 s, u32 ar, u32 limit, u64 base)
{
	/* The selector, limit, AR and base fields of one segment are spaced
	 * alike from ES's: 2 apart in each group. */
	u32 i = (sel - VMCS_GUEST_ES_SEL) / 2;

	vmwrite(sel, s);
	vmwrite(VMCS_GUEST_ES_LIMIT + 2 * i, limit);
	vmwrite(VMCS_GUEST_ES_AR + 2 * i, ar);
	vmwrite(VMCS_GUEST_ES_BASE + 2 * i, base);
}

/* The state the loader asked for: flat 32-bit protected mode with paging
 * off, or 64-bit long mode on the loader's page tables and GDT. The paging
 * registers follow (start_paging). */
static void write_guest_state(const struct guest_start *g)
{
	bool lm = g->mode == GUEST_MODE_LONG64;

	write_seg(VMCS_GUEST_CS_SEL, 0x08, lm ? VMX_AR_CODE64 : VMX_AR_CODE32, 0xFFFFFFFF, 0);
	write_seg(VMCS_GUEST_DS_SEL, 0x10, VMX_AR_DATA32, 0xFFFFFFFF, 0);
	write_seg(VMCS_GUEST_ES_SEL, 0x10, VMX_AR_DATA32, 0xFFFFFFFF, 0);
	write_seg(VMCS_GUEST_SS_SEL, 0x10, VMX_AR_DATA32, 0xFFFFFFFF, 0);
	write_seg(VMCS_GUEST_FS_SEL, 0x10, VMX_AR_DATA32, 0xFFFFFFFF, 0);
	write_seg(VMCS_GUEST_GS_SEL, 0x10, VMX_AR_DATA32, 0xFFFFFFFF, 0);
	write_seg(VMCS_GUEST_LDTR_SEL, 0, VMX_AR_UNUSABLE, 0, 0);
	write_seg(VMCS_GUEST_TR_SEL, 0, VMX_AR_TSS32_BUSY, 0xFFFF, 0);
	vmwrite(VMCS_GUEST_GDTR_BASE, lm ? g->gdt_base : 0);
	vmwrite(VMCS_GUEST_GDTR_LIMIT, lm ? g->gdt_limit : 0);
	vmwrite(VMCS_GUEST_IDTR_BASE, 0);
	vmwrite(VMCS_GUEST_IDTR_LIMIT, 0);

	vmwrite(VMCS_GUEST_PAT, PAT_POWER_ON);
	vmwrite(VMCS_GUEST_DEBUGCTL, 0);
	vmwrite(VMCS_GUEST_DR7, DR7_INIT);
	vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
	vmwrite(VMCS_GUEST_SYSENTER_ESP, 0);
	vmwrite(VMCS_GUEST_SYSENTER_EIP, 0);
	vmwrite(VMCS_GUEST_RFLAGS, RFLAGS_FIXED);
	vmwrite(VMCS_GUEST_RSP, g->rsp);
	vmwrite(VMCS_GUEST_RIP, g->rip);
	vmwrite(VMCS_LINK_POINTER, ~0ULL); /* no shadow VMCS */
	vmwrite(VMCS_GUEST_ACTIVITY, VMX_ACTIVITY_ACTIVE);
	vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0);
	vmwrite(VMCS_GUEST_PENDING_DBG, 0);
}

/* PE and ET (and PG, PAE, LME and LMA in long mode). Under shadow paging a
 * guest starting with paging off runs on an identity shadow with the CPU's
 * PG set, so it needs no unrestricted guest; vshadow_switch loads that first
 * root. */
static int start_paging(struct vcpu *v, const struct guest_start *g, char *err, size_t errlen)
{
	bool lm = g->mode == GUEST_MODE_LONG64;
	struct vmx_paging_regs n = {
		.cr0 = lm ? 0x80000011 : 0x11,
		.cr3 = lm ? g->cr3 : 0,
		.cr4 = lm ? CR4_PAE : 0,
		.efer = lm ? EFER_LME | EFER_LMA : 0,
	};
	int r = vmx_set_paging(v, &n, NULL);

	if (r != CR_OK)
		ksnprintf(err, errlen, "shadow paging could not load its first page tables (%s)",
			  r == CR_GP ? "bad PAE page-directory pointers" : "out of shadow pages");
	return r == CR_OK ? 0 : -1;
}

static int vmx_vcpu_init(struct vcpu *v, const struct guest_start *g, char *err, size_t errlen)
{
	struct vmx_vcpu *s = &vmx_vcpus[v->vm->id];
	bool shadow = vm_uses_shadow(v->vm);
	struct vmx_vm_ctls c = vmx_controls_for(&vmx_cfg, shadow);
	u32 failures = write_failures;

	if (g->mode != GUEST_MODE_LONG64 && !vmx_cfg.unrestricted && !shadow) {
		ksnprintf(err, errlen,
			  "it starts with paging off, which needs VMX unrestricted guest; this "
			  "CPU lacks it");
		return -1;
	}
	*s = (struct vmx_vcpu){ .shadow = shadow, .cr0_mask = c.cr0_mask, .cr4_mask = c.cr4_mask };
	if (alloc_page(OWNER_VM_STATE(v->vm->id), 0, &s->vmcs_pa)) {
		ksnprintf(err, errlen, "out of memory for its VMCS");
		return -1;
	}
	*(u32 *)phys_to_virt(hpa(s->vmcs_pa)) = vmx_cfg.revision;
	if (!vmclear(s->vmcs_pa)) {
		palloc_free(vmx_pa, hpa(s->vmcs_pa), 0, OWNER_VM_STATE(v->vm->id));
		ksnprintf(err, errlen, "VMCLEAR of its VMCS failed");
		return -1;
	}
	v->vendor = s;
	vmx_load(v);
	write_host_state();
	write_controls(v->vm, &c);
	write_guest_state(g);
	vcpu_set_start(v, g);
	s->exit_rip = g->rip;
	if (start_paging(v, g, err, errlen))
		return -1;
	if (write_failures != failures) {
		ksnprintf(err, errlen, "its VMCS could not be written (see the VMWRITE error)");
		return -1;
	}
	return 0;
}

static void vmx_vcpu_free(struct vcpu *v)
{
	struct vmx_vcpu *s = vmx_of(v);

	if (s && s->vmcs_pa) {
		vmclear(s->vmcs_pa);
		if (current_vmcs == s)
			current_vmcs = NULL;
		vmx_msrs_forget(v);
		palloc_free(vmx_pa, hpa(s->vmcs_pa), 0, OWNER_VM_STATE(v->vm->id));
		s->vmcs_pa = 0;
	}
	v->vendor = NULL;
}

/* ---------------------------------------------------------------- running */

struct inv_desc {
	u64 a, b;
};

/* Drop what the CPU cached for this VM's EPT root (shadow paging has none)
 * and VPID (without one, every entry and exit flushes VPID 0's entries). */
static void flush_tags(struct vm *vm, bool shadow)
{
	struct inv_desc ept = { vmx_cfg.eptp_flags | vm->tdp.root.val, 0 };
	struct inv_desc vpid = { vm->asid, 0 };
	u64 type = (u64)vmx_cfg.invept_type;

	if (!shadow)
		__asm__ volatile("invept %0, %1" : : "m"(ept), "r"(type) : "cc", "memory");
	if (vm->asid) {
		type = (u64)vmx_cfg.invvpid_type;
		__asm__ volatile("invvpid %0, %1" : : "m"(vpid), "r"(type) : "cc", "memory");
	}
	vm->tlb_flush = false;
}

/* An event whose delivery the exit interrupted is delivered again on the
 * next entry (SDM 28.2.4, 27.6): after an EPT violation umbra fixed, a
 * shadow page fault it filled, a host interrupt. A handler may still
 * replace it (vmx_inject). */
static void requeue_interrupted_event(struct vmx_vcpu *s)
{
	u64 idt = vmread(VMCS_IDT_VEC_INFO);
	u64 type = FIELD_GET(INTR_INFO_TYPE, idt);

	s->requeued = idt & INTR_INFO_VALID;
	if (!s->requeued)
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, idt & ~(u64)GENMASK(30, 12));
	if (idt & INTR_INFO_HAS_ERROR)
		vmwrite(VMCS_ENTRY_EXC_ERROR, vmread(VMCS_IDT_VEC_ERROR));
	if (type == INTR_TYPE_SW_INT || type == INTR_TYPE_PRIV_SW_EXC || type == INTR_TYPE_SW_EXC)
		vmwrite(VMCS_ENTRY_INSN_LEN, vmread(VMCS_EXIT_INSN_LEN));
}

/*
 * Enter the guest until an exit vcpu.c must see. The slice timer is the
 * host's LAPIC timer, whose interrupt exits (external-interrupt exiting);
 * the exit leaves IF clear and the interrupt pending, so a short window
 * lets its handler run. Bochs 2.7 never makes that exit while the guest
 * runs with IF clear (it masks the interrupt as it loads the guest's
 * RFLAGS, before it is in non-root mode), so umbra also arms the
 * VMX-preemption timer, about four times a slice: when it fires and the
 * slice timer has too, the slice ends; otherwise the guest goes on at once.
 */

static int enter_until_real_exit(struct vcpu *v)
{
	struct vmx_vcpu *s = vmx_of(v);
	u64 ticks;
	u32 basic;
	int rc;

	for (;;) {
		rc = vmx_enter(v->gpr, s->launched);
		if (rc)
			return rc;
		s->launched = true;
		basic = (u32)(vmread(VMCS_EXIT_REASON) & EXIT_REASON_BASIC);
		if (basic != VMX_EXIT_EXT_INTR && basic != VMX_EXIT_PREEMPT_TIMER)
			return 0;
		ticks = lapic_timer_irqs();
		__asm__ volatile("sti; nop; cli" ::: "memory");
		if (basic == VMX_EXIT_EXT_INTR || lapic_timer_irqs() != ticks)
			return 0;
	}
}

#define RFLAGS_TF BIT(8)
#define DEBUGCTL_BTF BIT(1)
#define PENDING_DBG_BS BIT(14)

/*
 * Before an entry: stepping past an instruction ends a STI or MOV SS
 * interrupt shadow; and single-stepping (TF) inside such a shadow must show
 * a pending single-step #DB (BS), which the CPU does not record when a #DB
 * exits there, or the entry fails its guest-state checks.
 */
static void prepare_debug_state(struct vcpu *v)
{
	u64 shadow = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS;
	u64 intr;

	if (v->rip == vmx_of(v)->exit_rip && !(v->rflags & RFLAGS_TF))
		return; /* the common case: nothing to read */
	intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);

	if ((intr & shadow) && v->rip != vmx_of(v)->exit_rip) {
		intr &= ~shadow;
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr);
	}
	if ((intr & shadow) && (v->rflags & RFLAGS_TF) &&
	    !(vmread(VMCS_GUEST_DEBUGCTL) & DEBUGCTL_BTF))
		vmwrite(VMCS_GUEST_PENDING_DBG, vmread(VMCS_GUEST_PENDING_DBG) | PENDING_DBG_BS);
}

static void vmx_run_once(struct vcpu *v, struct vm_exit *e)
{
	struct vmx_vcpu *s = vmx_of(v);
	int rc;

	vmx_load(v);
	vmx_msrs_load(v);
	vmwrite(VMCS_GUEST_RSP, v->gpr[GPR_RSP]);
	vmwrite(VMCS_GUEST_RIP, v->rip);
	vmwrite(VMCS_GUEST_RFLAGS, v->rflags);
	prepare_debug_state(v);
	if (v->vm->tlb_flush)
		flush_tags(v->vm, s->shadow);
	/* VMX switches neither CR2 nor DR6; umbra takes no page fault between
	 * here and the exit, so the guest's CR2 lives in the CPU meanwhile
	 * (DR6 is vcpu.c's, with the FPU state). */
	if (read_cr2() != s->cr2)
		write_cr2(s->cr2);
	rc = enter_until_real_exit(v);
	s->cr2 = read_cr2();
	if (rc) {
		vmx_entry_failed(v, e, rc);
		return;
	}
	v->gpr[GPR_RSP] = vmread(VMCS_GUEST_RSP);
	v->rip = s->exit_rip = vmread(VMCS_GUEST_RIP);
	v->rflags = vmread(VMCS_GUEST_RFLAGS);
	vmx_decode_exit(v, e);
	requeue_interrupted_event(s);
}

static void vmx_run(struct vcpu *v)
{
	struct vm_exit e;

	do
		vmx_run_once(v, &e);
	while (vcpu_exit(v, &e));
}

/*
 * An exception a handler raises after an exit that interrupted the
 * delivery of another event (requeued) happened while delivering it, as a
 * guest #PF the shadow MMU finds on the way to the guest's IDT or stack:
 * exc_during_delivery() (vcpu.h) says what the CPU delivers.
 */
static int during_delivery(struct vmx_vcpu *s, u8 vector)
{
	u64 first = vmread(VMCS_ENTRY_INTR_INFO);

	s->requeued = false;
	if (!(first & INTR_INFO_VALID) || FIELD_GET(INTR_INFO_TYPE, first) != INTR_TYPE_HW_EXC)
		return vector;
	return exc_during_delivery((u8)FIELD_GET(INTR_INFO_VECTOR, first), vector);
}

static void vmx_inject(struct vcpu *v, u8 vector, bool has_error, u32 error)
{
	struct vmx_vcpu *s = vmx_of(v);
	int deliver = s->requeued ? during_delivery(s, vector) : vector;
	u64 info;

	if (deliver < 0) {
		vm_end(v->vm, false, 0,
		       "triple fault (shutdown) at rip 0x%llx: exception %u while delivering a "
		       "double fault",
		       (unsigned long long)v->rip, vector);
		return;
	}
	if (deliver != vector) {
		vector = (u8)deliver;
		has_error = true;
		error = 0;
	}
	info = FIELD_PREP(INTR_INFO_VECTOR, vector) | FIELD_PREP(INTR_INFO_TYPE, INTR_TYPE_HW_EXC) |
	       INTR_INFO_VALID;

	/* Real mode pushes no error codes. */
	if (has_error && (vmx_guest_cr0(v) & CR0_PE)) {
		info |= INTR_INFO_HAS_ERROR;
		vmwrite(VMCS_ENTRY_EXC_ERROR, error);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
}

/* The guest's CR2 is in the CPU only while it runs (vmx_run_once). */
static void vmx_set_cr2(struct vcpu *v, u64 cr2)
{
	vmx_of(v)->cr2 = cr2;
}

const struct vendor_ops vmx_ops = {
	.name = "vmx",
	.tdp_name = "ept",
	.tag_name = "vpid",
	.vm_init = vmx_vm_init,
	.vm_free = vmx_vm_free,
	.vcpu_init = vmx_vcpu_init,
	.vcpu_free = vmx_vcpu_free,
	.run = vmx_run,
	.inject_exception = vmx_inject,
	.paging = vmx_paging,
	.msr_read = vmx_msr_read,
	.msr_write = vmx_msr_write,
	.cr_read = vmx_cr_read,
	.cr_write = vmx_cr_write,
	.set_cr2 = vmx_set_cr2,
};
