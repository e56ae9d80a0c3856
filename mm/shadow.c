/* shadow.c: the shadow MMU: the tables the CPU walks for a guest without nested paging, kept equal to the guest's. */
#include "mm/shadow.h"

#include "arch/x86/msr.h"
#include "err.h"
#include "mm/phys.h"
#include "mm/pt.h"
#include "mm/shadow_int.h"

/*
 * What the CPU walks
 * ------------------
 * Without NPT/EPT the CPU translates guest-virtual straight to host-physical
 * through CR3, so umbra gives it shadow tables: for every guest translation
 * va -> gpa (the guest's tables) the shadow holds va -> hpa (gpa through the
 * VM's RAM map). Shadow entries are 8-byte x86-64 entries; the hardware mode
 * is 4-level when the guest is in long mode and PAE otherwise, so a 32-bit
 * or paging-off guest runs on PAE tables whose 4-entry PDPT (the "PAE root")
 * is a page umbra owns. Shadow leaves are always 4 KiB.
 *
 * Shadow pages and roles
 * ----------------------
 * A shadow page stands for one guest table page, seen one way; it is found
 * by (guest frame, role) through a hash. The role holds what else changes
 * the page's contents:
 *   level      where it sits (0 = PT);
 *   mode       the guest's paging mode (entry size and meaning);
 *   quadrant   32-bit guests only, see below;
 *   direct     no guest table behind it: paging off (identity), or the
 *              pieces of a guest large page (2/4 MiB, 1 GiB), which the
 *              shadow maps with 4 KiB leaves so write protection works per
 *              page; gfn is then the first guest frame it maps;
 *   access     W/U/X allowed by the guest entries above this page: a leaf
 *              gets access & its own bits, so the same guest table reached
 *              through more and less permissive parents needs two pages;
 *   WP PSE SMEP SMAP NXE  paging controls that change a walk's result.
 * Non-leaf shadow entries allow everything (SPTE_TABLE): rights live in the
 * leaves, computed from the full guest walk.
 *
 * Quadrants (32-bit guests)
 * -------------------------
 * A 32-bit guest table has 1024 4-byte entries; a shadow table has 512
 * 8-byte ones. So:
 *   guest PT  (1024 x 4 KiB = 4 MiB)  -> two shadow PTs of 2 MiB each:
 *       quadrant = va bit 21 (which half of the guest PT);
 *       shadow index i <-> guest index quadrant * 512 + i.
 *   guest PD  (1024 x 4 MiB = 4 GiB)  -> four shadow PDs of 1 GiB each,
 *       the four entries of the PAE root: quadrant = va bits 31:30;
 *       guest PDE g (4 MiB) <-> shadow PDEs 2(g - 256 quadrant) and +1.
 * PAE and 64-bit guest tables have 8-byte entries: quadrant 0, index = index.
 *
 * Write protection, and when an entry may be stale
 * ------------------------------------------------
 * Invariant: every guest frame that has a (non-direct) shadow page is mapped
 * read-only by every shadow leaf, so the guest cannot change a table behind
 * umbra's back. The reverse map (guest frame -> leaf shadow entries mapping
 * it, shadow_rmap.c) lets a new shadow page remove write access at once.
 * A guest write to such a page faults; the vCPU emulates the instruction
 * and calls shadow_pt_write, which stores the value and drops the shadow
 * entries the written bytes fed (the next access refills them). A page
 * written SHADOW_FLOOD times without being walked in between is no longer
 * treated as a table: its shadow pages go (shadow_unprotect) and the guest
 * writes it natively. So shadow entries are never stale with respect to the
 * guest's tables; umbra does not use unsynchronized leaf tables (the test
 * guests rarely rewrite leaves, and emulation keeps INVLPG and CR3 cheap).
 *
 * Accessed and dirty bits
 * -----------------------
 * The fault path walks the guest tables as the CPU would and sets their A
 * bits, and D in the leaf on a write. A shadow leaf exists only while the
 * guest leaf's A is set and is writable only once its D is set, so the
 * first write to a clean page faults and sets D. Shadow entries carry A/D
 * set so the CPU never writes them.
 *
 * CR0.WP=0
 * --------
 * The CPU runs with WP=1 always (else read-only shadow entries would not
 * protect guest tables from ring 0). For a guest with WP=0, a supervisor
 * write to a page its tables make read-only gets a leaf that is writable
 * but supervisor-only (and, under SMEP, not executable: the guest page is a
 * user page); a later user access faults and gets the guest's real rights
 * back. Roles carry WP, so the two never share pages. The CPU's EFER.NXE is
 * always on (shadow_hw_efer) so that XD is available for this.
 *
 * Paging off with SMEP or SMAP: the identity leaves carry U only for user
 * accesses, so the CPU's SMEP/SMAP (which the guest's CR4 leaves on) never
 * refuse what paging off allows.
 *
 * Who flushes what
 * ----------------
 * Removing a shadow entry or taking rights away sets s->flush; the vCPU
 * then flushes the VM's hardware TLB tag (ASID/VPID) before the next entry.
 * Filling or widening an entry needs nothing: the CPU does not cache a
 * translation that faulted. A root switch flushes too (the tag does not
 * cover CR3). INVLPG drops the shadow leaf for the address and flushes.
 *
 * Roots and memory
 * ----------------
 * Roots are cached per guest CR3 (and role, and PAE's PDPTEs) in
 * SHADOW_ROOT_CACHE slots; switching back to a recent address space reuses
 * its tables. Only the loaded root's pages are pinned. Shadow pages come
 * from a fixed budget; when it is used up the least recently walked page
 * not on the current walk and not pinned is zapped (its parents' entries
 * cleared, its children unlinked, pages left without parents zapped too).
 */

static u32 hash_of(u64 key)
{
	return (u32)((key * 0x9E3779B97F4A7C15ULL) >> 54) & (SHADOW_HASH - 1);
}

/* ---------------------------------------------------------------- set-up */

static u32 order_for(u64 bytes)
{
	u32 order = 0;
	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static u64 *alloc_zeroed(struct shadow_mmu *s, u32 order, hpa_t *out)
{
	u64 *p;

	if (palloc_alloc(s->pa, order, s->owner, out) != PALLOC_OK)
		return NULL;
	p = phys_to_virt(*out);
	for (u64 i = 0; i < (PAGE_SIZE << order) / 8; i++)
		p[i] = 0;
	return p;
}

int shadow_init(struct shadow_mmu *s, const struct gmem *mem, struct palloc *pa, owner_t owner,
		u32 budget, u8 maxphyaddr, bool no_1g)
{
	u64 meta;
	u64 *m;

	*s = (struct shadow_mmu){ .mem = mem, .pa = pa, .owner = owner, .cur = -1 };
	s->maxphyaddr = maxphyaddr ? maxphyaddr : 52;
	s->no_1g = no_1g;
	s->budget = budget < SHADOW_MIN_BUDGET ? SHADOW_MIN_BUDGET : budget;
	meta = (u64)s->budget * sizeof(struct shadow_page) + (u64)2 * SHADOW_HASH * sizeof(u32);
	s->meta_order = order_for(meta);
	s->nr_frames = mem->size >> PAGE_SHIFT;
	s->rmap_order = order_for((s->nr_frames + 512) * sizeof(u64));
	m = alloc_zeroed(s, s->meta_order, &s->meta_hpa);
	if (!m)
		return -ERR_NOMEM;
	s->rmap = alloc_zeroed(s, s->rmap_order, &s->rmap_hpa);
	if (!s->rmap) {
		palloc_free(pa, s->meta_hpa, s->meta_order, owner);
		return -ERR_NOMEM;
	}
	/* The rmap allocation's tail (512 words) lists the node pages. */
	s->rmap_nodes = s->rmap + s->nr_frames;
	s->rmap_nodes_max = 512;
	/* One allocation: the hash buckets, then the page records (8-byte aligned). */
	s->hash_gfn = (u32 *)(void *)m;
	s->hash_hpa = s->hash_gfn + SHADOW_HASH;
	s->sp = (struct shadow_page *)(void *)(s->hash_hpa + SHADOW_HASH);
	for (u32 i = s->budget; i > 0; i--) {
		s->sp[i - 1].next_gfn = s->free_head;
		s->free_head = i;
	}
	return 0;
}

static void free_root_slot(struct shadow_mmu *s, struct shadow_root *r)
{
	if (r->pae_page.val)
		palloc_free(s->pa, r->pae_page, 0, s->owner);
	*r = (struct shadow_root){ 0 };
}

void shadow_destroy(struct shadow_mmu *s)
{
	if (!s->sp)
		return;
	for (u32 i = 0; i < s->budget; i++)
		if (s->sp[i].in_use)
			palloc_free(s->pa, s->sp[i].hpa, 0, s->owner);
	for (int i = 0; i < SHADOW_ROOT_CACHE; i++)
		free_root_slot(s, &s->roots[i]);
	plist_free_pool(s);
	palloc_free(s->pa, s->rmap_hpa, s->rmap_order, s->owner);
	palloc_free(s->pa, s->meta_hpa, s->meta_order, s->owner);
	s->sp = NULL;
}

/* ---------------------------------------------------------------- hashes */

static struct shadow_page *find_page(struct shadow_mmu *s, u64 gfn, u32 role)
{
	if (!s->sp)
		return NULL;
	for (u32 r = s->hash_gfn[hash_of(gfn)]; r; r = s->sp[r - 1].next_gfn) {
		struct shadow_page *sp = &s->sp[r - 1];
		if (sp->gfn == gfn && sp->role == role)
			return sp;
	}
	return NULL;
}

struct shadow_page *page_of_hpa(struct shadow_mmu *s, u64 addr)
{
	for (u32 r = s->hash_hpa[hash_of(addr >> PAGE_SHIFT)]; r; r = s->sp[r - 1].next_hpa)
		if (s->sp[r - 1].hpa.val == addr)
			return &s->sp[r - 1];
	return NULL;
}

/* The guest frame is a table umbra shadows (it must stay read-only). */
bool gfn_protected(struct shadow_mmu *s, u64 gfn)
{
	if (!s->sp)
		return false;
	for (u32 r = s->hash_gfn[hash_of(gfn)]; r; r = s->sp[r - 1].next_gfn) {
		const struct shadow_page *sp = &s->sp[r - 1];
		if (sp->gfn == gfn && !(sp->role & ROLE_DIRECT))
			return true;
	}
	return false;
}

static void unchain(u32 *link, u32 ref, bool by_gfn, struct shadow_mmu *s)
{
	while (*link != ref)
		link = by_gfn ? &s->sp[*link - 1].next_gfn : &s->sp[*link - 1].next_hpa;
	*link = by_gfn ? s->sp[ref - 1].next_gfn : s->sp[ref - 1].next_hpa;
}

/* ---------------------------------------------------------------- reverse map */

u64 *rmap_head(struct shadow_mmu *s, u64 gfn)
{
	u64 idx = gfn - (s->mem->base >> PAGE_SHIFT);
	return idx < s->nr_frames ? &s->rmap[idx] : NULL;
}

/* The guest frame a leaf's host address belongs to (guest RAM is a few chunks). */
static u64 gfn_of_hpa(const struct shadow_mmu *s, u64 addr)
{
	for (u32 i = 0; i < s->mem->nr; i++) {
		const struct gmem_chunk *c = &s->mem->chunk[i];
		if (addr >= c->hpa.val && addr - c->hpa.val < c->size)
			return (c->gpa + (addr - c->hpa.val)) >> PAGE_SHIFT;
	}
	return ~0ULL;
}

static void wp_one(struct shadow_mmu *s, u64 *spte)
{
	if (*spte & SPTE_W) {
		*spte &= ~(SPTE_W | SPTE_D);
		s->flush = true;
	}
}

/* ---------------------------------------------------------------- zapping */

/* Clear entry i of sp, unlinking what it pointed to. */
void drop_spte(struct shadow_mmu *s, struct shadow_page *sp, unsigned i)
{
	u64 *t = table_of(sp), e = t[i];
	u64 addr = e & SPTE_ADDR;

	if (!(e & SPTE_P))
		return;
	t[i] = 0;
	s->flush = true;
	if (role_level(sp->role) == 0) {
		u64 *head = rmap_head(s, gfn_of_hpa(s, addr));
		if (head)
			plist_del(s, head, &t[i]);
		return;
	}
	struct shadow_page *child = page_of_hpa(s, addr);
	if (!child)
		return;
	plist_del(s, &child->parents, &t[i]);
	if (plist_empty(child->parents) && !child->root_count)
		zap_page(s, child);
}

/* Forget sp in the root cache: a cached 4-level root goes, a PAE root loses that entry. */
static void forget_in_roots(struct shadow_mmu *s, u32 ref)
{
	for (int i = 0; i < SHADOW_ROOT_CACHE; i++) {
		struct shadow_root *r = &s->roots[i];
		if (!r->valid)
			continue;
		if (r->root == ref)
			r->valid = false;
		for (int q = 0; q < 4; q++)
			if (r->pae_child[q] == ref) {
				r->pae_child[q] = 0;
				((u64 *)phys_to_virt(r->pae_page))[q] = 0;
			}
	}
}

void zap_page(struct shadow_mmu *s, struct shadow_page *sp)
{
	u32 ref = ref_of(s, sp);
	u64 *p;

	if (!sp->in_use)
		return;
	sp->in_use = false; /* guards against coming back here through a child */
	while ((p = plist_pop(s, &sp->parents)) != NULL) {
		*p = 0;
		s->flush = true;
	}
	for (unsigned i = 0; i < SPTES_PER_PAGE; i++)
		drop_spte(s, sp, i);
	forget_in_roots(s, ref);
	unchain(&s->hash_gfn[hash_of(sp->gfn)], ref, true, s);
	unchain(&s->hash_hpa[hash_of(sp->hpa.val >> PAGE_SHIFT)], ref, false, s);
	palloc_free(s->pa, sp->hpa, 0, s->owner);
	sp->next_gfn = s->free_head;
	s->free_head = ref;
	s->used--;
}

/* ---------------------------------------------------------------- getting pages */

/* The least recently walked page that is neither pinned nor on this walk. */
bool reclaim_one(struct shadow_mmu *s)
{
	struct shadow_page *victim = NULL;

	for (u32 i = 0; i < s->budget; i++) {
		struct shadow_page *sp = &s->sp[i];
		if (!sp->in_use || sp->root_count || sp->last_use == s->clock)
			continue;
		if (!victim || sp->last_use < victim->last_use)
			victim = sp;
	}
	if (!victim)
		return false;
	zap_page(s, victim);
	s->stats.reclaimed++;
	return true;
}

static struct shadow_page *new_page(struct shadow_mmu *s, u64 gfn, u32 role)
{
	struct shadow_page *sp;
	u32 ref;
	hpa_t h;

	if (!s->free_head && !reclaim_one(s))
		return NULL;
	while (!alloc_zeroed(s, 0, &h))
		if (!reclaim_one(s))
			return NULL;
	ref = s->free_head;
	sp = &s->sp[ref - 1];
	s->free_head = sp->next_gfn;
	*sp = (struct shadow_page){ .hpa = h, .gfn = gfn, .role = role, .in_use = true };
	sp->last_use = s->clock;
	sp->next_gfn = s->hash_gfn[hash_of(gfn)];
	s->hash_gfn[hash_of(gfn)] = ref;
	sp->next_hpa = s->hash_hpa[hash_of(h.val >> PAGE_SHIFT)];
	s->hash_hpa[hash_of(h.val >> PAGE_SHIFT)] = ref;
	if (++s->used > s->stats.pages_peak)
		s->stats.pages_peak = s->used;
	return sp;
}

/* The shadow page for (gfn, role); a new one for a guest table write-protects the frame. */
struct shadow_page *get_page(struct shadow_mmu *s, u64 gfn, u32 role)
{
	struct shadow_page *sp = find_page(s, gfn, role);
	u64 *head;

	if (sp)
		return sp;
	if (!(role & ROLE_DIRECT) && !gfn_protected(s, gfn) && (head = rmap_head(s, gfn)) != NULL)
		plist_each(*head, wp_one, s);
	return new_page(s, gfn, role);
}

/* Point entry i of parent at child (the new link first, so dropping the old
 * one cannot leave child without parents and zap it). */
int link_child(struct shadow_mmu *s, struct shadow_page *parent, unsigned i,
	       struct shadow_page *child)
{
	u64 *t = table_of(parent);
	u64 want = child->hpa.val | SPTE_TABLE;

	if (t[i] == want)
		return 0;
	if (plist_add(s, &child->parents, &t[i]))
		return -ERR_NOMEM;
	drop_spte(s, parent, i);
	t[i] = want;
	return 0;
}

/* ---------------------------------------------------------------- roots */

/* The role bits a paging state gives every page under its root. */
static u32 controls_role(const struct gwalk_regs *r, enum gwalk_mode mode)
{
	u32 role = (u32)FIELD_PREP(ROLE_MODE, mode);

	if (mode == GWALK_OFF)
		return role; /* nothing else changes an identity map */
	if (r->cr0 & CR0_WP)
		role |= ROLE_WP;
	if (mode == GWALK_32 && (r->cr4 & CR4_PSE))
		role |= ROLE_PSE;
	if (r->cr4 & CR4_SMEP)
		role |= ROLE_SMEP;
	if (r->cr4 & CR4_SMAP)
		role |= ROLE_SMAP;
	if ((r->efer & EFER_NXE) && mode != GWALK_32)
		role |= ROLE_NXE;
	return role;
}

static u64 cr3_key(const struct gwalk_regs *r, enum gwalk_mode mode)
{
	if (mode == GWALK_OFF)
		return 0;
	if (mode == GWALK_PAE)
		return r->cr3 & GENMASK(31, 5);
	if (mode == GWALK_32)
		return r->cr3 & GENMASK(31, 12);
	return r->cr3 & GENMASK(51, 12);
}

#define PDPTE_RSVD_LOW (GENMASK(2, 1) | GENMASK(8, 5))

static bool read_pdptes(const struct shadow_mmu *s, const struct gwalk_regs *r, u64 pd[4])
{
	if (gmem_read(s->mem, gpa(r->cr3 & GENMASK(31, 5)), pd, 4 * sizeof(u64)))
		return false;
	for (int i = 0; i < 4; i++)
		if ((pd[i] & SPTE_P) && (pd[i] & (PDPTE_RSVD_LOW | GENMASK(63, s->maxphyaddr))))
			return false;
	return true;
}

bool shadow_pdptes_ok(const struct shadow_mmu *s, const struct gwalk_regs *r)
{
	u64 pd[4];
	return gwalk_mode_of(r) != GWALK_PAE || read_pdptes(s, r, pd);
}

/* The shadow PD behind PAE-root entry q, for a 32-bit, PAE or paging-off guest. */
static bool pae_child_for(struct shadow_mmu *s, const struct shadow_root *rt, unsigned q, u64 *gfn,
			  u32 *role)
{
	enum gwalk_mode mode = role_mode(rt->key_role);

	*role = rt->key_role | (u32)FIELD_PREP(ROLE_LEVEL, 1) | (u32)ROLE_ACC(ACC_ALL);
	if (mode == GWALK_OFF) {
		*role |= ROLE_DIRECT;
		*gfn = (u64)q << 18; /* 1 GiB per entry */
		return true;
	}
	if (mode == GWALK_32) {
		*role |= (u32)FIELD_PREP(ROLE_QUADRANT, q);
		*gfn = rt->key_cr3 >> PAGE_SHIFT;
		return true;
	}
	if (!(rt->key_pdpte[q] & SPTE_P))
		return false; /* the guest's own walk faults there */
	*gfn = (rt->key_pdpte[q] & GENMASK(51, 12)) >> PAGE_SHIFT;
	return true;
}

/* Make sure the root's top pages exist (a cached root may have lost some). */
static int fill_root(struct shadow_mmu *s, struct shadow_root *rt)
{
	u64 gfn;
	u32 role;
	struct shadow_page *sp;

	if (role_mode(rt->key_role) >= GWALK_LM4) {
		sp = page_at(s, rt->root);
		if (!sp)
			sp = get_page(s, rt->key_cr3 >> PAGE_SHIFT,
				      rt->key_role | (u32)FIELD_PREP(ROLE_LEVEL, 3) |
					      (u32)ROLE_ACC(ACC_ALL));
		if (!sp)
			return -ERR_NOMEM;
		touch(s, sp);
		rt->root = ref_of(s, sp);
		return 0;
	}
	if (!rt->pae_page.val) {
		if (!alloc_zeroed(s, 0, &rt->pae_page))
			return -ERR_NOMEM;
		/* A PAE CR3 holds 32 bits. Order-0 pages come lowest first
		 * (palloc.c), so if this one is above 4 GiB none is below. */
		if (s->pae_below_4g && (rt->pae_page.val >> 32)) {
			palloc_free(s->pa, rt->pae_page, 0, s->owner);
			rt->pae_page = hpa(0);
			return -ERR_NOMEM;
		}
	}
	for (unsigned q = 0; q < 4; q++) {
		sp = page_at(s, rt->pae_child[q]);
		if (!sp && pae_child_for(s, rt, q, &gfn, &role)) {
			sp = get_page(s, gfn, role);
			if (!sp)
				return -ERR_NOMEM;
		}
		if (!sp)
			continue;
		touch(s, sp);
		rt->pae_child[q] = ref_of(s, sp);
		((u64 *)phys_to_virt(rt->pae_page))[q] = sp->hpa.val | SPTE_P;
	}
	return 0;
}

static void pin(struct shadow_mmu *s, const struct shadow_root *rt, int delta)
{
	struct shadow_page *sp = page_at(s, rt->root);

	if (sp)
		sp->root_count = (u16)(sp->root_count + delta);
	for (int q = 0; q < 4; q++) {
		sp = page_at(s, rt->pae_child[q]);
		if (sp)
			sp->root_count = (u16)(sp->root_count + delta);
	}
}

static bool root_matches(const struct shadow_root *rt, u64 cr3, u32 role, const u64 pd[4])
{
	if (!rt->valid || rt->key_cr3 != cr3 || rt->key_role != role)
		return false;
	if (role_mode(role) != GWALK_PAE)
		return true;
	for (int i = 0; i < 4; i++)
		if (rt->key_pdpte[i] != pd[i])
			return false;
	return true;
}

/* A slot for a new root: an empty one, else the least recently used (not the loaded one). */
static int pick_slot(struct shadow_mmu *s)
{
	int best = -1;

	for (int i = 0; i < SHADOW_ROOT_CACHE; i++) {
		if (i == s->cur)
			continue;
		if (!s->roots[i].valid)
			return i;
		if (best < 0 || s->roots[i].last_use < s->roots[best].last_use)
			best = i;
	}
	return best;
}

static int find_or_make_root(struct shadow_mmu *s, u64 cr3, u32 role, const u64 pd[4])
{
	int slot = -1;
	struct shadow_root *rt;

	for (int i = 0; i < SHADOW_ROOT_CACHE && slot < 0; i++)
		if (root_matches(&s->roots[i], cr3, role, pd))
			slot = i;
	if (slot >= 0) {
		s->stats.roots_reused++;
		return slot;
	}
	s->stats.roots_built++;
	slot = pick_slot(s);
	rt = &s->roots[slot];
	{
		hpa_t keep = rt->pae_page; /* a PAE root page is reused as it is */
		*rt = (struct shadow_root){
			.valid = true, .key_cr3 = cr3, .key_role = role, .pae_page = keep
		};
		if (keep.val)
			for (int q = 0; q < 4; q++)
				((u64 *)phys_to_virt(keep))[q] = 0;
	}
	for (int i = 0; i < 4; i++)
		rt->key_pdpte[i] = pd[i];
	return slot;
}

int shadow_load_root(struct shadow_mmu *s, const struct gwalk_regs *r, u64 *hw_cr3)
{
	enum gwalk_mode mode = gwalk_mode_of(r);
	u64 pd[4] = { 0, 0, 0, 0 };
	u64 cr3 = cr3_key(r, mode);
	u32 role = controls_role(r, mode);
	struct shadow_root *rt;
	int slot, rc;

	if (mode == GWALK_LM5)
		return -ERR_INVAL; /* LA57 is not offered to guests */
	if (mode == GWALK_PAE && !read_pdptes(s, r, pd))
		return -ERR_RANGE;
	s->clock++;
	slot = find_or_make_root(s, cr3, role, pd);
	rt = &s->roots[slot];
	if (slot != s->cur) {
		if (s->cur >= 0)
			pin(s, &s->roots[s->cur], -1);
		s->cur = -1;
		s->flush = true; /* the ASID/VPID does not tell one CR3 from another */
	}
	rc = fill_root(s, rt);
	if (rc) {
		rt->valid = false;
		return rc;
	}
	if (s->cur != slot)
		pin(s, rt, +1);
	s->cur = slot;
	rt->last_use = s->clock;
	s->regs = *r;
	s->regs.maxphyaddr = s->maxphyaddr;
	s->regs.no_1g = s->no_1g;
	for (int i = 0; i < 4; i++)
		s->pdpte[i] = pd[i];
	s->regs.pdpte = mode == GWALK_PAE ? s->pdpte : NULL;
	if (mode >= GWALK_LM4)
		*hw_cr3 = s->sp[rt->root - 1].hpa.val; /* fill_root made it */
	else
		*hw_cr3 = rt->pae_page.val;
	return 0;
}

/* The non-direct shadow pages of a guest frame (refs), at most MAX_ALIASES. */
unsigned pages_of_gfn(struct shadow_mmu *s, u64 gfn, u32 *refs)
{
	unsigned n = 0;

	for (u32 r = s->hash_gfn[hash_of(gfn)]; r && n < MAX_ALIASES; r = s->sp[r - 1].next_gfn)
		if (s->sp[r - 1].gfn == gfn && !(s->sp[r - 1].role & ROLE_DIRECT))
			refs[n++] = r;
	return n;
}
