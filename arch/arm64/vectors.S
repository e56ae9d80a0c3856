/* vectors.S: umbra's EL2 exception vectors: its own faults get a register dump, guest exits go to guest_entry.S. */
#include "arch/arm64/ctx.h"

/*
 * Sixteen 128-byte slots in four groups: from EL2 with SP_EL0 (never used),
 * from EL2 with SP_EL2 (umbra's own exceptions), from a lower EL in AArch64
 * and in AArch32 (guest exits). umbra's own exceptions save a frame of
 * x0..x30, ELR, SPSR, ESR and FAR on the stack and call el2_trap(), which
 * either ends the run or returns (a breakpoint self-test, a semihosting call
 * QEMU did not answer) to continue at the frame's ELR.
 */
#define FRAME_SIZE 288 /* x0..x30, elr, spsr, esr, far, pad */

.macro own_slot kind
	.balign	128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	own_exception
.endm

.macro guest_slot kind
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\kind
	b	guest_exit
.endm

	.text
	.balign	2048
	.globl	el2_vectors
el2_vectors:
	own_slot 0		/* EL2t sync */
	own_slot 1		/* EL2t irq */
	own_slot 2		/* EL2t fiq */
	own_slot 3		/* EL2t serror */
	own_slot 0		/* EL2h sync */
	own_slot 1		/* EL2h irq */
	own_slot 2		/* EL2h fiq */
	own_slot 3		/* EL2h serror */
	guest_slot EXIT_KIND_SYNC	/* lower EL, AArch64 */
	guest_slot EXIT_KIND_IRQ
	guest_slot EXIT_KIND_FIQ
	guest_slot EXIT_KIND_SERROR
	guest_slot EXIT_KIND_SYNC	/* lower EL, AArch32 */
	guest_slot EXIT_KIND_IRQ
	guest_slot EXIT_KIND_FIQ
	guest_slot EXIT_KIND_SERROR

own_exception:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el2
	stp	x30, x1, [sp, #240]
	mrs	x1, spsr_el2
	mrs	x2, esr_el2
	stp	x1, x2, [sp, #256]
	mrs	x1, far_el2
	str	x1, [sp, #272]
	mov	x1, sp
	bl	el2_trap		/* (kind, frame) */
	ldp	x30, x1, [sp, #240]
	msr	elr_el2, x1
	ldr	x1, [sp, #256]
	msr	spsr_el2, x1
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret
