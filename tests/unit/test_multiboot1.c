/* test_multiboot1.c: unit tests for the Multiboot1 info parser and the boot magic dispatch. */
#include <criterion/criterion.h>
#include <string.h>

#include "boot/memmap.h"
#include "boot/multiboot.h"
#include "tests/unit/fake_log.h"
#include "tests/unit/fake_phys.h"

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
