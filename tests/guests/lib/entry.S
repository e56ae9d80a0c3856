/* entry.S: Multiboot1 header, 32-bit entry, GDT, exception stubs and fault-tolerant probes. */

#include "x86.h"

#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00000003 /* modules page-aligned, memory information wanted */

	.section .multiboot, "a"
	.balign 4
mb1_header:
	.long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)

/*
 * Started in 32-bit protected mode with paging off, EAX the Multiboot magic
 * and EBX the information block. Clear .bss, load our own GDT, take the
 * stack and call lib_main(magic, info), which never returns.
 */
	.text
	.code32
	.globl _start
_start:
	cli
	cld
	mov %eax, %ebp
	mov %ebx, %esi
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	lgdt gdt_desc
	ljmp $SEL_CODE32, $1f
1:	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %fs
	mov %ax, %gs
	mov %ax, %ss
	mov $stack_top, %esp
	push %esi
	push %ebp
	call lib_main
2:	cli
	hlt
	jmp 2b

/* ---------------------------------------------------------------- exception stubs */
/* Each stub pushes a zero error code when the CPU does not, then its vector. */
	.pushsection .rodata.isr32, "a"
	.balign 4
	.globl isr32_stubs
isr32_stubs:
	.popsection

.macro ISR32 vec, has_err
isr32_\vec:
	.if \has_err == 0
	pushl $0
	.endif
	pushl $\vec
	jmp isr32_common
	.pushsection .rodata.isr32, "a"
	.long isr32_\vec
	.popsection
.endm

ISR32 0, 0
ISR32 1, 0
ISR32 2, 0
ISR32 3, 0
ISR32 4, 0
ISR32 5, 0
ISR32 6, 0
ISR32 7, 0
ISR32 8, 1
ISR32 9, 0
ISR32 10, 1
ISR32 11, 1
ISR32 12, 1
ISR32 13, 1
ISR32 14, 1
ISR32 15, 0
ISR32 16, 0
ISR32 17, 1
ISR32 18, 0
ISR32 19, 0
ISR32 20, 0
ISR32 21, 1
ISR32 22, 0
ISR32 23, 0
ISR32 24, 0
ISR32 25, 0
ISR32 26, 0
ISR32 27, 0
ISR32 28, 0
ISR32 29, 1
ISR32 30, 1
ISR32 31, 0

/* Saves the registers as a struct frame32 and calls trap32(frame). */
isr32_common:
	pusha
	push %ds
	push %es
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	cld
	push %esp
	call trap32
	add $4, %esp
	pop %es
	pop %ds
	popa
	add $8, %esp
	iret

/* ---------------------------------------------------------------- probes */
/* int rdmsr_safe(u32 msr, u64 *val) */
	.globl rdmsr_safe
rdmsr_safe:
	mov 4(%esp), %ecx
1:	rdmsr
	mov 8(%esp), %ecx
	mov %eax, (%ecx)
	mov %edx, 4(%ecx)
	mov $NO_FAULT, %eax
	ret
2:	mov g_fault, %eax
	ret
	FIXUP(1b, 2b)

/* int wrmsr_safe(u32 msr, u64 val) */
	.globl wrmsr_safe
wrmsr_safe:
	mov 4(%esp), %ecx
	mov 8(%esp), %eax
	mov 12(%esp), %edx
1:	wrmsr
	mov $NO_FAULT, %eax
	ret
2:	mov g_fault, %eax
	ret
	FIXUP(1b, 2b)

/* int peek8(u32 addr, u32 *val), peek32(...): read into *val. */
.macro PEEK name, insn
	.globl \name
\name:
	mov 4(%esp), %ecx
1:	\insn (%ecx), %eax
	mov 8(%esp), %ecx
	mov %eax, (%ecx)
	mov $NO_FAULT, %eax
	ret
2:	mov g_fault, %eax
	ret
	FIXUP(1b, 2b)
.endm
PEEK peek8, movzbl
PEEK peek32, movl

/* int poke8(u32 addr, u32 val), poke32(...) */
	.globl poke8
poke8:
	mov 4(%esp), %ecx
	mov 8(%esp), %eax
1:	movb %al, (%ecx)
	mov $NO_FAULT, %eax
	ret
2:	mov g_fault, %eax
	ret
	FIXUP(1b, 2b)

	.globl poke32
poke32:
	mov 4(%esp), %ecx
	mov 8(%esp), %eax
1:	movl %eax, (%ecx)
	mov $NO_FAULT, %eax
	ret
2:	mov g_fault, %eax
	ret
	FIXUP(1b, 2b)

/* int load_fs_safe(u32 sel): load FS with sel, then the flat data segment again. */
	.globl load_fs_safe
load_fs_safe:
	mov 4(%esp), %eax
1:	mov %ax, %fs
	mov $NO_FAULT, %eax
	jmp 3f
2:	mov g_fault, %eax
3:	mov $SEL_DATA, %cx
	mov %cx, %fs
	ret
	FIXUP(1b, 2b)

/* int write_cr4_safe(u32 val) */
	.globl write_cr4_safe
write_cr4_safe:
	mov 4(%esp), %eax
1:	mov %eax, %cr4
	mov $NO_FAULT, %eax
	ret
2:	mov g_fault, %eax
	ret
	FIXUP(1b, 2b)

/* int exec_safe(u32 addr): call addr; a fault at addr itself resumes here. */
	.globl exec_safe
exec_safe:
	push %ebp
	mov 8(%esp), %eax
	mov %eax, g_dyn_fixup_ip
	movl $0, g_dyn_fixup_ip + 4
	movl $2f, g_dyn_fixup_to
	mov %esp, exec_saved_esp
	call *%eax
	mov $NO_FAULT, %eax
	jmp 3f
2:	mov exec_saved_esp, %esp
	mov g_fault, %eax
3:	movl $0, g_dyn_fixup_ip
	movl $0, g_dyn_fixup_ip + 4
	pop %ebp
	ret

/* ---------------------------------------------------------------- data */
	.data
	.balign 16
	.globl gdt
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* 0x08 code, 32-bit, ring 0 */
	.quad 0x00cf92000000ffff	/* 0x10 data, ring 0 */
	.quad 0x00af9a000000ffff	/* 0x18 code, 64-bit, ring 0 */
	.quad 0x00cffa000000ffff	/* 0x20 code, 32-bit, ring 3 */
	.quad 0x00cff2000000ffff	/* 0x28 data, ring 3 */
	.quad 0				/* 0x30 TSS, filled in by a guest that needs one */
gdt_end:
	.balign 4
	.word 0
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.globl g_dyn_fixup_ip, g_dyn_fixup_to
	.balign 8
g_dyn_fixup_ip:
	.quad 0
g_dyn_fixup_to:
	.long 0
exec_saved_esp:
	.long 0

	.bss
	.balign 16
stack:
	.skip 16384
stack_top:
