/* ctx.h: the register frame guest_entry.S saves and loads, shared by assembly and C. */
#ifndef UMBRA_ARM64_CTX_H
#define UMBRA_ARM64_CTX_H

/* Byte offsets into struct a64_ctx. */
#define CTX_X 0		 /* x0..x30 */
#define CTX_PC 248	 /* guest PC (ELR_EL2) */
#define CTX_PSTATE 256	 /* guest PSTATE (SPSR_EL2) */
#define CTX_ESR 264	 /* ESR_EL2 of the last exit */
#define CTX_FAR 272	 /* FAR_EL2, read by C for aborts only */
#define CTX_HPFAR 280	 /* HPFAR_EL2, likewise */
#define CTX_HOST_X19 288 /* host x19..x30, then SP */
#define CTX_HOST_SP 384
#define CTX_SIZE 392

/* Exit kinds guest_exit passes to vcpu_exit() (the vector that was taken). */
#define EXIT_KIND_SYNC 0
#define EXIT_KIND_IRQ 1
#define EXIT_KIND_FIQ 2
#define EXIT_KIND_SERROR 3

#ifndef __ASSEMBLY__
#include "types.h"

struct a64_ctx {
	u64 x[31];
	u64 pc;
	u64 pstate;
	u64 esr, far, hpfar;
	u64 host_x19_x30[12];
	u64 host_sp;
};

_Static_assert(__builtin_offsetof(struct a64_ctx, pc) == CTX_PC, "ctx pc");
_Static_assert(__builtin_offsetof(struct a64_ctx, pstate) == CTX_PSTATE, "ctx pstate");
_Static_assert(__builtin_offsetof(struct a64_ctx, esr) == CTX_ESR, "ctx esr");
_Static_assert(__builtin_offsetof(struct a64_ctx, hpfar) == CTX_HPFAR, "ctx hpfar");
_Static_assert(__builtin_offsetof(struct a64_ctx, host_x19_x30) == CTX_HOST_X19, "ctx host");
_Static_assert(__builtin_offsetof(struct a64_ctx, host_sp) == CTX_HOST_SP, "ctx host sp");
_Static_assert(sizeof(struct a64_ctx) == CTX_SIZE, "ctx size");

/* Run the guest whose registers ctx holds, exit after exit, until
 * vcpu_exit() returns false (guest_entry.S). */
void guest_run(struct a64_ctx *ctx);
/* One exit of kind EXIT_KIND_*, from guest_entry.S: handle it and say
 * whether to enter the guest again (vcpu_trap.c). Only x0..x18 and x30 of
 * the guest are in ctx unless the exit is a data abort (see there). */
bool vcpu_exit(struct a64_ctx *ctx, unsigned long kind);
/* Save and load the FP/SIMD registers q0..q31, FPSR and FPCR (528 bytes). */
void fpsimd_save(void *area);
void fpsimd_load(const void *area);
#define FPSIMD_AREA_SIZE 528
#endif

#endif
