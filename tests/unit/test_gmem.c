/* test_gmem.c: unit tests of guest RAM allocation and its bounds-checked accessors (mm/gmem.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "err.h"
#include "fake_log.h"
#include "fake_ram.h"
#include "mm/gmem.h"
#include "mm/phys.h"

#define GUEST_OWNER OWNER_GUEST(1)
#define FAKE_PAGES 2048 /* 8 MiB of fake host RAM */

static struct palloc *pa;
static struct gmem m;

static void setup(void)
{
	pa = fake_ram_init(FAKE_PAGES);
	fake_log_reset();
}

static void teardown(void)
{
	gmem_free(&m);
	fake_ram_fini();
}

TestSuite(gmem, .init = setup, .fini = teardown, .timeout = 30);

/* The invariants every allocation keeps: chunks in order from base,
 * contiguous in guest-physical space, power-of-two sizes aligned on both
 * sides, sizes not growing, and exactly size / 4 KiB pages owned by the guest. */
static void check_layout(const struct gmem *g, u64 size)
{
	u64 at = g->base;

	cr_assert_eq(g->size, size);
	cr_assert(g->nr >= 1 && g->nr <= GMEM_MAX_CHUNKS);
	for (u32 i = 0; i < g->nr; i++) {
		const struct gmem_chunk *c = &g->chunk[i];

		cr_assert_eq(c->gpa, at, "chunk %u at 0x%llx", i, (unsigned long long)c->gpa);
		cr_assert(c->size >= PAGE_SIZE && (c->size & (c->size - 1)) == 0);
		cr_assert(IS_ALIGNED(c->gpa, c->size), "chunk %u gpa not aligned to its size", i);
		cr_assert(IS_ALIGNED(c->hpa.val, c->size), "chunk %u hpa not aligned", i);
		if (i)
			cr_assert(c->size <= g->chunk[i - 1].size, "chunk %u grew", i);
		for (u64 p = 0; p < c->size; p += PAGE_SIZE)
			cr_assert_eq(palloc_owner(pa, hpa(c->hpa.val + p)), GUEST_OWNER);
		at += c->size;
	}
	cr_assert_eq(at, g->base + size);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), size / PAGE_SIZE);
}

static void check_zero(const struct gmem *g)
{
	static u8 buf[64 * 1024];

	for (u64 at = 0; at < g->size; at += sizeof(buf)) {
		u64 n = MIN((u64)sizeof(buf), g->size - at);

		memset(buf, 0x5A, sizeof(buf));
		cr_assert_eq(gmem_read(g, gpa(g->base + at), buf, n), 0);
		for (u64 i = 0; i < n; i++)
			cr_assert_eq(buf[i], 0, "byte 0x%llx not zeroed",
				     (unsigned long long)(g->base + at + i));
	}
}

Test(gmem, one_page)
{
	cr_assert_eq(gmem_alloc(&m, pa, PAGE_SIZE, GUEST_OWNER), 0);
	check_layout(&m, PAGE_SIZE);
	cr_assert_eq(m.nr, 1);
	check_zero(&m);
}

Test(gmem, sizes_take_the_fewest_chunks)
{
	static const struct {
		u64 size;
		u32 nr;
	} cases[] = {
		{ KiB(8), 1 },		{ KiB(12), 2 }, { MiB(1), 1 },
		{ MiB(3) + KiB(4), 3 }, { MiB(4), 1 },	{ MiB(7) + KiB(28), 6 },
		{ MiB(2) - KiB(4), 9 }, { MiB(8), 1 },
	};

	for (u32 i = 0; i < ARRAY_SIZE(cases); i++) {
		cr_assert_eq(gmem_alloc(&m, pa, cases[i].size, GUEST_OWNER), 0, "case %u", i);
		check_layout(&m, cases[i].size);
		cr_assert_eq(m.nr, cases[i].nr, "case %u: %u chunks", i, m.nr);
		check_zero(&m);
		gmem_free(&m);
		cr_assert_eq(palloc_count(pa, GUEST_OWNER), 0);
		cr_assert_eq(pa->nr_free, FAKE_PAGES);
	}
}

Test(gmem, bad_sizes_are_refused)
{
	cr_assert_eq(gmem_alloc(&m, pa, 0, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(gmem_alloc(&m, pa, PAGE_SIZE + 1, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(gmem_alloc(&m, pa, 100, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(gmem_alloc(&m, pa, GMEM_MAX_SIZE + PAGE_SIZE, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(gmem_alloc(&m, NULL, PAGE_SIZE, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(gmem_alloc(NULL, pa, PAGE_SIZE, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(m.size, 0);
	cr_assert_eq(pa->nr_free, FAKE_PAGES);
}

Test(gmem, out_of_memory_frees_everything)
{
	cr_assert(fake_ram_squeeze(pa, 10));
	cr_assert_eq(gmem_alloc(&m, pa, 16 * PAGE_SIZE, GUEST_OWNER), -ERR_NOMEM);
	cr_assert_eq(m.nr, 0);
	cr_assert_eq(m.size, 0);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), 0);
	cr_assert_eq(pa->nr_free, 10);
	cr_assert_eq(gmem_alloc(&m, pa, 10 * PAGE_SIZE, GUEST_OWNER), 0);
	check_layout(&m, 10 * PAGE_SIZE);
	cr_assert_eq(m.nr, 2); /* 8 + 2 pages: the squeeze left the top 10 pages */
	fake_ram_unsqueeze(pa);
}

Test(gmem, more_than_the_whole_ram)
{
	cr_assert_eq(gmem_alloc(&m, pa, (FAKE_PAGES + 1) * PAGE_SIZE, GUEST_OWNER), -ERR_NOMEM);
	cr_assert_eq(pa->nr_free, FAKE_PAGES);
	cr_assert_eq(gmem_alloc(&m, pa, FAKE_PAGES * PAGE_SIZE, GUEST_OWNER), 0);
	check_layout(&m, FAKE_PAGES * PAGE_SIZE);
	cr_assert_eq(m.nr, 1);
}

/* Fill RAM with runs of 2^order pages held by OWNER_HV and free every other
 * one: the free runs cannot merge, so nothing larger than 2^order is free. */
static hpa_t held[FAKE_PAGES];
static u32 nr_held;

static void fragment(u32 order)
{
	u32 runs = FAKE_PAGES >> order;

	for (u32 i = 0; i < runs; i++)
		cr_assert_eq(palloc_alloc(pa, order, OWNER_HV, &held[i]), PALLOC_OK);
	nr_held = 0;
	for (u32 i = 0; i < runs; i++) {
		if (i % 2)
			held[nr_held++] = held[i];
		else
			cr_assert_eq(palloc_free(pa, held[i], order, OWNER_HV), PALLOC_OK);
	}
}

static void unfragment(u32 order)
{
	while (nr_held)
		cr_assert_eq(palloc_free(pa, held[--nr_held], order, OWNER_HV), PALLOC_OK);
}

Test(gmem, fragmented_memory_gives_smaller_chunks)
{
	fragment(4); /* free: 64 runs of 64 KiB, every other one */
	cr_assert_eq(gmem_alloc(&m, pa, MiB(1), GUEST_OWNER), 0);
	check_layout(&m, MiB(1));
	cr_assert_eq(m.nr, 16);
	for (u32 i = 0; i < m.nr; i++)
		cr_assert_eq(m.chunk[i].size, KiB(64));
	check_zero(&m);
	gmem_free(&m);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), 0);
	unfragment(4);
	cr_assert_eq(pa->nr_free, FAKE_PAGES);
}

Test(gmem, fragmented_past_the_chunk_limit)
{
	u64 before;

	fragment(0); /* free: single pages only */
	before = pa->nr_free;
	cr_assert_eq(gmem_alloc(&m, pa, GMEM_MAX_CHUNKS * PAGE_SIZE, GUEST_OWNER), 0);
	check_layout(&m, GMEM_MAX_CHUNKS * PAGE_SIZE);
	gmem_free(&m);
	cr_assert_eq(gmem_alloc(&m, pa, (GMEM_MAX_CHUNKS + 1) * PAGE_SIZE, GUEST_OWNER),
		     -ERR_NOMEM);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), 0);
	cr_assert_eq(pa->nr_free, before);
	unfragment(0);
}

Test(gmem, partly_fragmented_falls_back_in_order)
{
	/* Hold the first page of every 2 MiB: 1 MiB runs stay free, 2 MiB ones do not. */
	nr_held = 0;
	for (u32 i = 0; i < FAKE_PAGES; i++)
		cr_assert_eq(palloc_alloc(pa, 0, OWNER_HV, &held[i]), PALLOC_OK);
	for (u32 i = 0; i < FAKE_PAGES; i++) {
		if (i % 512)
			cr_assert_eq(palloc_free(pa, held[i], 0, OWNER_HV), PALLOC_OK);
		else
			held[nr_held++] = held[i];
	}
	cr_assert_eq(gmem_alloc(&m, pa, MiB(3) + KiB(512), GUEST_OWNER), 0);
	check_layout(&m, MiB(3) + KiB(512));
	cr_assert_eq(m.nr, 4); /* 1 MiB x 3, then 512 KiB */
	cr_assert_eq(m.chunk[0].size, MiB(1));
	cr_assert_eq(m.chunk[3].size, KiB(512));
	gmem_free(&m);
	unfragment(0);
	cr_assert_eq(pa->nr_free, FAKE_PAGES);
}

Test(gmem, translate_bounds)
{
	hpa_t h;
	u64 contig;

	cr_assert_eq(gmem_alloc(&m, pa, MiB(1) + KiB(8), GUEST_OWNER), 0);
	cr_assert(gmem_translate(&m, gpa(0), &h, &contig));
	cr_assert_eq(h.val, m.chunk[0].hpa.val);
	cr_assert_eq(contig, MiB(1));
	cr_assert(gmem_translate(&m, gpa(MiB(1) - 1), &h, &contig));
	cr_assert_eq(contig, 1);
	cr_assert(gmem_translate(&m, gpa(MiB(1)), &h, &contig));
	cr_assert_eq(h.val, m.chunk[1].hpa.val);
	cr_assert_eq(contig, KiB(8));
	cr_assert(gmem_translate(&m, gpa(m.size - 1), &h, &contig));
	cr_assert_eq(h.val, m.chunk[1].hpa.val + KiB(8) - 1);
	cr_assert_eq(contig, 1);
	cr_assert(gmem_translate(&m, gpa(12345), NULL, NULL));
	cr_assert_not(gmem_translate(&m, gpa(m.size), &h, &contig));
	cr_assert_not(gmem_translate(&m, gpa(~0ULL), &h, &contig));
	cr_assert_not(gmem_translate(NULL, gpa(0), &h, &contig));
}

Test(gmem, translate_every_page_of_many_chunks)
{
	fragment(2);
	cr_assert_eq(gmem_alloc(&m, pa, KiB(16) * 40, GUEST_OWNER), 0);
	cr_assert_eq(m.nr, 40);
	for (u64 at = 0; at < m.size; at += PAGE_SIZE) {
		const struct gmem_chunk *c = &m.chunk[at / KiB(16)];
		hpa_t h;
		u64 contig;

		cr_assert(gmem_translate(&m, gpa(at + 7), &h, &contig));
		cr_assert_eq(h.val, c->hpa.val + (at - c->gpa) + 7);
		cr_assert_eq(contig, c->gpa + c->size - at - 7);
	}
	gmem_free(&m);
	unfragment(2);
}

Test(gmem, ptr_bounds)
{
	cr_assert_eq(gmem_alloc(&m, pa, MiB(1) + KiB(8), GUEST_OWNER), 0);
	cr_assert_eq(gmem_ptr(&m, gpa(0), MiB(1)), phys_to_virt(m.chunk[0].hpa));
	cr_assert_null(gmem_ptr(&m, gpa(0), MiB(1) + 1)); /* crosses into chunk 1 */
	cr_assert_null(gmem_ptr(&m, gpa(MiB(1) - 4), 8));
	cr_assert_eq(gmem_ptr(&m, gpa(m.size - 1), 1),
		     (u8 *)phys_to_virt(m.chunk[1].hpa) + KiB(8) - 1);
	cr_assert_not_null(gmem_ptr(&m, gpa(m.size - 1), 0));
	cr_assert_null(gmem_ptr(&m, gpa(m.size - 1), 2));
	cr_assert_null(gmem_ptr(&m, gpa(m.size), 0));
	cr_assert_null(gmem_ptr(&m, gpa(m.size), 1));
	cr_assert_null(gmem_ptr(&m, gpa(~0ULL), 1));
	cr_assert_null(gmem_ptr(&m, gpa(16), ~0ULL));
}

Test(gmem, read_write_across_chunks)
{
	static u8 src[KiB(200)], dst[KiB(200)];
	u64 at = KiB(64) - 100; /* starts near the end of chunk 0 */

	fragment(4);
	cr_assert_eq(gmem_alloc(&m, pa, KiB(512), GUEST_OWNER), 0);
	cr_assert_eq(m.nr, 8);
	for (u32 i = 0; i < sizeof(src); i++)
		src[i] = (u8)(i * 7 + i / 251);
	cr_assert_eq(gmem_write(&m, gpa(at), src, sizeof(src)), 0);
	cr_assert_eq(gmem_read(&m, gpa(at), dst, sizeof(dst)), 0);
	cr_assert_arr_eq(dst, src, sizeof(src));
	/* Each byte sits in its own chunk's host memory. */
	for (u32 i = 0; i < sizeof(src); i += 997) {
		u64 g = at + i;
		const struct gmem_chunk *c = &m.chunk[g / KiB(64)];
		const u8 *host = phys_to_virt(hpa(c->hpa.val + (g - c->gpa)));

		cr_assert_eq(*host, src[i], "byte %u", i);
	}
	/* Bytes around the written range stay zero. */
	cr_assert_eq(gmem_read(&m, gpa(at - 1), dst, 1), 0);
	cr_assert_eq(dst[0], 0);
	cr_assert_eq(gmem_read(&m, gpa(at + sizeof(src)), dst, 1), 0);
	cr_assert_eq(dst[0], 0);
	gmem_free(&m);
	unfragment(4);
}

Test(gmem, read_write_bounds)
{
	u8 buf[16], pat[16];

	memset(pat, 0x3C, sizeof(pat));
	cr_assert_eq(gmem_alloc(&m, pa, KiB(64), GUEST_OWNER), 0);
	/* The last byte, the last 16 bytes, and nothing at the very end. */
	cr_assert_eq(gmem_write(&m, gpa(m.size - 1), pat, 1), 0);
	cr_assert_eq(gmem_write(&m, gpa(m.size - 16), pat, 16), 0);
	cr_assert_eq(gmem_read(&m, gpa(m.size - 16), buf, 16), 0);
	cr_assert_arr_eq(buf, pat, 16);
	cr_assert_eq(gmem_read(&m, gpa(m.size), buf, 0), 0);
	cr_assert_eq(gmem_write(&m, gpa(m.size), pat, 0), 0);
	/* One past the end, partly outside, far outside, wrapping. */
	memset(buf, 0x11, sizeof(buf));
	cr_assert_eq(gmem_read(&m, gpa(m.size), buf, 1), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(m.size - 8), buf, 16), -ERR_RANGE);
	for (u32 i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0x11, "a refused read copied byte %u", i);
	cr_assert_eq(gmem_write(&m, gpa(m.size - 8), pat, 16), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(m.size + 1), buf, 0), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(~0ULL), buf, 2), -ERR_RANGE);
	cr_assert_eq(gmem_write(&m, gpa(~0ULL - 3), pat, 8), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(8), buf, ~0ULL - 4), -ERR_RANGE);
	cr_assert_eq(gmem_write(&m, gpa(GiB(4)), pat, 1), -ERR_RANGE);
	cr_assert_eq(gmem_read(NULL, gpa(0), buf, 1), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(0), NULL, 1), -ERR_RANGE);
	/* A refused write changed nothing. */
	cr_assert_eq(gmem_read(&m, gpa(m.size - 24), buf, 8), 0);
	for (u32 i = 0; i < 8; i++)
		cr_assert_eq(buf[i], 0);
}

Test(gmem, free_returns_every_page)
{
	cr_assert_eq(gmem_alloc(&m, pa, MiB(5) + KiB(20), GUEST_OWNER), 0);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), (MiB(5) + KiB(20)) / PAGE_SIZE);
	gmem_free(&m);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), 0);
	cr_assert_eq(pa->nr_free, FAKE_PAGES);
	cr_assert_eq(m.size, 0);
	cr_assert_eq(m.nr, 0);
	gmem_free(&m); /* twice is harmless */
	gmem_free(NULL);
	cr_assert_eq(fake_log_count(LOG_ERROR) + fake_log_count(LOG_WARN), 0);
	cr_assert_eq(pa->nr_free, FAKE_PAGES);
}

Test(gmem, two_guests_keep_their_pages_apart)
{
	struct gmem other;

	cr_assert_eq(gmem_alloc(&m, pa, MiB(2), GUEST_OWNER), 0);
	cr_assert_eq(gmem_alloc(&other, pa, MiB(2), OWNER_GUEST(2)), 0);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), MiB(2) / PAGE_SIZE);
	cr_assert_eq(palloc_count(pa, OWNER_GUEST(2)), MiB(2) / PAGE_SIZE);
	cr_assert_neq(m.chunk[0].hpa.val, other.chunk[0].hpa.val);
	gmem_free(&other);
	cr_assert_eq(palloc_count(pa, OWNER_GUEST(2)), 0);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), MiB(2) / PAGE_SIZE);
}

/* ------------------------------------------------------------ RAM at a base */

#define A64_BASE 0x40000000ULL

Test(gmem, alloc_at_a_base)
{
	cr_assert_eq(gmem_alloc_at(&m, pa, A64_BASE, MiB(3) + KiB(4), GUEST_OWNER), 0);
	cr_assert_eq(m.base, A64_BASE);
	check_layout(&m, MiB(3) + KiB(4));
	cr_assert_eq(m.nr, 3);
	cr_assert_eq(m.chunk[0].gpa, A64_BASE);
	cr_assert_eq(m.chunk[1].gpa, A64_BASE + MiB(2));
	cr_assert_eq(m.chunk[2].gpa, A64_BASE + MiB(3));
	check_zero(&m);
	gmem_free(&m);
	cr_assert_eq(m.base, 0);
	cr_assert_eq(pa->nr_free, FAKE_PAGES);
	/* Base 0 through gmem_alloc_at is gmem_alloc. */
	cr_assert_eq(gmem_alloc_at(&m, pa, 0, MiB(1), GUEST_OWNER), 0);
	cr_assert_eq(m.base, 0);
	check_layout(&m, MiB(1));
	gmem_free(&m);
	/* The highest 1 GiB multiple below the limit. */
	cr_assert_eq(gmem_alloc_at(&m, pa, GiB(3), MiB(8), GUEST_OWNER), 0);
	check_layout(&m, MiB(8));
}

Test(gmem, bad_bases_are_refused)
{
	static const u64 bases[] = { A64_BASE + PAGE_SIZE, MiB(2),	GiB(1) + MiB(512),
				     0x3FFFF000ULL,	   GiB(4),	GiB(5),
				     ~0ULL - GiB(1) + 1,   GiB(1) * 255 };

	for (u32 i = 0; i < ARRAY_SIZE(bases); i++) {
		cr_assert_eq(gmem_alloc_at(&m, pa, bases[i], PAGE_SIZE, GUEST_OWNER), -ERR_INVAL,
			     "base 0x%llx", (unsigned long long)bases[i]);
		cr_assert_eq(m.size, 0);
		cr_assert_eq(m.base, 0);
		cr_assert_eq(m.nr, 0);
	}
	/* Past the device window at 0xFE000000, even by one page. */
	cr_assert_eq(gmem_alloc_at(&m, pa, GiB(3), GMEM_LIMIT - GiB(3) + PAGE_SIZE, GUEST_OWNER),
		     -ERR_INVAL);
	cr_assert_eq(
		gmem_alloc_at(&m, pa, A64_BASE, GMEM_LIMIT - A64_BASE + PAGE_SIZE, GUEST_OWNER),
		-ERR_INVAL);
	/* Bad sizes at a good base. */
	cr_assert_eq(gmem_alloc_at(&m, pa, A64_BASE, 0, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(gmem_alloc_at(&m, pa, A64_BASE, PAGE_SIZE + 8, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(gmem_alloc_at(NULL, pa, A64_BASE, PAGE_SIZE, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(gmem_alloc_at(&m, NULL, A64_BASE, PAGE_SIZE, GUEST_OWNER), -ERR_INVAL);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), 0);
	cr_assert_eq(pa->nr_free, FAKE_PAGES);
	/* Out of memory at a base gives everything back too. */
	cr_assert(fake_ram_squeeze(pa, 10));
	cr_assert_eq(gmem_alloc_at(&m, pa, A64_BASE, 16 * PAGE_SIZE, GUEST_OWNER), -ERR_NOMEM);
	cr_assert_eq(m.base, 0);
	cr_assert_eq(palloc_count(pa, GUEST_OWNER), 0);
	fake_ram_unsqueeze(pa);
}

Test(gmem, translate_and_ptr_at_a_base)
{
	u64 end = A64_BASE + MiB(1) + KiB(8);
	hpa_t h;
	u64 contig;

	cr_assert_eq(gmem_alloc_at(&m, pa, A64_BASE, MiB(1) + KiB(8), GUEST_OWNER), 0);
	cr_assert(gmem_translate(&m, gpa(A64_BASE), &h, &contig));
	cr_assert_eq(h.val, m.chunk[0].hpa.val);
	cr_assert_eq(contig, MiB(1));
	cr_assert(gmem_translate(&m, gpa(A64_BASE + MiB(1)), &h, &contig));
	cr_assert_eq(h.val, m.chunk[1].hpa.val);
	cr_assert_eq(contig, KiB(8));
	cr_assert(gmem_translate(&m, gpa(end - 1), &h, &contig));
	cr_assert_eq(h.val, m.chunk[1].hpa.val + KiB(8) - 1);
	cr_assert_eq(contig, 1);
	/* Below base, at the end, and the same offsets as if RAM started at 0. */
	cr_assert_not(gmem_translate(&m, gpa(A64_BASE - 1), &h, &contig));
	cr_assert_not(gmem_translate(&m, gpa(0), &h, &contig));
	cr_assert_not(gmem_translate(&m, gpa(0x1000), &h, &contig));
	cr_assert_not(gmem_translate(&m, gpa(end), &h, &contig));
	cr_assert_not(gmem_translate(&m, gpa(~0ULL), &h, &contig));
	cr_assert(gmem_contains(&m, gpa(A64_BASE)));
	cr_assert(gmem_contains(&m, gpa(end - 1)));
	cr_assert_not(gmem_contains(&m, gpa(A64_BASE - 1)));
	cr_assert_not(gmem_contains(&m, gpa(end)));
	cr_assert_eq(gmem_ptr(&m, gpa(A64_BASE), MiB(1)), phys_to_virt(m.chunk[0].hpa));
	cr_assert_null(gmem_ptr(&m, gpa(A64_BASE), MiB(1) + 1));
	cr_assert_null(gmem_ptr(&m, gpa(A64_BASE - 1), 1));
	cr_assert_null(gmem_ptr(&m, gpa(A64_BASE - 1), 2));
	cr_assert_null(gmem_ptr(&m, gpa(0), 1));
	cr_assert_not_null(gmem_ptr(&m, gpa(end - 1), 1));
	cr_assert_null(gmem_ptr(&m, gpa(end - 1), 2));
	cr_assert_null(gmem_ptr(&m, gpa(end), 0));
}

Test(gmem, read_write_at_a_base)
{
	u64 end = A64_BASE + KiB(64);
	u8 buf[16], pat[16];

	memset(pat, 0x3C, sizeof(pat));
	cr_assert_eq(gmem_alloc_at(&m, pa, A64_BASE, KiB(64), GUEST_OWNER), 0);
	/* The first and the last bytes of RAM, and empty ranges at both ends. */
	cr_assert_eq(gmem_write(&m, gpa(A64_BASE), pat, 16), 0);
	cr_assert_eq(gmem_write(&m, gpa(end - 16), pat, 16), 0);
	cr_assert_eq(*(u8 *)phys_to_virt(m.chunk[0].hpa), 0x3C);
	cr_assert_eq(gmem_read(&m, gpa(end - 16), buf, 16), 0);
	cr_assert_arr_eq(buf, pat, 16);
	cr_assert_eq(gmem_read(&m, gpa(A64_BASE), buf, 0), 0);
	cr_assert_eq(gmem_read(&m, gpa(end), buf, 0), 0);
	/* Straddling base or the end, below base, wrapping: refused, nothing copied. */
	memset(buf, 0x11, sizeof(buf));
	cr_assert_eq(gmem_read(&m, gpa(A64_BASE - 8), buf, 16), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(A64_BASE - 1), buf, 1), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(A64_BASE - 1), buf, 0), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(0), buf, 1), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(end - 8), buf, 16), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(end), buf, 1), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(A64_BASE + 8), buf, ~0ULL - 4), -ERR_RANGE);
	for (u32 i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], 0x11, "a refused read copied byte %u", i);
	cr_assert_eq(gmem_write(&m, gpa(A64_BASE - 8), pat, 16), -ERR_RANGE);
	cr_assert_eq(gmem_write(&m, gpa(0x100), pat, 16), -ERR_RANGE);
	cr_assert_eq(gmem_write(&m, gpa(~0ULL - 3), pat, 8), -ERR_RANGE);
	cr_assert_eq(gmem_read(&m, gpa(A64_BASE + 16), buf, 16), 0);
	for (u32 i = 0; i < 16; i++)
		cr_assert_eq(buf[i], 0);
}

Test(gmem, chunks_at_a_base_stay_naturally_aligned)
{
	fragment(4); /* 64 KiB runs only */
	cr_assert_eq(gmem_alloc_at(&m, pa, GiB(2), MiB(1) + KiB(64), GUEST_OWNER), 0);
	check_layout(&m, MiB(1) + KiB(64));
	cr_assert_eq(m.nr, 17);
	for (u32 i = 0; i < m.nr; i++) {
		hpa_t h;

		cr_assert(gmem_translate(&m, gpa(GiB(2) + i * KiB(64) + 5), &h, NULL));
		cr_assert_eq(h.val, m.chunk[i].hpa.val + 5);
	}
	gmem_free(&m);
	unfragment(4);
}
