/* pt.c: the mmu guest's stage-1 tables: a page pool, mapping, leaf updates with TLBI, MMU on. */
#include "mmu.h"

/*
 * 4 KiB granule, 512 entries per table. A VA is split as
 *
 *   47..39  38..30  29..21  20..12  11..0
 *   level 0 level 1 level 2 level 3 offset
 *
 * With 39-bit VAs (T0SZ 25) the walk starts at level 1, with 48 at level 0.
 * Level 2 may hold 2 MiB blocks; level 3 holds pages.
 */
#define MAX_TABLES 24
#define BLOCK_2M MiB(2)

static u64 tables[MAX_TABLES][512] __attribute__((aligned(4096)));
static unsigned used, start_level, va_width;

static unsigned va_index(u64 va, unsigned level)
{
	return (unsigned)BITS(va, 47 - 9 * level, 39 - 9 * level);
}

void pt_init(unsigned va_bits)
{
	va_width = va_bits;
	start_level = va_bits > 39 ? 0 : 1;
	used = 1; /* tables[0] is the root */
}

/* va's entry at level, making the tables above; NULL if out of tables or a block is in the way. */
static u64 *walk(u64 va, unsigned level)
{
	u64 *t = tables[0];

	for (unsigned l = start_level; l < level; l++) {
		u64 *e = &t[va_index(va, l)];

		if (!(*e & DESC_VALID)) {
			if (used == MAX_TABLES)
				return NULL;
			*e = (u64)(uintptr_t)tables[used++] | DESC_TABLE | DESC_VALID;
		} else if (!(*e & DESC_TABLE)) {
			return NULL;
		}
		t = (u64 *)(uintptr_t)(*e & DESC_OA_MASK);
	}
	return &t[va_index(va, level)];
}

bool pt_map(u64 va, u64 pa, u64 size, u64 prot, bool blocks)
{
	for (u64 off = 0; off < size;) {
		bool block = blocks && (va + off) % BLOCK_2M == 0 && (pa + off) % BLOCK_2M == 0 &&
			     size - off >= BLOCK_2M;
		u64 *e = walk(va + off, block ? 2 : 3);

		if (!e)
			return false;
		*e = ((pa + off) & DESC_OA_MASK) | prot | DESC_VALID | (block ? 0 : DESC_TABLE);
		off += block ? BLOCK_2M : PAGE_SIZE;
	}
	return true;
}

u64 *pt_leaf(u64 va)
{
	u64 *t = tables[0];

	for (unsigned l = start_level; l < 3; l++) {
		u64 e = t[va_index(va, l)];

		if ((e & (DESC_VALID | DESC_TABLE)) != (DESC_VALID | DESC_TABLE))
			return NULL;
		t = (u64 *)(uintptr_t)(e & DESC_OA_MASK);
	}
	return &t[va_index(va, 3)];
}

/* No break-before-make needed: each change goes to or from invalid, or only changes AP[2]. */
void pt_set_leaf(u64 va, u64 desc)
{
	u64 *e = pt_leaf(va);

	if (!e)
		return;
	*e = desc;
	dsb_ishst();
	__asm__ volatile("tlbi vaae1is, %0" : : "r"(va >> 12) : "memory");
	dsb_ish();
	isb();
}

unsigned pt_ips_bits(void)
{
	unsigned bits = pa_range_bits();

	return bits > 48 ? 48 : bits;
}

static u64 ips_encoding(unsigned bits)
{
	static const u8 widths[] = { 32, 36, 40, 42, 44, 48 };

	for (u64 i = 0; i < ARRAY_SIZE(widths); i++)
		if (widths[i] == bits)
			return i;
	return 0;
}

/*
 * Lines of the image may still sit in the data cache from before the guest
 * started (the loader's writes); everything since went to memory with the
 * MMU off. Invalidate them, or turning the cache on would bring them back.
 */
static void dcache_invalidate_image(void)
{
	extern char __image_start[], __image_end[];
	u64 line = 4ull << BITS(read_sysreg(ctr_el0), 19, 16);

	for (u64 a = (u64)(uintptr_t)__image_start & ~(line - 1); a < (u64)(uintptr_t)__image_end;
	     a += line)
		__asm__ volatile("dc ivac, %0" : : "r"(a) : "memory");
	dsb_sy();
}

void mmu_enable(void)
{
	u64 tcr = (64 - va_width) |	   /* T0SZ */
		  1ull << 8 | 1ull << 10 | /* IRGN0, ORGN0: write-back, write-allocate */
		  3ull << 12 |		   /* SH0: inner shareable */
		  0ull << 14 |		   /* TG0: 4 KiB */
		  1ull << 23 |		   /* EPD1: no walks from TTBR1 */
		  ips_encoding(pt_ips_bits()) << 32;

	dcache_invalidate_image();
	write_sysreg(mair_el1, MAIR_VALUE);
	write_sysreg(tcr_el1, tcr);
	write_sysreg(ttbr0_el1, (u64)(uintptr_t)tables[0]);
	isb();
	__asm__ volatile("tlbi vmalle1" : : : "memory");
	dsb_sy();
	isb();
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | SCTLR_M | SCTLR_C | SCTLR_I);
	isb();
}
