/* test_pt_formats.c: the page-table engine on every format: geometry, attributes, blocks,
 * splits, flush reporting, errors, and the read-only guest formats. */
#include <string.h>

#include "pt_testlib.h"

#define ULL(x) ((unsigned long long)(x))
#define RAM_PAGES 4096

static const struct pt_attr RW = { PT_R | PT_W, PT_MT_WB, 0 };
static const struct pt_attr RWX = { PT_R | PT_W | PT_X, PT_MT_WB, 0 };
static const struct pt_attr RO = { PT_R, PT_MT_WB, 0 };

/* ---------------------------------------------------------------- geometry */

Test(pt_formats, geometry)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		struct pt *pt = &env.pt;
		unsigned top = c->levels - 1;

		for (unsigned l = 0; l < c->levels; l++)
			cr_assert_eq(pt->shift[l], 12 + 9 * l, "%s: shift[%u]", c->name, l);
		cr_assert_eq(pt->root_entries, 1u << (c->va_bits - pt->shift[top]), "%s", c->name);
		u64 root_bytes = (u64)pt->root_entries * 8;
		u64 pages = root_bytes <= PAGE_SIZE ? 1 : root_bytes / PAGE_SIZE;
		cr_assert_eq(1ULL << pt->root_order, pages, "%s: root order %u", c->name,
			     pt->root_order);
		cr_assert_eq(pt->nr_tables, pages, "%s", c->name);
		cr_assert(IS_ALIGNED(pt->root.val, PAGE_SIZE << pt->root_order),
			  "%s: concatenated root not aligned to its size", c->name);
		ptl_check_owned(&env, "init");
		/* The top of the input range is reachable, one page more is not. */
		u64 last = (1ULL << c->va_bits) - PAGE_SIZE;
		cr_assert_eq(pt_map(pt, last, 0x1000, PAGE_SIZE, RW, &env.fl), 0, "%s", c->name);
		ptl_expect_leaf(pt, last, 0x1000, 0, RW, "last page");
		cr_assert_eq(pt_map(pt, last, 0x1000, 2 * PAGE_SIZE, RW, &env.fl), -ERR_RANGE);
		/* Addresses past va_bits do not wrap around onto the bottom. */
		cr_assert_eq(pt_map(pt, 0, 0x2000, PAGE_SIZE, RW, &env.fl), 0);
		struct pt_leaf lf;
		cr_assert(!pt_lookup(pt, last + PAGE_SIZE, &lf), "%s: lookup past the top",
			  c->name);
		cr_assert(!pt_lookup(pt, ~0ULL & ~0xFFFULL, &lf));
		struct ptl_leaves l = { 0 };
		ptl_collect(pt, last, ~0ULL, &l);
		cr_assert(l.n == 1 && l.v[0].va == last, "%s: walk past the top", c->name);
		ptl_leaves_free(&l);
		ptl_env_fini(&env);
	}
	struct palloc *pa = fake_ram_init(64);
	u64 free0 = pa->nr_free;
	struct pt pt;
	static const struct {
		const struct pt_format *fmt;
		u32 va_bits, levels;
		int rc;
	} bad[] = {
		{ &pt_fmt_x86_64, 58, 5, -ERR_INVAL },	 { &pt_fmt_x86_64, 48, 6, -ERR_INVAL },
		{ &pt_fmt_x86_64, 49, 4, -ERR_INVAL },	 { &pt_fmt_x86_64, 39, 4, -ERR_INVAL },
		{ &pt_fmt_x86_64, 48, 0, -ERR_INVAL },	 { &pt_fmt_ept, 65, 5, -ERR_INVAL },
		{ &pt_fmt_arm64_s1, 40, 3, -ERR_INVAL }, /* stage-1 cannot concatenate */
		{ &pt_fmt_arm64_s2, 44, 3, -ERR_INVAL }, /* 32 tables */
		{ &pt_fmt_arm64_s2, 48, 5, -ERR_INVAL }, { &pt_fmt_x86_32, 32, 2, -ERR_PERM },
		{ &pt_fmt_x86_pae, 32, 3, -ERR_PERM },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cr_assert_eq(
			pt_init(&pt, bad[i].fmt, bad[i].va_bits, bad[i].levels, pa, OWNER_PGTABLE),
			bad[i].rc, "bad geometry %zu", i);
		cr_assert_eq(pa->nr_free, free0);
	}
	fake_ram_fini();
}

/* ---------------------------------------------------------------- attributes */

/* Permission set number i (R plus a subset of W, X, U) if the format has it. */
static bool perm_set(const struct pt_format *fmt, unsigned i, u8 *perm)
{
	*perm = (u8)(PT_R | ((i & 1) ? PT_W : 0) | ((i & 2) ? PT_X : 0) | ((i & 4) ? PT_U : 0));
	return !(*perm & ~fmt->perm_mask);
}

Test(pt_formats, attributes_round_trip_at_every_level)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		struct pt *pt = &env.pt;
		u8 fmask = ptl_flag_mask(c->fmt);
		unsigned n = 0;

		for (unsigned level = 0; level <= ptl_top_block(pt); level++) {
			if (level && !(pt->block_mask & BIT(level)))
				continue;
			u64 size = pt_level_size(pt, level), va = GiB(2);
			/* The highest output address the format has, and a low one. */
			u64 pa_hi = (1ULL << c->fmt->pa_bits) - size;
			for (unsigned mt = 0; mt < PT_MT_COUNT; mt++) {
				for (unsigned p = 0; p < 8; p++) {
					struct pt_attr a = { 0, (u8)mt,
							     (u8)((p * 5 + mt) & fmask) };
					struct pt_attr b = { 0, (u8)((mt + 1) % PT_MT_COUNT),
							     (u8)(~a.flags & fmask) };
					u64 pa = (n++ & 1) ? pa_hi : size * 3;
					if (!perm_set(c->fmt, p, &a.perm) ||
					    !perm_set(c->fmt, p ^ 3, &b.perm))
						continue;
					cr_assert_eq(pt_map(pt, va, pa, size, a, &env.fl), 0,
						     "%s: map level %u", c->name, level);
					ptl_expect_leaf(pt, va + size / 2, pa, level, a, c->name);
					cr_assert_eq(pt_protect(pt, va, size, b, &env.fl), 0);
					ptl_expect_leaf(pt, va, pa, level, b, c->name);
					cr_assert_eq(pt_unmap(pt, va, size, &env.fl), 0);
					cr_assert(!pt_lookup(pt, va, &(struct pt_leaf){ 0 }),
						  "%s: level %u after unmap", c->name, level);
					ptl_flush(&env);
				}
			}
		}
		/* The entries as the hardware reads them, for a few well-known encodings. */
		struct pt_leaf lf;
		cr_assert_eq(pt_map(pt, GiB(2), 0x123456000, PAGE_SIZE, RO, &env.fl), 0);
		cr_assert(pt_lookup(pt, GiB(2), &lf));
		if (c->fmt == &pt_fmt_x86_64)
			cr_assert_eq(lf.entry, 0x8000000123456001ULL, "%s: 0x%llx", c->name,
				     ULL(lf.entry));
		else if (c->fmt == &pt_fmt_ept)
			cr_assert_eq(lf.entry, 0x123456031ULL, "%s: 0x%llx", c->name,
				     ULL(lf.entry));
		else if (c->fmt == &pt_fmt_arm64_s1)
			cr_assert_eq(lf.entry, 0x00400001234567C3ULL, "%s: 0x%llx", c->name,
				     ULL(lf.entry));
		else
			cr_assert_eq(lf.entry, 0x00400001234567FFULL & ~BIT(7), "%s: 0x%llx",
				     c->name, ULL(lf.entry));
		ptl_env_fini(&env);
	}
}

Test(pt_formats, flags_where_the_format_has_them)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		for (unsigned f = 0; f < 16; f++) {
			struct pt_attr a = { PT_R | PT_W, PT_MT_WB, (u8)f };
			cr_assert_eq(pt_map(&env.pt, GiB(1), GiB(3), MiB(2), a, &env.fl), 0);
			ptl_expect_leaf(&env.pt, GiB(1), GiB(3), 1, a, "2 MiB flags");
			cr_assert_eq(pt_map(&env.pt, MiB(4), GiB(3), PAGE_SIZE, a, &env.fl), 0);
			ptl_expect_leaf(&env.pt, MiB(4), GiB(3), 0, a, "4 KiB flags");
		}
		ptl_env_fini(&env);
	}
}

/* ---------------------------------------------------------------- blocks */

Test(pt_formats, largest_block_the_alignment_allows)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		struct pt *pt = &env.pt;
		u64 va = GiB(1) - KiB(8), size = GiB(1) + MiB(4) + KiB(16);
		/* pa congruent to va modulo 1 GiB: 4 KiB, 1 GiB, 2 MiB, 4 KiB leaves. */
		u64 pa = GiB(6) - KiB(8);
		u64 hist[PT_MAX_LEVELS] = { 0 };

		cr_assert_eq(pt_map(pt, va, pa, size, RWX, &env.fl), 0, "%s", c->name);
		ptl_check_no_flush(&env, "fresh map");
		ptl_expect_shape(pt, va, size, pa, RWX, "aligned");
		ptl_expect_linear(pt, va, size, pa, RWX, hist, "aligned");
		if (ptl_top_block(pt) >= 2)
			cr_assert(hist[0] == 4 && hist[1] == 2 && hist[2] == 1,
				  "%s: %llu/%llu/%llu", c->name, ULL(hist[0]), ULL(hist[1]),
				  ULL(hist[2]));
		else
			cr_assert(hist[0] == 4 && hist[1] == 514, "%s", c->name);
		unsigned top = ptl_top_block(pt);
		ptl_expect_leaf(pt, GiB(1) + 0x1234567,
				GiB(6) + ALIGN_DOWN(0x1234567ULL, pt_level_size(pt, top)), top, RWX,
				"inside the top block");
		cr_assert_eq(pt_unmap(pt, va, size, &env.fl), 0);
		ptl_flush(&env);
		ptl_check_owned(&env, "unmapped");

		/* pa only 2 MiB aligned against va: no 1 GiB leaf. */
		memset(hist, 0, sizeof(hist));
		pa = GiB(6) + MiB(2);
		cr_assert_eq(pt_map(pt, GiB(1), pa, GiB(1), RW, &env.fl), 0);
		ptl_expect_shape(pt, GiB(1), GiB(1), pa, RW, "2 MiB aligned");
		ptl_expect_linear(pt, GiB(1), GiB(1), pa, RW, hist, "2 MiB aligned");
		cr_assert(hist[1] == 512 && hist[2] == 0, "%s", c->name);
		cr_assert_eq(pt_unmap(pt, GiB(1), GiB(1), &env.fl), 0);

		/* pa only 4 KiB aligned: no block at all. */
		memset(hist, 0, sizeof(hist));
		pa = GiB(6) + KiB(4);
		cr_assert_eq(pt_map(pt, GiB(1), pa, MiB(4), RW, &env.fl), 0);
		ptl_expect_linear(pt, GiB(1), MiB(4), pa, RW, hist, "4 KiB aligned");
		cr_assert(hist[0] == 1024 && hist[1] == 0, "%s", c->name);
		cr_assert_eq(pt_unmap(pt, GiB(1), MiB(4), &env.fl), 0);
		ptl_flush(&env);

		/* A table narrowed to 2 MiB blocks, then to none. */
		pt->block_mask = BIT(1);
		cr_assert_eq(pt_map(pt, GiB(1), GiB(2), GiB(1), RW, &env.fl), 0);
		ptl_expect_shape(pt, GiB(1), GiB(1), GiB(2), RW, "no 1 GiB blocks");
		cr_assert_eq(pt_unmap(pt, GiB(1), GiB(1), &env.fl), 0);
		pt->block_mask = 0;
		cr_assert_eq(pt_map(pt, GiB(1), GiB(2), MiB(2), RW, &env.fl), 0);
		ptl_expect_leaf(pt, GiB(1) + MiB(1), GiB(2) + MiB(1), 0, RW, "no blocks");
		pt->block_mask = c->fmt->block_mask;
		ptl_env_fini(&env);
	}
}

Test(pt_formats, five_levels_reach_the_top)
{
	static const char *const cfgs[] = { "x86-64/5", "ept/5" };
	for (size_t i = 0; i < ARRAY_SIZE(cfgs); i++) {
		struct ptl_env env;
		ptl_env_init(&env, ptl_cfg(cfgs[i]), RAM_PAGES);
		u64 top = 1ULL << 57;
		cr_assert_eq(pt_map(&env.pt, top - GiB(1), GiB(1), GiB(1), RW, &env.fl), 0);
		cr_assert_eq(pt_map(&env.pt, 1ULL << 48, GiB(5), MiB(2) + PAGE_SIZE, RW, &env.fl),
			     0);
		ptl_expect_leaf(&env.pt, top - 1, GiB(1), 2, RW, cfgs[i]);
		ptl_expect_leaf(&env.pt, (1ULL << 48) + MiB(2), GiB(5) + MiB(2), 0, RW, cfgs[i]);
		ptl_expect_leaf(&env.pt, 1ULL << 48, GiB(5), 1, RW, cfgs[i]);
		cr_assert(!pt_lookup(&env.pt, 1ULL << 47, &(struct pt_leaf){ 0 }));
		ptl_env_fini(&env);
	}
}

static int stop_at_third(void *ctx, const struct pt_leaf *leaf)
{
	unsigned *n = ctx;
	return ++*n == 3 ? 42 : 0;
}

Test(pt_formats, walk_of_part_of_a_range)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		struct ptl_leaves l = { 0 };
		unsigned top = ptl_top_block(&env.pt), n = 0;
		u64 b = pt_level_size(&env.pt, top);

		cr_assert_eq(pt_map(&env.pt, b, GiB(4), b + 3 * PAGE_SIZE, RW, &env.fl), 0);
		/* Starting inside a block: the whole leaf is reported. */
		ptl_collect(&env.pt, b + b / 2 + 0x1234, b / 2 - 0x1234 + 0x10, &l);
		cr_assert(l.n == 2 && l.v[0].va == b && l.v[0].size == b && l.v[0].pa == GiB(4) &&
				  l.v[1].va == 2 * b && l.v[1].level == 0,
			  "%s: %zu leaves", c->name, l.n);
		/* Only what overlaps the range. */
		ptl_collect(&env.pt, 2 * b + PAGE_SIZE, PAGE_SIZE, &l);
		cr_assert(l.n == 1 && l.v[0].va == 2 * b + PAGE_SIZE, "%s", c->name);
		ptl_collect(&env.pt, 0, b, &l);
		cr_assert_eq(l.n, 0, "%s", c->name);
		/* A nonzero return stops the walk and is returned. */
		cr_assert_eq(pt_walk(&env.pt, 0, ~0ULL, stop_at_third, &n), 42);
		cr_assert_eq(n, 3);
		ptl_leaves_free(&l);
		ptl_env_fini(&env);
	}
}

/* ---------------------------------------------------------------- splits */

/* A top-level block at va, pa; then op() on one page in its second 2 MiB. */
static void split_case(const struct pt_cfg *c, bool unmap)
{
	struct ptl_env env;
	ptl_env_init(&env, c, RAM_PAGES);
	struct pt *pt = &env.pt;
	unsigned top = ptl_top_block(pt);
	u64 bsize = pt_level_size(pt, top);
	u64 va = bsize * 2, pa = GiB(8);
	struct pt_attr a = { PT_R | PT_W, PT_MT_WT, ptl_flag_mask(c->fmt) & PT_F_ACCESSED };
	u64 hole = va + (top >= 2 ? MiB(2) : 0) + 3 * PAGE_SIZE;
	u64 tables0 = pt->nr_tables;

	cr_assert_eq(pt_map(pt, va, pa, bsize, a, &env.fl), 0, "%s", c->name);
	ptl_expect_leaf(pt, va, pa, top, a, "block");
	u64 tables1 = pt->nr_tables;
	ptl_flush(&env);

	if (unmap) {
		cr_assert_eq(pt_unmap(pt, hole, PAGE_SIZE, &env.fl), 0, "%s", c->name);
		ptl_expect_unmapped(pt, hole, PAGE_SIZE, "the hole");
	} else {
		cr_assert_eq(pt_protect(pt, hole, PAGE_SIZE, RO, &env.fl), 0, "%s", c->name);
		ptl_expect_leaf(pt, hole, pa + (hole - va), 0, RO, "protected page");
	}
	/* One new table per level split, no more; the rest keeps address and attributes. */
	cr_assert_eq(pt->nr_tables, tables1 + top, "%s: %llu tables", c->name, ULL(pt->nr_tables));
	ptl_expect_shape(pt, va, hole - va, pa, a, "below the page");
	ptl_expect_shape(pt, hole + PAGE_SIZE, va + bsize - hole - PAGE_SIZE,
			 pa + (hole - va) + 4096, a, "above the page");
	ptl_expect_flush(&env, hole, PAGE_SIZE, "split");
	cr_assert(!env.fl.walk_cache, "%s: a split removes no table", c->name);
	ptl_expect_bbm(&env, 1, va, bsize, "split"); /* the block becomes a table */
	ptl_check_owned(&env, "split");
	ptl_flush(&env);

	/* Splitting further inside the new table: plain entry changes. */
	if (unmap) {
		cr_assert_eq(pt_unmap(pt, hole + PAGE_SIZE, PAGE_SIZE, &env.fl), 0);
		ptl_expect_bbm(&env, 0, 0, 0, "unmap a page");
	} else {
		struct pt_attr ro = { PT_R, a.mtype, a.flags };
		cr_assert_eq(pt_protect(pt, hole + PAGE_SIZE, PAGE_SIZE, ro, &env.fl), 0);
		ptl_expect_bbm(&env, 0, 0, 0, "permission-only change");
		cr_assert_eq(env.fl.nr_changed, 1, "%s", c->name);
		ptl_flush(&env);
		struct pt_attr uc = { PT_R | PT_W, PT_MT_UC, a.flags };
		cr_assert_eq(pt_protect(pt, hole + PAGE_SIZE, PAGE_SIZE, uc, &env.fl), 0);
		ptl_expect_bbm(&env, 1, hole + PAGE_SIZE, PAGE_SIZE, "memory type change");
		ptl_expect_leaf(pt, hole + PAGE_SIZE, pa + (hole - va) + PAGE_SIZE, 0, uc, "uc");
	}
	ptl_expect_flush(&env, hole + PAGE_SIZE, PAGE_SIZE, "second change");
	ptl_flush(&env);

	/* Removing everything gives every table back. */
	cr_assert_eq(pt_unmap(pt, va, bsize, &env.fl), 0);
	ptl_expect_unmapped(pt, va, bsize, "all");
	cr_assert(env.fl.walk_cache, "%s: tables went away", c->name);
	ptl_flush(&env);
	cr_assert_eq(pt->nr_tables, tables0, "%s: %llu tables left, %llu at start", c->name,
		     ULL(pt->nr_tables), ULL(tables0));
	ptl_env_fini(&env);
}

Test(pt_formats, partial_unmap_splits_blocks)
{
	FOR_EACH_CFG(c)
	split_case(c, true);
}

Test(pt_formats, partial_protect_splits_blocks)
{
	FOR_EACH_CFG(c)
	split_case(c, false);
}

/* Protecting a range that straddles two blocks splits both, and only those. */
Test(pt_formats, protect_straddling_blocks)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		struct pt *pt = &env.pt;
		u64 va = GiB(1), pa = GiB(4);

		cr_assert_eq(pt_map(pt, va, pa, MiB(8), RW, &env.fl), 0);
		cr_assert_eq(pt_protect(pt, va + MiB(3), MiB(2), RO, &env.fl), 0);
		ptl_expect_flush(&env, va + MiB(3), MiB(2), "straddle");
		ptl_expect_bbm(&env, 2, va + MiB(2), MiB(4), "two splits");
		ptl_expect_shape(pt, va, MiB(3), pa, RW, "before");
		ptl_expect_shape(pt, va + MiB(3), MiB(2), pa + MiB(3), RO, "protected");
		ptl_expect_shape(pt, va + MiB(5), MiB(3), pa + MiB(5), RW, "after");
		ptl_env_fini(&env);
	}
}

/* ---------------------------------------------------------------- flush reporting */

Test(pt_formats, flush_reporting)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		struct pt *pt = &env.pt;
		u64 va = GiB(1) + MiB(2);

		/* Fresh maps, including into tables that exist: nothing to flush. */
		cr_assert_eq(pt_map(pt, va, GiB(4), MiB(2) + PAGE_SIZE, RW, &env.fl), 0);
		cr_assert_eq(pt_map(pt, va + MiB(2) + PAGE_SIZE, GiB(5), PAGE_SIZE, RW, &env.fl),
			     0);
		ptl_check_no_flush(&env, "fresh maps");
		/* Unmapping or protecting nothing, or setting what is there: nothing. */
		cr_assert_eq(pt_unmap(pt, GiB(3), GiB(1), &env.fl), 0);
		cr_assert_eq(pt_protect(pt, GiB(3), GiB(1), RO, &env.fl), 0);
		cr_assert_eq(pt_protect(pt, va, MiB(2), RW, &env.fl), 0);
		cr_assert_eq(pt_map(pt, va, GiB(4), MiB(2), RW, &env.fl), 0);
		ptl_check_no_flush(&env, "no-ops");
		ptl_check_owned(&env, "no-ops");

		/* A new output address: flush, and BBM on arm64. */
		cr_assert_eq(pt_map(pt, va, GiB(6), MiB(2), RW, &env.fl), 0);
		ptl_expect_flush(&env, va, MiB(2), "remap");
		cr_assert_eq(env.fl.nr_changed, 1);
		ptl_expect_bbm(&env, 1, va, MiB(2), "remap");
		ptl_expect_leaf(pt, va, GiB(6), 1, RW, "remapped");
		ptl_flush(&env);

		/* Permissions only: flush, never BBM. */
		cr_assert_eq(pt_protect(pt, va, MiB(2), RO, &env.fl), 0);
		ptl_expect_flush(&env, va, MiB(2), "protect");
		ptl_expect_bbm(&env, 0, 0, 0, "protect");
		ptl_flush(&env);

		/* Memory type: BBM on arm64. */
		struct pt_attr wc = { PT_R, PT_MT_WC, 0 };
		cr_assert_eq(pt_protect(pt, va, MiB(2), wc, &env.fl), 0);
		ptl_expect_flush(&env, va, MiB(2), "memory type");
		ptl_expect_bbm(&env, 1, va, MiB(2), "memory type");
		ptl_flush(&env);

		/* Unmap: flush, no BBM, no table removed while the table stays in use. */
		cr_assert_eq(pt_unmap(pt, va, MiB(2), &env.fl), 0);
		ptl_expect_flush(&env, va, MiB(2), "unmap block");
		ptl_expect_bbm(&env, 0, 0, 0, "unmap");
		cr_assert(!env.fl.walk_cache && env.fl.nr_free == 0, "%s", c->name);
		ptl_flush(&env);

		/* The last leaves of a table: the table goes, after the flush. */
		u64 tables = pt->nr_tables;
		cr_assert_eq(pt_unmap(pt, va + MiB(2), MiB(2), &env.fl), 0);
		ptl_expect_flush(&env, va + MiB(2), 2 * PAGE_SIZE, "unmap pages");
		cr_assert(env.fl.walk_cache && env.fl.nr_free >= 1, "%s", c->name);
		cr_assert_eq(pt->nr_tables, tables, "%s: freed before the flush", c->name);
		ptl_check_owned(&env, "pending free");
		u32 nr_free = env.fl.nr_free;
		ptl_flush(&env);
		cr_assert_eq(pt->nr_tables, tables - nr_free, "%s", c->name);
		ptl_check_owned(&env, "freed");
		ptl_env_fini(&env);
	}
}

Test(pt_formats, block_map_replaces_tables)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		struct pt *pt = &env.pt;
		unsigned top = ptl_top_block(pt);
		u64 bsize = pt_level_size(pt, top), va = bsize;
		u64 tables0 = pt->nr_tables;

		/* Pages scattered over a top-level block's range: a table per 2 MiB. */
		for (u64 off = 0; off < bsize; off += bsize / 8)
			cr_assert_eq(pt_map(pt, va + off, GiB(4), 2 * PAGE_SIZE, RW, &env.fl), 0);
		u64 tables1 = pt->nr_tables;
		cr_assert(tables1 > tables0, "%s", c->name);
		ptl_flush(&env);
		/* One block over all of it: every table under it goes. */
		cr_assert_eq(pt_map(pt, va, GiB(8), bsize, RWX, &env.fl), 0);
		ptl_expect_leaf(pt, va + bsize - 1, GiB(8), top, RWX, "block");
		ptl_expect_flush(&env, va, bsize, "replace");
		cr_assert(env.fl.walk_cache, "%s", c->name);
		/* top 2: the 2 MiB table and eight 4 KiB tables; top 1: one 4 KiB table. */
		u32 freed = top >= 2 ? 9 : 1;
		cr_assert_eq(env.fl.nr_free, freed, "%s: %u freed", c->name, env.fl.nr_free);
		ptl_expect_bbm(&env, 1, va, bsize, "table to block");
		ptl_flush(&env);
		cr_assert_eq(pt->nr_tables, tables1 - freed, "%s", c->name);
		ptl_env_fini(&env);
	}
}

Test(pt_formats, destroy_frees_everything)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		u64 top = 1ULL << c->va_bits;
		cr_assert_eq(pt_map(&env.pt, 0, 0, MiB(3), RW, &env.fl), 0);
		cr_assert_eq(pt_map(&env.pt, top - MiB(6) - PAGE_SIZE, GiB(1) + PAGE_SIZE,
				    MiB(6) + PAGE_SIZE, RW, &env.fl),
			     0);
		cr_assert_eq(pt_map(&env.pt, GiB(1), GiB(2), GiB(1), RW, &env.fl), 0);
		cr_assert_eq(pt_unmap(&env.pt, GiB(1) + MiB(5), PAGE_SIZE, &env.fl), 0);
		ptl_check_owned(&env, "mapped");
		ptl_env_fini(&env); /* destroys with everything still mapped */
	}
}

/* ---------------------------------------------------------------- errors */

Test(pt_formats, invalid_arguments)
{
	FOR_EACH_CFG(c)
	{
		struct ptl_env env;
		ptl_env_init(&env, c, RAM_PAGES);
		struct pt *pt = &env.pt;
		struct pt_flush *fl = &env.fl;
		u64 lim = 1ULL << c->va_bits, palim = 1ULL << c->fmt->pa_bits;
		struct ptl_snap snap;

		cr_assert_eq(pt_map(pt, GiB(1), GiB(1), MiB(4), RW, fl), 0);
		ptl_flush(&env);
		ptl_snap_take(&env, &snap);
		const struct {
			int got, want;
		} r[] = {
			{ pt_map(pt, 0x1800, 0, PAGE_SIZE, RW, fl), -ERR_INVAL },
			{ pt_map(pt, 0x1000, 0x800, PAGE_SIZE, RW, fl), -ERR_INVAL },
			{ pt_map(pt, 0x1000, 0, 0x1800, RW, fl), -ERR_INVAL },
			{ pt_map(pt, 0x1000, 0, 0, RW, fl), -ERR_INVAL },
			{ pt_map(pt, lim, 0, PAGE_SIZE, RW, fl), -ERR_RANGE },
			{ pt_map(pt, lim - PAGE_SIZE, 0, 2 * PAGE_SIZE, RW, fl), -ERR_RANGE },
			{ pt_map(pt, ~0xFFFULL, 0, 2 * PAGE_SIZE, RW, fl), -ERR_RANGE },
			{ pt_map(pt, 0, palim - PAGE_SIZE, 2 * PAGE_SIZE, RW, fl), -ERR_RANGE },
			{ pt_map(pt, 0, ~0xFFFULL, 2 * PAGE_SIZE, RW, fl), -ERR_RANGE },
			{ pt_map(pt, 0, 0, PAGE_SIZE, (struct pt_attr){ 0 }, fl), -ERR_INVAL },
			{ pt_map(pt, 0, 0, PAGE_SIZE, (struct pt_attr){ .perm = PT_W | PT_X }, fl),
			  -ERR_INVAL },
			{ pt_map(pt, 0, 0, PAGE_SIZE,
				 (struct pt_attr){ .perm = PT_R, .mtype = PT_MT_COUNT }, fl),
			  -ERR_INVAL },
			{ pt_unmap(pt, 0x800, PAGE_SIZE, fl), -ERR_INVAL },
			{ pt_unmap(pt, GiB(1), 0, fl), -ERR_INVAL },
			{ pt_unmap(pt, lim - PAGE_SIZE, 2 * PAGE_SIZE, fl), -ERR_RANGE },
			{ pt_protect(pt, GiB(1), 0x10, RO, fl), -ERR_INVAL },
			{ pt_protect(pt, lim, PAGE_SIZE, RO, fl), -ERR_RANGE },
			{ pt_protect(pt, GiB(1), PAGE_SIZE, (struct pt_attr){ .perm = PT_W }, fl),
			  -ERR_INVAL },
			{ pt_protect(pt, GiB(1), PAGE_SIZE,
				     (struct pt_attr){ .perm = PT_R, .mtype = 200 }, fl),
			  -ERR_INVAL },
		};
		for (size_t i = 0; i < ARRAY_SIZE(r); i++)
			cr_assert_eq(r[i].got, r[i].want, "%s: case %zu gave %d, expected %d",
				     c->name, i, r[i].got, r[i].want);
		ptl_check_no_flush(&env, "refused calls");
		ptl_snap_check(&env, &snap, "refused calls");
		ptl_snap_free(&snap);

		/* PT_U where the format has no user bit (EPT, arm64). */
		struct pt_attr ru = { PT_R | PT_U, PT_MT_WB, 0 };
		if (c->fmt->perm_mask & PT_U) {
			cr_assert_eq(pt_map(pt, 0, 0, PAGE_SIZE, ru, fl), 0);
			ptl_expect_leaf(pt, 0, 0, 0, ru, "user page");
			cr_assert_eq(pt_protect(pt, GiB(1), MiB(2), ru, fl), 0);
			ptl_expect_leaf(pt, GiB(1), GiB(1), 1, ru, "user block");
		} else {
			ptl_snap_take(&env, &snap);
			cr_assert_eq(pt_map(pt, 0, 0, PAGE_SIZE, ru, fl), -ERR_INVAL, "%s",
				     c->name);
			cr_assert_eq(pt_protect(pt, GiB(1), MiB(2), ru, fl), -ERR_INVAL);
			ptl_check_no_flush(&env, "PT_U");
			ptl_snap_check(&env, &snap, "PT_U");
			ptl_snap_free(&snap);
		}
		ptl_env_fini(&env);
	}
}

/* ---------------------------------------------------------------- guest formats */

/* Guest memory: guest-physical GUEST_BASE on, in a host buffer reached through map_table
 * (32-bit guests keep their tables below 4 GiB, where fake host RAM is not). */
#define GUEST_BASE 0x100000ULL
#define GUEST_PAGES 8
static u8 guest_mem[GUEST_PAGES * PAGE_SIZE] __aligned(4096);
static u32 guest_next, guest_maps;

static u64 guest_page(void)
{
	cr_assert(guest_next < GUEST_PAGES);
	memset(guest_mem + guest_next * PAGE_SIZE, 0, PAGE_SIZE);
	return GUEST_BASE + guest_next++ * PAGE_SIZE;
}

static void *guest_ptr(u64 addr)
{
	return guest_mem + (addr - GUEST_BASE);
}

static const void *guest_map(void *ctx, u64 addr, size_t len)
{
	cr_assert_eq(ctx, guest_mem);
	cr_assert(len <= PAGE_SIZE && IS_ALIGNED(addr, len), "table 0x%llx+%zu", ULL(addr), len);
	guest_maps++;
	if (addr < GUEST_BASE || addr + len > GUEST_BASE + sizeof(guest_mem))
		return NULL;
	return guest_ptr(addr);
}

static void guest_attach(struct pt *pt, const struct pt_format *fmt, u32 va_bits, u32 levels,
			 u64 root)
{
	cr_assert_eq(pt_attach(pt, fmt, va_bits, levels, root), 0);
	pt->map_table = guest_map;
	pt->map_ctx = guest_mem;
}

/* Updates of a guest's tables are refused and write nothing. va is mapped. */
static void expect_refused(struct pt *pt, u64 va)
{
	static u8 before[sizeof(guest_mem)];
	struct pt_flush fl;

	memcpy(before, guest_mem, sizeof(guest_mem));
	pt_flush_init(&fl);
	cr_assert_eq(pt_map(pt, 0, 0, PAGE_SIZE, RW, &fl), -ERR_PERM, "%s", pt->fmt->name);
	cr_assert_eq(pt_map(pt, va, 0, PAGE_SIZE, RW, &fl), -ERR_PERM);
	cr_assert_eq(pt_unmap(pt, va, PAGE_SIZE, &fl), -ERR_PERM);
	cr_assert_eq(pt_protect(pt, va, PAGE_SIZE, RO, &fl), -ERR_PERM);
	cr_assert_eq(fl.nr_changed, 0);
	cr_assert(!memcmp(before, guest_mem, sizeof(guest_mem)), "%s: guest tables written",
		  pt->fmt->name);
}

/* Lookup and walk of a guest table agree with the expected leaves. */
static void expect_guest(const struct pt *pt, const struct pt_leaf *want, size_t n)
{
	struct ptl_leaves got = { 0 };
	struct pt_leaf lf;

	ptl_collect(pt, 0, ~0ULL, &got);
	cr_assert_eq(got.n, n, "%s: %zu leaves, expected %zu", pt->fmt->name, got.n, n);
	for (size_t i = 0; i < n; i++) {
		const struct pt_leaf *w = &want[i];
		cr_assert(got.v[i].va == w->va && got.v[i].pa == w->pa &&
				  got.v[i].size == w->size && got.v[i].level == w->level &&
				  ptl_attr_eq(got.v[i].attr, w->attr),
			  "%s: leaf %zu: 0x%llx->0x%llx level %u attr %x/%u/%x", pt->fmt->name, i,
			  ULL(got.v[i].va), ULL(got.v[i].pa), got.v[i].level, got.v[i].attr.perm,
			  got.v[i].attr.mtype, got.v[i].attr.flags);
		cr_assert(pt_lookup(pt, w->va + w->size - 8, &lf));
		cr_assert(lf.va == w->va && lf.pa == w->pa && lf.level == w->level);
	}
	ptl_leaves_free(&got);
}

#define X_P BIT(0)
#define X_RW BIT(1)
#define X_US BIT(2)
#define X_PWT BIT(3)
#define X_PCD BIT(4)
#define X_A BIT(5)
#define X_D BIT(6)
#define X_PS BIT(7)
#define X_G BIT(8)
#define X_PAT_BIG BIT(12)
#define X_NX BIT(63)

Test(pt_formats, x86_32_guest_tables)
{
	u64 pd = guest_page(), ptab = guest_page();
	u32 *d = guest_ptr(pd), *t = guest_ptr(ptab);
	struct pt pt;
	struct pt_leaf lf;
	const u8 rx = PT_R | PT_X;

	d[0] = (u32)ptab | X_P | X_RW | X_US;
	t[1] = 0x5000 | X_P | X_RW | X_A;
	t[2] = 0x6000 | X_P | X_US | X_PCD | X_PWT | X_G;
	t[3] = 0x7000 | X_RW; /* not present */
	t[4] = 0xFFFFF000 | X_P | X_PWT | X_D;
	/* 4 MiB pages; PSE-36 puts address bits 39:32 in entry bits 20:13. */
	d[1] = 0x80000000 | (0x12 << 13) | X_PS | X_P | X_RW | X_A | X_D | X_G;
	d[2] = 0x00400000 | X_PS | X_P | X_PAT_BIG | X_PCD; /* PAT index 6: UC- */
	d[3] = 0x00800000 | X_PS | X_RW;		    /* not present */
	d[4] = 0x40000000 | X_P;			    /* a table outside memory */
	d[1023] = 0xFFC00000 | (0xFF << 13) | X_PS | X_P | X_US | X_PWT;

	guest_attach(&pt, &pt_fmt_x86_32, 32, 2, pd);
	const struct pt_leaf want[] = {
		{ 0x1000, 0x5000, KiB(4), 0, { rx | PT_W, PT_MT_WB, PT_F_ACCESSED }, 0 },
		{ 0x2000, 0x6000, KiB(4), 0, { rx | PT_U, PT_MT_UC, PT_F_GLOBAL }, 0 },
		{ 0x4000, 0xFFFFF000, KiB(4), 0, { rx, PT_MT_WT, PT_F_DIRTY }, 0 },
		{ MiB(4),
		  0x1280000000,
		  MiB(4),
		  1,
		  { rx | PT_W, PT_MT_WB, PT_F_ACCESSED | PT_F_DIRTY | PT_F_GLOBAL },
		  0 },
		{ MiB(8), 0x400000, MiB(4), 1, { rx, PT_MT_UC, 0 }, 0 },
		{ 0xFFC00000, 0xFFFFC00000, MiB(4), 1, { rx | PT_U, PT_MT_WT, 0 }, 0 },
	};
	expect_guest(&pt, want, ARRAY_SIZE(want));
	cr_assert(pt_lookup(&pt, MiB(4) + 0x123456, &lf));
	cr_assert(lf.pa == 0x1280000000 && lf.entry == d[1]);
	cr_assert(!pt_lookup(&pt, 0x3000, &lf));
	cr_assert(!pt_lookup(&pt, MiB(12), &lf));
	cr_assert(!pt_lookup(&pt, MiB(16) + 0x5000, &lf));
	cr_assert(guest_maps > 0);
	cr_assert(!pt_lookup(&pt, 1ULL << 32, &lf));
	expect_refused(&pt, 0x1000);
	pt_destroy(&pt); /* not ours: nothing to free */
}

Test(pt_formats, pae_guest_tables)
{
	u64 pdpt_page = guest_page(), pd0 = guest_page(), pd3 = guest_page();
	u64 ptab = guest_page();
	/* CR3 in PAE mode is 32-byte aligned: the PDPT need not start a page. */
	u64 pdpt = pdpt_page + 0x60;
	u64 *p = guest_ptr(pdpt), *d0 = guest_ptr(pd0);
	u64 *d3 = guest_ptr(pd3), *t = guest_ptr(ptab);
	u64 *junk = guest_ptr(pdpt_page);
	struct pt pt;
	struct pt_leaf lf;

	junk[0] = junk[11] = junk[16] = 0x1000 | X_P; /* around the PDPT: never read */
	p[0] = pd0 | X_P | X_PS;       /* bit 7 of a PDPTE is no page size: always a PD */
	p[1] = pd3 | X_RW;	       /* not present */
	p[2] = 0x7FFF0000000ULL | X_P; /* a directory outside memory */
	p[3] = pd3 | X_P;
	d0[0] = ptab | X_P | X_RW | X_US;
	t[5] = 0x123456000 | X_P | X_RW | X_NX | X_A;
	t[6] = 0x8000 | X_P | X_PAT_BIG; /* bit 12 is an address bit in a 4 KiB entry */
	d0[1] = 0x400200000 | X_PS | X_P | X_US;
	d0[2] = 0x600000 | X_PS | X_P | X_PCD | X_PAT_BIG | X_NX;
	d3[511] = 0xFFFFFFFE00000ULL | X_PS | X_P | X_RW | X_G;
	const u8 rx = PT_R | PT_X;

	guest_attach(&pt, &pt_fmt_x86_pae, 32, 3, pdpt);
	cr_assert_eq(pt.root_entries, 4);
	const struct pt_leaf want[] = {
		{ 0x5000, 0x123456000, KiB(4), 0, { PT_R | PT_W, PT_MT_WB, PT_F_ACCESSED }, 0 },
		{ 0x6000, 0x9000, KiB(4), 0, { rx, PT_MT_WB, 0 }, 0 },
		{ MiB(2), 0x400200000, MiB(2), 1, { rx | PT_U, PT_MT_WB, 0 }, 0 },
		{ MiB(4), 0x600000, MiB(2), 1, { PT_R, PT_MT_UC, 0 }, 0 },
		{ 0xFFE00000,
		  0xFFFFFFFE00000ULL,
		  MiB(2),
		  1,
		  { rx | PT_W, PT_MT_WB, PT_F_GLOBAL },
		  0 },
	};
	expect_guest(&pt, want, ARRAY_SIZE(want));
	cr_assert(!pt_lookup(&pt, GiB(1), &lf));
	cr_assert(!pt_lookup(&pt, GiB(2), &lf));
	cr_assert(pt_lookup(&pt, 0xFFFFFFFF, &lf) && lf.pa == 0xFFFFFFFE00000ULL);
	expect_refused(&pt, 0x5000);
}

/* A 4-level guest's tables read with umbra's own format: lookup and walk only. */
Test(pt_formats, x86_64_guest_tables)
{
	u64 pml4 = guest_page(), pdpt = guest_page(), pd = guest_page(), ptab = guest_page();
	u64 *l4 = guest_ptr(pml4), *l3 = guest_ptr(pdpt), *l2 = guest_ptr(pd),
	    *l1 = guest_ptr(ptab);
	struct pt pt;

	l4[1] = pdpt | X_P | X_RW | X_US; /* 512 GiB on */
	l3[0] = pd | X_P | X_RW;
	l3[3] = 0x1C0000000ULL | X_PS | X_P | X_G | X_PAT_BIG; /* 1 GiB, PAT index 4: WC */
	l2[1] = ptab | X_P;
	l2[2] = 0x40000000ULL | X_PS | X_P | X_RW | X_NX;
	l1[7] = 0xABCDE000ULL | X_P | X_US | BIT(7); /* 4 KiB PAT bit: index 4 */
	guest_attach(&pt, &pt_fmt_x86_64, 48, 4, pml4);
	const u64 base = GiB(512);
	const struct pt_leaf want[] = {
		{ base + MiB(2) + 0x7000,
		  0xABCDE000,
		  KiB(4),
		  0,
		  { PT_R | PT_X | PT_U, PT_MT_WC, 0 },
		  0 },
		{ base + MiB(4), 0x40000000, MiB(2), 1, { PT_R | PT_W, PT_MT_WB, 0 }, 0 },
		{ base + GiB(3),
		  0x1C0000000ULL,
		  GiB(1),
		  2,
		  { PT_R | PT_X, PT_MT_WC, PT_F_GLOBAL },
		  0 },
	};
	expect_guest(&pt, want, ARRAY_SIZE(want));
	expect_refused(&pt, base + MiB(4));
	pt_destroy(&pt);
}
