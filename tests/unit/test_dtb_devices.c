/* test_dtb_devices.c: unit tests for the devices boot/dtb.c finds, and for malformed trees. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "boot/dtb.h"
#include "tests/unit/fake_log.h"
#include "tests/unit/fdt_testlib.h"

/* ------------------------------------------------------------ UART */

static void second_uart(struct fdtb *t)
{
	fb_begin(t, "aliases");
	fb_prop_str(t, "serial0", "/pl011@9000000");
	fb_prop_str(t, "serial1", "/pl011@9040000");
	fb_end(t);
	fb_begin(t, "pl011@9040000");
	fb_prop_cells(t, "reg", 4, 0, 0x9040000, 0, 0x1000);
	fb_prop_strs(t, "compatible", "arm,pl011\0arm,primecell");
	fb_end(t);
}

Test(dtb, stdout_path_with_options)
{
	topt.stdout_path = "/pl011@9040000:115200n8";
	topt.extra = second_uart;
	dt_parse_virt();
	cr_assert_eq(tbi.dev.uart_base, 0x9040000);
	dt_expect_clean();
}

Test(dtb, stdout_path_through_an_alias)
{
	topt.stdout_path = "serial1:115200n8";
	topt.extra = second_uart;
	dt_parse_virt();
	cr_assert_eq(tbi.dev.uart_base, 0x9040000);
	cr_assert_eq(tbi.dev.uart_size, 0x1000);
	dt_expect_clean();
}

Test(dtb, stdout_path_without_unit_address)
{
	topt.stdout_path = "/pl011";
	dt_parse_virt();
	cr_assert_eq(tbi.dev.uart_base, VIRT_UART);
	dt_expect_clean();
}

Test(dtb, stdout_path_to_something_else_uses_the_first_pl011)
{
	topt.stdout_path = "/pl031@9010000";
	topt.extra = second_uart;
	dt_parse_virt();
	cr_assert_eq(tbi.dev.uart_base, VIRT_UART);
	dt_expect_clean();
	dt_expect_log(
		"dtb: stdout-path names /pl031@9010000, not an enabled PL011; using the first "
		"PL011");
}

Test(dtb, stdout_path_to_nothing)
{
	topt.stdout_path = "serial7";
	dt_parse_virt();
	cr_assert_eq(tbi.dev.uart_base, VIRT_UART);
	dt_expect_problems(1);
	dt_expect_log("dtb: /chosen/stdout-path \"serial7\" names no node (not found), ignored");
}

static void uart_disabled_first(struct fdtb *t)
{
	fb_begin(t, "pl011@1000");
	fb_prop_str(t, "status", "disabled");
	fb_prop_cells(t, "reg", 4, 0, 0x1000, 0, 0x1000);
	fb_prop_str(t, "compatible", "arm,pl011");
	fb_end(t);
	fb_begin(t, "pl011@2000");
	fb_prop_str(t, "status", "okay");
	fb_prop_cells(t, "reg", 4, 0, 0x2000, 0, 0x1000);
	fb_prop_str(t, "compatible", "arm,pl011");
	fb_end(t);
	fb_begin(t, "chosen");
	fb_prop_str(t, "stdout-path", "/pl011@1000");
	fb_end(t);
}

Test(dtb, disabled_uart_skipped)
{
	cr_assert_eq(dt_parse_mini(uart_disabled_first), 0);
	cr_assert_eq(tbi.dev.uart_base, 0x2000);
	dt_expect_clean();
	dt_expect_log("not an enabled PL011");
}

static void uart_on_bus(struct fdtb *t, const void *ranges, u32 len, bool nested)
{
	fb_begin(t, "soc");
	fb_prop_str(t, "compatible", "simple-bus");
	fb_prop_u32(t, "#address-cells", 1);
	fb_prop_u32(t, "#size-cells", 1);
	if (ranges)
		fb_prop(t, "ranges", ranges, len);
	if (nested) {
		fb_begin(t, "bus2");
		fb_prop_u32(t, "#address-cells", 1);
		fb_prop_u32(t, "#size-cells", 1);
		fb_prop(t, "ranges", NULL, 0);
	}
	fb_begin(t, "serial@1000");
	fb_prop_cells(t, "reg", 2, 0x1000, 0x1000);
	fb_prop_str(t, "compatible", "arm,pl011");
	fb_end(t);
	if (nested)
		fb_end(t);
	fb_end(t);
}

/* ranges = <child 0x0, parent 0x0 0x9000000, size 0x10000>, <0x100000 ...> */
static const u8 soc_ranges[] = { 0, 0x10, 0, 0, 0, 0, 0, 0, 0x0a, 0, 0, 0, 0, 1, 0, 0,
				 0, 0,	  0, 0, 0, 0, 0, 0, 0x09, 0, 0, 0, 0, 1, 0, 0 };

static void bus_translated(struct fdtb *t)
{
	uart_on_bus(t, soc_ranges, sizeof(soc_ranges), false);
}

static void bus_no_ranges(struct fdtb *t)
{
	uart_on_bus(t, NULL, 0, false);
}

static void bus_empty_ranges(struct fdtb *t)
{
	uart_on_bus(t, "", 0, false);
}

static void bus_nested(struct fdtb *t)
{
	uart_on_bus(t, "", 0, true);
}

static void bus_miss(struct fdtb *t)
{
	uart_on_bus(t, soc_ranges, 16, false); /* only the first entry: 0x100000.. */
}

Test(dtb, uart_behind_a_bus_with_ranges)
{
	cr_assert_eq(dt_parse_mini(bus_translated), 0);
	cr_assert_eq(tbi.dev.uart_base, 0x9001000);
	cr_assert_eq(tbi.dev.uart_size, 0x1000);
	dt_expect_clean();
}

Test(dtb, uart_behind_a_bus_with_empty_ranges)
{
	cr_assert_eq(dt_parse_mini(bus_empty_ranges), 0);
	cr_assert_eq(tbi.dev.uart_base, 0x1000);
	dt_expect_clean();
}

Test(dtb, uart_behind_a_bus_without_ranges)
{
	cr_assert_eq(dt_parse_mini(bus_no_ranges), 0);
	cr_assert_eq(tbi.dev.uart_base, 0);
	dt_expect_problems(1);
	dt_expect_log(
		"dtb: UART /soc/serial@1000 is on a bus without \"ranges\" (not memory-mapped), "
		"ignored");
}

Test(dtb, uart_behind_two_buses)
{
	cr_assert_eq(dt_parse_mini(bus_nested), 0);
	cr_assert_eq(tbi.dev.uart_base, 0);
	dt_expect_problems(1);
	dt_expect_log("dtb: UART /soc/bus2/serial@1000 sits below more than one bus level, not "
		      "supported, ignored");
}

Test(dtb, uart_outside_its_bus_ranges)
{
	cr_assert_eq(dt_parse_mini(bus_miss), 0);
	cr_assert_eq(tbi.dev.uart_base, 0);
	dt_expect_problems(1);
	dt_expect_log(
		"dtb: UART /soc/serial@1000: reg 0x1000+0x1000 is outside its bus's \"ranges\", "
		"ignored");
}

static void uart_no_reg(struct fdtb *t)
{
	fb_begin(t, "pl011@9000000");
	fb_prop_str(t, "compatible", "arm,pl011");
	fb_end(t);
}

Test(dtb, uart_without_reg)
{
	cr_assert_eq(dt_parse_mini(uart_no_reg), 0);
	cr_assert_eq(tbi.dev.uart_base, 0);
	dt_expect_problems(1);
	dt_expect_log("dtb: UART /pl011@9000000 has no reg, ignored");
}

/* ------------------------------------------------------------ GIC */

static void gic_two_redist(struct fdtb *t)
{
	fb_begin(t, "interrupt-controller@2f000000");
	fb_prop_str(t, "compatible", "arm,gic-v3");
	fb_prop_u32(t, "#redistributor-regions", 2);
	fb_prop_cells(t, "reg", 24, 0, 0x2f000000, 0, 0x10000, 0, 0x2f100000, 0, 0x100000, 0,
		      0x2f200000, 0, 0x100000, 0, 0x2c000000, 0, 0x2000, 0, 0x2c010000, 0, 0x2000,
		      0, 0x2c02f000, 0, 0x2000);
	fb_end(t);
}

Test(dtb, gicv3_with_two_redistributor_regions)
{
	cr_assert_eq(dt_parse_mini(gic_two_redist), 0);
	cr_assert_eq(tbi.dev.gic_version, 3);
	cr_assert_eq(tbi.dev.gicd_base, 0x2f000000);
	cr_assert_eq(tbi.dev.gicr_base, 0x2f100000);
	cr_assert_eq(tbi.dev.gicr_size, 0x100000);
	cr_assert_eq(tbi.dev.gicc_base, 0x2c000000);
	cr_assert_eq(tbi.dev.gicc_size, 0x2000);
	cr_assert_eq(tbi.dev.gich_base, 0x2c010000);
	cr_assert_eq(tbi.dev.gicv_base, 0x2c02f000);
	dt_expect_clean();
}

static void gic_400(struct fdtb *t)
{
	fb_begin(t, "interrupt-controller@2c001000");
	fb_prop_strs(t, "compatible", "arm,gic-400\0arm,cortex-a15-gic");
	fb_prop_cells(t, "reg", 8, 0, 0x2c001000, 0, 0x1000, 0, 0x2c002000, 0, 0x2000);
	fb_end(t);
}

Test(dtb, gic_400_without_virtualization_regions)
{
	cr_assert_eq(dt_parse_mini(gic_400), 0);
	cr_assert_eq(tbi.dev.gic_version, 2);
	cr_assert_eq(tbi.dev.gicd_base, 0x2c001000);
	cr_assert_eq(tbi.dev.gicc_base, 0x2c002000);
	cr_assert_eq(tbi.dev.gicc_size, 0x2000);
	cr_assert_eq(tbi.dev.gich_base, 0);
	cr_assert_eq(tbi.dev.gicv_base, 0);
	dt_expect_clean();
}

static void gic_v3_no_gicr(struct fdtb *t)
{
	fb_begin(t, "intc@8000000");
	fb_prop_str(t, "compatible", "arm,gic-v3");
	fb_prop_cells(t, "reg", 4, 0, 0x8000000, 0, 0x10000);
	fb_end(t);
}

Test(dtb, gicv3_without_redistributor_ignored)
{
	cr_assert_eq(dt_parse_mini(gic_v3_no_gicr), 0);
	cr_assert_eq(tbi.dev.gic_version, 0);
	cr_assert_eq(tbi.dev.gicd_base, 0);
	dt_expect_problems(1);
	dt_expect_log(
		"dtb: GIC /intc@8000000 has no redistributor region (reg entry 1), GIC ignored");
}

static void gic_bad_redist_count(struct fdtb *t)
{
	fb_begin(t, "intc@8000000");
	fb_prop_str(t, "compatible", "arm,gic-v3");
	fb_prop_u32(t, "#redistributor-regions", 0);
	fb_prop_cells(t, "reg", 8, 0, 0x8000000, 0, 0x10000, 0, 0x80a0000, 0, 0xf60000);
	fb_end(t);
	fb_begin(t, "intc@9000000"); /* a disabled GIC is skipped */
	fb_prop_str(t, "status", "disabled");
	fb_prop_str(t, "compatible", "arm,gic-v3");
	fb_end(t);
}

Test(dtb, gicv3_bad_redistributor_count)
{
	cr_assert_eq(dt_parse_mini(gic_bad_redist_count), 0);
	cr_assert_eq(tbi.dev.gic_version, 3);
	cr_assert_eq(tbi.dev.gicr_base, 0x80a0000);
	dt_expect_problems(1);
	dt_expect_log("dtb: GIC /intc@8000000 has a bad #redistributor-regions, 1 assumed");
}

/* ------------------------------------------------------------ timer and PSCI */

static void timer_three(struct fdtb *t)
{
	fb_begin(t, "timer");
	fb_prop_str(t, "compatible", "arm,armv8-timer");
	fb_prop_cells(t, "interrupts", 9, 1, 13, 0xf08, 1, 14, 0xf08, 0, 11, 0xf08);
	fb_end(t);
}

Test(dtb, timer_with_three_interrupts_one_not_a_ppi)
{
	cr_assert_eq(dt_parse_mini(timer_three), 0);
	cr_assert(tbi.dev.has_timer);
	cr_assert_eq(tbi.dev.timer_ppi[0], 13);
	cr_assert_eq(tbi.dev.timer_ppi[2], 11);
	cr_assert_eq(tbi.dev.timer_ppi[3], 0);
	dt_expect_problems(2);
	dt_expect_log("dtb: timer /timer lists 3 interrupts, 4 expected");
	dt_expect_log("dtb: timer /timer interrupt 2 has type 0, not a PPI (1)");
}

static void timer_five_and_a_bit(struct fdtb *t)
{
	u32 v[16] = { 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4, 1, 12, 4, 7 };
	u8 raw[64];

	for (u32 i = 0; i < 16; i++)
		for (u32 k = 0; k < 4; k++)
			raw[4 * i + k] = (u8)(v[i] >> (24 - 8 * k));
	fb_begin(t, "timer");
	fb_prop_str(t, "compatible", "arm,armv8-timer");
	fb_prop(t, "interrupts", raw, sizeof(raw));
	fb_end(t);
}

Test(dtb, timer_with_more_interrupts_and_a_partial_entry)
{
	cr_assert_eq(dt_parse_mini(timer_five_and_a_bit), 0);
	cr_assert(tbi.dev.has_timer);
	cr_assert_eq(tbi.dev.timer_ppi[3], 10);
	dt_expect_problems(1);
	dt_expect_log("dtb: timer /timer: interrupts (length 64) is not a whole number of 3-cell "
		      "entries, the rest ignored");
}

static void timer_no_interrupts(struct fdtb *t)
{
	fb_begin(t, "timer");
	fb_prop_str(t, "compatible", "arm,armv8-timer");
	fb_prop_cells(t, "interrupts", 2, 1, 13);
	fb_end(t);
}

Test(dtb, timer_without_interrupts)
{
	cr_assert_eq(dt_parse_mini(timer_no_interrupts), 0);
	cr_assert(!tbi.dev.has_timer);
	dt_expect_problems(1);
	dt_expect_log("dtb: timer /timer has no interrupts, ignored");
}

Test(dtb, psci_hvc)
{
	topt.psci_method = "hvc";
	dt_parse_virt();
	cr_assert(tbi.dev.has_psci);
	cr_assert(!tbi.dev.psci_smc);
	dt_expect_clean();
}

Test(dtb, psci_unknown_method)
{
	topt.psci_method = "svc";
	dt_parse_virt();
	cr_assert(!tbi.dev.has_psci);
	cr_assert(!tbi.dev.psci_smc);
	dt_expect_problems(1);
	dt_expect_log("dtb: PSCI /psci has method \"svc\" (not \"smc\" or \"hvc\"), ignored");
}

static void psci_old(struct fdtb *t)
{
	fb_begin(t, "psci");
	fb_prop_str(t, "compatible", "arm,psci-0.2");
	fb_prop_str(t, "method", "hvc");
	fb_end(t);
	fb_begin(t, "psci2");
	fb_prop_str(t, "compatible", "arm,psci");
	fb_end(t);
}

Test(dtb, psci_0_2)
{
	cr_assert_eq(dt_parse_mini(psci_old), 0);
	cr_assert(tbi.dev.has_psci);
	cr_assert(!tbi.dev.psci_smc);
	dt_expect_clean();
}

static void psci_no_method(struct fdtb *t)
{
	fb_begin(t, "psci");
	fb_prop_str(t, "compatible", "arm,psci");
	fb_end(t);
}

Test(dtb, psci_without_method)
{
	cr_assert_eq(dt_parse_mini(psci_no_method), 0);
	cr_assert(!tbi.dev.has_psci);
	dt_expect_problems(1);
	dt_expect_log("dtb: PSCI /psci has no method, ignored");
}

/* ------------------------------------------------------------ malformed blobs */

/* What a rejected tree leaves: bi zeroed but for the protocol and the address. */
static void expect_rejected(const char *text)
{
	struct boot_info zero;

	cr_assert_eq(fake_log_count(LOG_ERROR), 1, "%s", fake_log_text());
	dt_expect_log(text);
	memset(&zero, 0, sizeof(zero));
	zero.proto = BOOT_PROTO_IMAGE;
	zero.dtb = DTB_PA;
	cr_assert_eq(memcmp(&tbi, &zero, sizeof(zero)), 0, "boot_info not cleared");
}

Test(dtb, bad_magic)
{
	dt_parse_virt();
	blob_set32(&tblob, FDT_H_MAGIC, 0x12345678);
	memset(&tbi, 0x5a, sizeof(tbi));
	fake_log_reset();
	cr_assert_eq(dt_parse(), -1);
	expect_rejected("dtb: bad magic 0x12345678 at 0x48000000 (not a device tree)");
}

Test(dtb, null_blob)
{
	cr_assert_eq(dtb_parse(NULL, DTB_PA, &tbi), -1);
	expect_rejected("dtb: device tree at 0x48000000 is malformed: no device tree (null "
			"pointer)");
}

Test(dtb, huge_totalsize)
{
	dt_parse_virt();
	blob_set32(&tblob, FDT_H_TOTALSIZE, 0x80000000);
	fake_log_reset();
	cr_assert_eq(dt_parse(), -1);
	expect_rejected("dtb: device tree at 0x48000000 is malformed: totalsize 0x80000000 larger "
			"than the 0x200000-byte limit");
}

Test(dtb, blob_shorter_than_its_totalsize)
{
	u32 size;

	dt_parse_virt();
	size = tblob.size;
	blob_resize(&tblob, size - 8);
	fake_log_reset();
	cr_assert_eq(dtb_parse_sized(tblob.p, tblob.size, DTB_PA, &tbi), -1);
	expect_rejected("is malformed: totalsize");
	dt_expect_log("runs past the");
}

Test(dtb, property_past_the_structure_block)
{
	u32 prop;

	fb_begin(&tree, "");
	prop = fb_prop_u32(&tree, "#address-cells", 2);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	blob_set32(&tblob, blob_struct(&tblob, prop) + 4, 0x100);
	cr_assert_eq(dt_parse(), -1);
	expect_rejected("dtb: device tree at 0x48000000 is malformed: property at struct offset "
			"0x8 (length 0x100) runs past the block (size 0x20)");
}

Test(dtb, unbalanced_tree)
{
	fb_begin(&tree, "");
	fb_begin(&tree, "memory@0");
	fb_end(&tree);
	tblob = fb_finish(&tree);
	cr_assert_eq(dt_parse(), -1);
	expect_rejected("is malformed: FDT_END at struct offset 0x1c with 1 node(s) still open");
}

/* ------------------------------------------------------------ hostile bytes */

Test(dtb, random_corruption_is_survived_or_refused)
{
	struct blob whole;
	u32 seed = 777, ok = 0;

	topt.bootargs = "console=ttyAMA0";
	topt.initrd_cells = 2;
	topt.initrd_start = 0x44000000;
	topt.initrd_end = 0x44100000;
	topt.memreserve = true;
	topt.reserved_memory = true;
	topt.gic_v3_cpuif = true;
	topt.extra = second_uart;
	topt.stdout_path = "serial1:115200";
	whole = virt_blob(&topt);
	tblob.p = malloc(whole.size);
	tblob.size = whole.size;
	for (int iter = 0; iter < 1500; iter++) {
		memcpy(tblob.p, whole.p, whole.size);
		for (int k = 0; k < 1 + iter % 3; k++) {
			seed = seed * 1103515245u + 12345u;
			u32 pos = (seed >> 8) % whole.size;

			seed = seed * 1103515245u + 12345u;
			tblob.p[pos] = (u8)(seed >> 29 ? seed >> 16 : (seed >> 16) % 5);
		}
		fake_log_reset();
		if (!dtb_parse_sized(tblob.p, tblob.size, DTB_PA, &tbi)) {
			ok++;
			cr_assert_leq(tbi.nr_mem, BOOT_MAX_MEM_RANGES);
			cr_assert_leq(tbi.nr_mods, 1);
			cr_assert_lt(strlen(tbi.cmdline), BOOT_CMDLINE_MAX);
		}
	}
	cr_assert_gt(ok, 100, "only %u of the corrupted trees parsed", ok);
	blob_free(&whole);
}
