/* gmem.c: a guest's RAM as naturally aligned host runs, and the bounds-checked accessors to it. */
#include "mm/gmem.h"

#include "core/kstring.h"
#include "err.h"
#include "mm/phys.h"

/*
 * Allocation takes the largest naturally aligned run that fits what is left,
 * so chunk sizes never grow along the guest-physical space:
 *
 *   base    +1 GiB       +1.5 GiB  +1.75 GiB
 *   | order 18 | order 17 | 16      | ...
 *
 * Each chunk's offset from base is then a multiple of its own size (the
 * chunks before it are larger powers of two), and base is a multiple of
 * 1 GiB, the largest chunk, so each chunk's guest-physical start is a
 * multiple of its size too, and a chunk can be mapped with the largest pages
 * both sides allow. When the allocator has no run of some order, later
 * chunks are smaller still (the memory only gets fuller while we allocate),
 * which keeps that property and bounds the work.
 */
_Static_assert(GMEM_BASE_ALIGN >= (PAGE_SIZE << PALLOC_MAX_ORDER), "gmem: base vs chunk size");

static u32 order_of(u64 bytes)
{
	return (u32)__builtin_ctzll(bytes) - PAGE_SHIFT;
}

/* The largest order whose run is at most bytes (bytes is a non-zero page multiple). */
static u32 fit_order(u64 bytes)
{
	u32 o = 63 - (u32)__builtin_clzll(bytes) - PAGE_SHIFT;

	return o > PALLOC_MAX_ORDER ? PALLOC_MAX_ORDER : o;
}

/* Take one run of at most max_order and at most left bytes; lowers *max_order
 * past the orders that failed. */
static int alloc_chunk(struct gmem *m, u64 left, u32 *max_order)
{
	u32 o = fit_order(left);
	hpa_t h;

	if (o > *max_order)
		o = *max_order;
	for (;;) {
		if (palloc_alloc(m->pa, o, m->owner, &h) == PALLOC_OK)
			break;
		if (o == 0)
			return -ERR_NOMEM;
		o--;
	}
	*max_order = o;
	m->chunk[m->nr] =
		(struct gmem_chunk){ .gpa = m->base + m->size, .size = PAGE_SIZE << o, .hpa = h };
	m->nr++;
	m->size += PAGE_SIZE << o;
	return 0;
}

int gmem_alloc_at(struct gmem *m, struct palloc *pa, u64 base, u64 size, owner_t owner)
{
	u32 max_order = PALLOC_MAX_ORDER;

	if (!m || !pa)
		return -ERR_INVAL;
	*m = (struct gmem){ .pa = pa, .owner = owner };
	if (size == 0 || !IS_ALIGNED(size, PAGE_SIZE) || size > GMEM_MAX_SIZE ||
	    !IS_ALIGNED(base, GMEM_BASE_ALIGN) || base > GMEM_LIMIT || size > GMEM_LIMIT - base)
		return -ERR_INVAL;
	m->base = base;
	while (m->size < size) {
		if (m->nr == GMEM_MAX_CHUNKS || alloc_chunk(m, size - m->size, &max_order) < 0) {
			gmem_free(m);
			return -ERR_NOMEM;
		}
	}
	for (u32 i = 0; i < m->nr; i++)
		memset(phys_to_virt(m->chunk[i].hpa), 0, m->chunk[i].size);
	return 0;
}

int gmem_alloc(struct gmem *m, struct palloc *pa, u64 size, owner_t owner)
{
	return gmem_alloc_at(m, pa, 0, size, owner);
}

void gmem_free(struct gmem *m)
{
	if (!m || !m->pa)
		return;
	for (u32 i = 0; i < m->nr; i++)
		palloc_free(m->pa, m->chunk[i].hpa, order_of(m->chunk[i].size), m->owner);
	m->nr = 0;
	m->base = 0;
	m->size = 0;
	m->pa = NULL;
}

/* The chunk holding at (inside RAM): chunks are sorted and contiguous. */
static const struct gmem_chunk *find_chunk(const struct gmem *m, u64 at)
{
	u32 lo = 0, hi = m->nr;

	while (hi - lo > 1) {
		u32 mid = lo + (hi - lo) / 2;

		if (m->chunk[mid].gpa <= at)
			lo = mid;
		else
			hi = mid;
	}
	return &m->chunk[lo];
}

bool gmem_translate(const struct gmem *m, gpa_t addr, hpa_t *out, u64 *contig)
{
	const struct gmem_chunk *c;

	if (!m || !gmem_contains(m, addr))
		return false;
	c = find_chunk(m, addr.val);
	if (out)
		*out = hpa(c->hpa.val + (addr.val - c->gpa));
	if (contig)
		*contig = c->size - (addr.val - c->gpa);
	return true;
}

void *gmem_ptr(const struct gmem *m, gpa_t addr, u64 len)
{
	hpa_t h;
	u64 contig;

	if (!gmem_translate(m, addr, &h, &contig) || len > contig)
		return NULL;
	return phys_to_virt(h);
}

/* [at, at + len) lies within [base, base + size); an empty range may sit at the end itself. */
static bool in_ram(const struct gmem *m, u64 at, u64 len)
{
	return m && at >= m->base && at - m->base <= m->size && len <= m->size - (at - m->base);
}

/* Copy guest RAM [at, at + len) to out, or in to it (the other one is NULL), chunk by chunk. */
static int copy(const struct gmem *m, u64 at, u8 *out, const u8 *in, u64 len)
{
	if (!in_ram(m, at, len) || (len && !out && !in))
		return -ERR_RANGE;
	while (len) {
		hpa_t h;
		u64 n = 0;

		if (!gmem_translate(m, gpa(at), &h, &n))
			return -ERR_RANGE; /* not reached: in_ram() checked the range */
		n = MIN(n, len);
		if (in) {
			memcpy(phys_to_virt(h), in, n);
			in += n;
		} else {
			memcpy(out, phys_to_virt(h), n);
			out += n;
		}
		at += n;
		len -= n;
	}
	return 0;
}

int gmem_read(const struct gmem *m, gpa_t addr, void *dst, u64 len)
{
	return copy(m, addr.val, dst, NULL, len);
}

int gmem_write(const struct gmem *m, gpa_t addr, const void *src, u64 len)
{
	return copy(m, addr.val, NULL, src, len);
}
