/* loops.S: the exitbench guest's timed loops: RDTSC around n iterations of one exit, or of none. */

#include "x86.h"

/*
 * TIMED(name, body...) defines u64 name(u32 a, u32 n): the TSC ticks taken
 * by n iterations of `body; dec %ebp; jnz` (body: the macro's other
 * arguments, ';' between instructions), with a in ESI. The counter is EBP
 * because the operations clobber EAX, EBX, ECX and EDX (CPUID, RDMSR,
 * hypercalls); the start TSC is kept on the stack, so the body must not
 * touch the stack. Between the two RDTSCs run exactly 2 + n * (body + 2)
 * instructions, plus whatever the body's operations cost beyond themselves
 * (a hypervisor's round trip): each operation loop has a twin that differs
 * only by the operation, and the difference is what is measured.
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
	mov 24(%esp), %ebp;			\
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

	.text
	.code32

/* Nothing but the loop: the calibration, and the twin of mmio_read. */
TIMED(loop_empty)

/* CPUID leaf a, subleaf 0, and its twin. */
TIMED(loop_cpuid, mov %esi, %eax; xor %ecx, %ecx; cpuid)
TIMED(loop_cpuid_base, mov %esi, %eax; xor %ecx, %ecx)

/* Hypercall number a (AMD: VMMCALL, Intel: VMCALL), a one-byte NOP in its place, the twin. */
TIMED(loop_vmmcall, mov %esi, %eax; vmmcall)
TIMED(loop_vmcall, mov %esi, %eax; vmcall)
TIMED(loop_hc_nop, mov %esi, %eax; nop)
TIMED(loop_hc_base, mov %esi, %eax)

/* A byte IN from port a, and its twin. */
TIMED(loop_in, mov %esi, %edx; inb %dx, %al)
TIMED(loop_in_base, mov %esi, %edx)

/* A 32-bit load from address a (twin: loop_empty). */
TIMED(loop_load, mov (%esi), %eax)

/* RDMSR of MSR a, and its twin. */
TIMED(loop_rdmsr, mov %esi, %ecx; rdmsr)
TIMED(loop_rdmsr_base, mov %esi, %ecx)
