/* main.S: hello64, a plain ELF64 guest that umbra starts in long mode; it checks that start state. */

/*
 * umbra's loader starts a plain ELF64 kernel in 64-bit mode with the first
 * 4 GiB identity-mapped, RDI = the guest-physical address of its command
 * line and RSI = its RAM size (docs/hypercalls.md). This guest checks those
 * facts from the inside, prints PASS/FAIL lines on COM1 and exits through
 * the debug-exit port with the number of failures. With "spin" as its
 * command line it loops forever instead, for the scheduler's tests; with
 * "fpuX" it also checks that XMM0 and DR1 survive other guests' slices.
 */
#define COM1 0x3F8
#define DEBUG_EXIT 0xF4
#define MSR_EFER 0xC0000080
#define EFER_LMA (1 << 10)

	.section .text
	.code64
	.globl _start
_start:
	mov %rdi, %r12			/* command line */
	mov %rsi, %r13			/* RAM size */
	lea stack_top(%rip), %rsp
	xor %r15d, %r15d		/* failures */
	xor %r14d, %r14d		/* passes */

	lea msg_hello(%rip), %rsi
	call puts
	mov %r12, %rsi			/* echo the command line */
	call puts
	lea msg_nl(%rip), %rsi
	call puts

	/* "spin" on the command line: loop forever without an exit, as a
	 * runaway guest would; umbra's time slices must still get the CPU back. */
	cmpl $0x6e697073, (%r12)	/* "spin" */
	jne 6f
	lea msg_spin(%rip), %rsi
	call puts
7:	jmp 7b
6:
	/* "fpu?" (fpuA, fpuB, ...): keep those four bytes in XMM0 and DR1 over
	 * many time slices; another guest doing the same must not disturb them. */
	mov (%r12), %ebx
	mov %ebx, %eax
	and $0x00ffffff, %eax
	cmp $0x00757066, %eax		/* "fpu" */
	jne 8f
	call check_isolation
8:
	/* EFER.LMA: we really are in long mode. */
	mov $MSR_EFER, %ecx
	rdmsr
	test $EFER_LMA, %eax
	lea name_lma(%rip), %rsi
	call report_nz

	/* The RAM size in RSI is the 64 MiB this guest is given by the tests. */
	cmp $0x4000000, %r13
	sete %al
	movzx %al, %eax
	test %eax, %eax
	lea name_ram(%rip), %rsi
	call report_nz

	/* CPUID leaf 0x40000000 names umbra. */
	mov $0x40000000, %eax
	cpuid
	cmp $0x72626d75, %ebx		/* "umbr" */
	sete %al
	movzx %al, %eax
	test %eax, %eax
	lea name_cpuid(%rip), %rsi
	call report_nz

	/* A 64-bit register round trip above 4 GiB values. */
	mov $0x123456789abcdef0, %rax
	mov %rax, scratch(%rip)
	cmp scratch(%rip), %rax
	sete %al
	movzx %al, %eax
	test %eax, %eax
	lea name_reg64(%rip), %rsi
	call report_nz

	/* "<n> passed, <n> failed" */
	mov %r14, %rax
	call putdigit
	lea msg_passed(%rip), %rsi
	call puts
	mov %r15, %rax
	call putdigit
	lea msg_failed(%rip), %rsi
	call puts

	mov %r15d, %eax
	mov $DEBUG_EXIT, %dx
	out %al, %dx
1:	hlt
	jmp 1b

/* XMM0 and DR1 hold ebx across a long loop (several time slices). */
check_isolation:
	mov %cr4, %rax
	or $0x600, %rax			/* OSFXSR, OSXMMEXCPT: SSE usable */
	mov %rax, %cr4
	movd %ebx, %xmm0
	mov %rbx, %db1
	mov $200000000, %ecx
9:	dec %ecx
	jnz 9b
	movd %xmm0, %eax
	cmp %ebx, %eax
	sete %al
	movzx %al, %eax
	test %eax, %eax
	lea name_xmm(%rip), %rsi
	call report_nz
	mov %db1, %rax
	cmp %rbx, %rax
	sete %al
	movzx %al, %eax
	test %eax, %eax
	lea name_dr(%rip), %rsi
	jmp report_nz

/* ZF clear: PASS, else FAIL; rsi = check name. */
report_nz:
	push %rsi
	jz 2f
	inc %r14
	lea msg_pass(%rip), %rsi
	jmp 3f
2:	inc %r15
	lea msg_fail(%rip), %rsi
3:	call puts
	pop %rsi
	call puts
	lea msg_eol(%rip), %rsi
	jmp puts

/* One decimal digit (counts here stay below 10). */
putdigit:
	add $'0', %al
	mov $COM1, %dx
	out %al, %dx
	ret

/* Print the NUL-terminated string at rsi. */
puts:
	mov $COM1, %dx
4:	lodsb
	test %al, %al
	jz 5f
	out %al, %dx
	jmp 4b
5:	ret

	.section .rodata
msg_hello:	.asciz "hello64: long mode, command line '"
msg_nl:		.asciz "'\n"
msg_eol:	.asciz "\n"
msg_spin:	.asciz "hello64: spinning forever without an exit\n"
msg_pass:	.asciz "PASS: "
msg_fail:	.asciz "FAIL: "
msg_passed:	.asciz " passed, "
msg_failed:	.asciz " failed\n"
name_lma:	.asciz "hello64.efer_lma"
name_ram:	.asciz "hello64.rsi_is_ram_size"
name_cpuid:	.asciz "hello64.cpuid_umbra"
name_reg64:	.asciz "hello64.reg64"
name_xmm:	.asciz "hello64.xmm0_kept_across_slices"
name_dr:	.asciz "hello64.dr1_kept_across_slices"

	.section .bss
	.balign 16
scratch:	.skip 8
	.balign 16
stack:		.skip 4096
stack_top:
