/* loops.S: the shadowbench guest's timed loops: RDTSC around n iterations of a fixed body. */

#include "x86.h"

/*
 * TIMED(name, body...) defines u64 name(u32 a, u32 b, u32 c, u32 n): the
 * TSC ticks taken by n iterations of `body; dec %ecx; jnz` (body: the macro's
 * other arguments, ';' between instructions), with a in ESI, b in EDI, c in
 * EBP (cdecl: the
 * arguments sit above the four saved registers and the return address).
 * The start TSC is kept on the stack, so the body has EAX, EBX, EDX and the
 * three arguments to itself and must not touch the stack. Between the two
 * RDTSCs run exactly 2 + n * (body + 2) instructions, plus whatever the
 * body's operations cost beyond themselves: that is what is measured.
 * n must be at least 1.
 */
/* clang-format off */
#define TIMED(name, ...)			\
	.globl name;				\
name:						\
	push %ebx;				\
	push %esi;				\
	push %edi;				\
	push %ebp;				\
	mov 20(%esp), %esi;			\
	mov 24(%esp), %edi;			\
	mov 28(%esp), %ebp;			\
	mov 32(%esp), %ecx;			\
	rdtsc;					\
	push %edx;				\
	push %eax;				\
1:	__VA_ARGS__;				\
	dec %ecx;				\
	jnz 1b;					\
	rdtsc;					\
	sub (%esp), %eax;			\
	sbb 4(%esp), %edx;			\
	add $8, %esp;				\
	pop %ebp;				\
	pop %edi;				\
	pop %esi;				\
	pop %ebx;				\
	ret
/* clang-format on */

	.text
	.code32

/* Nothing but the loop: the calibration, and the baseline of pt_write and cr3_switch. */
TIMED(loop_empty)

/* First touch: read one byte of page a + 4 KiB * i, i = 0 .. n-1 ... */
TIMED(loop_touch, movb (%esi), %al; add $4096, %esi)
/* ... and its baseline: the same walk over the addresses, without the read. */
TIMED(loop_touch_empty, add $4096, %esi)

/* Two 32-bit stores per iteration to the entry at a: b, then c. */
TIMED(loop_write2, mov %edi, (%esi); mov %ebp, (%esi))

/* Two CR3 loads per iteration: b, then a (so it ends where it began, in a). */
TIMED(loop_cr3_2, mov %edi, %cr3; mov %esi, %cr3)
