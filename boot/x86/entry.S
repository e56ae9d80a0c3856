/* entry.S: Multiboot1 and Multiboot2 headers, 32-bit entry, the switch to long mode. */

/*
 * Both loaders enter here in 32-bit protected mode with paging off:
 *   eax = loader magic (0x2BADB002 for Multiboot1, 0x36D76289 for Multiboot2)
 *   ebx = physical address of the loader's information block
 * The image is linked at its load address, so physical = virtual throughout.
 *
 *   _start (32-bit) -> read the TSC -> zero .bss -> check CPUID long mode ->
 *   identity-map the first 4 GiB with 2 MiB pages -> PAE, EFER.LME, CR0.PG ->
 *   far jump -> long_entry (64-bit) -> boot_x86_main(magic, info)
 */

#define MB1_MAGIC 0x1BADB002
#define MB1_FLAGS 0x00000003 /* page-align modules, provide memory info */
#define MB2_MAGIC 0xE85250D6
#define MB2_ARCH_I386 0

#define CR0_PG (1 << 31)
#define CR0_CD (1 << 30)
#define CR0_NW (1 << 29)
#define CR4_PAE (1 << 5)
#define MSR_EFER 0xC0000080
#define EFER_LME (1 << 8)
#define COM1 0x3F8

#define EARLY_GDT_CODE64 0x08
#define EARLY_GDT_DATA 0x10

	.section .multiboot, "a"
	/* Multiboot1 header: within the first 8 KiB, 4-byte aligned. */
	.balign 4
	.globl mb1_header
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)

	/* Multiboot2 header: within the first 32 KiB, 8-byte aligned. */
	.balign 8
	.globl mb2_header
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Module alignment tag: modules start on page boundaries. */
	.balign 8
	.short 6
	.short 0
	.long 8
	/* End tag. */
	.balign 8
	.short 0
	.short 0
	.long 8
mb2_header_end:

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	/* Boot cost: the TSC at umbra's second instruction (the first keeps
	 * the loader's magic from RDTSC), in .data because .bss is zeroed
	 * below; core/vm.c reports the count at the first guest entry. */
	mov %eax, %esi			/* keep magic and info across what follows */
	rdtsc
	mov %eax, boot_counter_start
	mov %edx, boot_counter_start + 4
	cli
	cld
	mov %ebx, %ebp

	/* Zero .bss: the early tables and the stack live there. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb

	mov $boot_stack_top, %esp

	/* Long mode available? CPUID 0x80000001 EDX bit 29. */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	bt $29, %edx
	jnc no_long_mode

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	mov $early_pdpt, %eax
	or $0x3, %eax
	mov %eax, early_pml4

	mov $early_pd, %eax
	or $0x3, %eax
	xor %ecx, %ecx
1:	mov %eax, early_pdpt(, %ecx, 8)
	add $4096, %eax
	inc %ecx
	cmp $4, %ecx
	jb 1b

	xor %ecx, %ecx			/* entry index 0..2047 over the four PDs */
2:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax			/* present, writable, 2 MiB page */
	mov %eax, early_pd(, %ecx, 8)
	mov %ecx, %eax
	shr $11, %eax			/* bits 32.. of the address: ecx >> 11 */
	mov %eax, early_pd + 4(, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jb 2b

	mov $early_pml4, %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	and $~(CR0_CD | CR0_NW), %eax	/* some firmware leaves caching off */
	or $CR0_PG, %eax
	mov %eax, %cr0

	lgdt early_gdt_ptr
	ljmp $EARLY_GDT_CODE64, $long_entry

no_long_mode:
	mov $msg_no_lm, %ebx
3:	movb (%ebx), %al
	test %al, %al
	jz 5f
	mov $COM1 + 5, %dx		/* wait for the transmit holding register */
4:	inb %dx, %al
	test $0x20, %al
	jz 4b
	mov $COM1, %dx
	movb (%ebx), %al
	outb %al, %dx
	inc %ebx
	jmp 3b
5:	hlt
	jmp 5b

	.code64
long_entry:
	mov $EARLY_GDT_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	mov $boot_stack_top, %rsp
	mov %esi, %edi			/* arg0: magic */
	mov %ebp, %esi			/* arg1: physical address of the info block */
	xor %ebp, %ebp			/* end of the frame-pointer chain */
	call boot_x86_main
6:	cli
	hlt
	jmp 6b

	.section .rodata.boot, "a"
msg_no_lm:
	.asciz "umbra: this CPU has no long mode (x86-64); umbra needs a 64-bit CPU with SVM or VMX\r\n"

	.balign 8
early_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF	/* 0x08: 64-bit code */
	.quad 0x00CF92000000FFFF	/* 0x10: data */
early_gdt_end:
early_gdt_ptr:
	.short early_gdt_end - early_gdt - 1
	.long early_gdt

	.section .data
	.balign 8
	.globl boot_counter_start
boot_counter_start:
	.quad 0

	.section .bss.boot, "aw", @nobits
	.balign 4096
early_pml4:
	.skip 4096
early_pdpt:
	.skip 4096
early_pd:
	.skip 4 * 4096
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
