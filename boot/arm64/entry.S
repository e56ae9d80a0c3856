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
	mov	x19, x0			/* device tree */
	mrs	x20, CurrentEL
	ubfx	x20, x20, #2, #2	/* the EL we were entered at */
	msr	daifset, #0xf

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
	cmp	x20, #2
	b.ne	3f
	/* EL2: known SCTLR (MMU and D-cache off until paging is set up, no
	 * alignment checks), and our vectors. */
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

	.section .bss.boot, "aw", %nobits
	.balign	16
boot_stack:
	.space	32768
	.globl	boot_stack_top
boot_stack_top:
