/* test_pt_basic.c: first checks of the page-table engine on the x86-64 format. */
#include <criterion/criterion.h>

#include "err.h"
#include "fake_ram.h"
#include "mm/pt.h"

static const struct pt_attr RWX = { PT_R | PT_W | PT_X, PT_MT_WB, 0 };

Test(pt_basic, map_lookup_unmap_x86)
{
	struct palloc *pa = fake_ram_init(4096);
	struct pt pt;
	struct pt_flush fl;
	struct pt_leaf lf;
	u64 free0 = pa->nr_free;

	cr_assert_eq(pt_init(&pt, &pt_fmt_x86_64, 48, 4, pa, OWNER_PGTABLE), 0);
	pt_flush_init(&fl);
	/* 4 MiB + 8 KiB at an address that allows 2 MiB blocks in the middle. */
	cr_assert_eq(
		pt_map(&pt, 0x40000000 - 0x2000, 0x80000000 - 0x2000, MiB(4) + 0x4000, RWX, &fl),
		0);
	cr_assert(pt_lookup(&pt, 0x40000000 - 0x2000, &lf));
	cr_assert_eq(lf.level, 0);
	cr_assert_eq(lf.pa, 0x80000000 - 0x2000);
	cr_assert(pt_lookup(&pt, 0x40000000 + 0x123456, &lf));
	cr_assert_eq(lf.level, 1);
	cr_assert_eq(lf.size, MiB(2));
	cr_assert_eq(lf.pa, 0x80000000);
	cr_assert_eq(lf.attr.perm, RWX.perm);
	cr_assert(!pt_lookup(&pt, 0x40000000 + MiB(4) + 0x2000, &lf));
	cr_assert_eq(fl.nr_changed, 0, "fresh mappings need no flush");

	/* Unmap 4 KiB out of the middle of a 2 MiB block: it is split. */
	cr_assert_eq(pt_unmap(&pt, 0x40001000, 0x1000, &fl), 0);
	cr_assert(!pt_lookup(&pt, 0x40001000, &lf));
	cr_assert(pt_lookup(&pt, 0x40002000, &lf));
	cr_assert_eq(lf.level, 0);
	cr_assert_eq(lf.pa, 0x80002000);
	cr_assert(fl.start <= 0x40001000 && fl.end >= 0x40002000);
	pt_flush_done(&pt, &fl);

	pt_flush_init(&fl);
	cr_assert_eq(pt_unmap(&pt, 0, 1ULL << 47, &fl), 0);
	pt_flush_done(&pt, &fl);
	cr_assert_eq(pt.nr_tables, 1, "only the root is left");
	pt_destroy(&pt);
	cr_assert_eq(pa->nr_free, free0);
	cr_assert_eq(palloc_count(pa, OWNER_PGTABLE), 0);
}

Test(pt_basic, out_of_memory_leaves_table_unchanged)
{
	struct palloc *pa = fake_ram_init(64);
	struct pt pt;
	struct pt_flush fl;
	struct pt_leaf lf;

	cr_assert_eq(pt_init(&pt, &pt_fmt_x86_64, 48, 4, pa, OWNER_PGTABLE), 0);
	pt_flush_init(&fl);
	cr_assert(fake_ram_squeeze(pa, 2));
	/* Needs PDPT, PD and PT: three pages, two free. */
	cr_assert_eq(pt_map(&pt, 0x1000, 0x5000, 0x1000, RWX, &fl), -ERR_NOMEM);
	cr_assert_eq(pa->nr_free, 2);
	cr_assert_eq(pt.nr_tables, 1);
	cr_assert(!pt_lookup(&pt, 0x1000, &lf));
}

Test(pt_basic, protect_with_same_attributes_does_not_split)
{
	struct palloc *pa = fake_ram_init(256);
	struct pt pt;
	struct pt_flush fl;
	struct pt_leaf lf;

	cr_assert_eq(pt_init(&pt, &pt_fmt_arm64_s2, 40, 3, pa, OWNER_PGTABLE), 0);
	pt_flush_init(&fl);
	cr_assert_eq(pt_map(&pt, 0, 0, MiB(2), RWX, &fl), 0);
	u64 tables = pt.nr_tables;
	cr_assert_eq(pt_protect(&pt, 0x3000, 0x1000, RWX, &fl), 0);
	cr_assert_eq(pt.nr_tables, tables, "no split for a no-op protect");
	cr_assert_eq(fl.nr_changed, 0);
	cr_assert_eq(fl.nr_bbm, 0);
	cr_assert(pt_lookup(&pt, 0x3000, &lf));
	cr_assert_eq(lf.level, 1);
	/* A real change still splits. */
	struct pt_attr ro = { PT_R, PT_MT_WB, 0 };
	cr_assert_eq(pt_protect(&pt, 0x3000, 0x1000, ro, &fl), 0);
	cr_assert(pt_lookup(&pt, 0x3000, &lf));
	cr_assert_eq(lf.level, 0);
	cr_assert_eq(lf.attr.perm, PT_R);
	pt_flush_done(&pt, &fl);
	pt_destroy(&pt);
}

/* Guest tables in a host array: their "physical" addresses are host pointers. */
static const void *host_table(void *ctx, u64 addr, size_t len)
{
	return (const void *)(uintptr_t)addr;
}

Test(pt_basic, guest_leaf_at_a_level_without_blocks_translates_nothing)
{
	/* A hand-made x86-64 guest tree: PML4 entry 1 has PS set (reserved there). */
	static u64 pml4[512] __attribute__((aligned(4096)));
	struct pt pt;
	struct pt_leaf lf;

	pml4[1] = 0x80000000ULL | 0x83; /* P | RW | PS */
	cr_assert_eq(pt_attach(&pt, &pt_fmt_x86_64, 48, 4, (u64)(uintptr_t)pml4), 0);
	pt.map_table = host_table;
	cr_assert(!pt_lookup(&pt, 1ULL << 39, &lf), "PS in a PML4 entry must not map 512 GiB");
	cr_assert_eq(pt_unmap(&pt, 0, PAGE_SIZE, NULL), -ERR_PERM, "a guest's tree is read only");
}
