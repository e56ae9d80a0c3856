/* test_palloc.c: unit tests of the physical page allocator (mm/palloc.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "compiler.h"
#include "fake_log.h"
#include "mm/palloc.h"

#define RAM(b, l) ((struct mem_range){ .base = (b), .len = (l), .type = MEM_RAM })
#define RSV(b, l) ((struct mem_range){ .base = (b), .len = (l), .type = MEM_RESERVED })
#define EXCL(b, l) ((struct mem_range){ .base = (b), .len = (l), .type = 0 })

static void *meta_buf;

/* Set up pa over map and excl with a fresh metadata array; asserts success. */
static void setup(struct palloc *pa, const struct mem_range *map, u32 nr,
		  const struct mem_range *excl, u32 nr_excl)
{
	u64 size = palloc_meta_size(map, nr);

	free(meta_buf);
	meta_buf = calloc(1, size ? size : 1);
	cr_assert_not_null(meta_buf);
	cr_assert_eq(palloc_init(pa, map, nr, excl, nr_excl, meta_buf, size), PALLOC_OK);
	fake_log_reset();
}

static void teardown(void)
{
	free(meta_buf);
	meta_buf = NULL;
}

TestSuite(palloc, .fini = teardown, .timeout = 30);

/* The reference: may the page at addr ever be handed out? */
static bool usable(u64 addr, const struct mem_range *map, u32 nr, const struct mem_range *excl,
		   u32 nr_excl)
{
	bool ram = false;

	for (u32 i = 0; i < nr; i++) {
		if (map[i].type == MEM_RAM && addr >= map[i].base &&
		    addr + PAGE_SIZE <= map[i].base + map[i].len)
			ram = true;
	}
	for (u32 i = 0; i < nr_excl; i++) {
		if (excl[i].len && addr < excl[i].base + excl[i].len &&
		    excl[i].base < addr + PAGE_SIZE)
			return false;
	}
	return ram;
}

/* Reference count of naturally aligned runs of 2^order usable pages in [lo, hi). */
static u64 usable_runs(u32 order, u64 lo, u64 hi, const struct mem_range *map, u32 nr,
		       const struct mem_range *excl, u32 nr_excl)
{
	u64 size = PAGE_SIZE << order, runs = 0;

	for (u64 a = ALIGN_DOWN(lo, size); a + size <= hi; a += size) {
		bool ok = true;

		for (u64 p = a; p < a + size && ok; p += PAGE_SIZE)
			ok = usable(p, map, nr, excl, nr_excl);
		runs += ok;
	}
	return runs;
}

Test(palloc, meta_size)
{
	const struct mem_range one[] = { RAM(0x100000, 0x400000) };
	const struct mem_range holes[] = {
		RSV(0, 0x1000),		 RAM(0x1000, 0x9e000),	RSV(0xf0000, 0x10000),
		RAM(0x100000, 0x100000), RSV(0x200000, 0x1000), RAM(0x400000, 0x1800),
		RSV(0x10000000, 0x1000),
	};
	const struct mem_range none[] = { RSV(0, 0x100000), RAM(0x2000, 0x800) };

	cr_assert_eq(palloc_meta_size(one, 1), 0x400 * sizeof(owner_t));
	/* From page 0x1000 to page 0x401000 (the last range rounds down to one page). */
	cr_assert_eq(palloc_meta_size(holes, ARRAY_SIZE(holes)), 0x400 * sizeof(owner_t));
	cr_assert_eq(palloc_meta_size(none, ARRAY_SIZE(none)), 0);
	cr_assert_eq(palloc_meta_size(one, 0), 0);
	cr_assert_eq(palloc_meta_size(NULL, 3), 0);
}

Test(palloc, init_rejects_bad_input)
{
	const struct mem_range ok[] = { RAM(0x100000, 0x10000) };
	const struct mem_range unsorted[] = { RAM(0x200000, 0x1000), RAM(0x100000, 0x1000) };
	const struct mem_range overlap[] = { RAM(0x100000, 0x3000), RSV(0x102000, 0x1000) };
	const struct mem_range no_ram[] = { RSV(0, 0x100000), RAM(0x100800, 0x400) };
	static owner_t meta[64];
	struct palloc pa;
	hpa_t a;

	cr_assert_eq(palloc_init(&pa, ok, 1, NULL, 0, meta, 16 * sizeof(owner_t) - 1),
		     PALLOC_EINVAL);
	cr_assert_eq(palloc_init(&pa, ok, 1, NULL, 0, NULL, 0), PALLOC_EINVAL);
	cr_assert_eq(palloc_init(&pa, ok, 1, NULL, 1, meta, sizeof(meta)), PALLOC_EINVAL);
	cr_assert_eq(palloc_init(&pa, ok, 1, NULL, 0, (char *)meta + 1, 100), PALLOC_EINVAL);
	cr_assert_eq(palloc_init(&pa, unsorted, 2, NULL, 0, meta, sizeof(meta)), PALLOC_EINVAL);
	cr_assert_eq(palloc_init(&pa, overlap, 2, NULL, 0, meta, sizeof(meta)), PALLOC_EINVAL);
	cr_assert_eq(palloc_init(&pa, no_ram, 2, NULL, 0, meta, sizeof(meta)), PALLOC_EINVAL);
	cr_assert_eq(palloc_init(NULL, ok, 1, NULL, 0, meta, sizeof(meta)), PALLOC_EINVAL);
	/* A failed init leaves an empty allocator that is safe to use. */
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a), PALLOC_ENOMEM);
	cr_assert_eq(palloc_owner(&pa, hpa(0x100000)), OWNER_NONE);
	cr_assert_eq(palloc_free(&pa, hpa(0x100000), 0, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_init(&pa, ok, 1, NULL, 0, meta, 16 * sizeof(owner_t)), PALLOC_OK);
	cr_assert_eq(pa.nr_managed, 16);
}

Test(palloc, exhaustion)
{
	const struct mem_range map[] = { RAM(0x100000, MiB(4)), RSV(0x500000, 0x1000),
					 RAM(0x600000, 0x7000) };
	const u64 total = MiB(4) / PAGE_SIZE + 7;
	static hpa_t got[MiB(4) / PAGE_SIZE + 7];
	struct palloc pa;
	hpa_t a;

	setup(&pa, map, ARRAY_SIZE(map), NULL, 0);
	cr_assert_eq(pa.nr_managed, total);
	for (int round = 0; round < 2; round++) {
		u64 n = 0;

		while (palloc_alloc(&pa, 0, OWNER_GUEST(7), &a) == PALLOC_OK) {
			cr_assert_lt(n, total);
			cr_assert_eq(a.val % PAGE_SIZE, 0);
			got[n++] = a;
		}
		cr_assert_eq(n, total);
		cr_assert_eq(pa.nr_free, 0);
		cr_assert_eq(palloc_count(&pa, OWNER_GUEST(7)), total);
		cr_assert_eq(palloc_count(&pa, OWNER_FREE), 0);
		cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a), PALLOC_ENOMEM);
		for (u32 o = 1; o <= PALLOC_MAX_ORDER; o++)
			cr_assert_eq(palloc_alloc(&pa, o, OWNER_HV, &a), PALLOC_ENOMEM);
		for (u64 i = 0; i < n; i++)
			cr_assert_eq(palloc_free(&pa, got[i], 0, OWNER_GUEST(7)), PALLOC_OK);
		cr_assert_eq(pa.nr_free, total);
		cr_assert_eq(palloc_count(&pa, OWNER_FREE), total);
		cr_assert_eq(palloc_count(&pa, OWNER_GUEST(7)), 0);
	}
	cr_assert_eq(fake_log_count(LOG_WARN), 0);
}

Test(palloc, exhaustion_mixed_orders)
{
	const struct mem_range map[] = { RAM(0x3000, MiB(8) + 0x5000) };
	static struct {
		hpa_t a;
		u32 order;
	} got[4096];
	struct palloc pa;
	u64 n = 0, pages = 0;
	u32 order = 9;
	hpa_t a;

	setup(&pa, map, 1, NULL, 0);
	/* Largest runs first, then smaller ones until even one page is gone. */
	for (;;) {
		if (palloc_alloc(&pa, order, OWNER_PGTABLE, &a) == PALLOC_OK) {
			cr_assert_lt(n, ARRAY_SIZE(got));
			got[n].a = a;
			got[n++].order = order;
			pages += 1ULL << order;
			continue;
		}
		if (order-- == 0)
			break;
	}
	cr_assert_eq(pages, pa.nr_managed);
	cr_assert_eq(pa.nr_free, 0);
	cr_assert_eq(palloc_count(&pa, OWNER_PGTABLE), pages);
	for (u64 i = 0; i < n; i++)
		cr_assert_eq(palloc_free(&pa, got[i].a, got[i].order, OWNER_PGTABLE), PALLOC_OK);
	cr_assert_eq(pa.nr_free, pa.nr_managed);
	/* Everything merged back: the three aligned 2 MiB runs are there again. */
	for (u64 i = 1; i <= 3; i++) {
		cr_assert_eq(palloc_alloc(&pa, 9, OWNER_HV, &a), PALLOC_OK);
		cr_assert_eq(a.val, i * MiB(2));
	}
	cr_assert_eq(palloc_alloc(&pa, 9, OWNER_HV, &a), PALLOC_ENOMEM);
}

Test(palloc, alignment_of_every_order)
{
	/* Starts off every large alignment, so index and address alignment differ. */
	const struct mem_range map[] = { RAM(0x1234000, GiB(4)) };
	struct palloc pa;
	hpa_t a;

	setup(&pa, map, 1, NULL, 0);
	for (u32 order = 0; order <= PALLOC_MAX_ORDER; order++) {
		u64 size = PAGE_SIZE << order, before = pa.nr_free;

		cr_assert_eq(palloc_alloc(&pa, order, OWNER_GUEST(order), &a), PALLOC_OK,
			     "order %u", order);
		cr_assert_eq(a.val % size, 0, "order %u at 0x%llx", order,
			     (unsigned long long)a.val);
		cr_assert_geq(a.val, map[0].base);
		cr_assert_leq(a.val + size, map[0].base + map[0].len);
		cr_assert_eq(pa.nr_free, before - (1ULL << order));
		for (u64 p = a.val; p < a.val + size; p += PAGE_SIZE)
			cr_assert_eq(palloc_owner(&pa, hpa(p)), OWNER_GUEST(order));
		cr_assert_eq(palloc_count(&pa, OWNER_GUEST(order)), 1ULL << order);
	}
	cr_assert_eq(palloc_alloc(&pa, PALLOC_MAX_ORDER + 1, OWNER_HV, &a), PALLOC_EINVAL);
}

Test(palloc, runs_never_cross_holes_exclusions_or_non_ram)
{
	const struct mem_range map[] = {
		RAM(0x1000, 0x9e000),	 RSV(0x9f000, 0x61000),	   RAM(0x100000, 0x6f0000),
		RAM(0x7f0000, 0x210000), RSV(0xa00000, 0x5000),	   RAM(0xc03000, 0x3fd000),
		RAM(0x1000000, 0x800),	 RAM(0x2000000, 0x400000),
	};
	const struct mem_range excl[] = {
		EXCL(0x200800, 0x10),	 EXCL(0x333000, 0x2000), EXCL(0x2100000, 0x1ff001),
		EXCL(0x8000000, 0x1000), EXCL(0x2380000, 0),
	};
	const u32 nr = ARRAY_SIZE(map), nr_excl = ARRAY_SIZE(excl);
	struct palloc pa;
	hpa_t a;

	for (u32 order = 0; order <= 11; order++) {
		u64 size = PAGE_SIZE << order, runs = 0;

		setup(&pa, map, nr, excl, nr_excl);
		while (palloc_alloc(&pa, order, OWNER_HV, &a) == PALLOC_OK) {
			cr_assert_eq(a.val % size, 0);
			for (u64 p = a.val; p < a.val + size; p += PAGE_SIZE)
				cr_assert(usable(p, map, nr, excl, nr_excl),
					  "order %u run 0x%llx holds page 0x%llx", order,
					  (unsigned long long)a.val, (unsigned long long)p);
			runs++;
		}
		cr_assert_eq(runs, usable_runs(order, 0, 0x2400000, map, nr, excl, nr_excl),
			     "order %u", order);
		cr_assert_eq(pa.nr_free + (runs << order), pa.nr_managed);
	}
}

Test(palloc, double_free_detected)
{
	const struct mem_range map[] = { RAM(0x100000, MiB(1)) };
	struct palloc pa;
	hpa_t a, b;
	u64 free_before;

	setup(&pa, map, 1, NULL, 0);
	cr_assert_eq(palloc_alloc(&pa, 2, OWNER_GUEST(3), &a), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, a, 2, OWNER_GUEST(3)), PALLOC_OK);
	free_before = pa.nr_free;
	cr_assert_eq(palloc_free(&pa, a, 2, OWNER_GUEST(3)), PALLOC_EDOUBLE);
	cr_assert_eq(pa.nr_free, free_before);
	cr_assert_eq(palloc_count(&pa, OWNER_FREE), free_before);
	cr_assert_eq(fake_log_count(LOG_WARN), 1);
	cr_assert(fake_log_contains("double free of 0x100000"), "%s", fake_log_text());
	cr_assert(fake_log_contains("guest:3"), "%s", fake_log_text());

	/* Part of the run already free: refused, the rest stays allocated. */
	cr_assert_eq(palloc_alloc(&pa, 1, OWNER_GUEST(3), &b), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, hpa(b.val + PAGE_SIZE), 0, OWNER_GUEST(3)), PALLOC_OK);
	fake_log_reset();
	cr_assert_eq(palloc_free(&pa, b, 1, OWNER_GUEST(3)), PALLOC_EDOUBLE);
	cr_assert_eq(palloc_owner(&pa, b), OWNER_GUEST(3));
	cr_assert(fake_log_contains("is free)"), "%s", fake_log_text());
	cr_assert_eq(palloc_free(&pa, b, 0, OWNER_GUEST(3)), PALLOC_OK);
	cr_assert_eq(pa.nr_free, pa.nr_managed);
}

Test(palloc, wrong_owner_detected)
{
	const struct mem_range map[] = { RAM(0x200000, MiB(1)) };
	struct palloc pa;
	hpa_t a, b, c;
	char needle[64];

	setup(&pa, map, 1, NULL, 0);
	cr_assert_eq(palloc_alloc(&pa, 3, OWNER_GUEST(1), &a), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, a, 3, OWNER_GUEST(2)), PALLOC_EOWNER);
	cr_assert_eq(palloc_free(&pa, a, 3, OWNER_HV), PALLOC_EOWNER);
	cr_assert_eq(palloc_count(&pa, OWNER_GUEST(1)), 8);
	cr_assert_eq(pa.nr_free, pa.nr_managed - 8);
	snprintf(needle, sizeof(needle), "0x%llx", (unsigned long long)a.val);
	cr_assert(fake_log_contains(needle), "%s", fake_log_text());
	cr_assert(fake_log_contains("by guest:2"), "%s", fake_log_text());
	cr_assert(fake_log_contains("owned by guest:1"), "%s", fake_log_text());
	cr_assert(fake_log_contains("by hv:0"), "%s", fake_log_text());
	cr_assert_eq(fake_log_count(LOG_WARN), 2);

	/* Two pages of one aligned pair with different owners: neither can free both. */
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &b), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_PGTABLE, &c), PALLOC_OK);
	cr_assert_eq(c.val, b.val + PAGE_SIZE);
	cr_assert_eq(b.val % (2 * PAGE_SIZE), 0);
	cr_assert_eq(palloc_free(&pa, b, 1, OWNER_HV), PALLOC_EOWNER);
	cr_assert_eq(palloc_free(&pa, b, 1, OWNER_PGTABLE), PALLOC_EOWNER);
	cr_assert_eq(palloc_owner(&pa, b), OWNER_HV);
	cr_assert_eq(palloc_owner(&pa, c), OWNER_PGTABLE);
	/* Mixed free and foreign pages: the foreign owner is the one reported. */
	cr_assert_eq(palloc_free(&pa, c, 0, OWNER_PGTABLE), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, b, 1, OWNER_PGTABLE), PALLOC_EOWNER);
	cr_assert_eq(palloc_free(&pa, b, 0, OWNER_HV), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, a, 3, OWNER_GUEST(1)), PALLOC_OK);
	cr_assert_eq(pa.nr_free, pa.nr_managed);
}

Test(palloc, per_vm_owners)
{
	const struct mem_range map[] = { RAM(0x200000, MiB(1)) };
	struct palloc pa;
	hpa_t state, tdp, shadow, info, ram;
	u64 n[OWNER_KIND_COUNT];

	setup(&pa, map, 1, NULL, 0);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_VM_STATE(2), &state), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 1, OWNER_VM_TDP(2), &tdp), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 2, OWNER_VM_SHADOW(2), &shadow), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_VM_INFO(2), &info), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 3, OWNER_GUEST(2), &ram), PALLOC_OK);
	cr_assert_eq(palloc_owner(&pa, tdp), OWNER(OWNER_KIND_VM_TDP, 2));
	cr_assert_eq(palloc_count(&pa, OWNER_VM_SHADOW(2)), 4);
	cr_assert_eq(palloc_count(&pa, OWNER_VM_SHADOW(1)), 0);

	/* Another VM, another kind, or a shared kind cannot free them. */
	cr_assert_eq(palloc_free(&pa, tdp, 1, OWNER_VM_TDP(3)), PALLOC_EOWNER);
	cr_assert(fake_log_contains("by vm-tdp:3 but"), "%s", fake_log_text());
	cr_assert(fake_log_contains("owned by vm-tdp:2"), "%s", fake_log_text());
	cr_assert_eq(palloc_free(&pa, tdp, 1, OWNER_PGTABLE), PALLOC_EOWNER);
	cr_assert_eq(palloc_free(&pa, state, 0, OWNER_HV), PALLOC_EOWNER);
	cr_assert_eq(palloc_free(&pa, state, 0, OWNER_VM_SHADOW(2)), PALLOC_EOWNER);
	cr_assert_eq(palloc_free(&pa, info, 0, OWNER_GUEST(2)), PALLOC_EOWNER);
	cr_assert(fake_log_contains("owned by vm-info:2"), "%s", fake_log_text());
	cr_assert_eq(palloc_free(&pa, ram, 3, OWNER_VM_STATE(2)), PALLOC_EOWNER);
	cr_assert_eq(fake_log_count(LOG_WARN), 6);

	/* One pass gives the VM's pages by kind; other ids see none of them. */
	palloc_count_id(&pa, 2, n);
	cr_assert_eq(n[OWNER_KIND_VM_STATE], 1);
	cr_assert_eq(n[OWNER_KIND_VM_TDP], 2);
	cr_assert_eq(n[OWNER_KIND_VM_SHADOW], 4);
	cr_assert_eq(n[OWNER_KIND_VM_INFO], 1);
	cr_assert_eq(n[OWNER_KIND_GUEST], 8);
	cr_assert_eq(n[OWNER_KIND_HV] + n[OWNER_KIND_PGTABLE] + n[OWNER_KIND_FREE], 0);
	palloc_count_id(&pa, 0, n);
	cr_assert_eq(n[OWNER_KIND_FREE], pa.nr_free);
	cr_assert_eq(n[OWNER_KIND_VM_TDP] + n[OWNER_KIND_GUEST], 0);

	cr_assert_eq(palloc_free(&pa, state, 0, OWNER_VM_STATE(2)), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, tdp, 1, OWNER_VM_TDP(2)), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, shadow, 2, OWNER_VM_SHADOW(2)), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, info, 0, OWNER_VM_INFO(2)), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, ram, 3, OWNER_GUEST(2)), PALLOC_OK);
	palloc_count_id(&pa, 2, n);
	for (u32 k = 0; k < OWNER_KIND_COUNT; k++)
		cr_assert_eq(n[k], 0, "kind %s", palloc_kind_name(k));
	cr_assert_eq(pa.nr_free, pa.nr_managed);
}

Test(palloc, kind_names)
{
	for (u32 k = 0; k < OWNER_KIND_COUNT; k++) {
		cr_assert_str_neq(palloc_kind_name(k), "kind?", "kind %u has no name", k);
		for (u32 j = 0; j < k; j++)
			cr_assert_str_neq(palloc_kind_name(k), palloc_kind_name(j));
	}
	cr_assert_str_eq(palloc_kind_name(OWNER_KIND_VM_SHADOW), "vm-shadow");
	cr_assert_str_eq(palloc_kind_name(OWNER_KIND_COUNT), "kind?");
	cr_assert_str_eq(palloc_kind_name(0xff), "kind?");
}

Test(palloc, invalid_requests)
{
	const struct mem_range map[] = { RAM(0x100000, 0x10000), RSV(0x110000, 0x10000),
					 RAM(0x120000, 0x10000) };
	const struct mem_range excl[] = { EXCL(0x104000, 0x1000) };
	struct palloc pa;
	hpa_t a;

	setup(&pa, map, ARRAY_SIZE(map), excl, 1);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_FREE, &a), PALLOC_EINVAL);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_NONE, &a), PALLOC_EINVAL);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER(OWNER_KIND_FREE, 5), &a), PALLOC_EINVAL);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, NULL), PALLOC_EINVAL);
	cr_assert_eq(palloc_alloc(&pa, 40, OWNER_HV, &a), PALLOC_EINVAL);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a), PALLOC_OK);
	cr_assert_eq(a.val, 0x100000);

	cr_assert_eq(palloc_free(&pa, hpa(0x100800), 0, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, hpa(0x101000), 1, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, hpa(0xff000), 0, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, hpa(0x130000), 0, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, hpa(0x112000), 0, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, hpa(0x104000), 0, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, hpa(0x100000), 20, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, hpa(0x100000), 5, OWNER_HV), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, a, 0, OWNER_FREE), PALLOC_EINVAL);
	cr_assert_eq(palloc_free(&pa, a, 0, OWNER_NONE), PALLOC_EINVAL);
	cr_assert_eq(palloc_owner(&pa, a), OWNER_HV);
	cr_assert_eq(palloc_owner(&pa, hpa(0x104000)), OWNER_NONE);
	cr_assert(fake_log_contains("not a managed run"), "%s", fake_log_text());
	cr_assert_eq(palloc_free(&pa, a, 0, OWNER_HV), PALLOC_OK);
	cr_assert_eq(pa.nr_free, pa.nr_managed);
}

Test(palloc, ownership_queries)
{
	const struct mem_range map[] = { RSV(0, 0x1000), RAM(0x1000, 0x7000), RSV(0x8000, 0x8000),
					 RAM(0x10000, 0x10000) };
	const struct mem_range excl[] = { EXCL(0x12000, 0x1000) };
	struct palloc pa;
	hpa_t a, b, c;

	setup(&pa, map, ARRAY_SIZE(map), excl, 1);
	cr_assert_eq(pa.base, 0x1000);
	cr_assert_eq(pa.nr_managed, 7 + 16 - 1);
	cr_assert_eq(palloc_owner(&pa, hpa(0)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x1000)), OWNER_FREE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x9000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x12fff)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x20000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(~0ULL)), OWNER_NONE);

	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_GUEST(9), &a), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 2, OWNER_PGTABLE, &b), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 3, OWNER_GUEST(OWNER_ID_MASK >> 0), &c), PALLOC_OK);
	cr_assert_eq(a.val, 0x1000);
	cr_assert_eq(b.val, 0x4000);
	cr_assert_eq(c.val, 0x18000);
	cr_assert_eq(palloc_owner(&pa, hpa(a.val + 0xabc)), OWNER_GUEST(9));
	cr_assert_eq(palloc_owner(&pa, hpa(b.val + 3 * PAGE_SIZE)), OWNER_PGTABLE);
	cr_assert_eq(OWNER_KIND(palloc_owner(&pa, c)), OWNER_KIND_GUEST);
	cr_assert_eq(OWNER_ID(palloc_owner(&pa, c)), 0xffffff);
	cr_assert_eq(palloc_count(&pa, OWNER_GUEST(9)), 1);
	cr_assert_eq(palloc_count(&pa, OWNER_GUEST(8)), 0);
	cr_assert_eq(palloc_count(&pa, OWNER_PGTABLE), 4);
	cr_assert_eq(palloc_count(&pa, OWNER_FREE), pa.nr_managed - 13);
	cr_assert_eq(pa.nr_free, pa.nr_managed - 13);
	/* The window runs from 0x1000 to 0x20000: 31 pages, 9 of them unmanaged. */
	cr_assert_eq(palloc_count(&pa, OWNER_NONE), 9);
}

Test(palloc, exclusions)
{
	const struct mem_range map[] = { RAM(0x100000, 0x100000) };
	const struct mem_range excl[] = {
		EXCL(0x100000, 0x1000),	      /* first page exactly */
		EXCL(0x150fff, 0x2),	      /* two bytes over a page boundary: two pages */
		EXCL(0x1ff800, 0x10000),      /* past the end of RAM */
		EXCL(0x180000, 0),	      /* empty: nothing */
		EXCL(0x40000000, 0x1000),     /* outside RAM entirely */
		EXCL(0x0, 0x101001),	      /* overlaps the start: one more page */
		EXCL(~0ULL - 0x800, 0x10000), /* wraps the address space */
	};
	struct palloc pa;
	hpa_t a;
	u64 n = 0;

	setup(&pa, map, 1, excl, ARRAY_SIZE(excl));
	cr_assert_eq(pa.nr_managed, 256 - 2 - 2 - 1);
	cr_assert_eq(palloc_owner(&pa, hpa(0x100000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x101000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x102000)), OWNER_FREE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x150000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x151000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x152000)), OWNER_FREE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x180000)), OWNER_FREE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x1ff000)), OWNER_NONE);
	while (palloc_alloc(&pa, 0, OWNER_HV, &a) == PALLOC_OK) {
		cr_assert(usable(a.val, map, 1, excl, ARRAY_SIZE(excl)), "0x%llx",
			  (unsigned long long)a.val);
		n++;
	}
	cr_assert_eq(n, pa.nr_managed);

	/* Excluding everything leaves nothing to hand out. */
	const struct mem_range all[] = { EXCL(0, ~0ULL) };
	setup(&pa, map, 1, all, 1);
	cr_assert_eq(pa.nr_managed, 0);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a), PALLOC_ENOMEM);
}

Test(palloc, ram_not_page_aligned)
{
	const struct mem_range map[] = {
		RAM(0x1800, 0x3000), /* pages 0x2000 and 0x3000 */
		RAM(0x5100, 0xe00),  /* no whole page */
		RAM(0x6001, 0x1fff), /* page 0x7000 only */
		RAM(0x9000, 0xfff),  /* no whole page */
		RAM(0xa000, 0x1001), /* page 0xa000 */
	};
	struct palloc pa;
	hpa_t a;

	cr_assert_eq(palloc_meta_size(map, ARRAY_SIZE(map)), 9 * sizeof(owner_t));
	setup(&pa, map, ARRAY_SIZE(map), NULL, 0);
	cr_assert_eq(pa.base, 0x2000);
	cr_assert_eq(pa.nr_managed, 4);
	cr_assert_eq(palloc_owner(&pa, hpa(0x1000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x5000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x6000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0x9000)), OWNER_NONE);
	cr_assert_eq(palloc_owner(&pa, hpa(0xb000)), OWNER_NONE);
	cr_assert_eq(palloc_alloc(&pa, 1, OWNER_HV, &a), PALLOC_OK);
	cr_assert_eq(a.val, 0x2000);
	cr_assert_eq(palloc_alloc(&pa, 1, OWNER_HV, &a), PALLOC_ENOMEM);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a), PALLOC_OK);
	cr_assert_eq(a.val, 0x7000);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a), PALLOC_OK);
	cr_assert_eq(a.val, 0xa000);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a), PALLOC_ENOMEM);
}

Test(palloc, ram_at_top_of_address_space)
{
	const struct mem_range map[] = { RAM(~0ULL - 0x4fff, 0x5000) };
	struct palloc pa;
	hpa_t a;

	const struct mem_range excl[] = { EXCL(~0ULL, 1) };

	/* The range ends exactly at 2^64: its last page counts. */
	setup(&pa, map, 1, NULL, 0);
	cr_assert_eq(pa.nr_managed, 5);
	cr_assert_eq(palloc_alloc(&pa, 2, OWNER_HV, &a), PALLOC_OK);
	cr_assert_eq(a.val, ~0ULL - 0x3fff);
	cr_assert_eq(palloc_owner(&pa, hpa(~0ULL)), OWNER_HV);
	cr_assert_eq(palloc_free(&pa, a, 2, OWNER_HV), PALLOC_OK);
	/* An exclusion of the very last byte takes the last page. */
	setup(&pa, map, 1, excl, 1);
	cr_assert_eq(pa.nr_managed, 4);
	cr_assert_eq(palloc_alloc(&pa, 2, OWNER_HV, &a), PALLOC_ENOMEM);
	cr_assert_eq(palloc_alloc(&pa, 1, OWNER_HV, &a), PALLOC_OK);
	cr_assert_eq(a.val, ~0ULL - 0x3fff);
}

Test(palloc, many_ram_ranges)
{
	static struct mem_range map[BOOT_MAX_MEM_RANGES];
	static hpa_t got[100000];
	struct palloc pa;
	u64 expect = 0, base = 0x1000, n = 0;
	hpa_t a;

	for (u32 i = 0; i < ARRAY_SIZE(map); i++) {
		u64 len = (i % 2) ? 0x1000 * (i % 7 + 1)
				  : 0x1000 * (i * 13 % 97 + 1) + (i % 3) * 0x10;

		map[i] = (struct mem_range){ base, len, (i % 2) ? MEM_RESERVED : MEM_RAM };
		if (!(i % 2))
			expect += len / PAGE_SIZE;
		base += len + ((i % 5 == 0) ? 0x3000 : 0);
		base = ALIGN_UP(base, PAGE_SIZE);
	}
	setup(&pa, map, ARRAY_SIZE(map), NULL, 0);
	cr_assert_eq(pa.nr_managed, expect);
	while (palloc_alloc(&pa, 0, OWNER_GUEST(1), &a) == PALLOC_OK) {
		cr_assert(usable(a.val, map, ARRAY_SIZE(map), NULL, 0));
		cr_assert_lt(n, ARRAY_SIZE(got));
		got[n++] = a;
	}
	cr_assert_eq(n, expect);
	for (u64 i = 0; i < n; i += 2)
		cr_assert_eq(palloc_free(&pa, got[i], 0, OWNER_GUEST(1)), PALLOC_OK);
	cr_assert_eq(pa.nr_free, (n + 1) / 2);
	cr_assert_eq(palloc_count(&pa, OWNER_FREE), (n + 1) / 2);
	cr_assert_eq(palloc_count(&pa, OWNER_GUEST(1)), n / 2);
	/* Nothing two pages wide is left once every other page is taken. */
	cr_assert_eq(palloc_alloc(&pa, 1, OWNER_HV, &a), PALLOC_ENOMEM);
}

Test(palloc, hint_reuses_lowest_free_page)
{
	const struct mem_range map[] = { RAM(0x100000, 0x20000) };
	struct palloc pa;
	hpa_t a[8], b;

	setup(&pa, map, 1, NULL, 0);
	for (int i = 0; i < 8; i++) {
		cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a[i]), PALLOC_OK);
		cr_assert_eq(a[i].val, 0x100000 + (u64)i * PAGE_SIZE);
	}
	cr_assert_eq(palloc_free(&pa, a[5], 0, OWNER_HV), PALLOC_OK);
	cr_assert_eq(palloc_free(&pa, a[2], 0, OWNER_HV), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &b), PALLOC_OK);
	cr_assert_eq(b.val, a[2].val);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &b), PALLOC_OK);
	cr_assert_eq(b.val, a[5].val);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &b), PALLOC_OK);
	cr_assert_eq(b.val, 0x108000);
	/* A larger run skips the odd free page before it, which stays available. */
	cr_assert_eq(palloc_free(&pa, a[1], 0, OWNER_HV), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 2, OWNER_HV, &b), PALLOC_OK);
	cr_assert_eq(b.val, 0x10c000);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &b), PALLOC_OK);
	cr_assert_eq(b.val, a[1].val);
}

Test(palloc, large_memory_is_fast)
{
	/* 4 GiB of pages, one by one: linear work overall, not quadratic. */
	const struct mem_range map[] = { RAM(0, GiB(4)) };
	struct palloc pa;
	u64 n = 0;
	hpa_t a;

	setup(&pa, map, 1, NULL, 0);
	while (palloc_alloc(&pa, 0, OWNER_HV, &a) == PALLOC_OK)
		n++;
	cr_assert_eq(n, GiB(4) / PAGE_SIZE);
	cr_assert_eq(palloc_free(&pa, hpa(GiB(3)), 0, OWNER_HV), PALLOC_OK);
	cr_assert_eq(palloc_alloc(&pa, 0, OWNER_HV, &a), PALLOC_OK);
	cr_assert_eq(a.val, GiB(3));
}

/* Deterministic pseudo-random numbers for the model test. */
static u64 rng_state = 0x9e3779b97f4a7c15ULL;
static u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The per-VM kinds, for VMs 0..MODEL_VMS-1. */
#define MODEL_VMS 4
static const u32 vm_kinds[] = { OWNER_KIND_GUEST, OWNER_KIND_VM_STATE, OWNER_KIND_VM_TDP,
				OWNER_KIND_VM_SHADOW, OWNER_KIND_VM_INFO };

static owner_t random_vm_owner(void)
{
	u32 kind = vm_kinds[rng() % ARRAY_SIZE(vm_kinds)];

	return OWNER(kind, (u32)(rng() % MODEL_VMS));
}

struct live_run {
	hpa_t a;
	u32 order;
	owner_t owner;
};

/* palloc_count_id against the pages the model holds for id, kind by kind. */
static void check_count_id(const struct palloc *pa, u32 id, const struct live_run *live,
			   u32 nr_live)
{
	u64 want[OWNER_KIND_COUNT] = { 0 }, got[OWNER_KIND_COUNT];

	for (u32 i = 0; i < nr_live; i++) {
		if (OWNER_ID(live[i].owner) == id)
			want[OWNER_KIND(live[i].owner)] += 1ULL << live[i].order;
	}
	palloc_count_id(pa, id, got);
	for (u32 k = 0; k < OWNER_KIND_COUNT; k++) {
		if (id == 0 && (k == OWNER_KIND_FREE || k == OWNER_KIND_NONE))
			continue; /* the pool and the unmanaged pages carry id 0 too */
		cr_assert_eq(got[k], want[k], "vm %u kind %s: %llu pages, model %llu", id,
			     palloc_kind_name(k), (unsigned long long)got[k],
			     (unsigned long long)want[k]);
		cr_assert_eq(got[k], palloc_count(pa, OWNER(k, id)));
	}
}

Test(palloc, random_against_model)
{
	const struct mem_range map[] = { RAM(0x2000, 0x3e000), RSV(0x40000, 0x4000),
					 RAM(0x44000, 0xbc000), RAM(0x100000, 0x100000) };
	const struct mem_range excl[] = { EXCL(0x120000, 0x9000) };
	enum { MAX_LIVE = 256 };
	struct live_run live[MAX_LIVE];
	u32 nr_live = 0;
	struct palloc pa;

	setup(&pa, map, ARRAY_SIZE(map), excl, 1);
	for (int step = 0; step < 20000; step++) {
		if (nr_live < MAX_LIVE && rng() % 3) {
			u32 order = (u32)(rng() % 6);
			owner_t owner = random_vm_owner();

			if (palloc_alloc(&pa, order, owner, &live[nr_live].a) != PALLOC_OK)
				continue;
			live[nr_live].order = order;
			live[nr_live++].owner = owner;
		} else if (nr_live) {
			u32 i = (u32)(rng() % nr_live);

			cr_assert_eq(palloc_free(&pa, live[i].a, live[i].order, live[i].owner),
				     PALLOC_OK);
			live[i] = live[--nr_live];
		}
		if (step % 512)
			continue;
		u64 held = 0;
		for (u32 i = 0; i < nr_live; i++) {
			u64 size = PAGE_SIZE << live[i].order;

			cr_assert_eq(live[i].a.val % size, 0);
			for (u64 p = live[i].a.val; p < live[i].a.val + size; p += PAGE_SIZE) {
				cr_assert(usable(p, map, ARRAY_SIZE(map), excl, 1));
				cr_assert_eq(palloc_owner(&pa, hpa(p)), live[i].owner);
			}
			held += 1ULL << live[i].order;
		}
		cr_assert_eq(pa.nr_free + held, pa.nr_managed);
		cr_assert_eq(palloc_count(&pa, OWNER_FREE), pa.nr_free);
		for (u32 id = 0; id < MODEL_VMS; id++)
			check_count_id(&pa, id, live, nr_live);
	}
	cr_assert_eq(fake_log_count(LOG_WARN), 0);
}
