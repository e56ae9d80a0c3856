/* fake_ram.h: host memory standing in for host-physical RAM, with an allocator over it. */
#ifndef UMBRA_FAKE_RAM_H
#define UMBRA_FAKE_RAM_H

#include "mm/palloc.h"

/* Fake RAM starts here (above 4 GiB, so a stray host pointer never looks like one). */
#define FAKE_RAM_BASE 0x100000000ULL

/* Set up `pages` pages of fake RAM and an allocator over them (replaces any
 * earlier one). phys_to_virt() then reaches them. */
struct palloc *fake_ram_init(u64 pages);
void fake_ram_fini(void);
/* Take free pages away (as OWNER_HV) until only `left` remain free: out of
 * memory at a chosen point. Returns false if fewer than `left` were free. */
bool fake_ram_squeeze(struct palloc *pa, u64 left);
/* Give back every page fake_ram_squeeze took. */
void fake_ram_unsqueeze(struct palloc *pa);
/* Pages of fake RAM (from FAKE_RAM_BASE). */
u64 fake_ram_pages(void);

#endif
