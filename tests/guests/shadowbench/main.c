/* shadowbench: counts what a first touch, a page-table write and a CR3 switch cost the guest. */
#include "guest.h"
#include "timed.h"

/*
 * Under `qemu -icount shift=0,sleep=off` the TSC advances by one per
 * instruction executed, the hypervisor's included, so RDTSC around a loop
 * of N operations counts what they cost, exactly and the same on every run.
 * Each figure is (ticks of the loop with the operation - ticks of the same
 * loop without it) / N, turned into instructions with a calibration (the
 * ticks of a loop of known length), and includes the operation's own
 * instruction: 1 when nothing traps (nested paging), 1 + the hypervisor's
 * work under shadow paging. `make bench` (scripts/bench) runs this guest
 * with tdp=on and tdp=off and tabulates the BENCH lines.
 *
 * The guest runs with PAE paging (two address spaces, A and B, each an
 * identity map of 0-4 GiB with 2 MiB pages over its own four directories):
 *   first_touch  a read of each of N pages never touched before, whose
 *                PTEs sit in two page tables already in use (each table
 *                had one other page touched first);
 *   pt_write     N 32-bit stores alternating two values into one entry of
 *                A's first directory (a 2 MiB mapping nothing uses): a
 *                directory of the loaded address space, which a shadow MMU
 *                keeps write-protected for as long as that space is loaded;
 *   pte_rewrite  the same stores into one PTE of a page table in use;
 *                umbra stops shadowing a table written over and over with
 *                no walk through it between (write-flood detection), so only
 *                the first few of these are emulated;
 *   cr3_switch   N MOV CR3 alternating between A and B, both used before,
 *                nothing else in the loop (no access after a switch).
 */

const char guest_name[] = "shadowbench";

#define N_OPS 1000u
#define CAL_ITERS 10000u     /* the calibration: 2 instructions each */
#define BENCH_VA 0x40000000u /* PDPTE 1, PDEs 0 and 1: the two first_touch tables */
#define BENCH_PAGES 1024u    /* their entries; page i maps frame BENCH_FRAMES + 4 KiB i */
#define BENCH_FRAMES MiB(8)  /* 8-12 MiB: RAM above the page allocator's */
#define PTW_PDE 500u	     /* pt_write's entry in A's first directory: VA 1000 MiB */

/* loops.S: the TSC ticks of n iterations of each loop (TIMED in lib/timed.h). */
u64 loop_empty(u32 a, u32 b, u32 c, u32 n);
u64 loop_touch(u32 va, u32 b, u32 c, u32 n);
u64 loop_touch_empty(u32 va, u32 b, u32 c, u32 n);
u64 loop_write2(u32 entry, u32 v1, u32 v2, u32 n);
u64 loop_cr3_2(u32 cr3_a, u32 cr3_b, u32 c, u32 n);

struct space {
	u64 *pdpt;
	u64 *pd[4];
};

static struct space space_a, space_b;
static u64 *bench_pt[2];
static u32 cal_ticks, cal_insns;

static u32 addr(volatile const void *p)
{
	return (u32)(size_t)p;
}

static u32 page_va(u32 i)
{
	return BENCH_VA + KiB(4) * i;
}

static void touch(u32 va)
{
	(void)*(volatile u8 *)(size_t)va;
}

static void space_init(struct space *s)
{
	s->pdpt = pae_identity();
	for (u32 g = 0; g < 4; g++)
		s->pd[g] = (u64 *)(size_t)(u32)(s->pdpt[g] & ~0xfffull);
}

/* A and B; in A, the two page tables of fresh pages at BENCH_VA. */
static void tables_init(void)
{
	space_init(&space_a);
	space_init(&space_b);
	for (u32 t = 0; t < 2; t++) {
		bench_pt[t] = page_alloc();
		for (u32 i = 0; i < 512; i++)
			bench_pt[t][i] = (BENCH_FRAMES + KiB(4) * (512 * t + i)) | PTE_P | PTE_W;
		space_a.pd[1][t] = addr(bench_pt[t]) | PTE_P | PTE_W;
	}
}

/* Ticks per instruction, from loops of 1000 and 1000 + CAL_ITERS iterations. */
static bool calibrate(void)
{
	u64 t0, t1;

	loop_empty(0, 0, 0, 1000); /* its code mapped */
	t0 = loop_empty(0, 0, 0, 1000);
	t1 = loop_empty(0, 0, 0, 1000 + CAL_ITERS);
	cal_insns = 2 * CAL_ITERS;
	cal_ticks = timed_calibration("shadowbench", "shadowbench.calibration", t0, t1, cal_insns);
	return cal_ticks > 0;
}

/* Print the figure (instructions per operation, rounded) and check it is positive. */
static void report(const char *name, const char *check_name, u64 ops, u64 base, u32 n)
{
	u64 den = (u64)cal_ticks * n;
	u32 fig = 0;

	if (ops > base)
		fig = (u32)div64((ops - base) * cal_insns + den / 2, den);
	printf("shadowbench: %s: %u operations in %llu ticks, the loop alone %llu ticks\n", name, n,
	       ops, base);
	printf("BENCH %s %u\n", name, fig);
	check(fig > 0, check_name, "%u instructions per operation (%llu ticks, loop alone %llu)",
	      fig, ops, base);
}

static void bench_first_touch(void)
{
	u32 first = page_va(1); /* pages 1 .. N_OPS: both tables */
	u64 base, ops;

	touch(page_va(0)); /* each table in use before the count */
	touch(page_va(BENCH_PAGES - 1));
	loop_touch_empty(first, 0, 0, N_OPS);
	base = loop_touch_empty(first, 0, 0, N_OPS);
	ops = loop_touch(first, 0, 0, N_OPS);
	report("first_touch", "shadowbench.first_touch", ops, base, N_OPS);
}

/* N_OPS stores into the low half of *entry, alternating v1 and v2. */
static void bench_write(const char *name, const char *check_name, volatile u64 *entry, u32 v1,
			u32 v2, bool warm)
{
	u64 base, ops;

	if (warm)
		loop_write2(addr(entry), v1, v2, 2);
	base = loop_empty(0, 0, 0, N_OPS / 2);
	ops = loop_write2(addr(entry), v1, v2, N_OPS / 2);
	report(name, check_name, ops, base, N_OPS);
}

static void bench_cr3_switch(void)
{
	u32 a = addr(space_a.pdpt), b = addr(space_b.pdpt);
	u64 base, ops;

	loop_cr3_2(a, b, 0, 2); /* both spaces used, the loop mapped in both */
	base = loop_empty(0, 0, 0, N_OPS / 2);
	ops = loop_cr3_2(a, b, 0, N_OPS / 2);
	report("cr3_switch", "shadowbench.cr3_switch", ops, base, N_OPS);
}

void guest_main(void)
{
	u64 ram = boot_ram_end();

	if (!check(ram >= MiB(16), "shadowbench.ram",
		   "needs 16 MiB of RAM, the boot info says 0x%llx", ram))
		return;
	tables_init();
	paging_on(addr(space_a.pdpt), true);
	printf("shadowbench: PAE paging, %u operations per figure, %s\n", N_OPS,
	       under_umbra() ? "under umbra" : "not under umbra");
	if (calibrate()) {
		bench_first_touch();
		/* A 2 MiB mapping of 8 MiB or of 10 MiB, in the loaded directory. */
		bench_write("pt_write", "shadowbench.pt_write", &space_a.pd[0][PTW_PDE],
			    MiB(8) | PTE_P | PTE_W | PTE_PS, MiB(10) | PTE_P | PTE_W | PTE_PS,
			    true);
		bench_cr3_switch();
		/* Last: it ends the shadowing of the second table. Page 1023's frame or 1022's. */
		bench_write("pte_rewrite", "shadowbench.pte_rewrite", &bench_pt[1][511],
			    (BENCH_FRAMES + KiB(4) * 1023) | PTE_P | PTE_W,
			    (BENCH_FRAMES + KiB(4) * 1022) | PTE_P | PTE_W, false);
	}
	paging_off();
}
