/* regs.S: MMIO loads and stores through registers C code does not choose: x19, x28, x29, x30. */

/*
 * void mmio_high_regs(u64 addr, u64 out[4]): load the 64-bit registers at
 * addr + 0, 8, 16, 24 into x19, x28, x29 and x30, store them from those
 * registers to addr + 32, 40, 48, 56, and hand the loaded values back in
 * out. A hypervisor that gets SRT wrong for the frame pointer, the link
 * register or the callee-saved registers shows up here.
 */
	.text
	.globl	mmio_high_regs
mmio_high_regs:
	stp	x29, x30, [sp, #-32]!
	stp	x19, x28, [sp, #16]
	ldr	x19, [x0]
	ldr	x28, [x0, #8]
	ldr	x29, [x0, #16]
	ldr	x30, [x0, #24]
	str	x19, [x0, #32]
	str	x28, [x0, #40]
	str	x29, [x0, #48]
	str	x30, [x0, #56]
	stp	x19, x28, [x1]
	stp	x29, x30, [x1, #16]
	ldp	x19, x28, [sp, #16]
	ldp	x29, x30, [sp], #32
	ret
