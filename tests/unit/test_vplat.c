/* test_vplat.c: host tests of the emulated platform: UART, debug exit, fw_cfg, test device. */
#include <criterion/criterion.h>
#include <string.h>

#include "drivers/vplat.h"
#include "err.h"
#include "fake_log.h"

#define MAX_LINES 16

static char lines[MAX_LINES][VUART_LINE_MAX + 1];
static char names[MAX_LINES][VPLAT_NAME_MAX];
static int nlines;
static int ctx_seen;

static void on_line(void *ctx, const char *vm_name, const char *line)
{
	cr_assert(nlines < MAX_LINES);
	cr_assert(strlen(line) <= VUART_LINE_MAX);
	if (ctx == &ctx_seen)
		ctx_seen++;
	strcpy(names[nlines], vm_name);
	strcpy(lines[nlines++], line);
}

static struct vplat plat;

static void setup(void)
{
	nlines = 0;
	ctx_seen = 0;
	fake_log_reset();
	vplat_init(&plat, "demo", 0x12345678ULL << 8, 2, on_line, &ctx_seen);
}

static void out8(u16 port, u8 v)
{
	u32 val = v;
	cr_assert_eq(vplat_pio(&plat, port, 1, false, &val), VPLAT_DEVICE, "port %#x", port);
}

static u32 in_sz(u16 port, u8 size, int want_rc)
{
	u32 val = 0x5A5A5A5A;
	cr_assert_eq(vplat_pio(&plat, port, size, true, &val), want_rc, "port %#x", port);
	return val;
}

static u8 in8(u16 port)
{
	return (u8)in_sz(port, 1, VPLAT_DEVICE);
}

static void puts_uart(const char *s)
{
	while (*s)
		out8(0x3F8, (u8)*s++);
}

/* ---------------------------------------------------------------- UART */

Test(vplat, uart_lines_go_to_the_callback, .init = setup)
{
	puts_uart("hello\r\nworld\n\n");
	cr_assert_eq(nlines, 3);
	cr_expect_str_eq(lines[0], "hello");
	cr_expect_str_eq(lines[1], "world");
	cr_expect_str_eq(lines[2], "");
	cr_expect_str_eq(names[0], "demo");
	cr_expect_eq(ctx_seen, 3);
	/* A partial line waits for its newline or for the VM to end. */
	puts_uart("no newline");
	cr_expect_eq(nlines, 3);
	vplat_flush(&plat);
	cr_assert_eq(nlines, 4);
	cr_expect_str_eq(lines[3], "no newline");
	vplat_flush(&plat);
	cr_expect_eq(nlines, 4);
}

Test(vplat, uart_long_line_is_cut, .init = setup)
{
	for (int i = 0; i < 450; i++)
		out8(0x3F8, (u8)('a' + i % 26));
	cr_assert_eq(nlines, 2);
	cr_expect_eq(strlen(lines[0]), VUART_LINE_MAX);
	cr_expect_eq(strlen(lines[1]), VUART_LINE_MAX);
	cr_expect_eq(lines[1][0], 'a' + 200 % 26);
	out8(0x3F8, '\n');
	cr_assert_eq(nlines, 3);
	cr_expect_eq(strlen(lines[2]), 50);
}

Test(vplat, uart_control_characters_are_replaced, .init = setup)
{
	puts_uart("\x1b[31mred\tx");
	out8(0x3F8, 0);
	out8(0x3F8, 0xFF);
	out8(0x3F8, 0x7F);
	out8(0x3F8, '\n');
	cr_assert_eq(nlines, 1);
	cr_expect_str_eq(lines[0], "?[31mred\tx???");
}

Test(vplat, uart_divisor_latch, .init = setup)
{
	out8(0x3F9, 0x05); /* IER */
	out8(0x3FB, 0x83); /* DLAB, 8N1 */
	out8(0x3F8, 0x01); /* DLL, not output */
	out8(0x3F9, 0x02); /* DLM */
	cr_expect_eq(in8(0x3F8), 0x01);
	cr_expect_eq(in8(0x3F9), 0x02);
	cr_expect_eq(in8(0x3FB), 0x83);
	out8(0x3FB, 0x03);
	cr_expect_eq(in8(0x3F9), 0x05);
	cr_expect_eq(in8(0x3F8), 0x00); /* receive buffer: empty */
	out8(0x3FB, 0x83);
	cr_expect_eq(in8(0x3F8), 0x01);
	cr_expect_eq(in8(0x3F9), 0x02);
	out8(0x3FB, 0x03);
	puts_uart("x\n");
	cr_assert_eq(nlines, 1);
	cr_expect_str_eq(lines[0], "x");
}

Test(vplat, uart_status_registers, .init = setup)
{
	cr_expect_eq(in8(0x3FD), 0x60); /* LSR: THR empty, transmitter empty */
	cr_expect_eq(in8(0x3FA), 0x01); /* IIR: no interrupt */
	out8(0x3FA, 0x07);		/* FCR: FIFOs on */
	cr_expect_eq(in8(0x3FA), 0xC1);
	out8(0x3FA, 0x00);
	cr_expect_eq(in8(0x3FA), 0x01);
	cr_expect_eq(in8(0x3FE), 0xB0); /* MSR: DCD, DSR, CTS */
	out8(0x3FD, 0x00);		/* LSR and MSR writes are ignored */
	out8(0x3FE, 0x00);
	cr_expect_eq(in8(0x3FD), 0x60);
	cr_expect_eq(in8(0x3FE), 0xB0);
	out8(0x3FF, 0xA5);
	cr_expect_eq(in8(0x3FF), 0xA5);
	out8(0x3FC, 0x0B);
	cr_expect_eq(in8(0x3FC), 0x0B);
	/* Linux's loopback probe: MCR loop|OUT2|RTS reads back MSR DCD|CTS. */
	out8(0x3FC, 0x1A);
	cr_expect_eq(in8(0x3FE) & 0xF0, 0x90);
	out8(0x3FC, 0x1F);
	cr_expect_eq(in8(0x3FE), 0xF0);
	/* In loopback nothing reaches the console. */
	puts_uart("looped\n");
	cr_expect_eq(nlines, 0);
}

Test(vplat, uart_wide_access_is_bytewise, .init = setup)
{
	u32 v = 0x4241;

	cr_expect_eq(vplat_pio(&plat, 0x3F8, 2, false, &v), VPLAT_DEVICE); /* 'A' and IER */
	cr_expect_eq(in8(0x3F9), 0x42);
	out8(0x3FF, 0x77);
	out8(0x3FC, 0x03);
	cr_expect_eq(in_sz(0x3FC, 4, VPLAT_DEVICE), 0x77B06003u); /* MCR LSR MSR SCR */
	cr_expect_eq(in_sz(0x3FF, 2, VPLAT_DEVICE), 0xFF77u);	  /* past the UART: all ones */
	v = 0x0A0A0A42;
	cr_expect_eq(vplat_pio(&plat, 0x3FF, 4, false, &v), VPLAT_DEVICE);
	cr_expect_eq(in8(0x3FF), 0x42);
	puts_uart("\n");
	cr_assert_eq(nlines, 1);
	cr_expect_str_eq(lines[0], "A");
}

Test(vplat, console_write_bypasses_the_registers, .init = setup)
{
	const char msg[] = "from a\x1b hypercall\r\nsecond\0line\n";

	out8(0x3FB, 0x80); /* DLAB on */
	out8(0x3FC, 0x10); /* loopback */
	puts_uart("lost");
	vplat_console_write(&plat, msg, sizeof(msg) - 1);
	cr_assert_eq(nlines, 2);
	cr_expect_str_eq(lines[0], "from a? hypercall");
	cr_expect_str_eq(lines[1], "second?line");
	cr_expect_str_eq(names[1], "demo");
	vplat_console_write(&plat, "tail", 4);
	vplat_flush(&plat);
	cr_assert_eq(nlines, 3);
	cr_expect_str_eq(lines[2], "tail");
}

Test(vplat, uart_without_callback)
{
	vplat_init(&plat, NULL, 0, 1, NULL, NULL);
	cr_expect_str_eq(plat.name, "");
	puts_uart("dropped\n");
	puts_uart("partial");
	vplat_flush(&plat);
	cr_expect_eq(plat.uart.len, 0);
}

Test(vplat, init_cuts_long_names)
{
	char longname[100];

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	vplat_init(&plat, longname, 0, 1, NULL, NULL);
	cr_expect_eq(strlen(plat.name), VPLAT_NAME_MAX - 1);
	cr_expect_eq(plat.exit_requested, false);
	cr_expect_eq(plat.unbacked_pio + plat.unbacked_mmio + plat.testdev_bad + plat.pl011_bad, 0);
	cr_expect_eq(plat.pl011_base, 0); /* no PL011 unless enabled (x86) */
}

/* ---------------------------------------------------------------- debug exit */

Test(vplat, debug_exit_byte, .init = setup)
{
	cr_expect(!plat.exit_requested);
	out8(0xF4, 0);
	cr_expect(plat.exit_requested);
	cr_expect_eq(plat.exit_status, 0);
	/* The first status stands. */
	out8(0xF4, 3);
	cr_expect_eq(plat.exit_status, 0);
}

Test(vplat, debug_exit_sizes, .init = setup)
{
	static const struct {
		u8 size;
		u32 val, status;
	} cases[] = { { 1, 0x1FF, 0xFF }, { 2, 0x12345, 0x2345 }, { 4, 0xDEADBEEF, 0xDEADBEEF } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		u32 v = cases[i].val;
		vplat_init(&plat, "demo", 0, 1, NULL, NULL);
		cr_expect_eq(vplat_pio(&plat, 0xF4, cases[i].size, false, &v), VPLAT_DEVICE);
		cr_expect(plat.exit_requested);
		cr_expect_eq(plat.exit_status, cases[i].status, "size %u", cases[i].size);
	}
	vplat_init(&plat, "demo", 0, 1, NULL, NULL);
	cr_expect_eq(in_sz(0xF4, 1, VPLAT_DEVICE), 0xFF);
	cr_expect_eq(in_sz(0xF4, 4, VPLAT_DEVICE), 0xFFFFFFFF);
	cr_expect(!plat.exit_requested);
}

/* ---------------------------------------------------------------- fw_cfg */

static void fw_select(u16 sel)
{
	u32 v = sel;
	cr_assert_eq(vplat_pio(&plat, 0x510, 2, false, &v), VPLAT_DEVICE);
}

static void expect_item(u16 sel, const u8 *want, size_t n)
{
	fw_select(sel);
	for (size_t i = 0; i < n; i++)
		cr_expect_eq(in8(0x511), want[i], "selector %#x byte %zu", sel, i);
	/* Past the end: zeros. */
	for (int i = 0; i < 16; i++)
		cr_expect_eq(in8(0x511), 0, "selector %#x past the end", sel);
}

Test(vplat, fwcfg_items, .init = setup)
{
	static const u8 sig[] = { 'Q', 'E', 'M', 'U' };
	static const u8 id[] = { 0, 0, 0, 0 };
	static const u8 ram[] = { 0x00, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00 };
	static const u8 cpus[] = { 2, 0 };

	expect_item(0x0000, sig, sizeof(sig));
	expect_item(0x0001, id, sizeof(id));
	expect_item(0x0003, ram, sizeof(ram));
	expect_item(0x0005, cpus, sizeof(cpus));
	expect_item(0x0002, NULL, 0);
	expect_item(0x0019, NULL, 0);
	expect_item(0xFFFF, NULL, 0);
	/* Selecting again starts the item over. */
	expect_item(0x0000, sig, sizeof(sig));
}

Test(vplat, fwcfg_big_values)
{
	static const u8 ram[] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
	static const u8 cpus[] = { 0x02, 0x01 };

	vplat_init(&plat, "big", 0x1122334455667788ULL, 0x102, NULL, NULL);
	expect_item(0x0003, ram, sizeof(ram));
	expect_item(0x0005, cpus, sizeof(cpus));
}

Test(vplat, fwcfg_other_accesses, .init = setup)
{
	u32 v = 0x00;

	fw_select(0x0000);
	cr_expect_eq(in8(0x511), 'Q');
	/* An 8-bit write to the selector port selects nothing. */
	cr_expect_eq(vplat_pio(&plat, 0x510, 1, false, &v), VPLAT_DEVICE);
	cr_expect_eq(in8(0x511), 'E');
	/* Writes to the data port, and reads other than 8-bit data reads, do nothing. */
	cr_expect_eq(vplat_pio(&plat, 0x511, 1, false, &v), VPLAT_DEVICE);
	cr_expect_eq(in_sz(0x511, 2, VPLAT_DEVICE), 0xFFFF);
	cr_expect_eq(in_sz(0x510, 2, VPLAT_DEVICE), 0xFFFF);
	cr_expect_eq(in_sz(0x510, 1, VPLAT_DEVICE), 0xFF);
	cr_expect_eq(in8(0x511), 'M');
	/* The offset saturates rather than wrapping back to the start. */
	plat.fwcfg.offset = 0xFFFFFFFF;
	cr_expect_eq(in8(0x511), 0);
	cr_expect_eq(plat.fwcfg.offset, 0xFFFFFFFF);
	cr_expect_eq(plat.unbacked_pio, 0);
}

/* ---------------------------------------------------------------- test device */

#define TD 0xFEB00000ULL

static u64 mmio(u64 gpa, u8 size, bool write, u64 v, int want_rc)
{
	cr_assert_eq(vplat_mmio(&plat, gpa, size, write, &v), want_rc, "gpa %#llx size %u",
		     (unsigned long long)gpa, size);
	return v;
}

Test(vplat, testdev_scratch_every_size_and_offset, .init = setup)
{
	static const u8 sizes[] = { 1, 2, 4, 8 };

	for (u64 reg = 0; reg < 16; reg++) {
		u64 base = TD + reg * 8;
		for (size_t s = 0; s < 4; s++) {
			u8 size = sizes[s];
			u64 mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
			for (u64 off = 0; off < 8; off += size) {
				u64 before = 0x0123456789ABCDEFULL ^ (reg * 0x1111);
				u64 val = 0xF0E1D2C3B4A59687ULL + off + reg;
				mmio(base, 8, true, before, VPLAT_DEVICE);
				mmio(base + off, size, true, val, VPLAT_DEVICE);
				u64 want = (before & ~(mask << (8 * off))) |
					   ((val & mask) << (8 * off));
				cr_expect_eq(mmio(base, 8, false, 0, VPLAT_DEVICE), want,
					     "reg %llu size %u off %llu", (unsigned long long)reg,
					     size, (unsigned long long)off);
				cr_expect_eq(mmio(base + off, size, false, 0, VPLAT_DEVICE),
					     val & mask);
			}
		}
	}
	/* Registers are independent. */
	for (u64 reg = 0; reg < 16; reg++)
		mmio(TD + reg * 8, 8, true, reg * 0x0101010101010101ULL, VPLAT_DEVICE);
	for (u64 reg = 0; reg < 16; reg++)
		cr_expect_eq(mmio(TD + reg * 8, 8, false, 0, VPLAT_DEVICE),
			     reg * 0x0101010101010101ULL);
	cr_expect_eq(plat.testdev_bad, 0);
	cr_expect_eq(plat.unbacked_mmio, 0);
}

Test(vplat, testdev_id_register, .init = setup)
{
	static const u8 id[8] = { 'u', 'm', 'b', 'r', 'a', 0, 0, 0 }; /* memory order */

	cr_expect_eq(mmio(TD + 0x80, 8, false, 0, VPLAT_DEVICE), 0x6172626d75ULL);
	cr_expect_eq(mmio(TD + 0x80, 4, false, 0, VPLAT_DEVICE), 0x72626d75ULL);
	cr_expect_eq(mmio(TD + 0x84, 4, false, 0, VPLAT_DEVICE), 0x61ULL);
	cr_expect_eq(mmio(TD + 0x82, 2, false, 0, VPLAT_DEVICE), 0x7262ULL);
	for (int i = 0; i < 8; i++)
		cr_expect_eq(mmio(TD + 0x80 + (u64)i, 1, false, 0, VPLAT_DEVICE), id[i]);
	mmio(TD + 0x80, 8, true, 0, VPLAT_DEVICE); /* read-only */
	cr_expect_eq(mmio(TD + 0x80, 8, false, 0, VPLAT_DEVICE), 0x6172626d75ULL);
	cr_expect_eq(plat.testdev_bad, 0);
}

Test(vplat, testdev_misaligned_and_out_of_range, .init = setup)
{
	static const struct {
		u64 off;
		u8 size;
	} bad[] = {
		{ 0x01, 2 }, { 0x02, 4 }, { 0x04, 8 },	{ 0x7F, 2 },  { 0x7C, 8 },  { 0x81, 2 },
		{ 0x88, 8 }, { 0x88, 1 }, { 0x100, 4 }, { 0xFF8, 8 }, { 0xFFF, 1 }, { 0xFFE, 4 }
	};

	mmio(TD, 8, true, 0x1122334455667788ULL, VPLAT_DEVICE);
	mmio(TD + 0x78, 8, true, 0x99, VPLAT_DEVICE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		u64 ones = bad[i].size == 8 ? ~0ULL : (1ULL << (8 * bad[i].size)) - 1;
		cr_expect_eq(mmio(TD + bad[i].off, bad[i].size, false, 0, VPLAT_DEVICE), ones,
			     "off %#llx size %u", (unsigned long long)bad[i].off, bad[i].size);
		mmio(TD + bad[i].off, bad[i].size, true, 0, VPLAT_DEVICE);
	}
	cr_expect_eq(plat.testdev_bad, 2 * (sizeof(bad) / sizeof(bad[0])));
	/* The dropped writes changed nothing. */
	cr_expect_eq(mmio(TD, 8, false, 0, VPLAT_DEVICE), 0x1122334455667788ULL);
	cr_expect_eq(mmio(TD + 0x78, 8, false, 0, VPLAT_DEVICE), 0x99);
	cr_expect_eq(mmio(TD + 0x80, 8, false, 0, VPLAT_DEVICE), 0x6172626d75ULL);
	cr_expect_eq(plat.unbacked_mmio, 0);
}

/* ---------------------------------------------------------------- unbacked */

Test(vplat, unbacked_memory, .init = setup)
{
	static const u64 gpas[] = { 0xFEC00000ULL,  TD - 1,    TD - 8, TD + 0x1000,
				    0x100000000ULL, ~0ULL - 3, ~0ULL };

	for (size_t i = 0; i < sizeof(gpas) / sizeof(gpas[0]); i++) {
		cr_expect_eq(mmio(gpas[i], 1, false, 0, VPLAT_UNBACKED), 0xFF);
		cr_expect_eq(mmio(gpas[i], 2, false, 0, VPLAT_UNBACKED), 0xFFFF);
		cr_expect_eq(mmio(gpas[i], 4, false, 0, VPLAT_UNBACKED), 0xFFFFFFFF);
		cr_expect_eq(mmio(gpas[i], 8, false, 0, VPLAT_UNBACKED), ~0ULL);
		mmio(gpas[i], 4, true, 0x12345678, VPLAT_UNBACKED);
	}
	cr_expect_eq(plat.unbacked_mmio, 5 * (sizeof(gpas) / sizeof(gpas[0])));
	cr_expect_eq(plat.unbacked_pio, 0);
	/* Counting only: the caller decides what to log. */
	cr_expect_str_eq(fake_log_text(), "");
}

Test(vplat, unbacked_ports, .init = setup)
{
	static const u16 ports[] = { 0x80, 0x60, 0x3F7, 0x400, 0xF5, 0xF3, 0x50F, 0x512, 0xFFFF };

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		u32 v = 0xAB;
		cr_expect_eq(in_sz(ports[i], 1, VPLAT_UNBACKED), 0xFF, "port %#x", ports[i]);
		cr_expect_eq(in_sz(ports[i], 2, VPLAT_UNBACKED), 0xFFFF);
		cr_expect_eq(in_sz(ports[i], 4, VPLAT_UNBACKED), 0xFFFFFFFF);
		cr_expect_eq(vplat_pio(&plat, ports[i], 1, false, &v), VPLAT_UNBACKED);
	}
	cr_expect_eq(plat.unbacked_pio, 4 * (sizeof(ports) / sizeof(ports[0])));
	cr_expect_eq(plat.unbacked_mmio, 0);
	cr_expect(!plat.exit_requested);
	cr_expect_str_eq(fake_log_text(), "");
}

Test(vplat, bad_sizes_are_refused, .init = setup)
{
	static const u8 pio_bad[] = { 0, 3, 5, 8, 255 };
	static const u8 mmio_bad[] = { 0, 3, 5, 6, 7, 9, 16, 255 };

	for (size_t i = 0; i < sizeof(pio_bad); i++) {
		u32 v = 0;
		cr_expect_eq(vplat_pio(&plat, 0x3F8, pio_bad[i], true, &v), -ERR_INVAL);
		cr_expect_eq(v, 0xFFFFFFFF);
		cr_expect_eq(vplat_pio(&plat, 0xF4, pio_bad[i], false, &v), -ERR_INVAL);
	}
	for (size_t i = 0; i < sizeof(mmio_bad); i++) {
		u64 v = 0;
		cr_expect_eq(vplat_mmio(&plat, TD, mmio_bad[i], false, &v), -ERR_INVAL);
		cr_expect_eq(v, ~0ULL);
		cr_expect_eq(vplat_mmio(&plat, TD, mmio_bad[i], true, &v), -ERR_INVAL);
	}
	cr_expect(!plat.exit_requested);
	cr_expect_eq(nlines, 0);
	cr_expect_eq(mmio(TD, 8, false, 0, VPLAT_DEVICE), 0);
}
