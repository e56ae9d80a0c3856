/* checks.c: the paging checks, written once against struct mode and run in each paging mode. */
#include "paging.h"

#define BIG_OFF 0x1ab454u /* inside a 2 MiB page */

static struct op ops[OPS_MAX];
static u32 nops;
u32 *pg_a, *pg_b, *pg_c;
static u32 *pg_d, *pg_e, *pg_x, *as_pages[ADDR_SPACES];

u32 pa_of(const void *p)
{
	return (u32)(size_t)p;
}

u64 page_va(const struct mode *m, u32 idx)
{
	return m->base + (u64)idx * 4096;
}

/* "<mode>.<what>" for a check name (printed at once, so one buffer is enough). */
const char *cname(const struct mode *m, const char *what)
{
	static char buf[48];
	size_t n = strlen(m->name);

	memcpy(buf, m->name, n);
	buf[n] = '.';
	memcpy(buf + n + 1, what, strlen(what) + 1);
	return buf;
}

void set_pte(const struct mode *m, u32 idx, u32 pa, u64 flags)
{
	if (m->pae)
		((u64 *)m->pt)[idx] = pa | flags;
	else
		((u32 *)m->pt)[idx] = pa | (u32)flags;
}

/* The PTE's low dword, which holds the address bits below 4 GiB and the flags. */
u32 *pte_lo(const struct mode *m, u32 idx)
{
	return m->pae ? (u32 *)&((u64 *)m->pt)[idx] : &((u32 *)m->pt)[idx];
}

struct op *op_add(u32 kind, u64 va, u64 val)
{
	struct op *o = &ops[nops];

	if (nops + 1 >= OPS_MAX) {
		check(false, "paging.ops", "more than %u ops in one run", OPS_MAX - 1);
		guest_finish();
	}
	nops++;
	*o = (struct op){ .kind = kind, .va = va, .val = val };
	ops[nops].kind = OP_END;
	return o;
}

bool ops_run(const struct mode *m)
{
	bool ok = m->run(m, ops);

	nops = 0;
	return ok;
}

bool read_ok(const struct op *o, u32 want)
{
	return o->fault == NO_FAULT && o->val == want;
}

static void check_map(const struct mode *m)
{
	struct op *r0, *r1, *w;

	pg_a[0] = PAT_A;
	pg_a[2] = 0;
	pg_b[1023] = PAT_B;
	set_pte(m, 0, pa_of(pg_a), PTE_P | PTE_W);
	set_pte(m, 1, pa_of(pg_b), PTE_P | PTE_W);
	r0 = op_add(OP_READ, page_va(m, 0), 0);
	r1 = op_add(OP_READ, page_va(m, 1) + 0xffc, 0);
	w = op_add(OP_WRITE, page_va(m, 0) + 8, 0x5a5a0001);
	if (ops_run(m))
		check(read_ok(r0, PAT_A) && read_ok(r1, PAT_B) && w->fault == NO_FAULT &&
			      pg_a[2] == 0x5a5a0001,
		      cname(m, "map_4k"),
		      "read 0x%llx/0x%llx (faults %d/%d), write fault %d, page holds 0x%x", r0->val,
		      r1->val, r0->fault, r1->fault, w->fault, pg_a[2]);
}

static void check_alias(const struct mode *m)
{
	struct op *w, *r;

	pg_c[4] = 0;
	set_pte(m, 2, pa_of(pg_c), PTE_P | PTE_W);
	set_pte(m, 3, pa_of(pg_c), PTE_P | PTE_W);
	w = op_add(OP_WRITE, page_va(m, 2) + 16, 0xa11a5ed0);
	r = op_add(OP_READ, page_va(m, 3) + 16, 0);
	if (ops_run(m))
		check(w->fault == NO_FAULT && read_ok(r, 0xa11a5ed0), cname(m, "alias"),
		      "wrote through one VA, read 0x%llx (fault %d) through the other", r->val,
		      r->fault);
}

static void check_big(const struct mode *m)
{
	volatile u32 *phys = (u32 *)(size_t)(m->big_pa + BIG_OFF);
	struct op *w, *r;

	phys[0] = 0;
	phys[1] = 0x12345678;
	w = op_add(OP_WRITE, m->big_va + BIG_OFF, 0x600df00d);
	r = op_add(OP_READ, m->big_va + BIG_OFF + 4, 0);
	if (ops_run(m))
		check(w->fault == NO_FAULT && phys[0] == 0x600df00d && read_ok(r, 0x12345678),
		      cname(m, m->pae ? "map_2m" : "map_4m_pse"),
		      "write fault %d, memory holds 0x%x; read 0x%llx (fault %d)", w->fault,
		      phys[0], r->val, r->fault);
	if (!m->huge_va) {
		if (m->lm)
			skip(cname(m, "map_1g"), "the CPU has no 1 GiB pages");
		return;
	}
	r = op_add(OP_READ, m->huge_va + pa_of(pg_a), 0);
	if (ops_run(m))
		check(read_ok(r, PAT_A), cname(m, "map_1g"), "read 0x%llx (fault %d), want 0x%x",
		      r->val, r->fault, PAT_A);
}

static void check_not_present(const struct mode *m)
{
	struct op *r, *w;

	set_pte(m, 5, 0, 0);
	r = op_add(OP_READ, page_va(m, 5), 0);
	w = op_add(OP_WRITE, page_va(m, 5) + 4, 1);
	if (ops_run(m))
		check(r->fault == VEC_PF && r->err == 0 && r->cr2 == page_va(m, 5) &&
			      w->fault == VEC_PF && w->err == PF_W && w->cr2 == page_va(m, 5) + 4,
		      cname(m, "not_present_pf"),
		      "read: vector %d error 0x%x cr2 0x%llx; write: vector %d error 0x%x cr2 "
		      "0x%llx",
		      r->fault, r->err, r->cr2, w->fault, w->err, w->cr2);
}

static void check_wp(const struct mode *m)
{
	struct op *w0, *w1;

	pg_d[0] = 0;
	set_pte(m, 4, pa_of(pg_d), PTE_P);
	op_add(OP_SET_WP, 0, 0);
	w0 = op_add(OP_WRITE, page_va(m, 4), 0x11);
	op_add(OP_SET_WP, 0, 1);
	w1 = op_add(OP_WRITE, page_va(m, 4), 0x22);
	op_add(OP_SET_WP, 0, 0);
	if (ops_run(m))
		check(w0->fault == NO_FAULT && w1->fault == VEC_PF && w1->err == (PF_P | PF_W) &&
			      w1->cr2 == page_va(m, 4) && pg_d[0] == 0x11,
		      cname(m, "cr0_wp"),
		      "WP=0 write fault %d; WP=1 write vector %d error 0x%x; page holds 0x%x",
		      w0->fault, w1->fault, w1->err, pg_d[0]);
}

static void check_accessed_dirty(const struct mode *m)
{
	u32 pte = pa_of(pte_lo(m, 6));
	struct op *p1, *p2;

	set_pte(m, 6, pa_of(pg_e), PTE_P | PTE_W);
	*m->dir &= ~PTE_A;
	op_add(OP_READ, page_va(m, 6), 0);
	p1 = op_add(OP_READ, pte, 0);
	op_add(OP_WRITE, page_va(m, 6), 1);
	p2 = op_add(OP_READ, pte, 0);
	if (ops_run(m))
		check((p1->val & (PTE_A | PTE_D)) == PTE_A &&
			      (p2->val & (PTE_A | PTE_D)) == (PTE_A | PTE_D) && (*m->dir & PTE_A),
		      cname(m, "accessed_dirty"),
		      "PTE after a read 0x%llx, after a write 0x%llx, directory entry 0x%x",
		      p1->val, p2->val, *m->dir);
}

static void check_invlpg(const struct mode *m)
{
	struct op *r1, *r2;

	pg_a[0] = PAT_A;
	pg_b[0] = PAT_B;
	set_pte(m, 7, pa_of(pg_a), PTE_P | PTE_W);
	r1 = op_add(OP_READ, page_va(m, 7), 0);
	op_add(OP_WRITE, pa_of(pte_lo(m, 7)), pa_of(pg_b) | PTE_P | PTE_W);
	op_add(OP_INVLPG, page_va(m, 7), 0);
	r2 = op_add(OP_READ, page_va(m, 7), 0);
	if (ops_run(m))
		check(read_ok(r1, PAT_A) && read_ok(r2, PAT_B), cname(m, "invlpg"),
		      "read 0x%llx before, 0x%llx after changing the PTE (want 0x%x, 0x%x)",
		      r1->val, r2->val, PAT_A, PAT_B);
}

static void check_nx(const struct mode *m)
{
	struct op *e1, *e2, *r;

	if (!m->nx) {
		if (m->pae)
			skip(cname(m, "nx"), "the CPU has no NX");
		return;
	}
	memset(pg_x, 0xc3, 4096); /* ret */
	set_pte(m, 8, pa_of(pg_x), PTE_P);
	set_pte(m, 9, pa_of(pg_x), PTE_P | PTE_NX);
	e1 = op_add(OP_EXEC, page_va(m, 8), 0);
	e2 = op_add(OP_EXEC, page_va(m, 9), 0);
	r = op_add(OP_READ, page_va(m, 9), 0);
	if (ops_run(m))
		check(e1->fault == NO_FAULT && e2->fault == VEC_PF && e2->err == (PF_P | PF_ID) &&
			      e2->cr2 == page_va(m, 9) && read_ok(r, 0xc3c3c3c3),
		      cname(m, "nx"),
		      "exec without NX: fault %d; with NX: vector %d error 0x%x cr2 0x%llx; read "
		      "fault %d",
		      e1->fault, e2->fault, e2->err, e2->cr2, r->fault);
}

static void check_reserved(const struct mode *m)
{
	struct op *r;

	if (!m->rsvd_bit)
		return;
	set_pte(m, 10, pa_of(pg_a), (1ull << m->rsvd_bit) | PTE_P | PTE_W);
	r = op_add(OP_READ, page_va(m, 10), 0);
	if (ops_run(m))
		/* Hardware also sets P here; QEMU 7.2's TCG does not, so only RSVD is checked. */
		check(r->fault == VEC_PF && (r->err & (PF_RSVD | PF_W | PF_ID)) == PF_RSVD &&
			      r->cr2 == page_va(m, 10),
		      cname(m, "reserved_bit_pf"), "PTE bit %u: vector %d error 0x%x cr2 0x%llx",
		      m->rsvd_bit, r->fault, r->err, r->cr2);
}

/* Many address spaces mapping the same VA to different pages, visited in turn. */
static void check_cr3_switch(const struct mode *m)
{
	static struct op *reads[2][ADDR_SPACES];
	u32 cr3[ADDR_SPACES], bad = 0, first = 0;

	for (u32 i = 0; i < ADDR_SPACES; i++) {
		as_pages[i][0] = 0x1000 + i;
		as_pages[i][1] = 0;
		cr3[i] = m->clone(m, pa_of(as_pages[i]));
	}
	for (u32 round = 0; round < 2; round++) {
		for (u32 i = 0; i < ADDR_SPACES; i++) {
			op_add(OP_SET_CR3, 0, cr3[i]);
			reads[round][i] = op_add(OP_READ, m->base, 0);
			op_add(OP_WRITE, m->base + 4, round << 8 | i);
		}
	}
	op_add(OP_SET_CR3, 0, m->cr3);
	if (!ops_run(m))
		return;
	for (u32 i = 0; i < 2 * ADDR_SPACES; i++) {
		u32 as = i % ADDR_SPACES;
		if (!read_ok(reads[i / ADDR_SPACES][as], 0x1000 + as) ||
		    as_pages[as][1] != (1u << 8 | as))
			first = bad++ ? first : i;
	}
	check(bad == 0, cname(m, "cr3_switch_64"),
	      "%u of %u visits wrong; first: space %u read 0x%llx, its page holds 0x%x", bad,
	      2 * ADDR_SPACES, first % ADDR_SPACES,
	      reads[first / ADDR_SPACES][first % ADDR_SPACES]->val,
	      as_pages[first % ADDR_SPACES][1]);
}

static void alloc_pages(void)
{
	if (pg_a)
		return;
	pg_a = page_alloc();
	pg_b = page_alloc();
	pg_c = page_alloc();
	pg_d = page_alloc();
	pg_e = page_alloc();
	pg_x = page_alloc();
	for (u32 i = 0; i < ADDR_SPACES; i++)
		as_pages[i] = page_alloc();
}

void run_mode_checks(const struct mode *m)
{
	printf("paging: %s: test pages at 0x%llx, root 0x%x\n", m->name, m->base, m->cr3);
	alloc_pages();
	check_map(m);
	check_alias(m);
	check_big(m);
	check_not_present(m);
	check_wp(m);
	check_accessed_dirty(m);
	check_invlpg(m);
	check_nx(m);
	check_reserved(m);
	check_cr3_switch(m);
	check_live_edit(m);
	check_recursive(m);
	check_two_levels(m);
	check_table_reuse(m);
	check_big_accessed_dirty(m);
	check_proc_switch(m);
	if (!m->lm)
		check_fault_in_delivery(m);
}
