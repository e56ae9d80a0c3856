/* exits.h: the exit handlers shared by both back ends, beyond the ones in vcpu.c. */
#ifndef UMBRA_EXITS_H
#define UMBRA_EXITS_H

#include "arch/x86/cpu.h"
#include "vmx_svm/vcpu.h"

/* Port I/O to the VM's emulated platform (exits.c). */
void handle_io(struct vcpu *v, const struct vm_exit *e);
/* A guest-physical access the TDP table does not map: MMIO or unbacked (exits.c). */
void handle_tdp_fault(struct vcpu *v, const struct vm_exit *e);
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
