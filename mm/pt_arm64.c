/* pt_arm64.c: arm64 formats with the 4 KiB granule: stage-1 at EL2 and stage-2. */
#include "mm/pt.h"

/*
 * VMSAv8-64, 4 KiB granule, 48-bit addresses (Arm ARM D8):
 *
 *   47    39 38    30 29    21 20    12 11       0
 *  [ L0    ][  L1   ][  L2   ][  L3   ][ offset  ]
 *   engine 3 engine 2 engine 1 engine 0
 *            1 GiB    2 MiB    4 KiB leaves (blocks at L1 and L2)
 *
 * Stage-2 may start lower (at L1 or L2) and concatenate up to 16 tables at
 * its first level; mm/stage2.c works out that geometry per VM.
 */
#define A64_VALID BIT(0)
#define A64_TABLE BIT(1)	  /* levels above the last: table, not block; last level: page */
#define A64_ATTRIDX GENMASK(4, 2) /* stage-1: index into MAIR_EL2 */
#define A64_AP1 BIT(6)		  /* stage-1 AP[1]: RES1 at EL2 */
#define A64_AP2_RO BIT(7)	  /* stage-1 AP[2]: read-only */
#define A64_SH GENMASK(9, 8)
#define A64_SH_INNER 3
#define A64_AF BIT(10)
#define A64_PA_BITS 48
#define A64_LEVEL_BITS 9 /* index bits per level with the 4 KiB granule */
#define A64_ADDR GENMASK(A64_PA_BITS - 1, PT_PAGE_SHIFT)
#define A64_XN BIT(54) /* stage-1 XN at EL2; stage-2 XN[1] (not executable at EL1/EL0) */
#define S2_MEMATTR GENMASK(5, 2)
#define S2_AP_R BIT(6)
#define S2_AP_W BIT(7)

_Static_assert((A64_ADDR & (A64_VALID | A64_TABLE | A64_ATTRIDX | A64_AP1 | A64_AP2_RO | A64_SH |
			    A64_AF | A64_XN)) == 0,
	       "arm64 attribute bits overlap the address");
_Static_assert(S2_MEMATTR == (A64_ATTRIDX | BIT(5)), "stage-2 MemAttr sits over AttrIndx and NS");
/* Widths: 12 offset bits and 9 per level, 512 8-byte entries to a page. */
_Static_assert(PT_PAGE_SHIFT + 4 * A64_LEVEL_BITS == A64_PA_BITS,
	       "arm64 4 KiB granule: 48-bit input at 4 levels");
_Static_assert((8ULL << A64_LEVEL_BITS) == PAGE_SIZE,
	       "arm64: a table is one page of 8-byte entries");
_Static_assert(PT_MAX_CONCAT == 16, "stage-2 concatenates at most 16 tables");
/* Distinct fields: their sum equals their union only if no two overlap. */
_Static_assert(A64_VALID + A64_TABLE + A64_ATTRIDX + A64_AP1 + A64_AP2_RO + A64_SH + A64_AF +
			       A64_XN ==
		       (A64_VALID | A64_TABLE | A64_ATTRIDX | A64_AP1 | A64_AP2_RO | A64_SH |
			A64_AF | A64_XN),
	       "stage-1 fields overlap each other");
_Static_assert(A64_VALID + A64_TABLE + S2_MEMATTR + S2_AP_R + S2_AP_W + A64_SH + A64_AF + A64_XN ==
		       (A64_VALID | A64_TABLE | S2_MEMATTR | S2_AP_R | S2_AP_W | A64_SH | A64_AF |
			A64_XN),
	       "stage-2 fields overlap each other");
_Static_assert((A64_ADDR & (S2_MEMATTR | S2_AP_R | S2_AP_W)) == 0,
	       "stage-2 attribute bits overlap the address");
_Static_assert(PT_MT_COUNT <= (A64_ATTRIDX >> 2) + 1, "AttrIndx holds every memory type");

/*
 * umbra's MAIR_EL2 (PT_ARM64_MAIR_VALUE): the stage-1 AttrIndx is the enum
 * pt_mtype: 0 normal WB (0xFF), 1 normal WT (0xBB), 2 normal NC (0x44),
 * 3 Device-nGnRnE (0x00), 4 Device-nGnRE (0x04).
 */
_Static_assert(PT_MT_COUNT == 5, "one MAIR attribute per memory type");
_Static_assert(((PT_ARM64_MAIR_VALUE >> (8 * PT_MT_WB)) & 0xFF) == 0xFF, "MAIR: WB");
_Static_assert(((PT_ARM64_MAIR_VALUE >> (8 * PT_MT_DEV)) & 0xFF) == 0x04, "MAIR: device");

/* Stage-2 MemAttr[3:0] without FWB: outer in 3:2, inner in 1:0 (or device kinds). */
static const u8 s2_memattr_of[PT_MT_COUNT] = {
	[PT_MT_WB] = 0xF, [PT_MT_WT] = 0xA, [PT_MT_WC] = 0x5, [PT_MT_UC] = 0x0, [PT_MT_DEV] = 0x1
};

static bool a64_present(u64 e, unsigned level)
{
	/* At the last level only the page encoding (0b11) is valid. */
	return level ? (e & A64_VALID) : (e & (A64_VALID | A64_TABLE)) == (A64_VALID | A64_TABLE);
}

static bool a64_is_leaf(u64 e, unsigned level)
{
	return level == 0 || !(e & A64_TABLE);
}

static u64 a64_leaf_addr(u64 e, unsigned level)
{
	return e & GENMASK(A64_PA_BITS - 1, PT_PAGE_SHIFT + A64_LEVEL_BITS * level);
}

static u64 a64_table_addr(u64 e)
{
	return e & A64_ADDR;
}

static u64 a64_make_table(u64 pa)
{
	return pa | A64_VALID | A64_TABLE;
}

static u64 a64_leaf_common(u64 pa, struct pt_attr a, unsigned level)
{
	u64 e = pa | A64_VALID | A64_AF;

	e |= level ? 0 : A64_TABLE;
	/* Normal memory inner shareable; shareability does not apply to device memory. */
	if (a.mtype == PT_MT_WB || a.mtype == PT_MT_WT || a.mtype == PT_MT_WC)
		e |= FIELD_PREP(A64_SH, A64_SH_INNER);
	e |= (a.perm & PT_X) ? 0 : A64_XN;
	return e;
}

static struct pt_attr s1_leaf_attr(u64 e, unsigned level)
{
	struct pt_attr a = { PT_R, 0, 0 };
	u64 idx = FIELD_GET(A64_ATTRIDX, e);

	a.perm |= (e & A64_AP2_RO) ? 0 : PT_W;
	a.perm |= (e & A64_XN) ? 0 : PT_X;
	a.mtype = idx < PT_MT_COUNT ? (u8)idx : PT_MT_UC;
	return a;
}

static u64 s1_make_leaf(u64 pa, struct pt_attr a, unsigned level)
{
	u64 e = a64_leaf_common(pa, a, level) | FIELD_PREP(A64_ATTRIDX, a.mtype) | A64_AP1;
	return e | ((a.perm & PT_W) ? 0 : A64_AP2_RO);
}

const struct pt_format pt_fmt_arm64_s1 = {
	.name = "arm64-s1",
	.max_levels = 4,
	.entry_shift = 3,
	.bits = { A64_LEVEL_BITS, A64_LEVEL_BITS, A64_LEVEL_BITS, A64_LEVEL_BITS },
	.pa_bits = A64_PA_BITS,
	.block_mask = BIT(1) | BIT(2),
	.max_concat = 1,
	.perm_mask = PT_R | PT_W | PT_X,
	.bbm = true,
	.present = a64_present,
	.is_leaf = a64_is_leaf,
	.leaf_addr = a64_leaf_addr,
	.table_addr = a64_table_addr,
	.leaf_attr = s1_leaf_attr,
	.make_leaf = s1_make_leaf,
	.make_table = a64_make_table,
};

static struct pt_attr s2_leaf_attr(u64 e, unsigned level)
{
	struct pt_attr a = { 0, PT_MT_UC, 0 };
	u64 ma = FIELD_GET(S2_MEMATTR, e);

	a.perm = (u8)(((e & S2_AP_R) ? PT_R : 0) | ((e & S2_AP_W) ? PT_W : 0) |
		      ((e & A64_XN) ? 0 : PT_X));
	for (unsigned mt = 0; mt < PT_MT_COUNT; mt++) {
		if (s2_memattr_of[mt] == ma)
			a.mtype = (u8)mt;
	}
	return a;
}

static u64 s2_make_leaf(u64 pa, struct pt_attr a, unsigned level)
{
	u64 e = a64_leaf_common(pa, a, level) | FIELD_PREP(S2_MEMATTR, s2_memattr_of[a.mtype]);
	e |= (a.perm & PT_R) ? S2_AP_R : 0;
	return e | ((a.perm & PT_W) ? S2_AP_W : 0);
}

const struct pt_format pt_fmt_arm64_s2 = {
	.name = "arm64-s2",
	.max_levels = 4,
	.entry_shift = 3,
	.bits = { A64_LEVEL_BITS, A64_LEVEL_BITS, A64_LEVEL_BITS, A64_LEVEL_BITS },
	.pa_bits = A64_PA_BITS,
	.block_mask = BIT(1) | BIT(2),
	.max_concat = PT_MAX_CONCAT,
	.perm_mask = PT_R | PT_W | PT_X,
	.bbm = true,
	.present = a64_present,
	.is_leaf = a64_is_leaf,
	.leaf_addr = a64_leaf_addr,
	.table_addr = a64_table_addr,
	.leaf_attr = s2_leaf_attr,
	.make_leaf = s2_make_leaf,
	.make_table = a64_make_table,
};
