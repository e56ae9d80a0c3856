/* svm_entry.S: the SVM world switch: host state out, guest registers in, VMRUN, and back. */

/*
 * void svm_vmrun(u64 vmcb_pa, u64 *gprs, u64 host_vmcb_pa)
 *
 * VMRUN itself saves and restores the host's RIP, RSP, RAX, flags, control
 * registers and most segments (in the VM_HSAVE_PA area). The rest of the
 * host state (TR, LDTR, FS/GS bases, the SYSCALL MSRs) is what VMSAVE and
 * VMLOAD move, so the host's copy goes to host_vmcb around the run: umbra's
 * TR points to its TSS, whose IST stacks its exception handlers need.
 * The guest's RAX, RSP, RIP and RFLAGS live in the VMCB; the other 14
 * general registers are moved between gprs[] (x86 encoding order) and the
 * CPU here. Called with GIF clear (CLGI), so no interrupt lands between.
 */
#include "vmx_svm/entry_gprs.h"

	.section .text
	.code64
	.globl svm_vmrun
svm_vmrun:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdx			/* 16(%rsp): host_vmcb_pa */
	push %rsi			/*  8(%rsp): gprs */
	push %rdi			/*  0(%rsp): vmcb_pa */

	mov %rdx, %rax
	vmsave %rax			/* the host's TR, FS, GS, ... */
	mov %rdi, %rax
	vmload %rax			/* the guest's */

	mov GPR(RCX)(%rsi), %rcx
	mov GPR(RDX)(%rsi), %rdx
	mov GPR(RBX)(%rsi), %rbx
	mov GPR(RBP)(%rsi), %rbp
	mov GPR(RDI)(%rsi), %rdi
	mov GPR(8)(%rsi), %r8
	mov GPR(9)(%rsi), %r9
	mov GPR(10)(%rsi), %r10
	mov GPR(11)(%rsi), %r11
	mov GPR(12)(%rsi), %r12
	mov GPR(13)(%rsi), %r13
	mov GPR(14)(%rsi), %r14
	mov GPR(15)(%rsi), %r15
	mov GPR(RSI)(%rsi), %rsi

	vmrun %rax			/* rax = vmcb_pa; back here on #VMEXIT */

	vmsave %rax
	xchg %rsi, 8(%rsp)		/* rsi = gprs; the slot keeps the guest's rsi */
	mov %rcx, GPR(RCX)(%rsi)
	mov %rdx, GPR(RDX)(%rsi)
	mov %rbx, GPR(RBX)(%rsi)
	mov %rbp, GPR(RBP)(%rsi)
	mov %rdi, GPR(RDI)(%rsi)
	mov %r8, GPR(8)(%rsi)
	mov %r9, GPR(9)(%rsi)
	mov %r10, GPR(10)(%rsi)
	mov %r11, GPR(11)(%rsi)
	mov %r12, GPR(12)(%rsi)
	mov %r13, GPR(13)(%rsi)
	mov %r14, GPR(14)(%rsi)
	mov %r15, GPR(15)(%rsi)
	mov 8(%rsp), %rax
	mov %rax, GPR(RSI)(%rsi)

	mov 16(%rsp), %rax
	vmload %rax			/* the host's state back */

	add $24, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
