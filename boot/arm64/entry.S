/* entry.S: the arm64 Image header and umbra's first instructions (EL2, MMU off, DTB in x0). */

/*
 * The Image header (Linux Documentation/arch/arm64/booting.rst gives the
 * layout): a loader places the image text_offset bytes above a 2 MiB
 * aligned base near the start of RAM, and jumps to its first byte with x0 =
 * the device tree's physical address, MMU off, at EL2 when it has one.
 */
	.section .text.head, "ax"
	.globl	_start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x200000		/* text_offset */
	.quad	__image_size		/* image_size, bss included */
	.quad	0x2			/* flags: little endian, 4 KiB pages, 2 MiB base */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 (no PE header) */

primary_entry:
	/* Boot cost (core/vm.c reports it at the first guest entry): start
	 * the PMU cycle counter, counting at EL2 too (PMCCFILTR_EL0.NSH), and
	 * keep its value; a CPU without PMUv3 keeps the generic counter's.
	 * x0 (the device tree) is not touched. */
	mrs	x21, id_aa64dfr0_el1
	ubfx	x21, x21, #8, #4	/* PMUVer: 0 none, 0xf not PMUv3 */
	cbz	x21, 6f
	cmp	x21, #0xf
	b.eq	6f
	mov	x21, #(1 << 27)		/* PMCCFILTR_EL0.NSH */
	msr	pmccfiltr_el0, x21
	mov	x21, #(1 << 31)		/* PMCNTENSET_EL0.C */
	msr	pmcntenset_el0, x21
	mov	x21, #((1 << 6) | 1)	/* PMCR_EL0.LC (64 bits), E; D = 0: every cycle */
	msr	pmcr_el0, x21
	isb
	mrs	x21, pmccntr_el0
	b	7f
6:	isb
	mrs	x21, cntpct_el0
	/* The MMU is off: the store goes to memory; drop any stale cached
	 * copy so the C code, with caches on, reads this value. */
7:	adrp	x22, boot_counter_start
	add	x22, x22, :lo12:boot_counter_start
	str	x21, [x22]
	dmb	sy
	dc	ivac, x22

	mov	x19, x0			/* device tree */
	mrs	x20, CurrentEL
	ubfx	x20, x20, #2, #2	/* the EL we were entered at */
	msr	daifset, #0xf
	msr	spsel, #1		/* SP_ELx: the stack exceptions use too */

	adrp	x1, boot_stack_top
	add	x1, x1, :lo12:boot_stack_top
	mov	sp, x1

	/* bss: 16-byte aligned at both ends (linker script). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	cmp	x20, #1
	b.ne	5f
	/* EL1 (no virtualization): umbra only says so and stops; these
	 * vectors step over what traps meanwhile (a semihosting call QEMU was
	 * not told to answer). */
	adrp	x1, el1_skip_vectors
	add	x1, x1, :lo12:el1_skip_vectors
	msr	vbar_el1, x1
	isb
5:	cmp	x20, #2
	b.ne	3f
	/* EL2: no VHE and nothing trapped or virtualized until a guest runs
	 * (HCR_EL2 = RW only), then a known SCTLR (MMU and D-cache off until
	 * paging is set up, no alignment checks), and our vectors. */
	mov	x1, #(1 << 31)
	msr	hcr_el2, x1
	isb
	ldr	x1, =0x30C51838		/* RES1 bits (0x30C50830) | I | SA */
	msr	sctlr_el2, x1
	adrp	x1, el2_vectors
	add	x1, x1, :lo12:el2_vectors
	msr	vbar_el2, x1
	isb
3:
	mov	x0, x19
	mov	x1, x20
	bl	boot_arm64_main
4:	wfi
	b	4b

/* Every slot: step over the instruction that trapped and go on. */
.macro el1_skip_slot
	.balign	128
	stp	x0, x1, [sp, #-16]!
	mrs	x0, elr_el1
	add	x0, x0, #4
	msr	elr_el1, x0
	ldp	x0, x1, [sp], #16
	eret
.endm

	.balign	2048
el1_skip_vectors:
	.rept	16
	el1_skip_slot
	.endr

	/* Not .bss: written before .bss is zeroed. */
	.section .data
	.balign	8
	.globl	boot_counter_start
boot_counter_start:
	.quad	0

	.section .bss.boot, "aw", %nobits
	.balign	16
boot_stack:
	.space	32768
	.globl	boot_stack_top
boot_stack_top:
