/* shadow.h: the shadow MMU: page tables the CPU walks for a guest that runs without nested paging. */
#ifndef UMBRA_SHADOW_H
#define UMBRA_SHADOW_H

#include "mm/gmem.h"
#include "mm/gwalk.h"
#include "mm/palloc.h"
#include "types.h"

/*
 * The hardware walks shadow tables umbra builds (x86-64 8-byte entries):
 * 4-level when the guest is in long mode, PAE (a 4-entry PDPT + 2 levels)
 * otherwise, whatever the guest itself uses. shadow.c explains the design
 * and its invariants at its top.
 */

/* Per-VM counters, printed with the VM summary. */
struct shadow_stats {
	u64 faults;	  /* #PF exits handled */
	u64 fixed;	  /* ... that filled or upgraded a shadow entry */
	u64 guest_pf;	  /* ... reflected to the guest as its own #PF */
	u64 mmio;	  /* ... that were MMIO (a leaf outside guest RAM) */
	u64 pt_writes;	  /* guest writes to its page tables, emulated */
	u64 unprotected;  /* guest table pages let go (write flood, unemulated writes) */
	u64 roots_reused; /* root loads served from the per-vCPU cache */
	u64 roots_built;  /* root loads that built a new root */
	u64 invlpg;	  /* INVLPGs seen */
	u64 reclaimed;	  /* shadow pages taken back under the budget */
	u64 pages_peak;	  /* most shadow pages in use at once */
};

#define SHADOW_ROOT_CACHE 8	   /* roots kept per vCPU */
#define SHADOW_DEFAULT_BUDGET 1024 /* shadow pages per VM unless shadow_pages= says */
#define SHADOW_MIN_BUDGET 16	   /* enough for any one walk plus a root */

struct shadow_page;

/* One cached root: what identifies it, and the page(s) the hardware uses. */
struct shadow_root {
	bool valid;
	u64 key_cr3;	  /* the guest's CR3 (address bits), 0 with paging off */
	u32 key_role;	  /* the root's role bits */
	u64 key_pdpte[4]; /* PAE: the PDPTEs loaded with that CR3 */
	u32 root;	  /* 4-level: shadow page index + 1 of the guest's PML4 */
	hpa_t pae_page;	  /* PAE/32-bit/off: umbra's own PDPT page (below 4 GiB) */
	u32 pae_child[4]; /* ... and the shadow PDs it points to (index + 1, 0 none) */
	u64 last_use;
};

struct shadow_mmu {
	const struct gmem *mem;
	struct palloc *pa;
	owner_t owner;
	u8 maxphyaddr;
	bool no_1g;
	bool pae_below_4g; /* PAE roots must sit below 4 GiB (a legacy CR3 has 32 bits);
			      set by the vCPU side after shadow_init */

	/* Shadow pages: metadata array, free list, two hashes (by guest frame
	 * and by host address), use stamps for LRU. */
	u32 budget, used;
	struct shadow_page *sp; /* budget entries */
	u32 free_head;		/* index + 1, 0: none */
	u32 *hash_gfn;		/* SHADOW_HASH buckets of index + 1 */
	u32 *hash_hpa;
	u64 clock;
	hpa_t meta_hpa; /* where sp[] and the hashes live */
	u32 meta_order;

	/* Reverse map: guest frame -> leaf shadow entries mapping it. */
	u64 *rmap; /* one list head per guest frame of RAM */
	u64 nr_frames;
	hpa_t rmap_hpa;
	u32 rmap_order;
	u64 *rmap_nodes; /* pages of list nodes, for destroy */
	u32 rmap_nodes_used, rmap_nodes_max;
	u64 rmap_free; /* free list of nodes */

	/* The roots of the (one) vCPU: cache, and the one loaded. */
	struct shadow_root roots[SHADOW_ROOT_CACHE];
	int cur;		/* index in roots, -1 before the first load */
	struct gwalk_regs regs; /* the paging state the current root is for */
	u64 pdpte[4];		/* PAE: the PDPTEs loaded with CR3 */

	bool flush; /* the hardware TLB for this VM must be flushed before the next entry */
	struct shadow_stats stats;
};

/*
 * Set up a VM's shadow MMU over its RAM with a budget of shadow pages
 * (at least SHADOW_MIN_BUDGET). maxphyaddr and no_1g describe the guest's
 * CPU model. 0 or -ERR_NOMEM (nothing stays allocated).
 */
int shadow_init(struct shadow_mmu *s, const struct gmem *mem, struct palloc *pa, owner_t owner,
		u32 budget, u8 maxphyaddr, bool no_1g);
void shadow_destroy(struct shadow_mmu *s);

/*
 * The guest loaded CR3, or changed CR0/CR4/EFER: switch to the root for
 * this state, from the cache or built. *hw_cr3 is what the CPU's CR3 must
 * hold. Returns 0, -ERR_NOMEM (no page even after reclaiming), or
 * -ERR_RANGE for a PAE CR3 whose PDPTEs are outside RAM or have reserved
 * bits set (the CPU would raise #GP on that MOV to CR3; checked before
 * anything changes).
 */
int shadow_load_root(struct shadow_mmu *s, const struct gwalk_regs *r, u64 *hw_cr3);
/* PAE: the four PDPTEs at r->cr3 are in RAM and valid (else MOV to CR3 gives #GP). */
bool shadow_pdptes_ok(const struct shadow_mmu *s, const struct gwalk_regs *r);

/* What a #PF exit turned out to be. */
enum shadow_verdict {
	SHADOW_FIXED,	  /* a shadow entry was filled or upgraded: re-enter */
	SHADOW_GUEST_PF,  /* the guest's own tables fault: inject #PF(error) with CR2 = addr */
	SHADOW_MMIO,	  /* the address is not RAM: emulate the access to gpa */
	SHADOW_PT_WRITE,  /* a write to a guest page table: emulate it, then shadow_pt_write */
	SHADOW_BAD_TABLE, /* the guest's tables reach gpa, which is not RAM: end the guest */
	SHADOW_NOMEM,	  /* no shadow page could be had: end the guest (budget too small) */
};

struct shadow_fault {
	enum shadow_verdict verdict;
	u32 error; /* GUEST_PF: the error code to inject */
	u64 gpa;   /* MMIO, PT_WRITE, BAD_TABLE: the guest-physical address */
};

/*
 * The CPU raised #PF on the shadow tables at gva with hw_error (P W U RSVD
 * I, as the hardware reported it). Walk the guest's tables (setting their
 * A/D bits as the CPU would) and fill the shadow, or say what else it is.
 */
void shadow_page_fault(struct shadow_mmu *s, u64 gva, u32 hw_error, struct shadow_fault *out);

/*
 * A guest write of len bytes (1..8, not crossing a page) to gpa, which is a
 * page table umbra shadows: store src in guest RAM and drop the shadow
 * entries the bytes fed. Returns false when umbra would rather stop
 * shadowing that page (it is written again and again without being used
 * as a table): the caller then calls shadow_unprotect and lets the guest
 * retry the instruction natively.
 */
bool shadow_pt_write(struct shadow_mmu *s, u64 gpa, const void *src, unsigned len);
/* Stop shadowing the guest table at gpa's frame (write flood, a write umbra
 * cannot emulate). False if it cannot be let go: it is the loaded root's
 * own table (the guest would fault on it again at once). */
bool shadow_unprotect(struct shadow_mmu *s, u64 gpa);
/* INVLPG gva: drop the shadow leaf translating it in the current root. */
void shadow_invlpg(struct shadow_mmu *s, u64 gva);

/*
 * EFER as the CPU must hold it under shadow paging, from the guest's: LME
 * only with LMA (LME without LMA under PG=1 is not a state either CPU
 * enters), and NXE always, so shadow entries can use XD whatever the guest
 * chose (a guest without NXE still gets #PF(RSVD) for its own bit 63: that
 * is the guest walk's business). The CPU's CR0 is the guest's | PG | WP; its
 * CR4 is vshadow.h's rule.
 */
static inline u64 shadow_hw_efer(u64 guest_efer)
{
	const u64 lme = 1ULL << 8, lma = 1ULL << 10, nxe = 1ULL << 11;

	return (guest_efer & ~lme) | ((guest_efer & lma) ? lme : 0) | nxe;
}

/* True once if shadow entries were removed or made stricter since the last call. */
static inline bool shadow_take_flush(struct shadow_mmu *s)
{
	bool f = s->flush;
	s->flush = false;
	return f;
}

/* Shadow pages in use. */
static inline u32 shadow_pages_used(const struct shadow_mmu *s)
{
	return s->used;
}

#endif
