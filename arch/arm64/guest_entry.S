/* guest_entry.S: entering a guest at EL1 and coming back on its next exit, and the FP/SIMD swap. */
#include "arch/arm64/ctx.h"

/*
 * guest_enter(ctx) saves umbra's callee-saved registers and SP in ctx,
 * points TPIDR_EL2 at ctx, loads the guest's x0..x30, PC and PSTATE and
 * erets. A guest exit lands in a lower-EL vector (vectors.S), which pushes
 * the guest's x0/x1 on umbra's stack (SP_EL2 is the stack guest_enter ran
 * on), puts the exit kind in x1 and branches to guest_exit: that stores the
 * guest's registers and syndrome in ctx, reloads umbra's registers and
 * returns the kind from guest_enter as if it were an ordinary call.
 */
	.text
	.globl	guest_enter
guest_enter:
	stp	x19, x20, [x0, #CTX_HOST_X19 + 0]
	stp	x21, x22, [x0, #CTX_HOST_X19 + 16]
	stp	x23, x24, [x0, #CTX_HOST_X19 + 32]
	stp	x25, x26, [x0, #CTX_HOST_X19 + 48]
	stp	x27, x28, [x0, #CTX_HOST_X19 + 64]
	stp	x29, x30, [x0, #CTX_HOST_X19 + 80]
	mov	x1, sp
	str	x1, [x0, #CTX_HOST_SP]
	msr	tpidr_el2, x0

	ldr	x1, [x0, #CTX_PC]
	msr	elr_el2, x1
	ldr	x1, [x0, #CTX_PSTATE]
	msr	spsr_el2, x1

	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
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
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #0]

	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #CTX_PC]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [x0, #CTX_ESR]
	mrs	x2, hpfar_el2
	str	x2, [x0, #CTX_HPFAR]

	ldr	x2, [x0, #CTX_HOST_SP]
	mov	sp, x2
	ldp	x19, x20, [x0, #CTX_HOST_X19 + 0]
	ldp	x21, x22, [x0, #CTX_HOST_X19 + 16]
	ldp	x23, x24, [x0, #CTX_HOST_X19 + 32]
	ldp	x25, x26, [x0, #CTX_HOST_X19 + 48]
	ldp	x27, x28, [x0, #CTX_HOST_X19 + 64]
	ldp	x29, x30, [x0, #CTX_HOST_X19 + 80]
	mov	x0, x1
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
