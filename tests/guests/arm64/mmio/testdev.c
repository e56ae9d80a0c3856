/* testdev.c: the test device's registers through every load/store form with a syndrome. */
#include "mmio.h"

/*
 * Every access here is one instruction written out in inline assembly, so
 * the compiler can neither merge nor split it. Loads go into a register
 * that held all ones: what a 1, 2 or 4 byte load does not write must come
 * back zero (or the sign), which is the emulator's job once it traps.
 */

static bool check_values(const char *name, const u64 *got, const u64 *want, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (got[i] != want[i])
			return check(false, name, "value %u is 0x%llx, want 0x%llx", i, got[i],
				     want[i]);
	return check(true, name, "%s", "");
}

static u64 load_over_ones(u64 addr, unsigned size)
{
	u64 v = ~0ull;

	if (size == 1)
		__asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
	else if (size == 2)
		__asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
	else if (size == 4)
		__asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
	else
		__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(addr) : "memory");
	return v;
}

/* str x / ldr x, then str w into a register of ones, and ldr w (zero-extended). */
static void check_words(u64 d)
{
	u64 g[4];

	mmio_write(d, 8, 0x0123456789abcdefull);
	g[0] = load_over_ones(d, 8);
	mmio_write(d + 8, 8, ~0ull);
	mmio_write(d + 8, 4, 0x89abcdef);
	g[1] = load_over_ones(d + 8, 8);
	g[2] = load_over_ones(d + 8, 4);
	g[3] = load_over_ones(d + 12, 4);
	check_values("mmio.str_ldr_x_w", g,
		     (const u64[]){ 0x0123456789abcdefull, 0xffffffff89abcdefull, 0x89abcdef,
				    0xffffffff },
		     4);
}

/* strh and strb merge into the register's other bytes; ldrh and ldrb zero-extend. */
static void check_sub_words(u64 d)
{
	u64 g[5];

	mmio_write(d + 0x10, 8, 0);
	mmio_write(d + 0x10, 2, 0xbeef);
	mmio_write(d + 0x16, 2, 0xcafe);
	g[0] = load_over_ones(d + 0x10, 8);
	g[1] = load_over_ones(d + 0x16, 2);
	for (unsigned i = 0; i < 8; i++)
		mmio_write(d + 0x18 + i, 1, 0x11 * i);
	g[2] = load_over_ones(d + 0x18, 8);
	g[3] = load_over_ones(d + 0x1d, 1);
	g[4] = load_over_ones(d + 0x1e, 2);
	check_values(
		"mmio.strh_strb_ldrh_ldrb", g,
		(const u64[]){ 0xcafe00000000beefull, 0xcafe, 0x7766554433221100ull, 0x55, 0x7766 },
		5);
}

/* ldrsb, ldrsh (to x and to w: a w result has zero upper bits) and ldrsw. */
static void check_sign_extension(u64 d)
{
	u64 a = d + 0x20, g[6] = { ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull };

	mmio_write(a, 8, 0x7f818283848586f7ull);
	__asm__ volatile("ldrsb %0, [%1]" : "+r"(g[0]) : "r"(a) : "memory");
	__asm__ volatile("ldrsb %w0, [%1]" : "+r"(g[1]) : "r"(a) : "memory");
	__asm__ volatile("ldrsh %0, [%1]" : "+r"(g[2]) : "r"(a) : "memory");
	__asm__ volatile("ldrsh %w0, [%1]" : "+r"(g[3]) : "r"(a) : "memory");
	__asm__ volatile("ldrsw %0, [%1]" : "+r"(g[4]) : "r"(a) : "memory");
	__asm__ volatile("ldrsb %0, [%1, #7]" : "+r"(g[5]) : "r"(a) : "memory");
	check_values("mmio.ldrsb_ldrsh_ldrsw", g,
		     (const u64[]){ 0xfffffffffffffff7ull, 0xfffffff7, 0xffffffffffff86f7ull,
				    0xffff86f7, 0xffffffff848586f7ull, 0x7f },
		     6);
}

/* Register-offset addressing: plain, scaled, and extended 32-bit (uxtw, sxtw) indexes. */
static void check_register_offset(u64 d)
{
	u64 g[5] = { ~0ull, ~0ull, ~0ull, ~0ull, ~0ull }, off = 0x28, idx = 6;
	u32 hidx = 0x19, neg = (u32)-8;

	__asm__ volatile("str %0, [%1, %2, lsl #3]"
			 :
			 : "r"(0x1122334455667788ull), "r"(d), "r"(idx)
			 : "memory"); /* 0x30 */
	__asm__ volatile("strb %w0, [%1, %2]" : : "r"(0xa5u), "r"(d + 1), "r"(0x2full) : "memory");
	__asm__ volatile("ldr %0, [%1, %2]" : "+r"(g[0]) : "r"(d + 8), "r"(off) : "memory");
	__asm__ volatile("ldr %w0, [%1, %2, lsl #2]" : "+r"(g[1]) : "r"(d), "r"(0xdull) : "memory");
	__asm__ volatile("ldrh %w0, [%1, %w2, uxtw #1]"
			 : "+r"(g[2])
			 : "r"(d), "r"(hidx)
			 : "memory");
	__asm__ volatile("ldrsw %0, [%1, %w2, sxtw]"
			 : "+r"(g[3])
			 : "r"(d + 0x38), "r"(neg)
			 : "memory");
	__asm__ volatile("ldrb %w0, [%1, %2]" : "+r"(g[4]) : "r"(d), "r"(0x30ull) : "memory");
	check_values("mmio.register_offset", g,
		     (const u64[]){ 0x11223344556677a5ull, 0x11223344, 0x5566, 0x556677a5, 0xa5 },
		     5);
}

/* Unscaled (stur/ldur, negative offsets) and scaled immediate offsets. */
static void check_immediate_offset(u64 d)
{
	u64 b = d + 0x48, g[3] = { ~0ull, ~0ull, ~0ull };

	__asm__ volatile("stur %0, [%1, #-8]" : : "r"(0xfedcba9876543210ull), "r"(b) : "memory");
	__asm__ volatile("sturh %w0, [%1, #-5]" : : "r"(0x4242u), "r"(b + 1) : "memory");
	__asm__ volatile("ldur %0, [%1, #-8]" : "+r"(g[0]) : "r"(b) : "memory");
	__asm__ volatile("ldursh %0, [%1, #-2]" : "+r"(g[1]) : "r"(b) : "memory");
	__asm__ volatile("ldr %w0, [%1, #0x44]" : "+r"(g[2]) : "r"(d) : "memory");
	check_values("mmio.immediate_offset", g,
		     (const u64[]){ 0xfedc424276543210ull, 0xfffffffffffffedcull, 0xfedc4242 }, 3);
}

/* Stores of xzr and wzr (register 31 is the zero register here, never SP). */
static void check_zero_register(u64 d)
{
	u64 g[3];

	mmio_write(d + 0x50, 8, ~0ull);
	__asm__ volatile("str wzr, [%0]" : : "r"(d + 0x54) : "memory");
	g[0] = load_over_ones(d + 0x50, 8);
	__asm__ volatile("strb wzr, [%0]" : : "r"(d + 0x50) : "memory");
	g[1] = load_over_ones(d + 0x50, 8);
	__asm__ volatile("str xzr, [%0]" : : "r"(d + 0x50) : "memory");
	g[2] = load_over_ones(d + 0x50, 8);
	check_values("mmio.store_zero_register", g,
		     (const u64[]){ 0x00000000ffffffffull, 0x00000000ffffff00ull, 0 }, 3);
}

static void check_high_registers(u64 d)
{
	static const u64 want[8] = { 0x1919191919191919ull, 0x2828282828282828ull,
				     0x2929292929292929ull, 0x3030303030303030ull,
				     0x1919191919191919ull, 0x2828282828282828ull,
				     0x2929292929292929ull, 0x3030303030303030ull };
	u64 g[8];

	for (unsigned i = 0; i < 4; i++)
		mmio_write(d + 0x40 + 8 * i, 8, want[i]);
	mmio_high_regs(d + 0x40, g);
	for (unsigned i = 4; i < 8; i++)
		g[i] = load_over_ones(d + 0x40 + 8 * i, 8);
	check_values("mmio.x19_x28_x29_x30", g, want, 8);
}

/* All sixteen scratch registers hold their own values. */
static void check_all_scratch(u64 d)
{
	u64 g[16], want[16];

	for (unsigned i = 0; i < 16; i++) {
		want[i] = 0x0101010101010101ull * (i + 1) ^ 0x8000000000000000ull;
		mmio_write(d + 8 * i, 8, want[i]);
	}
	for (unsigned i = 0; i < 16; i++)
		g[i] = load_over_ones(d + 8 * i, 8);
	check_values("mmio.scratch_16_registers", g, want, 16);
}

void check_testdev(u64 dev)
{
	check_words(dev);
	check_sub_words(dev);
	check_sign_extension(dev);
	check_register_offset(dev);
	check_immediate_offset(dev);
	check_zero_register(dev);
	check_high_registers(dev);
	check_all_scratch(dev);
}

/* The read-only ID register at 0x80, read whole and in parts; a write does not change it. */
void check_testdev_id(u64 dev)
{
	u64 id = dev + UMBRA_DEV_ID_OFF, g[5];

	g[0] = load_over_ones(id, 8);
	g[1] = load_over_ones(id, 4);
	g[2] = load_over_ones(id + 4, 1);
	g[3] = load_over_ones(id + 2, 2);
	mmio_write(id, 8, 0);
	g[4] = load_over_ones(id, 8);
	check_values("mmio.testdev_id", g,
		     (const u64[]){ UMBRA_DEV_ID, 0x72626d75, 0x61, 0x7262, UMBRA_DEV_ID }, 5);
}
