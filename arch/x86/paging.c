/* paging.c: the hypervisor's own x86-64 page tables, built with the page-table engine. */
#include "arch/x86/msr.h"
#include "arch/x86/cpu.h"
#include "boot/boot_info.h"
#include "core/arch.h"
#include "core/image.h"
#include "core/log.h"
#include "mm/palloc.h"
#include "mm/phys.h"
#include "mm/pt.h"

/*
 * umbra's address space is an identity map, built in mm/pt.c's x86-64 format:
 *
 *   image text     R X      4 KiB pages
 *   image rodata   R   NX
 *   image data/bss R W NX
 *   other RAM      R W NX   (the largest pages alignment allows)
 *   low 1 MiB      R   NX   (BIOS tables), except page 0: unmapped, so a
 *                           NULL dereference faults
 *   ACPI ranges    R   NX
 */

static struct pt host_pt;
static int map_error;

/* Physical memory is identity-mapped: physical address = virtual address. */
void *phys_to_virt(hpa_t pa)
{
	return phys_ptr(pa.val);
}

static void map_range(u64 start, u64 end, u8 perm)
{
	struct pt_flush fl;
	struct pt_attr attr = { perm, PT_MT_WB, PT_F_GLOBAL };

	start = ALIGN_DOWN(start, PAGE_SIZE);
	end = ALIGN_UP(end, PAGE_SIZE);
	if (start >= end || map_error)
		return;
	pt_flush_init(&fl);
	map_error = pt_map(&host_pt, start, start, end - start, attr, &fl);
	if (map_error)
		pr_err("paging: cannot map [0x%llx-0x%llx): error %d\n", (unsigned long long)start,
		       (unsigned long long)end, map_error);
}

/* Map [start, end) of RAM except the image, which gets its own permissions. */
static void map_ram(u64 start, u64 end)
{
	u64 img_s = image_addr(__image_start), img_e = image_addr(__image_end);

	start = MAX(start, MiB(1)); /* the low MiB is mapped read-only on its own */
	if (start >= end)
		return;
	if (end <= img_s || start >= img_e) {
		map_range(start, end, PT_R | PT_W);
		return;
	}
	map_range(start, img_s, PT_R | PT_W);
	map_range(img_e, end, PT_R | PT_W);
}

static void map_image(void)
{
	map_range(image_addr(__text_start), image_addr(__text_end), PT_R | PT_X);
	map_range(image_addr(__rodata_start), image_addr(__rodata_end), PT_R);
	map_range(image_addr(__data_start), image_addr(__data_end), PT_R | PT_W);
}

int arch_paging_init(struct palloc *pa, const struct boot_info *bi)
{
	/* NX bits are reserved until EFER.NXE is set; W^X needs them. */
	if (!(cpuid(0x80000001, 0).edx & CPUID_EXT_EDX_NX)) {
		pr_err("paging: the CPU has no NX bit; umbra needs it for W^X\n");
		return -1;
	}
	if (pt_init(&host_pt, &pt_fmt_x86_64, 48, 4, pa, OWNER_PGTABLE)) {
		pr_err("paging: no memory for the root table\n");
		return -1;
	}
	if (!(cpuid(0x80000001, 0).edx & CPUID_EXT_EDX_PAGE1GB))
		host_pt.block_mask &= (u8)~BIT(2);
	map_error = 0;
	map_range(PAGE_SIZE, MiB(1), PT_R);
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct mem_range *r = &bi->mem[i];
		if (r->type == MEM_RAM)
			map_ram(r->base, r->base + r->len);
		else if (r->type == MEM_ACPI_RECLAIM || r->type == MEM_ACPI_NVS)
			map_range(r->base, r->base + r->len, PT_R);
	}
	map_image();
	if (map_error)
		return -1;
	wrmsr(MSR_IA32_PAT, PT_X86_PAT_VALUE);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP); /* read-only pages bind ring 0 too */
	write_cr3(host_pt.root.val);
	pr_info("paging: %llu table pages for the host map\n",
		(unsigned long long)host_pt.nr_tables);
	return 0;
}

int arch_map_mmio(u64 pa, u64 size)
{
	struct pt_flush fl;
	struct pt_attr attr = { PT_R | PT_W, PT_MT_UC, PT_F_GLOBAL };
	int rc;

	pt_flush_init(&fl);
	rc = pt_map(&host_pt, ALIGN_DOWN(pa, PAGE_SIZE), ALIGN_DOWN(pa, PAGE_SIZE),
		    ALIGN_UP(size, PAGE_SIZE), attr, &fl);
	if (fl.nr_changed || fl.walk_cache)
		write_cr3(read_cr3()); /* an old translation may be cached */
	pt_flush_done(&host_pt, &fl);
	return rc;
}

struct arch_map_info arch_paging_query(u64 va)
{
	struct arch_map_info mi = { false, false, false };
	struct pt_leaf leaf;

	/* The tables the CPU is using must be the ones the engine built. */
	if (read_cr3() != host_pt.root.val || !pt_lookup(&host_pt, va, &leaf))
		return mi;
	mi.present = true;
	mi.writable = leaf.attr.perm & PT_W;
	mi.executable = leaf.attr.perm & PT_X;
	return mi;
}

void arch_selftest_pagefault(void)
{
	/* Canonical, far above any RAM this machine has: mapped by nothing. */
	volatile u64 *p = phys_ptr(0x00007fdead000000ULL);
	pr_info("selftest: pagefault: reading unmapped address %p\n", (const void *)p);
	(void)*p;
	cpu_halt_forever();
}
