/* vm_arch.h (x86): what core/vm.h holds for an x86 VM: the vendor-neutral vCPU of vmx_svm/. */
#ifndef UMBRA_VM_ARCH_H
#define UMBRA_VM_ARCH_H

#include "vmx_svm/vcpu.h"

struct shadow_mmu;

/* Most of a VM lives in struct vm itself (tdp, asid) or the vCPU. */
struct arch_vm {
	struct shadow_mmu *shadow; /* shadow paging (vmx_svm/vshadow.c); NULL with NPT/EPT */
};

#endif
