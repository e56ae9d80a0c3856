/*
 * test_shadow_random.c: the shadow MMU against the reference: random guest tables, and stress.
 *
 * A run builds random tables in a pool of guest frames (random P/RW/US/XD/
 * PS/A/D, some reserved bits, some pointers past RAM, tables shared between
 * parents and between levels, self references), several address spaces
 * over them, and then takes random steps: accesses of every kind (checked
 * against the reference, RAM compared after), guest writes to table entries
 * (through a linear map of the pool, as a guest would, followed by the
 * INVLPGs or CR3 reload the architecture asks for), CR3 switches, INVLPGs,
 * and CR0.WP/CR0.PG/CR4.PSE/CR4.SMEP/EFER.NXE changes. After each step a
 * sample of addresses is probed; every few steps all mapped pages are.
 *
 * Every failure names the run, seed and step. SHADOW_SEED=n runs only seed
 * n; SHADOW_STEPS=n changes the number of steps.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/msr.h"
#include "err.h"
#include "shadow_ref.h"

#define POOL 0x10000ULL /* table frames [POOL, POOL + NPOOL pages) */
#define NPOOL 64
#define KPOOL 0x1000ULL /* the linear map's own tables, never changed */
#define MAX_SPACES 11
#define MAX_LEAVES 512
#define STEPS 400

struct cfg {
	const char *name;
	enum sref_mode mode;
	u64 ram;
	u32 budget;
	bool fragmented, pse, start_off, no_1g;
	u8 maxphyaddr;
};

struct run {
	struct sh_env *e;
	const struct cfg *c;
	struct ptl_rng rng;
	unsigned width; /* entry bytes */
	u64 lin_va;	/* where the linear map shows the pool */
	u32 nspaces, cur;
	u64 cr3[MAX_SPACES];
	u64 protect[MAX_SPACES]; /* each root's linear-map slot */
	/* Leaves of the current space, for choosing addresses. */
	bool stale;
	u32 nleaves;
	u64 leaf_va[MAX_LEAVES], leaf_size[MAX_LEAVES];
	u64 skipped, switches;
};

static struct sh_env env;

static void fini(void)
{
	if (env.live)
		sh_check_stats(&env);
	sh_fini(&env);
}

TestSuite(shadow_random, .fini = fini, .timeout = 120);

static u64 below(struct run *r, u64 n)
{
	return ptl_below(&r->rng, n);
}

static bool chance(struct run *r, unsigned pct)
{
	return below(r, 100) < pct;
}

static bool lm(const struct run *r)
{
	return r->c->mode == SREF_LM4;
}

/* ---------------------------------------------------------------- random entries */

/* A reserved bit for this format (it may land where it is not reserved: fine). */
static u64 rsvd_bit(struct run *r)
{
	if (r->width == 4)
		return chance(r, 50) ? BIT(21) : BIT(13 + below(r, 8));
	switch (below(r, 4)) {
	case 0:
		return BIT(r->c->maxphyaddr + below(r, 52 - r->c->maxphyaddr + 1)) & GENMASK(52, 0);
	case 1:
		return BIT(52 + below(r, 11)); /* reserved in PAE, ignored in 4-level */
	case 2:
		return BIT(13 + below(r, 17));
	default:
		return X86_PS;
	}
}

static u64 frame_anywhere(struct run *r, u64 self)
{
	u64 ram = r->e->mem.size;
	unsigned d = (unsigned)below(r, 100);

	if (d < 45)
		return POOL + below(r, NPOOL) * PAGE_SIZE;
	if (d < 50)
		return self & ~(PAGE_SIZE - 1);
	if (d < 58)
		return ram + below(r, 256) * PAGE_SIZE; /* past RAM */
	return below(r, ram / PAGE_SIZE) * PAGE_SIZE;
}

/* A plausible entry of a table at self. */
static u64 gen_entry(struct run *r, u64 self)
{
	u64 v, big = r->width == 4 ? MiB(4) : MiB(2);

	if (chance(r, 12))
		return ptl_rand(&r->rng) & ~X86_P & (r->width == 4 ? 0xFFFFFFFFULL : ~0ULL);
	v = X86_P | (chance(r, 75) ? X86_RW : 0) | (chance(r, 75) ? X86_US : 0) |
	    (chance(r, 50) ? X86_A : 0) | (chance(r, 50) ? X86_D : 0);
	if (r->width == 8 && chance(r, 20))
		v |= X86_XD;
	if (chance(r, 20)) {
		v |= X86_PS;
		v |= chance(r, 10) ? 0 : below(r, 4 * big > r->e->mem.size ? 8 : 4) * big;
	} else {
		v |= frame_anywhere(r, self);
	}
	if (chance(r, 6))
		v |= rsvd_bit(r);
	return r->width == 4 ? v & 0xFFFFFFFFULL : v;
}

/* [lo, hi) touches a root's linear-map slot, or the linear map's own tables. */
static bool protected_range(const struct run *r, u64 lo, u64 hi)
{
	for (u32 i = 0; i < r->nspaces; i++)
		if (lo < r->protect[i] + r->width && hi > r->protect[i])
			return true;
	return lo < POOL;
}

static bool in_pool(u64 gpa)
{
	return gpa >= POOL && gpa < POOL + NPOOL * PAGE_SIZE;
}

/* len bytes at gpa of fresh entries (a write may cover parts of two 4-byte entries). */
static u64 table_bytes(struct run *r, u64 gpa, unsigned len)
{
	u64 v = 0;

	for (u64 b = gpa; b < gpa + len;) {
		u64 ent = b & ~(u64)(r->width - 1), e = gen_entry(r, ent);
		unsigned from = (unsigned)(b - ent), n = r->width - from;

		if (n > gpa + len - b)
			n = (unsigned)(gpa + len - b);
		e = (e >> (8 * from)) & (n == 8 ? ~0ULL : BIT(8 * n) - 1);
		v |= e << (8 * (b - gpa));
		b += n;
	}
	return v;
}

static void fill_table(struct run *r, u64 t)
{
	unsigned n = PAGE_SIZE / r->width, k = 1 + (unsigned)below(r, 6);

	for (unsigned i = 0; i < k; i++) {
		u64 at = t + below(r, n) * r->width;

		if (!protected_range(r, at, at + r->width))
			sh_poke(r->e, at, gen_entry(r, t), r->width);
	}
}

/* ---------------------------------------------------------------- building */

/* The pool shown at lin_va through tables at KPOOL; returns the entry a root needs. */
static u64 build_linear_map(struct run *r)
{
	u64 flags = X86_P | X86_RW, kpt = KPOOL + 2 * PAGE_SIZE;

	for (u64 i = 0; i < NPOOL; i++)
		sh_poke(r->e, kpt + i * r->width, (POOL + i * PAGE_SIZE) | flags, r->width);
	switch (r->c->mode) {
	case SREF_LM4:
		r->lin_va = 0xFFFFFF8000000000ULL;
		sh_poke(r->e, KPOOL, (KPOOL + PAGE_SIZE) | flags, 8);
		sh_poke(r->e, KPOOL + PAGE_SIZE, kpt | flags, 8);
		return KPOOL | flags;
	case SREF_PAE:
		r->lin_va = 0xFFE00000ULL;
		sh_poke(r->e, KPOOL + 511 * 8, kpt | flags, 8);
		return KPOOL | X86_P;
	default:
		r->lin_va = 0xFFC00000ULL;
		return kpt | flags;
	}
}

static void build(struct run *r)
{
	u64 lin = build_linear_map(r);

	r->nspaces = 2 + (u32)below(r, MAX_SPACES - 1);
	for (u32 i = 0; i < r->nspaces; i++) {
		u64 frame = POOL + i * PAGE_SIZE;

		if (r->c->mode == SREF_PAE) {
			r->cr3[i] = frame + below(r, 128) * 32;
			r->protect[i] = r->cr3[i] + 24;
		} else {
			r->cr3[i] = frame;
			r->protect[i] = frame + PAGE_SIZE - r->width;
		}
		sh_poke(r->e, r->protect[i], lin, r->width);
	}
	for (u64 f = POOL; f < POOL + NPOOL * PAGE_SIZE; f += PAGE_SIZE)
		fill_table(r, f);
	for (u32 i = 0; r->c->mode == SREF_PAE && i < r->nspaces; i++)
		for (u32 j = 0; j < 3; j++) /* PDPTEs: only P and an address */
			sh_poke(r->e, r->cr3[i] + 8 * j,
				chance(r, 80) ? frame_anywhere(r, 0) | X86_P : 0, 8);
}

/* ---------------------------------------------------------------- the guest's view */

struct leaves {
	struct run *r;
	u32 seen;
};

static void on_leaf(void *ctx, u64 va, u64 size, u64 entry)
{
	struct leaves *l = ctx;
	struct run *r = l->r;
	u32 at = l->seen < MAX_LEAVES ? l->seen : (u32)below(r, l->seen + 1);

	l->seen++;
	if (at < MAX_LEAVES) {
		r->leaf_va[at] = va;
		r->leaf_size[at] = size;
	}
}

static void paging(const struct run *r, struct sref_paging *p)
{
	sref_paging_of(&r->e->regs, r->e->maxphyaddr, r->e->no_1g, r->e->pdpte, p);
}

static bool model_read(void *ctx, u64 addr, unsigned width, u64 *val)
{
	const struct sh_env *e = ctx;

	if (!sh_in_ram(e, addr))
		return false;
	*val = sh_peek_model(e, addr, width);
	return true;
}

static void refresh_leaves(struct run *r)
{
	struct leaves l = { r, 0 };
	struct sref_visit v = { .leaf = on_leaf, .ctx = &l, .budget = 4000 };
	struct sref_paging p;

	if (!r->stale)
		return;
	paging(r, &p);
	sref_enum(&p, model_read, r->e, &v);
	r->nleaves = l.seen < MAX_LEAVES ? l.seen : MAX_LEAVES;
	r->stale = false;
}

/* The entries at gpa that the current space's walks read: where they are used. */
struct affected {
	u64 lo, hi; /* the bytes written */
	u32 n;
	bool reload;
	u64 va[8];
};

static void on_table(void *ctx, u64 table, u8 level, u8 width, u64 va_base)
{
	struct affected *a = ctx;

	if ((a->lo & ~(PAGE_SIZE - 1)) != table)
		return;
	for (u64 i = (a->lo - table) / width; i <= (a->hi - 1 - table) / width; i++) {
		if (level > 0 || a->n == 8) {
			a->reload = true;
			return;
		}
		a->va[a->n++] = va_base + (i << 12);
	}
}

static void find_affected(struct run *r, struct affected *a)
{
	struct sref_visit v = { .table = on_table, .ctx = a, .budget = 4000 };
	struct sref_paging p;

	paging(r, &p);
	if (p.mode == SREF_OFF)
		return;
	if (p.mode == SREF_PAE && a->hi > (p.root & GENMASK(31, 5)) &&
	    a->lo < (p.root & GENMASK(31, 5)) + 32)
		a->reload = true; /* a PDPTE: it takes effect at the next CR3 load */
	sref_enum(&p, model_read, r->e, &v);
	if (!v.budget)
		a->reload = true;
}

/* After the guest changed a table entry: what the architecture asks of it. */
static void invalidate(struct run *r, struct affected *a)
{
	r->stale = true;
	if (a->reload) {
		sh_reload(r->e);
		return;
	}
	for (u32 i = 0; i < a->n; i++)
		sh_invlpg(r->e, a->va[i]);
}

/* ---------------------------------------------------------------- steps */

static const u32 kinds[6] = { ACC_R, ACC_W, ACC_X, ACC_U | ACC_R, ACC_U | ACC_W, ACC_U | ACC_X };

static bool paging_on(const struct run *r)
{
	return r->e->regs.cr0 & CR0_PG;
}

static u64 pick_va(struct run *r)
{
	unsigned d = (unsigned)below(r, 100);

	if (!paging_on(r))
		return below(r, r->e->mem.size + MiB(1)) & ~7ULL;
	refresh_leaves(r);
	if (d < 65 && r->nleaves) {
		u32 i = (u32)below(r, r->nleaves);
		u64 size = r->leaf_size[i], off = below(r, size < MiB(8) ? size : MiB(8));

		return (r->leaf_va[i] + off) & ~7ULL;
	}
	if (d < 75)
		return r->lin_va + below(r, NPOOL * PAGE_SIZE / 8) * 8;
	if (lm(r)) {
		u64 va = ptl_rand(&r->rng) & GENMASK(47, 3);
		return (va & BIT(47)) ? va | GENMASK(63, 48) : va;
	}
	return ptl_rand(&r->rng) & GENMASK(31, 3);
}

/* One access of a random kind; a write to a table writes 1, 2, 4 or 8 bytes of entries. */
static void random_access(struct run *r, u64 va, u32 acc)
{
	struct affected a = { 0 };
	struct sref_walk w;
	struct sh_out o;
	unsigned len = r->width;
	u64 val = ptl_rand(&r->rng) & (chance(r, 85) ? ~X86_P : ~0ULL);

	sh_ref(r->e, va, acc, &w);
	if ((acc & PF_W) && w.kind == SREF_OK && in_pool(w.pa)) {
		len = 1u << below(r, 4);
		va &= ~(u64)(len - 1);
		a.lo = w.pa & ~(u64)(len - 1);
		a.hi = a.lo + len;
		val = table_bytes(r, a.lo, len);
	}
	if ((acc & PF_W) && w.kind == SREF_OK && sh_in_ram(r->e, w.pa) &&
	    protected_range(r, w.pa & ~(u64)(len - 1), (w.pa & ~(u64)(len - 1)) + len)) {
		acc &= ~(u32)PF_W;
		a.hi = 0;
	}
	if (a.hi)
		find_affected(r, &a);
	sh_check(r->e, va, acc, val, len, &o);
	if (a.hi && o.kind == SH_OK) {
		find_affected(r, &a);
		invalidate(r, &a);
	}
}

/* A guest write to a table entry in the pool: through the linear map, or where RAM is visible. */
static void table_write(struct run *r)
{
	struct affected a = { 0 };
	struct sref_walk w;
	struct sh_out o;
	u64 frame = POOL + below(r, NPOOL) * PAGE_SIZE, va;

	a.lo = frame + below(r, PAGE_SIZE / r->width) * r->width;
	a.hi = a.lo + r->width;
	if (protected_range(r, a.lo, a.hi))
		return;
	va = paging_on(r) ? r->lin_va + (a.lo - POOL) : a.lo;
	sh_ref(r->e, va, ACC_W, &w);
	if (w.kind != SREF_OK || w.pa != a.lo) {
		r->skipped++; /* the guest broke its own linear map here */
		return;
	}
	find_affected(r, &a);
	sh_check(r->e, va, ACC_W, gen_entry(r, frame), r->width, &o);
	find_affected(r, &a);
	invalidate(r, &a);
}

static void switch_space(struct run *r)
{
	u32 to = (u32)below(r, r->nspaces);

	if (sh_load(r->e, r->e->regs.cr0, r->cr3[to], r->e->regs.cr4, r->e->regs.efer) == 0) {
		r->cur = to;
		r->switches++;
	}
	r->stale = true;
}

/* CR0.WP, CR0.PG (not in long mode), CR4.PSE (32-bit), CR4.SMEP, EFER.NXE. */
static void toggle(struct run *r)
{
	u64 cr0 = r->e->regs.cr0, cr4 = r->e->regs.cr4, efer = r->e->regs.efer;

	switch (below(r, 5)) {
	case 0:
		cr0 ^= CR0_WP;
		break;
	case 1:
		if (!lm(r))
			cr0 ^= CR0_PG;
		break;
	case 2:
		if (r->c->mode == SREF_32)
			cr4 ^= CR4_PSE;
		break;
	case 3:
		cr4 ^= X86_CR4_SMEP;
		break;
	default:
		efer ^= EFER_NXE;
		break;
	}
	sh_load(r->e, cr0, r->e->regs.cr3, cr4, efer);
	r->stale = true;
}

static void probe_all(struct run *r)
{
	refresh_leaves(r);
	for (u32 i = 0; i < r->nleaves; i++) {
		u64 va = r->leaf_va[i] + (below(r, r->leaf_size[i] / PAGE_SIZE) << 12);
		struct sh_out o;

		sh_probe(r->e, va);
		sh_check(r->e, va, ACC_R, 0, r->width, &o);
	}
	sh_check_ram(r->e);
	sh_check_stats(r->e);
}

static void step(struct run *r)
{
	unsigned d = (unsigned)below(r, 100);

	if (d < 50)
		random_access(r, pick_va(r), kinds[below(r, 6)]);
	else if (d < 68)
		table_write(r);
	else if (d < 78)
		switch_space(r);
	else if (d < 85)
		sh_invlpg(r->e, pick_va(r));
	else if (d < 91)
		toggle(r);
	else if (d < 94)
		sh_reload(r->e);
	else
		random_access(r, r->lin_va + below(r, NPOOL * PAGE_SIZE / 8) * 8, ACC_W);
	for (int i = 0; i < 12; i++)
		sh_probe(r->e, pick_va(r));
}

static u64 env_num(const char *name, u64 def)
{
	const char *s = getenv(name);
	char *end;

	if (!s || !*s)
		return def;
	u64 v = strtoull(s, &end, 0);
	cr_assert(!*end, "%s=%s is not a number", name, s);
	return v;
}

static void run_seed(const struct cfg *c, u32 seed)
{
	struct run r = { .e = &env, .c = c, .width = c->mode == SREF_32 ? 4 : 8, .stale = true };
	u64 cr0 = CR0_PE | CR0_PG | CR0_WP, cr4 = 0, efer = EFER_NXE;
	u32 steps = (u32)env_num("SHADOW_STEPS", STEPS);

	sh_init(&env, c->ram, c->budget, c->maxphyaddr, c->no_1g, c->fragmented);
	ptl_rng_seed(&r.rng, seed);
	snprintf(env.what, sizeof(env.what), "%s seed %u (SHADOW_SEED=%u): building", c->name, seed,
		 seed);
	build(&r);
	if (c->mode == SREF_PAE || lm(&r))
		cr4 |= CR4_PAE;
	if (c->pse)
		cr4 |= CR4_PSE;
	if (lm(&r))
		efer |= EFER_LME | EFER_LMA;
	if (c->start_off)
		cr0 &= ~(u64)CR0_PG;
	cr_assert_eq(sh_load(&env, cr0, r.cr3[0], cr4, efer), 0, "%s", env.what);
	for (u32 i = 0; i < steps; i++) {
		snprintf(env.what, sizeof(env.what),
			 "%s seed %u (SHADOW_SEED=%u SHADOW_STEPS=%u) step %u, space %u", c->name,
			 seed, seed, steps, i, r.cur);
		step(&r);
		if (i % 25 == 24)
			probe_all(&r);
	}
	snprintf(env.what, sizeof(env.what), "%s seed %u (SHADOW_SEED=%u): end", c->name, seed,
		 seed);
	probe_all(&r);
	SH_ASSERT(&env, r.switches < 2 * r.nspaces || env.s.stats.roots_reused > 0,
		  "%llu CR3 switches among %u spaces and no root reused", ULL(r.switches),
		  r.nspaces);
	SH_ASSERT(&env, r.skipped < steps / 4, "%llu table writes skipped", ULL(r.skipped));
	SH_ASSERT(&env, c->budget > SHADOW_MIN_BUDGET || env.s.stats.reclaimed > 0,
		  "a budget of %u pages and nothing reclaimed", c->budget);
	sh_check_stats(&env);
	sh_fini(&env);
}

static void run_cfg(const struct cfg *c)
{
	static const u32 seeds[] = { 1, 2, 3, 4, 5, 0xC0FFEE };
	u64 one = env_num("SHADOW_SEED", ~0ULL);

	if (one != ~0ULL) {
		run_seed(c, (u32)one);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(seeds); i++)
		run_seed(c, seeds[i]);
}

#define BIG SHADOW_DEFAULT_BUDGET
#define TINY SHADOW_MIN_BUDGET

Test(shadow_random, paging_off_and_on_32bit)
{
	run_cfg(&(struct cfg){ "off/32", SREF_32, MiB(8), BIG, false, true, true, false, 36 });
}

Test(shadow_random, paging_32bit)
{
	run_cfg(&(struct cfg){ "32", SREF_32, MiB(8), BIG, false, false, false, false, 36 });
}

Test(shadow_random, paging_32bit_pse)
{
	run_cfg(&(struct cfg){ "32+pse", SREF_32, MiB(8), BIG, false, true, false, false, 40 });
}

Test(shadow_random, pae)
{
	run_cfg(&(struct cfg){ "pae", SREF_PAE, MiB(8), BIG, false, false, false, false, 36 });
}

Test(shadow_random, four_level)
{
	run_cfg(&(struct cfg){ "4-level", SREF_LM4, MiB(8), BIG, false, false, false, false, 46 });
}

Test(shadow_random, four_level_no_1g_fragmented_host)
{
	run_cfg(&(struct cfg){ "4-level/frag", SREF_LM4, MiB(7), BIG, true, false, false, true,
			       52 });
}

Test(shadow_random, pae_fragmented_host)
{
	run_cfg(&(struct cfg){ "pae/frag", SREF_PAE, MiB(6), BIG, true, false, false, false, 40 });
}

Test(shadow_random, tiny_budget_32bit)
{
	run_cfg(&(struct cfg){ "32/tiny", SREF_32, MiB(8), TINY, false, true, false, false, 36 });
}

Test(shadow_random, tiny_budget_pae)
{
	run_cfg(&(struct cfg){ "pae/tiny", SREF_PAE, MiB(8), TINY, false, false, false, false,
			       36 });
}

Test(shadow_random, tiny_budget_four_level)
{
	run_cfg(&(struct cfg){ "4-level/tiny", SREF_LM4, MiB(8), TINY, false, false, false, false,
			       46 });
}

/* ---------------------------------------------------------------- stress cases */

#define CR0_ON (CR0_PE | CR0_PG | CR0_WP)
#define LM_EFER (EFER_LME | EFER_LMA | EFER_NXE)
#define PRW (X86_P | X86_RW)
#define PRWU (X86_P | X86_RW | X86_US)

static void lm_load(u64 cr3)
{
	cr_assert_eq(sh_load(&env, CR0_ON, cr3, CR4_PAE, LM_EFER), 0, "%s", env.what);
}

/* A page table written again and again, never used: umbra lets it go, the guest goes on. */
Test(shadow_random, write_flood_unprotects_and_the_guest_goes_on)
{
	struct sh_out o;
	u64 pt;

	sh_init(&env, MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	env.tab_next = 0x10000;
	sh_map4k(&env, 0x1000, 0x40000000, 0x170000, PRWU);
	pt = sh_pt_of(&env, 0x1000, 0x40000000); /* the flooded table: not on the writer's path */
	sh_map4k(&env, 0x1000, 0x7000, pt, PRW);
	lm_load(0x1000);
	sh_want(&env, 0x40000000, ACC_R, SH_OK, 0x170000);
	for (u64 i = 0; i < 300 && !env.n.unprot; i++)
		sh_check(&env, 0x7000 + 100 * 8, ACC_W, i << 12, 8, &o);
	cr_assert_gt(env.n.unprot, 0,
		     "300 writes to a page table that is never used, and it is still shadowed "
		     "(%llu emulated)",
		     ULL(env.n.ptw_true));
	cr_assert_gt(env.s.stats.unprotected, 0);
	sh_want(&env, 0x7000 + 101 * 8, ACC_W, SH_OK, pt + 101 * 8);
	/* Now the guest edits the table natively; the flush it owes makes it current. */
	sh_check(&env, 0x7000, ACC_W, 0x171000 | PRWU, 8, &o);
	sh_invlpg(&env, 0x40000000);
	sh_want(&env, 0x40000000, ACC_U | ACC_R, SH_OK, 0x171000);
	/* Used as a table again, it is shadowed again: edits must reach the shadow. */
	sh_check(&env, 0x7000, ACC_W, 0x172000 | PRWU, 8, &o);
	sh_invlpg(&env, 0x40000000);
	sh_want(&env, 0x40000000, ACC_W, SH_OK, 0x172000);
	sh_check_ram(&env);
}

/* SHADOW_MIN_BUDGET and 24 address spaces, each with its own tables: every translation right. */
Test(shadow_random, tiny_budget_many_address_spaces)
{
	sh_init(&env, MiB(8), SHADOW_MIN_BUDGET, 46, false, false);
	env.tab_next = 0x40000;
	for (u64 i = 0; i < 24; i++)
		for (u64 j = 0; j < 4; j++)
			sh_map4k(&env, 0x1000 + i * PAGE_SIZE, (i << 30) + (j << 21) + (j << 12),
				 0x200000 + (i * 4 + j) * PAGE_SIZE, PRWU);
	for (int round = 0; round < 3; round++) {
		for (u64 i = 0; i < 24; i++) {
			snprintf(env.what, sizeof(env.what), "tiny budget: round %d space %llu",
				 round, ULL(i));
			lm_load(0x1000 + i * PAGE_SIZE);
			for (u64 j = 0; j < 4; j++)
				sh_want(&env, (i << 30) + (j << 21) + (j << 12),
					j & 1 ? ACC_U | ACC_W : ACC_R, SH_OK,
					0x200000 + (i * 4 + j) * PAGE_SIZE);
			sh_want(&env, (i << 30) + 0x5000, ACC_R, SH_PF, 0);
		}
	}
	cr_assert_gt(env.s.stats.reclaimed, 0);
	cr_assert_leq(env.s.stats.pages_peak, SHADOW_MIN_BUDGET);
	sh_check_ram(&env);
}

/* Switching back to a recent address space reuses its root (no more than the cache holds). */
Test(shadow_random, cr3_switches_reuse_cached_roots)
{
	sh_init(&env, MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	env.tab_next = 0x40000;
	for (u64 i = 0; i < 4; i++)
		sh_map4k(&env, 0x1000 + i * PAGE_SIZE, 0x400000, 0x300000 + i * PAGE_SIZE, PRWU);
	for (int round = 0; round < 4; round++)
		for (u64 i = 0; i < 4; i++) {
			lm_load(0x1000 + i * PAGE_SIZE);
			sh_want(&env, 0x400000, ACC_R, SH_OK, 0x300000 + i * PAGE_SIZE);
		}
	cr_assert_eq(env.s.stats.roots_built, 4);
	cr_assert_eq(env.s.stats.roots_reused, 12);
	/* CR0.WP changes a walk's result: its own root, cached as well. */
	cr_assert_eq(sh_load(&env, CR0_PE | CR0_PG, 0x1000, CR4_PAE, LM_EFER), 0);
	lm_load(0x1000);
	cr_assert_eq(sh_load(&env, CR0_PE | CR0_PG, 0x1000, CR4_PAE, LM_EFER), 0);
	cr_assert_eq(env.s.stats.roots_built, 5);
	sh_want(&env, 0x400000, ACC_W, SH_OK, 0x300000);
}

/* A table shared by two address spaces, changed in one: the other's cached root sees it. */
Test(shadow_random, a_shared_table_changed_in_one_space_is_seen_in_the_other)
{
	struct sh_out o;
	u64 pt, pd, a = 0x1000, b = 0x2000;

	sh_init(&env, MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	env.tab_next = 0x40000;
	sh_map4k(&env, a, 0x1000, 0x180000, PRWU);
	sh_poke(&env, b, sh_peek_model(&env, a, 8), 8); /* B's PML4[0] = A's: all shared */
	pt = sh_pt_of(&env, 0x1000, 0x1000);
	pd = sh_peek_model(&env, sh_peek_model(&env, a, 8) & GENMASK(51, 12), 8) & GENMASK(51, 12);
	sh_map4k(&env, a, 0x7000, pt, PRW);
	sh_map4k(&env, a, 0x9000, pd, PRW);
	sh_map4k(&env, a, 0x200000, 0x190000, PRWU); /* a second PT under the same PD */
	u64 pt2 = sh_pt_of(&env, a, 0x200000);
	sh_poke(&env, pt2 + 8, 0x1A0000 | PRWU, 8);
	lm_load(a);
	sh_want(&env, 0x1000, ACC_R, SH_OK, 0x180000);
	lm_load(b);
	sh_want(&env, 0x1000, ACC_R, SH_OK, 0x180000);
	sh_check(&env, 0x7008, ACC_W, 0x181000 | PRWU, 8, &o);
	sh_invlpg(&env, 0x1000);
	sh_want(&env, 0x1000, ACC_R, SH_OK, 0x181000);
	lm_load(a);
	sh_want(&env, 0x1000, ACC_U | ACC_W, SH_OK, 0x181000);
	/* A PDE (not a leaf) changed in A: a CR3 reload there, a switch to B. */
	sh_check(&env, 0x9000, ACC_W, pt2 | PRWU, 8, &o);
	lm_load(a);
	sh_want(&env, 0x1000, ACC_R, SH_OK, 0x1A0000);
	lm_load(b);
	sh_want(&env, 0x1000, ACC_R, SH_OK, 0x1A0000);
	cr_assert_geq(env.s.stats.roots_reused, 2);
	sh_check_ram(&env);
}

/* PAE: a guest write to its PDPT changes nothing until the next CR3 load (SDM 4.4.1). */
Test(shadow_random, pae_pdpte_writes_wait_for_the_cr3_load)
{
	struct sh_out o;

	sh_init(&env, MiB(8), SHADOW_DEFAULT_BUDGET, 36, false, false);
	sh_poke(&env, 0x1000, 0x3000 | X86_P, 8);
	sh_poke(&env, 0x1008, 0x4000 | X86_P, 8);
	sh_poke(&env, 0x3000, 0x200000 | PRW | X86_PS, 8);
	sh_poke(&env, 0x3008, 0x5000 | PRW, 8);
	sh_poke(&env, 0x5000, 0x1000 | PRW, 8); /* va 0x200000: the PDPT's page */
	sh_poke(&env, 0x4000, 0x400000 | PRW | X86_PS, 8);
	sh_poke(&env, 0x4008, 0x5000 | PRW, 8);
	cr_assert_eq(sh_load(&env, CR0_ON, 0x1000, CR4_PAE, 0), 0);
	sh_want(&env, 0x1230, ACC_R, SH_OK, 0x201230);
	sh_want(&env, 0x40001230, ACC_R, SH_OK, 0x401230);
	sh_check(&env, 0x200000, ACC_W, 0x4000 | X86_P, 8, &o);
	sh_invlpg(&env, 0x1230);
	sh_want(&env, 0x1230, ACC_R, SH_OK, 0x201230);
	cr_assert_eq(sh_reload(&env), 0);
	sh_want(&env, 0x1230, ACC_R, SH_OK, 0x401230);
	sh_check(&env, 0x200008, ACC_W, 0, 8, &o);
	sh_want(&env, 0x40001230, ACC_R, SH_OK, 0x401230);
	cr_assert_eq(sh_reload(&env), 0);
	sh_want(&env, 0x40001230, ACC_R, SH_PF, 0);
	sh_check_ram(&env);
}

/* Two guest 2 MiB pages on the same frames, one dirty, one clean: writing the clean one sets D. */
Test(shadow_random, large_pages_over_the_same_frames_keep_their_own_dirty_bits)
{
	sh_init(&env, MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	sh_poke(&env, 0x1000, 0x2000 | PRWU, 8);
	sh_poke(&env, 0x2000, 0x3000 | PRWU, 8);
	sh_poke(&env, 0x3000, 0x400000 | PRWU | X86_PS | X86_A | X86_D, 8);
	sh_poke(&env, 0x3008, 0x400000 | PRWU | X86_PS, 8);
	lm_load(0x1000);
	sh_want(&env, 0x3000, ACC_W, SH_OK, 0x403000);
	sh_want(&env, 0x201000, ACC_R, SH_OK, 0x401000);
	sh_want(&env, 0x203008, ACC_W, SH_OK, 0x403008);
	cr_assert(sh_peek_ram(&env, 0x3008, 8) & X86_D);
}

/* The same with CR0.WP=0: a read-only dirty page written by ring 0, a writable clean one. */
Test(shadow_random, large_pages_read_only_dirty_and_writable_clean_under_cr0_wp_off)
{
	sh_init(&env, MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	sh_poke(&env, 0x1000, 0x2000 | PRWU, 8);
	sh_poke(&env, 0x2000, 0x3000 | PRWU, 8);
	sh_poke(&env, 0x3000, 0x400000 | X86_P | X86_US | X86_PS | X86_A | X86_D, 8);
	sh_poke(&env, 0x3008, 0x400000 | PRWU | X86_PS | X86_A, 8);
	cr_assert_eq(sh_load(&env, CR0_PE | CR0_PG, 0x1000, CR4_PAE, LM_EFER), 0);
	sh_want(&env, 0x3000, ACC_W, SH_OK, 0x403000);
	sh_want(&env, 0x201000, ACC_R, SH_OK, 0x401000);
	sh_want(&env, 0x203008, ACC_W, SH_OK, 0x403008);
	cr_assert(sh_peek_ram(&env, 0x3008, 8) & X86_D);
}
