/* isr.S: the 32 exception entry stubs; each saves the registers as a struct trap_frame. */

	.section .text
	.code64

/* Vectors where the CPU pushes an error code; the rest push a zero to match. */
.macro ISR_NOERR n
	.balign 16
isr\n:
	push $0
	push $\n
	jmp isr_common
.endm

.macro ISR_ERR n
	.balign 16
isr\n:
	push $\n
	jmp isr_common
.endm

ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31
/* Interrupts umbra takes itself: the LAPIC timer and the spurious vector. */
ISR_NOERR 32
ISR_NOERR 255

/*
 * Stack on entry to isr_common, growing down:
 *   ss, rsp, rflags, cs, rip   (pushed by the CPU)
 *   error code, vector         (pushed by the stub)
 * then the general registers below, rax first, r15 last, so that rsp points
 * at a struct trap_frame. 15 + 2 + 5 quadwords keep rsp 16-byte aligned.
 */
isr_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, %rdi
	cld
	call trap_dispatch
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp
	iretq

	.section .rodata
	.balign 8
	.globl irq_stub_timer
irq_stub_timer:
	.quad isr32
	.globl irq_stub_spurious
irq_stub_spurious:
	.quad isr255
	.globl isr_stubs
isr_stubs:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad isr\n
.endr
