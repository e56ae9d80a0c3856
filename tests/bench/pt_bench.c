/* pt_bench.c: map and unmap 1 GiB with the page-table engine, for callgrind to count. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_env.h"
#include "mm/pt.h"

/*
 * Run under valgrind --tool=callgrind --toggle-collect=bench_map (or
 * bench_unmap): only the instructions executed inside that function and its
 * callees are counted. Everything else here (fake RAM, checks) is outside.
 * noipa keeps gcc from cloning them under another name (bench_map.constprop.0),
 * which the toggle would not match.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define BENCH_FN __attribute__((noinline, noipa))
#else
#define BENCH_FN __attribute__((noinline))
#endif

#define BENCH_SIZE GiB(1)
#define BENCH_RAM_PAGES 2048 /* 8 MiB: 1 GiB of 4 KiB pages needs 515 table pages */

struct scenario {
	const char *name;
	const struct pt_format *fmt;
	u32 va_bits, levels;
	u64 va, pa; /* va is 1 GiB aligned; pa 1 GiB aligned or off by 4 KiB */
	u8 perm;    /* what the format's guest leaves need */
	u64 leaf;   /* the leaf size the engine must choose */
	u64 tables; /* table pages in use after the map, root included */
	u64 root;   /* table pages of the root alone */
};

#define NPT_PERM (PT_R | PT_W | PT_X | PT_U)
#define S2_PERM (PT_R | PT_W | PT_X)

static const struct scenario scenarios[] = {
	/* NPT: x86-64 4-level tables, 48-bit input. */
	{ "x86-4k", &pt_fmt_x86_64, 48, 4, GiB(1), GiB(2) + KiB(4), NPT_PERM, KiB(4), 515, 1 },
	{ "x86-block", &pt_fmt_x86_64, 48, 4, GiB(1), GiB(2), NPT_PERM, GiB(1), 2, 1 },
	/* Stage-2: 40-bit IPA, 3 levels, root of two concatenated tables (level 1). */
	{ "s2-4k", &pt_fmt_arm64_s2, 40, 3, GiB(1), GiB(2) + KiB(4), S2_PERM, KiB(4), 515, 2 },
	{ "s2-block", &pt_fmt_arm64_s2, 40, 3, GiB(1), GiB(2), S2_PERM, GiB(1), 2, 2 },
	/* Stage-2: 48-bit IPA, 4 levels (level 0 root), one root page. */
	{ "s2-48-4k", &pt_fmt_arm64_s2, 48, 4, GiB(1), GiB(2) + KiB(4), S2_PERM, KiB(4), 515, 1 },
	{ "s2-48-block", &pt_fmt_arm64_s2, 48, 4, GiB(1), GiB(2), S2_PERM, GiB(1), 2, 1 },
};

int bench_map(struct pt *pt, const struct scenario *s, struct pt_flush *fl);
int bench_unmap(struct pt *pt, const struct scenario *s, struct pt_flush *fl);

BENCH_FN int bench_map(struct pt *pt, const struct scenario *s, struct pt_flush *fl)
{
	struct pt_attr attr = { .perm = s->perm, .mtype = PT_MT_WB, .flags = 0 };

	return pt_map(pt, s->va, s->pa, BENCH_SIZE, attr, fl);
}

BENCH_FN int bench_unmap(struct pt *pt, const struct scenario *s, struct pt_flush *fl)
{
	int rc = pt_unmap(pt, s->va, BENCH_SIZE, fl);

	if (!rc)
		pt_flush_done(pt, fl);
	return rc;
}

/* ---------------------------------------------------------------- checks (not counted) */

struct check {
	const struct scenario *s;
	u64 next_va; /* where the next leaf must start */
	u64 leaves;
	int bad;
};

static int check_leaf(void *ctx, const struct pt_leaf *l)
{
	struct check *c = ctx;
	const struct scenario *s = c->s;

	c->leaves++;
	if (l->va != c->next_va || l->pa != s->pa + (l->va - s->va) || l->size != s->leaf ||
	    l->attr.perm != s->perm || l->attr.mtype != PT_MT_WB) {
		fprintf(stderr,
			"bench: %s: bad leaf #%llu: va 0x%llx pa 0x%llx size 0x%llx perm 0x%x "
			"mtype %u (expected va 0x%llx pa 0x%llx size 0x%llx perm 0x%x)\n",
			s->name, (unsigned long long)c->leaves, (unsigned long long)l->va,
			(unsigned long long)l->pa, (unsigned long long)l->size, l->attr.perm,
			l->attr.mtype, (unsigned long long)c->next_va,
			(unsigned long long)(s->pa + (c->next_va - s->va)),
			(unsigned long long)s->leaf, s->perm);
		c->bad = 1;
		return 1;
	}
	c->next_va += l->size;
	return 0;
}

static int fail(const struct scenario *s, const char *what, unsigned long long got,
		unsigned long long want)
{
	fprintf(stderr, "bench: %s: %s is %llu, expected %llu\n", s->name, what, got, want);
	return 1;
}

static int run(const struct scenario *s)
{
	struct palloc *pa = bench_ram_init(BENCH_RAM_PAGES);
	struct pt pt;
	struct pt_flush fl;
	struct check c = { .s = s, .next_va = s->va };
	int rc;

	rc = pt_init(&pt, s->fmt, s->va_bits, s->levels, pa, OWNER_PGTABLE);
	if (rc)
		return fail(s, "pt_init", (unsigned long long)-rc, 0);
	u64 free0 = pa->nr_free;
	if (pt.nr_tables != s->root)
		return fail(s, "root table pages", pt.nr_tables, s->root);

	pt_flush_init(&fl);
	rc = bench_map(&pt, s, &fl);
	if (rc)
		return fail(s, "pt_map error", (unsigned long long)-rc, 0);
	u64 tables = pt.nr_tables;
	/* A map into an empty tree changes no valid entry and unlinks no table. */
	if (fl.nr_changed || fl.nr_free)
		return fail(s, "entries changed by the map", fl.nr_changed + fl.nr_free, 0);
	pt_flush_done(&pt, &fl);

	pt_walk(&pt, 0, ~0ULL, check_leaf, &c);
	if (c.bad)
		return 1;
	if (c.leaves != BENCH_SIZE / s->leaf)
		return fail(s, "leaves", c.leaves, BENCH_SIZE / s->leaf);
	u64 leaves = c.leaves;
	if (tables != s->tables)
		return fail(s, "table pages after map", tables, s->tables);
	if (free0 - pa->nr_free != tables - s->root)
		return fail(s, "pages taken from the allocator", free0 - pa->nr_free,
			    tables - s->root);

	pt_flush_init(&fl);
	rc = bench_unmap(&pt, s, &fl);
	if (rc)
		return fail(s, "pt_unmap error", (unsigned long long)-rc, 0);
	c = (struct check){ .s = s, .next_va = s->va };
	pt_walk(&pt, 0, ~0ULL, check_leaf, &c);
	if (c.leaves)
		return fail(s, "leaves after unmap", c.leaves, 0);
	if (pt.nr_tables != s->root)
		return fail(s, "table pages after unmap", pt.nr_tables, s->root);
	if (pa->nr_free != free0)
		return fail(s, "free pages after unmap", pa->nr_free, free0);

	printf("scenario=%s format=%s va_bits=%u levels=%u leaf=%llu leaves=%llu tables=%llu "
	       "root=%llu\n",
	       s->name, s->fmt->name, s->va_bits, s->levels, (unsigned long long)s->leaf,
	       (unsigned long long)leaves, (unsigned long long)tables, (unsigned long long)s->root);
	pt_destroy(&pt);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--list")) {
		for (size_t i = 0; i < ARRAY_SIZE(scenarios); i++)
			printf("%s\n", scenarios[i].name);
		return 0;
	}
	for (size_t i = 0; argc == 2 && i < ARRAY_SIZE(scenarios); i++) {
		if (!strcmp(argv[1], scenarios[i].name))
			return run(&scenarios[i]);
	}
	fprintf(stderr, "usage: %s --list | SCENARIO\n", argv[0]);
	return 2;
}
