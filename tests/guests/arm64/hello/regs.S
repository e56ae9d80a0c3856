/* regs.S: every general register but x0 must survive an HVC and a WFI (umbra's short exit path). */
/*
 * u64 regs_survive_exits(u64 fid): put a pattern in x1..x30, make an HVC
 * with function ID fid (x0) and then a WFI (both trap to umbra, whose
 * short path keeps x19..x29 in the CPU across its C handler), and return
 * a mask with bit n set for each xn (1..30) that changed. x0 is the call's
 * result, the one register the HVC may change.
 */
	.text
	.globl	regs_survive_exits
regs_survive_exits:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	movz	x\n, #(0xa00 + \n)	/* xn = n << 16 | 0xa00 + n */
	movk	x\n, #\n, lsl #16
	.endr
	hvc	#0
	wfi
	/* x0: the mask (the result is dropped); compare each register in turn,
	 * using x0 only: after an xn is checked it is free as a scratch. */
	mov	x0, #0
	.irp	n, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	sub	x\n, x\n, #(0xa00 + \n)
	sub	x\n, x\n, #(\n << 4), lsl #12
	cbz	x\n, 1f
	orr	x0, x0, #(1 << \n)
1:
	.endr
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
