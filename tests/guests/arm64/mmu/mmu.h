/* mmu.h: the mmu guest's stage-1 page tables (4 KiB granule) and its check groups. */
#ifndef GUEST_MMU_H
#define GUEST_MMU_H

#include "guest.h"

/* Stage-1 descriptor bits (VMSAv8-64, 4 KiB granule). */
#define DESC_VALID BIT(0)
#define DESC_TABLE BIT(1) /* levels 0-2: next-level table; level 3: must be set (page) */
#define DESC_ATTR(i) ((u64)(i) << 2)
#define DESC_AP_RO BIT(7) /* AP[2]: read-only */
#define DESC_SH_INNER (3ull << 8)
#define DESC_AF BIT(10)
#define DESC_PXN BIT(53)
#define DESC_UXN BIT(54)
#define DESC_OA_MASK 0x0000fffffffff000ull

/* MAIR_EL1 indexes: normal write-back memory, Device-nGnRE. */
#define MAIR_NORMAL 0
#define MAIR_DEVICE 1
#define MAIR_VALUE (0xffull | 0x04ull << 8)

/* Leaf attributes: normal RAM (read-write, executable), read-only RAM, device registers. */
#define PROT_NORMAL (DESC_ATTR(MAIR_NORMAL) | DESC_SH_INNER | DESC_AF)
#define PROT_NORMAL_RO (PROT_NORMAL | DESC_AP_RO)
#define PROT_DEVICE (DESC_ATTR(MAIR_DEVICE) | DESC_AF | DESC_PXN | DESC_UXN)

/* Start the tables for a VA width of 39 (levels 1-3) or 48 bits (levels 0-3). */
void pt_init(unsigned va_bits);
/* Map [va, va + size) to pa with prot (2 MiB blocks where aligned if blocks); false: no tables. */
bool pt_map(u64 va, u64 pa, u64 size, u64 prot, bool blocks);
/* The level-3 descriptor of a page mapped by pt_map (NULL if it is not page-mapped). */
u64 *pt_leaf(u64 va);
/* Replace a page's descriptor (0 unmaps it) and invalidate its TLB entries. */
void pt_set_leaf(u64 va, u64 desc);
/* The IPS encoding and width the MMU uses: PARange, at most 48 bits (no 52-bit OAs with 4 KiB). */
unsigned pt_ips_bits(void);
/* Load MAIR, TCR and TTBR0, clean the tables to memory and set SCTLR_EL1.M, C and I. */
void mmu_enable(void);

/* Check groups (main.c, stage2.c). */
void check_stage2_mmu_off(void);
void check_stage2_mmu_on(u64 va_limit, u64 va_below);

#endif
