/* regs64.S: do the guest's general registers survive exits? Checked from 64-bit code. */

#include "x86.h"

/*
 * void cpu_regs_run(void), called through lm_run; modes.c sets regs_flags
 * first and reads regs_fails[] after.
 *
 * REGS_ROUNDS rounds of six steps. Before each step every register but RSP
 * is filled with its own pattern (pats[n] for register n, x86 encoding
 * order); after it, every register the step's instruction does not write
 * must still hold its pattern, and a register it loads must hold what it
 * should. A miss sets bit n of regs_fails[step]. The steps:
 *   0 CPUID leaf 0                  writes RAX, RBX, RCX, RDX
 *   1 IN AL from the UART's LSR     writes AL (RDX holds the port)
 *   2 RDMSR MISC_ENABLE             writes RAX, RDX (RCX holds the index)
 *   3 hypercall HC_VERSION          writes RAX           (under umbra only)
 *   4 MMIO: R12 = [R12], the ID     based on and into R12 (under umbra only)
 *   5 MMIO: [RBP] = R13, R14 = [RBP], RBP = [RBP + 0x78]   (under umbra only)
 * Under umbra steps 0-3 are exits umbra handles without storing the
 * guest's RBP and R12-R15 (they stay in the CPU), and steps 4-5 are exits
 * whose emulation reads and writes exactly those registers; the rounds
 * also cross time-slice ends (an interrupt exit) now and then.
 */
#define REGS_ROUNDS 2000
#define UART_LSR 0x3fd
#define DEV 0xfeb00000
#define DEV_ID 0x6172626d75	/* the test device's ID register (offset 0x80) */
#define FLAG_UMBRA 1		/* run steps 3-5 */
#define FLAG_VMCALL 2		/* the hypercall is VMCALL (Intel), else VMMCALL */

	.data
	.balign 8
pats:
	.quad 0x8000000000000a0a	/* rax */
	.quad 0x9111111111111c1c	/* rcx */
	.quad 0xa222222222222d2d	/* rdx */
	.quad 0xb333333333333b3b	/* rbx */
	.quad 0				/* rsp: not filled */
	.quad 0xc555555555555b5b	/* rbp */
	.quad 0xd666666666666565	/* rsi */
	.quad 0xe777777777777d7d	/* rdi */
	.quad 0xf888888888888080	/* r8 */
	.quad 0x0999999999999090	/* r9 */
	.quad 0x1aaaaaaaaaaaa1a1	/* r10 */
	.quad 0x2bbbbbbbbbbbb1b1	/* r11 */
	.quad 0x3cccccccccccc1c1	/* r12 */
	.quad 0x4dddddddddddd1d1	/* r13 */
	.quad 0x5eeeeeeeeeeee1e1	/* r14 */
	.quad 0x6ffffffffffff1f1	/* r15 */
dev_id_reg:
	.quad DEV + 0x80
dev_scratch1:
	.quad DEV + 0x08
want_id:
	.quad DEV_ID

	.globl regs_flags, regs_fails
regs_flags:
	.long 0
regs_fails:
	.long 0, 0, 0, 0, 0, 0

	.text
	.code64

.macro fill
	mov pats + 8 * 0(%rip), %rax
	mov pats + 8 * 1(%rip), %rcx
	mov pats + 8 * 2(%rip), %rdx
	mov pats + 8 * 3(%rip), %rbx
	mov pats + 8 * 5(%rip), %rbp
	mov pats + 8 * 6(%rip), %rsi
	mov pats + 8 * 7(%rip), %rdi
	mov pats + 8 * 8(%rip), %r8
	mov pats + 8 * 9(%rip), %r9
	mov pats + 8 * 10(%rip), %r10
	mov pats + 8 * 11(%rip), %r11
	mov pats + 8 * 12(%rip), %r12
	mov pats + 8 * 13(%rip), %r13
	mov pats + 8 * 14(%rip), %r14
	mov pats + 8 * 15(%rip), %r15
.endm

/* keep reg, n, step: register n must still hold pats[n]. */
.macro keep reg, n, step
	cmp pats + 8 * \n(%rip), \reg
	je 88f
	orl $(1 << \n), regs_fails + 4 * \step(%rip)
88:
.endm

/* is reg, n, step, what: register n must hold the quad at what. */
.macro is reg, n, step, what
	cmp \what(%rip), \reg
	je 88f
	orl $(1 << \n), regs_fails + 4 * \step(%rip)
88:
.endm

/* The registers no step writes: RSI, RDI, R8-R11, R13 (r15 too, but for step 5's r14). */
.macro keep_common step
	keep %rsi, 6, \step
	keep %rdi, 7, \step
	keep %r8, 8, \step
	keep %r9, 9, \step
	keep %r10, 10, \step
	keep %r11, 11, \step
	keep %r13, 13, \step
	keep %r15, 15, \step
.endm

	.globl cpu_regs_run
cpu_regs_run:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	movl $REGS_ROUNDS, rounds_left(%rip)

1:	/* step 0: CPUID leaf 0 */
	fill
	xor %eax, %eax
	cpuid
	keep_common 0
	keep %rbp, 5, 0
	keep %r12, 12, 0
	keep %r14, 14, 0

	/* step 1: IN AL, DX */
	fill
	mov $UART_LSR, %edx
	inb %dx, %al
	keep_common 1
	keep %rcx, 1, 1
	keep %rbx, 3, 1
	keep %rbp, 5, 1
	keep %r12, 12, 1
	keep %r14, 14, 1

	/* step 2: RDMSR */
	fill
	mov $MSR_MISC_ENABLE, %ecx
	rdmsr
	keep_common 2
	keep %rbx, 3, 2
	keep %rbp, 5, 2
	keep %r12, 12, 2
	keep %r14, 14, 2

	testl $FLAG_UMBRA, regs_flags(%rip)
	jz 9f

	/* step 3: HC_VERSION */
	fill
	xor %eax, %eax
	testl $FLAG_VMCALL, regs_flags(%rip)
	jnz 2f
	vmmcall
	jmp 3f
2:	vmcall
3:	keep_common 3
	keep %rcx, 1, 3
	keep %rdx, 2, 3
	keep %rbx, 3, 3
	keep %rbp, 5, 3
	keep %r12, 12, 3
	keep %r14, 14, 3

	/* step 4: R12 = [R12], the device's ID */
	fill
	mov dev_id_reg(%rip), %r12
	mov (%r12), %r12
	keep_common 4
	keep %rax, 0, 4
	keep %rcx, 1, 4
	keep %rdx, 2, 4
	keep %rbx, 3, 4
	keep %rbp, 5, 4
	keep %r14, 14, 4
	is %r12, 12, 4, want_id

	/* step 5: R13 to a scratch register and back into R14; RBP = the ID */
	fill
	mov dev_scratch1(%rip), %rbp
	mov %r13, (%rbp)
	mov (%rbp), %r14
	mov 0x78(%rbp), %rbp
	keep_common 5
	keep %rax, 0, 5
	keep %rcx, 1, 5
	keep %rdx, 2, 5
	keep %rbx, 3, 5
	keep %r12, 12, 5
	is %r14, 14, 5, pats+8*13
	is %rbp, 5, 5, want_id

9:	decl rounds_left(%rip)
	jnz 1b

	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.data
rounds_left:
	.long 0
