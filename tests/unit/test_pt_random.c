/*
 * test_pt_random.c: the page-table engine against a reference model.
 *
 * The model is a plain array with one word per 4 KiB page of the input window
 * [1 GiB, 4 GiB): 0 if unmapped, else the output address and the attribute the
 * format decodes. Random map/unmap/protect calls (4 KiB to 3 GiB, aligned to
 * blocks or not, overlapping) go to both; after each one a walk of the whole
 * table must equal the model page for page, lookups must agree, the flush must
 * cover every translation that changed (with break-before-make on arm64 where
 * an address or memory type changed), and the table pages must be exactly the
 * ones the leaves need: nr_tables equals the allocator's count and no empty
 * table is left behind.
 *
 * Seeds: a fixed list runs every time; UMBRA_PT_SEED=n runs only seed n (every
 * assertion message names the seed and the operation).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pt_testlib.h"

#define ULL(x) ((unsigned long long)(x))
#define W0 GiB(1)
#define W1 GiB(4)
#define NPAGES ((W1 - W0) >> PAGE_SHIFT)
#define RAM_PAGES 6144
#define OPS_PER_SEED 250

static const u64 seeds[] = { 1, 2, 0xC0FFEE };

enum { MAP, UNMAP, PROTECT };

struct run {
	struct ptl_env env;
	struct ptl_rng rng;
	u64 *m; /* the model */
	char what[96];
	/* The changed translations the pending flush must cover, in pages. */
	u64 req_lo, req_hi;
	bool need_bbm;
	struct pt_attr last;
};

/*
 * A model word: pa - va (so every page of a linear mapping has the same word,
 * and a leaf is checked with one memcmp), valid bit, attribute. 0: unmapped.
 */
static inline u64 enc(u64 pa, u64 va, struct pt_attr a)
{
	return ((pa - va) & ~(PAGE_SIZE - 1)) | 1 | (u64)a.perm << 1 | (u64)a.mtype << 5 |
	       (u64)a.flags << 8;
}

/* m[from, to) all hold w; else the first page that does not. */
static bool all_equal(const u64 *m, u64 from, u64 to, u64 w, u64 *bad)
{
	if (from >= to)
		return true;
	if (m[from] == w && !memcmp(m + from, m + from + 1, (to - from - 1) * sizeof(*m)))
		return true;
	for (*bad = from; m[*bad] == w; (*bad)++)
		;
	return false;
}

/* ---------------------------------------------------------------- comparing */

struct cmp {
	struct run *r;
	u64 next;		       /* first model page not compared yet */
	u64 last_table[PT_MAX_LEVELS]; /* the table of each level last seen, +1 */
	u64 tables;		       /* distinct tables the leaves need */
};

/* Hot loops test plainly and assert only on failure (cr_assert has a cost). */
static void expect_unmapped_pages(struct run *r, u64 from, u64 to)
{
	u64 p;
	if (!all_equal(r->m, from, to, 0, &p))
		cr_assert_fail("%s: 0x%llx is mapped in the model, not in the table", r->what,
			       ULL(W0 + (p << PAGE_SHIFT)));
}

static int cmp_leaf(void *ctx, const struct pt_leaf *lf)
{
	struct cmp *c = ctx;
	struct run *r = c->r;
	const struct pt *pt = &r->env.pt;

	if (lf->va < W0 || lf->va + lf->size > W1)
		cr_assert_fail("%s: leaf 0x%llx+0x%llx outside the window", r->what, ULL(lf->va),
			       ULL(lf->size));
	if (lf->level && !(pt->block_mask & BIT(lf->level)))
		cr_assert_fail("%s: block at level %u", r->what, lf->level);
	u64 first = (lf->va - W0) >> PAGE_SHIFT, n = lf->size >> PAGE_SHIFT;
	expect_unmapped_pages(r, c->next, first);
	u64 want = enc(lf->pa, lf->va, lf->attr), p;
	if (!all_equal(r->m, first, first + n, want, &p))
		cr_assert_fail(
			"%s: 0x%llx: table 0x%llx (leaf 0x%llx->0x%llx level %u), model 0x%llx",
			r->what, ULL(W0 + (p << PAGE_SHIFT)), ULL(want), ULL(lf->va), ULL(lf->pa),
			lf->level, ULL(r->m[p]));
	c->next = first + n;
	/* The tables holding this leaf, from its own level up to below the root. */
	for (unsigned l = lf->level; l + 1 < pt->levels; l++) {
		u64 id = (lf->va >> pt->shift[l + 1]) + 1;
		if (c->last_table[l] != id) {
			c->last_table[l] = id;
			c->tables++;
		}
	}
	return 0;
}

static void compare(struct run *r)
{
	struct cmp c = { .r = r };
	const struct pt *pt = &r->env.pt;

	cr_assert_eq(pt_walk(pt, 0, ~0ULL, cmp_leaf, &c), 0);
	expect_unmapped_pages(r, c.next, NPAGES);
	ptl_check_owned(&r->env, r->what);
	/* Unlinked tables still count until the flush is done. */
	u64 live = pt->nr_tables - r->env.fl.nr_free;
	cr_assert_eq(live, c.tables + (1ULL << pt->root_order),
		     "%s: %llu tables in the tree, the leaves need %llu", r->what, ULL(live),
		     ULL(c.tables + (1ULL << pt->root_order)));
}

/* Lookup of one page agrees with the model. */
static void check_lookup(struct run *r, u64 va)
{
	struct pt_leaf lf;
	if (va < W0 || va >= W1)
		return;
	u64 want = r->m[(va - W0) >> PAGE_SHIFT];
	bool found = pt_lookup(&r->env.pt, va, &lf);
	cr_assert_eq(found, want != 0, "%s: lookup(0x%llx) %d", r->what, ULL(va), found);
	if (found) {
		cr_assert(lf.va <= va && va - lf.va < lf.size, "%s: lookup(0x%llx) range", r->what,
			  ULL(va));
		cr_assert_eq(enc(lf.pa, lf.va, lf.attr), want,
			     "%s: lookup(0x%llx): 0x%llx, model 0x%llx", r->what, ULL(va),
			     ULL(enc(lf.pa, lf.va, lf.attr)), ULL(want));
	}
}

/* ---------------------------------------------------------------- the model */

/* Apply one operation to the model; note what the flush has to cover. */
static bool model_apply(struct run *r, int kind, u64 va, u64 size, u64 pa, struct pt_attr a)
{
	u64 first = (va - W0) >> PAGE_SHIFT, n = size >> PAGE_SHIFT;
	struct pt_attr d = ptl_decoded(r->env.pt.fmt, a);
	u64 mask_attr = (1ULL << PAGE_SHIFT) - 1;
	bool any_valid = false;

	for (u64 i = 0; i < n; i++) {
		u64 old = r->m[first + i], new = 0;
		if (kind == MAP)
			new = enc(pa, va, d);
		else if (kind == PROTECT && old)
			new = enc(old & ~mask_attr, 0, d);
		if (old) {
			any_valid = true;
			if (old != new) {
				r->req_lo = MIN(r->req_lo, first + i);
				r->req_hi = MAX(r->req_hi, first + i + 1);
			}
			/* A new address or memory type: arm64 must break first. */
			if (new && ((old ^ new) & ~mask_attr || ((old ^ new) & (7 << 5))))
				r->need_bbm = true;
		}
		r->m[first + i] = new;
	}
	return any_valid;
}

static void check_flush(struct run *r, bool fresh_map)
{
	struct ptl_env *env = &r->env;
	const struct pt_flush *fl = &env->fl;

	if (r->req_lo < r->req_hi) {
		u64 lo = W0 + (r->req_lo << PAGE_SHIFT), hi = W0 + (r->req_hi << PAGE_SHIFT);
		cr_assert(fl->start <= lo && fl->end >= hi && fl->nr_changed,
			  "%s: flush [0x%llx, 0x%llx) does not cover [0x%llx, 0x%llx)", r->what,
			  ULL(fl->start), ULL(fl->end), ULL(lo), ULL(hi));
	}
	if (fresh_map)
		ptl_check_no_flush(env, r->what);
	cr_assert_eq(fl->nr_bbm, env->nr_sync, "%s: BBM without bbm_sync", r->what);
	cr_assert_eq(env->sync_mapped, 0, "%s: still mapped during bbm_sync", r->what);
	if (!env->cfg->fmt->bbm)
		cr_assert_eq(fl->nr_bbm, 0, "%s", r->what);
	else if (r->need_bbm)
		cr_assert(fl->nr_bbm > 0, "%s: address or type changed without BBM", r->what);
}

static void flush(struct run *r)
{
	ptl_flush(&r->env);
	r->req_lo = ~0ULL;
	r->req_hi = 0;
	r->need_bbm = false;
}

/* ---------------------------------------------------------------- random operations */

static struct pt_attr random_attr(struct run *r)
{
	const struct pt_format *fmt = r->env.pt.fmt;
	struct pt_attr a;

	if (ptl_below(&r->rng, 4) == 0)
		return r->last; /* the same again: no-op protects and remaps */
	a.perm = (u8)((PT_R | (ptl_rand(&r->rng) & (PT_W | PT_X | PT_U))) & fmt->perm_mask);
	a.mtype = (u8)ptl_below(&r->rng, PT_MT_COUNT);
	a.flags = (u8)(ptl_rand(&r->rng) & ptl_flag_mask(fmt));
	r->last = a;
	return a;
}

static u64 random_size(struct run *r)
{
	struct ptl_rng *g = &r->rng;
	s64 pages = (s64)ptl_below(g, 8) - 4; /* a few pages more or less, or none */
	s64 blocks = (s64)ptl_below(g, 5) - 2;

	switch (ptl_below(g, 8)) {
	case 0:
	case 1:
	case 2:
		return (1 + ptl_below(g, 32)) << PAGE_SHIFT;
	case 3:
	case 4:
		return (u64)((s64)MiB(2) * (1 + (s64)ptl_below(g, 8)) + pages * (s64)PAGE_SIZE);
	case 5:
	case 6:
		return (u64)((s64)GiB(1) * (1 + (s64)ptl_below(g, 2)) + (s64)MiB(2) * blocks +
			     pages * (s64)PAGE_SIZE);
	default:
		return (1 + ptl_below(g, NPAGES)) << PAGE_SHIFT;
	}
}

static u64 random_va(struct run *r)
{
	static const u64 align[] = { PAGE_SIZE, MiB(2), GiB(1) };
	u64 va = W0 + ALIGN_DOWN(ptl_below(&r->rng, W1 - W0), align[ptl_below(&r->rng, 3)]);
	if (ptl_below(&r->rng, 4) == 0)
		va += ptl_below(&r->rng, 512) << PAGE_SHIFT;
	return MIN(va, W1 - PAGE_SIZE);
}

/* An output address that allows 1 GiB blocks, 2 MiB blocks, or none. */
static u64 random_pa(struct run *r, u64 va, u64 size)
{
	struct ptl_rng *g = &r->rng;
	/* Unaligned maps of gigabytes make hundreds of thousands of 4 KiB leaves,
	 * slow to check after every operation: keep those below 512 MiB. */
	u64 kind = ptl_below(g, 3);
	if (kind == 2 && size > MiB(32) && (size > MiB(512) || ptl_below(g, 8)))
		kind = ptl_below(g, 2);
	switch (kind) {
	case 0:
		return GiB(ptl_below(g, 64)) + va % GiB(1);
	case 1:
		return MiB(2) * ptl_below(g, 64 * 512) + va % MiB(2);
	default:
		return ptl_below(g, GiB(64) >> PAGE_SHIFT) << PAGE_SHIFT;
	}
}

static void one_op(struct run *r, u64 seed, u32 op)
{
	struct ptl_env *env = &r->env;
	int kind = (int)ptl_below(&r->rng, 4);
	u64 va = random_va(r), size = random_size(r);
	u64 pa = 0;
	struct pt_attr a = random_attr(r);
	bool fresh = env->fl.nr_changed == 0 && env->fl.nr_free == 0;
	int rc;

	size = MIN(size, W1 - va); /* MIN evaluates twice: not on random_size() */
	kind = kind == 3 ? MAP : kind;
	snprintf(r->what, sizeof(r->what), "%s seed=%llu op=%u %s [0x%llx, 0x%llx)", env->cfg->name,
		 ULL(seed), op,
		 kind == MAP	 ? "map"
		 : kind == UNMAP ? "unmap"
				 : "protect",
		 ULL(va), ULL(va + size));
	if (kind == MAP) {
		pa = random_pa(r, va, size);
		rc = pt_map(&env->pt, va, pa, size, a, &env->fl);
	} else if (kind == UNMAP) {
		rc = pt_unmap(&env->pt, va, size, &env->fl);
	} else {
		rc = pt_protect(&env->pt, va, size, a, &env->fl);
	}
	cr_assert_eq(rc, 0, "%s: returned %d", r->what, rc);
	bool had_valid = model_apply(r, kind, va, size, pa, a);
	check_flush(r, fresh && kind == MAP && !had_valid);
	compare(r);
	check_lookup(r, va - PAGE_SIZE);
	check_lookup(r, va);
	check_lookup(r, va + size - PAGE_SIZE);
	check_lookup(r, va + size);
	for (int i = 0; i < 8; i++)
		check_lookup(r, W0 + (ptl_below(&r->rng, NPAGES) << PAGE_SHIFT));
	if (ptl_below(&r->rng, 4))
		flush(r);
}

static void run_seed(const struct pt_cfg *cfg, u64 seed)
{
	struct run r = { 0 };

	ptl_env_init(&r.env, cfg, RAM_PAGES);
	ptl_rng_seed(&r.rng, seed);
	r.m = calloc(NPAGES, sizeof(*r.m));
	cr_assert(r.m);
	r.last = (struct pt_attr){ PT_R | PT_W, PT_MT_WB, 0 };
	flush(&r);
	for (u32 op = 0; op < OPS_PER_SEED; op++)
		one_op(&r, seed, op);
	/* Unmapping everything leaves only the root. */
	snprintf(r.what, sizeof(r.what), "%s seed=%llu: final unmap", cfg->name, ULL(seed));
	cr_assert_eq(pt_unmap(&r.env.pt, W0, W1 - W0, &r.env.fl), 0);
	model_apply(&r, UNMAP, W0, W1 - W0, 0, r.last);
	check_flush(&r, false);
	compare(&r);
	flush(&r);
	cr_assert_eq(r.env.pt.nr_tables, 1ULL << r.env.pt.root_order, "%s", r.what);
	ptl_env_fini(&r.env);
	free(r.m);
}

static void run_cfg(const char *name)
{
	const struct pt_cfg *cfg = ptl_cfg(name);
	u64 seed;

	if (ptl_env_seed(&seed)) {
		run_seed(cfg, seed);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(seeds); i++)
		run_seed(cfg, seeds[i]);
}

Test(pt_random, x86_64_4_levels, .timeout = 60)
{
	run_cfg("x86-64/4");
}

Test(pt_random, x86_64_5_levels, .timeout = 60)
{
	run_cfg("x86-64/5");
}

Test(pt_random, ept, .timeout = 60)
{
	run_cfg("ept/4");
}

Test(pt_random, arm64_stage1, .timeout = 60)
{
	run_cfg("s1/48");
}

Test(pt_random, arm64_stage2_concatenated, .timeout = 60)
{
	run_cfg("s2/40x2");
}

Test(pt_random, arm64_stage2_two_levels, .timeout = 60)
{
	run_cfg("s2/32x4");
}

Test(pt_random, arm64_stage2_small_root, .timeout = 60)
{
	run_cfg("s2/35small");
}
