/* vectors.S: the EL1 exception vector table; every entry saves a frame and calls trap_entry(). */

#include "a64.h"

/*
 * 16 entries of 0x80 bytes: {current EL with SP_EL0, current EL with
 * SP_ELx, lower EL AArch64, lower EL AArch32} x {sync, IRQ, FIQ, SError}.
 * Each pushes a struct frame (guest.h) on the current stack and calls
 * trap_entry(frame, kind) with kind = the entry's index; whatever that
 * leaves in the frame's registers, ELR and SPSR is restored by eret.
 */
.macro VENTRY kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	trap_common
.endm

	.text
	.balign	0x800
	.globl	vector_table
vector_table:
	.irp	kind, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	VENTRY	\kind
	.endr

trap_common:
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
	mrs	x2, elr_el1
	stp	x30, x2, [sp, #FRAME_X30]
	mrs	x2, spsr_el1
	mrs	x3, esr_el1
	stp	x2, x3, [sp, #FRAME_SPSR]
	mrs	x2, far_el1
	str	x2, [sp, #FRAME_FAR]
	mov	x0, sp
	bl	trap_entry

	ldp	x30, x2, [sp, #FRAME_X30]
	msr	elr_el1, x2
	ldr	x2, [sp, #FRAME_SPSR]
	msr	spsr_el1, x2
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

/* Install the table (called by lib_main before anything can fault). */
	.globl	vectors_install
vectors_install:
	adrp	x0, vector_table
	add	x0, x0, :lo12:vector_table
	msr	vbar_el1, x0
	isb
	ret
