/* mmio64.S: MMIO accesses from 64-bit code: qwords, REX forms, moffs64, RIP-relative. */

#include "x86.h"

/*
 * void mmio64_run(struct mmio64 *r), called through lm_run. r->flags (offset
 * 0) bit 0 asks for the umbra-only reads (ID register, unbacked memory);
 * r->out[] (offset 8, u64 each) receives what was read. DEV is the device
 * through the identity map; mmio_alias (0x40100000) is the same page
 * through a second mapping close enough to the code for RIP-relative forms
 * (defined in mmio/main.c: an absolute symbol defined here would be taken
 * as a plain displacement, not relocated PC-relative).
 */
#define DEV 0xfeb00000
#define UNBACKED 0xe0000000
#define OUT(n) (8 + 8 * (n))(%rdi)

	.text
	.code64
	.globl mmio64_run
mmio64_run:
	push %rbx
	push %r12
	push %r13
	mov $DEV, %ebx
	mov %rbx, %r9
	/* REX.W 89/8B: register 0 */
	movabs $0x0123456789abcdef, %rax
	mov %rax, (%rbx)
	mov (%rbx), %rcx
	mov %rcx, OUT(0)
	/* REX.WRB: r10 into disp8(r9), back into r11: register 1 */
	movabs $0xfedcba9876543210, %r10
	mov %r10, 0x08(%r9)
	mov 0x08(%r9), %r11
	mov %r11, OUT(1)
	/* REX.W C7 /0: imm32 sign-extended; read back with a REX.X index: register 2 */
	movq $-2, 0x10(%r9)
	mov $2, %r12d
	mov (%r9,%r12,8), %r13
	mov %r13, OUT(2)
	/* register 3: a 32-bit store, then movsxd, a zero-extending 32-bit load, movzx, movsx */
	movl $0x80008081, 0x18(%r9)
	movslq 0x18(%r9), %rax
	mov %rax, OUT(3)
	mov $-1, %rax
	mov 0x18(%r9), %eax
	mov %rax, OUT(4)
	mov $-1, %rax
	movzbq 0x18(%r9), %rax
	mov %rax, OUT(5)
	movswq 0x18(%r9), %rax
	mov %rax, OUT(6)
	/* SIL needs a REX prefix (without it the encoding means DH): register 4 */
	mov $0x3c, %esi
	mov %sil, 0x20(%r9)
	mov $-1, %r8
	mov 0x20(%r9), %r8b
	mov %r8, OUT(7)
	/* REX.W A3/A1 and A1 with a 64-bit absolute address: register 5 */
	movabs $0x1122334455667788, %rax
	movabs %rax, DEV + 0x28
	xor %eax, %eax
	movabs DEV + 0x28, %rax
	mov %rax, OUT(8)
	mov $-1, %rax
	movabs DEV + 0x28, %eax
	mov %rax, OUT(9)
	/* RIP-relative through the alias; read back through the identity map: register 6 */
	movabs $0x0badc0de0badf00d, %rax
	mov %rax, mmio_alias + 0x30(%rip)
	mov mmio_alias + 0x30(%rip), %rcx
	mov %rcx, OUT(10)
	mov 0x30(%r9), %rdx
	mov %rdx, OUT(11)
	/* 66 89/8B with REX-free 16-bit registers: register 7 */
	mov $0x1234, %ax
	mov %ax, 0x38(%r9)
	mov $-1, %rdx
	mov 0x38(%r9), %dx
	mov %rdx, OUT(12)
	testl $1, (%rdi)
	jz 1f
	/* umbra only: the ID register, and an unbacked qword before and after a write */
	mov 0x80(%r9), %rax
	mov %rax, OUT(13)
	mov $UNBACKED, %ecx
	mov (%rcx), %rax
	mov %rax, OUT(14)
	movq $0, (%rcx)
	mov (%rcx), %rax
	mov %rax, OUT(15)
1:	pop %r13
	pop %r12
	pop %rbx
	ret
