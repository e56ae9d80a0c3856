/* vshadow.c: shadow paging for the x86 vCPU: the VM's shadow MMU, CR state, and the #PF/INVLPG exits. */
#include "vmx_svm/vshadow.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "core/console.h"
#include "core/kstring.h"
#include "core/log.h"
#include "vmx_svm/emulate.h"
#include "vmx_svm/exits.h"

/*
 * The shadow MMU itself (mm/shadow.c) knows nothing of vCPUs: it keeps the
 * tables equal to the guest's and says what each fault is. This file is
 * the vCPU's side: it feeds it the guest's paging state, reflects guest
 * faults, emulates writes to guest page tables and MMIO, and turns "entries
 * went away" into a flush of the VM's ASID/VPID before the next entry.
 */

static struct shadow_mmu shadows[VM_MAX];

u64 vshadow_hw_cr0(u64 guest_cr0)
{
	return guest_cr0 | CR0_PG | CR0_WP;
}

u64 vshadow_hw_cr4(u64 guest_cr4, u64 guest_efer)
{
	u64 cr4 = guest_cr4 & ~(u64)(CR4_PSE | CR4_PGE);

	if (!(guest_efer & EFER_LMA))
		cr4 |= CR4_PAE;
	return cr4;
}

u64 vshadow_hw_efer(u64 guest_efer)
{
	return shadow_hw_efer(guest_efer);
}

bool vshadow_wanted(const struct vm *vm, bool cpu_has_tdp)
{
	return !cpu_has_tdp || vm->opts.tdp == TDP_OFF;
}

int vshadow_vm_init(struct vm *vm)
{
	struct shadow_mmu *s = &shadows[vm->id];
	u32 budget = vm->opts.shadow_pages ? vm->opts.shadow_pages : SHADOW_DEFAULT_BUDGET;
	u8 maxphy = (u8)(cpuid(0x80000008, 0).eax & 0xFF);
	bool no_1g = !(cpuid_model(0x80000001, 0).edx & CPUID_EXT_EDX_PAGE1GB);

	if (shadow_init(s, &vm->mem, vm->mem.pa, OWNER_VM_SHADOW(vm->id), budget, maxphy, no_1g))
		return -1;
	s->pae_below_4g = true;
	vm->arch.shadow = s;
	return 0;
}

void vshadow_vm_free(struct vm *vm)
{
	if (!vm->arch.shadow)
		return;
	shadow_destroy(vm->arch.shadow);
	vm->arch.shadow = NULL;
}

const struct shadow_stats *vshadow_stats(const struct vm *vm)
{
	return vm->arch.shadow ? &vm->arch.shadow->stats : NULL;
}

static void take_flush(struct vm *vm)
{
	if (shadow_take_flush(vm->arch.shadow))
		vm->tlb_flush = true;
}

int vshadow_switch(struct vcpu *v, u64 cr0, u64 cr3, u64 cr4, u64 efer, u64 *hw_cr3)
{
	struct vm *vm = v->vm;
	struct shadow_mmu *s = vm->arch.shadow;
	struct gwalk_regs r = { .cr0 = cr0, .cr3 = cr3, .cr4 = cr4, .efer = efer };
	int rc;

	rc = shadow_load_root(s, &r, hw_cr3); /* checks PAE's PDPTEs first, changing nothing */
	if (rc == -ERR_RANGE)
		return CR_GP;
	if (rc) {
		vm_end(vm, false, 0,
		       "shadow paging has no page left for its tables (budget %u pages; "
		       "shadow_pages= gives more)",
		       s->budget);
		return CR_ENDED;
	}
	take_flush(vm);
	return CR_OK;
}

/* ---------------------------------------------------------------- exits */

/*
 * A write to a guest page table: emulate the store (the CPU cannot do it
 * through the read-only shadow entry), or, for an instruction the emulator
 * does not know or a page written over and over, stop shadowing the page
 * and let the guest run the instruction again natively.
 */
static void emulate_pt_write(struct vcpu *v, u64 gva, u64 addr)
{
	struct shadow_mmu *s = v->vm->arch.shadow;
	struct emul_insn in;
	u64 val, ea;

	if (vcpu_decode_at_rip(v, &in, false) == 0 && in.write) {
		ea = emul_mem_offset(v->gpr, &in, v->rip);
		val = emul_store_value(v->gpr, &in);
		if (((ea ^ gva) & (PAGE_SIZE - 1)) == 0 &&
		    shadow_pt_write(s, addr, &val, in.size)) {
			v->rip += in.len;
			return;
		}
	}
	if (!shadow_unprotect(s, addr)) {
		vm_end(v->vm, false, 0,
		       "writes its top-level page table at 0x%llx with an instruction umbra "
		       "cannot emulate (rip 0x%llx)",
		       (unsigned long long)addr, (unsigned long long)v->rip);
	}
}

/*
 * The CPU, not the instruction at RIP, wrote a guest page table while it
 * delivered an exception or interrupt (the stack, or a TSS, shares a page
 * with a table): there is no instruction to emulate, so the page stops
 * being shadowed and the delivery runs again natively (the back end
 * re-injects the interrupted event).
 */
static void event_pt_write(struct vcpu *v, u64 addr)
{
	if (!shadow_unprotect(v->vm->arch.shadow, addr))
		vm_end(v->vm, false, 0,
		       "delivering an exception or interrupt wrote its top-level page table at "
		       "0x%llx",
		       (unsigned long long)addr);
}

/* The guest's own linear RIP (for telling a fetch from a data access). */
static u64 linear_rip(struct vcpu *v)
{
	struct vcpu_paging p;

	vendor->paging(v, &p);
	return p.cs_base + v->rip;
}

void handle_page_fault(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	struct shadow_fault f;

	shadow_page_fault(vm->arch.shadow, e->pf.gva, e->pf.error, &f);
	switch (f.verdict) {
	case SHADOW_FIXED:
		break;
	case SHADOW_GUEST_PF:
		vendor->set_cr2(v, e->pf.gva);
		vendor->inject_exception(v, VEC_PF, true, f.error);
		break;
	case SHADOW_MMIO:
		handle_not_ram(v, f.gpa, e->pf.during_event,
			       (e->pf.error & PF_I) || e->pf.gva == linear_rip(v));
		break;
	case SHADOW_PT_WRITE:
		if (e->pf.during_event)
			event_pt_write(v, f.gpa);
		else
			emulate_pt_write(v, e->pf.gva, f.gpa);
		break;
	case SHADOW_BAD_TABLE:
		vm_end(vm, false, 0,
		       "its page tables reach guest-physical 0x%llx, which is not RAM",
		       (unsigned long long)f.gpa);
		break;
	case SHADOW_NOMEM:
	default:
		vm_end(vm, false, 0,
		       "shadow paging has no page left for its tables (budget %u pages; "
		       "shadow_pages= gives more)",
		       vm->arch.shadow->budget);
		break;
	}
	take_flush(vm);
}

void handle_invlpg(struct vcpu *v, const struct vm_exit *e)
{
	struct shadow_mmu *s = v->vm->arch.shadow;

	if (e->invlpg.gva_known) {
		shadow_invlpg(s, e->invlpg.gva);
	} else {
		s->stats.invlpg++;
		s->flush = true; /* the address is unknown: the whole TLB */
	}
	v->rip = e->next_rip;
	take_flush(v->vm);
}

void vshadow_report(const struct vm *vm)
{
	const struct shadow_stats *st = vshadow_stats(vm);

	if (!st)
		return;
	kprintf("vm %u %s: shadow: faults=%llu fixed=%llu guest_pf=%llu mmio=%llu "
		"pt_writes=%llu unprotected=%llu roots_built=%llu roots_reused=%llu "
		"invlpg=%llu reclaimed=%llu pages_peak=%llu budget=%u\n",
		vm->id, vm->name, (unsigned long long)st->faults, (unsigned long long)st->fixed,
		(unsigned long long)st->guest_pf, (unsigned long long)st->mmio,
		(unsigned long long)st->pt_writes, (unsigned long long)st->unprotected,
		(unsigned long long)st->roots_built, (unsigned long long)st->roots_reused,
		(unsigned long long)st->invlpg, (unsigned long long)st->reclaimed,
		(unsigned long long)st->pages_peak, vm->arch.shadow->budget);
}
