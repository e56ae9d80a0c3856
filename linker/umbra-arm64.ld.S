/* umbra-arm64.ld.S: link script for the arm64 hypervisor image (identity-mapped at 0x40200000). */

/* QEMU virt: RAM at 0x40000000, the Image placed text_offset (2 MiB) above it. */
#define IMAGE_BASE 0x40200000
#define PAGE 4096

ENTRY(_start)

PHDRS
{
	text PT_LOAD FLAGS(5);   /* R X */
	rodata PT_LOAD FLAGS(4); /* R   */
	data PT_LOAD FLAGS(6);   /* RW  */
}

SECTIONS
{
	. = IMAGE_BASE;
	__image_start = .;

	.text : {
		__text_start = .;
		KEEP(*(.text.head))
		*(.text.boot)
		*(.text .text.*)
	} :text
	. = ALIGN(PAGE);
	__text_end = .;

	.rodata : {
		__rodata_start = .;
		*(.rodata .rodata.*)
	} :rodata
	. = ALIGN(PAGE);
	__rodata_end = .;

	.data : {
		__data_start = .;
		*(.data .data.*)
	} :data

	.bss (NOLOAD) : {
		. = ALIGN(16);
		__bss_start = .;
		*(.bss.boot)
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(PAGE);
		__bss_end = .;
	} :data
	__data_end = .;
	__image_end = .;
	__image_size = __image_end - __image_start;

	/DISCARD/ : {
		*(.note .note.*)
		*(.comment)
		*(.eh_frame .eh_frame_hdr)
	}
}

ASSERT(_start == IMAGE_BASE, "the Image header must come first")
ASSERT((el2_vectors & 2047) == 0, "EL2 vector table not 2 KiB aligned")
/* W^X needs each kind of section on its own pages. */
ASSERT((__text_end & (PAGE - 1)) == 0, "text end not page aligned")
ASSERT((__rodata_start & (PAGE - 1)) == 0, "rodata not page aligned")
ASSERT((__data_start & (PAGE - 1)) == 0, "data not page aligned")
