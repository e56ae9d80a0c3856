/* vshadow.h: shadow paging for the x86 vCPU: what the SVM and VMX back ends call, and its exit handlers. */
#ifndef UMBRA_VSHADOW_H
#define UMBRA_VSHADOW_H

#include "core/vm.h"
#include "mm/shadow.h"
#include "vmx_svm/vcpu.h"

/*
 * Under shadow paging the CPU runs the guest with umbra's values in CR0,
 * CR3, CR4 and EFER ("hardware" values) while the guest reads and writes
 * its own ("guest" values), which the back end keeps (SVM: in svm_vcpu,
 * VMX: in the CR read shadows and its own copy of EFER):
 *
 *   CR0   guest | PG | WP       paging is always on (a guest with paging off
 *                               runs on an identity shadow); WP so that
 *                               umbra's read-only entries hold in ring 0
 *   CR3   the shadow root       from shadow_load_root
 *   CR4   guest | PAE           unless in long mode (umbra's entries are
 *         & ~PSE & ~PGE         8 bytes: PAE tables for every 32-bit mode);
 *                               PSE means nothing under PAE; shadow entries
 *                               are never global, so PGE is left off
 *   EFER  guest, LME = LMA,     LME without LMA under PG=1 is not a state
 *         | NXE                 either CPU enters; NXE so that shadow
 *                               entries can always use XD (shadow.h)
 */
u64 vshadow_hw_cr0(u64 guest_cr0);
u64 vshadow_hw_cr4(u64 guest_cr4, u64 guest_efer);
u64 vshadow_hw_efer(u64 guest_efer);

/* Whether this VM runs on shadow paging: the CPU has no usable nested
 * paging, or tdp=off was given for it (module option or umbra's own). */
bool vshadow_wanted(const struct vm *vm, bool cpu_has_tdp);
static inline bool vm_uses_shadow(const struct vm *vm)
{
	return vm->arch.shadow != NULL;
}

/* Back ends' vm_init/vm_free for a shadow-paged VM (instead of a TDP table). */
int vshadow_vm_init(struct vm *vm);
void vshadow_vm_free(struct vm *vm);

/*
 * The guest's paging state is now (cr0, cr3, cr4, efer), guest values: a
 * MOV to CR0/CR3/CR4, a WRMSR to EFER, or the start state. Loads the root
 * for it and gives the hardware CR3. Returns CR_OK, CR_GP (PAE: the new
 * CR3's PDPTEs are bad, as the CPU checks on the MOV; nothing changed) or
 * CR_ENDED (the VM was ended: no shadow memory). The back end then writes
 * the hardware values; vm->tlb_flush is set when the CPU must flush.
 */
int vshadow_switch(struct vcpu *v, u64 cr0, u64 cr3, u64 cr4, u64 efer, u64 *hw_cr3);

/* Exit handlers (vcpu.c's table). */
void handle_page_fault(struct vcpu *v, const struct vm_exit *e);
void handle_invlpg(struct vcpu *v, const struct vm_exit *e);

/* The shadow counters (NULL without shadow paging), and their line in the log. */
const struct shadow_stats *vshadow_stats(const struct vm *vm);
void vshadow_report(const struct vm *vm);

#endif
