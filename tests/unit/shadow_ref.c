/* shadow_ref.c: the shadow MMU tests' reference walker (from the SDM), fake CPU and checks. */
#include "shadow_ref.h"

#include <stdio.h>
#include <string.h>

#include "arch/x86/msr.h"
#include "fake_ram.h"
#include "mm/phys.h"

/*
 * What this follows (Intel SDM vol. 3A, chapter 4):
 * - 4.3 32-bit paging: 4-byte entries, PD then PT; a PDE with PS maps 4 MiB
 *   only with CR4.PSE, its bits 20:13 give address bits 39:32 (PSE-36, up
 *   to min(MAXPHYADDR, 40)), the rest of 21:13 is reserved. No XD bit.
 * - 4.4 PAE: four PDPTE registers loaded with CR3, then PD and PT with
 *   8-byte entries; bits 62:MAXPHYADDR reserved, bit 63 reserved without
 *   EFER.NXE, 2 MiB PDEs reserve bits 20:13.
 * - 4.5 4-level: bits 51:MAXPHYADDR reserved (62:52 ignored), bit 63
 *   reserved without NXE, PS reserved in a PML4E, a PDPTE with PS is a
 *   1 GiB page (reserves 29:13) only if the CPU has 1 GiB pages, else PS
 *   is reserved there too.
 * - 4.6 rights: user accesses need U/S at every level, writes need R/W at
 *   every level except supervisor writes with CR0.WP=0, fetches need no XD
 *   at any level (with NXE), supervisor fetches from user pages fault with
 *   SMEP.
 * - 4.7 error code: P=1 unless an entry was not present, RSVD for a
 *   reserved bit (with P=1), W/U from the access, I for a fetch if SMEP, or
 *   if CR4.PAE and NXE (so never from NXE alone under 32-bit paging).
 */

u64 sref_addr_mask(u8 maxphyaddr)
{
	return GENMASK(maxphyaddr - 1, 12);
}

/* Bits 51:M (M = 52: none). */
static u64 above_m(u8 m, unsigned top)
{
	return m > top ? 0 : GENMASK(top, m);
}

u64 sref_pdpte_rsvd(u8 maxphyaddr)
{
	return GENMASK(2, 1) | GENMASK(8, 5) | GENMASK(63, maxphyaddr);
}

void sref_paging_of(const struct gwalk_regs *r, u8 maxphyaddr, bool no_1g, const u64 *pdpte,
		    struct sref_paging *p)
{
	*p = (struct sref_paging){
		.root = r->cr3, .pdpte = pdpte, .maxphyaddr = maxphyaddr, .no_1g = no_1g
	};
	p->wp = r->cr0 & CR0_WP;
	p->nxe = r->efer & EFER_NXE;
	p->smep = r->cr4 & X86_CR4_SMEP;
	p->pse = r->cr4 & CR4_PSE;
	p->cr4_pae = r->cr4 & CR4_PAE;
	if (!(r->cr0 & CR0_PG))
		p->mode = SREF_OFF;
	else if (!(r->cr4 & CR4_PAE))
		p->mode = SREF_32;
	else if (!(r->efer & EFER_LMA))
		p->mode = SREF_PAE;
	else
		p->mode = SREF_LM4;
}

/* The error code bits the access itself gives. */
static u32 access_bits(const struct sref_paging *p, u32 access)
{
	u32 e = access & (PF_W | PF_U);

	if ((access & PF_I) && (p->smep || (p->cr4_pae && p->nxe)))
		e |= PF_I;
	return e;
}

static void fault(struct sref_walk *w, const struct sref_paging *p, u32 access, u32 extra)
{
	w->kind = SREF_PF;
	w->error = access_bits(p, access) | extra;
}

/* 4.6: may this access use a page with these rights? */
static bool allowed(const struct sref_paging *p, const struct sref_walk *w, u32 access)
{
	if (access & PF_U) {
		if (!w->u)
			return false;
		if ((access & PF_W) && !w->w)
			return false;
		return !(access & PF_I) || w->x;
	}
	if (access & PF_I)
		return w->x && !(p->smep && w->u);
	if (access & PF_W)
		return w->w || !p->wp;
	return true;
}

static void used(struct sref_walk *w, u64 addr, u8 width, u8 level)
{
	w->ent[w->nr++] = (struct sref_ent){ addr, width, level };
}

/* Fold one entry's rights into the walk's. */
static void rights(struct sref_walk *w, const struct sref_paging *p, u64 e)
{
	w->w = w->w && (e & X86_RW);
	w->u = w->u && (e & X86_US);
	if (p->nxe && (e & X86_XD))
		w->x = false;
}

static void walk32(const struct sref_paging *p, sref_read_fn rd, void *ctx, u64 va, u32 access,
		   struct sref_walk *w)
{
	u64 pd = p->root & GENMASK(31, 12), pde, pte, pt;
	u8 m40 = p->maxphyaddr < 40 ? p->maxphyaddr : 40;

	if (!rd(ctx, pd + ((va >> 22) & 0x3FF) * 4, 4, &pde)) {
		w->kind = SREF_BAD, w->bad = pd;
		return;
	}
	if (!(pde & X86_P)) {
		fault(w, p, access, 0);
		return;
	}
	if (p->pse && (pde & X86_PS)) {
		/* PSE-36: PDE bits (m40-20):13 are address bits (m40-1):32. */
		u64 rsvd = BIT(21) | (m40 - 32 < 8 ? GENMASK(20, 13 + (m40 - 32)) : 0);
		if (pde & rsvd) {
			fault(w, p, access, PF_P | PF_RSVD);
			return;
		}
		used(w, pd + ((va >> 22) & 0x3FF) * 4, 4, 1);
		rights(w, p, pde);
		w->page_size = MiB(4);
		w->page_pa = (pde & GENMASK(31, 22)) | (FIELD_GET(GENMASK(20, 13), pde) << 32);
		return;
	}
	used(w, pd + ((va >> 22) & 0x3FF) * 4, 4, 1);
	rights(w, p, pde);
	pt = pde & GENMASK(31, 12);
	if (!rd(ctx, pt + ((va >> 12) & 0x3FF) * 4, 4, &pte)) {
		w->kind = SREF_BAD, w->bad = pt;
		return;
	}
	if (!(pte & X86_P)) {
		fault(w, p, access, 0);
		return;
	}
	used(w, pt + ((va >> 12) & 0x3FF) * 4, 4, 0);
	rights(w, p, pte);
	w->page_size = PAGE_SIZE;
	w->page_pa = pte & GENMASK(31, 12);
}

/* Reserved bits of a present 8-byte entry at level (PAE or 4-level), given PS. */
static u64 rsvd64(const struct sref_paging *p, u8 level, u64 e)
{
	u64 r = p->mode == SREF_PAE ? GENMASK(62, p->maxphyaddr) : above_m(p->maxphyaddr, 51);

	if (!p->nxe)
		r |= X86_XD;
	if (level == 3)
		r |= X86_PS;
	if (level == 2 && (e & X86_PS))
		r |= p->no_1g ? X86_PS : GENMASK(29, 13);
	if (level == 1 && (e & X86_PS))
		r |= GENMASK(20, 13);
	return r;
}

/* PAE from the PD down, 4-level from the PML4 down: one loop over levels. */
static void walk64(const struct sref_paging *p, sref_read_fn rd, void *ctx, u64 va, u32 access,
		   struct sref_walk *w)
{
	u64 mask = sref_addr_mask(p->maxphyaddr), table = p->root & mask, e;
	int level = 3;

	if (p->mode == SREF_PAE) {
		e = p->pdpte[(va >> 30) & 3];
		if (!(e & X86_P)) {
			fault(w, p, access, 0);
			return;
		}
		table = e & mask;
		level = 1;
	}
	for (;; level--) {
		unsigned shift = 12 + 9 * (unsigned)level;
		u64 at = table + ((va >> shift) & 511) * 8;

		if (!rd(ctx, at, 8, &e)) {
			w->kind = SREF_BAD, w->bad = table;
			return;
		}
		if (!(e & X86_P)) {
			fault(w, p, access, 0);
			return;
		}
		if (e & rsvd64(p, (u8)level, e)) {
			fault(w, p, access, PF_P | PF_RSVD);
			return;
		}
		used(w, at, 8, (u8)level);
		rights(w, p, e);
		if (level == 0 || (level <= 2 && (e & X86_PS))) {
			w->page_size = BIT(shift);
			w->page_pa = e & mask & ~(BIT(shift) - 1);
			return;
		}
		table = e & mask;
	}
}

void sref_walk(const struct sref_paging *p, sref_read_fn rd, void *ctx, u64 va, u32 access,
	       struct sref_walk *out)
{
	*out = (struct sref_walk){ .kind = SREF_OK, .w = true, .u = true, .x = true };
	if (p->mode == SREF_OFF) {
		out->page_size = PAGE_SIZE;
		out->page_pa = va & GENMASK(31, 12);
		out->pa = va & GENMASK(31, 0);
		return;
	}
	if (p->mode == SREF_32)
		walk32(p, rd, ctx, va, access, out);
	else
		walk64(p, rd, ctx, va, access, out);
	if (out->kind != SREF_OK)
		return;
	out->pa = out->page_pa + (va & (out->page_size - 1));
	if (!allowed(p, out, access))
		fault(out, p, access, PF_P);
}

/* ---------------------------------------------------------------- enumeration */

struct dfs {
	const struct sref_paging *p;
	sref_read_fn rd;
	void *rctx;
	struct sref_visit *v;
};

static u64 canonical(u64 va)
{
	return (va & BIT(47)) ? va | GENMASK(63, 48) : va;
}

/* Visit the table at level: its present entries, descending into non-leaves. */
static void dfs_table(struct dfs *d, u64 table, int level, u64 va_base)
{
	const struct sref_paging *p = d->p;
	unsigned width = p->mode == SREF_32 ? 4 : 8, n = PAGE_SIZE / width;
	unsigned shift = p->mode == SREF_32 ? 12 + 10 * (unsigned)level : 12 + 9 * (unsigned)level;
	u64 e;

	if (d->v->table)
		d->v->table(d->v->ctx, table, (u8)level, (u8)width, va_base);
	for (unsigned i = 0; i < n && d->v->budget; i++) {
		if (!d->rd(d->rctx, table + i * width, width, &e))
			return; /* a bad table */
		if (!(e & X86_P))
			continue;
		d->v->budget--;
		u64 va = canonical(va_base + ((u64)i << shift));
		bool leaf = level == 0 || (e & X86_PS);
		if (p->mode == SREF_32 && level == 1 && !p->pse)
			leaf = false;
		if (leaf) {
			if (d->v->leaf)
				d->v->leaf(d->v->ctx, va, BIT(shift), e);
			continue;
		}
		u64 next = p->mode == SREF_32 ? e & GENMASK(31, 12)
					      : e & sref_addr_mask(p->maxphyaddr);
		dfs_table(d, next, level - 1, va);
	}
}

void sref_enum(const struct sref_paging *p, sref_read_fn rd, void *rctx, struct sref_visit *v)
{
	struct dfs d = { p, rd, rctx, v };

	switch (p->mode) {
	case SREF_OFF:
		return;
	case SREF_32:
		dfs_table(&d, p->root & GENMASK(31, 12), 1, 0);
		return;
	case SREF_PAE:
		for (unsigned i = 0; i < 4 && v->budget; i++)
			if (p->pdpte[i] & X86_P)
				dfs_table(&d, p->pdpte[i] & sref_addr_mask(p->maxphyaddr), 1,
					  (u64)i << 30);
		return;
	case SREF_LM4:
		dfs_table(&d, p->root & sref_addr_mask(p->maxphyaddr), 3, 0);
		return;
	}
}

/* ---------------------------------------------------------------- the fake CPU */

static u64 get(const u8 *p, unsigned width)
{
	u64 v = 0;

	memcpy(&v, p, width);
	return v;
}

/* A TLB slot: hashed, so pages 2 MiB apart (same table index) do not evict each other. */
static unsigned tlb_slot(u64 va)
{
	return (unsigned)(((va >> 12) * 0x9E3779B97F4A7C15ULL) >> 58) % SH_TLB;
}

void sh_tlb_flush(struct sh_env *e)
{
	memset(e->tlb, 0, sizeof(e->tlb));
}

/* A table page the fake CPU reads must be a live shadow page, never guest RAM. */
static bool hw_read(void *ctx, u64 addr, unsigned width, u64 *val)
{
	struct sh_env *e = ctx;
	hpa_t page = hpa(addr & ~(PAGE_SIZE - 1));
	owner_t o = palloc_owner(e->pa, page);

	SH_ASSERT(e, addr >= FAKE_RAM_BASE && addr < FAKE_RAM_BASE + fake_ram_pages() * PAGE_SIZE,
		  "fake CPU: a shadow table at hpa 0x%llx is not memory", ULL(addr));
	SH_ASSERT(
		e, o == SH_OWNER,
		"fake CPU: the shadow table page at hpa 0x%llx has owner 0x%x (freed? guest RAM?)",
		ULL(page.val), o);
	*val = get(phys_to_virt(hpa(addr)), width);
	return true;
}

static void hw_paging(const struct sh_env *e, struct sref_paging *p)
{
	*p = (struct sref_paging){
		.mode = (e->regs.efer & EFER_LMA) ? SREF_LM4 : SREF_PAE,
		.root = e->hw_cr3,
		.pdpte = e->hw_pdpte,
		.wp = true,
		.nxe = shadow_hw_efer(e->regs.efer) & EFER_NXE, /* the CPU's EFER, shadow.h */
		.smep = e->regs.cr4 & X86_CR4_SMEP,
		.cr4_pae = true,
		.maxphyaddr = SH_HW_MAXPHY,
	};
}

/* VM entry: the flush the shadow asked for, and PAE's PDPTEs loaded from the hardware CR3. */
void sh_hw_enter(struct sh_env *e)
{
	if (shadow_take_flush(&e->s))
		sh_tlb_flush(e);
	if (e->regs.efer & EFER_LMA)
		return;
	SH_ASSERT(e, (e->hw_cr3 & 31) == 0, "PAE hardware CR3 0x%llx is not 32-byte aligned",
		  ULL(e->hw_cr3));
	for (unsigned i = 0; i < 4; i++) {
		hw_read(e, e->hw_cr3 + 8 * i, 8, &e->hw_pdpte[i]);
		SH_ASSERT(e,
			  !(e->hw_pdpte[i] & X86_P) ||
				  !(e->hw_pdpte[i] & sref_pdpte_rsvd(SH_HW_MAXPHY)),
			  "shadow PDPTE %u = 0x%llx has reserved bits: VM entry fails", i,
			  ULL(e->hw_pdpte[i]));
	}
}

/* The final host address must be the guest's own RAM. */
static void hw_check_target(struct sh_env *e, u64 va, u64 hpa)
{
	for (u32 i = 0; i < e->mem.nr; i++)
		if (hpa >= e->mem.chunk[i].hpa.val &&
		    hpa - e->mem.chunk[i].hpa.val < e->mem.chunk[i].size)
			return;
	SH_ASSERT(e, false, "va 0x%llx: the shadow maps hpa 0x%llx, which is not guest RAM",
		  ULL(va), ULL(hpa));
}

static bool tlb_lookup(struct sh_env *e, u64 va, u32 access, struct sh_hw_res *h)
{
	struct sh_tlb *t = &e->tlb[tlb_slot(va)];
	bool smep = e->regs.cr4 & X86_CR4_SMEP, nxe = shadow_hw_efer(e->regs.efer) & EFER_NXE;
	bool ok = true;

	if (!t->valid || t->vpn != va >> 12)
		return false;
	/* SDM 4.6 on the cached rights, with CR0.WP=1. */
	if (access & PF_U)
		ok = t->u && (!(access & PF_W) || t->w) && (!(access & PF_I) || t->x);
	else if (access & PF_I)
		ok = t->x && !(smep && t->u);
	else if (access & PF_W)
		ok = t->w;
	if (!ok) {
		/* A fault from a TLB entry; the fault removes the entry (SDM 4.10.4.1). */
		t->valid = false;
		e->n.tlb_faults++;
		h->error = PF_P | (access & (PF_W | PF_U)) |
			   (((access & PF_I) && (nxe || smep)) ? PF_I : 0);
		return true;
	}
	if ((access & PF_W) && !t->d)
		return false; /* the CPU walks again to set the dirty bit */
	h->ok = true;
	h->hpa = t->hpa + (va & (PAGE_SIZE - 1));
	return true;
}

void sh_hw_translate(struct sh_env *e, u64 va, u32 access, struct sh_hw_res *h)
{
	struct sref_paging p;
	struct sref_walk w;

	*h = (struct sh_hw_res){ 0 };
	if (tlb_lookup(e, va, access, h))
		return;
	hw_paging(e, &p);
	sref_walk(&p, hw_read, e, va, access, &w);
	cr_assert(w.kind != SREF_BAD);
	if (w.kind == SREF_PF) {
		e->tlb[tlb_slot(va)].valid = false;
		h->error = w.error;
		return;
	}
	hw_check_target(e, va, w.pa);
	/* The CPU sets accessed (and dirty) bits in the shadow entries it used. */
	for (unsigned i = 0; i < w.nr; i++) {
		u64 *ent = phys_to_virt(hpa(w.ent[i].addr));
		*ent |= X86_A | ((i + 1 == w.nr && (access & PF_W)) ? X86_D : 0);
	}
	u64 leaf = *(u64 *)phys_to_virt(hpa(w.ent[w.nr - 1].addr));
	e->tlb[tlb_slot(va)] = (struct sh_tlb){ .valid = true,
						.vpn = va >> 12,
						.hpa = w.pa & ~(PAGE_SIZE - 1),
						.w = w.w,
						.u = w.u,
						.x = w.x,
						.d = leaf & X86_D };
	h->ok = true;
	h->hpa = w.pa;
}

/* ---------------------------------------------------------------- checks */

/* The guest's A/D updates of a walk that succeeded, in the model. */
static void model_set_ad(struct sh_env *e, const struct sref_walk *w, u32 access)
{
	for (unsigned i = 0; i < w->nr; i++) {
		const struct sref_ent *t = &w->ent[i];
		u64 v = get(e->model + t->addr, t->width) | X86_A;

		if (i + 1 == w->nr && (access & PF_W))
			v |= X86_D;
		memcpy(e->model + t->addr, &v, t->width);
	}
}

static void expected_str(const struct sh_env *e, const struct sref_walk *w, char *b, size_t n)
{
	hpa_t h = { 0 };

	if (w->kind == SREF_PF)
		snprintf(b, n, "#PF error 0x%x", w->error);
	else if (w->kind == SREF_BAD)
		snprintf(b, n, "bad table at gpa 0x%llx", ULL(w->bad));
	else if (!gmem_translate(&e->mem, gpa(w->pa), &h, NULL))
		snprintf(b, n, "MMIO at gpa 0x%llx", ULL(w->pa));
	else
		snprintf(b, n, "gpa 0x%llx = hpa 0x%llx", ULL(w->pa), ULL(h.val));
}

static void got_str(const struct sh_out *o, char *b, size_t n)
{
	switch (o->kind) {
	case SH_OK:
		if (o->ptw)
			snprintf(b, n, "a page-table write emulated at gpa 0x%llx", ULL(o->gpa));
		else
			snprintf(b, n, "hpa 0x%llx", ULL(o->hpa));
		return;
	case SH_PF:
		snprintf(b, n, "#PF error 0x%x", o->error);
		return;
	case SH_MMIO:
		snprintf(b, n, "MMIO at gpa 0x%llx", ULL(o->gpa));
		return;
	case SH_BAD:
		snprintf(b, n, "bad table at gpa 0x%llx", ULL(o->gpa));
		return;
	case SH_NOMEM:
		snprintf(b, n, "no memory");
		return;
	}
}

static bool same(const struct sh_env *e, const struct sref_walk *w, bool mmio,
		 const struct sh_out *o)
{
	hpa_t h;

	switch (w->kind) {
	case SREF_PF:
		return o->kind == SH_PF && o->error == w->error;
	case SREF_BAD:
		return o->kind == SH_BAD && (o->gpa >> PAGE_SHIFT) == (w->bad >> PAGE_SHIFT);
	case SREF_OK:
		if (mmio)
			return o->kind == SH_MMIO && o->gpa == w->pa;
		if (o->kind != SH_OK)
			return false;
		if (o->ptw)
			return o->gpa == w->pa;
		return gmem_translate(&e->mem, gpa(w->pa), &h, NULL) && h.val == o->hpa;
	}
	return false;
}

static void check_frame(const struct sh_env *e, u64 at, const char *after)
{
	u64 f = at & ~(PAGE_SIZE - 1);
	const u8 *ram = gmem_ptr(&e->mem, gpa(f), PAGE_SIZE);

	if (!memcmp(ram, e->model + f, PAGE_SIZE))
		return;
	for (u64 i = 0; i < PAGE_SIZE; i += 8) {
		u64 r = get(ram + i, 8), m = get(e->model + f + i, 8);

		SH_ASSERT(e, r == m,
			  "%s: guest RAM at gpa 0x%llx holds 0x%llx, expected 0x%llx (bits 0x%llx "
			  "differ)",
			  after, ULL(f + i), ULL(r), ULL(m), ULL(r ^ m));
	}
}

void sh_check_ram(const struct sh_env *e)
{
	for (u64 f = 0; f < e->mem.size; f += PAGE_SIZE)
		check_frame(e, f, "whole-RAM check");
}

/* A walk that faulted may have set A in the entries it used (SDM 4.8 allows it), no more. */
static void allow_fault_ad(struct sh_env *e, const struct sref_walk *w)
{
	for (unsigned i = 0; i < w->nr; i++) {
		const struct sref_ent *t = &w->ent[i];
		u64 r = sh_peek_ram(e, t->addr, t->width), m = get(e->model + t->addr, t->width);

		if ((r & X86_A) && !(m & X86_A)) {
			m |= X86_A;
			memcpy(e->model + t->addr, &m, t->width);
		}
	}
}

void sh_check(struct sh_env *e, u64 va, u32 access, u64 val, unsigned len, struct sh_out *o)
{
	struct sref_walk w;
	char want[96], got[96], after[160];
	bool mmio;

	sh_ref(e, va, access, &w);
	mmio = w.kind == SREF_OK && (!sh_in_ram(e, w.pa) || w.pa + len > e->mem.size);
	sh_access(e, va, access, val, len, o);
	expected_str(e, &w, want, sizeof(want));
	got_str(o, got, sizeof(got));
	SH_ASSERT(e, same(e, &w, mmio, o), "va 0x%llx %s: expected %s, got %s", ULL(va),
		  sh_acc_name(access), want, got);
	if (w.kind == SREF_OK) {
		model_set_ad(e, &w, access);
		if (!mmio && (access & PF_W))
			memcpy(e->model + w.pa, &val, len);
	} else {
		allow_fault_ad(e, &w);
	}
	snprintf(after, sizeof(after), "after a %s at va 0x%llx (%s)", sh_acc_name(access), ULL(va),
		 want);
	for (unsigned i = 0; i < w.nr; i++)
		check_frame(e, w.ent[i].addr, after);
	if (w.kind == SREF_OK && !mmio)
		check_frame(e, w.pa, after);
}

static const u32 all_kinds[6] = {
	ACC_R, ACC_W, ACC_X, ACC_U | ACC_R, ACC_U | ACC_W, ACC_U | ACC_X
};

void sh_probe(struct sh_env *e, u64 va)
{
	for (unsigned k = 0; k < 6; k++) {
		u32 acc = all_kinds[k];
		struct sh_hw_res h;
		struct sref_walk w;
		char want[96];
		hpa_t at;

		sh_hw_translate(e, va, acc, &h);
		if (!h.ok)
			continue;
		sh_ref(e, va, acc, &w);
		expected_str(e, &w, want, sizeof(want));
		SH_ASSERT(e,
			  w.kind == SREF_OK && gmem_translate(&e->mem, gpa(w.pa), &at, NULL) &&
				  at.val == h.hpa,
			  "va 0x%llx %s: the CPU goes through to hpa 0x%llx without a fault, the "
			  "guest's tables say %s",
			  ULL(va), sh_acc_name(acc), ULL(h.hpa), want);
		for (unsigned i = 0; i < w.nr; i++) {
			u64 v = sh_peek_ram(e, w.ent[i].addr, w.ent[i].width);
			bool leaf = i + 1 == w.nr;

			SH_ASSERT(e, (v & X86_A) && (!(acc & PF_W) || !leaf || (v & X86_D)),
				  "va 0x%llx %s: the CPU goes through without a fault, but the "
				  "guest entry at gpa 0x%llx (level %u) is 0x%llx: %s clear",
				  ULL(va), sh_acc_name(acc), ULL(w.ent[i].addr), w.ent[i].level,
				  ULL(v), (v & X86_A) ? "D" : "A");
		}
	}
}

void sh_check_stats(const struct sh_env *e)
{
	const struct shadow_stats *st = &e->s.stats;

	SH_ASSERT(e, st->faults == e->n.faults, "stats.faults %llu, %llu #PF exits",
		  ULL(st->faults), ULL(e->n.faults));
	SH_ASSERT(e, st->guest_pf == e->n.guest_pf, "stats.guest_pf %llu, %llu reflected",
		  ULL(st->guest_pf), ULL(e->n.guest_pf));
	SH_ASSERT(e, st->mmio == e->n.mmio, "stats.mmio %llu, %llu MMIO verdicts", ULL(st->mmio),
		  ULL(e->n.mmio));
	SH_ASSERT(e, st->fixed <= e->n.fixed, "stats.fixed %llu, %llu FIXED verdicts",
		  ULL(st->fixed), ULL(e->n.fixed));
	SH_ASSERT(e, st->invlpg == e->n.invlpg, "stats.invlpg %llu, %llu INVLPGs", ULL(st->invlpg),
		  ULL(e->n.invlpg));
	SH_ASSERT(e, st->roots_built + st->roots_reused == e->n.loads,
		  "stats.roots_built %llu + roots_reused %llu, %llu root loads",
		  ULL(st->roots_built), ULL(st->roots_reused), ULL(e->n.loads));
	SH_ASSERT(e, st->pt_writes >= e->n.ptw_true && st->pt_writes <= e->n.ptw,
		  "stats.pt_writes %llu, %llu emulated of %llu", ULL(st->pt_writes),
		  ULL(e->n.ptw_true), ULL(e->n.ptw));
	SH_ASSERT(e, st->unprotected <= e->n.unprot, "stats.unprotected %llu, %llu calls",
		  ULL(st->unprotected), ULL(e->n.unprot));
	SH_ASSERT(e, shadow_pages_used(&e->s) <= e->budget, "%u shadow pages used, budget %u",
		  shadow_pages_used(&e->s), e->budget);
	SH_ASSERT(e, st->pages_peak >= shadow_pages_used(&e->s) && st->pages_peak <= e->budget,
		  "stats.pages_peak %llu (used %u, budget %u)", ULL(st->pages_peak),
		  shadow_pages_used(&e->s), e->budget);
}

/* ---------------------------------------------------------------- helpers for cases */

/* 4-level: map the 4 KiB page va to pa under root, making missing tables (P|RW|US). */
void sh_map4k(struct sh_env *e, u64 root, u64 va, u64 pa, u64 flags)
{
	u64 t = root;

	for (int level = 3; level > 0; level--) {
		u64 at = t + ((va >> (12 + 9 * level)) & 511) * 8, v = sh_peek_model(e, at, 8);

		if (!(v & X86_P)) {
			v = e->tab_next | X86_P | X86_RW | X86_US;
			e->tab_next += PAGE_SIZE;
			sh_poke(e, at, v, 8);
		}
		t = v & GENMASK(51, 12);
	}
	sh_poke(e, t + ((va >> 12) & 511) * 8, pa | flags, 8);
}

/* The 4-level page table under root that translates va. */
u64 sh_pt_of(const struct sh_env *e, u64 root, u64 va)
{
	u64 t = root;

	for (int level = 3; level > 0; level--)
		t = sh_peek_model(e, t + ((va >> (12 + 9 * level)) & 511) * 8, 8) & GENMASK(51, 12);
	return t;
}

static const char *const kind_name[] = { "OK", "#PF", "MMIO", "bad table", "no memory" };

/*
 * The hand-computed answer (OK: gpa, MMIO: gpa, PF: error code, BAD: table)
 * is the reference's, and the shadow's is the reference's.
 */
struct sh_out sh_want(struct sh_env *e, u64 va, u32 acc, enum sh_out_kind kind, u64 v)
{
	struct sref_walk w;
	struct sh_out o;
	bool ok = false;

	sh_ref(e, va, acc, &w);
	if (kind == SH_OK || kind == SH_MMIO)
		ok = w.kind == SREF_OK && w.pa == v && sh_in_ram(e, v) == (kind == SH_OK);
	else if (kind == SH_PF)
		ok = w.kind == SREF_PF && w.error == v;
	else if (kind == SH_BAD)
		ok = w.kind == SREF_BAD && w.bad == v;
	cr_assert(ok,
		  "the reference: va 0x%llx %s gives kind %d pa 0x%llx error 0x%x bad 0x%llx, not "
		  "%s 0x%llx",
		  ULL(va), sh_acc_name(acc), w.kind, ULL(w.pa), w.error, ULL(w.bad),
		  kind_name[kind], ULL(v));
	sh_check(e, va, acc, 0x00C0FFEE00000000ULL | (va & 0xFFF8), 8, &o);
	sh_probe(e, va);
	return o;
}
