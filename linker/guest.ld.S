/* guest.ld.S: link script for the test guests (flat 32-bit, loaded at 1 MiB, Multiboot1 header first). */

ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);	/* R X */
	data PT_LOAD FLAGS(6);	/* R W */
}

SECTIONS
{
	. = 0x100000;
	/* First, so that it lies within the first 8 KiB of the file as Multiboot1 requires. */
	.multiboot : { KEEP(*(.multiboot)) } :text
	.text : { *(.text .text.*) } :text
	.rodata : {
		*(.rodata .rodata.*)
		. = ALIGN(4);
		__fixup_start = .;	/* (faulting instruction, resume address) pairs */
		KEEP(*(.fixup))
		__fixup_end = .;
	} :text
	. = ALIGN(4096);
	.data : { *(.data .data.*) } :data
	.bss : {
		__bss_start = .;
		*(.bss .bss.*) *(COMMON)
		. = ALIGN(4);
		__bss_end = .;
	} :data
	/* The page allocator (lib/mem.c) hands out pages from here up to 8 MiB. */
	__image_end = .;
	/DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame) *(.eh_frame_hdr) }
}

ASSERT(SIZEOF(.multiboot) == 12, "guest has no Multiboot1 header (lib/entry.S)")
ASSERT(ADDR(.multiboot) == 0x100000, "the Multiboot1 header must come first")
ASSERT(__image_end <= 0x400000, "guest image too large: the page allocator starts after it")
