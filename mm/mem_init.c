/* mem_init.c: place the allocator's metadata and hand the rest of RAM to the allocator. */
#include "mm/mem_init.h"

#include "core/image.h"
#include "core/log.h"

#define MAX_EXCL (BOOT_MAX_MODULES + 4)
/* Metadata must sit where the early identity map reaches. */
#define META_LIMIT GiB(4)

static struct palloc palloc_global;

struct palloc *mem_palloc(void)
{
	return &palloc_global;
}

static bool overlaps(u64 s, u64 e, const struct mem_range *x, u32 n)
{
	for (u32 i = 0; i < n; i++) {
		if (s < x[i].base + x[i].len && x[i].base < e)
			return true;
	}
	return false;
}

/* Lowest page-aligned RAM address above 1 MiB with size bytes free of every exclusion. */
static u64 place_meta(const struct boot_info *bi, const struct mem_range *excl, u32 nx, u64 size)
{
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct mem_range *r = &bi->mem[i];
		if (r->type != MEM_RAM)
			continue;
		u64 s = ALIGN_UP(MAX(r->base, MiB(1)), PAGE_SIZE);
		u64 end = MIN(r->base + r->len, META_LIMIT);
		while (s + size <= end) {
			if (!overlaps(s, s + size, excl, nx))
				return s;
			s += PAGE_SIZE;
		}
	}
	return 0;
}

static u32 collect_exclusions(const struct boot_info *bi, struct mem_range *x)
{
	u32 n = 0;
	x[n++] = (struct mem_range){ 0, MiB(1), MEM_RESERVED };
	x[n++] = (struct mem_range){ image_addr(__image_start),
				     image_addr(__image_end) - image_addr(__image_start),
				     MEM_RESERVED };
	if (bi->info_end > bi->info_start)
		x[n++] = (struct mem_range){ bi->info_start, bi->info_end - bi->info_start,
					     MEM_RESERVED };
	for (u32 i = 0; i < bi->nr_mods && n < MAX_EXCL - 1; i++)
		x[n++] = (struct mem_range){ bi->mods[i].start, bi->mods[i].end - bi->mods[i].start,
					     MEM_RESERVED };
	return n;
}

int mem_init(const struct boot_info *bi)
{
	struct mem_range excl[MAX_EXCL];
	u32 nx = collect_exclusions(bi, excl);
	u64 meta_size = ALIGN_UP(palloc_meta_size(bi->mem, bi->nr_mem), PAGE_SIZE);
	u64 meta = place_meta(bi, excl, nx, meta_size);

	if (!meta) {
		pr_err("memory: no room below 4 GiB for %llu KiB of allocator metadata\n",
		       (unsigned long long)(meta_size >> 10));
		return -1;
	}
	excl[nx++] = (struct mem_range){ meta, meta_size, MEM_RESERVED };
	if (palloc_init(&palloc_global, bi->mem, bi->nr_mem, excl, nx, (void *)(uintptr_t)meta,
			meta_size) != PALLOC_OK) {
		pr_err("memory: the page allocator rejected the memory map\n");
		return -1;
	}
	pr_info("palloc: %llu pages free (%llu MiB), metadata %llu KiB at 0x%llx\n",
		(unsigned long long)palloc_global.nr_free,
		(unsigned long long)(palloc_global.nr_free >> 8),
		(unsigned long long)(meta_size >> 10), (unsigned long long)meta);
	return 0;
}
