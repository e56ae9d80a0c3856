/* gwalk.c: the x86 guest page walker: one loop over the engine's guest formats, with the CPU's rules. */
#include "mm/gwalk.h"

#include "arch/x86/msr.h"
#include "mm/pt.h"

/* The entry bits the walker reads or sets itself (SDM vol. 3A 4.3 to 4.5). */
#define E_RW BIT(1)
#define E_US BIT(2)
#define E_A BIT(5)
#define E_D BIT(6)
#define E_PS BIT(7)
#define E_XD BIT(63)

/*
 * One loop walks every mode; what differs between modes is data. The
 * engine's format gives the shape (index bits per level, entry size) and
 * decodes an entry (present, page or table, the addresses in it); this
 * table adds what a guest walk needs beyond that:
 *
 *   mode  format          levels  CR3 bits   pages at             rights in
 *   32    pt_fmt_x86_32   2       31:12      PT, PD if CR4.PSE     PD, PT
 *   PAE   pt_fmt_x86_pae  3       31:5       PT, PD               PD, PT (not the PDPTEs)
 *   LM4   pt_fmt_x86_64   4       51:12      PT, PD, PDPT (1 GiB)  every level
 *   LM5   pt_fmt_x86_64   5       51:12      same                 every level
 *
 * At each level, from the root down, as the CPU does (SDM vol. 3A 4.7):
 *   entry not present                    -> #PF with P=0, stop
 *   a reserved bit set (rsvd_bits below)  -> #PF with P=1 RSVD=1, stop
 *   a page (level 0, or PS where the mode allows a page at that level): stop
 * and only then do the rights gathered over every level decide (4.6):
 *   refused                              -> #PF with P=1.
 * A non-present entry below an entry that already refuses the access still
 * gives P=0: the walk reaches it before the rights are looked at.
 */
struct mode_desc {
	const struct pt_format *fmt;
	u8 levels;
	bool xd;	  /* 8-byte entries with an XD bit (PAE, IA-32e) */
	u8 rights_levels; /* levels whose entries hold R/W, U/S, XD and A */
	u64 root_mask;	  /* CR3 bits holding the root table's address */
};

static const struct mode_desc modes[] = {
	[GWALK_32] = { &pt_fmt_x86_32, 2, false, BIT(0) | BIT(1), GENMASK(31, 12) },
	[GWALK_PAE] = { &pt_fmt_x86_pae, 3, true, BIT(0) | BIT(1), GENMASK(31, 5) },
	[GWALK_LM4] = { &pt_fmt_x86_64, 4, true, GENMASK(3, 0), GENMASK(51, 12) },
	[GWALK_LM5] = { &pt_fmt_x86_64, 5, true, GENMASK(4, 0), GENMASK(51, 12) },
};

/* One walk's state. */
struct walk {
	const struct gmem *m;
	const struct gwalk_regs *r;
	const struct mode_desc *md;
	const struct pt_format *fmt;
	enum gwalk_mode mode;
	u32 access;
	u8 maxphy;	   /* MAXPHYADDR, 32..52 */
	u8 page_levels;	   /* levels that may hold a page (PS counts there) */
	u8 ps_rsvd_levels; /* levels where PS is reserved */
	u8 shift[PT_MAX_LEVELS];
	void *ptr[PT_MAX_LEVELS]; /* each step's entry in host memory (NULL: a PDPTE register) */
	struct gwalk_result *out;
};

enum gwalk_mode gwalk_mode_of(const struct gwalk_regs *r)
{
	if (!(r->cr0 & CR0_PG))
		return GWALK_OFF;
	if (r->efer & EFER_LMA)
		return (r->cr4 & CR4_LA57) ? GWALK_LM5 : GWALK_LM4;
	return (r->cr4 & CR4_PAE) ? GWALK_PAE : GWALK_32;
}

/*
 * The levels that may hold a page are the format's block levels, less the
 * 32-bit PD without CR4.PSE (PS is then ignored: the PDE points to a page
 * table) and the PDPT without 1 GiB page support. In IA-32e mode PS is
 * reserved at every other level above the PT (PML5E, PML4E, and the PDPTE
 * without 1 GiB pages); PAE's PDPTE PS is inside its reserved bits 8:5.
 */
static void walk_init(struct walk *w, const struct gwalk_regs *r, enum gwalk_mode mode)
{
	u8 maxphy = r->maxphyaddr ? r->maxphyaddr : 52;

	w->r = r;
	w->mode = mode;
	w->md = &modes[mode];
	w->fmt = w->md->fmt;
	w->maxphy = MIN(MAX(maxphy, 32), 52);
	w->page_levels = (u8)(w->fmt->block_mask | BIT(0));
	if (mode == GWALK_32 && !(r->cr4 & CR4_PSE))
		w->page_levels &= (u8)~BIT(1);
	if (r->no_1g)
		w->page_levels &= (u8)~BIT(2);
	w->ps_rsvd_levels = 0;
	if (mode >= GWALK_LM4)
		w->ps_rsvd_levels = (u8)(GENMASK(w->md->levels - 1, 1) & ~w->page_levels);
	/* shift(0) = 12, shift(L) = shift(L-1) + bits(L-1), as in pt.h. */
	w->shift[0] = PT_PAGE_SHIFT;
	for (unsigned l = 1; l < w->md->levels; l++)
		w->shift[l] = (u8)(w->shift[l - 1] + w->fmt->bits[l - 1]);
}

/*
 * The reserved bits of a present entry at level, which maps a page (leaf)
 * or not. M is MAXPHYADDR. Intel SDM vol. 3A, the "Format of a ... Entry"
 * tables of 4.3, 4.4.2 and 4.5.4 and the reserved-bit lists under them:
 *   32-bit (4.3): only a 4 MiB PDE has any, table 4-4 "Format of a 32-Bit
 *     Page-Directory Entry that Maps a 4-MByte Page": bits 21:(M'-19),
 *     M' = min(M, 40); its bits (M'-20):13 are address bits (M'-1):32.
 *   PAE PDPTE (table 4-8): 2:1, 8:5, 63:M.
 *   PAE PDE and PTE (4.4.2, tables 4-9 to 4-11): 62:M, 63 (XD) without
 *     EFER.NXE; a 2 MiB PDE also 20:13.
 *   4- and 5-level (4.5.4; the PML5E, PML4E, PDPTE, PDE and PTE tables):
 *     51:M (62:52 are ignored), 63 without EFER.NXE; PS in a PML5E or
 *     PML4E, and in a PDPTE without 1 GiB pages; a 1 GiB PDPTE 29:13, a
 *     2 MiB PDE 20:13.
 */
static u64 rsvd_bits(const struct walk *w, unsigned level, bool leaf)
{
	unsigned m = w->maxphy;
	u64 rsvd;

	if (w->mode == GWALK_32)
		return (leaf && level == 1) ? GENMASK(21, MIN(m, 40) - 19) : 0;
	/* A PAE PDPTE's bits 2:1 and 8:5 are checked when CR3 is loaded, as the
	 * CPU does (shadow_pdptes_ok, vmx_cr.c); a walk does not look at them
	 * again: QEMU's AMD model sets bit 5 (accessed) in PDPTEs it walks. */
	if (w->mode == GWALK_PAE && level == 2)
		return GENMASK(63, m);
	rsvd = w->mode == GWALK_PAE ? GENMASK(62, m) : GENMASK(51, m); /* 0 when M = 52 */
	if (!(w->r->efer & EFER_NXE))
		rsvd |= E_XD;
	if (w->ps_rsvd_levels & BIT(level))
		rsvd |= E_PS;
	if (leaf && level > 0 && level < PT_MAX_LEVELS)
		rsvd |= GENMASK(w->shift[level] - 1, 13); /* 2 MiB: 20:13, 1 GiB: 29:13 */
	return rsvd;
}

/* The rights an entry leaves (PT_R always; XD only counts where it exists). */
static u8 entry_rights(const struct walk *w, u64 e, unsigned level)
{
	u8 p = PT_R | PT_W | PT_U | PT_X;

	if (!(w->md->rights_levels & BIT(level)))
		return p;
	if (!(e & E_RW))
		p &= (u8)~PT_W;
	if (!(e & E_US))
		p &= (u8)~PT_U;
	if (w->md->xd && (e & E_XD)) /* reaching here with XD set means EFER.NXE=1 */
		p &= (u8)~PT_X;
	return p;
}

/* Read entry `index` of the table at gpa `table` (at `level`); false if that is not guest RAM. */
static bool read_entry(struct walk *w, u64 table, u32 index, unsigned level, u64 *e)
{
	unsigned size = 1u << w->fmt->entry_shift;
	unsigned step = w->out->nr_steps;
	void *p;

	if (w->mode == GWALK_PAE && level == 2 && w->r->pdpte) {
		*e = w->r->pdpte[index]; /* the PDPTE registers loaded with CR3 */
		w->ptr[step] = NULL;
		return true;
	}
	p = gmem_ptr(w->m, gpa(table + (u64)index * size), size);
	if (!p)
		return false;
	/* The guest may be changing its tables meanwhile: one untorn read. */
	if (size == 4)
		*e = __atomic_load_n((u32 *)p, __ATOMIC_RELAXED);
	else
		*e = __atomic_load_n((u64 *)p, __ATOMIC_RELAXED);
	w->ptr[step] = p;
	return true;
}

/*
 * The #PF error code (SDM vol. 3A 4.7): P from the failing entry (why),
 * W and U from the access, I for a fetch only where the CPU reports it:
 * CR4.SMEP=1, or EFER.NXE=1 with PAE or IA-32e paging.
 */
static enum gwalk_status fault(struct walk *w, u32 why)
{
	u32 err = why | (w->access & (PF_W | PF_U));

	if ((w->access & PF_I) &&
	    ((w->md->xd && (w->r->efer & EFER_NXE)) || (w->r->cr4 & CR4_SMEP)))
		err |= PF_I;
	w->out->error = err;
	return GWALK_FAULT;
}

/* Does an access with these rights go through (SDM vol. 3A 4.6; not SMAP, not keys)? */
static bool access_ok(const struct walk *w, u8 perm)
{
	u32 a = w->access;

	if (a & PF_U) {
		if (!(perm & PT_U) || ((a & PF_W) && !(perm & PT_W)))
			return false;
	} else {
		if ((a & PF_W) && !(perm & PT_W) && (w->r->cr0 & CR0_WP))
			return false;
		if ((a & PF_I) && (perm & PT_U) && (w->r->cr4 & CR4_SMEP))
			return false;
	}
	return !(a & PF_I) || (perm & PT_X);
}

/*
 * The walk proper, root first: fills out->step[] and, on success, the leaf
 * (its level in *leaf_level, its entry in *leaf_entry) and out->perm. Each
 * index takes only its level's bits, so the linear address bits above the
 * mode's width (32 bits, or 48/57 in IA-32e: the sign extension) drop out.
 */
static enum gwalk_status walk_tables(struct walk *w, u64 va, unsigned *leaf_level, u64 *leaf_entry)
{
	struct gwalk_result *out = w->out;
	u64 table = w->r->cr3 & w->md->root_mask, e;
	u8 perm = PT_R | PT_W | PT_U | PT_X;

	for (unsigned level = w->md->levels - 1u; level < PT_MAX_LEVELS; level--) {
		u32 index = (u32)((va >> w->shift[level]) & (BIT(w->fmt->bits[level]) - 1));
		bool leaf;

		if (!read_entry(w, table, index, level, &e)) {
			out->bad_gpa = table;
			return GWALK_BAD_TABLE;
		}
		out->step[out->nr_steps++] = (struct gwalk_step){ table, index, (u8)level, e };
		if (!w->fmt->present(e, level))
			return fault(w, 0);
		leaf = level == 0 || ((w->page_levels & BIT(level)) && w->fmt->is_leaf(e, level));
		if (e & rsvd_bits(w, level, leaf))
			return fault(w, PF_RSVD | PF_P);
		perm &= entry_rights(w, e, level);
		if (leaf) {
			*leaf_level = level;
			*leaf_entry = e;
			out->perm = perm;
			return GWALK_OK;
		}
		table = w->fmt->table_addr(e);
	}
	return fault(w, 0); /* not reached: level 0 is always a leaf */
}

/*
 * Set A in every entry the walk used (PAE's PDPTEs have none) and D in the
 * leaf for a write, as the CPU does: a locked OR on the entry at its own
 * width, so a 32-bit entry's neighbour is never written, and no write at
 * all when the bits are already set.
 */
static void set_ad(struct walk *w)
{
	struct gwalk_result *out = w->out;

	for (unsigned i = 0; i < out->nr_steps; i++) {
		struct gwalk_step *s = &out->step[i];
		u64 bits = E_A;

		if (!(w->md->rights_levels & BIT(s->level)) || !w->ptr[i])
			continue;
		if (i + 1u == out->nr_steps && (w->access & PF_W))
			bits |= E_D;
		if ((s->entry & bits) == bits)
			continue;
		if (w->fmt->entry_shift == 2)
			s->entry = __atomic_fetch_or((u32 *)w->ptr[i], (u32)bits, __ATOMIC_SEQ_CST);
		else
			s->entry = __atomic_fetch_or((u64 *)w->ptr[i], bits, __ATOMIC_SEQ_CST);
		/* What the OR found, plus its bits: the entry as it now is. */
		s->entry |= bits;
	}
}

/* Paging off: the address is its own translation, truncated to 32 bits, with every right. */
static enum gwalk_status walk_off(u64 va, struct gwalk_result *out)
{
	out->gpa = va & GENMASK(31, 0);
	out->page_gpa = out->gpa & ~(PAGE_SIZE - 1);
	out->page_size = PAGE_SIZE;
	out->perm = PT_R | PT_W | PT_U | PT_X;
	out->dirty = 1; /* no D bit to wait for: writes may be mapped at once */
	return GWALK_OK;
}

enum gwalk_status gwalk(const struct gmem *m, const struct gwalk_regs *r, u64 va, u32 access,
			unsigned flags, struct gwalk_result *out)
{
	struct walk w = { .m = m, .access = access & (PF_W | PF_U | PF_I), .out = out };
	enum gwalk_status st;
	unsigned level = 0;
	u64 e = 0;

	*out = (struct gwalk_result){ .mode = gwalk_mode_of(r) };
	if (out->mode == GWALK_OFF)
		return walk_off(va, out);
	walk_init(&w, r, out->mode);
	st = walk_tables(&w, va, &level, &e);
	if (st != GWALK_OK)
		return st;
	out->page_size = BIT(w.shift[level]);
	out->page_gpa = w.fmt->leaf_addr(e, level);
	out->gpa = out->page_gpa | (va & (out->page_size - 1));
	if (!access_ok(&w, out->perm))
		return fault(&w, PF_P);
	if (flags & GWALK_SET_AD)
		set_ad(&w);
	out->dirty = (out->step[out->nr_steps - 1].entry & E_D) ? 1 : 0;
	return GWALK_OK;
}

bool gwalk_translate(const struct gmem *m, const struct gwalk_regs *r, u64 va, u64 *gpa_out)
{
	struct gwalk_result res;

	if (gwalk(m, r, va, 0, 0, &res) != GWALK_OK)
		return false;
	*gpa_out = res.gpa;
	return true;
}
