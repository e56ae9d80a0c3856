/* palloc.c: the physical page allocator: naturally aligned runs, one owner per page. */
#include "mm/palloc.h"

#include "compiler.h"
#include "core/log.h"

/*
 * One owner_t per page from the lowest to the highest whole page of RAM;
 * holes, non-RAM and exclusions are OWNER_NONE, the free pool OWNER_FREE.
 * The allocator never touches the memory it manages, only owner[].
 *
 * Invariant: no page below owner[hint] is free. Order-0 allocation is thus
 * first fit from the hint, and a free moves the hint down when needed.
 * Runs are aligned on physical frame numbers, not on indices into owner[]:
 *
 *   pfn   base   ...  c = ALIGN_UP(base + hint, 2^order)  c + 2^order
 *          |-- hint --|---- candidate, all FREE? ----|
 *
 * A candidate that fails on page j is followed by the next aligned
 * candidate after j, so a search reads each page at most once.
 */

#define RUN_PAGES(order) (1ULL << (order))
#define PFN_LIMIT (1ULL << (64 - PAGE_SHIFT))

/* End of a range, saturated at the top of the address space. */
static u64 range_end(const struct mem_range *r)
{
	return r->len > ~0ULL - r->base ? ~0ULL : r->base + r->len;
}

/*
 * Frame numbers around r, computed without overflow so that a range ending
 * at 2^64 keeps its last page: [*in_first, *in_last) are the whole pages
 * inside r, [*out_first, *out_last) every page it touches.
 */
static void range_pfns(const struct mem_range *r, u64 *in_first, u64 *in_last, u64 *out_first,
		       u64 *out_last)
{
	u64 mask = PAGE_SIZE - 1;
	u64 tail = (r->base & mask) + (r->len & mask);
	u64 end = (r->base >> PAGE_SHIFT) + (r->len >> PAGE_SHIFT) + (tail >> PAGE_SHIFT);

	*out_first = r->base >> PAGE_SHIFT;
	*in_first = *out_first + ((r->base & mask) != 0);
	*in_last = MIN(end, PFN_LIMIT);
	*out_last = MIN(end + ((tail & mask) != 0), PFN_LIMIT);
}

/* The whole pages inside r: [*first, *last); false if none. */
static bool range_pages_in(const struct mem_range *r, u64 *first, u64 *last)
{
	u64 out_first, out_last;

	range_pfns(r, first, last, &out_first, &out_last);
	return *first < *last;
}

/* The pages r touches at all, partial pages included: [*first, *last). */
static void range_pages_out(const struct mem_range *r, u64 *first, u64 *last)
{
	u64 in_first, in_last;

	range_pfns(r, &in_first, &in_last, first, last);
}

/* Lowest and highest whole page of RAM in map, [*lo, *hi); false if none. */
static bool ram_span(const struct mem_range *map, u32 nr, u64 *lo, u64 *hi)
{
	bool any = false;
	u64 first, last;

	for (u32 i = 0; i < nr; i++) {
		if (map[i].type != MEM_RAM || !range_pages_in(&map[i], &first, &last))
			continue;
		if (!any || first < *lo)
			*lo = first;
		if (!any || last > *hi)
			*hi = last;
		any = true;
	}
	return any;
}

/* Sorted by base and non-overlapping, as the header requires. */
static bool map_sorted(const struct mem_range *map, u32 nr)
{
	for (u32 i = 1; i < nr; i++) {
		if (map[i].base < range_end(&map[i - 1]))
			return false;
	}
	return true;
}

u64 palloc_meta_size(const struct mem_range *map, u32 nr)
{
	u64 lo, hi;

	if (!map || !ram_span(map, nr, &lo, &hi))
		return 0;
	return (hi - lo) * sizeof(owner_t);
}

static void mark(struct palloc *pa, u64 idx, u64 n, owner_t owner)
{
	for (u64 i = 0; i < n; i++)
		pa->owner[idx + i] = owner;
}

/* Mark the pages of r that lie inside the managed window. */
static void mark_range(struct palloc *pa, u64 first, u64 last, owner_t owner)
{
	u64 lo = pa->base >> PAGE_SHIFT;

	first = MAX(first, lo);
	last = MIN(last, lo + pa->nr_pages);
	if (first < last)
		mark(pa, first - lo, last - first, owner);
}

int palloc_init(struct palloc *pa, const struct mem_range *map, u32 nr,
		const struct mem_range *excl, u32 nr_excl, void *meta, u64 meta_size)
{
	u64 lo, hi, first, last;

	if (!pa)
		return PALLOC_EINVAL;
	*pa = (struct palloc){ 0 };
	if (!map || (!excl && nr_excl) || !map_sorted(map, nr) || !ram_span(map, nr, &lo, &hi))
		return PALLOC_EINVAL;
	if (!meta || meta_size < (hi - lo) * sizeof(owner_t) ||
	    !IS_ALIGNED((uintptr_t)meta, _Alignof(owner_t)))
		return PALLOC_EINVAL;

	pa->base = lo << PAGE_SHIFT;
	pa->nr_pages = hi - lo;
	pa->owner = meta;
	mark(pa, 0, pa->nr_pages, OWNER_NONE);
	for (u32 i = 0; i < nr; i++) {
		if (map[i].type == MEM_RAM && range_pages_in(&map[i], &first, &last))
			mark_range(pa, first, last, OWNER_FREE);
	}
	for (u32 i = 0; i < nr_excl; i++) {
		if (!excl[i].len)
			continue;
		range_pages_out(&excl[i], &first, &last);
		mark_range(pa, first, last, OWNER_NONE);
	}
	for (u64 i = 0; i < pa->nr_pages; i++)
		pa->nr_free += pa->owner[i] == OWNER_FREE;
	pa->nr_managed = pa->nr_free;
	return PALLOC_OK;
}

/* Owners a caller may hold: anything but the free pool and "unmanaged". */
static bool owner_holdable(owner_t owner)
{
	return OWNER_KIND(owner) != OWNER_KIND_FREE && OWNER_KIND(owner) != OWNER_KIND_NONE;
}

/* First index of a naturally aligned free run of 2^order pages, from the hint. */
static bool find_run(const struct palloc *pa, u32 order, u64 *out)
{
	u64 n = RUN_PAGES(order);
	u64 pfn0 = pa->base >> PAGE_SHIFT;
	u64 c = ALIGN_UP(pfn0 + pa->hint, n) - pfn0;
	u64 j;

	while (c + n <= pa->nr_pages) {
		for (j = c; j < c + n && pa->owner[j] == OWNER_FREE; j++)
			;
		if (j == c + n) {
			*out = c;
			return true;
		}
		c = ALIGN_UP(pfn0 + j + 1, n) - pfn0;
	}
	return false;
}

int palloc_alloc(struct palloc *pa, u32 order, owner_t owner, hpa_t *out)
{
	u64 idx;

	if (order > PALLOC_MAX_ORDER || !owner_holdable(owner) || !out)
		return PALLOC_EINVAL;
	if (pa->nr_free < RUN_PAGES(order) || !find_run(pa, order, &idx))
		return PALLOC_ENOMEM;
	mark(pa, idx, RUN_PAGES(order), owner);
	pa->nr_free -= RUN_PAGES(order);
	/*
	 * Order 0 scans page by page, so nothing in [hint, idx) is free; a
	 * larger run may have skipped free pages unless it began at the hint.
	 */
	if (order == 0 || idx == pa->hint)
		pa->hint = idx + RUN_PAGES(order);
	*out = hpa(pa->base + (idx << PAGE_SHIFT));
	return PALLOC_OK;
}

const char *palloc_kind_name(u32 kind)
{
	static const char *const names[] = {
		[OWNER_KIND_FREE] = "free",
		[OWNER_KIND_NONE] = "none",
		[OWNER_KIND_HV] = "hv",
		[OWNER_KIND_PGTABLE] = "pgtable",
		[OWNER_KIND_GUEST] = "guest",
		[OWNER_KIND_META] = "meta",
		[OWNER_KIND_VM_STATE] = "vm-state",
		[OWNER_KIND_VM_TDP] = "vm-tdp",
		[OWNER_KIND_VM_SHADOW] = "vm-shadow",
		[OWNER_KIND_VM_INFO] = "vm-info",
	};
	_Static_assert(ARRAY_SIZE(names) == OWNER_KIND_COUNT, "a kind without a name");

	return kind < ARRAY_SIZE(names) ? names[kind] : "kind?";
}

static const char *owner_kind_name(owner_t owner)
{
	return palloc_kind_name(OWNER_KIND(owner));
}

/* Index of the run at addr if it lies wholly in the managed window. */
static bool run_index(const struct palloc *pa, u64 addr, u32 order, u64 *idx)
{
	if (order > PALLOC_MAX_ORDER || !IS_ALIGNED(addr, PAGE_SIZE << order) || addr < pa->base)
		return false;
	*idx = (addr - pa->base) >> PAGE_SHIFT;
	return *idx < pa->nr_pages && pa->nr_pages - *idx >= RUN_PAGES(order);
}

/*
 * Check that every page of the run is held by owner. Pages outside the
 * managed set make it invalid; a page held by someone else wins over one
 * already free, so a mixed run is reported as an owner mismatch.
 */
static int check_run(const struct palloc *pa, u64 idx, u32 order, owner_t owner, u64 *bad)
{
	int err = PALLOC_OK;

	for (u64 i = idx; i < idx + RUN_PAGES(order); i++) {
		owner_t o = pa->owner[i];

		if (o == owner)
			continue;
		if (OWNER_KIND(o) == OWNER_KIND_NONE) {
			*bad = i;
			return PALLOC_EINVAL;
		}
		if (o != OWNER_FREE && err != PALLOC_EOWNER) {
			*bad = i;
			err = PALLOC_EOWNER;
		} else if (o == OWNER_FREE && err == PALLOC_OK) {
			*bad = i;
			err = PALLOC_EDOUBLE;
		}
	}
	return err;
}

static void report_free(const struct palloc *pa, int err, u64 addr, u32 order, owner_t owner,
			u64 bad)
{
	unsigned long long a = addr, b = pa->base + (bad << PAGE_SHIFT);
	owner_t o = err == PALLOC_EINVAL ? OWNER_NONE : pa->owner[bad];

	if (err == PALLOC_EDOUBLE)
		pr_warn("palloc: double free of 0x%llx order %u by %s:%u (0x%llx is free)", a,
			order, owner_kind_name(owner), OWNER_ID(owner), b);
	else if (err == PALLOC_EOWNER)
		pr_warn("palloc: 0x%llx order %u freed by %s:%u but 0x%llx is owned by %s:%u", a,
			order, owner_kind_name(owner), OWNER_ID(owner), b, owner_kind_name(o),
			OWNER_ID(o));
	else
		pr_warn("palloc: free of 0x%llx order %u by %s:%u refused: not a managed run", a,
			order, owner_kind_name(owner), OWNER_ID(owner));
}

int palloc_free(struct palloc *pa, hpa_t addr, u32 order, owner_t owner)
{
	u64 idx, bad = 0;
	int err;

	if (!owner_holdable(owner) || !run_index(pa, addr.val, order, &idx))
		err = PALLOC_EINVAL;
	else
		err = check_run(pa, idx, order, owner, &bad);
	if (err != PALLOC_OK) {
		report_free(pa, err, addr.val, order, owner, bad);
		return err;
	}
	mark(pa, idx, RUN_PAGES(order), OWNER_FREE);
	pa->nr_free += RUN_PAGES(order);
	if (idx < pa->hint)
		pa->hint = idx;
	return PALLOC_OK;
}

owner_t palloc_owner(const struct palloc *pa, hpa_t addr)
{
	u64 idx;

	if (addr.val < pa->base)
		return OWNER_NONE;
	idx = (addr.val - pa->base) >> PAGE_SHIFT;
	return idx < pa->nr_pages ? pa->owner[idx] : OWNER_NONE;
}

u64 palloc_count(const struct palloc *pa, owner_t owner)
{
	u64 n = 0;

	for (u64 i = 0; i < pa->nr_pages; i++)
		n += pa->owner[i] == owner;
	return n;
}

void palloc_count_id(const struct palloc *pa, u32 id, u64 counts[OWNER_KIND_COUNT])
{
	for (u32 k = 0; k < OWNER_KIND_COUNT; k++)
		counts[k] = 0;
	for (u64 i = 0; i < pa->nr_pages; i++) {
		owner_t o = pa->owner[i];
		u32 kind = OWNER_KIND(o);

		if (OWNER_ID(o) == id && kind < OWNER_KIND_COUNT)
			counts[kind]++;
	}
}
