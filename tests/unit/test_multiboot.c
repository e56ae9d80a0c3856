/* test_multiboot.c: unit tests for the Multiboot1/Multiboot2 boot information parser. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "boot/memmap.h"
#include "boot/multiboot.h"
#include "tests/unit/fake_log.h"

/*
 * Fake physical memory: addresses 0..PHYS_SIZE-1 are phys[]. fake_map()
 * hands out a fresh heap copy of exactly the bytes asked for and frees the
 * previous one, so ASan catches both a read past what was mapped and a
 * pointer kept across the next map() call.
 */
#define PHYS_SIZE 0x100000u
#define MB1_INFO_PA 0x9000u
#define MB2_INFO_PA 0x10000u
#define STR_PA 0x20000u
#define MMAP_PA 0x30000u
#define MODS_PA 0x31000u

static u8 phys[PHYS_SIZE];
static void *window;
static unsigned map_calls;

static const void *fake_map(u64 pa, u64 len, void *ctx)
{
	cr_assert_eq(ctx, phys, "map() got the wrong ctx");
	free(window);
	window = NULL;
	map_calls++;
	if (pa >= PHYS_SIZE || len > PHYS_SIZE - pa || !len)
		return NULL;
	window = malloc(len);
	cr_assert_not_null(window);
	memcpy(window, phys + pa, len);
	return window;
}

static void mb_setup(void)
{
	fake_log_reset();
	memset(phys, 0, sizeof(phys));
	map_calls = 0;
}

static void mb_teardown(void)
{
	free(window);
	window = NULL;
}

TestSuite(multiboot, .init = mb_setup, .fini = mb_teardown);

static struct boot_info bi;

static void put32(u64 pa, u32 v)
{
	memcpy(phys + pa, &v, sizeof(v));
}

static u32 put_str(u32 pa, const char *s)
{
	memcpy(phys + pa, s, strlen(s) + 1);
	return pa;
}

static void expect_range(u32 i, u64 base, u64 len, u32 type)
{
	cr_assert_lt(i, bi.nr_mem, "range %u missing (nr_mem %u)", i, bi.nr_mem);
	cr_assert_eq(bi.mem[i].base, base, "range %u base 0x%llx, expected 0x%llx", i,
		     (unsigned long long)bi.mem[i].base, (unsigned long long)base);
	cr_assert_eq(bi.mem[i].len, len, "range %u len 0x%llx, expected 0x%llx", i,
		     (unsigned long long)bi.mem[i].len, (unsigned long long)len);
	cr_assert_eq(bi.mem[i].type, type, "range %u type %u, expected %u", i, bi.mem[i].type,
		     type);
}

static void expect_log(const char *needle)
{
	cr_assert(fake_log_contains(needle), "log lacks \"%s\":\n%s", needle, fake_log_text());
}

static void expect_clean(void)
{
	cr_assert_eq(bi.nr_problems, 0, "problems reported:\n%s", fake_log_text());
	cr_assert_eq(fake_log_count(LOG_WARN) + fake_log_count(LOG_ERROR), 0, "%s",
		     fake_log_text());
}

/* ------------------------------------------------------------ Multiboot1 builders */

/* The SeaBIOS/QEMU E820 layout used by several tests. */
static const struct mb2_mmap_entry pc_e820[] = {
	{ 0, 0x9fc00, MEM_RAM, 0 },
	{ 0x9fc00, 0x400, MEM_RESERVED, 0 },
	{ 0xf0000, 0x10000, MEM_RESERVED, 0 },
	{ 0x100000, 0x7ee0000, MEM_RAM, 0 },
	{ 0x7fe0000, 0x20000, MEM_RESERVED, 0 },
	{ 0xfffc0000, 0x40000, 12, 0 }, /* unknown E820 type: reserved */
};

/* The first n ranges of pc_e820 as the parser must leave them. */
static void expect_pc_e820(u32 n)
{
	cr_assert_eq(bi.nr_mem, n, "nr_mem %u, expected %u", bi.nr_mem, n);
	expect_range(0, 0, 0x9fc00, MEM_RAM);
	expect_range(1, 0x9fc00, 0x400, MEM_RESERVED);
	expect_range(2, 0xf0000, 0x10000, MEM_RESERVED);
	expect_range(3, 0x100000, 0x7ee0000, MEM_RAM);
	expect_range(4, 0x7fe0000, 0x20000, MEM_RESERVED);
	if (n > 5)
		expect_range(5, 0xfffc0000, 0x40000, MEM_RESERVED); /* unknown type 12 */
}

/* Write E820 entries as Multiboot1 records with the given size field; returns mmap_length. */
static u32 mb1_put_mmap(const struct mb2_mmap_entry *e, u32 n, u32 size_field)
{
	u32 off = 0;

	for (u32 i = 0; i < n; i++) {
		struct mb1_mmap_entry m = { size_field, e[i].base_addr, e[i].length, e[i].type };

		memcpy(phys + MMAP_PA + off, &m, sizeof(m));
		off += size_field + 4;
	}
	return off;
}

static void mb1_put_module(u32 i, u32 start, u32 end, u32 str)
{
	struct mb1_module m = { start, end, str, 0 };

	memcpy(phys + MODS_PA + i * sizeof(m), &m, sizeof(m));
}

static void mb1_put_info(const struct mb1_info *mi)
{
	memcpy(phys + MB1_INFO_PA, mi, sizeof(*mi));
}

/* A GRUB-like Multiboot1 info with memory map, two modules and strings. */
static struct mb1_info mb1_typical(void)
{
	struct mb1_info mi = { 0 };

	mi.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MEM_MAP |
		   MB1_INFO_LOADER_NAME;
	mi.mem_lower = 639;
	mi.mem_upper = 130944;
	mi.cmdline = put_str(STR_PA, "/boot/umbra.elf console=com1 log=debug");
	mi.boot_loader_name = put_str(STR_PA + 0x100, "GRUB 2.12");
	mi.mods_count = 2;
	mi.mods_addr = MODS_PA;
	mb1_put_module(0, 0x200000, 0x203000,
		       put_str(STR_PA + 0x200, "/guests/hello.elf name=hello"));
	mb1_put_module(1, 0x300000, 0x300800, 0);
	mi.mmap_addr = MMAP_PA;
	mi.mmap_length = mb1_put_mmap(pc_e820, ARRAY_SIZE(pc_e820), MB1_MMAP_ENTRY_MIN_SIZE);
	return mi;
}

/* ------------------------------------------------------------ Multiboot1 tests */

Test(multiboot, mb1_typical_grub_info)
{
	struct mb1_info mi = mb1_typical();

	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0, "%s", fake_log_text());
	cr_assert_eq(bi.proto, BOOT_PROTO_MULTIBOOT1);
	cr_assert_eq(bi.firmware, BOOT_FW_BIOS);
	cr_assert_str_eq(bi.cmdline, "/boot/umbra.elf console=com1 log=debug");
	cr_assert_str_eq(bi.loader_name, "GRUB 2.12");
	cr_assert_eq(bi.nr_mods, 2);
	cr_assert_eq(bi.mods[0].start, 0x200000);
	cr_assert_eq(bi.mods[0].end, 0x203000);
	cr_assert_str_eq(bi.mods[0].cmdline, "/guests/hello.elf name=hello");
	cr_assert_eq(bi.mods[1].start, 0x300000);
	cr_assert_str_eq(bi.mods[1].cmdline, "");
	expect_pc_e820(6);
	cr_assert_eq(bi.rsdp, 0);
	cr_assert_eq(bi.efi_systab, 0);
	cr_assert_eq(bi.info_start, MB1_INFO_PA);
	cr_assert_eq(bi.info_end, MB1_INFO_PA + sizeof(struct mb1_info));
	expect_clean();
}

Test(multiboot, mb1_dispatched_by_magic)
{
	struct mb1_info mi = mb1_typical();

	mb1_put_info(&mi);
	cr_assert_eq(boot_info_parse(MB1_BOOTLOADER_MAGIC, MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(bi.proto, BOOT_PROTO_MULTIBOOT1);
	cr_assert_eq(bi.nr_mods, 2);
}

Test(multiboot, mb1_without_mmap_uses_mem_lower_upper)
{
	struct mb1_info mi = { .flags = MB1_INFO_MEMORY, .mem_lower = 639, .mem_upper = 130048 };

	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0, "%s", fake_log_text());
	cr_assert_eq(bi.nr_mem, 2);
	expect_range(0, 0, 639 * 1024, MEM_RAM);
	expect_range(1, 0x100000, 130048ull * 1024, MEM_RAM);
	cr_assert_eq(bi.nr_mods, 0);
	cr_assert_str_eq(bi.cmdline, "");
	expect_clean();
}

Test(multiboot, mb1_mem_lower_above_640k_clamped)
{
	struct mb1_info mi = { .flags = MB1_INFO_MEMORY, .mem_lower = 4096, .mem_upper = 1024 };

	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	expect_range(0, 0, 640 * 1024, MEM_RAM);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("mem_lower 4096 KiB is more than 640 KiB, clamped");
}

Test(multiboot, mb1_unreadable_mmap_falls_back)
{
	struct mb1_info mi = mb1_typical();

	mi.mmap_addr = PHYS_SIZE - 0x10;
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(bi.nr_mem, 2);
	expect_range(1, 0x100000, 130944ull * 1024, MEM_RAM);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot1: memory map at 0xffff0 (mmap_length 0x90) is not readable, ignored");
	expect_log("using mem_lower/mem_upper");
}

Test(multiboot, mb1_mmap_with_larger_size_field)
{
	struct mb1_info mi = mb1_typical();

	mi.mmap_length = mb1_put_mmap(pc_e820, ARRAY_SIZE(pc_e820), 28);
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	expect_pc_e820(6);
	expect_clean();
}

Test(multiboot, mb1_mmap_entry_size_too_small)
{
	struct mb1_info mi = mb1_typical();

	put32(MMAP_PA + 2 * 24, 8); /* third record claims 8 bytes */
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(bi.nr_mem, 2);
	expect_range(0, 0, 0x9fc00, MEM_RAM);
	expect_range(1, 0x9fc00, 0x400, MEM_RESERVED);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("memory map entry at offset 0x30 has size 8");
	expect_log("rest of the map ignored");
}

Test(multiboot, mb1_mmap_entry_past_mmap_length)
{
	struct mb1_info mi = mb1_typical();

	mi.mmap_length = 24 * 3 + 10;
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(bi.nr_mem, 3);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("memory map entry at offset 0x48 is cut short by mmap_length 0x52, ignored");
}

Test(multiboot, mb1_mmap_size_field_past_mmap_length)
{
	struct mb1_info mi = mb1_typical();

	put32(MMAP_PA + 5 * 24, 0x1000); /* last record claims far more than is left */
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	expect_pc_e820(5);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("memory map entry at offset 0x78 has size 4096 (valid: 20 to 0x14)");
}

Test(multiboot, mb1_zero_length_and_backwards_modules_dropped)
{
	struct mb1_info mi = mb1_typical();

	mi.mods_count = 4;
	mb1_put_module(0, 0x200000, 0x200000, 0);
	mb1_put_module(1, 0x300000, 0x2ff000, 0);
	mb1_put_module(2, 0x400000, 0x401000, put_str(STR_PA + 0x300, "kept"));
	mb1_put_module(3, 0x500000, 0x500001, 0);
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(bi.nr_mods, 2);
	cr_assert_eq(bi.mods[0].start, 0x400000);
	cr_assert_str_eq(bi.mods[0].cmdline, "kept");
	cr_assert_eq(bi.mods[1].end, 0x500001);
	cr_assert_eq(bi.nr_problems, 2);
	expect_log("multiboot1: module 0 at 0x200000 is empty (zero length), dropped");
	expect_log("multiboot1: module 1 ends before it starts (start 0x300000, end 0x2ff000), "
		   "ignored");
}

Test(multiboot, mb1_too_many_modules)
{
	struct mb1_info mi = mb1_typical();

	mi.mods_count = BOOT_MAX_MODULES + 4;
	for (u32 i = 0; i < mi.mods_count; i++)
		mb1_put_module(i, 0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + 0x1000, 0);
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(bi.nr_mods, BOOT_MAX_MODULES);
	cr_assert_eq(bi.mods[BOOT_MAX_MODULES - 1].start, 0x1000000 + 15 * 0x10000);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot1: more than 16 modules, 4 extra module(s) ignored");
}

Test(multiboot, mb1_unreadable_module_table)
{
	struct mb1_info mi = mb1_typical();

	mi.mods_addr = PHYS_SIZE - 8;
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(bi.nr_mods, 0);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot1: module 0 entry at 0xffff8 is not readable");
}

Test(multiboot, mb1_long_cmdline_truncated)
{
	struct mb1_info mi = mb1_typical();
	char longline[1000];

	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	mi.cmdline = put_str(STR_PA + 0x1000, longline);
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	cr_assert_eq(bi.cmdline[BOOT_CMDLINE_MAX - 1], '\0');
	cr_assert_eq(bi.cmdline[0], 'x');
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot1: command line at 0x21000 is longer than 511 bytes, truncated");
}

Test(multiboot, mb1_cmdline_exactly_fitting_is_clean)
{
	struct mb1_info mi = mb1_typical();
	char line[BOOT_CMDLINE_MAX];

	memset(line, 'y', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	mi.cmdline = put_str(STR_PA + 0x1000, line);
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_str_eq(bi.cmdline, line);
	expect_clean();
}

Test(multiboot, mb1_cmdline_running_into_unreadable_memory)
{
	struct mb1_info mi = mb1_typical();

	memset(phys + PHYS_SIZE - 4, 'z', 4); /* no NUL before the end of memory */
	mi.cmdline = PHYS_SIZE - 4;
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_str_eq(bi.cmdline, "zzzz");
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot1: command line at 0xffffc runs into unreadable memory, cut there");
}

Test(multiboot, mb1_module_cmdline_truncated)
{
	struct mb1_info mi = mb1_typical();
	char line[400];

	memset(line, 'm', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	mb1_put_module(0, 0x200000, 0x201000, put_str(STR_PA + 0x1000, line));
	mb1_put_info(&mi);
	cr_assert_eq(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(strlen(bi.mods[0].cmdline), BOOT_MOD_CMDLINE_MAX - 1);
	expect_log(
		"multiboot1: module command line at 0x21000 is longer than 255 bytes, truncated");
}

Test(multiboot, mb1_unreadable_info_rejected)
{
	cr_assert_lt(multiboot1_parse(PHYS_SIZE + 0x1000, fake_map, phys, &bi), 0);
	expect_log("multiboot1: info block at 0x101000 is not readable");
	cr_assert_eq(fake_log_count(LOG_ERROR), 1);
}

Test(multiboot, mb1_info_needing_more_than_readable_rejected)
{
	put32(PHYS_SIZE - 8, MB1_INFO_MEM_MAP); /* flags fit, mmap fields do not */
	cr_assert_lt(multiboot1_parse(PHYS_SIZE - 8, fake_map, phys, &bi), 0);
	expect_log("multiboot1: info block at 0xffff8 is not readable");
}

Test(multiboot, mb1_without_any_memory_info_rejected)
{
	struct mb1_info mi = mb1_typical();

	mi.flags &= ~(u32)(MB1_INFO_MEMORY | MB1_INFO_MEM_MAP);
	mb1_put_info(&mi);
	cr_assert_lt(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	expect_log("multiboot1: no usable memory map");
}

Test(multiboot, mb1_map_without_ram_rejected)
{
	static const struct mb2_mmap_entry only_reserved[] = { { 0xf0000, 0x10000, MEM_RESERVED,
								 0 } };
	struct mb1_info mi = mb1_typical();

	mi.flags &= ~(u32)MB1_INFO_MEMORY;
	mi.mmap_length = mb1_put_mmap(only_reserved, 1, MB1_MMAP_ENTRY_MIN_SIZE);
	mb1_put_info(&mi);
	cr_assert_lt(multiboot1_parse(MB1_INFO_PA, fake_map, phys, &bi), 0);
	expect_log("multiboot1: no usable memory map: the loader reported no RAM");
}

Test(multiboot, unknown_magic_rejected)
{
	bi.nr_mem = 7;
	cr_assert_lt(boot_info_parse(0xdeadbeef, MB2_INFO_PA, fake_map, phys, &bi), 0);
	cr_assert_eq(bi.proto, BOOT_PROTO_UNKNOWN);
	cr_assert_eq(bi.nr_mem, 0);
	cr_assert_eq(map_calls, 0);
	expect_log("unknown boot loader magic 0xdeadbeef");
	cr_assert_eq(fake_log_count(LOG_ERROR), 1);
}

/* ------------------------------------------------------------ Multiboot2 builders */

struct mb2b {
	u32 pa;	 /* where the info block starts */
	u32 off; /* where the next tag goes */
};

static u8 scratch[16384];

static struct mb2b mb2_begin(void)
{
	return (struct mb2b){ .pa = MB2_INFO_PA, .off = sizeof(struct mb2_info_header) };
}

/* Append a tag with this payload; returns its offset in the block. */
static u32 mb2_put_tag(struct mb2b *b, u32 type, const void *payload, u32 len)
{
	u32 off = b->off;

	put32(b->pa + off, type);
	put32(b->pa + off + 4, 8 + len);
	if (len)
		memcpy(phys + b->pa + off + 8, payload, len);
	b->off += ALIGN_UP(8 + len, 8u);
	return off;
}

static u32 mb2_put_str(struct mb2b *b, u32 type, const char *s)
{
	return mb2_put_tag(b, type, s, strlen(s) + 1);
}

static u32 mb2_put_module(struct mb2b *b, u32 start, u32 end, const char *s)
{
	u32 len = strlen(s) + 1;

	memcpy(scratch, &start, 4);
	memcpy(scratch + 4, &end, 4);
	memcpy(scratch + 8, s, len);
	return mb2_put_tag(b, MB2_TAG_MODULE, scratch, 8 + len);
}

/* Tag 6 with entries at a stride of esz bytes. */
static u32 mb2_put_mmap(struct mb2b *b, const struct mb2_mmap_entry *e, u32 n, u32 esz)
{
	u32 version = 0;

	memset(scratch, 0, sizeof(scratch));
	memcpy(scratch, &esz, 4);
	memcpy(scratch + 4, &version, 4);
	for (u32 i = 0; i < n; i++)
		memcpy(scratch + 8 + i * esz, &e[i], MIN(esz, (u32)sizeof(e[i])));
	return mb2_put_tag(b, MB2_TAG_MMAP, scratch, 8 + n * esz);
}

static u32 mb2_put_meminfo(struct mb2b *b, u32 lower, u32 upper)
{
	u32 v[2] = { lower, upper };

	return mb2_put_tag(b, MB2_TAG_BASIC_MEMINFO, v, sizeof(v));
}

static u32 mb2_put_efi64(struct mb2b *b, u64 systab)
{
	return mb2_put_tag(b, MB2_TAG_EFI64, &systab, sizeof(systab));
}

/* Tag 14 or 15 holding an RSDP copy with a good signature. */
static u32 mb2_put_rsdp(struct mb2b *b, u32 type)
{
	u32 len = type == MB2_TAG_ACPI_NEW ? MB2_RSDP_V2_SIZE : MB2_RSDP_V1_SIZE;

	memset(scratch, 0, len);
	memcpy(scratch, "RSD PTR BOCHS ", 14);
	scratch[15] = type == MB2_TAG_ACPI_NEW ? 2 : 0;
	return mb2_put_tag(b, type, scratch, len);
}

struct efi_ent {
	u32 type;
	u64 start, pages;
};

/* Tag 17 with descriptors of dsz bytes, as OVMF reports them (48). */
static u32 mb2_put_efi_mmap(struct mb2b *b, const struct efi_ent *e, u32 n, u32 dsz)
{
	u32 version = 1;

	memset(scratch, 0, sizeof(scratch));
	memcpy(scratch, &dsz, 4);
	memcpy(scratch + 4, &version, 4);
	for (u32 i = 0; i < n; i++) {
		struct efi_mem_desc d = { .type = e[i].type,
					  .phys_start = e[i].start,
					  .num_pages = e[i].pages };

		memcpy(scratch + 8 + i * dsz, &d, MIN(dsz, (u32)sizeof(d)));
	}
	return mb2_put_tag(b, MB2_TAG_EFI_MMAP, scratch, 8 + n * dsz);
}

/* End tag and total_size. */
static void mb2_finish(struct mb2b *b)
{
	mb2_put_tag(b, MB2_TAG_END, NULL, 0);
	put32(b->pa, b->off);
}

static int mb2_parse(const struct mb2b *b)
{
	return boot_info_parse(MB2_BOOTLOADER_MAGIC, b->pa, fake_map, phys, &bi);
}

/* A block with only a memory map: the base for the malformation tests. */
static struct mb2b mb2_minimal(void)
{
	struct mb2b b = mb2_begin();

	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), sizeof(struct mb2_mmap_entry));
	return b;
}

/* ------------------------------------------------------------ Multiboot2 layouts */

/* What GRUB's multiboot2 command gives under SeaBIOS. */
Test(multiboot, mb2_grub_bios_layout)
{
	struct mb2b b = mb2_begin();
	u32 rsdp_off;
	u8 blob[30] = { 0 };

	mb2_put_str(&b, MB2_TAG_CMDLINE, "/boot/umbra.elf console=com1");
	mb2_put_str(&b, MB2_TAG_LOADER_NAME, "GRUB 2.12-1");
	mb2_put_module(&b, 0x200000, 0x210000, "/guests/hello.elf name=hello mem=64M");
	mb2_put_module(&b, 0x210000, 0x220000, "/guests/two.elf");
	mb2_put_meminfo(&b, 639, 130944);
	mb2_put_tag(&b, MB2_TAG_BOOTDEV, blob, 12);
	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), sizeof(struct mb2_mmap_entry));
	mb2_put_tag(&b, MB2_TAG_FRAMEBUFFER, blob, 30); /* odd size: padded */
	mb2_put_tag(&b, MB2_TAG_ELF_SECTIONS, blob, 12);
	mb2_put_tag(&b, MB2_TAG_APM, blob, 20);
	rsdp_off = mb2_put_rsdp(&b, MB2_TAG_ACPI_OLD);
	mb2_finish(&b);

	cr_assert_eq(mb2_parse(&b), 0, "%s", fake_log_text());
	cr_assert_eq(bi.proto, BOOT_PROTO_MULTIBOOT2);
	cr_assert_eq(bi.firmware, BOOT_FW_BIOS);
	cr_assert_str_eq(bi.cmdline, "/boot/umbra.elf console=com1");
	cr_assert_str_eq(bi.loader_name, "GRUB 2.12-1");
	cr_assert_eq(bi.nr_mods, 2);
	cr_assert_eq(bi.mods[0].start, 0x200000);
	cr_assert_eq(bi.mods[0].end, 0x210000);
	cr_assert_str_eq(bi.mods[0].cmdline, "/guests/hello.elf name=hello mem=64M");
	cr_assert_str_eq(bi.mods[1].cmdline, "/guests/two.elf");
	expect_pc_e820(6);
	cr_assert_eq(bi.rsdp, MB2_INFO_PA + rsdp_off + 8);
	cr_assert_eq(bi.rsdp_rev, 0);
	cr_assert_eq(memcmp(phys + bi.rsdp, "RSD PTR ", 8), 0);
	cr_assert_eq(bi.efi_systab, 0);
	cr_assert_eq(bi.info_start, MB2_INFO_PA);
	cr_assert_eq(bi.info_end, MB2_INFO_PA + b.off);
	expect_clean();
}

static const struct mb2_mmap_entry efi_e820[] = {
	{ 0, 0xa0000, MEM_RAM, 0 },
	{ 0x100000, 0x700000, MEM_RAM, 0 },
	{ 0x800000, 0x8000, MEM_ACPI_NVS, 0 },
	{ 0x808000, 0x7e00000, MEM_RAM, 0 },
};

/* What GRUB's multiboot2 command gives under OVMF. */
Test(multiboot, mb2_grub_efi_layout)
{
	static const struct efi_ent efimap[] = { { EFI_CONVENTIONAL_MEMORY, 0, 0xa0 },
						 { EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700 },
						 { EFI_ACPI_NVS_MEMORY, 0x800000, 8 },
						 { EFI_CONVENTIONAL_MEMORY, 0x808000, 0x7e00 },
						 { EFI_MMIO, 0xffc00000, 0x400 } };
	struct mb2b b = mb2_begin();
	u32 new_off;
	u64 handle = 0x7e9f0018;

	mb2_put_str(&b, MB2_TAG_CMDLINE, "/boot/umbra.elf");
	mb2_put_str(&b, MB2_TAG_LOADER_NAME, "GRUB 2.12-1");
	mb2_put_module(&b, 0x2000000, 0x2100000, "/guests/hello.elf");
	mb2_put_meminfo(&b, 640, 130048);
	mb2_put_efi64(&b, 0x7fb3e018);
	mb2_put_mmap(&b, efi_e820, ARRAY_SIZE(efi_e820), sizeof(struct mb2_mmap_entry));
	mb2_put_rsdp(&b, MB2_TAG_ACPI_OLD);
	new_off = mb2_put_rsdp(&b, MB2_TAG_ACPI_NEW);
	mb2_put_efi_mmap(&b, efimap, ARRAY_SIZE(efimap), 48);
	mb2_put_tag(&b, MB2_TAG_EFI64_IH, &handle, sizeof(handle));
	mb2_put_tag(&b, MB2_TAG_LOAD_BASE_ADDR, &(u32){ 0x100000 }, 4);
	mb2_finish(&b);

	cr_assert_eq(mb2_parse(&b), 0, "%s", fake_log_text());
	cr_assert_eq(bi.firmware, BOOT_FW_UEFI);
	cr_assert_eq(bi.efi_systab, 0x7fb3e018);
	cr_assert_eq(bi.rsdp, MB2_INFO_PA + new_off + 8);
	cr_assert_eq(bi.rsdp_rev, 2);
	cr_assert_eq(phys[bi.rsdp + 15], 2);
	cr_assert_eq(bi.nr_mods, 1);
	/* tag 6 is used when present: the EFI map's MMIO range does not show up */
	cr_assert_eq(bi.nr_mem, 4);
	expect_range(0, 0, 0xa0000, MEM_RAM);
	expect_range(2, 0x800000, 0x8000, MEM_ACPI_NVS);
	expect_range(3, 0x808000, 0x7e00000, MEM_RAM);
	expect_clean();
}

static const struct efi_ent ovmf_map[] = {
	{ EFI_CONVENTIONAL_MEMORY, 0, 0xa0 },
	{ EFI_CONVENTIONAL_MEMORY, 0x100000, 0x700 },
	{ EFI_ACPI_NVS_MEMORY, 0x800000, 8 },
	{ EFI_CONVENTIONAL_MEMORY, 0x808000, 8 },
	{ EFI_BOOT_SERVICES_DATA, 0x810000, 0xf0 },
	{ EFI_LOADER_DATA, 0x900000, 0x700 },
	{ EFI_BOOT_SERVICES_CODE, 0x1000000, 0x100 },
	{ EFI_RUNTIME_SERVICES_DATA, 0x1100000, 0x100 },
	{ EFI_ACPI_RECLAIM_MEMORY, 0x1200000, 1 },
	{ EFI_UNUSABLE_MEMORY, 0x1201000, 1 },
	{ EFI_PERSISTENT_MEMORY, 0x2000000, 0x100 },
	{ EFI_MMIO, 0xffc00000, 0x400 },
};

Test(multiboot, mb2_efi_memory_map_converted)
{
	struct mb2b b = mb2_begin();

	mb2_put_efi64(&b, 0x7fb3e018);
	mb2_put_meminfo(&b, 640, 1024); /* ignored: the EFI map comes first */
	mb2_put_efi_mmap(&b, ovmf_map, ARRAY_SIZE(ovmf_map), 48);
	mb2_finish(&b);

	cr_assert_eq(mb2_parse(&b), 0, "%s", fake_log_text());
	cr_assert_eq(bi.firmware, BOOT_FW_UEFI);
	cr_assert_eq(bi.nr_mem, 9);
	expect_range(0, 0, 0xa0000, MEM_RAM);
	expect_range(1, 0x100000, 0x700000, MEM_RAM);
	expect_range(2, 0x800000, 0x8000, MEM_ACPI_NVS);
	expect_range(3, 0x808000, 0x8f8000, MEM_RAM); /* conventional+BS data+loader+BS code */
	expect_range(4, 0x1100000, 0x100000, MEM_RESERVED);
	expect_range(5, 0x1200000, 0x1000, MEM_ACPI_RECLAIM);
	expect_range(6, 0x1201000, 0x1000, MEM_BAD);
	expect_range(7, 0x2000000, 0x100000, MEM_RESERVED);
	expect_range(8, 0xffc00000, 0x400000, MEM_RESERVED);
	expect_clean();
}

Test(multiboot, mb2_efi_map_alone_means_uefi)
{
	struct mb2b b = mb2_begin();

	mb2_put_efi_mmap(&b, ovmf_map, ARRAY_SIZE(ovmf_map), sizeof(struct efi_mem_desc));
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0, "%s", fake_log_text());
	cr_assert_eq(bi.firmware, BOOT_FW_UEFI);
	cr_assert_eq(bi.efi_systab, 0);
	cr_assert_eq(bi.nr_mem, 9);
	expect_clean();
}

Test(multiboot, mb2_efi_boot_services_alive_keeps_their_memory)
{
	struct mb2b b = mb2_begin();

	mb2_put_efi64(&b, 0x7fb3e018);
	mb2_put_efi_mmap(&b, ovmf_map, ARRAY_SIZE(ovmf_map), 48);
	mb2_put_tag(&b, MB2_TAG_EFI_BS, NULL, 0);
	mb2_finish(&b);

	cr_assert_eq(mb2_parse(&b), 0, "%s", fake_log_text());
	expect_range(3, 0x808000, 0x8000, MEM_RAM);
	expect_range(4, 0x810000, 0xf0000, MEM_RESERVED);
	expect_range(5, 0x900000, 0x700000, MEM_RAM);
	expect_range(6, 0x1000000, 0x200000, MEM_RESERVED);
	expect_log("EFI boot services were not terminated");
	cr_assert_eq(bi.nr_problems, 0);
}

Test(multiboot, mb2_efi_descriptor_size_too_small)
{
	struct mb2b b = mb2_begin();

	mb2_put_efi_mmap(&b, ovmf_map, ARRAY_SIZE(ovmf_map), 32);
	mb2_put_meminfo(&b, 640, 1024);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mem, 2, "fell back to basic meminfo");
	expect_range(1, 0x100000, 0x100000, MEM_RAM);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log(
		"EFI memory map tag at offset 0x8 has descriptor size 32 (less than 40), ignored");
}

Test(multiboot, mb2_efi_descriptor_page_count_overflow)
{
	static const struct efi_ent bad[] = { { EFI_CONVENTIONAL_MEMORY, 0x100000, 0x100 },
					      { EFI_CONVENTIONAL_MEMORY, 0x1000, 1ull << 60 } };
	struct mb2b b = mb2_begin();

	mb2_put_efi_mmap(&b, bad, 2, 48);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mem, 1);
	expect_range(0, 0x100000, 0x100000, MEM_RAM);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log(
		"EFI memory descriptor at 0x1000 has an impossible page count 0x1000000000000000");
}

Test(multiboot, mb2_efi32_systab)
{
	struct mb2b b = mb2_minimal();

	mb2_put_tag(&b, MB2_TAG_EFI32, &(u32){ 0x7f000000 }, 4);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.firmware, BOOT_FW_UEFI);
	cr_assert_eq(bi.efi_systab, 0x7f000000);
	expect_clean();
}

Test(multiboot, mb2_efi64_systab_preferred_over_efi32)
{
	struct mb2b b = mb2_minimal();

	mb2_put_efi64(&b, 0x17f000000ull);
	mb2_put_tag(&b, MB2_TAG_EFI32, &(u32){ 0x7f000000 }, 4);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.efi_systab, 0x17f000000ull);
}

Test(multiboot, mb2_null_efi_systab_reported)
{
	struct mb2b b = mb2_minimal();

	mb2_put_efi64(&b, 0);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.firmware, BOOT_FW_UEFI);
	cr_assert_eq(bi.efi_systab, 0);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("EFI system table tag type 12 at offset 0xa8 holds a null pointer, ignored");
}

/* ------------------------------------------------------------ Multiboot2 malformations */

Test(multiboot, mb2_unreadable_info_rejected)
{
	cr_assert_lt(multiboot2_parse(PHYS_SIZE - 4, fake_map, phys, &bi), 0);
	expect_log("multiboot2: info block at 0xffffc is not readable");
}

Test(multiboot, mb2_total_size_too_small_rejected)
{
	struct mb2b b = mb2_minimal();

	mb2_finish(&b);
	put32(b.pa, 12);
	cr_assert_lt(mb2_parse(&b), 0);
	expect_log("multiboot2: info block at 0x10000 has total_size 12, too small for even the "
		   "end tag");
}

Test(multiboot, mb2_total_size_huge_capped)
{
	struct mb2b b = mb2_minimal();

	mb2_finish(&b);
	put32(b.pa, 0xfffffff0);
	cr_assert_eq(mb2_parse(&b), 0, "%s", fake_log_text());
	expect_pc_e820(6);
	cr_assert_eq(bi.info_end, MB2_INFO_PA + b.off, "info ends at the end tag");
	cr_assert_eq(bi.nr_problems, 1);
	expect_log(
		"multiboot2: total_size 0xfffffff0 is implausible, reading at most 0x100000 bytes");
}

Test(multiboot, mb2_total_size_past_readable_memory)
{
	struct mb2b b = mb2_begin();

	b.pa = PHYS_SIZE - 0xa8; /* the next tag would start right at the end of memory */
	mb2_put_mmap(&b, pc_e820, 6, sizeof(struct mb2_mmap_entry)); /* 0xa0 bytes */
	put32(b.pa, 0x1000);
	cr_assert_eq(multiboot2_parse(b.pa, fake_map, phys, &bi), 0, "%s", fake_log_text());
	expect_pc_e820(6);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: tag at offset 0xa8 is not readable, rest of the info ignored");
}

Test(multiboot, mb2_unaligned_info_reported)
{
	struct mb2b b = mb2_begin();

	b.pa = MB2_INFO_PA + 4;
	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), sizeof(struct mb2_mmap_entry));
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	expect_pc_e820(6);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: info block at 0x10004 is not 8-byte aligned");
}

Test(multiboot, mb2_missing_end_tag)
{
	struct mb2b b = mb2_minimal();

	mb2_put_str(&b, MB2_TAG_CMDLINE, "log=debug");
	put32(b.pa, b.off); /* total_size covers the tags, no end tag */
	cr_assert_eq(mb2_parse(&b), 0);
	expect_pc_e820(6);
	cr_assert_str_eq(bi.cmdline, "log=debug");
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: no end tag (type 0) within the info (size 0xc0)");
}

Test(multiboot, mb2_tag_header_cut_short)
{
	struct mb2b b = mb2_minimal();

	put32(b.pa, b.off + 4);
	cr_assert_eq(mb2_parse(&b), 0);
	expect_pc_e820(6);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: tag header at offset 0xa8 is cut short by the end of the info "
		   "(size 0xac)");
}

Test(multiboot, mb2_tag_runs_past_end)
{
	struct mb2b b = mb2_minimal();
	u32 off = mb2_put_str(&b, MB2_TAG_CMDLINE, "console=com2");

	mb2_finish(&b);
	put32(b.pa + off + 4, 0x400);
	cr_assert_eq(mb2_parse(&b), 0);
	expect_pc_e820(6);
	cr_assert_str_eq(bi.cmdline, "", "the bad tag is not used");
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: tag type 1 at offset 0xa8 runs past the end of the info (size "
		   "0xc8), ignored");
}

Test(multiboot, mb2_tag_size_below_header)
{
	struct mb2b b = mb2_minimal();
	u32 off = mb2_put_str(&b, MB2_TAG_CMDLINE, "console=com2");

	mb2_finish(&b);
	put32(b.pa + off + 4, 4);
	cr_assert_eq(mb2_parse(&b), 0);
	expect_pc_e820(6);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: tag type 1 at offset 0xa8 has size 4 (less than 8), rest of the "
		   "info ignored");
}

Test(multiboot, mb2_truncated_tags_ignored)
{
	struct mb2b b = mb2_minimal();

	mb2_put_tag(&b, MB2_TAG_MODULE, &(u32){ 0x200000 }, 4);
	mb2_put_tag(&b, MB2_TAG_ACPI_NEW, "RSD PTR ", 8);
	mb2_put_str(&b, MB2_TAG_CMDLINE, "still parsed");
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mods, 0);
	cr_assert_eq(bi.rsdp, 0);
	cr_assert_str_eq(bi.cmdline, "still parsed");
	cr_assert_eq(bi.nr_problems, 2);
	expect_log("multiboot2: tag type 3 at offset 0xa8 is too short (size 12, at least 16 "
		   "needed), ignored");
	expect_log("multiboot2: tag type 15 at offset 0xb8 is too short (size 16, at least 44 "
		   "needed), ignored");
}

Test(multiboot, mb2_mmap_entry_size_too_small_falls_back)
{
	struct mb2b b = mb2_begin();

	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), 16);
	mb2_put_meminfo(&b, 639, 130944);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mem, 2);
	expect_range(0, 0, 639 * 1024, MEM_RAM);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: memory map tag at offset 0x8 has entry_size 16 (less than 24), "
		   "ignored");
}

Test(multiboot, mb2_mmap_entry_size_too_small_alone_rejected)
{
	struct mb2b b = mb2_begin();

	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), 16);
	mb2_finish(&b);
	cr_assert_lt(mb2_parse(&b), 0);
	expect_log("entry_size 16 (less than 24)");
	expect_log("multiboot2: no usable memory map: the loader reported no RAM");
}

Test(multiboot, mb2_mmap_larger_entries)
{
	struct mb2b b = mb2_begin();

	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), 32);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	expect_pc_e820(6);
	expect_clean();
}

Test(multiboot, mb2_mmap_last_entry_cut_short)
{
	struct mb2b b = mb2_begin();
	u32 esz = sizeof(struct mb2_mmap_entry);

	memset(scratch, 0, sizeof(scratch));
	memcpy(scratch, &esz, 4);
	memcpy(scratch + 8, pc_e820, 6 * esz);
	mb2_put_tag(&b, MB2_TAG_MMAP, scratch, 8 + 5 * esz + 20);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	expect_pc_e820(5);
	cr_assert_eq(bi.nr_problems, 1, "%s", fake_log_text());
	expect_log("multiboot2: memory map tag at offset 0x8 ends with 20 bytes that are not a "
		   "whole entry, ignored");
}

Test(multiboot, mb2_no_memory_information_rejected)
{
	struct mb2b b = mb2_begin();

	mb2_put_str(&b, MB2_TAG_CMDLINE, "x");
	mb2_finish(&b);
	cr_assert_lt(mb2_parse(&b), 0);
	expect_log("multiboot2: no usable memory map: no memory map (6), EFI memory map (17) or "
		   "basic meminfo (4) tag");
}

Test(multiboot, mb2_overlapping_unsorted_map_normalized)
{
	static const struct mb2_mmap_entry messy[] = {
		{ 0x100000, 0x7f00000, MEM_RAM, 0 },	 { 0, 0xa0000, MEM_RAM, 0 },
		{ 0x7fe0000, 0x20000, MEM_RESERVED, 0 }, { 0x5000000, 0, MEM_RAM, 0 },
		{ 0x80000, 0x1000, MEM_ACPI_NVS, 0 },
	};
	struct mb2b b = mb2_begin();

	mb2_put_mmap(&b, messy, ARRAY_SIZE(messy), sizeof(struct mb2_mmap_entry));
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mem, 5);
	expect_range(0, 0, 0x80000, MEM_RAM);
	expect_range(1, 0x80000, 0x1000, MEM_ACPI_NVS);
	expect_range(2, 0x81000, 0x1f000, MEM_RAM);
	expect_range(3, 0x100000, 0x7ee0000, MEM_RAM);
	expect_range(4, 0x7fe0000, 0x20000, MEM_RESERVED);
	cr_assert_eq(bi.nr_problems, 3, "%s", fake_log_text());
	expect_log("zero-length range at 0x5000000");
	expect_log("overlap, type 4 kept");
	expect_log("overlap, type 2 kept");
}

Test(multiboot, mb2_many_adjacent_ranges_compacted)
{
	static struct mb2_mmap_entry many[300];
	struct mb2b b = mb2_begin();

	for (u32 i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct mb2_mmap_entry){ 0x100000 + i * 0x1000ull, 0x1000, MEM_RAM, 0 };
	mb2_put_mmap(&b, many, ARRAY_SIZE(many), sizeof(many[0]));
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mem, 1);
	expect_range(0, 0x100000, 300 * 0x1000, MEM_RAM);
	expect_clean();
}

Test(multiboot, mb2_too_many_distinct_ranges)
{
	static struct mb2_mmap_entry many[200];
	struct mb2b b = mb2_begin();

	for (u32 i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = (struct mb2_mmap_entry){ 0x100000 + i * 0x1000ull, 0x1000,
						   i % 2 ? MEM_RESERVED : MEM_RAM, 0 };
	mb2_put_mmap(&b, many, ARRAY_SIZE(many), sizeof(many[0]));
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mem, BOOT_MAX_MEM_RANGES);
	cr_assert_eq(bi.mem[BOOT_MAX_MEM_RANGES - 1].base, 0x100000 + 127 * 0x1000);
	cr_assert_eq(bi.nr_problems, 200 - BOOT_MAX_MEM_RANGES);
	expect_log("multiboot2: more than 128 memory ranges, range at 0x180000 length 0x1000 type "
		   "1 dropped");
}

/* ------------------------------------------------------------ Multiboot2 strings and modules */

Test(multiboot, mb2_long_cmdline_truncated)
{
	struct mb2b b = mb2_begin();
	char line[700];

	memset(line, 'c', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	mb2_put_str(&b, MB2_TAG_CMDLINE, line);
	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), sizeof(struct mb2_mmap_entry));
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	cr_assert_eq(bi.cmdline[BOOT_CMDLINE_MAX - 1], '\0');
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: command line at 0x10010 is longer than 511 bytes, truncated");
}

Test(multiboot, mb2_long_loader_name_truncated)
{
	struct mb2b b = mb2_minimal();
	char name[100];

	memset(name, 'g', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	mb2_put_str(&b, MB2_TAG_LOADER_NAME, name);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(strlen(bi.loader_name), BOOT_LOADER_NAME_MAX - 1);
	expect_log("multiboot2: boot loader name at 0x100b0 is longer than 63 bytes, truncated");
}

Test(multiboot, mb2_unterminated_cmdline_cut_at_tag_end)
{
	struct mb2b b = mb2_minimal();

	mb2_put_tag(&b, MB2_TAG_CMDLINE, "abcdefghijk", 5); /* no NUL inside */
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_str_eq(bi.cmdline, "abcde");
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: command line at 0x100b0 is not NUL-terminated within its tag");
}

Test(multiboot, mb2_repeated_cmdline_ignored)
{
	struct mb2b b = mb2_begin();

	mb2_put_str(&b, MB2_TAG_CMDLINE, "first");
	mb2_put_str(&b, MB2_TAG_CMDLINE, "second");
	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), sizeof(struct mb2_mmap_entry));
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_str_eq(bi.cmdline, "first");
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: tag type 1 at offset 0x18 repeats the one at offset 0x8, ignored");
}

Test(multiboot, mb2_bad_modules_dropped)
{
	struct mb2b b = mb2_minimal();

	mb2_put_module(&b, 0x200000, 0x200000, "empty");
	mb2_put_module(&b, 0x300000, 0x100000, "backwards");
	mb2_put_module(&b, 0x400000, 0x480000, "good");
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mods, 1);
	cr_assert_eq(bi.mods[0].start, 0x400000);
	cr_assert_eq(bi.mods[0].end, 0x480000);
	cr_assert_str_eq(bi.mods[0].cmdline, "good");
	cr_assert_eq(bi.nr_problems, 2);
	expect_log("multiboot2: module 0 at 0x200000 is empty (zero length), dropped");
	expect_log("multiboot2: module 1 ends before it starts (start 0x300000, end 0x100000), "
		   "ignored");
}

Test(multiboot, mb2_too_many_modules)
{
	struct mb2b b = mb2_minimal();

	mb2_put_module(&b, 0x1000, 0x1000, "empty, not counted as extra");
	for (u32 i = 0; i < BOOT_MAX_MODULES + 3; i++)
		mb2_put_module(&b, 0x1000000 + i * 0x10000, 0x1000000 + i * 0x10000 + 0x100, "m");
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mods, BOOT_MAX_MODULES);
	cr_assert_eq(bi.mods[0].start, 0x1000000);
	cr_assert_eq(bi.mods[BOOT_MAX_MODULES - 1].start, 0x1000000 + 15 * 0x10000);
	cr_assert_eq(bi.nr_problems, 2);
	expect_log("multiboot2: more than 16 modules, 3 extra module(s) ignored");
}

Test(multiboot, mb2_module_cmdline_truncated_and_unterminated)
{
	struct mb2b b = mb2_minimal();
	u8 raw[8 + 300];
	u32 start = 0x200000, end = 0x201000;

	memcpy(raw, &start, 4);
	memcpy(raw + 4, &end, 4);
	memset(raw + 8, 'q', 300);
	mb2_put_tag(&b, MB2_TAG_MODULE, raw, sizeof(raw));
	mb2_put_tag(&b, MB2_TAG_MODULE, raw, 8 + 10);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.nr_mods, 2);
	cr_assert_eq(strlen(bi.mods[0].cmdline), BOOT_MOD_CMDLINE_MAX - 1);
	cr_assert_eq(strlen(bi.mods[1].cmdline), 10);
	cr_assert_eq(bi.nr_problems, 2);
	expect_log("module command line at 0x100b8 is longer than 255 bytes, truncated");
	expect_log("module command line at 0x101f8 is not NUL-terminated within its tag");
}

/* ------------------------------------------------------------ ACPI RSDP tags */

Test(multiboot, mb2_acpi_old_rsdp)
{
	struct mb2b b = mb2_minimal();
	u32 off = mb2_put_rsdp(&b, MB2_TAG_ACPI_OLD);

	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.rsdp, MB2_INFO_PA + off + 8);
	cr_assert_eq(bi.rsdp_rev, 0);
	cr_assert_eq(memcmp(phys + bi.rsdp, "RSD PTR ", 8), 0);
	expect_clean();
}

Test(multiboot, mb2_acpi_new_rsdp_preferred_in_either_order)
{
	struct mb2b b = mb2_minimal();
	u32 off = mb2_put_rsdp(&b, MB2_TAG_ACPI_NEW);

	mb2_put_rsdp(&b, MB2_TAG_ACPI_OLD);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.rsdp, MB2_INFO_PA + off + 8);
	cr_assert_eq(bi.rsdp_rev, 2);

	b = mb2_minimal();
	mb2_put_rsdp(&b, MB2_TAG_ACPI_OLD);
	off = mb2_put_rsdp(&b, MB2_TAG_ACPI_NEW);
	mb2_finish(&b);
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.rsdp, MB2_INFO_PA + off + 8);
	cr_assert_eq(bi.rsdp_rev, 2);
	expect_clean();
}

Test(multiboot, mb2_acpi_bad_signature_ignored)
{
	struct mb2b b = mb2_minimal();
	u32 off = mb2_put_rsdp(&b, MB2_TAG_ACPI_NEW);

	mb2_finish(&b);
	phys[b.pa + off + 8] = 'X';
	cr_assert_eq(mb2_parse(&b), 0);
	cr_assert_eq(bi.rsdp, 0);
	cr_assert_eq(bi.nr_problems, 1);
	expect_log("multiboot2: ACPI tag type 15 at offset 0xa8 has no \"RSD PTR \" signature, "
		   "ignored");
}
