/* hc64.S: hypercalls with 64-bit arguments, from 64-bit code (called through lm_run). */

#include "x86.h"

/*
 * void hc64_run(struct hc64 *calls): calls[] ends with nr == ~0; each entry
 * (32 bytes: nr, a1, a2, result, all u64) is made with RAX = nr, RDI = a1,
 * RSI = a2 and gets RAX back in result. calls[0].result (before the call)
 * says which instruction: 1 VMMCALL, 2 VMCALL.
 */
	.text
	.code64
	.globl hc64_run
hc64_run:
	push %rbx
	mov %rdi, %rbx
	mov 24(%rbx), %r8
1:	mov (%rbx), %rax
	cmp $-1, %rax
	je 4f
	mov 8(%rbx), %rdi
	mov 16(%rbx), %rsi
	xor %edx, %edx
	cmp $1, %r8
	jne 2f
	vmmcall
	jmp 3f
2:	vmcall
3:	mov %rax, 24(%rbx)
	add $32, %rbx
	jmp 1b
4:	pop %rbx
	ret
