/* loader_testlib.h: building guest kernel images (ELF, Multiboot headers) in memory for the loader tests. */
#ifndef UMBRA_LOADER_TESTLIB_H
#define UMBRA_LOADER_TESTLIB_H

#include "core/elf.h"
#include "core/loader.h"
#include "core/mb_header.h"
#include "mm/gmem.h"
#include "types.h"

/*
 * An image is described by a struct tl_spec and built into tl_img:
 *
 *   0x000 ELF header        0x600 Multiboot1 header (if any)
 *   0x040 program headers   0x800 Multiboot2 header (if any)
 *   0x1000.. segment bytes, each byte of the file being tl_byte(offset)
 *
 * Tests may then poke tl_img directly to break one field.
 */
#define TL_IMG_MAX 0x10000u
#define TL_PHOFF 0x40u
#define TL_MB1_OFF 0x600u
#define TL_MB2_OFF 0x800u
#define TL_MAX_SEGS 20
#define TL_MB2_TAGS_MAX 256

/* The default kernel: text [1 MiB, +2 KiB) and data+bss at 1 MiB + 8 KiB. */
#define TL_TEXT_PA 0x100000ULL
#define TL_TEXT_OFF 0x1000ULL
#define TL_TEXT_SIZE 0x800ULL
#define TL_DATA_PA 0x102000ULL
#define TL_DATA_OFF 0x2000ULL
#define TL_DATA_FILESZ 0x300ULL
#define TL_DATA_MEMSZ 0x5000ULL
#define TL_ENTRY (TL_TEXT_PA + 0x10)
/* The default AArch64 kernel: the same layout at RAM base + 512 KiB (Linux's text offset). */
#define TL_A64_BASE 0x40000000ULL
#define TL_A64_TEXT_PA 0x40080000ULL
#define TL_A64_DATA_PA (TL_A64_TEXT_PA + (TL_DATA_PA - TL_TEXT_PA))
#define TL_A64_ENTRY TL_A64_TEXT_PA
#define PT_GNU_STACK 0x6474E551u

extern u8 tl_img[TL_IMG_MAX];

struct tl_seg {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz;
};

enum tl_mb { TL_MB_NONE = 0, TL_MB1 = 1, TL_MB2 = 2, TL_MB_BOTH = 3 };

struct tl_spec {
	bool is64;
	u16 machine; /* 0: EM_386 / EM_X86_64 by class */
	u8 data;     /* 0: ELFDATA2LSB */
	u64 entry;
	u32 nr;
	struct tl_seg seg[TL_MAX_SEGS];
	enum tl_mb mb;
	u32 mb1_flags;
	u32 mb2_arch;
	u8 mb2_tags[TL_MB2_TAGS_MAX]; /* tags before the end tag */
	u32 mb2_tags_len;
};

/* The byte at file offset off of every built image. */
static inline u8 tl_byte(u64 off)
{
	return (u8)(off * 13 + (off >> 8) + 1);
}

/* Text (R+X), data with bss (R+W) and a PT_GNU_STACK header. */
void tl_spec_default(struct tl_spec *s, bool is64, enum tl_mb mb);
/* The same as an ELF64 AArch64 kernel at TL_A64_TEXT_PA, entered at its first byte. */
void tl_spec_a64(struct tl_spec *s);
/* Append a Multiboot2 header tag carrying n u32 values. */
void tl_mb2_tag(struct tl_spec *s, u16 type, u16 flags, const u32 *vals, u32 n);
/* Build into tl_img; returns the file length. */
u64 tl_build(const struct tl_spec *s);

/* The guest under test: fresh fake RAM and ram bytes of guest RAM (at
 * guest-physical 0, or at base), filled with 0xCC. */
extern struct gmem tl_guest_mem;
void tl_guest(u64 ram);
void tl_guest_at(u64 base, u64 ram);
void tl_guest_free(void);
/* Every byte of guest RAM is still 0xCC. */
bool tl_guest_untouched(void);

/* Each PT_LOAD segment of s is in guest RAM: file bytes, then zeros. */
void tl_check_segments(const struct tl_spec *s);
/* Every byte of guest RAM outside the PT_LOAD segments of s is still 0xCC. */
bool tl_guest_untouched_outside(const struct tl_spec *s);

/* A phys_map_fn over a struct gmem (ctx), for the Multiboot parser. */
const void *tl_map(u64 pa, u64 len, void *ctx);

#endif
