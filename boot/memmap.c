/* memmap.c: normalizing a physical memory map (sort, clip, resolve overlaps, merge). */
#include "boot/memmap.h"
#include "compiler.h"
#include "core/log.h"

/*
 * Ranges are handled through their inclusive last byte, which exists for
 * every range that ends at or below 2^64 (an exclusive end of 2^64 does not
 * fit in a u64).
 */
static u64 range_last(const struct mem_range *m)
{
	return m->base + (m->len - 1);
}

static void range_set_last(struct mem_range *m, u64 last)
{
	m->len = last - m->base + 1;
	if (!m->len) /* [0, 2^64) does not fit: keep all but the top byte */
		m->len = UINT64_MAX;
}

/* Overlap priority: RAM loses to everything, then the higher type wins. */
static u64 type_prio(u32 type)
{
	return type == MEM_RAM ? 0 : (u64)type + 1;
}

static void remove_at(struct mem_range *r, u32 *n, u32 i)
{
	for (; i + 1 < *n; i++)
		r[i] = r[i + 1];
	(*n)--;
}

static void swap_ranges(struct mem_range *a, struct mem_range *b)
{
	struct mem_range t = *a;

	*a = *b;
	*b = t;
}

/* r[i]'s base grew: move it right until r[] is sorted again. */
static void sink(struct mem_range *r, u32 n, u32 i)
{
	for (; i + 1 < n && r[i].base > r[i + 1].base; i++)
		swap_ranges(&r[i], &r[i + 1]);
}

static void sort_by_base(struct mem_range *r, u32 n)
{
	for (u32 i = 1; i < n; i++)
		for (u32 j = i; j > 0 && r[j - 1].base > r[j].base; j--)
			swap_ranges(&r[j - 1], &r[j]);
}

/* Drop empty ranges and clip those past the top of the address space. */
static int sanitize(struct mem_range *r, u32 *n)
{
	int problems = 0;
	u32 i = 0;

	while (i < *n) {
		struct mem_range *m = &r[i];

		if (!m->len) {
			pr_warn("memmap: zero-length range at 0x%llx (type %u) dropped",
				(unsigned long long)m->base, m->type);
			remove_at(r, n, i);
			problems++;
			continue;
		}
		if (m->len - 1 > UINT64_MAX - m->base) {
			pr_warn("memmap: range at 0x%llx length 0x%llx (type %u) runs past 2^64, "
				"clipped",
				(unsigned long long)m->base, (unsigned long long)m->len, m->type);
			range_set_last(m, UINT64_MAX);
			problems++;
		}
		i++;
	}
	return problems;
}

static void warn_overlap(const struct mem_range *a, const struct mem_range *b, u32 winner)
{
	pr_warn("memmap: ranges [0x%llx-0x%llx] type %u and [0x%llx-0x%llx] type %u overlap, type "
		"%u kept there",
		(unsigned long long)a->base, (unsigned long long)range_last(a), a->type,
		(unsigned long long)b->base, (unsigned long long)range_last(b), b->type, winner);
}

/*
 * r[i] lost the middle of its extent to r[i + 1]; [first, last] of type is
 * the part left over on the far side. Insert it in order, or when r[] is
 * full, drop it (RAM) or let r[i + 1] cover it (non-RAM stays unusable).
 */
static int split_tail(struct mem_range *r, u32 *n, u32 cap, u32 i, u64 first, u64 last, u32 type)
{
	struct mem_range piece = { .base = first, .type = type };
	u32 j;

	range_set_last(&piece, last);
	if (*n < cap) {
		for (j = i + 1; j < *n && r[j].base <= first; j++)
			;
		for (u32 k = *n; k > j; k--)
			r[k] = r[k - 1];
		r[j] = piece;
		(*n)++;
		return 0;
	}
	if (type == MEM_RAM) {
		pr_warn("memmap: no room to split, RAM [0x%llx-0x%llx] dropped",
			(unsigned long long)first, (unsigned long long)last);
	} else {
		pr_warn("memmap: no room to split, [0x%llx-0x%llx] type %u marked type %u instead",
			(unsigned long long)first, (unsigned long long)last, type, r[i + 1].type);
		range_set_last(&r[i + 1], last);
	}
	return 1;
}

/*
 * One pass over the sorted ranges. r[0..i] never overlap one another and
 * r[i+1..] stay sorted by base; each step settles r[i] against r[i + 1]:
 *
 *   a: |--------|          a wins: b starts after a (or vanishes)
 *   b:      |-------|      b wins: a keeps the part before b, and its part
 *                                  after b (if any) becomes a new range
 */
static int resolve(struct mem_range *r, u32 *n, u32 cap)
{
	int problems = 0;
	u32 i = 0;

	while (i + 1 < *n) {
		struct mem_range *a = &r[i], *b = &r[i + 1];
		u64 alast = range_last(a), blast = range_last(b);

		if (alast < b->base) {
			if (alast + 1 == b->base && a->type == b->type) {
				range_set_last(a, blast);
				remove_at(r, n, i + 1);
			} else {
				i++;
			}
			continue;
		}
		if (a->type == b->type) {
			range_set_last(a, MAX(alast, blast));
			remove_at(r, n, i + 1);
			continue;
		}
		problems++;
		if (type_prio(a->type) > type_prio(b->type)) {
			warn_overlap(a, b, a->type);
			if (blast <= alast) {
				remove_at(r, n, i + 1);
			} else {
				b->base = alast + 1;
				range_set_last(b, blast);
				sink(r, *n, i + 1);
			}
			continue;
		}
		warn_overlap(a, b, b->type);
		if (a->base == b->base) {
			if (alast <= blast) {
				remove_at(r, n, i);
			} else {
				a->base = blast + 1;
				range_set_last(a, alast);
				sink(r, *n, i);
			}
			continue;
		}
		range_set_last(a, b->base - 1);
		if (alast > blast)
			problems += split_tail(r, n, cap, i, blast + 1, alast, a->type);
	}
	return problems;
}

/*
 * resolve() settles each range against the next one only, so a range that
 * was cut back or removed can leave two equal neighbours behind it.
 */
static void merge_adjacent(struct mem_range *r, u32 *n)
{
	u32 i = 0;

	while (i + 1 < *n) {
		if (range_last(&r[i]) + 1 == r[i + 1].base && r[i].type == r[i + 1].type) {
			range_set_last(&r[i], range_last(&r[i + 1]));
			remove_at(r, n, i + 1);
		} else {
			i++;
		}
	}
}

int memmap_normalize(struct mem_range *r, u32 *nr, u32 cap)
{
	int problems;
	u32 n = *nr;

	if (n > cap) {
		pr_err("memmap: %u ranges given with room for only %u", n, cap);
		return -1;
	}
	problems = sanitize(r, &n);
	sort_by_base(r, n);
	problems += resolve(r, &n, cap);
	merge_adjacent(r, &n);
	*nr = n;
	return problems;
}

u64 memmap_ram_bytes(const struct mem_range *r, u32 nr)
{
	u64 total = 0;

	for (u32 i = 0; i < nr; i++) {
		if (r[i].type != MEM_RAM)
			continue;
		if (r[i].len > UINT64_MAX - total)
			return UINT64_MAX;
		total += r[i].len;
	}
	return total;
}
