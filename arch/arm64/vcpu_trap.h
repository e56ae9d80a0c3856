/* vcpu_trap.h: handling one guest exit on arm64. */
#ifndef UMBRA_ARM64_VCPU_TRAP_H
#define UMBRA_ARM64_VCPU_TRAP_H

#include "vm_arch.h"

/* The guest exited through the vector of kind (EXIT_KIND_*); its syndrome is in v->ctx. */
void vcpu_handle_exit(struct vcpu *v, unsigned long kind);

/* SMC Calling Convention function IDs and results (docs/arm64.md). */
#define SMCCC_VERSION 0x80000000U
#define SMCCC_ARCH_FEATURES 0x80000001U
#define PSCI_CPU_SUSPEND_32 0x84000001U
#define PSCI_CPU_SUSPEND_64 0xC4000001U
#define PSCI_AFFINITY_INFO_32 0x84000004U
#define PSCI_AFFINITY_INFO_64 0xC4000004U
#define PSCI_VERSION 0x84000000U
#define PSCI_CPU_OFF 0x84000002U
#define PSCI_CPU_ON_32 0x84000003U
#define PSCI_CPU_ON_64 0xC4000003U
#define PSCI_SYSTEM_OFF 0x84000008U
#define PSCI_SYSTEM_RESET 0x84000009U
#define PSCI_FEATURES 0x8400000AU
#define HC_A64_VERSION 0xC6000000U
#define HC_A64_CONSOLE_WRITE 0xC6000001U
#define HC_A64_EXIT 0xC6000002U
#define HC_A64_TIMESTAMP 0xC6000003U

#define SMCCC_NOT_SUPPORTED ((u64)-1)
#define PSCI_INVALID_PARAMETERS ((u64)-2)
#define PSCI_ALREADY_ON ((u64)-4)
#define PSCI_VERSION_1_0 0x00010000U
#define SMCCC_VERSION_1_1 0x00010001U
#define HC_A64_INTERFACE_VERSION 0x00010000U

#endif
