/* mb_header.h: the Multiboot1 and Multiboot2 headers a kernel image carries (what it asks a loader for). */
#ifndef UMBRA_MB_HEADER_H
#define UMBRA_MB_HEADER_H

#include "compiler.h"
#include "types.h"

/* ------------------------------------------------------------ Multiboot1 */

#define MB1_HEADER_MAGIC 0x1BADB002u
#define MB1_SEARCH_BYTES 8192u /* the header lies wholly in the file's first 8 KiB */
#define MB1_HEADER_ALIGN 4u

/* Header flags; bits 0-15 are requirements a loader must meet or refuse. */
#define MB1_HDR_PAGE_ALIGN BIT(0)  /* modules page aligned (umbra passes none) */
#define MB1_HDR_MEMORY_INFO BIT(1) /* mem_* and the memory map (always given) */
#define MB1_HDR_VIDEO_MODE BIT(2)  /* a video mode preference (no display: ignored) */
#define MB1_HDR_REQUIRED GENMASK(15, 0)
#define MB1_HDR_SUPPORTED (MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMORY_INFO | MB1_HDR_VIDEO_MODE)
#define MB1_HDR_AOUT_KLUDGE BIT(16) /* load addresses in the header instead of ELF */

struct mb1_header {
	u32 magic;
	u32 flags;
	u32 checksum; /* magic + flags + checksum == 0 (mod 2^32) */
} __packed;
_Static_assert(sizeof(struct mb1_header) == 12, "mb1_header size");

/* ------------------------------------------------------------ Multiboot2 */

#define MB2_HEADER_MAGIC 0xE85250D6u
#define MB2_SEARCH_BYTES 32768u /* the header lies wholly in the file's first 32 KiB */
#define MB2_HEADER_ALIGN 8u
#define MB2_ARCH_I386 0u /* 32-bit protected mode */

struct mb2_header {
	u32 magic;
	u32 architecture;
	u32 header_length; /* bytes, tags included */
	u32 checksum;	   /* magic + architecture + header_length + checksum == 0 */
} __packed;
_Static_assert(sizeof(struct mb2_header) == 16, "mb2_header size");

/* Header tags follow at 8-byte aligned offsets; the last is type 0, size 8. */
struct mb2_header_tag {
	u16 type;
	u16 flags; /* MB2_HTAG_OPTIONAL: the loader may ignore the tag */
	u32 size;  /* bytes, this header included, padding excluded */
} __packed;
_Static_assert(sizeof(struct mb2_header_tag) == 8, "mb2_header_tag size");
#define MB2_HTAG_OPTIONAL BIT(0)

#define MB2_HTAG_END 0
#define MB2_HTAG_INFO_REQUEST 1 /* u32 list of information tag types */
#define MB2_HTAG_ADDRESS 2	/* a.out-kludge load addresses */
#define MB2_HTAG_ENTRY 3	/* u32 physical entry point */
#define MB2_HTAG_CONSOLE 4	/* u32 console flags */
#define MB2_HTAG_FRAMEBUFFER 5
#define MB2_HTAG_MODULE_ALIGN 6
#define MB2_HTAG_EFI_BS 7	/* keep EFI boot services */
#define MB2_HTAG_ENTRY_EFI32 8	/* entry with EFI boot services (i386) */
#define MB2_HTAG_ENTRY_EFI64 9	/* entry with EFI boot services (amd64) */
#define MB2_HTAG_RELOCATABLE 10 /* the image may be moved */

#define MB2_CONSOLE_REQUIRED BIT(0)

/* Tags 3 and 4: one u32 after the tag header. */
struct mb2_header_tag_u32 {
	u16 type;
	u16 flags;
	u32 size;
	u32 value;
} __packed;
_Static_assert(sizeof(struct mb2_header_tag_u32) == 12, "mb2_header_tag_u32 size");

#endif
