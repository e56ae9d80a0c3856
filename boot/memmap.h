/* memmap.h: normalizing a physical memory map (sort, clip, resolve overlaps, merge). */
#ifndef UMBRA_MEMMAP_H
#define UMBRA_MEMMAP_H

#include "boot/boot_info.h"
#include "types.h"

/*
 * Normalize the *nr ranges in r[] (room for cap) in place:
 *  - zero-length ranges are dropped and ranges running past 2^64 are
 *    clipped (each with a warning);
 *  - the result is sorted by base with no overlaps: where ranges overlap,
 *    any non-RAM type beats RAM and between two non-RAM types the higher
 *    type number wins, splitting the losing range as needed;
 *  - adjacent ranges of one type are merged.
 * A split that needs more than cap entries is not done: a RAM piece is
 *   dropped (the memory is lost, never wrongly handed out), a non-RAM piece
 *   is given to the type that overlapped it (it stays unusable); both warn.
 * A range [0, 2^64) cannot be represented and comes out one byte short.
 * Returns the number of problems reported (0 for a clean map), or -1 when
 * *nr > cap.
 */
int memmap_normalize(struct mem_range *r, u32 *nr, u32 cap);

/* Total bytes of MEM_RAM ranges (saturating at 2^64 - 1). */
u64 memmap_ram_bytes(const struct mem_range *r, u32 nr);

#endif
