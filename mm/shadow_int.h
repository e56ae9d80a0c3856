/* shadow_int.h: the shadow MMU's internals shared by shadow.c and shadow_rmap.c (not for other users). */
#ifndef UMBRA_SHADOW_INT_H
#define UMBRA_SHADOW_INT_H

#include "compiler.h"
#include "mm/phys.h"
#include "mm/pt.h"
#include "mm/shadow.h"

/* Shadow entries: the x86-64 format the CPU walks (SDM vol. 3 table 4-19). */
#define SPTE_P BIT(0)
#define SPTE_W BIT(1)
#define SPTE_U BIT(2)
#define SPTE_A BIT(5)
#define SPTE_D BIT(6)
#define SPTE_NX BIT(63)
#define SPTE_ADDR GENMASK(51, 12)
#define SPTE_TABLE (SPTE_P | SPTE_W | SPTE_U | SPTE_A) /* a non-leaf entry: rights live in leaves */
#define SPTES_PER_PAGE 512

/*
 * A role: everything besides the guest frame that decides what a shadow
 * page holds (see shadow.c's top comment).
 */
#define ROLE_LEVEL GENMASK(1, 0)    /* 0 = PT ... 3 = PML4 */
#define ROLE_MODE GENMASK(4, 2)	    /* enum gwalk_mode of the guest */
#define ROLE_QUADRANT GENMASK(6, 5) /* 32-bit guests: which part of the guest table */
#define ROLE_DIRECT BIT(7)	    /* no guest table behind it: paging off or a large page */
#define ROLE_ACCESS GENMASK(10, 8)  /* PT_W | PT_U | PT_X (>> 1) inherited from above */
#define ROLE_WP BIT(11)		    /* CR0.WP */
#define ROLE_PSE BIT(12)	    /* CR4.PSE (32-bit guests only) */
#define ROLE_SMEP BIT(13)	    /* CR4.SMEP */
#define ROLE_SMAP BIT(14)	    /* CR4.SMAP */
#define ROLE_NXE BIT(15)	    /* EFER.NXE */
#define ROLE_WP0_W \
	BIT(16) /* direct: a dirty read-only large page that CR0.WP=0 lets ring 0 write */

/* Role access bits are the PT_W, PT_U, PT_X permissions shifted down by one. */
#define ROLE_ACC(perm) FIELD_PREP(ROLE_ACCESS, ((perm) >> 1) & 7)
#define ROLE_PERM(role) ((u8)((FIELD_GET(ROLE_ACCESS, role) << 1) | PT_R))

struct shadow_page {
	hpa_t hpa; /* the table page itself */
	u64 gfn;   /* guest frame of the guest table, or the first frame a direct page maps */
	u32 role;
	u32 next_gfn; /* hash chains (index + 1) */
	u32 next_hpa;
	u16 root_count; /* pinned by the loaded root */
	u16 writes;	/* emulated writes since the page was last used for a walk */
	u64 parents;	/* list of the shadow entries pointing here */
	u64 last_use;	/* clock stamp */
	bool in_use;
};

#define SHADOW_HASH 1024
#define MAX_ALIASES 32 /* shadow pages of one guest frame handled per write */
#define ROLE_CONTROLS (ROLE_MODE | ROLE_WP | ROLE_PSE | ROLE_SMEP | ROLE_SMAP | ROLE_NXE)
#define ACC_ALL (PT_W | PT_U | PT_X)

static inline struct shadow_page *page_at(struct shadow_mmu *s, u32 ref)
{
	return ref ? &s->sp[ref - 1] : NULL;
}

static inline u32 ref_of(const struct shadow_mmu *s, const struct shadow_page *sp)
{
	return (u32)(sp - s->sp) + 1;
}

static inline u64 *table_of(const struct shadow_page *sp)
{
	return phys_to_virt(sp->hpa);
}

static inline unsigned role_level(u32 role)
{
	return (unsigned)FIELD_GET(ROLE_LEVEL, role);
}

static inline enum gwalk_mode role_mode(u32 role)
{
	return (enum gwalk_mode)FIELD_GET(ROLE_MODE, role);
}

static inline void touch(struct shadow_mmu *s, struct shadow_page *sp)
{
	sp->last_use = s->clock;
}

/* shadow.c: pages, hashes, the reverse map, zapping. */
struct shadow_page *get_page(struct shadow_mmu *s, u64 gfn, u32 role);
struct shadow_page *page_of_hpa(struct shadow_mmu *s, u64 addr);
bool gfn_protected(struct shadow_mmu *s, u64 gfn);
unsigned pages_of_gfn(struct shadow_mmu *s, u64 gfn, u32 *refs);
u64 *rmap_head(struct shadow_mmu *s, u64 gfn);
int link_child(struct shadow_mmu *s, struct shadow_page *parent, unsigned i,
	       struct shadow_page *child);
void drop_spte(struct shadow_mmu *s, struct shadow_page *sp, unsigned i);
void zap_page(struct shadow_mmu *s, struct shadow_page *sp);
bool reclaim_one(struct shadow_mmu *s);

/* shadow_rmap.c: lists of shadow-entry pointers in one u64 head. */
int plist_add(struct shadow_mmu *s, u64 *head, const u64 *spte);
void plist_del(struct shadow_mmu *s, u64 *head, const u64 *spte);
u64 *plist_pop(struct shadow_mmu *s, u64 *head);
void plist_each(u64 head, void (*fn)(struct shadow_mmu *s, u64 *spte), struct shadow_mmu *s);
bool plist_empty(u64 head);
void plist_free_pool(struct shadow_mmu *s);

#endif
