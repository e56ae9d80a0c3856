/* guest.ld.S: link script for the small test guests (flat 32-bit, loaded at 1 MiB). */

ENTRY(_start)

SECTIONS
{
	. = 0x100000;
	.text : { *(.text .text.*) }
	.rodata : { *(.rodata .rodata.*) }
	.data : { *(.data .data.*) }
	.bss : { *(.bss .bss.*) *(COMMON) }
	/DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame) }
}
