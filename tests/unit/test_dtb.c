/* test_dtb.c: unit tests for turning a device tree into struct boot_info: memory, /chosen. */
#include <criterion/criterion.h>
#include <string.h>

#include "boot/dtb.h"
#include "tests/unit/fake_log.h"
#include "tests/unit/fdt_testlib.h"

/* ------------------------------------------------------------ QEMU virt */

Test(dtb, qemu_virt_gicv3_everything)
{
	topt.bootargs = "console=ttyAMA0 log=debug";
	topt.initrd_cells = 2;
	topt.initrd_start = 0x44000000;
	topt.initrd_end = 0x44002710;
	memset(&tbi, 0xa5, sizeof(tbi)); /* zeroed by the parser */
	dt_parse_virt();
	cr_assert_eq(tbi.proto, BOOT_PROTO_IMAGE);
	cr_assert_eq(tbi.firmware, BOOT_FW_BIOS);
	cr_assert_eq(tbi.dtb, DTB_PA);
	cr_assert_eq(tbi.info_start, DTB_PA);
	cr_assert_eq(tbi.info_end, DTB_PA + tblob.size);
	cr_assert_str_eq(tbi.loader_name, "device tree");
	cr_assert_str_eq(tbi.cmdline, "console=ttyAMA0 log=debug");
	dt_expect_virt_ram();
	cr_assert_eq(tbi.initrd_start, 0x44000000);
	cr_assert_eq(tbi.initrd_end, 0x44002710);
	cr_assert_eq(tbi.nr_mods, 1);
	cr_assert_eq(tbi.mods[0].start, 0x44000000);
	cr_assert_eq(tbi.mods[0].end, 0x44002710);
	cr_assert_str_eq(tbi.mods[0].cmdline, "initrd");
	cr_assert_eq(tbi.dev.uart_base, VIRT_UART);
	cr_assert_eq(tbi.dev.uart_size, VIRT_UART_SIZE);
	cr_assert_eq(tbi.dev.gic_version, 3);
	cr_assert_eq(tbi.dev.gicd_base, VIRT_GICD);
	cr_assert_eq(tbi.dev.gicd_size, VIRT_GICD_SIZE);
	cr_assert_eq(tbi.dev.gicr_base, VIRT_GICR);
	cr_assert_eq(tbi.dev.gicr_size, VIRT_GICR_SIZE);
	cr_assert_eq(tbi.dev.gicc_base, 0);
	cr_assert_eq(tbi.dev.gicc_size, 0);
	cr_assert_eq(tbi.dev.gich_base, 0);
	cr_assert_eq(tbi.dev.gicv_base, 0);
	cr_assert(tbi.dev.has_timer);
	cr_assert_eq(tbi.dev.timer_ppi[0], 13);
	cr_assert_eq(tbi.dev.timer_ppi[1], 14);
	cr_assert_eq(tbi.dev.timer_ppi[2], 11);
	cr_assert_eq(tbi.dev.timer_ppi[3], 10);
	cr_assert(tbi.dev.has_psci);
	cr_assert(tbi.dev.psci_smc);
	cr_assert_eq(tbi.rsdp, 0);
	cr_assert_eq(tbi.efi_systab, 0);
	dt_expect_clean();
}

Test(dtb, qemu_virt_initrd_as_32_bit_cells)
{
	topt.initrd_cells = 1;
	topt.initrd_start = 0x48000000;
	topt.initrd_end = 0x48002710;
	dt_parse_virt();
	cr_assert_eq(tbi.initrd_start, 0x48000000);
	cr_assert_eq(tbi.initrd_end, 0x48002710);
	cr_assert_eq(tbi.nr_mods, 1);
	cr_assert_eq(tbi.mods[0].end, 0x48002710);
	cr_assert_str_eq(tbi.cmdline, "");
	dt_expect_clean();
}

Test(dtb, qemu_virt_without_initrd_or_bootargs)
{
	dt_parse_virt();
	cr_assert_eq(tbi.nr_mods, 0);
	cr_assert_eq(tbi.initrd_start, 0);
	cr_assert_eq(tbi.initrd_end, 0);
	cr_assert_str_eq(tbi.cmdline, "");
	dt_expect_clean();
}

Test(dtb, qemu_virt_gicv2)
{
	topt.gic = 2;
	dt_parse_virt();
	cr_assert_eq(tbi.dev.gic_version, 2);
	cr_assert_eq(tbi.dev.gicd_base, VIRT_GICD);
	cr_assert_eq(tbi.dev.gicd_size, VIRT_GICD_SIZE);
	cr_assert_eq(tbi.dev.gicc_base, VIRT_GICC);
	cr_assert_eq(tbi.dev.gicc_size, VIRT_GICC_SIZE);
	cr_assert_eq(tbi.dev.gich_base, VIRT_GICH);
	cr_assert_eq(tbi.dev.gicv_base, VIRT_GICV);
	cr_assert_eq(tbi.dev.gicr_base, 0);
	cr_assert_eq(tbi.dev.gicr_size, 0);
	dt_expect_clean();
}

Test(dtb, qemu_virt_gicv3_with_cpu_interface_regions)
{
	topt.gic_v3_cpuif = true;
	dt_parse_virt();
	cr_assert_eq(tbi.dev.gic_version, 3);
	cr_assert_eq(tbi.dev.gicr_base, VIRT_GICR);
	cr_assert_eq(tbi.dev.gicc_base, VIRT_GICC);
	cr_assert_eq(tbi.dev.gicc_size, VIRT_GICC_SIZE);
	cr_assert_eq(tbi.dev.gich_base, VIRT_GICH);
	cr_assert_eq(tbi.dev.gicv_base, VIRT_GICV);
	dt_expect_clean();
}

Test(dtb, qemu_virt_memreserve_and_reserved_memory)
{
	topt.memreserve = true;
	topt.reserved_memory = true;
	dt_parse_virt();
	cr_assert_eq(tbi.nr_mem, 4, "%u ranges", tbi.nr_mem);
	dt_expect_range(0, VIRT_RAM_BASE, VIRT_RSV_BASE - VIRT_RAM_BASE, MEM_RAM);
	dt_expect_range(1, VIRT_RSV_BASE, VIRT_RSV_SIZE, MEM_RESERVED);
	dt_expect_range(2, VIRT_RSV_BASE + VIRT_RSV_SIZE,
			VIRT_RESMEM_BASE - VIRT_RSV_BASE - VIRT_RSV_SIZE, MEM_RAM);
	dt_expect_range(3, VIRT_RESMEM_BASE, VIRT_RESMEM_SIZE, MEM_RESERVED);
	dt_expect_clean();
}

Test(dtb, qemu_virt_without_devices)
{
	topt.gic = 0;
	topt.no_uart = true;
	topt.no_timer = true;
	topt.no_psci = true;
	topt.stdout_path = NULL;
	dt_parse_virt();
	cr_assert_eq(tbi.dev.uart_base, 0);
	cr_assert_eq(tbi.dev.gic_version, 0);
	cr_assert(!tbi.dev.has_timer);
	cr_assert(!tbi.dev.has_psci);
	/* Missing devices are said, but they are not malformations. */
	cr_assert_eq(tbi.nr_problems, 0);
	dt_expect_log("no PL011 UART");
	dt_expect_log("no GIC");
	dt_expect_log("no generic timer");
	cr_assert_eq(fake_log_count(LOG_WARN), 3, "%s", fake_log_text());
}

/* ------------------------------------------------------------ /chosen */

static char long_args[700];

static void chosen_long(struct fdtb *t)
{
	memset(long_args, 'a', sizeof(long_args) - 1);
	fb_begin(t, "chosen");
	fb_prop_str(t, "bootargs", long_args);
	fb_end(t);
}

Test(dtb, bootargs_too_long_truncated)
{
	cr_assert_eq(dt_parse_mini(chosen_long), 0);
	cr_assert_eq(strlen(tbi.cmdline), BOOT_CMDLINE_MAX - 1);
	cr_assert_eq(memcmp(tbi.cmdline, long_args, BOOT_CMDLINE_MAX - 1), 0);
	dt_expect_problems(1);
	dt_expect_log("dtb: /chosen/bootargs is 699 bytes, longer than 511, truncated");
}

static void chosen_unterminated(struct fdtb *t)
{
	fb_begin(t, "chosen");
	fb_prop(t, "bootargs", "log=debug", 9);
	fb_end(t);
}

Test(dtb, bootargs_unterminated_cut_at_its_end)
{
	cr_assert_eq(dt_parse_mini(chosen_unterminated), 0);
	cr_assert_str_eq(tbi.cmdline, "log=debug");
	dt_expect_problems(1);
	dt_expect_log("dtb: /chosen/bootargs is not NUL-terminated, cut at its end (9 bytes)");
}

static void chosen_empty_args(struct fdtb *t)
{
	fb_begin(t, "chosen");
	fb_prop(t, "bootargs", NULL, 0);
	fb_end(t);
}

Test(dtb, bootargs_empty)
{
	cr_assert_eq(dt_parse_mini(chosen_empty_args), 0);
	cr_assert_str_eq(tbi.cmdline, "");
	dt_expect_clean();
}

static void initrd_backwards(struct fdtb *t)
{
	fb_begin(t, "chosen");
	fb_prop_u64(t, "linux,initrd-start", 0x48100000);
	fb_prop_u64(t, "linux,initrd-end", 0x48000000);
	fb_end(t);
}

static void initrd_empty(struct fdtb *t)
{
	fb_begin(t, "chosen");
	fb_prop_u32(t, "linux,initrd-start", 0x48000000);
	fb_prop_u64(t, "linux,initrd-end", 0x48000000); /* mixed widths are fine */
	fb_end(t);
}

static void initrd_no_end(struct fdtb *t)
{
	fb_begin(t, "chosen");
	fb_prop_u32(t, "linux,initrd-start", 0x48000000);
	fb_end(t);
}

static void initrd_bad_length(struct fdtb *t)
{
	fb_begin(t, "chosen");
	fb_prop_u32(t, "linux,initrd-start", 0x48000000);
	fb_prop(t, "linux,initrd-end", "\x48\x10", 2);
	fb_end(t);
}

static void expect_no_initrd(void)
{
	cr_assert_eq(tbi.nr_mods, 0);
	cr_assert_eq(tbi.initrd_start, 0);
	cr_assert_eq(tbi.initrd_end, 0);
	dt_expect_problems(1);
}

Test(dtb, initrd_ending_before_it_starts)
{
	cr_assert_eq(dt_parse_mini(initrd_backwards), 0);
	expect_no_initrd();
	dt_expect_log(
		"dtb: initrd end 0x48000000 is not after its start 0x48100000, initrd ignored");
}

Test(dtb, initrd_empty_is_ignored)
{
	cr_assert_eq(dt_parse_mini(initrd_empty), 0);
	expect_no_initrd();
	dt_expect_log("is not after its start");
}

Test(dtb, initrd_without_end)
{
	cr_assert_eq(dt_parse_mini(initrd_no_end), 0);
	expect_no_initrd();
	dt_expect_log(
		"dtb: /chosen has linux,initrd-start but no linux,initrd-end, initrd ignored");
}

Test(dtb, initrd_of_bad_length)
{
	cr_assert_eq(dt_parse_mini(initrd_bad_length), 0);
	expect_no_initrd();
	dt_expect_log("dtb: /chosen/linux,initrd-end is not 4 or 8 bytes long, initrd ignored");
}

/* ------------------------------------------------------------ memory */

static void memory_variety(struct fdtb *t)
{
	fb_begin(t, "memory@80000000"); /* two banks, by name alone */
	fb_prop_cells(t, "reg", 8, 0, 0x80000000, 0, 0x10000000, 0x1, 0, 0, 0x40000000);
	fb_end(t);
	fb_begin(t, "ram@c0000000"); /* by device_type alone */
	fb_prop_str(t, "device_type", "memory");
	fb_prop_cells(t, "reg", 4, 0, 0xc0000000, 0, 0x1000000);
	fb_end(t);
	fb_begin(t, "memory@d0000000");
	fb_prop_str(t, "status", "disabled");
	fb_prop_cells(t, "reg", 4, 0, 0xd0000000, 0, 0x1000000);
	fb_end(t);
	fb_begin(t, "memory");
	fb_prop_str(t, "status", "ok");
	fb_prop_cells(t, "reg", 4, 0, 0xe0000000, 0, 0x1000);
	fb_end(t);
	fb_begin(t, "soc");
	fb_begin(t, "memory@f0000000"); /* not a child of the root: some device's */
	fb_prop_str(t, "device_type", "memory");
	fb_prop_cells(t, "reg", 4, 0, 0xf0000000, 0, 0x1000);
	fb_end(t);
	fb_end(t);
	fb_begin(t, "memoryx@0"); /* not "memory" */
	fb_prop_cells(t, "reg", 4, 0, 0, 0, 0x1000);
	fb_end(t);
}

Test(dtb, memory_nodes_by_name_or_type)
{
	cr_assert_eq(dt_parse_mini(memory_variety), 0, "%s", fake_log_text());
	cr_assert_eq(tbi.nr_mem, 5, "%u ranges", tbi.nr_mem);
	dt_expect_range(0, 0x40000000, 0x20000000, MEM_RAM);
	dt_expect_range(1, 0x80000000, 0x10000000, MEM_RAM);
	dt_expect_range(2, 0xc0000000, 0x1000000, MEM_RAM);
	dt_expect_range(3, 0xe0000000, 0x1000, MEM_RAM);
	dt_expect_range(4, 0x100000000ULL, 0x40000000, MEM_RAM);
	dt_expect_clean();
}

static void tree_32bit(void)
{
	fb_begin(&tree, "");
	fb_prop_u32(&tree, "#address-cells", 1);
	fb_prop_u32(&tree, "#size-cells", 1);
	fb_begin(&tree, "memory@80000000");
	fb_prop_str(&tree, "device_type", "memory");
	fb_prop_cells(&tree, "reg", 4, 0x80000000, 0x8000000, 0x90000000, 0x8000000);
	fb_end(&tree);
	fb_begin(&tree, "uart@1c090000");
	fb_prop_str(&tree, "compatible", "arm,pl011");
	fb_prop_cells(&tree, "reg", 2, 0x1c090000, 0x1000);
	fb_end(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
}

Test(dtb, root_with_32_bit_cells)
{
	tree_32bit();
	cr_assert_eq(dt_parse(), 0, "%s", fake_log_text());
	cr_assert_eq(tbi.nr_mem, 2);
	dt_expect_range(0, 0x80000000, 0x8000000, MEM_RAM);
	dt_expect_range(1, 0x90000000, 0x8000000, MEM_RAM);
	cr_assert_eq(tbi.dev.uart_base, 0x1c090000);
	cr_assert_eq(tbi.dev.uart_size, 0x1000);
	cr_assert_eq(tbi.nr_problems, 0, "%s", fake_log_text());
}

Test(dtb, no_memory_is_an_error)
{
	fb_begin(&tree, "");
	fb_begin(&tree, "chosen");
	fb_end(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	cr_assert_eq(dt_parse(), -1);
	cr_assert_eq(fake_log_count(LOG_ERROR), 1);
	dt_expect_log("dtb: no usable memory: the device tree at 0x48000000 describes no RAM");
}

static void memory_partial(struct fdtb *t)
{
	fb_begin(t, "memory@80000000");
	fb_prop_cells(t, "reg", 6, 0, 0x80000000, 0, 0x1000000, 0, 0x90000000);
	fb_end(t);
	fb_begin(t, "memory@a0000000");
	fb_end(t);
	fb_begin(t, "memory@b0000000");
	fb_prop_cells(t, "reg", 3, 0, 0xb0000000, 0);
	fb_end(t);
}

Test(dtb, memory_reg_problems_are_survived)
{
	cr_assert_eq(dt_parse_mini(memory_partial), 0);
	cr_assert_eq(tbi.nr_mem, 2);
	dt_expect_range(1, 0x80000000, 0x1000000, MEM_RAM);
	dt_expect_problems(3);
	dt_expect_log(
		"dtb: memory node /memory@80000000: reg (24 bytes) ends with a partial entry, "
		"ignored");
	dt_expect_log("dtb: memory node /memory@a0000000 has no reg, ignored");
	dt_expect_log(
		"dtb: memory node /memory@b0000000 has a reg of 12 bytes, less than one entry");
}

static void root_cells_3(void)
{
	fb_begin(&tree, "");
	fb_prop_u32(&tree, "#address-cells", 3);
	fb_begin(&tree, "memory@0");
	fb_prop_cells(&tree, "reg", 4, 0, 0, 0x40000000, 0x1000);
	fb_end(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
}

Test(dtb, root_cells_we_cannot_decode)
{
	root_cells_3();
	cr_assert_eq(dt_parse(), -1);
	dt_expect_log("dtb: memory node /memory@0: reg cannot be decoded with #address-cells 3, "
		      "#size-cells 1");
	dt_expect_log("no usable memory");
	cr_assert_eq(tbi.nr_problems, 1);
}

static void many_banks(struct fdtb *t)
{
	static u8 reg[200 * 16];

	for (u32 i = 0; i < 200; i++) {
		u64 base = 0x100000000ULL + i * 0x200000ULL;

		for (int k = 0; k < 8; k++) {
			reg[16 * i + k] = (u8)(base >> (56 - 8 * k));
			reg[16 * i + 8 + k] = (u8)(0x100000ULL >> (56 - 8 * k));
		}
	}
	fb_begin(t, "memory@100000000");
	fb_prop(t, "reg", reg, sizeof(reg));
	fb_end(t);
}

Test(dtb, more_ranges_than_the_table_holds)
{
	cr_assert_eq(dt_parse_mini(many_banks), 0);
	cr_assert_eq(tbi.nr_mem, BOOT_MAX_MEM_RANGES);
	dt_expect_range(0, 0x40000000, 0x20000000, MEM_RAM);
	dt_expect_problems(1);
	dt_expect_log("dtb: more than 128 memory ranges, 73 dropped (RAM among them is not used; "
		      "reserved ones are still kept out of RAM)");
}

static void reserved_variety(struct fdtb *t)
{
	fb_begin(t, "reserved-memory");
	fb_prop_u32(t, "#address-cells", 2);
	fb_prop_u32(t, "#size-cells", 2);
	fb_prop(t, "ranges", NULL, 0);
	fb_begin(t, "linux,cma"); /* allocated by the OS: nothing fixed */
	fb_prop_str(t, "compatible", "shared-dma-pool");
	fb_prop_cells(t, "size", 2, 0, 0x4000000);
	fb_end(t);
	fb_begin(t, "fw@50000000");
	fb_prop_str(t, "status", "disabled");
	fb_prop_cells(t, "reg", 4, 0, 0x50000000, 0, 0x1000);
	fb_end(t);
	fb_begin(t, "tee@5e000000");
	fb_prop_cells(t, "reg", 4, 0, 0x5e000000, 0, 0x200000);
	fb_end(t);
	fb_end(t);
}

Test(dtb, reserved_memory_children)
{
	cr_assert_eq(dt_parse_mini(reserved_variety), 0);
	cr_assert_eq(tbi.nr_mem, 3);
	dt_expect_range(0, 0x40000000, 0x1e000000, MEM_RAM);
	dt_expect_range(1, 0x5e000000, 0x200000, MEM_RESERVED);
	dt_expect_range(2, 0x5e200000, 0x1e00000, MEM_RAM);
	dt_expect_clean();
}

static void two_banks(struct fdtb *t)
{
	fb_begin(t, "memory@80000000");
	fb_prop_cells(t, "reg", 8, 0, 0x80000000, 0, 0x1000000, 0, 0x90000000, 0, 0x1000000);
	fb_end(t);
}

Test(dtb, reservations_are_cut_out_of_ram)
{
	fb_rsv(&tree, 0x40000000, 0x1000);    /* the start of a bank */
	fb_rsv(&tree, 0x5ffff000, 0x1000);    /* its end */
	fb_rsv(&tree, 0x80000000, 0x1000000); /* a whole bank */
	fb_rsv(&tree, 0x90800000, 0x1000000); /* straddling the end of a bank */
	fb_rsv(&tree, 0x10000, 0x1000);	      /* outside RAM */
	cr_assert_eq(dt_parse_mini(two_banks), 0);
	cr_assert_eq(tbi.nr_mem, 7, "%u ranges", tbi.nr_mem);
	dt_expect_range(0, 0x10000, 0x1000, MEM_RESERVED);
	dt_expect_range(1, 0x40000000, 0x1000, MEM_RESERVED);
	dt_expect_range(2, 0x40001000, 0x1fffe000, MEM_RAM);
	dt_expect_range(3, 0x5ffff000, 0x1000, MEM_RESERVED);
	dt_expect_range(4, 0x80000000, 0x1000000, MEM_RESERVED);
	dt_expect_range(5, 0x90000000, 0x800000, MEM_RAM);
	dt_expect_range(6, 0x90800000, 0x1000000, MEM_RESERVED);
	dt_expect_clean();
}

Test(dtb, reservations_of_zero_size_or_past_2_64)
{
	fb_rsv(&tree, 0x50000000, 0);
	fb_rsv(&tree, 0x5ff00000, UINT64_MAX);
	cr_assert_eq(dt_parse_mini(NULL), 0);
	cr_assert_eq(tbi.nr_mem, 2, "%s", fake_log_text());
	dt_expect_range(0, 0x40000000, 0x1ff00000, MEM_RAM);
	dt_expect_range(1, 0x5ff00000, 0 - 0x5ff00000ULL, MEM_RESERVED); /* to 2^64 */
	cr_assert_eq(tbi.nr_problems, 2, "%s", fake_log_text());
	dt_expect_log("memmap: zero-length range at 0x50000000");
	dt_expect_log("runs past 2^64");
}

static void full_table(struct fdtb *t)
{
	static u8 reg[127 * 16];

	for (u32 i = 0; i < 127; i++) {
		u64 base = 0x100000000ULL + i * 0x200000ULL;

		for (int k = 0; k < 8; k++) {
			reg[16 * i + k] = (u8)(base >> (56 - 8 * k));
			reg[16 * i + 8 + k] = (u8)(0x100000ULL >> (56 - 8 * k));
		}
	}
	fb_begin(t, "memory@100000000");
	fb_prop(t, "reg", reg, sizeof(reg));
	fb_end(t);
}

Test(dtb, reservation_with_no_room_left_still_keeps_its_memory)
{
	/* 128 RAM ranges; a hole in the middle of one needs a 129th. */
	fb_rsv(&tree, 0x100a40000, 0x1000);
	cr_assert_eq(dt_parse_mini(full_table), 0);
	cr_assert_eq(tbi.nr_mem, BOOT_MAX_MEM_RANGES);
	for (u32 i = 0; i < tbi.nr_mem; i++)
		cr_assert(tbi.mem[i].base + tbi.mem[i].len <= 0x100a40000 ||
				  tbi.mem[i].base >= 0x100a41000,
			  "range %u 0x%llx+0x%llx covers the reservation", i,
			  (unsigned long long)tbi.mem[i].base, (unsigned long long)tbi.mem[i].len);
	dt_expect_range(6, 0x100a00000, 0x40000, MEM_RAM);
	dt_expect_problems(1);
	dt_expect_log("dtb: more than 128 memory ranges, 2 dropped");
}
