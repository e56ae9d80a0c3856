/* long.S: 32-bit to long mode and back around a 64-bit call; the 64-bit exception stubs. */

#include "x86.h"

/*
 * int lm_call_raw(void (*fn)(void *), void *arg, u32 cr3)
 *
 * Paging off, CR4.PAE on, CR3 = cr3, EFER.LME on, paging on, far jump to the
 * 64-bit code segment, load the 64-bit IDT and call fn(arg) (arg in RDI).
 * Then back through a compatibility-mode segment: paging off (long mode
 * ends), EFER, CR4, CR3, CR0 and the IDT as they were. Returns 0, or -1 when
 * an exception without a fixup ended the call (g_fault says which).
 */
	.text
	.code32
	.globl lm_call_raw
lm_call_raw:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov 20(%esp), %esi
	mov 24(%esp), %edi
	mov 28(%esp), %ebx
	cli
	mov %esp, lm_saved_esp
	sidt lm_saved_idtr
	mov %cr0, %eax
	mov %eax, lm_saved_cr0
	and $~CR0_PG, %eax
	mov %eax, %cr0
	mov %cr4, %eax
	mov %eax, lm_saved_cr4
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov %cr3, %eax
	mov %eax, lm_saved_cr3
	mov %ebx, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	mov %eax, lm_saved_efer
	mov %edx, lm_saved_efer + 4
	or $EFER_LME, %eax
	wrmsr
	mov lm_saved_cr0, %eax
	or $(CR0_PG | CR0_PE), %eax
	mov %eax, %cr0
	ljmp $SEL_CODE64, $1f

	.code64
1:	lidt idt64_desc(%rip)
	mov %esp, %esp		/* the upper halves are undefined after the switch */
	mov %rsp, lm_saved_rsp(%rip)
	mov %edi, %edi
	mov %esi, %eax
	call *%rax
	xor %eax, %eax
lm_return:			/* eax: the status to return */
	mov %eax, %ebx
	pushq $SEL_CODE32
	lea 2f(%rip), %rax
	push %rax
	lretq

	.code32
2:	mov %cr0, %eax
	and $~CR0_PG, %eax
	mov %eax, %cr0		/* leaves long mode */
	mov $MSR_EFER, %ecx
	mov lm_saved_efer, %eax
	mov lm_saved_efer + 4, %edx
	wrmsr
	mov lm_saved_cr4, %eax
	mov %eax, %cr4
	mov lm_saved_cr3, %eax
	mov %eax, %cr3
	mov lm_saved_cr0, %eax
	mov %eax, %cr0
	lidt lm_saved_idtr
	mov lm_saved_esp, %esp
	mov %ebx, %eax
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

/* ---------------------------------------------------------------- 64-bit exception stubs */
	.code64
	.pushsection .rodata.isr64, "a"
	.balign 4
	.globl isr64_stubs
isr64_stubs:
	.popsection

.macro ISR64 vec, has_err
isr64_\vec:
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\vec
	jmp isr64_common
	.pushsection .rodata.isr64, "a"
	.long isr64_\vec
	.popsection
.endm

ISR64 0, 0
ISR64 1, 0
ISR64 2, 0
ISR64 3, 0
ISR64 4, 0
ISR64 5, 0
ISR64 6, 0
ISR64 7, 0
ISR64 8, 1
ISR64 9, 0
ISR64 10, 1
ISR64 11, 1
ISR64 12, 1
ISR64 13, 1
ISR64 14, 1
ISR64 15, 0
ISR64 16, 0
ISR64 17, 1
ISR64 18, 0
ISR64 19, 0
ISR64 20, 0
ISR64 21, 1
ISR64 22, 0
ISR64 23, 0
ISR64 24, 0
ISR64 25, 0
ISR64 26, 0
ISR64 27, 0
ISR64 28, 0
ISR64 29, 1
ISR64 30, 1
ISR64 31, 0

/*
 * Record the fault in g_fault; resume at its fixup (the dynamic slot or the
 * .fixup table) or, with none, abandon the 64-bit call: lm_call_raw returns -1.
 * Stack: rsi, rdx, rcx, rax, vector, error, rip, cs, rflags, rsp, ss.
 */
isr64_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	mov 32(%rsp), %eax
	mov %eax, g_fault(%rip)
	mov 40(%rsp), %eax
	mov %eax, g_fault + 4(%rip)
	mov %cr2, %rax
	mov %rax, g_fault + 8(%rip)
	mov 48(%rsp), %rdx
	mov %rdx, g_fault + 16(%rip)
	mov g_dyn_fixup_ip(%rip), %rax
	test %rax, %rax
	jz 1f
	cmp %rax, %rdx
	jne 1f
	mov g_dyn_fixup_to(%rip), %eax
	jmp 3f
1:	mov $__fixup_start, %esi
2:	cmp $__fixup_end, %esi
	jae 4f
	mov (%rsi), %eax
	cmp %rax, %rdx
	je 5f
	add $8, %esi
	jmp 2b
5:	mov 4(%rsi), %eax
3:	mov %rax, 48(%rsp)
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp
	iretq
4:	mov lm_saved_rsp(%rip), %rsp
	movq $0, g_dyn_fixup_ip(%rip)
	mov $-1, %eax
	jmp lm_return

	.bss
	.balign 8
lm_saved_rsp:
	.quad 0
lm_saved_efer:
	.quad 0
lm_saved_esp:
	.long 0
lm_saved_cr0:
	.long 0
lm_saved_cr3:
	.long 0
lm_saved_cr4:
	.long 0
lm_saved_idtr:
	.quad 0
