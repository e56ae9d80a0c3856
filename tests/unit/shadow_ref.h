/* shadow_ref.h: an x86 paging reference written from the SDM, and the shadow MMU test harness. */
#ifndef UMBRA_SHADOW_REF_H
#define UMBRA_SHADOW_REF_H

#include "mm/gwalk.h"
#include "mm/shadow.h"
#include "pt_testlib.h"

/*
 * Part 1 (shadow_ref.c): a page walker written from the SDM, not from
 * mm/gwalk.c or the page-table engine. It walks guest tables for the
 * reference, and umbra's shadow tables for the fake CPU, through a reader
 * callback, so the same rules serve both.
 */
#define X86_P BIT(0)
#define X86_RW BIT(1)
#define X86_US BIT(2)
#define X86_A BIT(5)
#define X86_D BIT(6)
#define X86_PS BIT(7)
#define X86_XD BIT(63)
#define X86_CR4_SMEP BIT(20)

enum sref_mode { SREF_OFF, SREF_32, SREF_PAE, SREF_LM4 };

/* Everything that decides a walk's result. */
struct sref_paging {
	enum sref_mode mode;
	u64 root;	  /* CR3 */
	const u64 *pdpte; /* PAE: the four PDPTE registers */
	bool wp, nxe, smep;
	bool pse;     /* CR4.PSE (32-bit paging only) */
	bool cr4_pae; /* CR4.PAE: decides whether NXE alone reports I in the error code */
	u8 maxphyaddr;
	bool no_1g;
};

/* Read the width-byte entry at addr; false if addr is not memory (a bad table). */
typedef bool (*sref_read_fn)(void *ctx, u64 addr, unsigned width, u64 *val);

enum sref_kind { SREF_OK, SREF_PF, SREF_BAD };

/* An entry the walk used (for accessed/dirty updates). */
struct sref_ent {
	u64 addr;
	u8 width, level;
};

struct sref_walk {
	enum sref_kind kind;
	u64 pa; /* OK: the translated address */
	u64 page_pa, page_size;
	bool w, u, x; /* OK: effective rights over all levels */
	u32 error;    /* PF: the error code */
	u64 bad;      /* BAD: the table address that is not memory */
	u8 nr;	      /* entries used, root first (PAE PDPTEs are registers: not listed) */
	struct sref_ent ent[5];
};

/* The paging mode regs select, and the walk controls they give (pdpte: the PAE registers). */
void sref_paging_of(const struct gwalk_regs *r, u8 maxphyaddr, bool no_1g, const u64 *pdpte,
		    struct sref_paging *p);
/* Translate va for access (PF_W, PF_U, PF_I bits) without touching memory. */
void sref_walk(const struct sref_paging *p, sref_read_fn rd, void *ctx, u64 va, u32 access,
	       struct sref_walk *out);
/* PAE PDPTE bits that must be 0 in a present entry (MOV to CR3 gives #GP otherwise). */
u64 sref_pdpte_rsvd(u8 maxphyaddr);
/* Physical address bits [maxphyaddr-1, 12]. */
u64 sref_addr_mask(u8 maxphyaddr);

/* Called for each table (level: 0 = PT) and each leaf a DFS of the tables meets. */
struct sref_visit {
	void (*table)(void *ctx, u64 table, u8 level, u8 width, u64 va_base);
	void (*leaf)(void *ctx, u64 va, u64 size, u64 entry);
	void *ctx;
	u32 budget; /* present entries to visit at most */
};
/* Every present entry reachable from the root (tables may be shared and cyclic). */
void sref_enum(const struct sref_paging *p, sref_read_fn rd, void *rctx, struct sref_visit *v);

/*
 * Part 2 (test_shadow.c, the checks in shadow_ref.c): the harness. A guest
 * in fake RAM, a model copy of its RAM that only the reference changes, the
 * shadow MMU under test, and a fake CPU walking the shadow tables (with a
 * small TLB).
 *
 * Readings of shadow.h this harness makes (where it is not explicit):
 * - shadow_pt_write returning false stored nothing: the caller unprotects
 *   and the guest runs the write again (a plain store, so either is fine);
 *   shadow_unprotect then refusing would end the guest: a test failure.
 * - SHADOW_BAD_TABLE's gpa is compared by frame (table base or entry).
 * - An MMIO access is a translation that succeeded: the guest's A (and D
 *   for a write) bits are set, as the CPU sets them.
 * - A walk that faults may set A in the entries it used before the fault
 *   (the CPU may); nothing else may change.
 * - stats.fixed may leave out SHADOW_FIXED answers to spurious faults;
 *   stats.pt_writes counts emulated writes, or every shadow_pt_write call.
 * - shadow_load_root gets regs with pdpte NULL (it loads the PDPTEs) and
 *   the maxphyaddr/no_1g given to shadow_init.
 */
enum sh_out_kind { SH_OK, SH_PF, SH_MMIO, SH_BAD, SH_NOMEM };
struct sh_out {
	enum sh_out_kind kind;
	u64 hpa;   /* OK through the hardware */
	u64 gpa;   /* OK through shadow_pt_write, MMIO, BAD */
	bool ptw;  /* OK: the write went through shadow_pt_write */
	u32 error; /* PF */
};

#define SH_TLB 64
struct sh_tlb {
	bool valid;
	u64 vpn, hpa;
	bool w, u, x, d;
};

struct sh_counts {
	u64 faults, fixed, guest_pf, mmio, ptw, ptw_true, unprot, loads, invlpg, tlb_faults;
};

struct sh_env {
	struct palloc *pa;
	struct gmem mem;
	struct shadow_mmu s;
	bool live; /* shadow_init done */
	u32 budget;
	u8 maxphyaddr;
	bool no_1g;
	u8 *model;		/* what guest RAM must hold */
	struct gwalk_regs regs; /* the guest's control registers */
	u64 pdpte[4];		/* the guest's PAE PDPTE registers */
	u64 hw_cr3, hw_pdpte[4];
	struct sh_tlb tlb[SH_TLB];
	u64 free0;
	struct sh_counts n;
	bool nomem_ok;	/* SHADOW_NOMEM is an expected answer */
	u64 tab_next;	/* sh_map4k's next free table frame */
	char what[160]; /* names the run in every failure: seed, step, mode */
};

/* The fake CPU (shadow_ref.c): a walk of the shadow tables through the TLB. */
#define SH_HW_MAXPHY 46	       /* the host CPU's MAXPHYADDR */
#define SH_OWNER OWNER_PGTABLE /* what vshadow.c gives shadow_init */
struct sh_hw_res {
	bool ok;
	u64 hpa;
	u32 error;
};
void sh_hw_translate(struct sh_env *e, u64 va, u32 access, struct sh_hw_res *h);
void sh_tlb_flush(struct sh_env *e);
/* VM entry: take the shadow's flush request, load PAE's PDPTEs from the hardware CR3. */
void sh_hw_enter(struct sh_env *e);

/* RAM of ram_bytes at guest-physical 0 (fragmented: out of 1 MiB host runs
 * that are not contiguous), a model copy, and the shadow MMU. */
void sh_init(struct sh_env *e, u64 ram_bytes, u32 budget, u8 maxphyaddr, bool no_1g,
	     bool fragmented);
/* shadow_destroy, then every page it took must be free again. */
void sh_fini(struct sh_env *e);
/* Store into guest RAM and the model, behind the shadow's back (setting up tables). */
void sh_poke(struct sh_env *e, u64 gpa, u64 val, unsigned width);
u64 sh_peek_model(const struct sh_env *e, u64 gpa, unsigned width);
u64 sh_peek_ram(const struct sh_env *e, u64 gpa, unsigned width);
bool sh_in_ram(const struct sh_env *e, u64 gpa);
/* MOV to CR0/CR3/CR4/EFER: shadow_pdptes_ok, shadow_load_root, the fake CPU's CR3. */
int sh_load(struct sh_env *e, u64 cr0, u64 cr3, u64 cr4, u64 efer);
int sh_reload(struct sh_env *e);
/* The reference's answer for va now (no side effects). */
void sh_ref(const struct sh_env *e, u64 va, u32 access, struct sref_walk *w);
/* An access run through the fake CPU and the shadow MMU (no checks). */
void sh_access(struct sh_env *e, u64 va, u32 access, u64 val, unsigned len, struct sh_out *o);
/* The same, checked against the reference (outcome, address, error code, RAM after). */
void sh_check(struct sh_env *e, u64 va, u32 access, u64 val, unsigned len, struct sh_out *o);
/* No-side-effect check of va for all six access kinds: whatever the fake CPU
 * allows without a fault, the guest's tables allow at the same address, with
 * their A (and D for writes) bits already set. */
void sh_probe(struct sh_env *e, u64 va);
void sh_invlpg(struct sh_env *e, u64 va);
/* Guest RAM equals the model (every byte); the counters agree with what happened. */
void sh_check_ram(const struct sh_env *e);
void sh_check_stats(const struct sh_env *e);

/* 4-level: map the 4 KiB page va to pa under root, making missing tables (P|RW|US) at tab_next. */
void sh_map4k(struct sh_env *e, u64 root, u64 va, u64 pa, u64 flags);
/* The 4-level page table under root that translates va. */
u64 sh_pt_of(const struct sh_env *e, u64 root, u64 va);
/* The reference gives the hand-computed answer v (OK, MMIO: the gpa; PF: the error
 * code; BAD: the table), and sh_check and sh_probe agree. */
struct sh_out sh_want(struct sh_env *e, u64 va, u32 acc, enum sh_out_kind kind, u64 v);

#define ULL(x) ((unsigned long long)(x))
#define SH_ASSERT(e, cond, fmt, ...) cr_assert((cond), "%s: " fmt, (e)->what, ##__VA_ARGS__)
#define ACC_R 0u
#define ACC_W ((u32)PF_W)
#define ACC_X ((u32)PF_I)
#define ACC_U ((u32)PF_U)
const char *sh_acc_name(u32 access);

#endif
