/* gwalk.h: walking an x86 guest's own page tables, as its CPU would, to find a guest-physical address. */
#ifndef UMBRA_GWALK_H
#define UMBRA_GWALK_H

#include "mm/gmem.h"
#include "types.h"

/* The guest's control state that decides how its addresses translate. */
struct gwalk_regs {
	u64 cr0, cr3, cr4, efer;
};

/*
 * Translate guest-virtual va with the guest's tables (paging off, 32-bit,
 * PAE, 4- or 5-level, picked from CR0.PG, CR4.PAE/LA57 and EFER.LMA). Tables
 * are read only from guest RAM (m): a CR3 or an entry pointing anywhere else,
 * a non-present entry or a reserved leaf gives false.
 */
bool gwalk_translate(const struct gmem *m, const struct gwalk_regs *r, u64 va, u64 *gpa_out);

#endif
