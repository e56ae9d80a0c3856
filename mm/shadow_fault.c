/* shadow_fault.c: the shadow MMU at work: page faults, guest page-table writes, INVLPG. */
#include "err.h"
#include "mm/phys.h"
#include "mm/pt.h"
#include "mm/shadow_int.h"

/* shadow.c's top comment explains the design and its invariants. */

#define SHADOW_FLOOD 3 /* emulated writes to a table page with no walk between: let it go */

/* ---------------------------------------------------------------- faults */

/* What the walk found, arranged by level for building the shadow path. */
struct fault_walk {
	u64 gva;
	u32 access; /* PF_W | PF_U | PF_I */
	struct gwalk_result gw;
	const struct gwalk_step *at[5]; /* the guest entry read at each level, or NULL */
	u8 acc[5];			/* rights accumulated from the root down to that level */
	unsigned leaf_level;
};

static u8 entry_rights(u64 e, const struct gwalk_step *st, enum gwalk_mode mode, bool nxe)
{
	u8 p = 0;

	if (mode == GWALK_PAE && st->level == 2)
		return ACC_ALL; /* PAE PDPTEs carry no rights */
	if (e & BIT(1))
		p |= PT_W;
	if (e & BIT(2))
		p |= PT_U;
	if (!(nxe && mode != GWALK_32 && (e & BIT(63))))
		p |= PT_X;
	return p;
}

static void arrange(struct fault_walk *fw, bool nxe)
{
	u8 acc = ACC_ALL;

	for (unsigned i = 0; i < fw->gw.nr_steps; i++) {
		const struct gwalk_step *st = &fw->gw.step[i];
		acc &= entry_rights(st->entry, st, fw->gw.mode, nxe);
		fw->at[st->level] = st;
		fw->acc[st->level] = acc;
		fw->leaf_level = st->level;
	}
}

/* The page the entry at level L (of sp) must point to. */
static struct shadow_page *child_for(struct shadow_mmu *s, const struct shadow_page *sp, unsigned L,
				     unsigned idx, const struct fault_walk *fw)
{
	u32 common = sp->role & ROLE_CONTROLS;
	u32 lvl = (u32)FIELD_PREP(ROLE_LEVEL, L - 1);
	u64 span = 1ULL << (9 * L); /* guest frames one entry at level L covers */

	if (sp->role & ROLE_DIRECT) /* paging off, or inside a guest large page */
		return get_page(s, sp->gfn + idx * span, (sp->role & ~(u32)ROLE_LEVEL) | lvl);
	if (fw->leaf_level == L) { /* a guest large page: 4 KiB pieces of it */
		/* Two guest large pages over the same frames share these pieces
		 * when their rights match; W counts only once the guest entry is
		 * dirty, so a clean one never reaches a writable leaf that a
		 * dirty one filled (its first write must fault and set D); and a
		 * read-only one whose leaves CR0.WP=0 may make writable for ring 0
		 * is kept apart from a clean one too. */
		u8 acc = fw->gw.dirty ? fw->gw.perm : (u8)(fw->gw.perm & ~PT_W);
		u32 wp0 = (!(common & ROLE_WP) && fw->gw.dirty && !(acc & PT_W)) ? ROLE_WP0_W : 0;
		return get_page(s, (fw->gw.gpa >> PAGE_SHIFT) & ~(span - 1),
				common | ROLE_DIRECT | (u32)ROLE_ACC(acc) | wp0 | lvl);
	}
	{
		u32 q = 0;
		if (role_mode(sp->role) == GWALK_32 && L == 1)
			q = (u32)((fw->gva >> 21) & 1); /* which half of the guest PT */
		return get_page(s, fw->at[L - 1]->table >> PAGE_SHIFT,
				common | (u32)ROLE_ACC(fw->acc[L]) | lvl |
					(u32)FIELD_PREP(ROLE_QUADRANT, q));
	}
}

/* The shadow leaf for this walk. */
static u64 make_leaf(const struct shadow_page *sp, const struct fault_walk *fw, u64 host,
		     bool protect)
{
	u8 perm = fw->gw.perm;
	bool dirty = fw->gw.dirty || fw->gw.nr_steps == 0; /* paging off: no D bit to set */
	bool wp0 = !(sp->role & ROLE_WP) && (fw->access & PF_W) && !(fw->access & PF_U) &&
		   !(perm & PT_W);
	u64 e = host | SPTE_P | SPTE_A;
	bool off = role_mode(sp->role) == GWALK_OFF;

	/* Paging off has no rights at all, but the CPU runs with the guest's
	 * SMEP/SMAP: give each access the U bit that lets it through. */
	if (off ? (fw->access & PF_U) != 0 : ((perm & PT_U) && !wp0))
		e |= SPTE_U;
	if (((sp->role & ROLE_NXE) && !(perm & PT_X)) ||
	    (wp0 && (perm & PT_U) && (sp->role & ROLE_SMEP)))
		e |= SPTE_NX; /* the second: a user page made supervisor-writable stays
			       * unexecutable for ring 0 under SMEP */
	if (((perm & PT_W) || wp0) && dirty && !protect)
		e |= SPTE_W | SPTE_D;
	return e;
}

/* Install leaf e at entry idx of sp (a PT), keeping the reverse map right. */
static int set_leaf(struct shadow_mmu *s, struct shadow_page *sp, unsigned idx, u64 e, u64 gfn)
{
	u64 *t = table_of(sp), old = t[idx];
	u64 *head = rmap_head(s, gfn);

	if ((old & SPTE_P) && (old & SPTE_ADDR) == (e & SPTE_ADDR)) {
		if ((old & SPTE_W) && !(e & SPTE_W))
			s->flush = true;
		t[idx] = e;
		return 0;
	}
	drop_spte(s, sp, idx);
	if (head && plist_add(s, head, &t[idx])) {
		if (!reclaim_one(s) || plist_add(s, head, &t[idx]))
			return -ERR_NOMEM;
	}
	t[idx] = e;
	return 0;
}

/* The last level: fill the leaf, or say why the access cannot go through it. */
static void fill_leaf(struct shadow_mmu *s, struct shadow_page *sp, unsigned idx,
		      const struct fault_walk *fw, u32 hw_error, struct shadow_fault *out)
{
	u64 gfn = fw->gw.gpa >> PAGE_SHIFT;
	bool protect = gfn_protected(s, gfn);
	hpa_t host;
	u64 e;

	if (!sp->in_use || !gmem_translate(s->mem, gpa(gfn << PAGE_SHIFT), &host, NULL)) {
		out->verdict = SHADOW_NOMEM;
		return;
	}
	e = make_leaf(sp, fw, host.val, protect);
	if ((hw_error & PF_P) && table_of(sp)[idx] == e && !((fw->access & PF_W) && protect) &&
	    (sp->role & ROLE_SMAP) && (e & SPTE_U) && !(fw->access & (PF_U | PF_I))) {
		/* The CPU refused a ring-0 data access to a user page that the
		 * guest's tables allow and umbra already gives: SMAP, which the
		 * walker does not model (it needs RFLAGS.AC). The guest's fault.
		 * Any other refusal of an unchanged entry came from a stale TLB
		 * entry, which the fault itself dropped: retry. */
		out->verdict = SHADOW_GUEST_PF;
		out->error = hw_error;
		s->stats.guest_pf++;
		return;
	}
	if ((hw_error & PF_P) && table_of(sp)[idx] == e)
		s->flush = true; /* a stale, narrower TLB entry faulted (SDM 4.10.4.3): drop it */
	if (set_leaf(s, sp, idx, e, gfn)) {
		out->verdict = SHADOW_NOMEM;
		return;
	}
	if ((fw->access & PF_W) && protect) {
		out->verdict = SHADOW_PT_WRITE; /* the page is a guest table */
		out->gpa = fw->gw.gpa;
		return;
	}
	s->stats.fixed++;
	out->verdict = SHADOW_FIXED;
}

/* The shadow page a walk of gva starts at in the loaded root, and its level. */
static struct shadow_page *start_page(struct shadow_mmu *s, u64 gva, unsigned *level)
{
	struct shadow_root *rt = &s->roots[s->cur];

	if (role_mode(rt->key_role) >= GWALK_LM4) {
		*level = 3;
		return page_at(s, rt->root);
	}
	*level = 1;
	return page_at(s, rt->pae_child[(gva >> 30) & 3]);
}

/* Build (or find) the shadow path for a walk that succeeded into RAM. */
static void fill(struct shadow_mmu *s, struct fault_walk *fw, u32 hw_error,
		 struct shadow_fault *out)
{
	unsigned L;
	struct shadow_page *sp = start_page(s, fw->gva, &L);

	out->verdict = SHADOW_NOMEM;
	if (!sp)
		return; /* cannot happen: the guest walk went through this quadrant */
	for (;;) {
		unsigned idx = (unsigned)(fw->gva >> (PAGE_SHIFT + 9 * L)) & (SPTES_PER_PAGE - 1);
		struct shadow_page *child;

		touch(s, sp);
		sp->writes = 0; /* used as a table: not a write flood */
		if (L == 0) {
			fill_leaf(s, sp, idx, fw, hw_error, out);
			return;
		}
		child = child_for(s, sp, L, idx, fw);
		if (!child || !sp->in_use || link_child(s, sp, idx, child))
			return;
		sp = child;
		L--;
	}
}

void shadow_page_fault(struct shadow_mmu *s, u64 gva, u32 hw_error, struct shadow_fault *out)
{
	struct fault_walk fw = { .gva = gva, .access = hw_error & (PF_W | PF_U | PF_I) };
	enum gwalk_status st;

	*out = (struct shadow_fault){ .verdict = SHADOW_NOMEM };
	s->stats.faults++;
	s->clock++;
	if (s->cur < 0)
		return;
	st = gwalk(s->mem, &s->regs, gva, fw.access, GWALK_SET_AD, &fw.gw);
	if (st == GWALK_FAULT) {
		out->verdict = SHADOW_GUEST_PF;
		out->error = fw.gw.error;
		s->stats.guest_pf++;
		return;
	}
	if (st == GWALK_BAD_TABLE) {
		out->verdict = SHADOW_BAD_TABLE;
		out->gpa = fw.gw.bad_gpa;
		return;
	}
	if (!gmem_contains(s->mem, gpa(fw.gw.gpa))) {
		out->verdict = SHADOW_MMIO;
		out->gpa = fw.gw.gpa;
		s->stats.mmio++;
		return;
	}
	arrange(&fw, s->roots[s->cur].key_role & ROLE_NXE);
	fill(s, &fw, hw_error, out);
}

/* ---------------------------------------------------------------- guest table writes */

/*
 * Drop the entries of sp that guest entry gi (of esize bytes) fed; see
 * "Quadrants" at the top for the 32-bit arithmetic.
 */
static void drop_for_guest_entry(struct shadow_mmu *s, struct shadow_page *sp, u64 gi)
{
	u32 q = (u32)FIELD_GET(ROLE_QUADRANT, sp->role);

	if (role_mode(sp->role) != GWALK_32) {
		drop_spte(s, sp, (unsigned)gi);
	} else if (role_level(sp->role) == 0) {
		if (gi / 512 == q)
			drop_spte(s, sp, (unsigned)(gi % 512));
	} else if (gi / 256 == q) {
		drop_spte(s, sp, (unsigned)(2 * (gi % 256)));
		drop_spte(s, sp, (unsigned)(2 * (gi % 256) + 1));
	}
}

bool shadow_pt_write(struct shadow_mmu *s, u64 addr, const void *src, unsigned len)
{
	u64 gfn = addr >> PAGE_SHIFT, off = addr & (PAGE_SIZE - 1);
	u32 refs[MAX_ALIASES];
	unsigned n = pages_of_gfn(s, gfn, refs);
	bool flood = false, pinned = false;

	s->stats.pt_writes++;
	if (!len || len > 8 || off + len > PAGE_SIZE)
		return false;
	for (unsigned i = 0; i < n; i++) {
		struct shadow_page *sp = &s->sp[refs[i] - 1];
		pinned |= sp->root_count != 0;
		if (++sp->writes >= SHADOW_FLOOD)
			flood = true;
	}
	if ((flood && !pinned) || gmem_write(s->mem, gpa(addr), src, len))
		return false;
	for (unsigned i = 0; i < n; i++) {
		struct shadow_page *sp = &s->sp[refs[i] - 1];
		u64 esize = role_mode(sp->role) == GWALK_32 ? 4 : 8;
		if (!sp->in_use || sp->gfn != gfn) /* zapped by an earlier drop */
			continue;
		for (u64 gi = off / esize; gi <= (off + len - 1) / esize; gi++)
			drop_for_guest_entry(s, sp, gi);
	}
	return true;
}

bool shadow_unprotect(struct shadow_mmu *s, u64 addr)
{
	u32 refs[MAX_ALIASES];
	unsigned n = pages_of_gfn(s, addr >> PAGE_SHIFT, refs);

	for (unsigned i = 0; i < n; i++)
		if (s->sp[refs[i] - 1].root_count)
			return false;
	for (unsigned i = 0; i < n; i++)
		zap_page(s, &s->sp[refs[i] - 1]);
	s->stats.unprotected++;
	return true;
}

void shadow_invlpg(struct shadow_mmu *s, u64 gva)
{
	unsigned L;
	struct shadow_page *sp;

	s->stats.invlpg++;
	s->flush = true;
	if (s->cur < 0)
		return;
	sp = start_page(s, gva, &L);
	while (sp) {
		unsigned idx = (unsigned)(gva >> (PAGE_SHIFT + 9 * L)) & (SPTES_PER_PAGE - 1);
		u64 e = table_of(sp)[idx];
		if (!(e & SPTE_P))
			return;
		if (L == 0) {
			drop_spte(s, sp, idx);
			return;
		}
		sp = page_of_hpa(s, e & SPTE_ADDR);
		L--;
	}
}
