/* pt_x86.c: x86 page-table formats: x86-64 (umbra's own and NPT), EPT, and the 32-bit and PAE guest formats. */
#include "mm/pt.h"

/*
 * x86-64 4-level (5-level adds a 9-bit level on top):
 *
 *   63    57 56   48 47   39 38   30 29   21 20   12 11        0
 *  [ sign  ][ PML5 ][ PML4 ][ PDPT ][  PD  ][  PT  ][  offset  ]
 *            lvl 4   lvl 3   lvl 2   lvl 1   lvl 0
 *                            1 GiB   2 MiB   4 KiB leaves
 *
 * Entries (Intel SDM vol. 3 4.5, AMD APM vol. 2 5.3): the same in umbra's
 * tables and in AMD's nested tables.
 */
#define X86_P BIT(0)
#define X86_RW BIT(1)
#define X86_US BIT(2)
#define X86_PWT BIT(3)
#define X86_PCD BIT(4)
#define X86_A BIT(5)
#define X86_D BIT(6)
#define X86_PS BIT(7)	  /* PD/PDPT entry: maps a large page */
#define X86_PAT_4K BIT(7) /* PT entry: PAT index bit 2 */
#define X86_G BIT(8)
#define X86_PAT_BIG BIT(12) /* large-page entry: PAT index bit 2 */
#define X86_NX BIT(63)
#define X86_PA_BITS 52
#define X86_LEVEL_BITS 9 /* index bits per level, x86-64 and EPT */
#define X86_ADDR GENMASK(X86_PA_BITS - 1, PT_PAGE_SHIFT)

/* Widths: 12 offset bits and 9 per level, 512 8-byte entries to a page. */
_Static_assert(PT_PAGE_SHIFT + 4 * X86_LEVEL_BITS == 48, "x86-64 4-level: 48-bit input");
_Static_assert(PT_PAGE_SHIFT + 5 * X86_LEVEL_BITS == 57, "x86-64 5-level: 57-bit input");
_Static_assert(PT_MAX_LEVELS >= 5, "5-level tables fit the engine");
_Static_assert((8ULL << X86_LEVEL_BITS) == PAGE_SIZE,
	       "x86-64/EPT: a table is one page of 8-byte entries");
/* Distinct flag bits: their sum equals their union only if no two overlap. */
_Static_assert(X86_P + X86_RW + X86_US + X86_PWT + X86_PCD + X86_A + X86_D + X86_PS + X86_G +
			       X86_NX ==
		       (X86_P | X86_RW | X86_US | X86_PWT | X86_PCD | X86_A | X86_D | X86_PS |
			X86_G | X86_NX),
	       "x86 flag bits overlap each other");

_Static_assert((X86_ADDR & (X86_P | X86_RW | X86_US | X86_PWT | X86_PCD | X86_A | X86_D | X86_PS |
			    X86_G | X86_NX)) == 0,
	       "x86 flag bits overlap the address");
_Static_assert((GENMASK(51, 21) & X86_PAT_BIG) == 0, "large-page PAT bit below the 2 MiB address");

/*
 * Memory types go through the PAT index (PWT, PCD, PAT bits). umbra's PAT:
 * index 0 WB, 1 WT, 2 UC-, 3 UC, 4 WC, 5 WP, 6 UC-, 7 UC (X86_PAT_VALUE).
 */
static const u8 pat_index_of[PT_MT_COUNT] = {
	[PT_MT_WB] = 0, [PT_MT_WT] = 1, [PT_MT_WC] = 4, [PT_MT_UC] = 3, [PT_MT_DEV] = 3
};
static const u8 mtype_of_pat[8] = { PT_MT_WB, PT_MT_WT, PT_MT_UC, PT_MT_UC,
				    PT_MT_WC, PT_MT_WT, PT_MT_UC, PT_MT_UC };
_Static_assert((PT_X86_PAT_VALUE & 0xFF) == 0x06, "PAT index 0 is WB");
_Static_assert(((PT_X86_PAT_VALUE >> 32) & 0xFF) == 0x01, "PAT index 4 is WC");

static u64 leaf_mask(unsigned level, unsigned bits_per_level, unsigned top_bit)
{
	return GENMASK(top_bit, PT_PAGE_SHIFT + bits_per_level * level);
}

static bool x86_present(u64 e, unsigned level)
{
	return e & X86_P;
}

static bool x86_is_leaf(u64 e, unsigned level)
{
	return level == 0 || (e & X86_PS);
}

static u64 x86_leaf_addr(u64 e, unsigned level)
{
	return e & leaf_mask(level, X86_LEVEL_BITS, X86_PA_BITS - 1);
}

static u64 x86_table_addr(u64 e)
{
	return e & X86_ADDR;
}

static u8 pat_index(u64 e, unsigned level)
{
	u64 pat = level ? X86_PAT_BIG : X86_PAT_4K;
	return (u8)(((e & X86_PWT) ? 1 : 0) | ((e & X86_PCD) ? 2 : 0) | ((e & pat) ? 4 : 0));
}

static struct pt_attr x86_leaf_attr(u64 e, unsigned level)
{
	struct pt_attr a = { PT_R, mtype_of_pat[pat_index(e, level)], 0 };
	if (e & X86_RW)
		a.perm |= PT_W;
	if (e & X86_US)
		a.perm |= PT_U;
	if (!(e & X86_NX))
		a.perm |= PT_X;
	a.flags = (u8)(((e & X86_G) ? PT_F_GLOBAL : 0) | ((e & X86_A) ? PT_F_ACCESSED : 0) |
		       ((e & X86_D) ? PT_F_DIRTY : 0));
	return a;
}

static u64 x86_make_leaf(u64 pa, struct pt_attr a, unsigned level)
{
	u8 idx = pat_index_of[a.mtype];
	u64 e = pa | X86_P;

	e |= (a.perm & PT_W) ? X86_RW : 0;
	e |= (a.perm & PT_U) ? X86_US : 0;
	e |= (a.perm & PT_X) ? 0 : X86_NX;
	e |= (idx & 1) ? X86_PWT : 0;
	e |= (idx & 2) ? X86_PCD : 0;
	e |= (idx & 4) ? (level ? X86_PAT_BIG : X86_PAT_4K) : 0;
	e |= level ? X86_PS : 0;
	e |= (a.flags & PT_F_GLOBAL) ? X86_G : 0;
	e |= (a.flags & PT_F_ACCESSED) ? X86_A : 0;
	e |= (a.flags & PT_F_DIRTY) ? X86_D : 0;
	return e;
}

/* Upper levels allow everything; the leaf decides. */
static u64 x86_make_table(u64 pa)
{
	return pa | X86_P | X86_RW | X86_US;
}

const struct pt_format pt_fmt_x86_64 = {
	.name = "x86-64",
	.max_levels = 5,
	.entry_shift = 3,
	.bits = { X86_LEVEL_BITS, X86_LEVEL_BITS, X86_LEVEL_BITS, X86_LEVEL_BITS, X86_LEVEL_BITS },
	.pa_bits = X86_PA_BITS,
	.block_mask = BIT(1) | BIT(2),
	.max_concat = 1,
	.perm_mask = PT_R | PT_W | PT_X | PT_U,
	.present = x86_present,
	.is_leaf = x86_is_leaf,
	.leaf_addr = x86_leaf_addr,
	.table_addr = x86_table_addr,
	.leaf_attr = x86_leaf_attr,
	.make_leaf = x86_make_leaf,
	.make_table = x86_make_table,
};

/* ---------------------------------------------------------------- EPT */

/*
 * EPT (Intel SDM vol. 3 29.3.2): the x86-64 address split, its own bits:
 * read, write, execute in bits 2:0, memory type in 5:3 of leaves.
 */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_MT GENMASK(5, 3)
#define EPT_IPAT BIT(6)
#define EPT_LEAF BIT(7)
#define EPT_A BIT(8)
#define EPT_D BIT(9)

_Static_assert((X86_ADDR &
		(EPT_R | EPT_W | EPT_X | EPT_MT | EPT_IPAT | EPT_LEAF | EPT_A | EPT_D)) == 0,
	       "EPT flag bits overlap the address");
_Static_assert(EPT_R + EPT_W + EPT_X + EPT_MT + EPT_IPAT + EPT_LEAF + EPT_A + EPT_D ==
		       (EPT_R | EPT_W | EPT_X | EPT_MT | EPT_IPAT | EPT_LEAF | EPT_A | EPT_D),
	       "EPT flag bits overlap each other");
_Static_assert((GENMASK(51, 21) & (EPT_A | EPT_D)) == 0, "EPT A/D below the 2 MiB address");

enum { EPT_MT_UC = 0, EPT_MT_WC = 1, EPT_MT_WT = 4, EPT_MT_WP = 5, EPT_MT_WB = 6 };
static const u8 ept_mt_of[PT_MT_COUNT] = { [PT_MT_WB] = EPT_MT_WB,
					   [PT_MT_WT] = EPT_MT_WT,
					   [PT_MT_WC] = EPT_MT_WC,
					   [PT_MT_UC] = EPT_MT_UC,
					   [PT_MT_DEV] = EPT_MT_UC };

static bool ept_present(u64 e, unsigned level)
{
	return e & (EPT_R | EPT_W | EPT_X);
}

static bool ept_is_leaf(u64 e, unsigned level)
{
	return level == 0 || (e & EPT_LEAF);
}

static struct pt_attr ept_leaf_attr(u64 e, unsigned level)
{
	struct pt_attr a = { 0, PT_MT_UC, 0 };
	u64 mt = FIELD_GET(EPT_MT, e);

	a.perm = (u8)(((e & EPT_R) ? PT_R : 0) | ((e & EPT_W) ? PT_W : 0) |
		      ((e & EPT_X) ? PT_X : 0));
	a.mtype = mt == EPT_MT_WB   ? PT_MT_WB
		  : mt == EPT_MT_WT ? PT_MT_WT
		  : mt == EPT_MT_WC ? PT_MT_WC
				    : PT_MT_UC;
	a.flags = (u8)(((e & EPT_IPAT) ? PT_F_IGNORE_PAT : 0) | ((e & EPT_A) ? PT_F_ACCESSED : 0) |
		       ((e & EPT_D) ? PT_F_DIRTY : 0));
	return a;
}

static u64 ept_make_leaf(u64 pa, struct pt_attr a, unsigned level)
{
	u64 e = pa | FIELD_PREP(EPT_MT, ept_mt_of[a.mtype]);

	e |= (a.perm & PT_R) ? EPT_R : 0;
	e |= (a.perm & PT_W) ? EPT_W : 0;
	e |= (a.perm & PT_X) ? EPT_X : 0;
	e |= level ? EPT_LEAF : 0;
	e |= (a.flags & PT_F_IGNORE_PAT) ? EPT_IPAT : 0;
	e |= (a.flags & PT_F_ACCESSED) ? EPT_A : 0;
	e |= (a.flags & PT_F_DIRTY) ? EPT_D : 0;
	return e;
}

static u64 ept_make_table(u64 pa)
{
	return pa | EPT_R | EPT_W | EPT_X;
}

const struct pt_format pt_fmt_ept = {
	.name = "ept",
	.max_levels = 5,
	.entry_shift = 3,
	.bits = { X86_LEVEL_BITS, X86_LEVEL_BITS, X86_LEVEL_BITS, X86_LEVEL_BITS, X86_LEVEL_BITS },
	.pa_bits = X86_PA_BITS,
	.block_mask = BIT(1) | BIT(2),
	.max_concat = 1,
	.perm_mask = PT_R | PT_W | PT_X,
	.present = ept_present,
	.is_leaf = ept_is_leaf,
	.leaf_addr = x86_leaf_addr,
	.table_addr = x86_table_addr,
	.leaf_attr = ept_leaf_attr,
	.make_leaf = ept_make_leaf,
	.make_table = ept_make_table,
};

/* ---------------------------------------------------------------- guest formats (read only) */

/*
 * 32-bit paging with CR4.PSE=1 (SDM vol. 3 4.3): 4-byte entries,
 *   31    22 21    12 11      0
 *  [  PD   ][  PT   ][ offset ]     4 MiB pages at the PD, whose address
 *                                   bits 39:32 sit in entry bits 20:13 (PSE-36).
 */
#define X86_32_LEVEL_BITS 10
#define X86_32_PA_BITS 40
#define X86_32_PSE36 GENMASK(20, 13) /* 4 MiB entry: address bits 39:32 */
_Static_assert(PT_PAGE_SHIFT + 2 * X86_32_LEVEL_BITS == 32, "x86-32: 32-bit input");
_Static_assert((4ULL << X86_32_LEVEL_BITS) == PAGE_SIZE,
	       "x86-32: a table is one page of 4-byte entries");
_Static_assert(32 + __builtin_popcountll(X86_32_PSE36) == X86_32_PA_BITS, "PSE-36: 40-bit output");
_Static_assert((X86_32_PSE36 & (GENMASK(31, 22) | X86_PAT_BIG | GENMASK(8, 0))) == 0,
	       "PSE-36 bits overlap the address or the flags");

static u64 x86_32_leaf_addr(u64 e, unsigned level)
{
	if (level == 0)
		return e & GENMASK(31, 12);
	return (e & GENMASK(31, 22)) | (FIELD_GET(X86_32_PSE36, e) << 32);
}

static u64 x86_32_table_addr(u64 e)
{
	return e & GENMASK(31, 12);
}

static struct pt_attr x86_32_leaf_attr(u64 e, unsigned level)
{
	struct pt_attr a = x86_leaf_attr(e & GENMASK(31, 0), level);
	a.perm |= PT_X; /* no NX in 32-bit paging */
	return a;
}

const struct pt_format pt_fmt_x86_32 = {
	.name = "x86-32",
	.max_levels = 2,
	.entry_shift = 2,
	.bits = { X86_32_LEVEL_BITS, X86_32_LEVEL_BITS },
	.pa_bits = X86_32_PA_BITS,
	.block_mask = BIT(1),
	.max_concat = 1,
	.perm_mask = PT_R | PT_W | PT_X | PT_U,
	.read_only = true,
	.present = x86_present,
	.is_leaf = x86_is_leaf,
	.leaf_addr = x86_32_leaf_addr,
	.table_addr = x86_32_table_addr,
	.leaf_attr = x86_32_leaf_attr,
};

/*
 * PAE paging (SDM vol. 3 4.4): 8-byte entries, a 4-entry PDPT on top,
 *   31 30 29   21 20   12 11      0
 *  [PDPT][  PD  ][  PT  ][ offset ]     2 MiB pages at the PD.
 * PDPT entries have no permission bits; they always point to a PD.
 */
#define PAE_PDPT_BITS 2
_Static_assert(PT_PAGE_SHIFT + 2 * X86_LEVEL_BITS + PAE_PDPT_BITS == 32,
	       "PAE: 32-bit input, a 4-entry PDPT");

static bool pae_is_leaf(u64 e, unsigned level)
{
	return level == 0 || (level == 1 && (e & X86_PS));
}

const struct pt_format pt_fmt_x86_pae = {
	.name = "x86-pae",
	.max_levels = 3,
	.entry_shift = 3,
	.bits = { X86_LEVEL_BITS, X86_LEVEL_BITS, PAE_PDPT_BITS },
	.pa_bits = X86_PA_BITS,
	.block_mask = BIT(1),
	.max_concat = 1,
	.perm_mask = PT_R | PT_W | PT_X | PT_U,
	.read_only = true,
	.present = x86_present,
	.is_leaf = pae_is_leaf,
	.leaf_addr = x86_leaf_addr,
	.table_addr = x86_table_addr,
	.leaf_attr = x86_leaf_attr,
};
