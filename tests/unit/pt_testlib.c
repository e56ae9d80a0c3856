/* pt_testlib.c: helpers shared by the page-table engine tests. */
#include <stdlib.h>
#include <string.h>

#include "pt_testlib.h"

#define ULL(x) ((unsigned long long)(x))

const struct pt_cfg ptl_cfgs[] = {
	{ "x86-64/4", &pt_fmt_x86_64, 48, 4 },
	{ "x86-64/5", &pt_fmt_x86_64, 57, 5 },
	{ "ept/4", &pt_fmt_ept, 48, 4 },
	{ "ept/5", &pt_fmt_ept, 57, 5 },
	{ "s1/48", &pt_fmt_arm64_s1, 48, 4 },
	{ "s1/39", &pt_fmt_arm64_s1, 39, 3 },
	{ "s2/48", &pt_fmt_arm64_s2, 48, 4 },
	{ "s2/40x2", &pt_fmt_arm64_s2, 40, 3 },	   /* two concatenated level-1 tables */
	{ "s2/43x16", &pt_fmt_arm64_s2, 43, 3 },   /* sixteen */
	{ "s2/32x4", &pt_fmt_arm64_s2, 32, 2 },	   /* four concatenated level-2 tables */
	{ "s2/35small", &pt_fmt_arm64_s2, 35, 3 }, /* a 32-entry root */
};
const size_t ptl_nr_cfgs = ARRAY_SIZE(ptl_cfgs);

const struct pt_cfg *ptl_cfg(const char *name)
{
	for (size_t i = 0; i < ptl_nr_cfgs; i++) {
		if (!strcmp(ptl_cfgs[i].name, name))
			return &ptl_cfgs[i];
	}
	cr_assert_fail("no configuration %s", name);
	return NULL;
}

/* ---------------------------------------------------------------- environment */

static void check_sync(void *ctx, u64 va, u64 size)
{
	struct ptl_env *env = ctx;
	struct pt_leaf lf;

	if (!env->nr_sync++) {
		env->sync_start = va;
		env->sync_end = va + size;
	} else {
		env->sync_start = MIN(env->sync_start, va);
		env->sync_end = MAX(env->sync_end, va + size);
	}
	/* Between break and make nothing in the range may translate. */
	for (u64 off = 0; off < size; off += MAX(size / 4, PAGE_SIZE)) {
		if (pt_lookup(&env->pt, va + off, &lf))
			env->sync_mapped++;
	}
}

static void fresh_flush(struct ptl_env *env)
{
	pt_flush_init(&env->fl);
	env->fl.bbm_sync = check_sync;
	env->fl.ctx = env;
	env->nr_sync = 0;
	env->sync_start = env->sync_end = 0;
	env->sync_mapped = 0;
}

void ptl_env_init(struct ptl_env *env, const struct pt_cfg *cfg, u64 ram_pages)
{
	memset(env, 0, sizeof(*env));
	env->cfg = cfg;
	env->pa = fake_ram_init(ram_pages);
	env->free0 = env->pa->nr_free;
	cr_assert_eq(pt_init(&env->pt, cfg->fmt, cfg->va_bits, cfg->levels, env->pa, OWNER_PGTABLE),
		     0, "%s: pt_init", cfg->name);
	fresh_flush(env);
}

void ptl_flush(struct ptl_env *env)
{
	cr_assert_eq(env->sync_mapped, 0, "%s: an address still translated during bbm_sync",
		     env->cfg->name);
	pt_flush_done(&env->pt, &env->fl);
	cr_assert_eq(env->fl.free_list, 0);
	fresh_flush(env);
}

void ptl_check_owned(const struct ptl_env *env, const char *what)
{
	u64 owned = palloc_count(env->pa, OWNER_PGTABLE);
	cr_assert_eq(env->pt.nr_tables, owned, "%s: %s: nr_tables %llu but %llu pages owned",
		     env->cfg->name, what, ULL(env->pt.nr_tables), ULL(owned));
}

void ptl_check_no_flush(const struct ptl_env *env, const char *what)
{
	const struct pt_flush *fl = &env->fl;
	cr_assert(fl->start >= fl->end && fl->nr_changed == 0 && fl->nr_bbm == 0 &&
			  !fl->walk_cache && env->nr_sync == 0,
		  "%s: %s: reported a flush [0x%llx, 0x%llx) changed %u bbm %u", env->cfg->name,
		  what, ULL(fl->start), ULL(fl->end), fl->nr_changed, fl->nr_bbm);
}

void ptl_env_fini(struct ptl_env *env)
{
	ptl_flush(env);
	ptl_check_owned(env, "before destroy");
	pt_destroy(&env->pt);
	cr_assert_eq(env->pt.nr_tables, 0, "%s: nr_tables after destroy", env->cfg->name);
	cr_assert_eq(palloc_count(env->pa, OWNER_PGTABLE), 0, "%s: table pages leaked",
		     env->cfg->name);
	cr_assert_eq(env->pa->nr_free, env->free0, "%s: free pages %llu, started with %llu",
		     env->cfg->name, ULL(env->pa->nr_free), ULL(env->free0));
	fake_ram_fini();
}

/* ---------------------------------------------------------------- attributes */

static bool is_x86(const struct pt_format *fmt)
{
	return fmt == &pt_fmt_x86_64 || fmt == &pt_fmt_x86_32 || fmt == &pt_fmt_x86_pae;
}

u8 ptl_flag_mask(const struct pt_format *fmt)
{
	if (is_x86(fmt))
		return PT_F_GLOBAL | PT_F_ACCESSED | PT_F_DIRTY;
	if (fmt == &pt_fmt_ept)
		return PT_F_IGNORE_PAT | PT_F_ACCESSED | PT_F_DIRTY;
	return 0;
}

struct pt_attr ptl_decoded(const struct pt_format *fmt, struct pt_attr a)
{
	/* x86 (PAT) and EPT have one uncached type for both UC and device. */
	if ((is_x86(fmt) || fmt == &pt_fmt_ept) && a.mtype == PT_MT_DEV)
		a.mtype = PT_MT_UC;
	a.flags &= ptl_flag_mask(fmt);
	return a;
}

bool ptl_attr_eq(struct pt_attr a, struct pt_attr b)
{
	return a.perm == b.perm && a.mtype == b.mtype && a.flags == b.flags;
}

unsigned ptl_top_block(const struct pt *pt)
{
	unsigned top = 0;
	for (unsigned l = 1; l < pt->levels; l++) {
		if (pt->block_mask & BIT(l))
			top = l;
	}
	return top;
}

/* ---------------------------------------------------------------- leaves */

void ptl_leaves_push(struct ptl_leaves *l, const struct pt_leaf *leaf)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		cr_assert(l->v);
	}
	l->v[l->n++] = *leaf;
}

void ptl_leaves_free(struct ptl_leaves *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int collect_fn(void *ctx, const struct pt_leaf *leaf)
{
	ptl_leaves_push(ctx, leaf);
	return 0;
}

void ptl_collect(const struct pt *pt, u64 va, u64 size, struct ptl_leaves *out)
{
	out->n = 0;
	cr_assert_eq(pt_walk(pt, va, size, collect_fn, out), 0);
}

void ptl_expected_leaves(const struct pt *pt, u64 va, u64 pa, u64 size, struct ptl_leaves *out)
{
	u64 end = va + size;

	out->n = 0;
	while (va < end) {
		unsigned level = 0;
		for (unsigned l = pt->levels - 1u; l > 0; l--) {
			u64 sz = pt_level_size(pt, l);
			if ((pt->block_mask & BIT(l)) && IS_ALIGNED(va, sz) && IS_ALIGNED(pa, sz) &&
			    end - va >= sz) {
				level = l;
				break;
			}
		}
		struct pt_leaf lf = {
			.va = va, .pa = pa, .size = pt_level_size(pt, level), .level = level
		};
		ptl_leaves_push(out, &lf);
		va += lf.size;
		pa += lf.size;
	}
}

void ptl_expect_linear(const struct pt *pt, u64 va, u64 size, u64 pa, struct pt_attr a,
		       u64 hist[PT_MAX_LEVELS], const char *what)
{
	struct ptl_leaves l = { 0 };
	struct pt_attr want = ptl_decoded(pt->fmt, a);
	u64 next = va;

	ptl_collect(pt, va, size, &l);
	for (size_t i = 0; i < l.n; i++) {
		const struct pt_leaf *lf = &l.v[i];
		cr_assert_eq(lf->va, next, "%s: %s: leaf at 0x%llx, expected one at 0x%llx",
			     pt->fmt->name, what, ULL(lf->va), ULL(next));
		cr_assert(lf->va + lf->size <= va + size,
			  "%s: %s: leaf 0x%llx+0x%llx runs past 0x%llx", pt->fmt->name, what,
			  ULL(lf->va), ULL(lf->size), ULL(va + size));
		cr_assert_eq(lf->pa, pa + (lf->va - va), "%s: %s: leaf 0x%llx maps 0x%llx",
			     pt->fmt->name, what, ULL(lf->va), ULL(lf->pa));
		cr_assert(ptl_attr_eq(lf->attr, want),
			  "%s: %s: leaf 0x%llx attr %x/%u/%x, expected %x/%u/%x", pt->fmt->name,
			  what, ULL(lf->va), lf->attr.perm, lf->attr.mtype, lf->attr.flags,
			  want.perm, want.mtype, want.flags);
		cr_assert_eq(lf->size, pt_level_size(pt, lf->level));
		if (hist)
			hist[lf->level]++;
		next = lf->va + lf->size;
	}
	cr_assert_eq(next, va + size, "%s: %s: mapped up to 0x%llx of [0x%llx, 0x%llx)",
		     pt->fmt->name, what, ULL(next), ULL(va), ULL(va + size));
	ptl_leaves_free(&l);
}

void ptl_expect_unmapped(const struct pt *pt, u64 va, u64 size, const char *what)
{
	struct ptl_leaves l = { 0 };
	struct pt_leaf lf;

	ptl_collect(pt, va, size, &l);
	cr_assert_eq(l.n, 0, "%s: %s: 0x%llx is mapped", pt->fmt->name, what,
		     ULL(l.n ? l.v[0].va : 0));
	cr_assert(!pt_lookup(pt, va, &lf), "%s: %s: lookup(0x%llx)", pt->fmt->name, what, ULL(va));
	cr_assert(!pt_lookup(pt, va + size - PAGE_SIZE, &lf));
	ptl_leaves_free(&l);
}

/* The walk of [va, va + size) is exactly the leaves a fresh map of it to pa gives. */
void ptl_expect_shape(const struct pt *pt, u64 va, u64 size, u64 pa, struct pt_attr a,
		      const char *what)
{
	struct ptl_leaves got = { 0 }, want = { 0 };
	struct pt_attr d = ptl_decoded(pt->fmt, a);

	ptl_collect(pt, va, size, &got);
	ptl_expected_leaves(pt, va, pa, size, &want);
	cr_assert_eq(got.n, want.n, "%s: %s: %zu leaves, expected %zu", pt->fmt->name, what, got.n,
		     want.n);
	for (size_t i = 0; i < got.n; i++) {
		const struct pt_leaf *g = &got.v[i], *w = &want.v[i];
		cr_assert(g->va == w->va && g->pa == w->pa && g->size == w->size &&
				  g->level == w->level,
			  "%s: %s: leaf %zu is 0x%llx->0x%llx level %u, expected 0x%llx->0x%llx "
			  "level %u",
			  pt->fmt->name, what, i, ULL(g->va), ULL(g->pa), g->level, ULL(w->va),
			  ULL(w->pa), w->level);
		cr_assert(ptl_attr_eq(g->attr, d), "%s: %s: attr of leaf 0x%llx", pt->fmt->name,
			  what, ULL(g->va));
	}
	ptl_leaves_free(&got);
	ptl_leaves_free(&want);
}

void ptl_expect_leaf(const struct pt *pt, u64 va, u64 pa, unsigned level, struct pt_attr a,
		     const char *what)
{
	struct pt_leaf lf;
	struct pt_attr d = ptl_decoded(pt->fmt, a);
	u64 size = pt_level_size(pt, level);

	cr_assert(pt_lookup(pt, va, &lf), "%s: %s: 0x%llx unmapped", pt->fmt->name, what, ULL(va));
	cr_assert(lf.level == level && lf.size == size && lf.va == ALIGN_DOWN(va, size) &&
			  lf.pa == pa && lf.entry != 0,
		  "%s: %s: 0x%llx is 0x%llx->0x%llx level %u, expected ->0x%llx level %u",
		  pt->fmt->name, what, ULL(va), ULL(lf.va), ULL(lf.pa), lf.level, ULL(pa), level);
	cr_assert(ptl_attr_eq(lf.attr, d), "%s: %s: attr %x/%u/%x, expected %x/%u/%x",
		  pt->fmt->name, what, lf.attr.perm, lf.attr.mtype, lf.attr.flags, d.perm, d.mtype,
		  d.flags);
}

/* The flush covers [va, va + size). */
void ptl_expect_flush(const struct ptl_env *env, u64 va, u64 size, const char *what)
{
	const struct pt_flush *fl = &env->fl;
	cr_assert(fl->nr_changed > 0 && fl->start <= va && fl->end >= va + size,
		  "%s: %s: flush [0x%llx, 0x%llx) changed %u does not cover [0x%llx, 0x%llx)",
		  env->cfg->name, what, ULL(fl->start), ULL(fl->end), fl->nr_changed, ULL(va),
		  ULL(va + size));
}

/* BBM expected on arm64 only, n sequences each covering [va, va + size). */
void ptl_expect_bbm(const struct ptl_env *env, u32 n, u64 va, u64 size, const char *what)
{
	u32 want = env->cfg->fmt->bbm ? n : 0;
	cr_assert_eq(env->fl.nr_bbm, want, "%s: %s: %u BBM, expected %u", env->cfg->name, what,
		     env->fl.nr_bbm, want);
	cr_assert_eq(env->nr_sync, want, "%s: %s: %u bbm_sync calls", env->cfg->name, what,
		     env->nr_sync);
	cr_assert_eq(env->sync_mapped, 0, "%s: %s: mapped during bbm_sync", env->cfg->name, what);
	if (want)
		cr_assert(env->sync_start <= va && env->sync_end >= va + size,
			  "%s: %s: bbm_sync [0x%llx, 0x%llx)", env->cfg->name, what,
			  ULL(env->sync_start), ULL(env->sync_end));
}

/* ---------------------------------------------------------------- snapshots */

static const u8 *page_bytes(u64 i)
{
	return phys_to_virt(hpa(FAKE_RAM_BASE + i * PAGE_SIZE));
}

void ptl_snap_take(const struct ptl_env *env, struct ptl_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->nr_tables = env->pt.nr_tables;
	s->nr_free = env->pa->nr_free;
	s->pages = fake_ram_pages();
	s->owner = malloc(s->pages * sizeof(*s->owner));
	cr_assert(s->owner);
	for (u64 i = 0; i < s->pages; i++) {
		s->owner[i] = palloc_owner(env->pa, hpa(FAKE_RAM_BASE + i * PAGE_SIZE));
		s->nr_owned += s->owner[i] == OWNER_PGTABLE;
	}
	s->bytes = malloc(s->nr_owned * PAGE_SIZE + 1);
	cr_assert(s->bytes);
	for (u64 i = 0, j = 0; i < s->pages; i++) {
		if (s->owner[i] == OWNER_PGTABLE)
			memcpy(s->bytes + (j++) * PAGE_SIZE, page_bytes(i), PAGE_SIZE);
	}
	ptl_collect(&env->pt, 0, ~0ULL, &s->leaves);
}

void ptl_snap_check(const struct ptl_env *env, const struct ptl_snap *s, const char *what)
{
	const char *name = env->cfg->name;
	struct ptl_leaves now = { 0 };

	cr_assert_eq(env->pt.nr_tables, s->nr_tables, "%s: %s: nr_tables %llu, was %llu", name,
		     what, ULL(env->pt.nr_tables), ULL(s->nr_tables));
	cr_assert_eq(env->pa->nr_free, s->nr_free, "%s: %s: nr_free %llu, was %llu", name, what,
		     ULL(env->pa->nr_free), ULL(s->nr_free));
	for (u64 i = 0, j = 0; i < s->pages; i++) {
		owner_t o = palloc_owner(env->pa, hpa(FAKE_RAM_BASE + i * PAGE_SIZE));
		cr_assert_eq(o, s->owner[i], "%s: %s: page %llu owner %x, was %x", name, what,
			     ULL(i), o, s->owner[i]);
		if (o != OWNER_PGTABLE)
			continue;
		cr_assert(!memcmp(page_bytes(i), s->bytes + (j++) * PAGE_SIZE, PAGE_SIZE),
			  "%s: %s: table page %llu changed", name, what, ULL(i));
	}
	ptl_collect(&env->pt, 0, ~0ULL, &now);
	cr_assert_eq(now.n, s->leaves.n, "%s: %s: %zu leaves, were %zu", name, what, now.n,
		     s->leaves.n);
	for (size_t i = 0; i < now.n; i++) {
		const struct pt_leaf *a = &now.v[i], *b = &s->leaves.v[i];
		cr_assert(a->va == b->va && a->pa == b->pa && a->size == b->size &&
				  a->level == b->level && a->entry == b->entry &&
				  ptl_attr_eq(a->attr, b->attr),
			  "%s: %s: leaf %zu at 0x%llx differs", name, what, i, ULL(a->va));
	}
	ptl_leaves_free(&now);
}

void ptl_snap_free(struct ptl_snap *s)
{
	free(s->owner);
	free(s->bytes);
	ptl_leaves_free(&s->leaves);
}

/* ---------------------------------------------------------------- randomness */

void ptl_rng_seed(struct ptl_rng *r, u64 seed)
{
	/* splitmix64 once, so small seeds still give a busy state; never 0. */
	u64 z = seed + 0x9E3779B97F4A7C15ULL;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	r->s = (z ^ (z >> 31)) | 1;
}

u64 ptl_rand(struct ptl_rng *r)
{
	u64 x = r->s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

u64 ptl_below(struct ptl_rng *r, u64 n)
{
	return ptl_rand(r) % n;
}

bool ptl_env_seed(u64 *seed)
{
	const char *s = getenv("UMBRA_PT_SEED");
	char *end;

	if (!s || !*s)
		return false;
	*seed = strtoull(s, &end, 0);
	cr_assert(!*end, "UMBRA_PT_SEED=%s is not a number", s);
	return true;
}
