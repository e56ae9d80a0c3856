/* loops.S: exitbench's timed loops (CNTVCT_EL0 ticks of n round trips) and its UNDEF vectors. */

#include "a64.h"

/*
 * Every loop is the same four instructions per iteration, differing only
 * in the second:
 *
 *	1:	<set x0>		movz (a call's function ID) or mov
 *		<op>			the operation measured, or a nop
 *		subs	x19, x19, #1
 *		b.ne	1b
 *
 * so (ticks of a loop - ticks of the nop loop) / n is what the operation
 * costs beyond one instruction. u64 loop_<op>(u64 n, u64 arg, u64 out[2])
 * returns the ticks of n >= 1 iterations; out[0] is x0 after the last one
 * (the call's result, the value read), out[1] the UNDEFs the bench vectors
 * stepped over. The count starts just after the counter ticked (the spin
 * at 2: sees it within its 3 instructions), so under -icount a loop of a
 * multiple of 16 instructions (n = 4096 iterations of a whole number of
 * instructions each) reads the same ticks wherever it began: the
 * figures come out exact rather than 1 tick either way. x19-x24 hold the
 * loop's state: the SMC Calling Convention lets a call clobber x0-x17
 * only, and the bench vectors touch x22 and x23.
 * While a loop runs, VBAR_EL1 points at bench_vectors (below); it is put
 * back afterwards, outside the timed part.
 */
.macro BENCH_LOOP name, setup:req, op:req
	.text
	.balign	64
	.globl	\name
	.type	\name, %function
\name:
	stp	x19, x20, [sp, #-64]!
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	str	x25, [sp, #48]
	mov	x19, x0			/* iterations left */
	mov	x24, x1			/* the op's argument (an MMIO address) */
	mov	x21, x2			/* out[] */
	mov	x22, xzr		/* UNDEFs stepped over */
	mrs	x25, vbar_el1
	adrp	x0, bench_vectors
	add	x0, x0, :lo12:bench_vectors
	msr	vbar_el1, x0
	isb
	mrs	x20, cntvct_el0
2:	mrs	x1, cntvct_el0		/* start at a tick's first instructions */
	cmp	x1, x20
	b.eq	2b
	mov	x20, x1
1:	\setup
	\op
	subs	x19, x19, #1
	b.ne	1b
	isb
	mrs	x1, cntvct_el0
	stp	x0, x22, [x21]
	msr	vbar_el1, x25
	isb
	sub	x0, x1, x20
	ldr	x25, [sp, #48]
	ldp	x23, x24, [sp, #32]
	ldp	x21, x22, [sp, #16]
	ldp	x19, x20, [sp], #64
	ret
	.size	\name, . - \name
.endm

/* The reference: the same loop with a nop. */
BENCH_LOOP loop_nop, "movz w0, #0x8400, lsl #16", "nop"
/* HVC #0 with umbra's HC_VERSION (0xc6000000) or PSCI_VERSION (0x84000000). */
BENCH_LOOP loop_hc_version, "movz w0, #0xc600, lsl #16", "hvc #0"
BENCH_LOOP loop_psci_version, "movz w0, #0x8400, lsl #16", "hvc #0"
/* A 32-bit load from the address in arg. */
BENCH_LOOP loop_load32, "mov x0, x24", "ldr w0, [x0]"
/* MRS of ACTLR_EL1 (trapped by umbra, which gives the guest an UNDEF), or a plain UDF. */
BENCH_LOOP loop_actlr, "mov x0, xzr", "mrs x0, actlr_el1"
BENCH_LOOP loop_udf, "mov x0, xzr", "udf #0"

/*
 * bench_vectors: a synchronous exception at EL1 on SP_EL1 that is an
 * UNDEF (ESR_EL1.EC 0) is stepped over (ELR_EL1 += 4) and counted in x22,
 * with x23 as the only scratch register: 8 instructions and the eret. Any
 * other exception goes to the same entry of lib/vectors.S's vector_table,
 * which reports it (x23 is lost; nothing expects such an exception).
 */
.macro FORWARD kind
	.balign	0x80
	b	vector_table + 0x80 * \kind
.endm

	.text
	.balign	0x800
	.globl	bench_vectors
bench_vectors:
	.irp	kind, 0, 1, 2, 3
	FORWARD	\kind
	.endr
	.balign	0x80
	mrs	x23, esr_el1
	lsr	x23, x23, #26		/* EC */
	cbnz	x23, 2f
	mrs	x23, elr_el1
	add	x23, x23, #4
	msr	elr_el1, x23
	add	x22, x22, #1
	eret
2:	b	vector_table + 0x80 * 4
	.irp	kind, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	FORWARD	\kind
	.endr
