/*
 * test_pt_oom.c: out of memory at every allocation of an update.
 *
 * For an update that needs N table pages, for every k < N the allocator is
 * squeezed to k free pages: the update must return -ERR_NOMEM and leave the
 * table exactly as it was (every table page's bytes, the owner of every page,
 * the walk, nr_tables, nr_free, the flush). With N pages it succeeds and uses
 * them all (the count pass counts exactly what the apply pass takes).
 */
#include <stdio.h>
#include <string.h>

#include "pt_testlib.h"

#define ULL(x) ((unsigned long long)(x))
#define RAM_PAGES 2048

static const struct pt_attr RW = { PT_R | PT_W, PT_MT_WB, 0 };
static const struct pt_attr RX = { PT_R | PT_X, PT_MT_WT, 0 };

enum { MAP, UNMAP, PROTECT };

struct update {
	int kind;
	u64 va, size, pa;
	struct pt_attr attr;
};

static int apply(struct ptl_env *env, const struct update *u)
{
	switch (u->kind) {
	case MAP:
		return pt_map(&env->pt, u->va, u->pa, u->size, u->attr, &env->fl);
	case UNMAP:
		return pt_unmap(&env->pt, u->va, u->size, &env->fl);
	default:
		return pt_protect(&env->pt, u->va, u->size, u->attr, &env->fl);
	}
}

static void check_flush_untouched(const struct ptl_env *env, const struct pt_flush *before,
				  u32 nr_sync, const char *what)
{
	const struct pt_flush *fl = &env->fl;
	cr_assert(fl->start == before->start && fl->end == before->end &&
			  fl->nr_changed == before->nr_changed && fl->nr_bbm == before->nr_bbm &&
			  fl->walk_cache == before->walk_cache &&
			  fl->free_list == before->free_list && fl->nr_free == before->nr_free &&
			  env->nr_sync == nr_sync,
		  "%s: a failed update touched the flush", what);
}

/*
 * Run u with k = 0, 1, ... free pages until it succeeds; every failure must
 * change nothing. Returns N, the pages the update needed.
 */
static u64 squeeze_each(struct ptl_env *env, const struct update *u, const char *name)
{
	struct ptl_snap snap;
	struct pt_flush before = env->fl;
	char what[128];

	cr_assert_eq(env->nr_sync, 0);
	u64 k;

	ptl_snap_take(env, &snap);
	for (k = 0;; k++) {
		snprintf(what, sizeof(what), "%s: %s with %llu free pages", env->cfg->name, name,
			 ULL(k));
		cr_assert(k <= RAM_PAGES, "%s: never succeeds", what);
		cr_assert(fake_ram_squeeze(env->pa, k), "%s: not enough fake RAM", what);
		int rc = apply(env, u);
		if (rc == 0)
			break;
		cr_assert_eq(rc, -ERR_NOMEM, "%s: returned %d", what, rc);
		fake_ram_unsqueeze(env->pa);
		ptl_snap_check(env, &snap, what);
		check_flush_untouched(env, &before, 0, what);
	}
	/* Exactly the pages counted were taken: none left over, none missing. */
	cr_assert_eq(env->pa->nr_free, 0, "%s: %llu pages counted but not used", what,
		     ULL(env->pa->nr_free));
	cr_assert_eq(env->pt.nr_tables, snap.nr_tables + k, "%s: nr_tables", what);
	fake_ram_unsqueeze(env->pa);
	ptl_check_owned(env, what);
	ptl_snap_free(&snap);
	return k;
}

/* ---------------------------------------------------------------- fixed cases */

/* One case on one configuration: set up, then squeeze the update. */
static void oom_case(const struct pt_cfg *c, const struct update *setup, size_t nr_setup,
		     const struct update *u, u64 want_n, const char *name)
{
	struct ptl_env env;

	ptl_env_init(&env, c, RAM_PAGES);
	for (size_t i = 0; i < nr_setup; i++)
		cr_assert_eq(apply(&env, &setup[i]), 0, "%s: %s: set-up %zu", c->name, name, i);
	ptl_flush(&env);
	u64 n = squeeze_each(&env, u, name);
	if (want_n)
		cr_assert_eq(n, want_n, "%s: %s needed %llu pages, expected %llu", c->name, name,
			     ULL(n), ULL(want_n));
	else
		cr_assert(n >= 2, "%s: %s needed only %llu pages", c->name, name, ULL(n));
	/* What the update did, checked against a walk. */
	if (u->kind == UNMAP) {
		ptl_expect_unmapped(&env.pt, u->va, u->size, name);
	} else {
		struct pt_leaf lf;
		cr_assert(pt_lookup(&env.pt, u->va, &lf), "%s: %s", c->name, name);
		cr_assert(ptl_attr_eq(lf.attr, ptl_decoded(c->fmt, u->attr)), "%s: %s", c->name,
			  name);
		cr_assert(pt_lookup(&env.pt, u->va + u->size - PAGE_SIZE, &lf));
	}
	if (u->kind == MAP)
		ptl_expect_linear(&env.pt, u->va, u->size, u->pa, u->attr, NULL, name);
	ptl_env_fini(&env);
}

/* Tables between the root and a level-`level` table: created once per path. */
static u64 path_tables(const struct pt_cfg *c, unsigned level)
{
	return c->levels - 1 - level;
}

Test(pt_oom, large_unaligned_map)
{
	FOR_EACH_CFG(c)
	{
		/* 64 MiB + 16 KiB of 4 KiB pages straddling the 1 GiB line: 34 page tables
		 * (one below the line, 33 above), two 2 MiB tables, and the path above. */
		struct update u = { MAP, GiB(1) - KiB(8), MiB(64) + KiB(16), GiB(5) + KiB(4), RW };
		u64 n = 34 + (c->levels >= 3 ? 2 + path_tables(c, 2) : 0);
		oom_case(c, NULL, 0, &u, n, "large unaligned map");
	}
}

Test(pt_oom, map_splitting_a_block)
{
	FOR_EACH_CFG(c)
	{
		bool big = c->levels >= 3;
		u64 b = big ? GiB(1) : MiB(2);
		struct update setup[] = { { MAP, b, b, GiB(3), RX } };
		/* A few unaligned pages inside the block: split to 2 MiB, then to 4 KiB. */
		struct update u = { MAP, b + MiB(2) + KiB(12), KiB(20), GiB(7) + KiB(4), RW };
		oom_case(c, setup, 1, &u, big ? 2 : 1, "map inside a block");
		/* Over two blocks with block-friendly pa: only the edges split. */
		struct update setup2[] = { { MAP, b, 2 * b, GiB(4), RX } };
		struct update u2 = { MAP, b + b / 2 + KiB(8), b, GiB(8) + b / 2 + KiB(8), RW };
		oom_case(c, setup2, 1, &u2, big ? 4 : 2, "map across two blocks");
	}
}

Test(pt_oom, splitting_unmap)
{
	FOR_EACH_CFG(c)
	{
		bool big = c->levels >= 3;
		u64 b = big ? GiB(1) : MiB(2);
		struct update setup[] = { { MAP, b, 2 * b, GiB(2), RW } };
		struct update u = { UNMAP, b + PAGE_SIZE, b, 0, RW };
		oom_case(c, setup, 1, &u, big ? 4 : 2, "unmap splitting two blocks");
	}
}

Test(pt_oom, splitting_protect)
{
	FOR_EACH_CFG(c)
	{
		bool big = c->levels >= 3;
		u64 b = big ? GiB(1) : MiB(2);
		struct update setup[] = { { MAP, b, 3 * b, 0, RW },
					  { UNMAP, 2 * b + b / 4, b / 4, 0, RW } };
		/* Splits both edge blocks; the middle one is split already. */
		struct update u = { PROTECT, b + KiB(4), 3 * b - KiB(12), 0, RX };
		oom_case(c, setup, 2, &u, big ? 4 : 2, "protect splitting blocks");
	}
}

Test(pt_oom, init_without_memory)
{
	FOR_EACH_CFG(c)
	{
		struct palloc *pa = fake_ram_init(64);
		struct pt pt;
		u64 free0 = pa->nr_free;
		cr_assert(fake_ram_squeeze(pa, 0));
		cr_assert_eq(pt_init(&pt, c->fmt, c->va_bits, c->levels, pa, OWNER_PGTABLE),
			     -ERR_NOMEM, "%s", c->name);
		fake_ram_unsqueeze(pa);
		cr_assert_eq(pa->nr_free, free0);
		cr_assert_eq(palloc_count(pa, OWNER_PGTABLE), 0);
		fake_ram_fini();
	}
}

/* ---------------------------------------------------------------- random */

/*
 * Random updates on one table, each first tried with a random handful of free
 * pages: if that is too few it must fail cleanly, then it runs with plenty.
 */
static void random_oom(const struct pt_cfg *c, u64 seed, unsigned ops)
{
	static const u64 align[] = { PAGE_SIZE, MiB(2), GiB(1) };
	struct ptl_env env;
	struct ptl_rng g;
	char what[128];
	unsigned failed = 0;

	ptl_env_init(&env, c, RAM_PAGES);
	ptl_rng_seed(&g, seed);
	for (unsigned op = 0; op < ops; op++) {
		struct update u = { (int)ptl_below(&g, 3), 0, 0, 0, RW };
		u64 unit = ptl_below(&g, 2) ? PAGE_SIZE : MiB(2);
		u.va = GiB(1) + ALIGN_DOWN(ptl_below(&g, GiB(2)), align[ptl_below(&g, 3)]);
		u.va += ptl_below(&g, 2) ? ptl_below(&g, 1024) * PAGE_SIZE : 0;
		u.size = (1 + ptl_below(&g, 64)) * unit + (ptl_below(&g, 4) ? 0 : GiB(1));
		u.size = MIN(u.size, GiB(4) - u.va);
		u.pa = GiB(ptl_below(&g, 16)) + u.va % GiB(1);
		if (u.size <= MiB(32) && ptl_below(&g, 2))
			u.pa += ptl_below(&g, 512) * PAGE_SIZE; /* not block aligned */
		u.attr.perm = (u8)(PT_R | (ptl_rand(&g) & (PT_W | PT_X)));
		u.attr.mtype = (u8)ptl_below(&g, PT_MT_COUNT);
		u64 k = ptl_below(&g, 4) ? ptl_below(&g, 3) : ptl_below(&g, 40);
		snprintf(what, sizeof(what), "%s seed=%llu op=%u kind %d [0x%llx, 0x%llx) k=%llu",
			 c->name, ULL(seed), op, u.kind, ULL(u.va), ULL(u.va + u.size), ULL(k));

		struct ptl_snap snap;
		struct pt_flush before = env.fl;
		u32 nr_sync = env.nr_sync;
		ptl_snap_take(&env, &snap);
		cr_assert(fake_ram_squeeze(env.pa, k));
		int rc = apply(&env, &u);
		fake_ram_unsqueeze(env.pa);
		if (rc) {
			cr_assert_eq(rc, -ERR_NOMEM, "%s: %d", what, rc);
			ptl_snap_check(&env, &snap, what);
			check_flush_untouched(&env, &before, nr_sync, what);
			cr_assert_eq(apply(&env, &u), 0, "%s: with plenty of memory", what);
			failed++;
		}
		ptl_snap_free(&snap);
		ptl_check_owned(&env, what);
		if (ptl_below(&g, 2))
			ptl_flush(&env);
	}
	cr_assert(failed > ops / 8, "%s seed=%llu: only %u updates ran out of memory", c->name,
		  ULL(seed), failed);
	ptl_env_fini(&env);
}

Test(pt_oom, random_updates)
{
	static const char *const cfgs[] = { "x86-64/4", "ept/5", "s1/39", "s2/40x2", "s2/32x4" };
	u64 seed = 7;
	bool one = ptl_env_seed(&seed);

	for (size_t i = 0; i < ARRAY_SIZE(cfgs); i++) {
		random_oom(ptl_cfg(cfgs[i]), seed, 120);
		if (!one)
			random_oom(ptl_cfg(cfgs[i]), seed + 1, 120);
	}
}
