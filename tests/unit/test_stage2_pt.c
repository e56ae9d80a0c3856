/* test_stage2_pt.c: a stage-2 table built with the engine for every IPA width the geometry allows. */
#include <criterion/criterion.h>

#include "err.h"
#include "fake_ram.h"
#include "mm/pt.h"
#include "mm/stage2.h"

Test(stage2_pt, engine_builds_each_geometry)
{
	const struct pt_attr rw = { PT_R | PT_W, PT_MT_WB, 0 };

	for (u32 ipa = 32; ipa <= 48; ipa++) {
		struct palloc *pa = fake_ram_init(256);
		struct stage2_geom g;
		struct pt pt;
		struct pt_flush fl;
		struct pt_leaf lf;
		u64 top = 1ULL << ipa;

		cr_assert_eq(stage2_geometry(ipa, 48, false, &g), 0, "ipa %u", ipa);
		cr_assert_eq(pt_init(&pt, &pt_fmt_arm64_s2, ipa, g.levels, pa, OWNER_PGTABLE), 0,
			     "ipa %u levels %u", ipa, g.levels);
		cr_assert_eq(pt.root_entries, g.root_entries * g.concat, "ipa %u", ipa);
		cr_assert_eq(1u << pt.root_order, g.concat, "ipa %u: root pages", ipa);
		cr_assert_eq(palloc_count(pa, OWNER_PGTABLE), g.concat, "ipa %u", ipa);

		/* The first and the last page of the IPA space map; one past does not. */
		pt_flush_init(&fl);
		cr_assert_eq(pt_map(&pt, 0, FAKE_RAM_BASE, PAGE_SIZE, rw, &fl), 0);
		cr_assert_eq(pt_map(&pt, top - PAGE_SIZE, FAKE_RAM_BASE, PAGE_SIZE, rw, &fl), 0);
		cr_assert_eq(pt_map(&pt, top, FAKE_RAM_BASE, PAGE_SIZE, rw, &fl), -ERR_RANGE);
		cr_assert(pt_lookup(&pt, top - 1, &lf), "ipa %u", ipa);
		cr_assert_eq(lf.pa, FAKE_RAM_BASE);
		cr_assert(!pt_lookup(&pt, top, &lf));
		pt_destroy(&pt);
		cr_assert_eq(palloc_count(pa, OWNER_PGTABLE), 0, "ipa %u", ipa);
	}
	fake_ram_fini();
}
