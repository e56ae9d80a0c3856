/* paging.c: umbra's own EL2 stage-1 tables on arm64, built by the engine: an identity map with W^X. */
#include "arch/arm64/arm64.h"
#include "arch/arm64/sysreg.h"
#include "core/arch.h"
#include "core/image.h"
#include "core/console.h"
#include "core/log.h"
#include "mm/phys.h"

/*
 * Virtual address = physical address, through TTBR0_EL2 (EL2 without VHE
 * has one address range). What is mapped, and how:
 *
 *   image text     R X
 *   image rodata   R
 *   image data/bss RW
 *   other RAM      RW     (page tables, guest memory, the device tree)
 *   UART, GIC      RW device memory
 *   anything else  unmapped
 *
 * SCTLR_EL2.WXN makes every writable page execute-never in hardware too.
 * MAIR_EL2 holds the engine's memory types (PT_ARM64_MAIR_VALUE).
 */

static struct pt host_pt;
static int map_error;

void *phys_to_virt(hpa_t pa)
{
	return (void *)(uintptr_t)pa.val;
}

static void map_range(u64 start, u64 end, u8 perm, u8 mtype)
{
	struct pt_flush fl;
	struct pt_attr attr = { perm, mtype, 0 };

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

static void map_ram(u64 start, u64 end)
{
	u64 img_s = image_addr(__image_start), img_e = image_addr(__image_end);

	if (end <= img_s || start >= img_e) {
		map_range(start, end, PT_R | PT_W, PT_MT_WB);
		return;
	}
	map_range(start, img_s, PT_R | PT_W, PT_MT_WB);
	map_range(img_e, end, PT_R | PT_W, PT_MT_WB);
}

static void map_devices(const struct boot_devices *d)
{
	map_range(d->uart_base ? d->uart_base : 0x09000000,
		  (d->uart_base ? d->uart_base : 0x09000000) + PAGE_SIZE, PT_R | PT_W, PT_MT_DEV);
	if (d->gicd_base)
		map_range(d->gicd_base, d->gicd_base + MAX(d->gicd_size, PAGE_SIZE), PT_R | PT_W,
			  PT_MT_DEV);
	if (d->gicr_base)
		map_range(d->gicr_base, d->gicr_base + MAX(d->gicr_size, PAGE_SIZE), PT_R | PT_W,
			  PT_MT_DEV);
	if (d->gicc_base)
		map_range(d->gicc_base, d->gicc_base + MAX(d->gicc_size, PAGE_SIZE), PT_R | PT_W,
			  PT_MT_DEV);
}

static void enable_mmu(u32 va_bits)
{
	u64 ps = MIN(FIELD_GET(ID_AA64MMFR0_PARANGE, read_sysreg(id_aa64mmfr0_el1)), 5);
	u64 tcr = FIELD_PREP(TCR_EL2_T0SZ, 64 - va_bits) | FIELD_PREP(TCR_EL2_IRGN0, 1) |
		  FIELD_PREP(TCR_EL2_ORGN0, 1) | FIELD_PREP(TCR_EL2_SH0, 3) |
		  FIELD_PREP(TCR_EL2_PS, ps) | TCR_EL2_RES1;

	write_sysreg(mair_el2, PT_ARM64_MAIR_VALUE);
	write_sysreg(tcr_el2, tcr);
	write_sysreg(ttbr0_el2, host_pt.root.val);
	dsb_ish();
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb_ish();
	isb();
	write_sysreg(sctlr_el2, read_sysreg(sctlr_el2) | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_I |
					SCTLR_EL2_WXN);
	isb();
}

int arch_paging_init(struct palloc *pa, const struct boot_info *bi)
{
	u32 va_bits = MIN(cpu_pa_bits(), 48);
	u32 levels = va_bits > 39 ? 4 : 3;

	if (pt_init(&host_pt, &pt_fmt_arm64_s1, va_bits, levels, pa, OWNER_PGTABLE)) {
		pr_err("paging: no memory for the root table\n");
		return -1;
	}
	map_error = 0;
	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct mem_range *r = &bi->mem[i];
		if (r->type == MEM_RAM)
			map_ram(r->base, r->base + r->len);
	}
	map_range(image_addr(__text_start), image_addr(__text_end), PT_R | PT_X, PT_MT_WB);
	map_range(image_addr(__rodata_start), image_addr(__rodata_end), PT_R, PT_MT_WB);
	map_range(image_addr(__data_start), image_addr(__data_end), PT_R | PT_W, PT_MT_WB);
	map_devices(&bi->dev);
	if (map_error)
		return -1;
	enable_mmu(va_bits);
	pr_info("paging: %llu table pages for the host map (%u-bit, %u levels)\n",
		(unsigned long long)host_pt.nr_tables, va_bits, levels);
	return 0;
}

struct arch_map_info arch_paging_query(u64 va)
{
	struct arch_map_info mi = { false, false, false };
	struct pt_leaf leaf;

	if (read_sysreg(ttbr0_el2) != host_pt.root.val || !pt_lookup(&host_pt, va, &leaf))
		return mi;
	mi.present = true;
	mi.writable = (leaf.attr.perm & PT_W) != 0;
	/* WXN: a writable page never executes, whatever its XN bit says. */
	mi.executable = (leaf.attr.perm & PT_X) && !mi.writable;
	return mi;
}

/* An address nothing maps (RAM on QEMU virt starts at 1 GiB); a variable so
 * the compiler cannot see the access is to a null pointer. */
static volatile u64 selftest_unmapped = 0;

void arch_selftest_pagefault(void)
{
	kprintf("selftest: touching unmapped address 0x0 on purpose\n");
	volatile u64 *nothing = (volatile u64 *)(uintptr_t)selftest_unmapped;
	(void)*nothing;
	panic("selftest: the access to 0x0 did not fault");
}

void dcache_clean_range(u64 va, u64 size)
{
	u64 line = 4ULL << FIELD_GET(GENMASK(19, 16), read_sysreg(ctr_el0));

	for (u64 a = ALIGN_DOWN(va, line); a < va + size; a += line)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	dsb_sy();
	__asm__ volatile("ic iallu" ::: "memory"); /* the range may hold code */
	dsb_sy();
	isb();
}
