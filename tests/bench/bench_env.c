/* bench_env.c: phys_to_virt over a host buffer and log/panic stubs, for host benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_env.h"
#include "core/log.h"
#include "mm/phys.h"

static u8 *ram;
static u64 ram_pages;
static struct palloc bench_pa;
static enum log_level log_level = LOG_WARN;

struct palloc *bench_ram_init(u64 pages)
{
	struct mem_range map = { BENCH_RAM_BASE, pages * PAGE_SIZE, MEM_RAM };
	u64 meta_size = palloc_meta_size(&map, 1);
	void *meta = malloc(meta_size);

	ram = aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE);
	if (!ram || !meta) {
		fprintf(stderr, "bench: no host memory for %llu fake pages\n",
			(unsigned long long)pages);
		exit(2);
	}
	memset(ram, 0xA5, pages * PAGE_SIZE); /* tables must not rely on zeroed memory */
	ram_pages = pages;
	if (palloc_init(&bench_pa, &map, 1, NULL, 0, meta, meta_size) != PALLOC_OK) {
		fprintf(stderr, "bench: palloc_init failed\n");
		exit(2);
	}
	return &bench_pa;
}

void *phys_to_virt(hpa_t pa)
{
	if (pa.val < BENCH_RAM_BASE || pa.val - BENCH_RAM_BASE >= ram_pages * PAGE_SIZE)
		panic("phys_to_virt(0x%llx) outside fake RAM", (unsigned long long)pa.val);
	return ram + (pa.val - BENCH_RAM_BASE);
}

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
