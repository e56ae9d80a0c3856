/* modes64.S: the cpu guest's checks from 64-bit code (called through lm_run). */

#include "x86.h"

/* struct lm_cpu (cpu/modes.c): offsets of its fields. */
#define LM_IN_HCALL	0	/* u32: 0 none, 1 VMMCALL, 2 VMCALL */
#define LM_EFER		8	/* u64 */
#define LM_EXT_EDX	16	/* u64: CPUID 0x80000001 EDX */
#define LM_WIDE		24	/* u64: a value only 64-bit registers can hold */
#define LM_R15		32	/* u64: the same through r8..r15 */
#define LM_CS		40	/* u64: the code segment selector */
#define LM_GP_VECTOR	48	/* u64: what loading FS with 0xfff8 raised */
#define LM_HC_VERSION	56	/* u64: RAX after HC_VERSION */
#define LM_RIP		64	/* u64: a RIP-relative LEA of a label */
#define LM_LABEL	72	/* u64: the label's address, absolute */

	.text
	.code64
/* void cpu_long_checks(struct lm_cpu *r) */
	.globl cpu_long_checks
cpu_long_checks:
	push %rbx
	mov $MSR_EFER, %ecx
	rdmsr
	mov %eax, LM_EFER(%rdi)
	mov %edx, LM_EFER + 4(%rdi)
	mov $0x80000001, %eax
	cpuid
	mov %edx, LM_EXT_EDX(%rdi)
	/* 64-bit arithmetic: 0x89abcdef01234567 rotated right by 16 */
	mov $0x89abcdef, %eax
	shl $32, %rax
	or $0x01234567, %rax
	ror $16, %rax
	mov %rax, LM_WIDE(%rdi)
	mov %rax, %r8
	mov %r8, %r15
	add %r15, %r15
	mov %r15, LM_R15(%rdi)
	mov %cs, %eax
	mov %rax, LM_CS(%rdi)
	lea here(%rip), %rax
here:	mov %rax, LM_RIP(%rdi)
	mov $here, %eax		/* zero-extended: no 32S relocation in an i386 object */
	mov %rax, LM_LABEL(%rdi)
	/* A selector beyond the GDT limit: #GP through the 64-bit IDT, resumed at 2f */
	mov $0xfff8, %eax
1:	mov %eax, %fs
	mov $NO_FAULT, %rax
	jmp 3f
2:	mov g_fault(%rip), %eax
3:	mov %rax, LM_GP_VECTOR(%rdi)
	mov $SEL_DATA, %eax
	mov %eax, %fs
	FIXUP(1b, 2b)
	/* HC_VERSION from 64-bit code, if asked */
	mov LM_IN_HCALL(%rdi), %ecx
	xor %eax, %eax
	cmp $1, %ecx
	jne 4f
	vmmcall
	jmp 5f
4:	cmp $2, %ecx
	jne 6f
	vmcall
5:	mov %rax, LM_HC_VERSION(%rdi)
6:	pop %rbx
	ret
