/* guest_entry.S: entering a guest at EL1 and coming back on its next exit, and the FP/SIMD swap. */
#include "arch/arm64/ctx.h"

/*
 * guest_run(ctx) runs the guest whose registers ctx holds until
 * vcpu_exit() (vcpu_trap.c) says to stop: a whole time slice, many exits,
 * in one call. It saves umbra's callee-saved registers and SP in ctx once,
 * points TPIDR_EL2 at ctx, loads the guest's registers and erets. A guest
 * exit lands in a lower-EL vector (vectors.S), which pushes the guest's
 * x0/x1 on umbra's stack (SP_EL2, the stack guest_run runs on), puts the
 * exit kind in x1 and branches to guest_exit.
 *
 * The short exit path: guest_exit saves only the registers a C call may
 * clobber (x0..x18, x30) and calls vcpu_exit(ctx, kind) with the guest's
 * x19..x29 still in the CPU. C code preserves those (AAPCS64: callee-saved),
 * so they are the guest's again when vcpu_exit returns, and need neither a
 * store nor a load. The handlers of these exits (HVC, SMC, WFx, trapped
 * system registers, interrupts) read and write x0..x7 at most. A data abort
 * may name any register for its transfer (MMIO), so for EC 0x24 the whole
 * frame goes to ctx first and comes back from it after the call; and when
 * vcpu_exit says stop, x19..x29 are stored in ctx before umbra's own
 * registers come back and guest_run returns.
 */
#define EC_DABT_LOW 0x24

	.text
	.globl	guest_run
guest_run:
	stp	x19, x20, [x0, #CTX_HOST_X19 + 0]
	stp	x21, x22, [x0, #CTX_HOST_X19 + 16]
	stp	x23, x24, [x0, #CTX_HOST_X19 + 32]
	stp	x25, x26, [x0, #CTX_HOST_X19 + 48]
	stp	x27, x28, [x0, #CTX_HOST_X19 + 64]
	stp	x29, x30, [x0, #CTX_HOST_X19 + 80]
	mov	x1, sp
	str	x1, [x0, #CTX_HOST_SP]
	msr	tpidr_el2, x0
.Lload_callee:				/* x0 = ctx: the guest's x19..x29 */
	ldp	x19, x20, [x0, #152]
	ldp	x21, x22, [x0, #168]
	ldp	x23, x24, [x0, #184]
	ldp	x25, x26, [x0, #200]
	ldp	x27, x28, [x0, #216]
	ldr	x29, [x0, #232]
.Lenter:				/* x0 = ctx; x19..x29 are the guest's */
	ldp	x2, x3, [x0, #CTX_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldr	x18, [x0, #144]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret

	.globl	guest_exit
guest_exit:				/* x1 = kind; guest x0, x1 on the stack */
	mrs	x0, tpidr_el2
	stp	x2, x3, [x0, #16]
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	str	x18, [x0, #144]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #CTX_PC]
	mrs	x2, esr_el2
	str	x2, [x0, #CTX_ESR]
	lsr	x2, x2, #26
	cmp	x2, #EC_DABT_LOW
	b.eq	.Lfull
	bl	vcpu_exit		/* (ctx, kind); x19..x29 survive it */
	mrs	x1, tpidr_el2
	mov	x2, x0
	mov	x0, x1
	cbnz	x2, .Lenter
	stp	x19, x20, [x0, #152]	/* leaving: the guest's x19..x29 to ctx */
	stp	x21, x22, [x0, #168]
	stp	x23, x24, [x0, #184]
	stp	x25, x26, [x0, #200]
	stp	x27, x28, [x0, #216]
	str	x29, [x0, #232]
	b	.Lleave
.Lfull:
	stp	x19, x20, [x0, #152]
	stp	x21, x22, [x0, #168]
	stp	x23, x24, [x0, #184]
	stp	x25, x26, [x0, #200]
	stp	x27, x28, [x0, #216]
	str	x29, [x0, #232]
	bl	vcpu_exit
	mrs	x1, tpidr_el2
	mov	x2, x0
	mov	x0, x1
	cbnz	x2, .Lload_callee
.Lleave:				/* x0 = ctx */
	ldr	x2, [x0, #CTX_HOST_SP]
	mov	sp, x2
	ldp	x19, x20, [x0, #CTX_HOST_X19 + 0]
	ldp	x21, x22, [x0, #CTX_HOST_X19 + 16]
	ldp	x23, x24, [x0, #CTX_HOST_X19 + 32]
	ldp	x25, x26, [x0, #CTX_HOST_X19 + 48]
	ldp	x27, x28, [x0, #CTX_HOST_X19 + 64]
	ldp	x29, x30, [x0, #CTX_HOST_X19 + 80]
	ret

/* q0..q31 at 0..511, FPSR at 512, FPCR at 520. */
	.globl	fpsimd_save
fpsimd_save:
	stp	q0, q1, [x0, #0]
	stp	q2, q3, [x0, #32]
	stp	q4, q5, [x0, #64]
	stp	q6, q7, [x0, #96]
	stp	q8, q9, [x0, #128]
	stp	q10, q11, [x0, #160]
	stp	q12, q13, [x0, #192]
	stp	q14, q15, [x0, #224]
	stp	q16, q17, [x0, #256]
	stp	q18, q19, [x0, #288]
	stp	q20, q21, [x0, #320]
	stp	q22, q23, [x0, #352]
	stp	q24, q25, [x0, #384]
	stp	q26, q27, [x0, #416]
	stp	q28, q29, [x0, #448]
	stp	q30, q31, [x0, #480]
	mrs	x1, fpsr
	mrs	x2, fpcr
	add	x0, x0, #512
	stp	x1, x2, [x0]
	ret

	.globl	fpsimd_load
fpsimd_load:
	ldp	q0, q1, [x0, #0]
	ldp	q2, q3, [x0, #32]
	ldp	q4, q5, [x0, #64]
	ldp	q6, q7, [x0, #96]
	ldp	q8, q9, [x0, #128]
	ldp	q10, q11, [x0, #160]
	ldp	q12, q13, [x0, #192]
	ldp	q14, q15, [x0, #224]
	ldp	q16, q17, [x0, #256]
	ldp	q18, q19, [x0, #288]
	ldp	q20, q21, [x0, #320]
	ldp	q22, q23, [x0, #352]
	ldp	q24, q25, [x0, #384]
	ldp	q26, q27, [x0, #416]
	ldp	q28, q29, [x0, #448]
	ldp	q30, q31, [x0, #480]
	add	x0, x0, #512
	ldp	x1, x2, [x0]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
