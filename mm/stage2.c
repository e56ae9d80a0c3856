/* stage2.c: arm64 stage-2 geometry and VTCR_EL2 from the IPA width, 4 KiB granule only. */
#include "mm/stage2.h"

#include "core/log.h"

#define GRANULE_BITS 12 /* 4 KiB pages */
#define STRIDE 9	/* bits resolved per level: 512 eight-byte entries */
#define LAST_LEVEL 3
#define CONCAT_BITS 4	 /* up to 16 concatenated tables at the start level */
#define MIN_PA_FOR_L0 44 /* SL0 = 0b10 is reserved below this PARange */

/* The IPA widths a start level can translate (AArch64.S2InconsistentSL). */
#define LEVEL_MIN_IPA(l) ((LAST_LEVEL - (l)) * STRIDE + GRANULE_BITS + 1)
#define LEVEL_MAX_IPA(l) (LEVEL_MIN_IPA(l) + (STRIDE - 1) + CONCAT_BITS)

_Static_assert((1U << STRIDE) == STAGE2_TABLE_ENTRIES, "a 4 KiB table holds 512 entries");
_Static_assert((1U << CONCAT_BITS) == STAGE2_MAX_CONCAT, "at most 16 root tables");
_Static_assert(LEVEL_MAX_IPA(3) < STAGE2_MIN_IPA, "start level 3 (FEAT_TTST) is never needed");
_Static_assert(LEVEL_MIN_IPA(2) <= STAGE2_MIN_IPA, "the narrowest IPA fits at level 2");
_Static_assert(LEVEL_MAX_IPA(0) == STAGE2_MAX_IPA_LPA2,
	       "16 level-0 tables cover 52 bits: start level -1 (SL2) is never needed");
_Static_assert(LEVEL_MAX_IPA(1) < MIN_PA_FOR_L0, "level 0 is only chosen when PARange >= 44");
_Static_assert(VTCR_EL2_T0SZ == 0x3fULL && VTCR_EL2_SL0 == 0xc0ULL, "VTCR_EL2 T0SZ, SL0");
_Static_assert(VTCR_EL2_IRGN0 == 0x300ULL && VTCR_EL2_ORGN0 == 0xc00ULL, "VTCR_EL2 IRGN0, ORGN0");
_Static_assert(VTCR_EL2_SH0 == 0x3000ULL && VTCR_EL2_TG0 == 0xc000ULL, "VTCR_EL2 SH0, TG0");
_Static_assert(VTCR_EL2_PS == 0x70000ULL, "VTCR_EL2 PS");
_Static_assert(VTCR_EL2_RES1 == 0x80000000ULL && VTCR_EL2_DS == 0x100000000ULL &&
		       VTCR_EL2_SL2 == 0x200000000ULL,
	       "VTCR_EL2 RES1, DS, SL2");

/* PA range in bits, indexed by ID_AA64MMFR0_EL1.PARange, which is also VTCR_EL2.PS. */
static const u8 pa_range_table[] = { 32, 36, 40, 42, 44, 48, 52 };
_Static_assert(ARRAY_SIZE(pa_range_table) == 7, "PARange 0b0000..0b0110");

/* VTCR_EL2.SL0 for start levels 0, 1, 2 (SL2 = 0, 4 KiB granule). */
static const u8 sl0_of_level[] = { VTCR_EL2_SL0_L0, VTCR_EL2_SL0_L1, VTCR_EL2_SL0_L2 };

/* The PS encoding of a PA range in bits, or -1 when it is not an architectural one. */
static int ps_encode(u32 pa_range_bits)
{
	for (u32 i = 0; i < ARRAY_SIZE(pa_range_table); i++) {
		if (pa_range_table[i] == pa_range_bits)
			return (int)i;
	}
	return -1;
}

/* May a walk for an ipa_bits-wide IPA start at level (0..2)? */
static bool level_allowed(int level, u32 ipa_bits, u32 pa_range_bits)
{
	if (level == 0 && pa_range_bits < MIN_PA_FOR_L0)
		return false;
	return ipa_bits >= (u32)LEVEL_MIN_IPA(level) && ipa_bits <= (u32)LEVEL_MAX_IPA(level);
}

/* The highest start level (fewest lookups) the architecture allows, into *level. */
static bool pick_start_level(u32 ipa_bits, u32 pa_range_bits, int *level)
{
	for (int l = 2; l >= 0; l--) {
		if (level_allowed(l, ipa_bits, pa_range_bits)) {
			*level = l;
			return true;
		}
	}
	return false;
}

static void fill(struct stage2_geom *g, u32 ipa_bits, int level, u32 ps, bool lpa2)
{
	u32 levels = (u32)(LAST_LEVEL + 1 - level);
	u32 root_bits = ipa_bits - GRANULE_BITS - (levels - 1) * STRIDE;
	u32 concat_bits = root_bits > STRIDE ? root_bits - STRIDE : 0;

	g->levels = levels;
	g->start_level = level;
	g->concat = 1U << concat_bits;
	g->root_entries = 1U << (root_bits - concat_bits);
	g->t0sz = 64 - ipa_bits;
	g->sl0 = sl0_of_level[level];
	g->ps = ps;
	g->ds = lpa2;
	g->vtcr = FIELD_PREP(VTCR_EL2_T0SZ, g->t0sz) | FIELD_PREP(VTCR_EL2_SL0, g->sl0) |
		  FIELD_PREP(VTCR_EL2_IRGN0, VTCR_EL2_RGN_WBWA) |
		  FIELD_PREP(VTCR_EL2_ORGN0, VTCR_EL2_RGN_WBWA) |
		  FIELD_PREP(VTCR_EL2_SH0, VTCR_EL2_SH_INNER) |
		  FIELD_PREP(VTCR_EL2_TG0, VTCR_EL2_TG0_4K) | FIELD_PREP(VTCR_EL2_PS, ps) |
		  VTCR_EL2_RES1 | (lpa2 ? VTCR_EL2_DS : 0);
}

int stage2_geometry(u32 ipa_bits, u32 pa_range_bits, bool lpa2, struct stage2_geom *out)
{
	int ps = ps_encode(pa_range_bits);
	int level;

	if (ps < 0 || !out)
		return STAGE2_EINVAL;
	if (ipa_bits < STAGE2_MIN_IPA || ipa_bits > pa_range_bits)
		return STAGE2_ERANGE;
	if (ipa_bits > STAGE2_MAX_IPA && !lpa2)
		return STAGE2_ENOLPA2;
	if (!pick_start_level(ipa_bits, pa_range_bits, &level))
		return STAGE2_ERANGE; /* not reached: the asserts above cover 32..52 */
	fill(out, ipa_bits, level, (u32)ps, lpa2);
	return STAGE2_OK;
}

u32 stage2_default_ipa(u32 pa_range_bits)
{
	return MIN(pa_range_bits, (u32)STAGE2_MAX_IPA);
}

int stage2_pa_range_bits(u32 id_aa64mmfr0_parange_field, u32 *bits)
{
	if (id_aa64mmfr0_parange_field >= ARRAY_SIZE(pa_range_table) || !bits)
		return STAGE2_EINVAL;
	*bits = pa_range_table[id_aa64mmfr0_parange_field];
	return STAGE2_OK;
}

int stage2_describe(char *buf, size_t size, u32 vmid, u32 ipa_bits, const struct stage2_geom *g)
{
	return ksnprintf(buf, size,
			 "stage2: vm=%u ipa=%u levels=%u start_level=%d concat=%u t0sz=%u sl0=%u",
			 vmid, ipa_bits, g->levels, g->start_level, g->concat, g->t0sz, g->sl0);
}
