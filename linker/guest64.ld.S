/* guest64.ld.S: link script for the plain ELF64 test guests (loaded at 1 MiB, started in long mode). */

ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5); /* R X */
	data PT_LOAD FLAGS(6); /* R W */
}

SECTIONS
{
	. = 0x100000;
	.text : { *(.text .text.*) } :text
	.rodata : { *(.rodata .rodata.*) } :text
	. = ALIGN(4096);
	.data : { *(.data .data.*) } :data
	.bss : { *(.bss .bss.*) *(COMMON) } :data
	/DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame) }
}
