/* pt.c: the page-table engine: map, unmap, protect, lookup and walk over any format. */
#include "mm/pt.h"

#include "err.h"
#include "mm/phys.h"

/*
 * Every update runs twice over the same code (op_table below):
 *
 *   count pass   reads the tree, writes nothing, and counts the table pages
 *                the update will need (new tables, splits of blocks);
 *   apply pass   runs only once that many pages are allocated, so it can
 *                never fail half way: an update that runs out of memory
 *                leaves the tree exactly as it was.
 *
 * In the count pass a table that does not exist yet is walked as NULL with
 * a template: 0 (all entries empty) or the block being split (entries are
 * that block's pieces). Every entry write goes through set_entry(), the one
 * place that sees old and new values and so decides TLB flushing,
 * break-before-make and the freeing of unlinked tables.
 */

enum op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

struct op {
	struct pt *pt;
	enum op_kind kind;
	bool count_only;
	u64 va0, end; /* the input range [va0, end) */
	u64 pa0;      /* map: the output address of va0 */
	struct pt_attr attr;
	u64 need;  /* count pass: table pages needed */
	u64 cache; /* apply pass: preallocated pages, chained through word 0 */
	struct pt_flush *fl;
};

/* ---------------------------------------------------------------- geometry */

static unsigned level_shift(const struct pt *pt, unsigned level)
{
	return pt->shift[level];
}

static u32 level_entries(const struct pt *pt, unsigned level)
{
	return level == pt->levels - 1u ? pt->root_entries : 1u << pt->fmt->bits[level];
}

static u32 index_of(const struct pt *pt, u64 va, unsigned level)
{
	return (u32)((va >> level_shift(pt, level)) & (level_entries(pt, level) - 1));
}

static bool can_block(const struct pt *pt, unsigned level)
{
	return level == 0 || (pt->block_mask & BIT(level));
}

/* ---------------------------------------------------------------- entries */

static const void *table_ptr(const struct pt *pt, u64 addr, unsigned level)
{
	size_t len = (size_t)level_entries(pt, level) << pt->fmt->entry_shift;
	if (pt->map_table)
		return pt->map_table(pt->map_ctx, addr, len);
	return phys_to_virt(hpa(addr));
}

static u64 entry_read(const struct pt *pt, const void *table, u32 idx)
{
	if (pt->fmt->entry_shift == 2)
		return __atomic_load_n((const u32 *)table + idx, __ATOMIC_RELAXED);
	return __atomic_load_n((const u64 *)table + idx, __ATOMIC_RELAXED);
}

/* Only 8-byte formats are ever written (the 4-byte one is read-only). */
static void entry_write(void *table, u32 idx, u64 e)
{
	__atomic_store_n((u64 *)table + idx, e, __ATOMIC_RELEASE);
}

static bool is_present(const struct pt *pt, u64 e, unsigned level)
{
	return e && pt->fmt->present(e, level);
}

static bool is_table(const struct pt *pt, u64 e, unsigned level)
{
	return level > 0 && is_present(pt, e, level) && !pt->fmt->is_leaf(e, level);
}

/* Entry idx of the table one level below a block e at level+1: e's piece. */
static u64 split_piece(const struct pt *pt, u64 e, unsigned level, u32 idx)
{
	if (!is_present(pt, e, level + 1))
		return 0;
	u64 pa = pt->fmt->leaf_addr(e, level + 1) + ((u64)idx << level_shift(pt, level));
	return pt->fmt->make_leaf(pa, pt->fmt->leaf_attr(e, level + 1), level);
}

/* ---------------------------------------------------------------- table pages */

static void *take_table(struct op *op, u64 *addr)
{
	u64 pa = op->cache;
	u64 *t = phys_to_virt(hpa(pa));

	op->cache = t[0];
	for (u32 i = 0; i < PAGE_SIZE / 8; i++)
		t[i] = 0;
	op->pt->nr_tables++;
	*addr = pa;
	return t;
}

static void release_cache(struct pt *pt, u64 cache)
{
	while (cache) {
		u64 next = *(u64 *)phys_to_virt(hpa(cache));
		palloc_free(pt->pa, hpa(cache), 0, pt->owner);
		cache = next;
	}
}

static int fill_cache(struct op *op, u64 n)
{
	op->cache = 0;
	for (u64 i = 0; i < n; i++) {
		hpa_t p;
		if (palloc_alloc(op->pt->pa, 0, op->pt->owner, &p) != PALLOC_OK) {
			release_cache(op->pt, op->cache);
			op->cache = 0;
			return -ERR_NOMEM;
		}
		*(u64 *)phys_to_virt(p) = op->cache;
		op->cache = p.val;
	}
	return 0;
}

/*
 * Queue a table unlinked from the tree, and every table below it, for freeing.
 * The chain runs through each page's first word. Until the caller has flushed,
 * a walker may still read these pages through a stale cached pointer; the
 * chain word is a page address, its low 12 bits zero, so in every format it
 * reads as a non-present entry.
 */
static void defer_free(struct pt *pt, struct pt_flush *fl, u64 addr, unsigned level)
{
	if (level > 0) {
		const void *t = table_ptr(pt, addr, level);
		for (u32 i = 0; i < level_entries(pt, level); i++) {
			u64 e = entry_read(pt, t, i);
			if (is_table(pt, e, level))
				defer_free(pt, fl, pt->fmt->table_addr(e), level - 1);
		}
	}
	*(u64 *)phys_to_virt(hpa(addr)) = fl->free_list;
	fl->free_list = addr;
	fl->nr_free++;
}

/* ---------------------------------------------------------------- the choke point */

static bool needs_bbm(const struct pt *pt, u64 old, u64 new, unsigned level)
{
	bool old_table = is_table(pt, old, level), new_table = is_table(pt, new, level);

	if (old_table != new_table)
		return true;
	if (old_table)
		return pt->fmt->table_addr(old) != pt->fmt->table_addr(new);
	return pt->fmt->leaf_addr(old, level) != pt->fmt->leaf_addr(new, level) ||
	       pt->fmt->leaf_attr(old, level).mtype != pt->fmt->leaf_attr(new, level).mtype;
}

/*
 * Every entry change of an update. live: the table is reachable by the
 * hardware (not a fresh table still being filled), so changes of valid
 * entries must be flushed, and on arm64 some need break-before-make.
 */
static void set_entry(struct op *op, void *table, u32 idx, unsigned level, u64 va, u64 old, u64 new,
		      bool live)
{
	struct pt *pt = op->pt;
	struct pt_flush *fl = op->fl;
	bool was_valid = is_present(pt, old, level);

	if (op->count_only || old == new)
		return;
	if (live && was_valid) {
		u64 size = pt_level_size(pt, level);
		if (fl->start >= fl->end) {
			fl->start = va;
			fl->end = va + size;
		} else {
			fl->start = MIN(fl->start, va);
			fl->end = MAX(fl->end, va + size);
		}
		fl->nr_changed++;
		if (is_table(pt, old, level))
			fl->walk_cache = true;
		if (pt->fmt->bbm && is_present(pt, new, level) && needs_bbm(pt, old, new, level)) {
			entry_write(table, idx, 0);
			fl->nr_bbm++;
			if (fl->bbm_sync)
				fl->bbm_sync(fl->ctx, va, size);
		}
	}
	entry_write(table, idx, new);
	if (is_table(pt, old, level) &&
	    (!is_table(pt, new, level) || pt->fmt->table_addr(old) != pt->fmt->table_addr(new)))
		defer_free(pt, fl, pt->fmt->table_addr(old), level - 1);
}

/* ---------------------------------------------------------------- the walk */

static void op_table(struct op *op, void *table, u64 tmpl, unsigned level, u64 va, u64 end,
		     bool live);

static bool table_empty(const struct pt *pt, const void *t, unsigned level)
{
	for (u32 i = 0; i < level_entries(pt, level); i++) {
		if (is_present(pt, entry_read(pt, t, i), level))
			return false;
	}
	return true;
}

/* The range [va, stop) covers only part of entry idx: work one level down. */
static void descend(struct op *op, void *table, u32 idx, unsigned level, u64 e, u64 estart, u64 va,
		    u64 stop, bool live)
{
	struct pt *pt = op->pt;
	bool present = is_present(pt, e, level);
	/* A map over all of a block it cannot reuse rewrites every piece anyway. */
	bool keep = present && !(op->kind == OP_MAP && va == estart &&
				 stop - estart == pt_level_size(pt, level));

	if (is_table(pt, e, level)) {
		void *child = (void *)table_ptr(pt, pt->fmt->table_addr(e), level - 1);
		op_table(op, child, 0, level - 1, va, stop, live);
		if (op->kind == OP_UNMAP && !op->count_only && table_empty(pt, child, level - 1))
			set_entry(op, table, idx, level, estart, e, 0, live);
		return;
	}
	if (!present && op->kind != OP_MAP)
		return;
	/* A new table: empty for a map, or the pieces of a block being split. */
	if (op->count_only) {
		op->need++;
		op_table(op, NULL, keep ? e : 0, level - 1, va, stop, false);
		return;
	}
	u64 child_pa;
	void *child = take_table(op, &child_pa);
	if (keep) {
		for (u32 i = 0; i < level_entries(pt, level - 1); i++)
			entry_write(child, i, split_piece(pt, e, level - 1, i));
	}
	op_table(op, child, 0, level - 1, va, stop, false);
	set_entry(op, table, idx, level, estart, e, pt->fmt->make_table(child_pa), live);
}

static bool same_attr(struct pt_attr a, struct pt_attr b)
{
	return a.perm == b.perm && a.mtype == b.mtype && a.flags == b.flags;
}

static void op_entry(struct op *op, void *table, u32 idx, unsigned level, u64 e, u64 va, u64 stop,
		     bool live)
{
	struct pt *pt = op->pt;
	u64 size = pt_level_size(pt, level);
	u64 estart = ALIGN_DOWN(va, size);
	bool whole = va == estart && stop - estart == size;
	bool present = is_present(pt, e, level);
	bool leaf = present && (level == 0 || pt->fmt->is_leaf(e, level));

	switch (op->kind) {
	case OP_MAP: {
		u64 pa = op->pa0 + (va - op->va0);
		if (whole && can_block(pt, level) && IS_ALIGNED(pa, size)) {
			set_entry(op, table, idx, level, estart, e,
				  pt->fmt->make_leaf(pa, op->attr, level), live);
			return;
		}
		break;
	}
	case OP_UNMAP:
		if (!present)
			return;
		if (whole) {
			set_entry(op, table, idx, level, estart, e, 0, live);
			return;
		}
		break;
	case OP_PROTECT:
		if (!present)
			return;
		if (leaf && whole) {
			u64 pa = pt->fmt->leaf_addr(e, level);
			set_entry(op, table, idx, level, estart, e,
				  pt->fmt->make_leaf(pa, op->attr, level), live);
			return;
		}
		/* A block that already has these attributes needs no split. */
		if (leaf && same_attr(pt->fmt->leaf_attr(e, level), op->attr))
			return;
		break;
	}
	descend(op, table, idx, level, e, estart, va, stop, live);
}

/* The entries of one table that [va, end) touches. table == NULL (count pass):
 * a table not made yet, whose entries are the pieces of tmpl (or empty). */
static void op_table(struct op *op, void *table, u64 tmpl, unsigned level, u64 va, u64 end,
		     bool live)
{
	struct pt *pt = op->pt;
	u64 size = pt_level_size(pt, level);
	u32 idx = index_of(pt, va, level);

	/* Nothing at the last level needs a table page: the count is complete. */
	if (op->count_only && level == 0)
		return;
	while (va < end) {
		u64 stop = MIN(end, ALIGN_DOWN(va, size) + size);
		u64 e = table ? entry_read(pt, table, idx) : split_piece(pt, tmpl, level, idx);
		op_entry(op, table, idx, level, e, va, stop, live);
		va = stop;
		idx++;
	}
}

/* ---------------------------------------------------------------- updates */

static int check_range(const struct pt *pt, u64 va, u64 size)
{
	/* Read-only formats, and trees pt_attach() describes (a guest's: no allocator). */
	if (pt->fmt->read_only || !pt->pa)
		return -ERR_PERM;
	if (!size || !IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE))
		return -ERR_INVAL;
	if (va + size < va || (pt->va_bits < 64 && va + size > (1ULL << pt->va_bits)))
		return -ERR_RANGE;
	return 0;
}

static int check_attr(const struct pt *pt, struct pt_attr a)
{
	/* A mapping is at least readable: no format here encodes write-only. */
	if (!(a.perm & PT_R) || (a.perm & ~pt->fmt->perm_mask) || a.mtype >= PT_MT_COUNT)
		return -ERR_INVAL;
	return 0;
}

static int run(struct op *op)
{
	struct pt *pt = op->pt;
	void *root = (void *)table_ptr(pt, pt->root.val, pt->levels - 1u);
	int rc;

	op->count_only = true;
	op_table(op, root, 0, pt->levels - 1u, op->va0, op->end, true);
	rc = fill_cache(op, op->need);
	if (rc)
		return rc;
	op->count_only = false;
	op_table(op, root, 0, pt->levels - 1u, op->va0, op->end, true);
	/* The counts agree by construction; anything left is given back. */
	release_cache(pt, op->cache);
	return 0;
}

int pt_map(struct pt *pt, u64 va, u64 pa, u64 size, struct pt_attr attr, struct pt_flush *fl)
{
	struct op op = { .pt = pt,
			 .kind = OP_MAP,
			 .va0 = va,
			 .pa0 = pa,
			 .attr = attr,
			 .end = va + size,
			 .fl = fl };
	int rc = check_range(pt, va, size);

	if (rc)
		return rc;
	if (!IS_ALIGNED(pa, PAGE_SIZE))
		return -ERR_INVAL;
	if (pa + size < pa || (pt->fmt->pa_bits < 64 && pa + size > (1ULL << pt->fmt->pa_bits)))
		return -ERR_RANGE;
	rc = check_attr(pt, attr);
	return rc ? rc : run(&op);
}

int pt_unmap(struct pt *pt, u64 va, u64 size, struct pt_flush *fl)
{
	struct op op = { .pt = pt, .kind = OP_UNMAP, .va0 = va, .end = va + size, .fl = fl };
	int rc = check_range(pt, va, size);
	return rc ? rc : run(&op);
}

int pt_protect(struct pt *pt, u64 va, u64 size, struct pt_attr attr, struct pt_flush *fl)
{
	struct op op = {
		.pt = pt, .kind = OP_PROTECT, .va0 = va, .attr = attr, .end = va + size, .fl = fl
	};
	int rc = check_range(pt, va, size);

	if (!rc)
		rc = check_attr(pt, attr);
	return rc ? rc : run(&op);
}

/* ---------------------------------------------------------------- set-up */

static int geometry(struct pt *pt, const struct pt_format *fmt, u32 va_bits, u32 levels)
{
	if (levels < 1 || levels > fmt->max_levels)
		return -ERR_INVAL;
	*pt = (struct pt){ .fmt = fmt,
			   .levels = (u8)levels,
			   .va_bits = (u8)va_bits,
			   .block_mask = fmt->block_mask };
	pt->shift[0] = PT_PAGE_SHIFT;
	for (unsigned l = 1; l < levels; l++)
		pt->shift[l] = (u8)(pt->shift[l - 1] + fmt->bits[l - 1]);
	unsigned top = levels - 1, shift = pt->shift[top];
	if (va_bits <= shift || va_bits > 64)
		return -ERR_INVAL;
	unsigned root_bits = va_bits - shift;
	unsigned concat_bits = 31 - (unsigned)__builtin_clz(fmt->max_concat);
	if (root_bits > fmt->bits[top] + concat_bits)
		return -ERR_INVAL;
	pt->root_entries = 1u << root_bits;
	u64 bytes = (u64)pt->root_entries << fmt->entry_shift;
	pt->root_order = bytes <= PAGE_SIZE ? 0 : (u32)__builtin_ctzll(bytes >> PAGE_SHIFT);
	return 0;
}

int pt_init(struct pt *pt, const struct pt_format *fmt, u32 va_bits, u32 levels, struct palloc *pa,
	    owner_t owner)
{
	hpa_t root;
	int rc = geometry(pt, fmt, va_bits, levels);

	if (rc)
		return rc;
	if (fmt->read_only)
		return -ERR_PERM;
	pt->pa = pa;
	pt->owner = owner;
	if (palloc_alloc(pa, pt->root_order, owner, &root) != PALLOC_OK)
		return -ERR_NOMEM;
	u64 *t = phys_to_virt(root);
	for (u64 i = 0; i < (PAGE_SIZE << pt->root_order) / 8; i++)
		t[i] = 0;
	pt->root = root;
	pt->nr_tables = 1ULL << pt->root_order;
	return 0;
}

int pt_attach(struct pt *pt, const struct pt_format *fmt, u32 va_bits, u32 levels, u64 root)
{
	int rc = geometry(pt, fmt, va_bits, levels);
	if (!rc)
		pt->root = hpa(root);
	return rc;
}

static void free_tree(struct pt *pt, u64 addr, unsigned level)
{
	if (level > 0) {
		const void *t = table_ptr(pt, addr, level);
		for (u32 i = 0; i < level_entries(pt, level); i++) {
			u64 e = entry_read(pt, t, i);
			if (is_table(pt, e, level))
				free_tree(pt, pt->fmt->table_addr(e), level - 1);
		}
	}
	if (level < pt->levels - 1u) {
		palloc_free(pt->pa, hpa(addr), 0, pt->owner);
		pt->nr_tables--;
	}
}

void pt_destroy(struct pt *pt)
{
	if (!pt->pa || !pt->root.val)
		return;
	free_tree(pt, pt->root.val, pt->levels - 1u);
	palloc_free(pt->pa, pt->root, pt->root_order, pt->owner);
	pt->nr_tables -= 1ULL << pt->root_order;
	pt->root = hpa(0);
}

void pt_flush_init(struct pt_flush *fl)
{
	*fl = (struct pt_flush){ 0 };
}

void pt_flush_done(struct pt *pt, struct pt_flush *fl)
{
	while (fl->free_list) {
		u64 next = *(u64 *)phys_to_virt(hpa(fl->free_list));
		palloc_free(pt->pa, hpa(fl->free_list), 0, pt->owner);
		pt->nr_tables--;
		fl->free_list = next;
	}
	fl->nr_free = 0;
}

/* ---------------------------------------------------------------- reading */

bool pt_lookup(const struct pt *pt, u64 va, struct pt_leaf *out)
{
	u64 addr = pt->root.val;

	if (pt->va_bits < 64 && va >= (1ULL << pt->va_bits))
		return false;
	for (int level = pt->levels - 1; level >= 0; level--) {
		const void *t = table_ptr(pt, addr, (unsigned)level);
		if (!t)
			return false;
		u64 e = entry_read(pt, t, index_of(pt, va, (unsigned)level));
		if (!is_present(pt, e, (unsigned)level))
			return false;
		if (level == 0 || pt->fmt->is_leaf(e, (unsigned)level)) {
			/* A leaf where the format allows none (a guest's PS bit in a
			 * PML4 entry, say) is a reserved-bit fault: nothing maps. */
			if (level > 0 && !(pt->block_mask & BIT(level)))
				return false;
			u64 size = pt_level_size(pt, (unsigned)level);
			out->va = ALIGN_DOWN(va, size);
			out->pa = pt->fmt->leaf_addr(e, (unsigned)level);
			out->size = size;
			out->level = (unsigned)level;
			out->attr = pt->fmt->leaf_attr(e, (unsigned)level);
			out->entry = e;
			return true;
		}
		addr = pt->fmt->table_addr(e);
	}
	return false;
}

static int walk_table(const struct pt *pt, u64 addr, unsigned level, u64 va, u64 end,
		      pt_visit_fn fn, void *ctx)
{
	const void *t = table_ptr(pt, addr, level);
	u64 size = pt_level_size(pt, level);
	u32 idx = index_of(pt, va, level);

	if (!t)
		return 0;
	while (va < end) {
		u64 estart = ALIGN_DOWN(va, size), stop = MIN(end, estart + size);
		u64 e = entry_read(pt, t, idx);
		int rc = 0;
		if (is_table(pt, e, level)) {
			rc = walk_table(pt, pt->fmt->table_addr(e), level - 1, va, stop, fn, ctx);
		} else if (is_present(pt, e, level) &&
			   (level == 0 || (pt->block_mask & BIT(level)))) {
			struct pt_leaf leaf = { estart, pt->fmt->leaf_addr(e, level), size,
						level,	pt->fmt->leaf_attr(e, level), e };
			rc = fn(ctx, &leaf);
		}
		if (rc)
			return rc;
		va = stop;
		idx++;
	}
	return 0;
}

int pt_walk(const struct pt *pt, u64 va, u64 size, pt_visit_fn fn, void *ctx)
{
	u64 end = va + size;
	u64 limit = pt->va_bits < 64 ? 1ULL << pt->va_bits : ~0ULL;

	if (end < va || end > limit)
		end = limit;
	if (va >= end)
		return 0;
	return walk_table(pt, pt->root.val, pt->levels - 1u, va, end, fn, ctx);
}
