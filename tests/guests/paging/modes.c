/* modes.c: page tables for 32-bit (PSE), PAE and 4-level paging, with their clone and run hooks. */
#include "paging.h"

#define PG32_BASE 0x40000000u /* PDE 0x100: a page table of 4 KiB pages */
#define PG32_BIG_VA 0x80000000u
#define PG32_BIG_PA MiB(8)	      /* a 4 MiB page: 8-12 MiB */
#define PAE_BASE 0x40000000u	      /* PDPTE 1, PDE 0 */
#define PAE_BIG_PA MiB(12)	      /* a 2 MiB page: 12-14 MiB */
#define LM_BASE 0xffff800040000000ull /* PML4E 256, PDPTE 1, PDE 0 */
#define LM_BIG_PA MiB(14)	      /* a 2 MiB page: 14-16 MiB */

/*
 * Where each mode puts the tables of tables.c's checks (see struct mode):
 *
 *            recursive entry          T as a table         T as a directory
 *   pg32     PD[0x3fe]: 0xff800000    PD[0x101]: 0x40400000  CR3 = T (a copy of
 *                                                          the PD), T[0x103]
 *   pae      test PD[3]: 0x40600000   test PD[2]: 0x40400000 a second PDPT, [2]
 *   lm       PML4[0x1fe]:             test PD[2]:            test PDPT[3]:
 *            0xffffff0000000000       LM_BASE + 4 MiB        LM_BASE + 2 GiB
 */
#define PG32_REC 0x3feu
#define PG32_TL_DIR 0x101u /* the PD entry giving T as a table */
#define PG32_TL_IDX 0x103u /* the entry of T both walks use */
#define PAE_REC 3u
#define LM_REC 0x1feull
#define LM_REC_BASE (0xffff000000000000ull | LM_REC << 39)

static u32 addr(const void *p)
{
	return (u32)(size_t)p;
}

/* Run ops in 32-bit code with the mode's paging on. */
static void run_ops32(struct op *ops)
{
	for (struct op *op = ops; op->kind != OP_END; op++) {
		u32 v = 0, va = (u32)op->va;

		op->fault = NO_FAULT;
		if (op->kind == OP_READ)
			op->fault = peek32(va, &v);
		else if (op->kind == OP_WRITE)
			op->fault = poke32(va, (u32)op->val);
		else if (op->kind == OP_EXEC)
			op->fault = exec_safe(va);
		else if (op->kind == OP_INVLPG)
			invlpg(va);
		else if (op->kind == OP_SET_CR3)
			write_cr3((u32)op->val);
		else if (op->kind == OP_SET_WP)
			write_cr0(op->val ? read_cr0() | CR0_WP : read_cr0() & ~CR0_WP);
		op->val = op->kind == OP_READ ? v : op->val;
		if (op->fault != NO_FAULT) {
			op->err = g_fault.error;
			op->cr2 = g_fault.cr2;
		}
	}
}

static bool run32(const struct mode *m, struct op *ops)
{
	paging_on(m->cr3, m->pae);
	run_ops32(ops);
	paging_off();
	write_cr0(read_cr0() & ~CR0_WP);
	return true;
}

static bool run64(const struct mode *m, struct op *ops)
{
	return lm_run(m->name, run_ops64, ops, m->cr3);
}

/* ---------------------------------------------------------------- 32-bit paging */
static u32 clone_pg32(const struct mode *m, u32 page)
{
	u32 *pd = page_alloc(), *pt = page_alloc();

	memcpy(pd, (void *)(size_t)m->cr3, 4096);
	pd[PG32_BASE >> 22] = addr(pt) | PTE_P | PTE_W;
	pt[0] = page | PTE_P | PTE_W;
	return addr(pd);
}

bool mode_pg32(struct mode *m)
{
	u32 *pd = pse32_identity(), *pt = page_alloc(), *t = page_alloc();

	pd[PG32_BASE >> 22] = addr(pt) | PTE_P | PTE_W;
	pd[PG32_BIG_VA >> 22] = PG32_BIG_PA | PTE_P | PTE_W | PTE_PS;
	memcpy(t, pd, 4096); /* T: a page directory too, before it is linked below */
	pd[PG32_TL_DIR] = addr(t) | PTE_P | PTE_W;
	*m = (struct mode){ .name = "pg32",
			    .cr3 = addr(pd),
			    .base = PG32_BASE,
			    .pt = pt,
			    .dir = &pd[PG32_BASE >> 22],
			    .big_va = PG32_BIG_VA,
			    .big_pa = PG32_BIG_PA,
			    .big_pde = &pd[PG32_BIG_VA >> 22],
			    .rec_slot = &pd[PG32_REC],
			    .rec_val = addr(pd) | PTE_P | PTE_W,
			    .rec_index = PG32_REC,
			    .rec_pt_va = (PG32_REC << 22) | (PG32_BASE >> 22 << 12),
			    .rec_top_va = (PG32_REC << 22) | (PG32_REC << 12),
			    .tl_entry = &t[PG32_TL_IDX],
			    .tl_cr3_table = addr(pd),
			    .tl_cr3_dir = addr(t),
			    .tl_va_table = (PG32_TL_DIR << 22) | (PG32_TL_IDX << 12),
			    .tl_va_dir = PG32_TL_IDX << 22,
			    .clone = clone_pg32,
			    .run = run32 };
	return true;
}

/* ---------------------------------------------------------------- PAE */
/* The physical-address width: bits from there up to 51 are reserved in PAE and 4-level entries. */
static u32 rsvd_bit(void)
{
	u32 bits = 36;

	if (cpuid(0x80000000, 0).eax >= 0x80000008)
		bits = cpuid(0x80000008, 0).eax & 0xff;
	return bits < 52 ? bits : 0;
}

static u32 clone_pae(const struct mode *m, u32 page)
{
	u64 *pdpt = page_alloc(), *pd = page_alloc(), *pt = page_alloc();

	memcpy(pdpt, (void *)(size_t)m->cr3, 32);
	pdpt[PAE_BASE >> 30] = addr(pd) | PTE_P;
	pd[0] = addr(pt) | PTE_P | PTE_W;
	pt[0] = page | PTE_P | PTE_W;
	return addr(pdpt);
}

bool mode_pae(struct mode *m)
{
	u64 *pdpt = pae_identity(), *pd = page_alloc(), *pt = page_alloc();
	u64 *t = page_alloc(), *pdpt2 = page_alloc();

	pdpt[PAE_BASE >> 30] = addr(pd) | PTE_P;
	pd[0] = addr(pt) | PTE_P | PTE_W;
	pd[1] = PAE_BIG_PA | PTE_P | PTE_W | PTE_PS;
	pd[2] = addr(t) | PTE_P | PTE_W;
	memcpy(pdpt2, pdpt, 32);
	pdpt2[2] = addr(t) | PTE_P; /* 2-3 GiB through T as the directory */
	*m = (struct mode){ .name = "pae",
			    .cr3 = addr(pdpt),
			    .pae = true,
			    .nx = cpu_has_nx(),
			    .base = PAE_BASE,
			    .pt = pt,
			    .dir = (u32 *)&pd[0],
			    .big_va = PAE_BASE + MiB(2),
			    .big_pa = PAE_BIG_PA,
			    .rsvd_bit = rsvd_bit(),
			    .big_pde = (u32 *)&pd[1],
			    .rec_slot = (u32 *)&pd[PAE_REC],
			    .rec_val = addr(pd) | PTE_P | PTE_W,
			    .rec_index = PAE_REC,
			    .rec_pt_va = PAE_BASE + (PAE_REC << 21),
			    .rec_top_va = PAE_BASE + (PAE_REC << 21) + (PAE_REC << 12),
			    .tl_entry = (u32 *)&t[0],
			    .tl_cr3_table = addr(pdpt),
			    .tl_cr3_dir = addr(pdpt2),
			    .tl_va_table = PAE_BASE + MiB(4),
			    .tl_va_dir = 0x80000000u,
			    .clone = clone_pae,
			    .run = run32 };
	if (m->nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	return true;
}

/* ---------------------------------------------------------------- 4-level (long mode) */
static u32 clone_lm(const struct mode *m, u32 page)
{
	u64 *pml4 = page_alloc(), *pdpt = page_alloc(), *pd = page_alloc(), *pt = page_alloc();

	memcpy(pml4, (void *)(size_t)m->cr3, 4096);
	pml4[(LM_BASE >> 39) & 511] = addr(pdpt) | PTE_P | PTE_W;
	pdpt[(LM_BASE >> 30) & 511] = addr(pd) | PTE_P | PTE_W;
	pd[0] = addr(pt) | PTE_P | PTE_W;
	pt[0] = page | PTE_P | PTE_W;
	return addr(pml4);
}

bool mode_lm(struct mode *m)
{
	u64 *pml4, *pdpt, *pd, *pt, *t;
	bool gb = cpuid(0x80000001, 0).edx & (1u << 26);

	if (!cpu_has_long_mode())
		return false;
	pml4 = lm_identity();
	pdpt = page_alloc();
	pd = page_alloc();
	pt = page_alloc();
	t = page_alloc();
	pml4[(LM_BASE >> 39) & 511] = addr(pdpt) | PTE_P | PTE_W;
	pdpt[(LM_BASE >> 30) & 511] = addr(pd) | PTE_P | PTE_W;
	pd[0] = addr(pt) | PTE_P | PTE_W;
	pd[1] = LM_BIG_PA | PTE_P | PTE_W | PTE_PS;
	pd[2] = addr(t) | PTE_P | PTE_W;
	if (gb) /* a 1 GiB page onto physical 0, one slot above the test region */
		pdpt[((LM_BASE >> 30) & 511) + 1] = PTE_P | PTE_W | PTE_PS;
	pdpt[((LM_BASE >> 30) & 511) + 2] = addr(t) | PTE_P | PTE_W;
	*m = (struct mode){ .name = "lm",
			    .cr3 = addr(pml4),
			    .pae = true,
			    .nx = cpu_has_nx(),
			    .base = LM_BASE,
			    .pt = pt,
			    .dir = (u32 *)&pd[0],
			    .big_va = LM_BASE + MiB(2),
			    .big_pa = LM_BIG_PA,
			    .huge_va = gb ? LM_BASE + 0x40000000ull : 0,
			    .rsvd_bit = rsvd_bit(),
			    .lm = true,
			    .big_pde = (u32 *)&pd[1],
			    .rec_slot = (u32 *)&pml4[LM_REC],
			    .rec_val = addr(pml4) | PTE_P | PTE_W,
			    .rec_index = LM_REC,
			    .rec_pt_va = LM_REC_BASE | ((LM_BASE >> 39 & 511) << 30) |
					 ((LM_BASE >> 30 & 511) << 21) |
					 ((LM_BASE >> 21 & 511) << 12),
			    .rec_top_va = LM_REC_BASE | LM_REC << 30 | LM_REC << 21 | LM_REC << 12,
			    .tl_entry = (u32 *)&t[0],
			    .tl_cr3_table = addr(pml4),
			    .tl_cr3_dir = addr(pml4),
			    .tl_va_table = LM_BASE + MiB(4),
			    .tl_va_dir = LM_BASE + 0x80000000ull,
			    .clone = clone_lm,
			    .run = run64 };
	if (m->nx)
		wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	return true;
}
