/* mmio: the umbra test device with many MOV encodings and sizes, and unbacked guest-physical memory. */
#include "guest.h"

const char guest_name[] = "mmio";

/*
 * Under umbra the 32-bit checks run with paging off, straight at the device.
 * Elsewhere there is no device, so the guest maps RAM (physical 0xB00000) at
 * 0xFEB00000 and the same code runs against that: the encodings still check
 * out, and only the device's own behaviour is skipped.
 */
#define STANDIN_4M MiB(8)    /* 4 MiB page at 0xFE800000 -> 0x800000 */
#define STANDIN_2M MiB(10)   /* 2 MiB page at 0xFEA00000 -> 0xA00000 */
#define ALIAS_VA 0x40000000u /* 2 MiB page onto the device's 2 MiB region */
#define UNBACKED 0xe0000000u

/* The device's page at ALIAS_VA + 1 MiB, as a symbol for mmio64.S's RIP-relative accesses. */
__asm__(".globl mmio_alias\n.set mmio_alias, 0x40100000");

struct test32 {
	const char *check;
	void (*fn)(u32 *out);
	u32 n;
	u32 want[5];
};

void mmio32_mov(u32 *out);
void mmio32_mov8(u32 *out);
void mmio32_mov16(u32 *out);
void mmio32_imm(u32 *out);
void mmio32_ext(u32 *out);
void mmio32_moffs(u32 *out);
void mmio32_subword(u32 *out);

static const struct test32 tests32[] = {
	{ "mmio.mov32", mmio32_mov, 4, { 0x11111111, 0x22222222, 0x33333333, 0x44444444 } },
	{ "mmio.mov8", mmio32_mov8, 2, { 0x1234565a, 0x1234a578 } },
	{ "mmio.mov16", mmio32_mov16, 1, { 0x1234beef } },
	{ "mmio.mov_imm", mmio32_imm, 3, { 0x5a, 0x1234, 0x89abcdef } },
	{ "mmio.movzx_movsx", mmio32_ext, 5, { 0x81, 0x8081, 0xffffff81, 0xffff8081, 0x1234ff81 } },
	{ "mmio.moffs", mmio32_moffs, 3, { 0xcafef00d, 0x1234567e, 0x1234d00d } },
	{ "mmio.subword_merge", mmio32_subword, 4, { 0x1122aa44, 0xbbcc7788, 0x11, 0x7788 } },
};

struct mmio64 {
	u32 flags; /* bit 0: the umbra-only reads */
	u32 pad;
	u64 out[16];
};

void mmio64_run(struct mmio64 *r);

static const struct {
	const char *check;
	u32 first, n;
} checks64[] = {
	{ "mmio.long_mov64", 0, 2 },	    { "mmio.long_imm_sign_extended", 2, 1 },
	{ "mmio.long_movsxd_movzx", 3, 4 }, { "mmio.long_rex_byte", 7, 1 },
	{ "mmio.long_moffs64", 8, 2 },	    { "mmio.long_rip_relative", 10, 2 },
	{ "mmio.long_mov16", 12, 1 },
};

static const u64 want64[13] = {
	0x0123456789abcdefull, 0xfedcba9876543210ull, 0xfffffffffffffffeull,
	0xffffffff80008081ull, 0x0000000080008081ull, 0x81,
	0xffffffffffff8081ull, 0xffffffffffffff3cull, 0x1122334455667788ull,
	0x0000000055667788ull, 0x0badc0de0badf00dull, 0x0badc0de0badf00dull,
	0xffffffffffff1234ull,
};

static void run_tests32(void)
{
	for (size_t t = 0; t < ARRAY_SIZE(tests32); t++) {
		const struct test32 *T = &tests32[t];
		u32 out[5] = { 0 }, bad = 0;

		T->fn(out);
		while (bad < T->n && out[bad] == T->want[bad])
			bad++;
		check(bad == T->n, T->check, "result %u: read 0x%x, want 0x%x", bad,
		      out[bad < T->n ? bad : 0], T->want[bad < T->n ? bad : 0]);
	}
}

/* The ID register and unbacked memory from 32-bit code, paging off (umbra only). */
static void check_device32(void)
{
	u32 d0 = 0, d1 = 0, b = 0, after = 0, u[4] = { 0 }, ram_end;
	u64 ram = 0;

	peek32(UMBRA_DEV + 0x80, &d0);
	peek32(UMBRA_DEV + 0x84, &d1);
	peek8(UMBRA_DEV + 0x80, &b);
	check(d0 == (u32)UMBRA_DEV_ID && d1 == (u32)(UMBRA_DEV_ID >> 32) && b == 'u',
	      "mmio.id_register", "dwords 0x%x 0x%x, byte 0x%x (want 0x%x 0x%x 0x75)", d0, d1, b,
	      (u32)UMBRA_DEV_ID, (u32)(UMBRA_DEV_ID >> 32));
	check(poke32(UMBRA_DEV + 0x80, 0) == NO_FAULT &&
		      peek32(UMBRA_DEV + 0x80, &after) == NO_FAULT && after == (u32)UMBRA_DEV_ID,
	      "mmio.id_read_only", "after writing 0 it reads 0x%x (fault %u)", after,
	      g_fault.vector);
	fwcfg_read(0x0003, &ram, sizeof(ram));
	ram_end = ram < 0xc0000000u ? (u32)ram : 0xc0000000u;
	peek8(UNBACKED, &u[0]);
	peek32(UNBACKED + 4, &u[1]);
	poke32(UNBACKED + 8, 0x12345678);
	peek32(UNBACKED + 8, &u[2]);
	poke32(ram_end, 0x12345678);
	peek32(ram_end, &u[3]);
	check(u[0] == 0xff && u[1] == 0xffffffff && u[2] == 0xffffffff && u[3] == 0xffffffff,
	      "mmio.unbacked_all_ones",
	      "0x%x: byte 0x%x dword 0x%x, after a write 0x%x; at RAM end 0x%x after a write 0x%x",
	      UNBACKED, u[0], u[1], u[2], ram_end, u[3]);
}

/* Page tables for mmio64_run: the identity map, the device (or its stand-in) also at ALIAS_VA. */
static u32 long_tables(bool umbra)
{
	u64 *pml4 = lm_identity();
	u64 *pdpt = (u64 *)(size_t)(pml4[0] & ~0xfffull);
	u64 *pd1 = (u64 *)(size_t)(pdpt[1] & ~0xfffull);
	u64 *pd3 = (u64 *)(size_t)(pdpt[3] & ~0xfffull);
	u32 dev2m = umbra ? UMBRA_DEV & ~(MiB(2) - 1) : STANDIN_2M;

	pd1[(ALIAS_VA >> 21) & 511] = dev2m | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
	if (!umbra)
		pd3[(UMBRA_DEV >> 21) & 511] = STANDIN_2M | PTE_P | PTE_W | PTE_PS;
	return (u32)(size_t)pml4;
}

static void check_long(bool umbra)
{
	static struct mmio64 r;

	r.flags = umbra;
	if (!lm_run("mmio", (void (*)(void *))mmio64_run, &r, long_tables(umbra)))
		return;
	for (size_t c = 0; c < ARRAY_SIZE(checks64); c++) {
		u32 end = checks64[c].first + checks64[c].n, bad = checks64[c].first;

		while (bad < end && r.out[bad] == want64[bad])
			bad++;
		check(bad == end, checks64[c].check, "result %u: read 0x%llx, want 0x%llx", bad,
		      r.out[bad < end ? bad : 0], want64[bad < end ? bad : 0]);
	}
	if (skip_unless_umbra("mmio.long_device"))
		return;
	check(r.out[13] == UMBRA_DEV_ID, "mmio.long_id_register", "qword 0x%llx", r.out[13]);
	check(r.out[14] == ~0ull && r.out[15] == ~0ull, "mmio.long_unbacked_all_ones",
	      "qword at 0x%x: 0x%llx, after writing 0: 0x%llx", UNBACKED, r.out[14], r.out[15]);
}

void guest_main(void)
{
	bool umbra = under_umbra();
	u32 *pd;

	if (!check(boot_ram_end() >= MiB(12), "mmio.ram", "needs 12 MiB of RAM"))
		return;
	if (!umbra) {
		printf("mmio: not under umbra: RAM at 0x%x stands in for the device\n", MiB(11));
		pd = pse32_identity();
		pd[UMBRA_DEV >> 22] = STANDIN_4M | PTE_P | PTE_W | PTE_PS;
		paging_on((u32)(size_t)pd, false);
	}
	run_tests32();
	paging_off();
	if (!skip_unless_umbra("mmio.device32"))
		check_device32();
	if (cpu_has_long_mode())
		check_long(umbra);
	else
		skip("mmio.long", "no long mode");
}
