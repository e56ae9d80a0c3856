/* msr.h: x86 MSR numbers, EFER and control-register bits umbra uses, in one place (no code). */
#ifndef UMBRA_X86_MSR_H
#define UMBRA_X86_MSR_H

#include "compiler.h"

#define MSR_IA32_TSC 0x10
#define MSR_APIC_BASE 0x1B
#define MSR_IA32_FEATURE_CONTROL 0x3A
#define MSR_MTRR_CAP 0xFE
#define MSR_SYSENTER_CS 0x174
#define MSR_SYSENTER_ESP 0x175
#define MSR_SYSENTER_EIP 0x176
#define MSR_MISC_ENABLE 0x1A0
#define MSR_IA32_PAT 0x277
#define PAT_POWER_ON 0x0007040600070406ULL /* the PAT's value after reset */
#define MSR_MTRR_DEF_TYPE 0x2FF
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48B
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48C
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48E
#define MSR_EFER 0xC0000080
#define MSR_STAR 0xC0000081
#define MSR_LSTAR 0xC0000082
#define MSR_CSTAR 0xC0000083
#define MSR_SFMASK 0xC0000084
#define MSR_FS_BASE 0xC0000100
#define MSR_GS_BASE 0xC0000101
#define MSR_KERNEL_GS_BASE 0xC0000102
#define MSR_TSC_AUX 0xC0000103
#define MSR_VM_CR 0xC0010114
#define MSR_VM_HSAVE_PA 0xC0010117

/* EFER (boot/x86/entry.S spells LME out again: assembly cannot use BIT()). */
#define EFER_SCE BIT(0)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)
#define EFER_NXE BIT(11)
#define EFER_SVME BIT(12)

/* Control registers. */
#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_WP BIT(16)
#define CR0_PG BIT(31)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_PGE BIT(7)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_LA57 BIT(12)
#define CR4_PCIDE BIT(17)
#define CR4_SMEP BIT(20)
#define CR4_SMAP BIT(21)

/* CR0/CR4 bits whose change makes cached translations stale. */
#define CR0_PAGING_BITS (CR0_PG | CR0_WP)
#define CR4_PAGING_BITS (CR4_PSE | CR4_PAE | CR4_PGE | CR4_PCIDE | CR4_SMEP | CR4_SMAP)

#endif
