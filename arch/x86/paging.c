/* paging.c: the hypervisor's own x86-64 page tables: image W^X, managed RAM NX, page 0 unmapped. */
#include "arch/x86/cpu.h"
#include "boot/boot_info.h"
#include "core/arch.h"
#include "core/image.h"
#include "core/kstring.h"
#include "core/log.h"
#include "mm/palloc.h"

/*
 * A small 4-level builder for umbra's own address space, identity-mapped:
 *
 *   image text     R X      (4 KiB pages)
 *   image rodata   R   NX
 *   image data/bss R W NX
 *   other RAM      R W NX   (2 MiB pages where aligned)
 *   low 1 MiB      R   NX   (BIOS tables), except page 0: unmapped, so a
 *                           NULL dereference faults
 *   ACPI ranges    R   NX
 *
 * TODO(issue 3): move onto the generic page-table engine in mm/.
 */

#define PTE_P BIT(0)
#define PTE_W BIT(1)
#define PTE_PS BIT(7)
#define PTE_NX BIT(63)
#define PTE_ADDR GENMASK(51, 12)
#define PT_INDEX(va, level) (((va) >> (12 + 9 * ((level)-1))) & 0x1FF)
#define SIZE_2M MiB(2)

static struct palloc *pt_alloc;
static u64 *pml4;
static int pt_error;

static u64 *table_new(void)
{
	hpa_t pa;
	if (palloc_alloc(pt_alloc, 0, OWNER_PGTABLE, &pa) != PALLOC_OK) {
		pt_error = -1;
		return NULL;
	}
	u64 *t = (u64 *)(uintptr_t)pa.val;
	memset(t, 0, PAGE_SIZE);
	return t;
}

/* The table at the next level below entry e, made if absent. Upper levels are
 * permissive (present, writable, executable): leaves decide. */
static u64 *next_table(u64 *e)
{
	if (!(*e & PTE_P)) {
		u64 *t = table_new();
		if (!t)
			return NULL;
		*e = (u64)(uintptr_t)t | PTE_P | PTE_W;
	}
	return (u64 *)(uintptr_t)(*e & PTE_ADDR);
}

static void map_one(u64 va, u64 flags, bool large)
{
	u64 *t = pml4;
	int leaf_level = large ? 2 : 1;

	for (int level = 4; level > leaf_level; level--) {
		t = next_table(&t[PT_INDEX(va, level)]);
		if (!t)
			return;
	}
	t[PT_INDEX(va, leaf_level)] = va | flags | (large ? PTE_PS : 0);
}

/* Identity-map [start, end) with the given leaf flags, 2 MiB pages where possible. */
static void map_range(u64 start, u64 end, u64 flags)
{
	u64 va = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	while (va < end && !pt_error) {
		bool large = IS_ALIGNED(va, SIZE_2M) && end - va >= SIZE_2M;
		map_one(va, flags, large);
		va += large ? SIZE_2M : PAGE_SIZE;
	}
}

/* Map [start, end) of RAM except the image, which gets its own permissions. */
static void map_ram(u64 start, u64 end)
{
	u64 img_s = image_addr(__image_start), img_e = image_addr(__image_end);

	if (start < PAGE_SIZE)
		start = PAGE_SIZE;
	if (start < MiB(1)) {
		map_range(start, MIN(end, MiB(1)), PTE_P | PTE_NX);
		start = MiB(1);
	}
	if (start >= end)
		return;
	if (end <= img_s || start >= img_e) {
		map_range(start, end, PTE_P | PTE_W | PTE_NX);
		return;
	}
	if (start < img_s)
		map_range(start, img_s, PTE_P | PTE_W | PTE_NX);
	if (end > img_e)
		map_range(img_e, end, PTE_P | PTE_W | PTE_NX);
}

static void map_image(void)
{
	map_range(image_addr(__text_start), image_addr(__text_end), PTE_P);
	map_range(image_addr(__rodata_start), image_addr(__rodata_end), PTE_P | PTE_NX);
	map_range(image_addr(__data_start), image_addr(__data_end), PTE_P | PTE_W | PTE_NX);
}

int arch_paging_init(struct palloc *pa, const struct boot_info *bi)
{
	pt_alloc = pa;
	pt_error = 0;
	pml4 = table_new();
	if (!pml4)
		return -1;
	map_range(PAGE_SIZE, MiB(1), PTE_P | PTE_NX);
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct mem_range *r = &bi->mem[i];
		if (r->type == MEM_RAM)
			map_ram(r->base, r->base + r->len);
		else if (r->type == MEM_ACPI_RECLAIM || r->type == MEM_ACPI_NVS)
			map_range(r->base, r->base + r->len, PTE_P | PTE_NX);
	}
	map_image();
	if (pt_error) {
		pr_err("paging: out of memory building the hypervisor's page tables\n");
		return -1;
	}
	/* NX bits are reserved until EFER.NXE is set; CR0.WP makes R/O bind ring 0. */
	if (!(cpuid(0x80000001, 0).edx & BIT(20))) {
		pr_err("paging: the CPU has no NX bit; umbra needs it for W^X\n");
		return -1;
	}
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3((u64)(uintptr_t)pml4);
	return 0;
}

struct arch_map_info arch_paging_query(u64 va)
{
	struct arch_map_info mi = { false, true, true };
	const u64 *t = (const u64 *)(uintptr_t)(read_cr3() & PTE_ADDR);

	for (int level = 4; level >= 1; level--) {
		u64 e = t[PT_INDEX(va, level)];
		if (!(e & PTE_P))
			return mi;
		mi.writable = mi.writable && (e & PTE_W);
		mi.executable = mi.executable && !(e & PTE_NX);
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			mi.present = true;
			return mi;
		}
		t = (const u64 *)(uintptr_t)(e & PTE_ADDR);
	}
	return mi;
}

void arch_selftest_pagefault(void)
{
	/* Canonical, far above any RAM this machine has: mapped by nothing. */
	volatile u64 *p = (volatile u64 *)(uintptr_t)0x00007fdead000000ULL;
	pr_info("selftest: pagefault: reading unmapped address %p\n", (const void *)p);
	(void)*p;
	for (;;)
		cpu_halt_forever();
}
