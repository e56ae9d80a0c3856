/* vmx_entry.S: the VMX world switch: guest registers in, VMLAUNCH or VMRESUME, and back at the exit point. */

/*
 * int vmx_enter(u64 *gprs, int launched)
 *
 * The VMCS holds the guest's RSP, RIP and RFLAGS and, in its host-state
 * area, where a VM exit lands: HOST_RIP is vmx_exit_point (written once
 * per VMCS) and HOST_RSP is this frame's stack pointer, written here on
 * every entry because callers' frames differ. The other 15 general
 * registers are moved between gprs[] (x86 encoding order; the RSP slot is
 * not used) and the CPU here.
 *
 *   vmx_enter: push callee-saved, push gprs, HOST_RSP = rsp,
 *              load guest registers, VMLAUNCH/VMRESUME
 *                 │ fails: flags say how ──► return 1 (CF: VMfailInvalid)
 *                 │                          or 2 (ZF: VMfailValid)
 *                 ▼ guest runs ... VM exit
 *   vmx_exit_point: rsp = HOST_RSP, so (%rsp) is gprs: store the guest's
 *              registers, pop callee-saved, return 0
 */
#include "vmx_svm/entry_gprs.h"
#define VMCS_HOST_RSP 0x6C14

	.section .text
	.code64
	.globl vmx_enter
vmx_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* (%rsp): gprs, found again at the exit point */

	mov $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax

	test %esi, %esi			/* launched? MOVs below keep the flags */
	mov GPR(RAX)(%rdi), %rax
	mov GPR(RCX)(%rdi), %rcx
	mov GPR(RDX)(%rdi), %rdx
	mov GPR(RBX)(%rdi), %rbx
	mov GPR(RBP)(%rdi), %rbp
	mov GPR(RSI)(%rdi), %rsi
	mov GPR(8)(%rdi), %r8
	mov GPR(9)(%rdi), %r9
	mov GPR(10)(%rdi), %r10
	mov GPR(11)(%rdi), %r11
	mov GPR(12)(%rdi), %r12
	mov GPR(13)(%rdi), %r13
	mov GPR(14)(%rdi), %r14
	mov GPR(15)(%rdi), %r15
	mov GPR(RDI)(%rdi), %rdi
	jnz 1f
	vmlaunch
	jmp 2f
1:	vmresume
2:	/* Only a failed entry gets here. CF=1: no current VMCS; ZF=1: the
	 * VM-instruction error field says why. Guest values sit in the
	 * registers; the callee-saved ones come back from the stack. */
	mov $1, %eax
	jc 3f
	mov $2, %eax
3:	add $8, %rsp
	jmp 4f

	.globl vmx_exit_point
vmx_exit_point:
	push %rax			/* the guest's rax; 8(%rsp) is gprs */
	mov 8(%rsp), %rax
	mov %rcx, GPR(RCX)(%rax)
	mov %rdx, GPR(RDX)(%rax)
	mov %rbx, GPR(RBX)(%rax)
	mov %rbp, GPR(RBP)(%rax)
	mov %rsi, GPR(RSI)(%rax)
	mov %rdi, GPR(RDI)(%rax)
	mov %r8, GPR(8)(%rax)
	mov %r9, GPR(9)(%rax)
	mov %r10, GPR(10)(%rax)
	mov %r11, GPR(11)(%rax)
	mov %r12, GPR(12)(%rax)
	mov %r13, GPR(13)(%rax)
	mov %r14, GPR(14)(%rax)
	mov %r15, GPR(15)(%rax)
	popq GPR(RAX)(%rax)
	add $8, %rsp
	xor %eax, %eax
4:	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
