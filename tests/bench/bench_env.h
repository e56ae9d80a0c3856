/* bench_env.h: the environment the page-table engine needs, on the host, for benchmarks. */
#ifndef UMBRA_BENCH_ENV_H
#define UMBRA_BENCH_ENV_H

#include "mm/palloc.h"

/* Fake RAM starts here (above 4 GiB, so a stray host pointer never looks like one). */
#define BENCH_RAM_BASE 0x100000000ULL

/* Set up `pages` pages of fake RAM and an allocator over them; phys_to_virt()
 * then reaches them. Exits the program if the host has no memory for them. */
struct palloc *bench_ram_init(u64 pages);

#endif
