/* fake_phys.c: fake physical memory and Multiboot info builders for the multiboot tests. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/fake_log.h"
#include "tests/unit/fake_phys.h"

u8 phys[PHYS_SIZE];
static void *window; /* the copy fake_map() handed out last */
unsigned map_calls;

const void *fake_map(u64 pa, u64 len, void *ctx)
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

/* The one declaration of the suite that test_multiboot1.c and test_multiboot2.c share. */
TestSuite(multiboot, .init = mb_setup, .fini = mb_teardown);

struct boot_info bi;

void put32(u64 pa, u32 v)
{
	memcpy(phys + pa, &v, sizeof(v));
}

u32 put_str(u32 pa, const char *s)
{
	memcpy(phys + pa, s, strlen(s) + 1);
	return pa;
}

void expect_range(u32 i, u64 base, u64 len, u32 type)
{
	cr_assert_lt(i, bi.nr_mem, "range %u missing (nr_mem %u)", i, bi.nr_mem);
	cr_assert_eq(bi.mem[i].base, base, "range %u base 0x%llx, expected 0x%llx", i,
		     (unsigned long long)bi.mem[i].base, (unsigned long long)base);
	cr_assert_eq(bi.mem[i].len, len, "range %u len 0x%llx, expected 0x%llx", i,
		     (unsigned long long)bi.mem[i].len, (unsigned long long)len);
	cr_assert_eq(bi.mem[i].type, type, "range %u type %u, expected %u", i, bi.mem[i].type,
		     type);
}

void expect_log(const char *needle)
{
	cr_assert(fake_log_contains(needle), "log lacks \"%s\":\n%s", needle, fake_log_text());
}

void expect_clean(void)
{
	cr_assert_eq(bi.nr_problems, 0, "problems reported:\n%s", fake_log_text());
	cr_assert_eq(fake_log_count(LOG_WARN) + fake_log_count(LOG_ERROR), 0, "%s",
		     fake_log_text());
}

/* The SeaBIOS/QEMU E820 layout used by several tests. */
const struct mb2_mmap_entry pc_e820[6] = {
	{ 0, 0x9fc00, MEM_RAM, 0 },
	{ 0x9fc00, 0x400, MEM_RESERVED, 0 },
	{ 0xf0000, 0x10000, MEM_RESERVED, 0 },
	{ 0x100000, 0x7ee0000, MEM_RAM, 0 },
	{ 0x7fe0000, 0x20000, MEM_RESERVED, 0 },
	{ 0xfffc0000, 0x40000, 12, 0 }, /* unknown E820 type: reserved */
};

/* The first n ranges of pc_e820 as the parser must leave them. */
void expect_pc_e820(u32 n)
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

/* ------------------------------------------------------------ Multiboot1 builders */

/* Write E820 entries as Multiboot1 records with the given size field; returns mmap_length. */
u32 mb1_put_mmap(const struct mb2_mmap_entry *e, u32 n, u32 size_field)
{
	u32 off = 0;

	for (u32 i = 0; i < n; i++) {
		struct mb1_mmap_entry m = { size_field, e[i].base_addr, e[i].length, e[i].type };

		memcpy(phys + MMAP_PA + off, &m, sizeof(m));
		off += size_field + 4;
	}
	return off;
}

void mb1_put_module(u32 i, u32 start, u32 end, u32 str)
{
	struct mb1_module m = { start, end, str, 0 };

	memcpy(phys + MODS_PA + i * sizeof(m), &m, sizeof(m));
}

void mb1_put_info(const struct mb1_info *mi)
{
	memcpy(phys + MB1_INFO_PA, mi, sizeof(*mi));
}

/* A GRUB-like Multiboot1 info with memory map, two modules and strings. */
struct mb1_info mb1_typical(void)
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

/* ------------------------------------------------------------ Multiboot2 builders */

u8 scratch[16384];

struct mb2b mb2_begin(void)
{
	return (struct mb2b){ .pa = MB2_INFO_PA, .off = sizeof(struct mb2_info_header) };
}

/* Append a tag with this payload; returns its offset in the block. */
u32 mb2_put_tag(struct mb2b *b, u32 type, const void *payload, u32 len)
{
	u32 off = b->off;

	put32(b->pa + off, type);
	put32(b->pa + off + 4, 8 + len);
	if (len)
		memcpy(phys + b->pa + off + 8, payload, len);
	b->off += ALIGN_UP(8 + len, 8u);
	return off;
}

u32 mb2_put_str(struct mb2b *b, u32 type, const char *s)
{
	return mb2_put_tag(b, type, s, strlen(s) + 1);
}

u32 mb2_put_module(struct mb2b *b, u32 start, u32 end, const char *s)
{
	u32 len = strlen(s) + 1;

	memcpy(scratch, &start, 4);
	memcpy(scratch + 4, &end, 4);
	memcpy(scratch + 8, s, len);
	return mb2_put_tag(b, MB2_TAG_MODULE, scratch, 8 + len);
}

/* Tag 6 with entries at a stride of esz bytes. */
u32 mb2_put_mmap(struct mb2b *b, const struct mb2_mmap_entry *e, u32 n, u32 esz)
{
	u32 version = 0;

	memset(scratch, 0, sizeof(scratch));
	memcpy(scratch, &esz, 4);
	memcpy(scratch + 4, &version, 4);
	for (u32 i = 0; i < n; i++)
		memcpy(scratch + 8 + i * esz, &e[i], MIN(esz, (u32)sizeof(e[i])));
	return mb2_put_tag(b, MB2_TAG_MMAP, scratch, 8 + n * esz);
}

u32 mb2_put_meminfo(struct mb2b *b, u32 lower, u32 upper)
{
	u32 v[2] = { lower, upper };

	return mb2_put_tag(b, MB2_TAG_BASIC_MEMINFO, v, sizeof(v));
}

u32 mb2_put_efi64(struct mb2b *b, u64 systab)
{
	return mb2_put_tag(b, MB2_TAG_EFI64, &systab, sizeof(systab));
}

/* Tag 14 or 15 holding an RSDP copy with a good signature. */
u32 mb2_put_rsdp(struct mb2b *b, u32 type)
{
	u32 len = type == MB2_TAG_ACPI_NEW ? MB2_RSDP_V2_SIZE : MB2_RSDP_V1_SIZE;

	memset(scratch, 0, len);
	memcpy(scratch, "RSD PTR BOCHS ", 14);
	scratch[15] = type == MB2_TAG_ACPI_NEW ? 2 : 0;
	return mb2_put_tag(b, type, scratch, len);
}

/* Tag 17 with descriptors of dsz bytes, as OVMF reports them (48). */
u32 mb2_put_efi_mmap(struct mb2b *b, const struct efi_ent *e, u32 n, u32 dsz)
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
void mb2_finish(struct mb2b *b)
{
	mb2_put_tag(b, MB2_TAG_END, NULL, 0);
	put32(b->pa, b->off);
}

int mb2_parse(const struct mb2b *b)
{
	return boot_info_parse(MB2_BOOTLOADER_MAGIC, b->pa, fake_map, phys, &bi);
}

/* A block with only a memory map: the base for the malformation tests. */
struct mb2b mb2_minimal(void)
{
	struct mb2b b = mb2_begin();

	mb2_put_mmap(&b, pc_e820, ARRAY_SIZE(pc_e820), sizeof(struct mb2_mmap_entry));
	return b;
}
