/* vm.h: a virtual machine: its memory, nested page table, devices, one vCPU, and how it ended. */
#ifndef UMBRA_VM_H
#define UMBRA_VM_H

#include "boot/boot_info.h"
#include "core/cmdline.h"
#include "drivers/vplat.h"
#include "mm/gmem.h"
#include "mm/pt.h"
/* The architecture's vCPU (struct vcpu, NR_EXIT_REASONS, vcpu_run) and
 * per-VM state (struct arch_vm): arch/x86/vm_arch.h or arch/arm64/vm_arch.h,
 * found through the include path the Makefile sets for the image. */
#include "vm_arch.h"

#define VM_MAX 8

enum vm_state {
	VM_READY,
	VM_RUNNING,
	VM_ENDED,
};

struct vm {
	u32 id;
	char name[MODULE_NAME_MAX];
	struct module_opts opts;
	struct gmem mem;
	struct pt tdp;	/* guest-physical to host-physical: NPT, EPT or stage-2 */
	u32 asid;	/* address-space tag (ASID, VPID or VMID) */
	bool tlb_flush; /* the tag was used before: flush it on the next entry */
	struct vplat plat;
	struct vcpu vcpu;
	struct arch_vm arch;

	enum vm_state state;
	bool passed;
	u32 status;	  /* the guest's own exit status (debug port, HC_EXIT) */
	char reason[160]; /* how it ended, in words */
	u64 slices;	  /* time slices it has run */
	u64 exits[NR_EXIT_REASONS];
};

/* Each architecture names its exit reasons (vm_arch.h gives their number). */
extern const char *const exit_reason_names[NR_EXIT_REASONS];

/* Guest console output through a hypercall (HC_CONSOLE_WRITE on x86, its
 * 0xC6000001 form on arm64): at most VM_CONSOLE_WRITE_MAX bytes of guest
 * RAM at addr. Returns len, or -22 (as u64) for a bad length or range. */
#define VM_CONSOLE_WRITE_MAX 4096
u64 vm_console_write(struct vm *vm, u64 addr, u64 len);
/* Log an access nothing answered (the platform counted it): the first one
 * per VM, every one at log=debug. what: "port", "address", "IPA". */
void vm_note_unbacked(struct vm *vm, const char *what, u64 addr, bool write);

/* Create the VMs named by the boot modules, with their parsed options
 * (opts[i] for module i); a module that cannot become a VM is reported and
 * left out. Returns how many were made. */
u32 vm_create_all(const struct boot_info *bi, const struct module_opts *opts, struct palloc *pa);
/* Run every VM to its end, one after another; then print a summary.
 * Returns true when every VM passed. */
bool vm_run_all(void);
/* Map the VM's RAM into its TDP table with these permissions (back ends' vm_init). */
int vm_tdp_map_ram(struct vm *vm, u8 perm);
/* End a VM: the guest's doing (passed when status is 0) or umbra's verdict. */
void vm_end(struct vm *vm, bool passed, u32 status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
