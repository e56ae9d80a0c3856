/* entry.S: _start of the arm64 test guests: record the start state, take the stack, clear .bss. */

#include "a64.h"

/*
 * umbra (or QEMU -kernel) enters at EL1h with the MMU and caches off and
 * x0-x4 as docs/arm64.md says. Everything is recorded in g_entry (in
 * .data, so clearing .bss spares it) before a register is changed; then
 * the stack, .bss, and lib_main(), which never returns.
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	/* x30 goes to TPIDR_EL1 (nothing else uses it) and then holds &g_entry. */
	msr	tpidr_el1, x30
	adrp	x30, g_entry
	add	x30, x30, :lo12:g_entry
	stp	x0, x1, [x30, #0]
	stp	x2, x3, [x30, #16]
	stp	x4, x5, [x30, #32]
	stp	x6, x7, [x30, #48]
	stp	x8, x9, [x30, #64]
	stp	x10, x11, [x30, #80]
	stp	x12, x13, [x30, #96]
	stp	x14, x15, [x30, #112]
	stp	x16, x17, [x30, #128]
	stp	x18, x19, [x30, #144]
	stp	x20, x21, [x30, #160]
	stp	x22, x23, [x30, #176]
	stp	x24, x25, [x30, #192]
	stp	x26, x27, [x30, #208]
	stp	x28, x29, [x30, #224]
	mov	x0, sp
	mrs	x1, CurrentEL
	stp	x0, x1, [x30, #ENTRY_SP]
	mrs	x0, daif
	mrs	x1, sctlr_el1
	stp	x0, x1, [x30, #ENTRY_DAIF]
	mrs	x0, tpidr_el1
	str	x0, [x30, #240]
	msr	tpidr_el1, xzr

	msr	daifset, #0xf
	adrp	x0, __stack_top
	add	x0, x0, :lo12:__stack_top
	mov	sp, x0

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:
	mov	x29, xzr
	mov	x30, xzr
	bl	lib_main
3:	wfi
	b	3b

	.data
	.balign 16
	.globl g_entry
g_entry:
	.skip ENTRY_SIZE
	.balign 16
