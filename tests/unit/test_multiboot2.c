/* test_multiboot2.c: unit tests for the Multiboot2 info parser. */
#include <criterion/criterion.h>
#include <string.h>

#include "boot/memmap.h"
#include "boot/multiboot.h"
#include "tests/unit/fake_log.h"
#include "tests/unit/fake_phys.h"

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
