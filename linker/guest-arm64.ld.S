/* guest-arm64.ld.S: link script for the arm64 test guests (ELF64 at 0x40080000, entered at EL1). */

#include "../tests/guests/arm64/lib/a64.h" /* STACK_SIZE */

#define GUEST_BASE 0x40080000
#define RAM_BASE 0x40000000
/* The smallest guest RAM the tests use is 16 MiB; the image stays well inside it. */
#define IMAGE_MAX 0x200000

OUTPUT_FORMAT("elf64-littleaarch64")
OUTPUT_ARCH(aarch64)
ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);   /* R X */
	rodata PT_LOAD FLAGS(4); /* R */
	data PT_LOAD FLAGS(6);   /* R W */
}

SECTIONS
{
	. = GUEST_BASE;
	__image_start = .;
	.text : {
		KEEP(*(.text.entry))
		*(.text .text.*)
	} :text
	. = ALIGN(4096);
	.rodata : { *(.rodata .rodata.*) } :rodata
	. = ALIGN(4096);
	.data : { *(.data .data.*) } :data
	.bss (NOLOAD) : {
		. = ALIGN(16);
		__bss_start = .;
		*(.bss .bss.*) *(COMMON)
		/* The EL1 stack (SP_EL1), cleared with the rest of .bss. */
		. = ALIGN(16);
		__stack_bottom = .;
		. += STACK_SIZE;
		__stack_top = .;
		. = ALIGN(16);
		__bss_end = .;
	} :data
	__image_end = .;
	/DISCARD/ : { *(.note .note.*) *(.comment) *(.eh_frame) *(.eh_frame_hdr) }
}

ASSERT(_start == GUEST_BASE, "_start (lib/entry.S) must come first, at 0x40080000")
ASSERT(ADDR(.rodata) % 4096 == 0 && ADDR(.data) % 4096 == 0, "segments must be page aligned")
ASSERT(vector_table % 0x800 == 0, "VBAR_EL1 needs a 2 KiB aligned vector table")
ASSERT(__bss_start % 16 == 0 && __bss_end % 16 == 0, "lib/entry.S clears .bss 16 bytes at a time")
ASSERT(__stack_top % 16 == 0 && __stack_top - __stack_bottom == STACK_SIZE, "bad stack")
ASSERT(__image_end - RAM_BASE <= IMAGE_MAX, "guest image too large: it must end below RAM + 2 MiB")
