/* test_vpl011.c: host tests of the emulated PL011 UART (drivers/vpl011.c) in the guest platform. */
#include <criterion/criterion.h>
#include <string.h>

#include "drivers/vplat.h"
#include "err.h"
#include "fake_log.h"

#define UART 0x09000000ULL
#define MAX_LINES 16

static char lines[MAX_LINES][VUART_LINE_MAX + 1];
static char names[MAX_LINES][VPLAT_NAME_MAX];
static int nlines;
static struct vplat plat;

static void on_line(void *ctx, const char *vm_name, const char *line)
{
	cr_assert(nlines < MAX_LINES);
	cr_assert_eq(ctx, &plat);
	strcpy(names[nlines], vm_name);
	strcpy(lines[nlines++], line);
}

static void setup(void)
{
	nlines = 0;
	fake_log_reset();
	vplat_init(&plat, "a64guest", 0x4000000, 1, on_line, &plat);
	vplat_enable_pl011(&plat, UART);
}

TestSuite(vpl011, .init = setup, .timeout = 30);

static u64 mmio(u64 gpa, u8 size, bool write, u64 v, int want_rc)
{
	cr_assert_eq(vplat_mmio(&plat, gpa, size, write, &v), want_rc, "gpa %#llx size %u",
		     (unsigned long long)gpa, size);
	return v;
}

static u64 rd(u64 off, u8 size)
{
	return mmio(UART + off, size, false, 0xA5A5A5A5A5A5A5A5ULL, VPLAT_DEVICE);
}

static void wr(u64 off, u8 size, u64 v)
{
	mmio(UART + off, size, true, v, VPLAT_DEVICE);
}

static void puts_dr(const char *s)
{
	while (*s)
		wr(0x000, 4, (u8)*s++);
}

/* ---------------------------------------------------------------- output */

Test(vpl011, lines_go_to_the_callback_with_the_vm_name)
{
	puts_dr("hello from EL1\r\nsecond\n\n");
	cr_assert_eq(nlines, 3);
	cr_expect_str_eq(lines[0], "hello from EL1");
	cr_expect_str_eq(lines[1], "second");
	cr_expect_str_eq(lines[2], "");
	cr_expect_str_eq(names[0], "a64guest");
	/* A partial line waits for its newline or for the VM to end. */
	puts_dr("no newline");
	cr_expect_eq(nlines, 3);
	vplat_flush(&plat);
	cr_assert_eq(nlines, 4);
	cr_expect_str_eq(lines[3], "no newline");
	vplat_flush(&plat);
	cr_expect_eq(nlines, 4);
	cr_expect_eq(plat.pl011_bad + plat.unbacked_mmio, 0);
}

Test(vpl011, same_filtering_and_cutting_as_the_16550)
{
	puts_dr("\x1b[31mred\tx");
	wr(0x000, 4, 0);
	wr(0x000, 4, 0xFF);
	wr(0x000, 4, 0x7F);
	wr(0x000, 4, '\n');
	cr_assert_eq(nlines, 1);
	cr_expect_str_eq(lines[0], "?[31mred\tx???");
	for (int i = 0; i < 250; i++)
		wr(0x000, 4, (u8)('a' + i % 26));
	cr_assert_eq(nlines, 2);
	cr_expect_eq(strlen(lines[1]), VUART_LINE_MAX);
	vplat_flush(&plat);
	cr_assert_eq(nlines, 3);
	cr_expect_eq(strlen(lines[2]), 50);
}

Test(vpl011, one_line_from_every_output_path)
{
	u32 c = 'B';

	wr(0x000, 4, 'A');
	cr_assert_eq(vplat_pio(&plat, 0x3F8, 1, false, &c), VPLAT_DEVICE);
	vplat_console_write(&plat, "C", 1);
	wr(0x000, 1, '\n');
	cr_assert_eq(nlines, 1);
	cr_expect_str_eq(lines[0], "ABC");
}

Test(vpl011, data_register_sizes)
{
	wr(0x000, 1, 'a');
	wr(0x000, 2, 0x0162);			/* 'b'; bits 15:8 are not data */
	wr(0x000, 4, 0xFFFFFF63);		/* 'c' */
	wr(0x001, 1, 'X');			/* byte 1 of DR: no character */
	wr(0x002, 2, 'Y');			/* bytes 2-3: none either */
	mmio(UART, 8, true, 'Z', VPLAT_DEVICE); /* 8 bytes: a bad access */
	wr(0x000, 4, '\n');
	cr_assert_eq(nlines, 1);
	cr_expect_str_eq(lines[0], "abc");
	cr_expect_eq(plat.pl011_bad, 1);
	/* Nothing is ever received. */
	cr_expect_eq(rd(0x000, 4), 0);
	cr_expect_eq(rd(0x000, 1), 0);
	cr_expect_eq(rd(0x004, 4), 0);
	wr(0x004, 4, 0xF); /* ECR: clears nothing */
	cr_expect_eq(rd(0x004, 4), 0);
	cr_expect_eq(plat.pl011_bad, 1);
}

/* ---------------------------------------------------------------- registers */

Test(vpl011, flags_say_empty_and_idle)
{
	cr_expect_eq(rd(0x018, 4), 0x90);
	cr_expect_eq(rd(0x018, 2), 0x90);
	cr_expect_eq(rd(0x018, 1), 0x90);
	cr_expect_eq(rd(0x019, 1), 0);
	cr_expect_eq(rd(0x01A, 2), 0);
	wr(0x018, 4, 0xFFFFFFFF); /* read-only */
	cr_expect_eq(rd(0x018, 4), 0x90);
	/* TXFF (bit 5) and BUSY (bit 3) stay clear while writing. */
	puts_dr("busy?");
	cr_expect_eq(rd(0x018, 4) & (0x20 | 0x08), 0);
	cr_expect_eq(plat.pl011_bad, 0);
}

Test(vpl011, id_registers)
{
	static const u8 id[8] = { 0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };

	for (u32 i = 0; i < 8; i++) {
		cr_expect_eq(rd(0xFE0 + 4 * i, 4), id[i], "ID register %u", i);
		cr_expect_eq(rd(0xFE0 + 4 * i, 1), id[i]);
		cr_expect_eq(rd(0xFE0 + 4 * i, 2), id[i]);
		cr_expect_eq(rd(0xFE0 + 4 * i + 1, 1), 0);
		cr_expect_eq(rd(0xFE0 + 4 * i + 2, 2), 0);
		wr(0xFE0 + 4 * i, 4, 0xFF); /* read-only */
		cr_expect_eq(rd(0xFE0 + 4 * i, 4), id[i]);
	}
	cr_expect_eq(plat.pl011_bad, 0);
}

Test(vpl011, control_registers_read_back_masked)
{
	static const struct {
		u32 off, mask, reset;
	} regs[] = {
		{ 0x020, 0xFF, 0 },	  /* ILPR */
		{ 0x024, 0xFFFF, 0 },	  /* IBRD */
		{ 0x028, 0x3F, 0 },	  /* FBRD */
		{ 0x02C, 0xFF, 0 },	  /* LCR_H */
		{ 0x030, 0xFF87, 0x300 }, /* CR: bits 6:3 reserved */
		{ 0x034, 0x3F, 0x12 },	  /* IFLS */
		{ 0x038, 0x7FF, 0 },	  /* IMSC */
		{ 0x048, 0x7, 0 },	  /* DMACR */
	};

	for (u32 i = 0; i < ARRAY_SIZE(regs); i++) {
		u32 off = regs[i].off;

		cr_expect_eq(rd(off, 4), regs[i].reset, "reg %#x reset", off);
		wr(off, 4, 0xFFFFFFFF);
		cr_expect_eq(rd(off, 4), regs[i].mask, "reg %#x mask", off);
		wr(off, 4, 0x12345A5A);
		cr_expect_eq(rd(off, 4), 0x12345A5A & regs[i].mask, "reg %#x", off);
		wr(off, 4, 0);
		cr_expect_eq(rd(off, 4), 0);
	}
	/* The registers are independent. */
	for (u32 i = 0; i < ARRAY_SIZE(regs); i++)
		wr(regs[i].off, 4, i + 1);
	for (u32 i = 0; i < ARRAY_SIZE(regs); i++)
		cr_expect_eq(rd(regs[i].off, 4), (i + 1) & regs[i].mask);
	cr_expect_eq(plat.pl011_bad, 0);
	cr_expect_eq(nlines, 0);
}

Test(vpl011, narrow_accesses_merge_into_the_register)
{
	wr(0x024, 4, 0x1234); /* IBRD */
	wr(0x025, 1, 0xAB);
	cr_expect_eq(rd(0x024, 4), 0xAB34);
	cr_expect_eq(rd(0x024, 2), 0xAB34);
	cr_expect_eq(rd(0x025, 1), 0xAB);
	wr(0x026, 2, 0xFFFF); /* above IBRD's 16 bits: dropped by the mask */
	cr_expect_eq(rd(0x024, 4), 0xAB34);
	wr(0x030, 1, 0x01); /* CR low byte: UARTEN, TXE/RXE kept */
	cr_expect_eq(rd(0x030, 4), 0x301);
	wr(0x031, 1, 0x01); /* CR byte 1: TXE only */
	cr_expect_eq(rd(0x030, 4), 0x101);
	cr_expect_eq(plat.pl011_bad, 0);
}

Test(vpl011, interrupt_registers_read_zero)
{
	wr(0x038, 4, 0x7FF); /* IMSC: everything unmasked, still nothing pending */
	cr_expect_eq(rd(0x03C, 4), 0);
	cr_expect_eq(rd(0x040, 4), 0);
	cr_expect_eq(rd(0x044, 4), 0);
	wr(0x044, 4, 0x7FF); /* ICR */
	wr(0x03C, 4, 0x7FF); /* RIS, MIS: read-only */
	wr(0x040, 4, 0x7FF);
	cr_expect_eq(rd(0x03C, 4), 0);
	cr_expect_eq(rd(0x040, 4), 0);
	cr_expect_eq(rd(0x038, 4), 0x7FF);
	cr_expect_eq(plat.pl011_bad, 0);
}

Test(vpl011, enabling_again_resets)
{
	wr(0x030, 4, 0);
	wr(0x024, 4, 13);
	vplat_enable_pl011(&plat, UART);
	cr_expect_eq(rd(0x030, 4), 0x300);
	cr_expect_eq(rd(0x034, 4), 0x12);
	cr_expect_eq(rd(0x024, 4), 0);
}

/* ---------------------------------------------------------------- bad accesses */

Test(vpl011, bad_offsets_alignment_and_sizes)
{
	static const struct {
		u64 off;
		u8 size;
	} bad[] = {
		{ 0x008, 4 }, { 0x00C, 4 }, { 0x010, 4 }, { 0x014, 1 }, { 0x01C, 4 }, { 0x04C, 4 },
		{ 0x080, 4 }, { 0x400, 2 }, { 0xFDC, 4 }, { 0xFFD, 2 }, { 0x002, 4 }, { 0x019, 2 },
		{ 0x01A, 4 }, { 0x031, 2 }, { 0x000, 8 }, { 0x018, 8 }, { 0xFE0, 8 }, { 0xFF8, 8 },
	};

	wr(0x024, 4, 0x77);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cr_expect_eq(rd(bad[i].off, bad[i].size), 0, "off %#llx size %u",
			     (unsigned long long)bad[i].off, bad[i].size);
		wr(bad[i].off, bad[i].size, 0x0A0A0A0A0A0A0A0AULL);
	}
	cr_expect_eq(plat.pl011_bad, 2 * ARRAY_SIZE(bad));
	cr_expect_eq(plat.unbacked_mmio, 0);
	cr_expect_eq(plat.testdev_bad, 0);
	/* The dropped writes changed nothing and sent nothing. */
	cr_expect_eq(rd(0x024, 4), 0x77);
	cr_expect_eq(rd(0x030, 4), 0x300);
	vplat_flush(&plat);
	cr_expect_eq(nlines, 0);
	cr_expect_str_eq(fake_log_text(), "");
}

Test(vpl011, bus_sizes_are_still_refused)
{
	static const u8 sizes[] = { 0, 3, 5, 16 };

	for (size_t i = 0; i < sizeof(sizes); i++) {
		u64 v = 0;

		cr_expect_eq(vplat_mmio(&plat, UART, sizes[i], false, &v), -ERR_INVAL);
		cr_expect_eq(v, ~0ULL);
		cr_expect_eq(vplat_mmio(&plat, UART, sizes[i], true, &v), -ERR_INVAL);
	}
	cr_expect_eq(plat.pl011_bad, 0);
	cr_expect_eq(nlines, 0);
}

Test(vpl011, only_its_page_is_the_uart)
{
	cr_expect_eq(mmio(UART - 1, 1, false, 0, VPLAT_UNBACKED), 0xFF);
	cr_expect_eq(mmio(UART - 4, 4, false, 0, VPLAT_UNBACKED), 0xFFFFFFFF);
	cr_expect_eq(mmio(UART + 0x1000, 4, false, 0, VPLAT_UNBACKED), 0xFFFFFFFF);
	mmio(UART + 0x1000, 4, true, 'x', VPLAT_UNBACKED);
	cr_expect_eq(plat.unbacked_mmio, 4);
	/* The test device is still there. */
	cr_expect_eq(mmio(VPLAT_TESTDEV_BASE + TESTDEV_ID, 8, false, 0, VPLAT_DEVICE),
		     TESTDEV_ID_VALUE);
	cr_expect_eq(plat.pl011_bad, 0);
}

/* x86 never enables it: 0x09000000 stays unbacked, as before. */
Test(vpl011, absent_unless_enabled)
{
	vplat_init(&plat, "x86", 0x4000000, 1, on_line, &plat);
	cr_expect_eq(plat.pl011_base, 0);
	cr_expect_eq(mmio(UART, 4, false, 0, VPLAT_UNBACKED), 0xFFFFFFFF);
	cr_expect_eq(mmio(UART + 0x18, 4, false, 0, VPLAT_UNBACKED), 0xFFFFFFFF);
	cr_expect_eq(mmio(UART + 0xFE0, 1, false, 0, VPLAT_UNBACKED), 0xFF);
	mmio(UART, 4, true, 'x', VPLAT_UNBACKED);
	mmio(UART, 4, true, '\n', VPLAT_UNBACKED);
	cr_expect_eq(plat.unbacked_mmio, 5);
	cr_expect_eq(plat.pl011_bad, 0);
	cr_expect_eq(nlines, 0);
	/* Base 0 means none, also after one was enabled; address 0 is unbacked. */
	vplat_enable_pl011(&plat, UART);
	vplat_enable_pl011(&plat, 0);
	cr_expect_eq(mmio(UART, 4, false, 0, VPLAT_UNBACKED), 0xFFFFFFFF);
	cr_expect_eq(mmio(0, 4, false, 0, VPLAT_UNBACKED), 0xFFFFFFFF);
	cr_expect_eq(mmio(0x18, 4, false, 0, VPLAT_UNBACKED), 0xFFFFFFFF);
}
