/* svm_entry.S: the SVM world switch: a loop of VMRUNs that hands each exit to C and re-enters. */

/*
 * void svm_guest_loop(struct vcpu *v, u64 *gprs, u64 vmcb_pa, u64 host_vmcb_pa)
 *
 * Runs one time slice: enter the guest, and on every #VMEXIT call
 * svm_exit(v) (svm.c), which answers SVM_LOOP_ENTER (enter again),
 * SVM_LOOP_STOP (the slice or the VM ended) or SVM_LOOP_ALL_REGS (see
 * below). umbra's own callee-saved registers and the host's VMSAVE state
 * are saved once here, not once per exit.
 *
 * VMRUN itself saves and restores the host's RIP, RSP, RAX, flags, control
 * registers and most segments (in the VM_HSAVE_PA area). The rest of the
 * host state (TR, LDTR, FS/GS bases, the SYSCALL MSRs) is what VMSAVE and
 * VMLOAD move: the host's copy is saved to host_vmcb once per slice (it
 * does not change while the slice runs) and loaded back after every exit,
 * before any C code runs, because umbra's TR points to its TSS, whose IST
 * stacks its NMI, #DF and #MC handlers need.
 *
 * The guest's RAX, RSP, RIP and RFLAGS live in the VMCB; the other 14
 * general registers belong in gprs[] (x86 encoding order). After an exit
 * only the 8 a C call may clobber, and RBX, go there: the guest's RBP and
 * R12-R15 stay in the CPU across svm_exit(), which preserves them as any C
 * function does, and most exits need no more (svm_exit handles those). For
 * the others svm_exit answers SVM_LOOP_ALL_REGS: the five are stored too,
 * svm_exit_all(v) handles the exit, and they are loaded back, as a handler
 * may have written one. They are stored as well when the slice ends.
 *
 * Each entry runs with GIF clear (CLGI) and the host's IF set, so a
 * physical interrupt during the guest's run causes an INTR exit and none
 * lands between; after the exit IF goes off before GIF comes back on.
 */
#include "vmx_svm/entry_gprs.h"

#define SLOT_V 0	/* (%rsp): v, svm_exit's argument */
#define SLOT_GPRS 8	/* gprs */
#define SLOT_VMCB 16	/* vmcb_pa */
#define SLOT_HOST 24	/* host_vmcb_pa */

	.section .text
	.code64
	.globl svm_guest_loop
svm_guest_loop:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rax			/* padding: the stack 16-byte aligned at the calls */
	push %rcx
	push %rdx
	push %rsi
	push %rdi

	mov %rcx, %rax
	vmsave %rax			/* the host's TR, FS, GS, ...: once per slice */
	mov %rsi, %rax
	call .Lload_callee_saved

.Lenter:
	clgi
	sti
	mov SLOT_VMCB(%rsp), %rax
	vmload %rax			/* the guest's */
	mov SLOT_GPRS(%rsp), %rsi
	mov GPR(RCX)(%rsi), %rcx
	mov GPR(RDX)(%rsi), %rdx
	mov GPR(RBX)(%rsi), %rbx
	mov GPR(RDI)(%rsi), %rdi
	mov GPR(8)(%rsi), %r8
	mov GPR(9)(%rsi), %r9
	mov GPR(10)(%rsi), %r10
	mov GPR(11)(%rsi), %r11
	mov GPR(RSI)(%rsi), %rsi

	vmrun %rax			/* rax = vmcb_pa; back here on #VMEXIT, rsp as it was */

	vmsave %rax			/* the guest's TR, FS, GS, ... */
	mov SLOT_GPRS(%rsp), %rax
	mov %rcx, GPR(RCX)(%rax)
	mov %rdx, GPR(RDX)(%rax)
	mov %rbx, GPR(RBX)(%rax)
	mov %rsi, GPR(RSI)(%rax)
	mov %rdi, GPR(RDI)(%rax)
	mov %r8, GPR(8)(%rax)
	mov %r9, GPR(9)(%rax)
	mov %r10, GPR(10)(%rax)
	mov %r11, GPR(11)(%rax)
	mov SLOT_HOST(%rsp), %rax
	vmload %rax			/* the host's TR (IST stacks) before any C code */
	cli
	stgi

	mov SLOT_V(%rsp), %rdi
	call svm_exit
	cmp $SVM_LOOP_ENTER, %eax
	je .Lenter

	/* Stopping, or an exit that needs every register: store the rest. */
	mov SLOT_GPRS(%rsp), %rsi
	mov %rbp, GPR(RBP)(%rsi)
	mov %r12, GPR(12)(%rsi)
	mov %r13, GPR(13)(%rsi)
	mov %r14, GPR(14)(%rsi)
	mov %r15, GPR(15)(%rsi)
	cmp $SVM_LOOP_ALL_REGS, %eax
	jne .Lleave
	mov SLOT_V(%rsp), %rdi
	call svm_exit_all
	mov SLOT_GPRS(%rsp), %rcx
	xchg %rax, %rcx
	call .Lload_callee_saved
	cmp $SVM_LOOP_ENTER, %ecx
	je .Lenter

.Lleave:
	add $40, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* The guest's RBP and R12-R15 from gprs[] (in rax). */
.Lload_callee_saved:
	mov GPR(RBP)(%rax), %rbp
	mov GPR(12)(%rax), %r12
	mov GPR(13)(%rax), %r13
	mov GPR(14)(%rax), %r14
	mov GPR(15)(%rax), %r15
	ret
