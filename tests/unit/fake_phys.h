/* fake_phys.h: fake physical memory and Multiboot info builders shared by the multiboot tests. */
#ifndef UMBRA_FAKE_PHYS_H
#define UMBRA_FAKE_PHYS_H

#include "boot/boot_info.h"
#include "boot/memmap.h"
#include "boot/multiboot.h"
#include "compiler.h"
#include "types.h"

/*
 * Fake physical memory: addresses 0..PHYS_SIZE-1 are phys[]. fake_map()
 * hands out a fresh heap copy of exactly the bytes asked for and frees the
 * previous one, so ASan catches both a read past what was mapped and a
 * pointer kept across the next map() call.
 *
 * fake_phys.c also declares the "multiboot" test suite, whose setup clears
 * phys[], map_calls and the fake log before each test and whose teardown
 * frees the last mapping.
 */
#define PHYS_SIZE 0x100000u
#define MB1_INFO_PA 0x9000u
#define MB2_INFO_PA 0x10000u
#define STR_PA 0x20000u
#define MMAP_PA 0x30000u
#define MODS_PA 0x31000u

extern u8 phys[PHYS_SIZE];
/* Calls to fake_map() since the test started. */
extern unsigned map_calls;
/* What the parser under test fills in. */
extern struct boot_info bi;

/* The map() callback for the parsers; ctx must be phys. */
const void *fake_map(u64 pa, u64 len, void *ctx);

void put32(u64 pa, u32 v);
/* Copy s with its NUL to pa; returns pa. */
u32 put_str(u32 pa, const char *s);

/* bi.mem[i] exists and is exactly this range. */
void expect_range(u32 i, u64 base, u64 len, u32 type);
/* The fake log holds a message containing needle. */
void expect_log(const char *needle);
/* No problems counted and no warnings or errors logged. */
void expect_clean(void);

/* The SeaBIOS/QEMU E820 layout used by several tests. */
extern const struct mb2_mmap_entry pc_e820[6];
/* The first n ranges of pc_e820 as the parser must leave them. */
void expect_pc_e820(u32 n);

/* ------------------------------------------------------------ Multiboot1 builders */

/* Write E820 entries as Multiboot1 records with the given size field; returns mmap_length. */
u32 mb1_put_mmap(const struct mb2_mmap_entry *e, u32 n, u32 size_field);
/* Module entry i of the table at MODS_PA. */
void mb1_put_module(u32 i, u32 start, u32 end, u32 str);
/* The info structure at MB1_INFO_PA. */
void mb1_put_info(const struct mb1_info *mi);
/* A GRUB-like Multiboot1 info with memory map, two modules and strings. */
struct mb1_info mb1_typical(void);

/* ------------------------------------------------------------ Multiboot2 builders */

/* A Multiboot2 info block being built in phys[]. */
struct mb2b {
	u32 pa;	 /* where the info block starts */
	u32 off; /* where the next tag goes */
};

/* An EFI memory descriptor as the tests write it. */
struct efi_ent {
	u32 type;
	u64 start, pages;
};

/* Staging buffer for tag payloads; tests may use it too. */
extern u8 scratch[16384];

/* An empty block at MB2_INFO_PA: the next tag goes right after the header. */
struct mb2b mb2_begin(void);
/* Append a tag with this payload; returns its offset in the block. */
u32 mb2_put_tag(struct mb2b *b, u32 type, const void *payload, u32 len);
/* A string tag (command line, loader name) with its NUL. */
u32 mb2_put_str(struct mb2b *b, u32 type, const char *s);
u32 mb2_put_module(struct mb2b *b, u32 start, u32 end, const char *s);
/* Tag 6 with entries at a stride of esz bytes. */
u32 mb2_put_mmap(struct mb2b *b, const struct mb2_mmap_entry *e, u32 n, u32 esz);
u32 mb2_put_meminfo(struct mb2b *b, u32 lower, u32 upper);
u32 mb2_put_efi64(struct mb2b *b, u64 systab);
/* Tag 14 or 15 holding an RSDP copy with a good signature. */
u32 mb2_put_rsdp(struct mb2b *b, u32 type);
/* Tag 17 with descriptors of dsz bytes, as OVMF reports them (48). */
u32 mb2_put_efi_mmap(struct mb2b *b, const struct efi_ent *e, u32 n, u32 dsz);
/* End tag and total_size. */
void mb2_finish(struct mb2b *b);
/* boot_info_parse() of the block with the Multiboot2 magic, into bi. */
int mb2_parse(const struct mb2b *b);
/* A block with only a memory map: the base for the malformation tests. */
struct mb2b mb2_minimal(void);

#endif
