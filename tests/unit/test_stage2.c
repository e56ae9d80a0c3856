/* test_stage2.c: host tests of the arm64 stage-2 geometry calculator (mm/stage2.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "compiler.h"
#include "mm/stage2.h"

/*
 * The expected geometry of every IPA width, written out by hand from the
 * Arm ARM rather than computed: 4 KiB granule, fewest levels, up to 16
 * concatenated tables at the start level (VTCR_EL2, AArch64.S2InconsistentSL).
 * Columns: ipa, levels, start level, concat, root entries per table, SL0.
 */
struct expect {
	u32 ipa;
	u32 levels;
	int start_level;
	u32 concat;
	u32 root_entries;
	u32 sl0;
};

static const struct expect table[] = {
	{ 32, 2, 2, 4, 512, 0 },  /* 4 tables concatenated at level 2 */
	{ 33, 2, 2, 8, 512, 0 },  /* 8 tables concatenated at level 2 */
	{ 34, 2, 2, 16, 512, 0 }, /* 16 tables concatenated at level 2 */
	{ 35, 3, 1, 1, 32, 1 },	  /* one root table of 32 entries at level 1 */
	{ 36, 3, 1, 1, 64, 1 },	  /* one root table of 64 entries at level 1 */
	{ 37, 3, 1, 1, 128, 1 },  /* one root table of 128 entries at level 1 */
	{ 38, 3, 1, 1, 256, 1 },  /* one root table of 256 entries at level 1 */
	{ 39, 3, 1, 1, 512, 1 },  /* one root table of 512 entries at level 1 */
	{ 40, 3, 1, 2, 512, 1 },  /* 2 tables concatenated at level 1 */
	{ 41, 3, 1, 4, 512, 1 },  /* 4 tables concatenated at level 1 */
	{ 42, 3, 1, 8, 512, 1 },  /* 8 tables concatenated at level 1 */
	{ 43, 3, 1, 16, 512, 1 }, /* 16 tables concatenated at level 1 */
	{ 44, 4, 0, 1, 32, 2 },	  /* one root table of 32 entries at level 0 */
	{ 45, 4, 0, 1, 64, 2 },	  /* one root table of 64 entries at level 0 */
	{ 46, 4, 0, 1, 128, 2 },  /* one root table of 128 entries at level 0 */
	{ 47, 4, 0, 1, 256, 2 },  /* one root table of 256 entries at level 0 */
	{ 48, 4, 0, 1, 512, 2 },  /* one root table of 512 entries at level 0 */
	{ 49, 4, 0, 2, 512, 2 },  /* 2 tables concatenated at level 0 */
	{ 50, 4, 0, 4, 512, 2 },  /* 4 tables concatenated at level 0 */
	{ 51, 4, 0, 8, 512, 2 },  /* 8 tables concatenated at level 0 */
	{ 52, 4, 0, 16, 512, 2 }, /* 16 tables concatenated at level 0 */
};

/* PARange field, PA bits, and VTCR_EL2.PS, from ID_AA64MMFR0_EL1 and VTCR_EL2. */
static const struct {
	u32 field, bits, ps;
} pa_ranges[] = {
	{ 0, 32, 0 }, { 1, 36, 1 }, { 2, 40, 2 }, { 3, 42, 3 },
	{ 4, 44, 4 }, { 5, 48, 5 }, { 6, 52, 6 },
};

/*
 * IPA widths each start level accepts with a 4 KiB granule: from one bit
 * more than the lower levels resolve to a full table plus 16 concatenated.
 */
static const struct {
	int level;
	u32 min, max;
} level_range[] = { { 3, 13, 25 }, { 2, 22, 34 }, { 1, 31, 43 }, { 0, 40, 52 } };

/* VTCR_EL2.SL0 meaning for TG0 = 4 KiB and SL2 = 0 (0b11 is level 3 with FEAT_TTST). */
static int sl0_start_level(u32 sl0)
{
	static const int lvl[] = { 2, 1, 0, 3 };
	return lvl[sl0 & 3];
}

static bool level_accepts(int level, u32 ipa)
{
	for (size_t i = 0; i < ARRAY_SIZE(level_range); i++) {
		if (level_range[i].level == level)
			return ipa >= level_range[i].min && ipa <= level_range[i].max;
	}
	return false;
}

static u32 log2_exact(u32 v)
{
	u32 n = 0;
	cr_assert(v && !(v & (v - 1)), "%u is not a power of two", v);
	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

/* Is (ipa, pa, lpa2) a width the architecture and the project allow? */
static bool allowed(u32 ipa, u32 pa, bool lpa2)
{
	return ipa >= 32 && ipa <= pa && (ipa <= 48 || lpa2);
}

static u32 pa_to_ps(u32 pa)
{
	for (size_t i = 0; i < ARRAY_SIZE(pa_ranges); i++) {
		if (pa_ranges[i].bits == pa)
			return pa_ranges[i].ps;
	}
	cr_assert_fail("no PARange of %u bits", pa);
	return 0;
}

/* The vtcr value taken apart with literal bit positions from the Arm ARM. */
static void check_vtcr(const struct stage2_geom *g, u32 ipa, u32 pa, bool lpa2)
{
	u64 v = g->vtcr;

	cr_assert_eq(v & 0x3f, 64 - ipa, "T0SZ");
	cr_assert_eq((v >> 6) & 3, g->sl0, "SL0");
	cr_assert_eq((v >> 8) & 3, 1, "IRGN0 write-back write-allocate");
	cr_assert_eq((v >> 10) & 3, 1, "ORGN0 write-back write-allocate");
	cr_assert_eq((v >> 12) & 3, 3, "SH0 inner shareable");
	cr_assert_eq((v >> 14) & 3, 0, "TG0 4 KiB");
	cr_assert_eq((v >> 16) & 7, pa_to_ps(pa), "PS");
	cr_assert_eq((v >> 31) & 1, 1, "bit 31 is RES1");
	cr_assert_eq((v >> 32) & 1, lpa2 ? 1 : 0, "DS");
	cr_assert_eq((v >> 33) & 1, 0, "SL2 is never needed");
	cr_assert_eq(v & ~0x18007ffffULL, 0, "no other field set: %#llx", (unsigned long long)v);
}

/* Properties every geometry must have, stated independently of the table. */
static void check_properties(const struct stage2_geom *g, u32 ipa, u32 pa, bool lpa2)
{
	cr_assert(g->concat >= 1 && g->concat <= 16, "concat %u", g->concat);
	cr_assert(g->root_entries >= 2 && g->root_entries <= 512, "root %u", g->root_entries);
	cr_assert(g->concat == 1 || g->root_entries == 512, "only full tables are concatenated");
	/* Root index bits + 9 per lower level + 12 offset bits = exactly the IPA. */
	cr_assert_eq(log2_exact(g->root_entries) + log2_exact(g->concat) + (g->levels - 1) * 9 + 12,
		     ipa);
	cr_assert_eq((u64)g->root_entries * g->concat * (1ULL << (12 + 9 * (g->levels - 1))),
		     1ULL << ipa, "the root spans the IPA space");
	cr_assert_eq(g->start_level + (int)g->levels, 4, "walks end at level 3");
	cr_assert_eq(g->t0sz, 64 - ipa);
	cr_assert_eq(sl0_start_level(g->sl0), g->start_level, "SL0 %u", g->sl0);
	cr_assert(g->sl0 != 3, "SL0 0b11 needs FEAT_TTST");
	cr_assert(level_accepts(g->start_level, ipa), "start level %d for %u", g->start_level, ipa);
	cr_assert(!level_accepts(g->start_level + 1, ipa), "a level with fewer lookups would do");
	cr_assert(g->start_level != 0 || pa >= 44, "SL0 = level 0 is reserved below PARange 44");
	cr_assert_eq(g->ps, pa_to_ps(pa));
	cr_assert_eq(g->ds, lpa2);
	check_vtcr(g, ipa, pa, lpa2);
}

Test(stage2, every_width_matches_the_table)
{
	cr_assert_eq(ARRAY_SIZE(table), 21);
	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		const struct expect *e = &table[i];
		bool lpa2 = e->ipa > 48;
		struct stage2_geom g;

		cr_assert_eq(e->ipa, 32 + i);
		cr_assert_eq(stage2_geometry(e->ipa, 52, lpa2, &g), STAGE2_OK, "ipa %u", e->ipa);
		cr_assert_eq(g.levels, e->levels, "ipa %u levels", e->ipa);
		cr_assert_eq(g.start_level, e->start_level, "ipa %u start", e->ipa);
		cr_assert_eq(g.concat, e->concat, "ipa %u concat", e->ipa);
		cr_assert_eq(g.root_entries, e->root_entries, "ipa %u root", e->ipa);
		cr_assert_eq(g.sl0, e->sl0, "ipa %u sl0", e->ipa);
		cr_assert_eq(g.t0sz, 64 - e->ipa, "ipa %u t0sz", e->ipa);
	}
}

/* Every IPA 0..64 against every PARange, with and without LPA2. */
Test(stage2, exhaustive_grid)
{
	for (size_t p = 0; p < ARRAY_SIZE(pa_ranges); p++) {
		u32 pa = pa_ranges[p].bits;
		for (u32 ipa = 0; ipa <= 64; ipa++) {
			for (int l = 0; l < 2; l++) {
				struct stage2_geom g;
				int rc = stage2_geometry(ipa, pa, l, &g);

				if (!allowed(ipa, pa, l)) {
					cr_assert_lt(rc, 0, "ipa %u pa %u lpa2 %d", ipa, pa, l);
					continue;
				}
				cr_assert_eq(rc, STAGE2_OK, "ipa %u pa %u lpa2 %d", ipa, pa, l);
				check_properties(&g, ipa, pa, l);
				cr_assert_eq(g.levels, table[ipa - 32].levels);
				cr_assert_eq(g.concat, table[ipa - 32].concat);
				cr_assert_eq(g.root_entries, table[ipa - 32].root_entries);
			}
		}
	}
}

/* Known VTCR_EL2 values worked out by hand. */
Test(stage2, vtcr_values)
{
	struct stage2_geom g;

	cr_assert_eq(stage2_geometry(32, 32, false, &g), 0);
	cr_assert_eq(g.vtcr, 0x80003520ULL);
	cr_assert_eq(stage2_geometry(40, 40, false, &g), 0);
	cr_assert_eq(g.vtcr, 0x80023558ULL);
	cr_assert_eq(stage2_geometry(48, 48, false, &g), 0);
	cr_assert_eq(g.vtcr, 0x80053590ULL);
	cr_assert_eq(stage2_geometry(52, 52, true, &g), 0);
	cr_assert_eq(g.vtcr, 0x18006358cULL);
	cr_assert_eq(stage2_geometry(40, 52, true, &g), 0);
	cr_assert_eq(g.vtcr, 0x180063558ULL);
}

static void check_error(u32 ipa, u32 pa, bool lpa2, int want)
{
	struct stage2_geom g, before;

	memset(&g, 0xa5, sizeof(g));
	before = g;
	cr_assert_eq(stage2_geometry(ipa, pa, lpa2, &g), want, "ipa %u pa %u lpa2 %d", ipa, pa,
		     lpa2);
	cr_assert(memcmp(&g, &before, sizeof(g)) == 0, "out changed on error");
}

Test(stage2, too_narrow_or_too_wide)
{
	for (size_t p = 0; p < ARRAY_SIZE(pa_ranges); p++) {
		for (int l = 0; l < 2; l++) {
			check_error(31, pa_ranges[p].bits, l, STAGE2_ERANGE);
			check_error(0, pa_ranges[p].bits, l, STAGE2_ERANGE);
			check_error(53, pa_ranges[p].bits, l, STAGE2_ERANGE);
			check_error(64, pa_ranges[p].bits, l, STAGE2_ERANGE);
		}
	}
}

Test(stage2, above_pa_range)
{
	for (size_t p = 0; p < ARRAY_SIZE(pa_ranges); p++) {
		u32 pa = pa_ranges[p].bits;
		struct stage2_geom g;

		for (int l = 0; l < 2; l++) {
			for (u32 ipa = pa + 1; ipa <= 52; ipa++)
				check_error(ipa, pa, l, STAGE2_ERANGE);
			cr_assert_eq(stage2_geometry(MIN(pa, 48), pa, l, &g), 0, "pa %u", pa);
		}
	}
}

Test(stage2, over_48_needs_lpa2)
{
	struct stage2_geom g;

	for (u32 ipa = 49; ipa <= 52; ipa++) {
		check_error(ipa, 52, false, STAGE2_ENOLPA2);
		cr_assert_eq(stage2_geometry(ipa, 52, true, &g), STAGE2_OK);
	}
	cr_assert_eq(stage2_geometry(48, 52, false, &g), STAGE2_OK);
}

Test(stage2, bad_pa_range_and_null)
{
	static const u32 bad[] = { 0, 31, 33, 35, 38, 41, 43, 46, 50, 53, 56, 64, 0xffffffffU };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		check_error(32, bad[i], false, STAGE2_EINVAL);
		check_error(32, bad[i], true, STAGE2_EINVAL);
	}
	cr_assert_eq(stage2_geometry(40, 48, false, NULL), STAGE2_EINVAL);
}

Test(stage2, ps_for_each_pa_range)
{
	for (size_t p = 0; p < ARRAY_SIZE(pa_ranges); p++) {
		struct stage2_geom g;

		cr_assert_eq(stage2_geometry(32, pa_ranges[p].bits, false, &g), 0);
		cr_assert_eq(g.ps, pa_ranges[p].ps, "pa %u", pa_ranges[p].bits);
		cr_assert_eq((g.vtcr >> 16) & 7, pa_ranges[p].ps);
	}
}

Test(stage2, parange_field_decode)
{
	u32 bits;

	for (size_t p = 0; p < ARRAY_SIZE(pa_ranges); p++) {
		bits = 0;
		cr_assert_eq(stage2_pa_range_bits(pa_ranges[p].field, &bits), STAGE2_OK);
		cr_assert_eq(bits, pa_ranges[p].bits);
	}
	for (u32 f = 7; f <= 16; f++) {
		bits = 1234;
		cr_assert_eq(stage2_pa_range_bits(f, &bits), STAGE2_EINVAL, "field %u", f);
		cr_assert_eq(bits, 1234);
	}
	cr_assert_eq(stage2_pa_range_bits(0xffffffffU, &bits), STAGE2_EINVAL);
	cr_assert_eq(stage2_pa_range_bits(0, NULL), STAGE2_EINVAL);
}

Test(stage2, default_ipa)
{
	static const u32 want[] = { 32, 36, 40, 42, 44, 48, 48 };

	for (size_t p = 0; p < ARRAY_SIZE(pa_ranges); p++) {
		struct stage2_geom g;
		u32 ipa = stage2_default_ipa(pa_ranges[p].bits);

		cr_assert_eq(ipa, want[p], "pa %u", pa_ranges[p].bits);
		cr_assert_eq(stage2_geometry(ipa, pa_ranges[p].bits, false, &g), 0);
	}
}

Test(stage2, describe_line)
{
	struct stage2_geom g;
	char buf[128];
	int n;

	cr_assert_eq(stage2_geometry(40, 44, false, &g), 0);
	n = stage2_describe(buf, sizeof(buf), 3, 40, &g);
	cr_assert_str_eq(buf, "stage2: vm=3 ipa=40 levels=3 start_level=1 concat=2 t0sz=24 sl0=1");
	cr_assert_eq(n, (int)strlen(buf));

	cr_assert_eq(stage2_geometry(32, 36, false, &g), 0);
	stage2_describe(buf, sizeof(buf), 0, 32, &g);
	cr_assert_str_eq(buf, "stage2: vm=0 ipa=32 levels=2 start_level=2 concat=4 t0sz=32 sl0=0");

	cr_assert_eq(stage2_geometry(52, 52, true, &g), 0);
	stage2_describe(buf, sizeof(buf), 65535, 52, &g);
	cr_assert_str_eq(buf,
			 "stage2: vm=65535 ipa=52 levels=4 start_level=0 concat=16 t0sz=12 sl0=2");

	cr_assert_eq(stage2_geometry(44, 48, false, &g), 0);
	stage2_describe(buf, sizeof(buf), 7, 44, &g);
	cr_assert_str_eq(buf, "stage2: vm=7 ipa=44 levels=4 start_level=0 concat=1 t0sz=20 sl0=2");
}

Test(stage2, describe_truncates)
{
	struct stage2_geom g;
	char buf[16];

	cr_assert_eq(stage2_geometry(39, 40, false, &g), 0);
	memset(buf, 'x', sizeof(buf));
	cr_assert_eq(
		stage2_describe(buf, sizeof(buf), 1, 39, &g),
		(int)strlen("stage2: vm=1 ipa=39 levels=3 start_level=1 concat=1 t0sz=25 sl0=1"));
	cr_assert_str_eq(buf, "stage2: vm=1 ip");
}
