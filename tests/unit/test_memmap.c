/* test_memmap.c: unit tests for memory map normalization (boot/memmap.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "boot/memmap.h"
#include "tests/unit/fake_log.h"

static void memmap_setup(void)
{
	fake_log_reset();
}

TestSuite(memmap, .init = memmap_setup);

#define R(b, l, t) ((struct mem_range){ .base = (b), .len = (l), .type = (t) })

static void expect_range(const struct mem_range *m, u64 base, u64 len, u32 type)
{
	cr_assert_eq(m->base, base, "base 0x%llx, expected 0x%llx", (unsigned long long)m->base,
		     (unsigned long long)base);
	cr_assert_eq(m->len, len, "len 0x%llx at 0x%llx, expected 0x%llx",
		     (unsigned long long)m->len, (unsigned long long)m->base,
		     (unsigned long long)len);
	cr_assert_eq(m->type, type, "type %u at 0x%llx, expected %u", m->type,
		     (unsigned long long)m->base, type);
}

Test(memmap, empty_map_is_fine)
{
	struct mem_range r[1];
	u32 n = 0;

	cr_assert_eq(memmap_normalize(r, &n, 1), 0);
	cr_assert_eq(n, 0);
	cr_assert_eq(memmap_ram_bytes(r, n), 0);
}

Test(memmap, clean_map_untouched)
{
	struct mem_range r[] = { R(0, 0x9fc00, MEM_RAM), R(0xf0000, 0x10000, MEM_RESERVED),
				 R(0x100000, 0x7ee0000, MEM_RAM) };
	u32 n = 3;

	cr_assert_eq(memmap_normalize(r, &n, 3), 0);
	cr_assert_eq(n, 3);
	expect_range(&r[0], 0, 0x9fc00, MEM_RAM);
	expect_range(&r[1], 0xf0000, 0x10000, MEM_RESERVED);
	expect_range(&r[2], 0x100000, 0x7ee0000, MEM_RAM);
	cr_assert_eq(fake_log_count(LOG_WARN), 0, "%s", fake_log_text());
}

Test(memmap, unsorted_sorted_and_adjacent_merged)
{
	struct mem_range r[] = { R(0x300000, 0x100000, MEM_RAM), R(0x1000, 0x1000, MEM_ACPI_NVS),
				 R(0x100000, 0x100000, MEM_RAM), R(0x200000, 0x100000, MEM_RAM),
				 R(0, 0x1000, MEM_ACPI_NVS) };
	u32 n = 5;

	cr_assert_eq(memmap_normalize(r, &n, 5), 0);
	cr_assert_eq(n, 2);
	expect_range(&r[0], 0, 0x2000, MEM_ACPI_NVS);
	expect_range(&r[1], 0x100000, 0x300000, MEM_RAM);
	cr_assert_eq(memmap_ram_bytes(r, n), 0x300000);
}

Test(memmap, zero_length_dropped_with_warning)
{
	struct mem_range r[] = { R(0x1000, 0x1000, MEM_RAM), R(0x5000, 0, MEM_RESERVED),
				 R(0x2000, 0x1000, MEM_RAM) };
	u32 n = 3;

	cr_assert_eq(memmap_normalize(r, &n, 3), 1);
	cr_assert_eq(n, 1);
	expect_range(&r[0], 0x1000, 0x2000, MEM_RAM);
	cr_assert(fake_log_contains("zero-length range at 0x5000"), "%s", fake_log_text());
	cr_assert_eq(fake_log_count(LOG_WARN), 1);
}

Test(memmap, wrap_past_2_64_clipped)
{
	struct mem_range r[] = { R(0xfffffffffffff000ULL, 0x2000, MEM_RESERVED) };
	u32 n = 1;

	cr_assert_eq(memmap_normalize(r, &n, 1), 1);
	cr_assert_eq(n, 1);
	expect_range(&r[0], 0xfffffffffffff000ULL, 0x1000, MEM_RESERVED);
	cr_assert(fake_log_contains("runs past 2^64, clipped"), "%s", fake_log_text());
}

Test(memmap, range_ending_exactly_at_2_64_kept)
{
	struct mem_range r[] = { R(0xffffffff00000000ULL, 0x100000000ULL, MEM_RESERVED),
				 R(0, 0x1000, MEM_RAM) };
	u32 n = 2;

	cr_assert_eq(memmap_normalize(r, &n, 2), 0, "%s", fake_log_text());
	expect_range(&r[0], 0, 0x1000, MEM_RAM);
	expect_range(&r[1], 0xffffffff00000000ULL, 0x100000000ULL, MEM_RESERVED);
}

Test(memmap, whole_address_space_is_one_byte_short)
{
	struct mem_range r[] = { R(0, 0x8000000000000000ULL, MEM_RESERVED),
				 R(0x8000000000000000ULL, 0x8000000000000000ULL, MEM_RESERVED) };
	u32 n = 2;

	cr_assert_eq(memmap_normalize(r, &n, 2), 0);
	cr_assert_eq(n, 1);
	expect_range(&r[0], 0, UINT64_MAX, MEM_RESERVED);
}

Test(memmap, reserved_inside_ram_splits_it)
{
	struct mem_range r[4] = { R(0, 0x100000, MEM_RAM), R(0x9f000, 0x1000, MEM_RESERVED) };
	u32 n = 2;

	cr_assert_eq(memmap_normalize(r, &n, 4), 1);
	cr_assert_eq(n, 3);
	expect_range(&r[0], 0, 0x9f000, MEM_RAM);
	expect_range(&r[1], 0x9f000, 0x1000, MEM_RESERVED);
	expect_range(&r[2], 0xa0000, 0x60000, MEM_RAM);
	cr_assert(fake_log_contains("overlap, type 2 kept"), "%s", fake_log_text());
	cr_assert_eq(memmap_ram_bytes(r, n), 0xff000);
}

Test(memmap, non_ram_wins_at_both_ends)
{
	struct mem_range r[] = { R(0x1000, 0x3000, MEM_RAM), R(0, 0x2000, MEM_ACPI_RECLAIM),
				 R(0x3000, 0x2000, MEM_BAD) };
	u32 n = 3;

	cr_assert_eq(memmap_normalize(r, &n, 3), 2);
	cr_assert_eq(n, 3);
	expect_range(&r[0], 0, 0x2000, MEM_ACPI_RECLAIM);
	expect_range(&r[1], 0x2000, 0x1000, MEM_RAM);
	expect_range(&r[2], 0x3000, 0x2000, MEM_BAD);
}

Test(memmap, higher_non_ram_type_wins)
{
	struct mem_range r[4] = { R(0x10000, 0x10000, MEM_RESERVED),
				  R(0x14000, 0x2000, MEM_ACPI_NVS) };
	u32 n = 2;

	cr_assert_eq(memmap_normalize(r, &n, 4), 1);
	cr_assert_eq(n, 3);
	expect_range(&r[0], 0x10000, 0x4000, MEM_RESERVED);
	expect_range(&r[1], 0x14000, 0x2000, MEM_ACPI_NVS);
	expect_range(&r[2], 0x16000, 0xa000, MEM_RESERVED);
	cr_assert(fake_log_contains("overlap, type 4 kept"), "%s", fake_log_text());
}

Test(memmap, odd_type_numbers_still_beat_ram)
{
	struct mem_range r[4] = { R(0, 0x3000, MEM_RAM), R(0x1000, 0x1000, 0) };
	u32 n = 2;

	cr_assert_eq(memmap_normalize(r, &n, 4), 1);
	cr_assert_eq(n, 3);
	expect_range(&r[0], 0, 0x1000, MEM_RAM);
	expect_range(&r[1], 0x1000, 0x1000, 0);
	expect_range(&r[2], 0x2000, 0x1000, MEM_RAM);
}

Test(memmap, same_type_overlap_merged_quietly)
{
	struct mem_range r[] = { R(0x1000, 0x3000, MEM_RAM), R(0x2000, 0x1000, MEM_RAM),
				 R(0x3000, 0x4000, MEM_RAM) };
	u32 n = 3;

	cr_assert_eq(memmap_normalize(r, &n, 3), 0);
	cr_assert_eq(n, 1);
	expect_range(&r[0], 0x1000, 0x6000, MEM_RAM);
	cr_assert_eq(fake_log_count(LOG_WARN), 0, "%s", fake_log_text());
}

Test(memmap, same_base_ram_loses)
{
	struct mem_range r[] = { R(0x1000, 0x1000, MEM_RESERVED), R(0x1000, 0x4000, MEM_RAM) };
	u32 n = 2;

	cr_assert_eq(memmap_normalize(r, &n, 2), 1);
	cr_assert_eq(n, 2);
	expect_range(&r[0], 0x1000, 0x1000, MEM_RESERVED);
	expect_range(&r[1], 0x2000, 0x3000, MEM_RAM);
}

Test(memmap, no_room_to_split_drops_ram_tail)
{
	struct mem_range r[2] = { R(0, 0x10000, MEM_RAM), R(0x4000, 0x1000, MEM_RESERVED) };
	u32 n = 2;

	cr_assert_eq(memmap_normalize(r, &n, 2), 2);
	cr_assert_eq(n, 2);
	expect_range(&r[0], 0, 0x4000, MEM_RAM);
	expect_range(&r[1], 0x4000, 0x1000, MEM_RESERVED);
	cr_assert(fake_log_contains("no room to split, RAM [0x5000-0xffff] dropped"), "%s",
		  fake_log_text());
}

Test(memmap, no_room_to_split_keeps_non_ram_unusable)
{
	struct mem_range r[2] = { R(0, 0x10000, MEM_RESERVED), R(0x4000, 0x1000, MEM_ACPI_NVS) };
	u32 n = 2;

	cr_assert_eq(memmap_normalize(r, &n, 2), 2);
	cr_assert_eq(n, 2);
	expect_range(&r[0], 0, 0x4000, MEM_RESERVED);
	expect_range(&r[1], 0x4000, 0xc000, MEM_ACPI_NVS);
	cr_assert(fake_log_contains("[0x5000-0xffff] type 2 marked type 4 instead"), "%s",
		  fake_log_text());
	cr_assert_eq(memmap_ram_bytes(r, n), 0);
}

Test(memmap, more_ranges_than_room_rejected)
{
	struct mem_range r[2] = { R(0, 1, MEM_RAM), R(2, 1, MEM_RAM) };
	u32 n = 3;

	cr_assert_lt(memmap_normalize(r, &n, 2), 0);
	cr_assert_eq(n, 3);
	cr_assert(fake_log_contains("3 ranges given with room for only 2"), "%s", fake_log_text());
}

Test(memmap, ram_bytes_counts_only_ram_and_saturates)
{
	struct mem_range r[] = { R(0, 0x1000, MEM_RAM), R(0x1000, 0x1000, MEM_RESERVED),
				 R(0x2000, 0x3000, MEM_RAM) };
	struct mem_range big[] = { R(0, UINT64_MAX, MEM_RAM), R(0, 0x1000, MEM_RAM) };

	cr_assert_eq(memmap_ram_bytes(r, 3), 0x4000);
	cr_assert_eq(memmap_ram_bytes(big, 2), UINT64_MAX);
}

/*
 * Random maps in a small unit space against a per-unit reference: every unit
 * must end up with the type of the highest-priority range covering it, and
 * the result must be sorted, disjoint, non-empty and merged.
 */
#define UNITS 48
#define NRAND 10

static u32 prio(u32 t)
{
	return t == MEM_RAM ? 0 : t + 1;
}

static void reference(const struct mem_range *r, u32 n, u32 *ref)
{
	memset(ref, 0, UNITS * sizeof(*ref));
	for (u32 i = 0; i < n; i++)
		for (u64 u = r[i].base; u < r[i].base + r[i].len; u++)
			if (!ref[u] || prio(r[i].type) > prio(ref[u]))
				ref[u] = r[i].type;
}

static void check_against(const struct mem_range *r, u32 n, const u32 *ref, unsigned seed)
{
	u32 got[UNITS] = { 0 };

	for (u32 i = 0; i < n; i++) {
		cr_assert_gt(r[i].len, 0, "seed %u: empty range", seed);
		if (i) {
			cr_assert_leq(r[i - 1].base + r[i - 1].len, r[i].base,
				      "seed %u: overlap or unsorted at %u", seed, i);
			cr_assert(r[i - 1].base + r[i - 1].len != r[i].base ||
					  r[i - 1].type != r[i].type,
				  "seed %u: unmerged neighbours at %u", seed, i);
		}
		for (u64 u = r[i].base; u < r[i].base + r[i].len; u++)
			got[u] = r[i].type;
	}
	for (u32 u = 0; u < UNITS; u++)
		cr_assert_eq(got[u], ref[u], "seed %u: unit %u type %u, expected %u", seed, u,
			     got[u], ref[u]);
}

Test(memmap, random_maps_match_reference)
{
	for (unsigned seed = 1; seed <= 3000; seed++) {
		struct mem_range r[2 * NRAND];
		u32 ref[UNITS], n;

		srand(seed);
		n = 1 + (u32)rand() % NRAND;
		for (u32 i = 0; i < n; i++) {
			u64 base = (u64)rand() % UNITS;

			r[i] = R(base, 1 + (u64)rand() % (UNITS - base), 1 + (u32)rand() % 5);
		}
		reference(r, n, ref);
		fake_log_reset();
		cr_assert_geq(memmap_normalize(r, &n, 2 * NRAND), 0);
		check_against(r, n, ref, seed);
	}
}

/* With no spare room, splits are refused; no unit may become RAM that was not RAM. */
Test(memmap, random_maps_without_room_stay_safe)
{
	for (unsigned seed = 1; seed <= 3000; seed++) {
		struct mem_range r[NRAND];
		u32 ref[UNITS], n;

		srand(seed);
		n = 1 + (u32)rand() % NRAND;
		for (u32 i = 0; i < n; i++) {
			u64 base = (u64)rand() % UNITS;

			r[i] = R(base, 1 + (u64)rand() % (UNITS - base), 1 + (u32)rand() % 5);
		}
		reference(r, n, ref);
		fake_log_reset();
		cr_assert_geq(memmap_normalize(r, &n, n), 0);
		for (u32 i = 0; i < n; i++) {
			cr_assert_gt(r[i].len, 0, "seed %u: empty range", seed);
			if (i)
				cr_assert_leq(r[i - 1].base + r[i - 1].len, r[i].base,
					      "seed %u: overlap or unsorted at %u", seed, i);
			for (u64 u = r[i].base; u < r[i].base + r[i].len; u++)
				cr_assert(r[i].type != MEM_RAM || ref[u] == MEM_RAM,
					  "seed %u: unit %llu became RAM", seed,
					  (unsigned long long)u);
		}
	}
}
