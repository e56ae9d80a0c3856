/* umbra.ld.S: link script for the x86_64 hypervisor image (identity-mapped at 2 MiB). */

#define IMAGE_BASE 0x200000
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
		KEEP(*(.multiboot))
		*(.text.boot)
		*(.text .text.*)
	} :text
	. = ALIGN(PAGE);
	__text_end = .;

	.rodata : {
		__rodata_start = .;
		*(.rodata.boot)
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

	/DISCARD/ : {
		*(.note .note.*)
		*(.comment)
		*(.eh_frame .eh_frame_hdr)
	}
}

/* The loaders look for their headers near the start of the image. */
ASSERT(mb1_header - __image_start < 8192, "Multiboot1 header not in the first 8 KiB")
ASSERT(mb2_header - __image_start < 32768, "Multiboot2 header not in the first 32 KiB")
ASSERT((mb2_header & 7) == 0, "Multiboot2 header not 8-byte aligned")
/* W^X needs each kind of section on its own pages. */
ASSERT((__text_end & (PAGE - 1)) == 0, "text end not page aligned")
ASSERT((__rodata_start & (PAGE - 1)) == 0, "rodata not page aligned")
ASSERT((__data_start & (PAGE - 1)) == 0, "data not page aligned")
ASSERT(__image_end < 0x40000000, "image must sit in the first GiB (early identity map)")
