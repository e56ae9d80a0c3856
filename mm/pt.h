/* pt.h: one page-table engine for every format umbra builds or reads, driven by format descriptors. */
#ifndef UMBRA_PT_H
#define UMBRA_PT_H

#include "compiler.h"
#include "mm/palloc.h"
#include "types.h"

/*
 * Levels are numbered from the leaf up: level 0 is the table of 4 KiB pages,
 * level 1 the next one up (x86 PD, arm64 level 2), and so on. The root is at
 * level (levels - 1). One entry at level L covers 2^shift(L) bytes of input
 * address, shift(0) = 12 and shift(L) = shift(L-1) + bits[L-1].
 */
#define PT_MAX_LEVELS 5
#define PT_PAGE_SHIFT 12
#define PT_MAX_CONCAT 16

/* Format-neutral permissions. */
#define PT_R BIT(0)
#define PT_W BIT(1)
#define PT_X BIT(2) /* executable at the privileged level (or the guest, for NPT/EPT/stage-2) */
#define PT_U BIT(3) /* user (x86 US); NPT leaves need it: AMD treats nested walks as user */

/* Memory types, each format encoding them its own way. */
enum pt_mtype {
	PT_MT_WB = 0, /* normal, write-back */
	PT_MT_WT,     /* normal, write-through */
	PT_MT_WC,     /* normal, non-cacheable / write-combining */
	PT_MT_UC,     /* strongly ordered (x86 UC, arm64 Device-nGnRnE) */
	PT_MT_DEV,    /* device (x86 UC, arm64 Device-nGnRE) */
	PT_MT_COUNT,
};

/* Extra per-format bits, ignored where a format has no such bit. */
#define PT_F_GLOBAL BIT(0)     /* x86 G */
#define PT_F_ACCESSED BIT(1)   /* x86 A, EPT A (arm64 AF is always set) */
#define PT_F_DIRTY BIT(2)      /* x86 D, EPT D */
#define PT_F_IGNORE_PAT BIT(3) /* EPT IPAT */

struct pt_attr {
	u8 perm;  /* PT_R | PT_W | PT_X | PT_U */
	u8 mtype; /* enum pt_mtype */
	u8 flags; /* PT_F_* */
};

/*
 * A format: the shape of the tables and how one entry is read and written.
 * Entry helpers get the level of the table holding the entry.
 */
struct pt_format {
	const char *name;
	u8 max_levels;
	u8 entry_shift;		/* log2 of the entry size: 2 or 3 */
	u8 bits[PT_MAX_LEVELS]; /* index bits per level (a full table) */
	u8 pa_bits;		/* output address width */
	u8 block_mask;		/* BIT(L): a leaf may sit at level L (bit 0 always set) */
	u8 max_concat;		/* root tables that may be concatenated */
	u8 perm_mask;		/* the PT_* permissions the format can express */
	bool bbm;		/* break-before-make needed (arm64) */
	bool read_only;		/* guest formats: lookup and walk only */

	bool (*present)(u64 e, unsigned level);
	bool (*is_leaf)(u64 e, unsigned level); /* for a present entry */
	u64 (*leaf_addr)(u64 e, unsigned level);
	u64 (*table_addr)(u64 e);
	struct pt_attr (*leaf_attr)(u64 e, unsigned level);
	u64 (*make_leaf)(u64 pa, struct pt_attr a, unsigned level);
	u64 (*make_table)(u64 pa);
};

/*
 * The memory-type tables the formats assume, for the arch code to load:
 * IA32_PAT (index 0 WB, 1 WT, 2 UC-, 3 UC, 4 WC, 5 WP, 6 UC-, 7 UC) and
 * MAIR_EL2 (AttrIndx = enum pt_mtype: WB, WT, NC, Device-nGnRnE, Device-nGnRE).
 */
#define PT_X86_PAT_VALUE 0x0007050100070406ULL
#define PT_ARM64_MAIR_VALUE 0x000000040044BBFFULL

/* The formats. */
extern const struct pt_format pt_fmt_x86_64;  /* 4- or 5-level: umbra's own tables, NPT */
extern const struct pt_format pt_fmt_ept;     /* Intel EPT, 4- or 5-level */
extern const struct pt_format pt_fmt_x86_32;  /* guest 32-bit, CR4.PSE=1 (4 MiB pages); read only */
extern const struct pt_format pt_fmt_x86_pae; /* guest PAE; read only */
extern const struct pt_format pt_fmt_arm64_s1; /* arm64 stage-1 at EL2, 4 KiB granule */
extern const struct pt_format pt_fmt_arm64_s2; /* arm64 stage-2, 4 KiB granule */

/* One table tree. */
struct pt {
	const struct pt_format *fmt;
	u8 levels;
	u8 va_bits;
	u8 block_mask;		 /* the format's, possibly narrowed (no 1 GiB pages, ...) */
	u8 shift[PT_MAX_LEVELS]; /* log2 of the bytes one entry covers, per level */
	u32 root_entries;
	u32 root_order; /* the root spans 2^root_order pages */
	hpa_t root;
	struct palloc *pa;
	owner_t owner;
	u64 nr_tables; /* table pages in use, the root's included */
	/* Reading a table that is not in host memory (a guest's): NULL = phys_to_virt. */
	const void *(*map_table)(void *ctx, u64 addr, size_t len);
	void *map_ctx;
};

/*
 * What an update changed, for the caller's TLB maintenance. Table pages that
 * were unlinked stay allocated until pt_flush_done(), after the caller has
 * flushed, so no walker can still be reading a page being reused.
 */
struct pt_flush {
	u64 start, end;	 /* input addresses whose translations changed; empty if start >= end */
	u32 nr_changed;	 /* valid entries changed or removed */
	u32 nr_bbm;	 /* break-before-make sequences */
	bool walk_cache; /* a table entry went away: paging-structure caches too */
	u64 free_list;	 /* unlinked table pages (a chain through their first word) */
	u32 nr_free;
	/* Called between break and make (arm64: TLBI + DSB); may be NULL in tests. */
	void (*bbm_sync)(void *ctx, u64 va, u64 size);
	void *ctx;
};

/* A leaf found by lookup or walk. */
struct pt_leaf {
	u64 va;	  /* start of the leaf's range */
	u64 pa;	  /* where it maps */
	u64 size; /* 4 KiB, 2 MiB, ... */
	unsigned level;
	struct pt_attr attr;
	u64 entry; /* the raw entry */
};

/*
 * Make an empty table of `levels` levels translating va_bits of input. The root
 * holds 2^(va_bits - shift(levels-1)) entries: fewer than a page's worth or,
 * where the format allows it, up to 16 concatenated tables.
 */
int pt_init(struct pt *pt, const struct pt_format *fmt, u32 va_bits, u32 levels, struct palloc *pa,
	    owner_t owner);
/* Describe an existing tree (a guest's) for lookup and walk only. */
int pt_attach(struct pt *pt, const struct pt_format *fmt, u32 va_bits, u32 levels, u64 root);
/* Free every table page, root included. The table must no longer be in use. */
void pt_destroy(struct pt *pt);

void pt_flush_init(struct pt_flush *fl);
/* After TLB maintenance: free the table pages the updates unlinked. */
void pt_flush_done(struct pt *pt, struct pt_flush *fl);

/*
 * Updates. va, pa and size are page aligned; the range must fit va_bits and
 * pa_bits. Each either completes or, on -ERR_NOMEM, leaves the table exactly
 * as it was (the table pages it needs are counted and allocated first).
 */
int pt_map(struct pt *pt, u64 va, u64 pa, u64 size, struct pt_attr attr, struct pt_flush *fl);
int pt_unmap(struct pt *pt, u64 va, u64 size, struct pt_flush *fl);
int pt_protect(struct pt *pt, u64 va, u64 size, struct pt_attr attr, struct pt_flush *fl);

/* The leaf translating va; false if unmapped. */
bool pt_lookup(const struct pt *pt, u64 va, struct pt_leaf *out);

/* Call fn for every leaf overlapping [va, va + size), in address order; a
 * nonzero return stops the walk and is returned. */
typedef int (*pt_visit_fn)(void *ctx, const struct pt_leaf *leaf);
int pt_walk(const struct pt *pt, u64 va, u64 size, pt_visit_fn fn, void *ctx);

/* Bytes one entry at level covers. */
static inline u64 pt_level_size(const struct pt *pt, unsigned level)
{
	return 1ULL << pt->shift[level];
}

#endif
