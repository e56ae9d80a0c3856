/* vm_arch.h (arm64): what core/vm.h holds for an arm64 VM: its EL1 vCPU and stage-2 settings. */
#ifndef UMBRA_VM_ARCH_H
#define UMBRA_VM_ARCH_H

#include "arch/arm64/ctx.h"
#include "mm/stage2.h"
#include "types.h"

struct vm;

/* Why the guest stopped: the exception class, grouped. */
enum exit_reason {
	EXIT_WFX,    /* WFI, WFE */
	EXIT_HVC,    /* hypercalls and PSCI by HVC */
	EXIT_SMC,    /* PSCI by SMC (trapped) */
	EXIT_SYSREG, /* a trapped system-register access */
	EXIT_DABT,   /* stage-2 data abort: MMIO, unbacked, outside the IPA space */
	EXIT_IABT,   /* stage-2 instruction abort */
	EXIT_IRQ,
	EXIT_SERROR,
	EXIT_OTHER, /* any other exception class */
	NR_EXIT_REASONS,
};

/* The guest's EL1 (and EL0) system registers, switched when its vCPU is loaded. */
/* clang-format off */
#define EL1_SYSREGS(X)                                                             \
	X(sctlr_el1) X(ttbr0_el1) X(ttbr1_el1) X(tcr_el1) X(mair_el1) X(amair_el1) \
	X(vbar_el1) X(elr_el1) X(spsr_el1) X(sp_el0) X(sp_el1) X(esr_el1)          \
	X(far_el1) X(afsr0_el1) X(afsr1_el1) X(contextidr_el1) X(tpidr_el0)        \
	X(tpidrro_el0) X(tpidr_el1) X(cpacr_el1) X(par_el1) X(cntkctl_el1)         \
	X(csselr_el1) X(cntv_ctl_el0) X(cntv_cval_el0) X(cntp_ctl_el0)       \
	X(cntp_cval_el0) X(mdscr_el1)
/* clang-format on */

#define EL1_FIELD(r) u64 r;
struct el1_sysregs {
	EL1_SYSREGS(EL1_FIELD)
};
#undef EL1_FIELD

struct vcpu {
	struct vm *vm;
	struct a64_ctx ctx; /* x0..x30, PC, PSTATE, the last exit's syndrome */
	struct el1_sysregs el1;
	u8 fpsimd[FPSIMD_AREA_SIZE] __attribute__((aligned(16)));
	u64 pauth_keys[10]; /* AP{IA,IB,DA,DB,GA}Key{Lo,Hi}_EL1, where the CPU has them */
	bool preempted;
};

struct arch_vm {
	u32 ipa_bits;
	struct stage2_geom geom;
	u64 vttbr;
	u64 vtcr;
	hpa_t info_page; /* the boot information page, read-only at LOADER_A64_INFO_IPA */
};

/* Run a vCPU until its VM ends or its time slice does (v->preempted). */
void vcpu_run(struct vcpu *v);

#endif
