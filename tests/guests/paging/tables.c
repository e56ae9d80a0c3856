/* tables.c: page-table tricks a shadow MMU must follow: live edits, recursion, shared and reused tables. */
#include "paging.h"

#define A_D (PTE_A | PTE_D)
#define EDIT_IDX 11 /* test-region pages each check uses (checks.c has 0-10) */
#define REC_IDX 12
#define REUSE_IDX 14
#define REUSE_WORDS 16
#define REUSE_WRITES 96

/* Pages of the two-level check: X, then Y, is the table T's entry points to. */
static u32 *tl_x, *tl_y;

/* An entry read back as data: the flags but A and D (the CPU may set them) and the address. */
static bool entry_is(const struct op *o, u32 want)
{
	return o->fault == NO_FAULT && ((u32)o->val & ~(u32)A_D) == want;
}

/* The mode's entry size: 4 bytes in 32-bit paging, 8 in PAE and 4-level. */
static u32 esz(const struct mode *m)
{
	return m->pae ? 8 : 4;
}

/*
 * A page mapped and used, then its PTE changed with paging on, each change
 * followed by INVLPG: to another frame, not present (read and write #PF
 * with CR2 inside the page), present again, read-only (a write with WP=1
 * is #PF P|W, reads still work), writable again.
 */
void check_live_edit(const struct mode *m)
{
	u64 v = page_va(m, EDIT_IDX);
	u32 pte = pa_of(pte_lo(m, EDIT_IDX));
	struct op *r1, *r2, *r3, *w3, *r4, *w5, *r5, *w6;

	pg_a[0] = PAT_A;
	pg_b[0] = PAT_B;
	set_pte(m, EDIT_IDX, pa_of(pg_a), PTE_P | PTE_W);
	r1 = op_add(OP_READ, v, 0);
	op_add(OP_WRITE, pte, pa_of(pg_b) | PTE_P | PTE_W);
	op_add(OP_INVLPG, v, 0);
	r2 = op_add(OP_READ, v, 0);
	op_add(OP_WRITE, pte, pa_of(pg_b) | PTE_W); /* P clear, the rest kept */
	op_add(OP_INVLPG, v, 0);
	r3 = op_add(OP_READ, v + 0x10, 0);
	w3 = op_add(OP_WRITE, v + 0x20, 1);
	op_add(OP_WRITE, pte, pa_of(pg_a) | PTE_P | PTE_W);
	op_add(OP_INVLPG, v, 0);
	r4 = op_add(OP_READ, v, 0);
	op_add(OP_WRITE, pte, pa_of(pg_a) | PTE_P);
	op_add(OP_INVLPG, v, 0);
	op_add(OP_SET_WP, 0, 1);
	w5 = op_add(OP_WRITE, v + 0x30, 0xbad);
	r5 = op_add(OP_READ, v, 0);
	op_add(OP_WRITE, pte, pa_of(pg_a) | PTE_P | PTE_W);
	op_add(OP_INVLPG, v, 0);
	w6 = op_add(OP_WRITE, v + 0x34, 0x600d);
	op_add(OP_SET_WP, 0, 0);
	pg_a[12] = pg_a[13] = 0;
	if (!ops_run(m))
		return;
	check(read_ok(r1, PAT_A) && read_ok(r2, PAT_B) && r3->fault == VEC_PF && r3->err == 0 &&
		      r3->cr2 == v + 0x10 && w3->fault == VEC_PF && w3->err == PF_W &&
		      w3->cr2 == v + 0x20 && read_ok(r4, PAT_A),
	      cname(m, "live_edit_remap"),
	      "reads 0x%llx, 0x%llx (want 0x%x, 0x%x); not present: read vector %d error 0x%x "
	      "cr2 0x%llx, write vector %d error 0x%x cr2 0x%llx; present again: 0x%llx",
	      r1->val, r2->val, PAT_A, PAT_B, r3->fault, r3->err, r3->cr2, w3->fault, w3->err,
	      w3->cr2, r4->val);
	check(w5->fault == VEC_PF && w5->err == (PF_P | PF_W) && w5->cr2 == v + 0x30 &&
		      read_ok(r5, PAT_A) && pg_a[12] == 0 && w6->fault == NO_FAULT &&
		      pg_a[13] == 0x600d,
	      cname(m, "live_edit_protect"),
	      "read-only: write vector %d error 0x%x cr2 0x%llx, read 0x%llx (fault %d), page "
	      "word 0x%x; writable again: write fault %d, page word 0x%x",
	      w5->fault, w5->err, w5->cr2, r5->val, r5->fault, pg_a[12], w6->fault, pg_a[13]);
}

/*
 * A top-level entry pointing at its own table: the tables appear as data in
 * a window of the address space. Read a PTE and the self entry through it,
 * write a PTE through it (the CPU sees the new PTE after INVLPG), and clear
 * the PTE's P through it.
 */
void check_recursive(const struct mode *m)
{
	u32 saved = *m->rec_slot, want_pte = pa_of(pg_a) | PTE_P | PTE_W;
	u64 v = page_va(m, REC_IDX), pte_va = m->rec_pt_va + REC_IDX * esz(m);
	struct op *r1, *rp, *rs, *w, *r2, *r3;

	pg_a[0] = PAT_A;
	pg_b[0] = PAT_B;
	set_pte(m, REC_IDX, pa_of(pg_a), PTE_P | PTE_W);
	*m->rec_slot = m->rec_val;
	r1 = op_add(OP_READ, v, 0);
	rp = op_add(OP_READ, pte_va, 0);
	rs = op_add(OP_READ, m->rec_top_va + m->rec_index * esz(m), 0);
	w = op_add(OP_WRITE, pte_va, pa_of(pg_b) | PTE_P | PTE_W);
	op_add(OP_INVLPG, v, 0);
	r2 = op_add(OP_READ, v, 0);
	op_add(OP_WRITE, pte_va, 0);
	op_add(OP_INVLPG, v, 0);
	r3 = op_add(OP_READ, v + 8, 0);
	if (ops_run(m))
		check(read_ok(r1, PAT_A) && entry_is(rp, want_pte) && (rp->val & PTE_A) &&
			      entry_is(rs, m->rec_val) && w->fault == NO_FAULT &&
			      read_ok(r2, PAT_B) && r3->fault == VEC_PF && r3->err == 0 &&
			      r3->cr2 == v + 8 && *pte_lo(m, REC_IDX) == 0,
		      cname(m, "recursive"),
		      "read 0x%llx; through the window at 0x%llx: PTE 0x%llx (fault %d, want "
		      "0x%x|A), self entry 0x%llx (fault %d, want 0x%x); write fault %d, then "
		      "read 0x%llx; P cleared: vector %d error 0x%x cr2 0x%llx, PTE 0x%x",
		      r1->val, m->rec_pt_va, rp->val, rp->fault, want_pte, rs->val, rs->fault,
		      m->rec_val, w->fault, r2->val, r3->fault, r3->err, r3->cr2,
		      *pte_lo(m, REC_IDX));
	*m->rec_slot = saved;
}

/* Write a table entry pointing at page with P|W; tables of the mode's entry size. */
static void set_entry(const struct mode *m, u32 *table, u32 idx, u32 page)
{
	if (m->pae)
		((u64 *)table)[idx] = page | PTE_P | PTE_W;
	else
		table[idx] = page | PTE_P | PTE_W;
}

/*
 * The page T is a last-level table on one walk and the directory above it
 * on another: T's entry points at X, which one walk sees as data (its
 * first entry) and the other as the table mapping pg_b. Then T's entry is
 * changed to Y with paging on, and Y's first entry through the first walk.
 */
void check_two_levels(const struct mode *m)
{
	struct op *t1, *d1, *d2, *t2, *w, *d3;

	if (!tl_x) {
		tl_x = page_alloc();
		tl_y = page_alloc();
	}
	memset(tl_x, 0, 4096);
	memset(tl_y, 0, 4096);
	pg_b[0] = PAT_B;
	pg_c[0] = PAT_C;
	set_entry(m, tl_x, 0, pa_of(pg_b));
	set_entry(m, tl_y, 0, pa_of(pg_c));
	*m->tl_entry = pa_of(tl_x) | PTE_P | PTE_W;
	if (m->pae)
		m->tl_entry[1] = 0;
	op_add(OP_SET_CR3, 0, m->tl_cr3_table);
	t1 = op_add(OP_READ, m->tl_va_table, 0);
	op_add(OP_SET_CR3, 0, m->tl_cr3_dir);
	d1 = op_add(OP_READ, m->tl_va_dir, 0);
	op_add(OP_WRITE, pa_of(m->tl_entry), pa_of(tl_y) | PTE_P | PTE_W);
	op_add(OP_INVLPG, m->tl_va_dir, 0);
	d2 = op_add(OP_READ, m->tl_va_dir, 0);
	op_add(OP_SET_CR3, 0, m->tl_cr3_table);
	op_add(OP_INVLPG, m->tl_va_table, 0);
	t2 = op_add(OP_READ, m->tl_va_table, 0);
	/* Y is a live table of the directory walk: change it as data, through T. */
	w = op_add(OP_WRITE, m->tl_va_table, pa_of(pg_b) | PTE_P | PTE_W);
	op_add(OP_SET_CR3, 0, m->tl_cr3_dir);
	op_add(OP_INVLPG, m->tl_va_dir, 0);
	d3 = op_add(OP_READ, m->tl_va_dir, 0);
	op_add(OP_SET_CR3, 0, m->cr3);
	if (ops_run(m))
		check(entry_is(t1, pa_of(pg_b) | PTE_P | PTE_W) && read_ok(d1, PAT_B) &&
			      read_ok(d2, PAT_C) && entry_is(t2, pa_of(pg_c) | PTE_P | PTE_W) &&
			      w->fault == NO_FAULT && read_ok(d3, PAT_B),
		      cname(m, "table_at_two_levels"),
		      "as a table: 0x%llx (fault %d); as a directory: 0x%llx (fault %d); after "
		      "the change 0x%llx (fault %d) and 0x%llx (fault %d); write through the "
		      "table fault %d, then 0x%llx (fault %d)",
		      t1->val, t1->fault, d1->val, d1->fault, d2->val, d2->fault, t2->val,
		      t2->fault, w->fault, d3->val, d3->fault);
}

/*
 * X was a page table (the two-level check's); now it is only data, mapped
 * at one VA and written many times (a shadow MMU must let go of it, or at
 * least keep up with every write), then read back.
 */
void check_table_reuse(const struct mode *m)
{
	static struct op *reads[REUSE_WORDS];
	u64 v = page_va(m, REUSE_IDX);
	u32 bad = 0, first = 0;

	if (!tl_x)
		return;
	set_pte(m, REUSE_IDX, pa_of(tl_x), PTE_P | PTE_W);
	for (u32 i = 0; i < REUSE_WRITES; i++)
		op_add(OP_WRITE, v + (i % REUSE_WORDS) * 4, 0x7e000000u + i);
	for (u32 i = 0; i < REUSE_WORDS; i++)
		reads[i] = op_add(OP_READ, v + i * 4, 0);
	if (!ops_run(m))
		return;
	for (u32 i = 0; i < REUSE_WORDS; i++) {
		u32 want = 0x7e000000u + REUSE_WRITES - REUSE_WORDS + i;
		if (!read_ok(reads[i], want) || tl_x[i] != want)
			first = bad++ ? first : i;
	}
	check(bad == 0, cname(m, "table_reused_as_data"),
	      "%u of %u words wrong; word %u read 0x%llx (fault %d), memory 0x%x", bad, REUSE_WORDS,
	      first, reads[first]->val, reads[first]->fault, tl_x[first]);
}

/* A and D of a 4 MiB or 2 MiB page: a read sets A only, a write then sets D. */
void check_big_accessed_dirty(const struct mode *m)
{
	u32 pde = pa_of(m->big_pde);
	struct op *p1, *p2;

	*m->big_pde &= ~(u32)A_D;
	op_add(OP_READ, m->big_va + 0x100, 0);
	p1 = op_add(OP_READ, pde, 0);
	op_add(OP_WRITE, m->big_va + 0x104, 0xd1d1);
	p2 = op_add(OP_READ, pde, 0);
	if (ops_run(m))
		check(p1->fault == NO_FAULT && (p1->val & A_D) == PTE_A && p2->fault == NO_FAULT &&
			      (p2->val & A_D) == A_D,
		      cname(m, m->pae ? "accessed_dirty_2m" : "accessed_dirty_4m"),
		      "directory entry after a read 0x%llx, after a write 0x%llx", p1->val,
		      p2->val);
}

/* Step k of the loop visits this space: a hot set of three, every other
 * step, between the steps of a stride-5 walk through all of them. */
static u32 proc_space(u32 k)
{
	return k & 1 ? (k >> 1) * 5 % PROC_SPACES : (k >> 1) % 3;
}

/*
 * Processes: PROC_SPACES address spaces, each its own top-level table over
 * the shared identity tables, each mapping its own page at the same VA.
 * PROC_SWITCHES CR3 loads among them; after each the VA must read that
 * space's value, and a write there must land in that space's page.
 */
void check_proc_switch(const struct mode *m)
{
	static u32 *pages[PROC_SPACES];
	static struct op *reads[PROC_SWITCHES];
	u32 cr3[PROC_SPACES], last[PROC_SPACES], bad = 0, first = 0;

	for (u32 i = 0; i < PROC_SPACES; i++) {
		if (!pages[i])
			pages[i] = page_alloc();
		pages[i][0] = 0x2000 + i;
		pages[i][1] = 0;
		cr3[i] = m->clone(m, pa_of(pages[i]));
		last[i] = 0;
	}
	for (u32 k = 0; k < PROC_SWITCHES; k++) {
		u32 s = proc_space(k);
		op_add(OP_SET_CR3, 0, cr3[s]);
		reads[k] = op_add(OP_READ, m->base, 0);
		op_add(OP_WRITE, m->base + 4, 0x3000 + k);
		last[s] = 0x3000 + k;
	}
	op_add(OP_SET_CR3, 0, m->cr3);
	if (!ops_run(m))
		return;
	for (u32 k = 0; k < PROC_SWITCHES; k++) {
		u32 s = proc_space(k);
		if (!read_ok(reads[k], 0x2000 + s) || pages[s][1] != last[s])
			first = bad++ ? first : k;
	}
	check(bad == 0, cname(m, "process_switch_loop"),
	      "%u of %u switches wrong; first: step %u, space %u read 0x%llx (fault %d), its "
	      "page's last write 0x%x, want 0x%x",
	      bad, PROC_SWITCHES, first, proc_space(first), reads[first]->val, reads[first]->fault,
	      pages[proc_space(first)][1], last[proc_space(first)]);
}
