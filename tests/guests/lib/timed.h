/* timed.h: TIMED(), the benchmark guests' loops: RDTSC around n iterations of a fixed body. */
#ifndef GUEST_TIMED_H
#define GUEST_TIMED_H

/*
 * TIMED(name, body...) defines u64 name(u32 a, u32 b, u32 c, u32 n): the
 * TSC ticks taken by n iterations of `body; dec %ebp; jnz` (body: the
 * macro's other arguments, ';' between instructions), with a in ESI, b in
 * EDI and c in EBX (cdecl: the arguments sit above the four saved registers
 * and the return address). The counter is EBP and the start TSC is kept on
 * the stack, so the body has EAX, ECX, EDX and the three arguments to
 * itself (CPUID, RDMSR and hypercalls clobber EAX..EDX: they use a only)
 * and must not touch the stack. Between the two RDTSCs run exactly
 * 2 + n * (body + 2) instructions, plus whatever the body's operations cost
 * beyond themselves (a hypervisor's round trip): that is what is measured,
 * against a twin loop that differs only by the operation.
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
	mov 28(%esp), %ebx;			\
	mov 32(%esp), %ebp;			\
	rdtsc;					\
	push %edx;				\
	push %eax;				\
1:	__VA_ARGS__;				\
	dec %ebp;				\
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

#ifndef __ASSEMBLY__
#include "guest.h"

/*
 * The calibration: t1 - t0 TSC ticks for insns instructions (the
 * difference of two runs of one loop). Prints `CALIB ticks=<t> insns=<i>`
 * and the same in words, checks check_name (the ticks are positive) and
 * returns the ticks, 0 if the TSC did not advance.
 */
u32 timed_calibration(const char *guest, const char *check_name, u64 t0, u64 t1, u32 insns);
#endif

#endif
