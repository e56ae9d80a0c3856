/* test_gwalk.c: host tests of the guest page walker (modes, page sizes, reserved bits) over fake guest RAM. */
#include "gwalk_testlib.h"

/* Expected results below are worked out by hand from the SDM (vol. 3A 2.5, 4.3-4.8). */
#define PG (CR0_PE | CR0_PG | CR0_WP)
#define ALL_PERM (PT_R | PT_W | PT_U | PT_X)

TestSuite(gwalk, .init = setup, .fini = teardown);

static u64 walk_ok(const struct gwalk_regs *r, u64 va)
{
	u64 out = ~0ULL;
	cr_assert(gwalk_translate(&mem, r, va, &out), "va 0x%llx should translate",
		  (unsigned long long)va);
	return out;
}

static void walk_fails(const struct gwalk_regs *r, u64 va)
{
	u64 out;
	cr_assert(!gwalk_translate(&mem, r, va, &out), "va 0x%llx should not translate",
		  (unsigned long long)va);
}

/* A full walk that must succeed; returns the result. */
static struct gwalk_result ok(const struct gwalk_regs *r, u64 va, u32 access)
{
	struct gwalk_result res;
	enum gwalk_status st = gwalk(&mem, r, va, access, 0, &res);
	cr_assert_eq(st, GWALK_OK, "va 0x%llx access %u: status %d error 0x%x",
		     (unsigned long long)va, access, st, res.error);
	return res;
}

/* A walk that must fault with exactly this error code after reading nr_steps entries. */
static void fault(const struct gwalk_regs *r, u64 va, u32 access, u32 error, unsigned nr_steps)
{
	struct gwalk_result res;
	enum gwalk_status st = gwalk(&mem, r, va, access, 0, &res);
	cr_assert_eq(st, GWALK_FAULT, "va 0x%llx access %u: status %d, wanted a fault",
		     (unsigned long long)va, access, st);
	cr_assert_eq(res.error, error, "va 0x%llx access %u: error 0x%x, wanted 0x%x",
		     (unsigned long long)va, access, res.error, error);
	cr_assert_eq(res.nr_steps, nr_steps, "va 0x%llx: %u steps, wanted %u",
		     (unsigned long long)va, res.nr_steps, nr_steps);
}

static void bad_table(const struct gwalk_regs *r, u64 va, u64 bad, unsigned nr_steps)
{
	struct gwalk_result res;
	cr_assert_eq(gwalk(&mem, r, va, 0, 0, &res), GWALK_BAD_TABLE);
	cr_assert_eq(res.bad_gpa, bad, "bad_gpa 0x%llx, wanted 0x%llx",
		     (unsigned long long)res.bad_gpa, (unsigned long long)bad);
	cr_assert_eq(res.nr_steps, nr_steps);
}

static void step_is(const struct gwalk_result *res, unsigned i, u64 table, u32 index, u8 level,
		    u64 entry)
{
	const struct gwalk_step *s = &res->step[i];
	cr_assert(i < res->nr_steps);
	cr_assert_eq(s->table, table, "step %u: table 0x%llx", i, (unsigned long long)s->table);
	cr_assert_eq(s->index, index, "step %u: index %u", i, s->index);
	cr_assert_eq(s->level, level, "step %u: level %u", i, s->level);
	cr_assert_eq(s->entry, entry, "step %u: entry 0x%llx", i, (unsigned long long)s->entry);
}

/* ---------------------------------------------------------------- fixtures */

/* 32-bit: PD at PD32, PT at PT32; VA32 uses PDE 1 and PTE 5. */
#define PD32 0x20000ULL
#define PT32 0x21000ULL
#define VA32 ((1ULL << 22) | (5ULL << 12) | 0x123)

/* PAE: PDPT at 0x30020 (CR3 bits 31:5), PD, PT; VAPAE uses PDPTE 2, PDE 3, PTE 4. */
#define PDPT 0x30020ULL
#define PDPAE 0x31000ULL
#define PTPAE 0x32000ULL
#define VAPAE ((2ULL << 30) | (3ULL << 21) | (4ULL << 12) | 0x456)

/* IA-32e: PML5, PML4, PDPT, PD, PT; VALM uses indices 6 (PML5), 1, 2, 3, 4. */
#define L5 0x0F000ULL
#define L4 0x10000ULL
#define L3 0x11000ULL
#define L2 0x12000ULL
#define L1 0x13000ULL
#define VALM ((1ULL << 39) | (2ULL << 30) | (3ULL << 21) | (4ULL << 12) | 0x789)
#define VALM5 ((6ULL << 48) | VALM)
#define PAGE 0x50000ULL

static struct gwalk_regs regs32(u64 cr4)
{
	return (struct gwalk_regs){ .cr0 = PG, .cr3 = PD32, .cr4 = cr4 };
}

static struct gwalk_regs regs_pae(u64 efer)
{
	/* CR3 bits 4:3 are PWT/PCD and 2:0 are ignored: none of them are address. */
	return (struct gwalk_regs){ .cr0 = PG, .cr3 = PDPT | 0x1F, .cr4 = CR4_PAE, .efer = efer };
}

static struct gwalk_regs regs_lm4(u64 efer)
{
	/* CR3 bits 11:0 are flags (or a PCID): not address. */
	return (struct gwalk_regs){
		.cr0 = PG, .cr3 = L4 | 0x18, .cr4 = CR4_PAE, .efer = LMA | efer
	};
}

static struct gwalk_regs regs_lm5(u64 efer)
{
	return (struct gwalk_regs){
		.cr0 = PG, .cr3 = L5, .cr4 = CR4_PAE | CR4_LA57, .efer = LMA | efer
	};
}

static void build32(u32 pde, u32 pte)
{
	put32(PD32 + 1 * 4, pde);
	put32(PT32 + 5 * 4, pte);
}

static void build_pae(u64 pdpte, u64 pde, u64 pte)
{
	put64(PDPT + 2 * 8, pdpte);
	put64(PDPAE + 3 * 8, pde);
	put64(PTPAE + 4 * 8, pte);
}

static void build_lm(u64 e4, u64 e3, u64 e2, u64 e1)
{
	put64(L5 + 6 * 8, L4 | FULL);
	put64(L4 + 1 * 8, e4);
	put64(L3 + 2 * 8, e3);
	put64(L2 + 3 * 8, e2);
	put64(L1 + 4 * 8, e1);
}

/* ---------------------------------------------------------------- the old interface */

Test(gwalk, paging_off_is_identity_in_32_bits)
{
	struct gwalk_regs r = { .cr0 = CR0_PE };
	cr_assert_eq(walk_ok(&r, 0x12345), 0x12345);
	cr_assert_eq(walk_ok(&r, 0x100001000ULL), 0x1000);
}

Test(gwalk, paging_32bit_with_4k_4m_and_pse36)
{
	struct gwalk_regs r = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x1000, .cr4 = CR4_PSE };

	put32(0x1000 + 0 * 4, 0x2000 | P | RW);			   /* PDE 0 -> PT at 0x2000 */
	put32(0x2000 + 5 * 4, 0x7000 | P);			   /* PTE 5 -> 0x7000 */
	put32(0x1000 + 1 * 4, 0x400000 | P | PS);		   /* PDE 1: 4 MiB page */
	put32(0x1000 + 2 * 4, 0x00000000 | P | PS | (0x1u << 13)); /* PSE-36: 4 GiB */
	cr_assert_eq(walk_ok(&r, 0x5123), 0x7123);
	cr_assert_eq(walk_ok(&r, 0x401234), 0x401234);
	cr_assert_eq(walk_ok(&r, 0x800010), 0x100000010ULL);
	walk_fails(&r, 0x6000);	  /* PTE 6 not present */
	walk_fails(&r, 0xC00000); /* PDE 3 not present */
}

Test(gwalk, pae_root_need_not_be_page_aligned)
{
	struct gwalk_regs r = { .cr0 = CR0_PE | CR0_PG, .cr3 = 0x3020, .cr4 = CR4_PAE };

	put64(0x3020, 0x4000 | P);	       /* PDPTE 0 */
	put64(0x4000, 0x200000 | P | RW | PS); /* PDE 0: 2 MiB */
	put64(0x4008, 0x5000 | P);	       /* PDE 1 -> PT */
	put64(0x5000 + 3 * 8, 0x9000 | P);     /* PTE 3 */
	cr_assert_eq(walk_ok(&r, 0x1234), 0x201234);
	cr_assert_eq(walk_ok(&r, 0x203456), 0x9456);
	walk_fails(&r, 0x40000000); /* PDPTE 1 not present */
}

Test(gwalk, long_mode_high_canonical_address)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = 0x6000, .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA
	};

	put64(0x6000 + 256 * 8, 0x7000 | P | RW); /* PML4[256]: 0xffff800000000000 */
	put64(0x7000, 0x8000 | P | RW);		  /* PDPT[0] */
	put64(0x8000, 0xA000 | P | RW);		  /* PD[0] */
	put64(0xA000 + 1 * 8, 0xB000 | P);	  /* PT[1] */
	cr_assert_eq(walk_ok(&r, 0xffff800000001abcULL), 0xBabc);
	walk_fails(&r, 0x1000); /* PML4[0] empty */
}

Test(gwalk, hostile_tables_translate_nothing)
{
	struct gwalk_regs r = {
		.cr0 = CR0_PE | CR0_PG, .cr3 = GiB(2), .cr4 = CR4_PAE, .efer = EFER_LMA
	};
	walk_fails(&r, 0x1000); /* CR3 outside guest RAM */

	/* An entry pointing at a table beyond RAM. */
	r.cr3 = 0x6000;
	put64(0x6000, 0x40000000ULL | P);
	walk_fails(&r, 0x1000);

	/* A PS bit in a PML4 entry is reserved: no 512 GiB page. */
	put64(0x6000 + 8, 0x0 | P | PS);
	walk_fails(&r, 1ULL << 39);
}

/* Behaviour change: a 32-bit PDE with PS and CR4.PSE=0 points to a page table. */
Test(gwalk, translate_follows_cr4_pse)
{
	struct gwalk_regs r = regs32(0);

	build32((u32)(PT32 | P | PS), (u32)(0x7000 | P));
	cr_assert_eq(walk_ok(&r, VA32), 0x7123);
	/* With PSE it maps a 4 MiB page: bits 31:22 of 0x21000 are 0, and its
	 * bit 17 sits in the PSE-36 field 20:13, as address bit 32 + 4 = 36. */
	r.cr4 = CR4_PSE;
	cr_assert_eq(walk_ok(&r, VA32), BIT(36) | (VA32 & GENMASK(21, 0)));
}

/* ---------------------------------------------------------------- modes */

Test(gwalk, mode_of_every_combination)
{
	struct gwalk_regs r = { 0 };

	cr_assert_eq(gwalk_mode_of(&r), GWALK_OFF);
	r.cr4 = CR4_PAE | CR4_PSE;
	cr_assert_eq(gwalk_mode_of(&r), GWALK_OFF); /* PG=0 wins over everything */
	r.cr0 = CR0_PG;
	r.cr4 = 0;
	cr_assert_eq(gwalk_mode_of(&r), GWALK_32);
	r.cr4 = CR4_PSE;
	cr_assert_eq(gwalk_mode_of(&r), GWALK_32);
	r.cr4 = CR4_PAE;
	cr_assert_eq(gwalk_mode_of(&r), GWALK_PAE);
	r.cr4 = CR4_PAE | CR4_LA57; /* LA57 means nothing outside IA-32e mode */
	cr_assert_eq(gwalk_mode_of(&r), GWALK_PAE);
	r.efer = EFER_LME; /* LME alone: not active yet */
	cr_assert_eq(gwalk_mode_of(&r), GWALK_PAE);
	r.efer = LMA;
	r.cr4 = CR4_PAE;
	cr_assert_eq(gwalk_mode_of(&r), GWALK_LM4);
	r.cr4 = CR4_PAE | CR4_LA57;
	cr_assert_eq(gwalk_mode_of(&r), GWALK_LM5);
}

Test(gwalk, paging_off_result)
{
	struct gwalk_regs r = { .cr0 = CR0_PE, .cr4 = CR4_PAE, .efer = EFER_NXE };
	struct gwalk_result res = ok(&r, 0xABCD12345678ULL, PF_W | PF_U | PF_I);

	cr_assert_eq(res.mode, GWALK_OFF);
	cr_assert_eq(res.gpa, 0x12345678);
	cr_assert_eq(res.page_gpa, 0x12345000);
	cr_assert_eq(res.page_size, KiB(4));
	cr_assert_eq(res.perm, ALL_PERM);
	cr_assert_eq(res.nr_steps, 0);
}

Test(gwalk, x86_32_4k_page)
{
	struct gwalk_regs r = regs32(CR4_PSE);
	struct gwalk_result res;

	build32((u32)(PT32 | FULL), (u32)(0x7000 | FULL));
	res = ok(&r, VA32 | 0xFFFFFFFF00000000ULL, 0); /* bits 63:32 ignored */
	cr_assert_eq(res.mode, GWALK_32);
	cr_assert_eq(res.gpa, 0x7123);
	cr_assert_eq(res.page_gpa, 0x7000);
	cr_assert_eq(res.page_size, KiB(4));
	cr_assert_eq(res.perm, ALL_PERM); /* no XD in 32-bit paging */
	cr_assert_eq(res.nr_steps, 2);
	step_is(&res, 0, PD32, 1, 1, PT32 | FULL);
	step_is(&res, 1, PT32, 5, 0, 0x7000 | FULL);
}

Test(gwalk, x86_32_pte_pat_bit_is_not_reserved)
{
	struct gwalk_regs r = regs32(CR4_PSE);

	build32((u32)(PT32 | P), (u32)(0x7000 | P | BIT(7))); /* PTE bit 7 is PAT */
	cr_assert_eq(ok(&r, VA32, 0).gpa, 0x7123);
}

Test(gwalk, x86_32_4m_page_with_pse)
{
	struct gwalk_regs r = regs32(CR4_PSE);
	struct gwalk_result res;

	/* PAT (bit 12) is not address; bits 31:22 are. */
	put32(PD32 + 1 * 4, 0xC0C00000u | BIT(12) | P | RW | PS);
	res = ok(&r, VA32, PF_W);
	cr_assert_eq(res.page_size, MiB(4));
	cr_assert_eq(res.page_gpa, 0xC0C00000u);
	cr_assert_eq(res.gpa, 0xC0C00000u | (VA32 & GENMASK(21, 0)));
	cr_assert_eq(res.nr_steps, 1);
	step_is(&res, 0, PD32, 1, 1, 0xC0C00000u | BIT(12) | P | RW | PS);
}

Test(gwalk, x86_32_ps_without_pse_points_to_a_table)
{
	struct gwalk_regs r = regs32(0);
	struct gwalk_result res;

	build32((u32)(PT32 | P | PS), (u32)(0x7000 | P));
	res = ok(&r, VA32, 0);
	cr_assert_eq(res.page_size, KiB(4));
	cr_assert_eq(res.gpa, 0x7123);
	cr_assert_eq(res.nr_steps, 2);
	step_is(&res, 1, PT32, 5, 0, 0x7000 | P);
	/* Without PSE no bit is reserved: bit 21 is just a table address bit. */
	put32(PD32 + 1 * 4, (u32)(0x200000 | P | PS));
	bad_table(&r, VA32, 0x200000, 1);
}

Test(gwalk, x86_32_pse36_address_and_reserved_bits)
{
	struct gwalk_regs r = regs32(CR4_PSE);

	/* MAXPHYADDR 52 (0): M = min(52, 40) = 40, bits 20:13 are address 39:32, bit 21 reserved. */
	put32(PD32 + 1 * 4, (u32)(0x00400000 | BIT(20) | BIT(13) | P | PS));
	cr_assert_eq(ok(&r, VA32, 0).page_gpa, BIT(39) | BIT(32) | 0x400000);
	put32(PD32 + 1 * 4, (u32)(0x00400000 | BIT(21) | P | PS));
	fault(&r, VA32, 0, PF_RSVD | PF_P, 1);

	/* MAXPHYADDR 36: bits 16:13 are address 35:32, bits 21:17 reserved. */
	r.maxphyaddr = 36;
	put32(PD32 + 1 * 4, (u32)(BIT(16) | P | PS));
	cr_assert_eq(ok(&r, VA32, 0).page_gpa, BIT(35));
	put32(PD32 + 1 * 4, (u32)(BIT(17) | P | PS));
	fault(&r, VA32, PF_W | PF_U, PF_RSVD | PF_P | PF_W | PF_U, 1);

	/* MAXPHYADDR 32 (no address above 4 GiB): bits 21:13 reserved. */
	r.maxphyaddr = 32;
	put32(PD32 + 1 * 4, (u32)(BIT(13) | P | PS));
	fault(&r, VA32, 0, PF_RSVD | PF_P, 1);
	put32(PD32 + 1 * 4, (u32)(BIT(12) | P | PS)); /* PAT: fine */
	cr_assert_eq(ok(&r, VA32, 0).page_gpa, 0);
}

Test(gwalk, x86_32_not_present_at_each_level)
{
	struct gwalk_regs r = regs32(CR4_PSE);

	build32((u32)(PT32 | FULL), (u32)(0x7000 | FULL));
	put32(PT32 + 5 * 4, 0x7000 | RW | US); /* everything but P */
	fault(&r, VA32, PF_W, PF_W, 2);
	put32(PD32 + 1 * 4, (u32)(PT32 | RW | US | PS));
	fault(&r, VA32, PF_U, PF_U, 1);
}

Test(gwalk, pae_4k_page_and_steps)
{
	struct gwalk_regs r = regs_pae(0);
	struct gwalk_result res;

	build_pae(PDPAE | P | BIT(3) | BIT(4), PTPAE | FULL, 0x9000 | FULL);
	res = ok(&r, VAPAE, PF_U);
	cr_assert_eq(res.mode, GWALK_PAE);
	cr_assert_eq(res.gpa, 0x9456);
	cr_assert_eq(res.page_size, KiB(4));
	cr_assert_eq(res.perm, ALL_PERM);
	cr_assert_eq(res.nr_steps, 3);
	/* The PDPTE step: level 2, table = CR3 & 0xFFFFFFE0, index 0..3. */
	step_is(&res, 0, PDPT, 2, 2, PDPAE | P | BIT(3) | BIT(4));
	step_is(&res, 1, PDPAE, 3, 1, PTPAE | FULL);
	step_is(&res, 2, PTPAE, 4, 0, 0x9000 | FULL);
	cr_assert_eq(ok(&r, VAPAE | BIT(32), 0).gpa, 0x9456); /* 32-bit linear addresses */
}

Test(gwalk, pae_2m_page)
{
	struct gwalk_regs r = regs_pae(0);
	struct gwalk_result res;

	/* MAXPHYADDR 52: bits 51:21 are address, bit 12 PAT is not. */
	build_pae(PDPAE | P, BIT(51) | 0x40200000 | BIT(12) | FULL | PS, 0);
	res = ok(&r, VAPAE, 0);
	cr_assert_eq(res.page_size, MiB(2));
	cr_assert_eq(res.page_gpa, BIT(51) | 0x40200000);
	cr_assert_eq(res.gpa, BIT(51) | 0x40200000 | (VAPAE & GENMASK(20, 0)));
	cr_assert_eq(res.nr_steps, 2);
}

Test(gwalk, pae_pdpte_reserved_bits)
{
	struct gwalk_regs r = regs_pae(EFER_NXE);
	/* Table 4-8: 2:1, 8:5 and 63:M; with M = 36. A walk checks 63:M only:
	 * 2:1 and 8:5 are the CR3 load's business (shadow_pdptes_ok). */
	static const unsigned bits[] = { 36, 51, 52, 62, 63 };
	static const unsigned load_only[] = { 1, 2, 5, 6, 7, 8 };

	r.maxphyaddr = 36;
	build_pae(0, PTPAE | FULL, 0x9000 | FULL);
	for (unsigned i = 0; i < ARRAY_SIZE(bits); i++) {
		put64(PDPT + 2 * 8, PDPAE | P | BIT(bits[i]));
		fault(&r, VAPAE, PF_W, PF_RSVD | PF_P | PF_W, 1);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(load_only); i++) {
		put64(PDPT + 2 * 8, PDPAE | P | BIT(load_only[i]));
		cr_assert_eq(ok(&r, VAPAE, 0).gpa, 0x9456);
	}
	/* 3, 4 (PWT, PCD) and 11:9 (ignored) are fine; 35 is address (beyond RAM here). */
	put64(PDPT + 2 * 8, PDPAE | P | BIT(3) | BIT(4) | GENMASK(11, 9));
	cr_assert_eq(ok(&r, VAPAE, 0).gpa, 0x9456);
	put64(PDPT + 2 * 8, PDPAE | P | BIT(35));
	bad_table(&r, VAPAE, PDPAE | BIT(35), 1);
	/* A non-present PDPTE is not checked. */
	put64(PDPT + 2 * 8, GENMASK(63, 1));
	fault(&r, VAPAE, PF_I, PF_I, 1);
}

Test(gwalk, pae_pde_pte_reserved_bits)
{
	struct gwalk_regs r = regs_pae(0);

	r.maxphyaddr = 36;
	build_pae(PDPAE | P, PTPAE | FULL, 0x9000 | FULL);
	cr_assert_eq(ok(&r, VAPAE, 0).gpa, 0x9456);
	/* PDE (tables 4-9, 4-10): 62:M, and 63 without NXE. */
	put64(PDPAE + 3 * 8, PTPAE | FULL | BIT(36));
	fault(&r, VAPAE, 0, PF_RSVD | PF_P, 2);
	put64(PDPAE + 3 * 8, PTPAE | FULL | BIT(52)); /* ignored in IA-32e, reserved in PAE */
	fault(&r, VAPAE, 0, PF_RSVD | PF_P, 2);
	put64(PDPAE + 3 * 8, PTPAE | FULL | XD);
	fault(&r, VAPAE, 0, PF_RSVD | PF_P, 2);
	put64(PDPAE + 3 * 8, PTPAE | FULL);
	/* PTE (table 4-11): the same. */
	put64(PTPAE + 4 * 8, 0x9000 | FULL | BIT(62));
	fault(&r, VAPAE, PF_U, PF_RSVD | PF_P | PF_U, 3);
	put64(PTPAE + 4 * 8, 0x9000 | FULL | XD);
	fault(&r, VAPAE, 0, PF_RSVD | PF_P, 3);
	r.efer = EFER_NXE; /* now XD is XD */
	cr_assert_eq(ok(&r, VAPAE, 0).perm, PT_R | PT_W | PT_U);
	put64(PTPAE + 4 * 8, 0x9000 | FULL | BIT(35) | BIT(7)); /* an address bit, PAT */
	cr_assert_eq(ok(&r, VAPAE, 0).page_gpa, BIT(35) | 0x9000);
	/* 2 MiB PDE (table 4-9): 20:13 too. */
	put64(PDPAE + 3 * 8, 0x200000 | FULL | PS | BIT(13));
	fault(&r, VAPAE, 0, PF_RSVD | PF_P, 2);
	put64(PDPAE + 3 * 8, 0x200000 | FULL | PS | BIT(20));
	fault(&r, VAPAE, 0, PF_RSVD | PF_P, 2);
}

Test(gwalk, pae_not_present_at_each_level)
{
	struct gwalk_regs r = regs_pae(EFER_NXE);

	build_pae(PDPAE | P, PTPAE | FULL, 0x9000 | RW | US);
	fault(&r, VAPAE, PF_I | PF_U, PF_I | PF_U, 3); /* NXE: a fetch reports I */
	put64(PDPAE + 3 * 8, PTPAE | RW | US);
	fault(&r, VAPAE, PF_W, PF_W, 2);
	put64(PDPT + 2 * 8, PDPAE);
	fault(&r, VAPAE, 0, 0, 1);
}

Test(gwalk, pae_pdpte_registers_override_memory)
{
	u64 pdpte[4] = { 0, 0, PDPAE | P, 0 };
	struct gwalk_regs r = regs_pae(0);
	struct gwalk_result res;

	build_pae(0x0BAD000 | P, PTPAE | FULL, 0x9000 | FULL); /* memory: a different PD */
	r.pdpte = pdpte;
	res = ok(&r, VAPAE, 0);
	cr_assert_eq(res.gpa, 0x9456);
	step_is(&res, 0, PDPT, 2, 2, PDPAE | P);
	/* The registers count even when CR3 no longer points to RAM. */
	r.cr3 = GiB(3);
	cr_assert_eq(ok(&r, VAPAE, 0).gpa, 0x9456);
	/* ... and their bits above MAXPHYADDR are checked as memory's would be. */
	pdpte[2] = PDPAE | P | BIT(62);
	fault(&r, VAPAE, 0, PF_RSVD | PF_P, 1);
	pdpte[2] = PDPAE;
	fault(&r, VAPAE, 0, 0, 1);
	pdpte[2] = 0x0BAD000 | P; /* a PD outside RAM */
	bad_table(&r, VAPAE, 0x0BAD000, 1);
}

Test(gwalk, lm4_4k_2m_1g_pages)
{
	struct gwalk_regs r = regs_lm4(0);
	struct gwalk_result res;

	build_lm(L3 | FULL, L2 | FULL, L1 | FULL, PAGE | FULL);
	res = ok(&r, VALM, 0);
	cr_assert_eq(res.mode, GWALK_LM4);
	cr_assert_eq(res.gpa, PAGE | 0x789);
	cr_assert_eq(res.page_size, KiB(4));
	cr_assert_eq(res.nr_steps, 4);
	step_is(&res, 0, L4, 1, 3, L3 | FULL);
	step_is(&res, 1, L3, 2, 2, L2 | FULL);
	step_is(&res, 2, L2, 3, 1, L1 | FULL);
	step_is(&res, 3, L1, 4, 0, PAGE | FULL);

	put64(L2 + 3 * 8, 0x7FE00000ULL | BIT(12) | FULL | PS); /* 2 MiB, PAT set */
	res = ok(&r, VALM, 0);
	cr_assert_eq(res.page_size, MiB(2));
	cr_assert_eq(res.page_gpa, 0x7FE00000ULL);
	cr_assert_eq(res.gpa, 0x7FE00000ULL | (VALM & GENMASK(20, 0)));
	cr_assert_eq(res.nr_steps, 3);

	put64(L3 + 2 * 8, GiB(7) | BIT(12) | FULL | PS); /* 1 GiB, PAT set */
	res = ok(&r, VALM, 0);
	cr_assert_eq(res.page_size, GiB(1));
	cr_assert_eq(res.page_gpa, GiB(7));
	cr_assert_eq(res.gpa, GiB(7) | (VALM & GENMASK(29, 0)));
	cr_assert_eq(res.nr_steps, 2);
}

Test(gwalk, lm4_1g_page_without_cpu_support)
{
	struct gwalk_regs r = regs_lm4(0);

	build_lm(L3 | FULL, GiB(1) | FULL | PS, 0, 0);
	cr_assert_eq(ok(&r, VALM, 0).page_size, GiB(1));
	r.no_1g = true; /* PDPTE.PS is then reserved */
	fault(&r, VALM, PF_U, PF_RSVD | PF_P | PF_U, 2);
	/* 2 MiB pages are still fine. */
	put64(L3 + 2 * 8, L2 | FULL);
	put64(L2 + 3 * 8, MiB(2) | FULL | PS);
	cr_assert_eq(ok(&r, VALM, 0).page_size, MiB(2));
}

Test(gwalk, lm4_reserved_bits)
{
	struct gwalk_regs r = regs_lm4(0);

	r.maxphyaddr = 40;
	build_lm(L3 | FULL, L2 | FULL, L1 | FULL, PAGE | FULL);
	/* SDM 4.5.4: 51:M in every entry (M = 40). */
	put64(L4 + 1 * 8, L3 | FULL | BIT(40));
	fault(&r, VALM, 0, PF_RSVD | PF_P, 1);
	put64(L4 + 1 * 8, L3 | FULL | BIT(51));
	fault(&r, VALM, 0, PF_RSVD | PF_P, 1);
	/* PS in a PML4E. */
	put64(L4 + 1 * 8, L3 | FULL | PS);
	fault(&r, VALM, PF_W, PF_RSVD | PF_P | PF_W, 1);
	/* XD without NXE, at any level. */
	put64(L4 + 1 * 8, L3 | FULL | XD);
	fault(&r, VALM, 0, PF_RSVD | PF_P, 1);
	/* 62:52 are ignored (protection keys live there with CR4.PKE). */
	put64(L4 + 1 * 8, L3 | FULL | GENMASK(62, 52));
	put64(L1 + 4 * 8, PAGE | FULL | GENMASK(62, 52) | BIT(39));
	cr_assert_eq(ok(&r, VALM, 0).page_gpa, BIT(39) | PAGE);
	put64(L1 + 4 * 8, PAGE | FULL | BIT(40));
	fault(&r, VALM, 0, PF_RSVD | PF_P, 4);
	put64(L1 + 4 * 8, PAGE | FULL | XD);
	fault(&r, VALM, 0, PF_RSVD | PF_P, 4);
	/* A 2 MiB PDE: 20:13. */
	put64(L2 + 3 * 8, FULL | PS | BIT(13));
	fault(&r, VALM, 0, PF_RSVD | PF_P, 3);
	put64(L2 + 3 * 8, FULL | PS | BIT(20));
	fault(&r, VALM, 0, PF_RSVD | PF_P, 3);
	/* A 1 GiB PDPTE: 29:13. */
	put64(L3 + 2 * 8, FULL | PS | BIT(13));
	fault(&r, VALM, 0, PF_RSVD | PF_P, 2);
	put64(L3 + 2 * 8, FULL | PS | BIT(29));
	fault(&r, VALM, 0, PF_RSVD | PF_P, 2);
	put64(L3 + 2 * 8, FULL | PS | BIT(21)); /* a 2 MiB page's address bit: reserved here */
	fault(&r, VALM, 0, PF_RSVD | PF_P, 2);
	put64(L3 + 2 * 8, FULL | PS | BIT(30) | BIT(12));
	cr_assert_eq(ok(&r, VALM, 0).page_gpa, BIT(30));
}

Test(gwalk, lm4_maxphyaddr_0_means_52)
{
	struct gwalk_regs r = regs_lm4(0);

	build_lm(L3 | FULL, L2 | FULL, L1 | FULL, PAGE | FULL | BIT(51));
	cr_assert_eq(ok(&r, VALM, 0).page_gpa, BIT(51) | PAGE);
	r.maxphyaddr = 51;
	fault(&r, VALM, 0, PF_RSVD | PF_P, 4);
}

Test(gwalk, lm4_not_present_at_each_level)
{
	struct gwalk_regs r = regs_lm4(0);

	build_lm(L3 | FULL, L2 | FULL, L1 | FULL, PAGE | RW | US | XD); /* not checked: P=0 */
	fault(&r, VALM, PF_W | PF_U, PF_W | PF_U, 4);
	put64(L2 + 3 * 8, 0);
	fault(&r, VALM, PF_W | PF_U, PF_W | PF_U, 3);
	put64(L3 + 2 * 8, PS | BIT(13));
	fault(&r, VALM, 0, 0, 2);
	put64(L4 + 1 * 8, L3 | RW | US);
	fault(&r, VALM, PF_U, PF_U, 1);
}

Test(gwalk, lm5_walks_five_levels)
{
	struct gwalk_regs r = regs_lm5(0);
	struct gwalk_result res;

	build_lm(L3 | FULL, L2 | FULL, L1 | FULL, PAGE | FULL);
	res = ok(&r, VALM5, 0);
	cr_assert_eq(res.mode, GWALK_LM5);
	cr_assert_eq(res.gpa, PAGE | 0x789);
	cr_assert_eq(res.nr_steps, 5);
	step_is(&res, 0, L5, 6, 4, L4 | FULL);
	step_is(&res, 1, L4, 1, 3, L3 | FULL);
	step_is(&res, 4, L1, 4, 0, PAGE | FULL);
	/* The same address with 4 levels ignores bits 56:48. */
	r = regs_lm4(0);
	cr_assert_eq(ok(&r, VALM5, 0).gpa, PAGE | 0x789);
	/* A high (sign-extended) address: bits 56:48 all set, PML5 index 511. */
	r = regs_lm5(0);
	put64(L5 + 511 * 8, L4 | FULL);
	cr_assert_eq(ok(&r, 0xFFFF000000000000ULL | VALM, 0).gpa, PAGE | 0x789);
}

Test(gwalk, lm5_pml5e_checks)
{
	struct gwalk_regs r = regs_lm5(0);

	r.maxphyaddr = 40;
	build_lm(L3 | FULL, L2 | FULL, L1 | FULL, PAGE | FULL);
	put64(L5 + 6 * 8, L4 | FULL | PS); /* PS is reserved in a PML5E */
	fault(&r, VALM5, 0, PF_RSVD | PF_P, 1);
	put64(L5 + 6 * 8, L4 | FULL | BIT(45));
	fault(&r, VALM5, 0, PF_RSVD | PF_P, 1);
	put64(L5 + 6 * 8, L4 | RW | US);
	fault(&r, VALM5, PF_W, PF_W, 1);
	put64(L5 + 6 * 8, 0x200000 | FULL);
	bad_table(&r, VALM5, 0x200000, 1);
	r.cr3 = GiB(1);
	bad_table(&r, VALM5, GiB(1), 0);
}

Test(gwalk, tables_outside_ram)
{
	struct gwalk_regs r32 = regs32(CR4_PSE), rp = regs_pae(0), r4 = regs_lm4(0);

	/* CR3 itself. */
	r32.cr3 = 0x80000000;
	bad_table(&r32, VA32, 0x80000000, 0);
	rp.cr3 = 0xFFFFFFE0;
	bad_table(&rp, VAPAE, 0xFFFFFFE0, 0);
	r4.cr3 = BIT(40);
	bad_table(&r4, VALM, BIT(40), 0);
	/* A table pointer, at each level. */
	r32 = regs32(CR4_PSE);
	build32((u32)(0x100000 | FULL), 0); /* just past the 1 MiB of RAM */
	bad_table(&r32, VA32, 0x100000, 1);
	r4 = regs_lm4(0);
	build_lm(GiB(2) | FULL, L2 | FULL, L1 | FULL, PAGE | FULL);
	bad_table(&r4, VALM, GiB(2), 1);
	build_lm(L3 | FULL, MiB(2) | FULL, L1 | FULL, PAGE | FULL);
	bad_table(&r4, VALM, MiB(2), 2);
	build_lm(L3 | FULL, L2 | FULL, MiB(3) | FULL, PAGE | FULL);
	bad_table(&r4, VALM, MiB(3), 3);
}

Test(gwalk, leaf_outside_ram_is_fine)
{
	struct gwalk_regs r = regs_lm4(0);
	struct gwalk_result res;

	/* Not RAM: the caller takes it as MMIO. */
	build_lm(L3 | FULL, L2 | FULL, L1 | FULL, 0xFEE00000ULL | FULL);
	res = ok(&r, VALM, PF_W);
	cr_assert_eq(res.gpa, 0xFEE00789ULL);
	cr_assert_eq(res.page_gpa, 0xFEE00000ULL);
}
