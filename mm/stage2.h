/* stage2.h: arm64 stage-2 geometry (levels, start level, root concatenation, VTCR_EL2) per IPA width. */
#ifndef UMBRA_STAGE2_H
#define UMBRA_STAGE2_H

#include "compiler.h"
#include "types.h"

/*
 * Granule: 4 KiB only. Each table has 512 entries and resolves 9 bits;
 * the page offset is 12 bits; the last lookup level is 3.
 *
 * The rules, from the Arm ARM (VTCR_EL2 and the stage-2 pseudocode
 * AArch64.S2InvalidSL / AArch64.S2InconsistentSL / AArch64.S2MinTxSZ):
 * - start level s can translate IPA widths from (3 - s) * 9 + 13 (one bit
 *   more than the levels below it resolve) up to that plus 12 (a full
 *   table plus up to 16 concatenated tables): level 3 13..25, level 2
 *   22..34, level 1 31..43, level 0 40..52;
 * - the IPA may not be wider than the PA range (PARange), nor wider than
 *   48 bits unless VTCR_EL2.DS is 1 (FEAT_LPA2), which allows 52;
 * - SL0 = 0b10 (start at level 0) is reserved when PARange < 44 bits.
 * We take the fewest levels: the highest start level whose range holds
 * the IPA width. So 32..34 bits start at level 2 (4, 8, 16 tables),
 * 35..43 at level 1 (a partial root of 32..512 entries, then 2..16 tables)
 * and 44..52 at level 0 (32..512 entries, then 2..16 tables with LPA2).
 *
 * Start levels 3 (SL0 = 0b11, FEAT_TTST) and -1 (SL2 = 1 with SL0 = 0b00,
 * FEAT_LPA2 with DS = 1) are never needed: level 3 tops out at 25 bits,
 * below our 32-bit minimum, and 16 concatenated level-0 tables already
 * cover 52 bits with 4 levels where level -1 would take 5. So SL2 stays 0.
 */
#define STAGE2_MIN_IPA 32
#define STAGE2_MAX_IPA 48      /* without FEAT_LPA2 (VTCR_EL2.DS = 0) */
#define STAGE2_MAX_IPA_LPA2 52 /* with FEAT_LPA2 (VTCR_EL2.DS = 1) */
#define STAGE2_MAX_CONCAT 16
#define STAGE2_TABLE_ENTRIES 512

enum stage2_err {
	STAGE2_OK = 0,
	STAGE2_EINVAL = -1,  /* PARange not an architectural value, or no output struct */
	STAGE2_ERANGE = -2,  /* IPA narrower than 32 bits or wider than the PA range */
	STAGE2_ENOLPA2 = -3, /* IPA wider than 48 bits without FEAT_LPA2 */
};

/* VTCR_EL2 fields (Arm ARM, VTCR_EL2). */
#define VTCR_EL2_T0SZ GENMASK(5, 0)
#define VTCR_EL2_SL0 GENMASK(7, 6)
#define VTCR_EL2_IRGN0 GENMASK(9, 8)
#define VTCR_EL2_ORGN0 GENMASK(11, 10)
#define VTCR_EL2_SH0 GENMASK(13, 12)
#define VTCR_EL2_TG0 GENMASK(15, 14)
#define VTCR_EL2_PS GENMASK(18, 16)
#define VTCR_EL2_RES1 BIT(31)
#define VTCR_EL2_DS BIT(32)
#define VTCR_EL2_SL2 BIT(33)

#define VTCR_EL2_RGN_WBWA 1ULL /* IRGN0/ORGN0: Write-Back Read-Allocate Write-Allocate */
#define VTCR_EL2_SH_INNER 3ULL /* SH0: Inner Shareable */
#define VTCR_EL2_TG0_4K 0ULL

/* SL0 with SL2 = 0 and a 4 KiB granule. */
#define VTCR_EL2_SL0_L2 0U
#define VTCR_EL2_SL0_L1 1U
#define VTCR_EL2_SL0_L0 2U

/*
 * The geometry of one VM's stage-2 tables. The root is concat physically
 * contiguous tables (the block aligned to concat * 4 KiB, as VTTBR_EL2
 * requires), each using root_entries entries from index 0: root_entries is
 * 512 whenever concat > 1, and root_entries * concat is 2^(bits the root
 * level resolves).
 *
 * vtcr holds exactly: T0SZ = 64 - ipa_bits, SL0, IRGN0 = ORGN0 = 0b01
 * (Write-Back Read-Allocate Write-Allocate), SH0 = 0b11 (Inner Shareable),
 * TG0 = 0b00 (4 KiB), PS, bit 31 (RES1), and DS when lpa2 was asked for.
 * Every other field is 0 (SL2, VS, HA, HD, NSW, NSA, HWU*, ...): VMID size
 * and hardware flag management are the caller's to add.
 *
 * With DS = 1 the descriptors hold OA[51:50] in bits 9:8 and shareability
 * comes from SH0, so the table engine must use the LPA2 format. With DS = 0
 * a PS of 0b110 (52 bits) is treated as 48 bits by the CPU.
 */
struct stage2_geom {
	u32 levels;	  /* lookup levels, start_level..3 */
	int start_level;  /* architectural numbering: 0..2 here (3 and -1 never used) */
	u32 concat;	  /* concatenated root tables, 1..16 */
	u32 root_entries; /* entries used in each root table, 2..512 */
	u32 t0sz;	  /* VTCR_EL2.T0SZ */
	u32 sl0;	  /* VTCR_EL2.SL0 (SL2 is always 0) */
	u32 ps;		  /* VTCR_EL2.PS, from the PA range */
	bool ds;	  /* VTCR_EL2.DS: LPA2 descriptor format */
	u64 vtcr;	  /* ready to write to VTCR_EL2, fields as listed above */
};

/*
 * Fill out for an IPA width of ipa_bits on a CPU whose PA range is
 * pa_range_bits (32, 36, 40, 42, 44, 48 or 52), using FEAT_LPA2 (DS = 1)
 * when lpa2. Returns 0, or STAGE2_EINVAL for a PA range that is not one of
 * those, STAGE2_ERANGE for ipa_bits < 32 or > pa_range_bits, STAGE2_ENOLPA2
 * for ipa_bits > 48 without lpa2 (checked in that order); out is untouched
 * on error.
 */
int stage2_geometry(u32 ipa_bits, u32 pa_range_bits, bool lpa2, struct stage2_geom *out);

/* The IPA width a VM gets when none is asked for: min(PA range, 48). */
u32 stage2_default_ipa(u32 pa_range_bits);

/*
 * Decode ID_AA64MMFR0_EL1.PARange (0..6 -> 32, 36, 40, 42, 44, 48, 52 bits)
 * into *bits. Returns 0, or STAGE2_EINVAL for any other value (*bits untouched).
 */
int stage2_pa_range_bits(u32 id_aa64mmfr0_parange_field, u32 *bits);

/*
 * Format "stage2: vm=<id> ipa=<bits> levels=<n> start_level=<l> concat=<k>
 * t0sz=<v> sl0=<v>" into buf; returns what ksnprintf returns.
 */
int stage2_describe(char *buf, size_t size, u32 vmid, u32 ipa_bits, const struct stage2_geom *g);

#endif
