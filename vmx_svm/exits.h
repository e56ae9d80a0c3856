/* exits.h: the exit handlers shared by both back ends, beyond the ones in vcpu.c. */
#ifndef UMBRA_EXITS_H
#define UMBRA_EXITS_H

#include "arch/x86/cpu.h"
#include "vmx_svm/vcpu.h"

/* Port I/O to the VM's emulated platform (exits.c). */
void handle_io(struct vcpu *v, const struct vm_exit *e);
/* A guest-physical access the TDP table does not map: MMIO or unbacked (exits.c). */
void handle_tdp_fault(struct vcpu *v, const struct vm_exit *e);
/* An access to guest-physical addr, which is not RAM: emulate the
 * instruction at RIP against the VM's devices (exits.c). */
void handle_mmio(struct vcpu *v, u64 addr);
/* The same access as seen by a page fault (TDP or shadow): the CPU was
 * delivering an event or fetching code there, which ends the guest with
 * the reason, or it is the instruction's data access: handle_mmio. */
void handle_not_ram(struct vcpu *v, u64 addr, bool during_event, bool fetch);
/* Up to max bytes of the guest's instruction at RIP (fewer at an unmapped page). */
size_t vcpu_fetch_insn(struct vcpu *v, u8 *buf, size_t max);
struct emul_insn;
/* Decode the guest's instruction at RIP; 0, or -ERR_INVAL (the guest is
 * ended with the reason when end_on_failure). */
int vcpu_decode_at_rip(struct vcpu *v, struct emul_insn *in, bool end_on_failure);
/* VMMCALL/VMCALL: docs/hypercalls.md (exits.c). */
void handle_hypercall(struct vcpu *v, const struct vm_exit *e);

/* umbra's CPUID model for a guest (vcpu.c). */
struct cpuid_regs cpuid_model(u32 leaf, u32 sub);

/* Hypercall numbers and results. */
#define HC_VERSION 0
#define HC_CONSOLE_WRITE 1
#define HC_EXIT 2
#define HC_TIMESTAMP 3
#define HC_INTERFACE_VERSION 0x00010000
#define HC_EPERM 1
#define HC_EINVAL 22
#define HC_ENOSYS 38

#endif
