/* fake_ram.c: phys_to_virt for host tests: fake RAM in one aligned host buffer. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fake_ram.h"
#include "mm/phys.h"

static u8 *ram;
static u64 ram_pages;
static owner_t *meta;
static struct palloc fake_pa;
/* Pages taken by fake_ram_squeeze, given back by fake_ram_unsqueeze. */
static hpa_t *squeezed;
static u64 nr_squeezed;

struct palloc *fake_ram_init(u64 pages)
{
	struct mem_range map = { FAKE_RAM_BASE, pages * PAGE_SIZE, MEM_RAM };

	fake_ram_fini();
	ram = aligned_alloc(PAGE_SIZE, pages * PAGE_SIZE);
	cr_assert(ram, "no host memory for %llu fake pages", (unsigned long long)pages);
	memset(ram, 0xA5, pages * PAGE_SIZE); /* tables must not rely on zeroed memory */
	ram_pages = pages;
	u64 meta_size = palloc_meta_size(&map, 1);
	meta = malloc(meta_size);
	cr_assert(meta);
	cr_assert_eq(palloc_init(&fake_pa, &map, 1, NULL, 0, meta, meta_size), PALLOC_OK);
	return &fake_pa;
}

void fake_ram_fini(void)
{
	free(ram);
	free(meta);
	free(squeezed);
	ram = NULL;
	meta = NULL;
	squeezed = NULL;
	nr_squeezed = 0;
	ram_pages = 0;
}

void *phys_to_virt(hpa_t pa)
{
	cr_assert(pa.val >= FAKE_RAM_BASE && pa.val < FAKE_RAM_BASE + ram_pages * PAGE_SIZE,
		  "phys_to_virt(0x%llx) outside fake RAM", (unsigned long long)pa.val);
	return ram + (pa.val - FAKE_RAM_BASE);
}

bool fake_ram_squeeze(struct palloc *pa, u64 left)
{
	hpa_t p;
	if (pa->nr_free < left)
		return false;
	if (!squeezed) {
		squeezed = malloc(ram_pages * sizeof(*squeezed));
		cr_assert(squeezed);
	}
	while (pa->nr_free > left) {
		cr_assert_eq(palloc_alloc(pa, 0, OWNER_HV, &p), PALLOC_OK);
		squeezed[nr_squeezed++] = p;
	}
	return true;
}

void fake_ram_unsqueeze(struct palloc *pa)
{
	while (nr_squeezed)
		cr_assert_eq(palloc_free(pa, squeezed[--nr_squeezed], 0, OWNER_HV), PALLOC_OK);
}

u64 fake_ram_pages(void)
{
	return ram_pages;
}
