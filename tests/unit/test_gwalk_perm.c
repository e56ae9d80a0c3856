/* test_gwalk_perm.c: host tests of the guest page walker's access rights, #PF error codes and A/D updates. */
#include "gwalk_testlib.h"

/* Expected results below are worked out by hand from the SDM (vol. 3A 2.5, 4.3-4.8). */
#define SMEP BIT(20) /* CR4.SMEP */
#define PG (CR0_PE | CR0_PG)
#define WP CR0_WP
#define NXE EFER_NXE

TestSuite(gwalk_perm, .init = setup, .fini = teardown);

static u64 get64(u64 at)
{
	u64 v;
	cr_assert_eq(gmem_read(&mem, gpa(at), &v, 8), 0);
	return v;
}

static u32 get32(u64 at)
{
	u32 v;
	cr_assert_eq(gmem_read(&mem, gpa(at), &v, 4), 0);
	return v;
}

/* 4-level tables for VALM: PML4[1] PDPT[2] PD[3] PT[4] -> PAGE. */
#define L4 0x10000ULL
#define L3 0x11000ULL
#define L2 0x12000ULL
#define L1 0x13000ULL
#define PAGE 0x50000ULL
#define VALM ((1ULL << 39) | (2ULL << 30) | (3ULL << 21) | (4ULL << 12) | 0x789)

static void build_lm(u64 f4, u64 f3, u64 f2, u64 f1)
{
	put64(L4 + 1 * 8, L3 | f4);
	put64(L3 + 2 * 8, L2 | f3);
	put64(L2 + 3 * 8, L1 | f2);
	put64(L1 + 4 * 8, PAGE | f1);
}

static struct gwalk_regs regs_lm4(u64 cr0, u64 cr4, u64 efer)
{
	return (struct gwalk_regs){
		.cr0 = PG | cr0, .cr3 = L4, .cr4 = CR4_PAE | cr4, .efer = LMA | efer
	};
}

/* ---------------------------------------------------------------- rights and error codes */

/*
 * One access in 4-level mode. Flags per level (f4 = PML4E .. f1 = PTE),
 * the paging controls, the access, and what the SDM says: OK with perm,
 * or a fault with error (4.6 access rights, 4.7 error code).
 */
struct perm_case {
	const char *what;
	u64 f4, f3, f2, f1;
	u64 cr0, cr4, efer;
	u32 access;
	bool ok;
	u32 result; /* perm when ok, else the error code */
};

#define U_RW FULL
#define S_RW (P | RW)
#define U_RO (P | US)

static const struct perm_case lm4_cases[] = {
	{ "supervisor read of a supervisor page", S_RW, S_RW, S_RW, S_RW, WP, 0, 0, 0, true,
	  PT_R | PT_W | PT_X },
	{ "user read of a user page", U_RW, U_RW, U_RW, U_RW, WP, 0, 0, PF_U, true,
	  PT_R | PT_W | PT_U | PT_X },
	{ "user read, PD is supervisor", U_RW, U_RW, S_RW, U_RW, WP, 0, 0, PF_U, false,
	  PF_P | PF_U },
	{ "user read, PML4E is supervisor", S_RW, U_RW, U_RW, U_RW, 0, 0, 0, PF_U, false,
	  PF_P | PF_U },
	{ "user write, PTE read-only", U_RW, U_RW, U_RW, U_RO, WP, 0, 0, PF_W | PF_U, false,
	  PF_P | PF_W | PF_U },
	{ "user write, PML4E read-only, CR0.WP=0 does not help users", U_RO, U_RW, U_RW, U_RW, 0, 0,
	  0, PF_W | PF_U, false, PF_P | PF_W | PF_U },
	{ "user write to a writable user page", U_RW, U_RW, U_RW, U_RW, WP, 0, 0, PF_W | PF_U, true,
	  PT_R | PT_W | PT_U | PT_X },
	{ "supervisor write, PDPTE read-only, WP=1", S_RW, P, S_RW, S_RW, WP, 0, 0, PF_W, false,
	  PF_P | PF_W },
	{ "supervisor write, PDPTE read-only, WP=0", S_RW, P, S_RW, S_RW, 0, 0, 0, PF_W, true,
	  PT_R | PT_X },
	{ "supervisor write to a writable user page (no SMAP)", U_RW, U_RW, U_RW, U_RW, WP, 0, 0,
	  PF_W, true, PT_R | PT_W | PT_U | PT_X },
	{ "supervisor read of a user page (no SMAP)", U_RO, U_RO, U_RO, U_RO, WP, SMEP, 0, 0, true,
	  PT_R | PT_U | PT_X },
	{ "supervisor fetch, PD has XD, NXE=1", S_RW, S_RW, S_RW | XD, S_RW, WP, 0, NXE, PF_I,
	  false, PF_P | PF_I },
	{ "user fetch, PTE has XD, NXE=1", U_RW, U_RW, U_RW, U_RW | XD, WP, 0, NXE, PF_I | PF_U,
	  false, PF_P | PF_U | PF_I },
	{ "read of an XD page, NXE=1", S_RW | XD, S_RW, S_RW, S_RW, WP, 0, NXE, 0, true,
	  PT_R | PT_W },
	{ "supervisor fetch without XD, NXE=1", S_RW, S_RW, S_RW, S_RW, WP, 0, NXE, PF_I, true,
	  PT_R | PT_W | PT_X },
	{ "supervisor fetch of a user page, SMEP (I without NXE)", U_RW, U_RW, U_RW, U_RW, WP, SMEP,
	  0, PF_I, false, PF_P | PF_I },
	{ "supervisor fetch of a user page, SMEP, WP=0", U_RO, U_RO, U_RO, U_RO, 0, SMEP, NXE, PF_I,
	  false, PF_P | PF_I },
	{ "supervisor fetch, one level supervisor: not a user page, SMEP", U_RW, U_RW, S_RW, U_RW,
	  WP, SMEP, 0, PF_I, true, PT_R | PT_W | PT_X },
	{ "user fetch of a user page, SMEP", U_RW, U_RW, U_RW, U_RW, WP, SMEP, 0, PF_I | PF_U, true,
	  PT_R | PT_W | PT_U | PT_X },
	{ "supervisor fetch of a user page, no SMEP", U_RW, U_RW, U_RW, U_RW, WP, 0, NXE, PF_I,
	  true, PT_R | PT_W | PT_U | PT_X },
	{ "user fetch of a supervisor page, no NXE no SMEP: no I", U_RW, S_RW, U_RW, U_RW, WP, 0, 0,
	  PF_I | PF_U, false, PF_P | PF_U },
	{ "user fetch of a supervisor page, NXE: I", U_RW, S_RW, U_RW, U_RW, WP, 0, NXE,
	  PF_I | PF_U, false, PF_P | PF_U | PF_I },
	{ "user write to a supervisor read-only page: one fault, P W U", U_RO, S_RW, U_RW, U_RW, WP,
	  0, 0, PF_W | PF_U, false, PF_P | PF_W | PF_U },
	{ "a PTE not present under a supervisor PD: P=0 for a user access", U_RW, U_RW, S_RW,
	  RW | US, WP, 0, 0, PF_U, false, PF_U },
	{ "a PTE not present, fetch, NXE: I", U_RW, U_RW, U_RW, 0, WP, 0, NXE, PF_I, false, PF_I },
	{ "a PTE not present, fetch, no NXE no SMEP: no I", U_RW, U_RW, U_RW, 0, WP, 0, 0, PF_I,
	  false, 0 },
	{ "a reserved bit under a refusing level: RSVD wins", U_RW, S_RW, U_RW, U_RW | XD, WP, 0, 0,
	  PF_U | PF_W, false, PF_RSVD | PF_P | PF_W | PF_U },
};

Test(gwalk_perm, lm4_rights_and_error_codes)
{
	for (unsigned i = 0; i < ARRAY_SIZE(lm4_cases); i++) {
		const struct perm_case *c = &lm4_cases[i];
		struct gwalk_regs r = regs_lm4(c->cr0, c->cr4, c->efer);
		struct gwalk_result res;
		enum gwalk_status st;

		build_lm(c->f4, c->f3, c->f2, c->f1);
		st = gwalk(&mem, &r, VALM, c->access, 0, &res);
		cr_assert_eq(st, c->ok ? GWALK_OK : GWALK_FAULT, "%s: status %d", c->what, st);
		if (c->ok) {
			cr_assert_eq(res.perm, c->result, "%s: perm 0x%x, wanted 0x%x", c->what,
				     res.perm, c->result);
			cr_assert_eq(res.gpa, PAGE | 0x789, "%s", c->what);
		} else {
			cr_assert_eq(res.error, c->result, "%s: error 0x%x, wanted 0x%x", c->what,
				     res.error, c->result);
		}
	}
}

/* 32-bit paging: no XD, so I only with SMEP; rights from the PDE and PTE. */
#define PD32 0x20000ULL
#define PT32 0x21000ULL
#define VA32 ((1ULL << 22) | (5ULL << 12) | 0x123)

static struct gwalk_regs regs32(u64 cr0, u64 cr4, u64 efer)
{
	return (struct gwalk_regs){ .cr0 = PG | cr0, .cr3 = PD32, .cr4 = cr4, .efer = efer };
}

static void build32(u32 pde, u32 pte)
{
	put32(PD32 + 1 * 4, pde);
	put32(PT32 + 5 * 4, pte);
}

static u32 error_of(const struct gwalk_regs *r, u64 va, u32 access)
{
	struct gwalk_result res;
	cr_assert_eq(gwalk(&mem, r, va, access, 0, &res), GWALK_FAULT);
	return res.error;
}

static u8 perm_of(const struct gwalk_regs *r, u64 va, u32 access)
{
	struct gwalk_result res;
	cr_assert_eq(gwalk(&mem, r, va, access, 0, &res), GWALK_OK);
	return res.perm;
}

Test(gwalk_perm, x86_32_rights)
{
	struct gwalk_regs r = regs32(WP, CR4_PSE, NXE); /* NXE means nothing without PAE */

	build32((u32)(PT32 | P | US), (u32)(0x7000 | FULL));
	cr_assert_eq(perm_of(&r, VA32, PF_U), PT_R | PT_U | PT_X);
	cr_assert_eq(error_of(&r, VA32, PF_U | PF_W), PF_P | PF_W | PF_U);
	cr_assert_eq(error_of(&r, VA32, PF_W), PF_P | PF_W);
	r.cr0 = PG;
	cr_assert_eq(perm_of(&r, VA32, PF_W), PT_R | PT_U | PT_X);
	/* Fetches: every page executable; I only with SMEP. */
	cr_assert_eq(perm_of(&r, VA32, PF_I | PF_U), PT_R | PT_U | PT_X);
	build32((u32)(PT32 | P | RW), (u32)(0x7000 | FULL));
	cr_assert_eq(error_of(&r, VA32, PF_I | PF_U), PF_P | PF_U);
	r.cr4 |= SMEP;
	cr_assert_eq(error_of(&r, VA32, PF_I | PF_U), PF_P | PF_U | PF_I);
	cr_assert_eq(perm_of(&r, VA32, PF_I), PT_R | PT_W | PT_X); /* a supervisor page */
	build32((u32)(PT32 | FULL), (u32)(0x7000 | FULL));
	cr_assert_eq(error_of(&r, VA32, PF_I), PF_P | PF_I);
	/* A 4 MiB page's own bits are its rights. */
	put32(PD32 + 1 * 4, (u32)(0x400000 | P | PS));
	cr_assert_eq(error_of(&r, VA32, PF_U), PF_P | PF_U);
	cr_assert_eq(perm_of(&r, VA32, 0), PT_R | PT_X);
}

/* PAE: the PDPTEs carry no rights; the PDE and PTE do, and XD with NXE. */
#define PDPT 0x30000ULL
#define PDPAE 0x31000ULL
#define PTPAE 0x32000ULL
#define VAPAE ((2ULL << 30) | (3ULL << 21) | (4ULL << 12) | 0x456)

static struct gwalk_regs regs_pae(u64 cr0, u64 cr4, u64 efer)
{
	return (struct gwalk_regs){
		.cr0 = PG | cr0, .cr3 = PDPT, .cr4 = CR4_PAE | cr4, .efer = efer
	};
}

static void build_pae(u64 pde, u64 pte)
{
	put64(PDPT + 2 * 8, PDPAE | P);
	put64(PDPAE + 3 * 8, PTPAE | pde);
	put64(PTPAE + 4 * 8, 0x9000 | pte);
}

Test(gwalk_perm, pae_rights)
{
	struct gwalk_regs r = regs_pae(WP, 0, NXE);

	build_pae(FULL, FULL);
	cr_assert_eq(perm_of(&r, VAPAE, PF_U | PF_W), PT_R | PT_W | PT_U | PT_X);
	build_pae(FULL | XD, FULL);
	cr_assert_eq(perm_of(&r, VAPAE, PF_U | PF_W), PT_R | PT_W | PT_U);
	cr_assert_eq(error_of(&r, VAPAE, PF_I), PF_P | PF_I);
	build_pae(P | US, FULL);
	cr_assert_eq(error_of(&r, VAPAE, PF_W), PF_P | PF_W);
	build_pae(FULL, P | RW);
	cr_assert_eq(error_of(&r, VAPAE, PF_U), PF_P | PF_U);
	r.efer = 0; /* without NXE and SMEP a fetch fault has no I */
	cr_assert_eq(error_of(&r, VAPAE, PF_U | PF_I), PF_P | PF_U);
	r.cr4 |= SMEP;
	cr_assert_eq(error_of(&r, VAPAE, PF_U | PF_I), PF_P | PF_U | PF_I);
}

/* ---------------------------------------------------------------- accessed and dirty */

Test(gwalk_perm, lm4_read_sets_accessed_everywhere)
{
	struct gwalk_regs r = regs_lm4(WP, 0, 0);
	struct gwalk_result res;

	build_lm(FULL, FULL, FULL, FULL);
	cr_assert_eq(gwalk(&mem, &r, VALM, 0, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(get64(L4 + 1 * 8), L3 | FULL | A);
	cr_assert_eq(get64(L3 + 2 * 8), L2 | FULL | A);
	cr_assert_eq(get64(L2 + 3 * 8), L1 | FULL | A);
	cr_assert_eq(get64(L1 + 4 * 8), PAGE | FULL | A); /* no D on a read */
	cr_assert_eq(res.step[0].entry, L3 | FULL | A);
	cr_assert_eq(res.step[3].entry, PAGE | FULL | A);
	cr_assert_eq(res.dirty, 0);
}

Test(gwalk_perm, lm4_write_sets_dirty_in_the_leaf_only)
{
	struct gwalk_regs r = regs_lm4(WP, 0, 0);
	struct gwalk_result res;

	build_lm(FULL, FULL, FULL, FULL);
	cr_assert_eq(gwalk(&mem, &r, VALM, PF_W | PF_U, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(get64(L4 + 1 * 8), L3 | FULL | A);
	cr_assert_eq(get64(L3 + 2 * 8), L2 | FULL | A);
	cr_assert_eq(get64(L2 + 3 * 8), L1 | FULL | A);
	cr_assert_eq(get64(L1 + 4 * 8), PAGE | FULL | A | D);
	cr_assert_eq(res.step[3].entry, PAGE | FULL | A | D);
	cr_assert_eq(res.dirty, 1);
	/* A 2 MiB page: D in the PDE, the leaf. */
	put64(L2 + 3 * 8, MiB(2) | FULL | PS);
	cr_assert_eq(gwalk(&mem, &r, VALM, PF_W, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(get64(L2 + 3 * 8), MiB(2) | FULL | PS | A | D);
	cr_assert_eq(res.nr_steps, 3);
	cr_assert_eq(res.dirty, 1);
	/* CR0.WP=0: a supervisor write to a read-only 1 GiB page still dirties it. */
	r.cr0 = PG;
	put64(L3 + 2 * 8, GiB(1) | P | PS);
	cr_assert_eq(gwalk(&mem, &r, VALM, PF_W, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(get64(L3 + 2 * 8), GiB(1) | P | PS | A | D);
}

Test(gwalk_perm, no_updates_without_the_flag_or_on_a_fault)
{
	struct gwalk_regs r = regs_lm4(WP, 0, 0);
	struct gwalk_result res;

	build_lm(FULL, FULL, FULL, FULL | D); /* D already set, A not */
	cr_assert_eq(gwalk(&mem, &r, VALM, PF_W, 0, &res), GWALK_OK);
	cr_assert_eq(res.dirty, 1); /* what memory says */
	cr_assert_eq(get64(L4 + 1 * 8), L3 | FULL);
	cr_assert_eq(get64(L1 + 4 * 8), PAGE | FULL | D);
	/* A permission fault updates nothing. */
	build_lm(FULL, FULL, P | US, FULL);
	cr_assert_eq(gwalk(&mem, &r, VALM, PF_W, GWALK_SET_AD, &res), GWALK_FAULT);
	cr_assert_eq(get64(L4 + 1 * 8), L3 | FULL);
	cr_assert_eq(get64(L2 + 3 * 8), L1 | P | US);
	cr_assert_eq(get64(L1 + 4 * 8), PAGE | FULL);
	/* Nor does a non-present or reserved entry further down. */
	build_lm(FULL, FULL, FULL, 0);
	cr_assert_eq(gwalk(&mem, &r, VALM, 0, GWALK_SET_AD, &res), GWALK_FAULT);
	build_lm(FULL, FULL, FULL, FULL | XD);
	cr_assert_eq(gwalk(&mem, &r, VALM, 0, GWALK_SET_AD, &res), GWALK_FAULT);
	cr_assert_eq(get64(L4 + 1 * 8), L3 | FULL);
	cr_assert_eq(get64(L3 + 2 * 8), L2 | FULL);
	cr_assert_eq(get64(L2 + 3 * 8), L1 | FULL);
}

Test(gwalk_perm, set_bits_are_left_alone)
{
	struct gwalk_regs r = regs_lm4(WP, 0, 0);
	struct gwalk_result res;

	build_lm(FULL | A, FULL | A, FULL | A, FULL | A | D);
	cr_assert_eq(gwalk(&mem, &r, VALM, PF_W, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(get64(L1 + 4 * 8), PAGE | FULL | A | D);
	cr_assert_eq(res.step[3].entry, PAGE | FULL | A | D);
	cr_assert_eq(res.dirty, 1);
}

/*
 * 32-bit tables hold 4-byte entries: the update must not touch the next
 * entry, nor reach past a table that ends at the end of RAM.
 */
Test(gwalk_perm, x86_32_updates_are_4_bytes_wide)
{
	const u64 pt = MiB(1) - PAGE_SIZE; /* the last page of RAM */
	const u64 va = (1ULL << 22) | (1023ULL << 12);
	struct gwalk_regs r = regs32(WP, 0, 0);
	struct gwalk_result res;

	put32(PD32 + 0 * 4, 0x11111000u | P);
	put32(PD32 + 1 * 4, (u32)(pt | FULL));
	put32(PD32 + 2 * 4, 0x22222000u | P);
	put32(pt + 1022 * 4, 0x33333000u | P);
	put32(pt + 1023 * 4, 0x7000u | FULL);
	cr_assert_eq(gwalk(&mem, &r, va, PF_W, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(get32(PD32 + 1 * 4), (u32)(pt | FULL | A)); /* D in a PDE: not the leaf */
	cr_assert_eq(get32(pt + 1023 * 4), 0x7000u | FULL | A | D);
	cr_assert_eq(get32(PD32 + 0 * 4), 0x11111000u | P);
	cr_assert_eq(get32(PD32 + 2 * 4), 0x22222000u | P);
	cr_assert_eq(get32(pt + 1022 * 4), 0x33333000u | P);
	cr_assert_eq(res.step[0].entry, pt | FULL | A);
	cr_assert_eq(res.step[1].entry, 0x7000u | FULL | A | D);
	cr_assert_eq(res.dirty, 1);
	/* A 4 MiB page with PSE: A and D in the PDE. */
	r.cr4 = CR4_PSE;
	put32(PD32 + 2 * 4, 0x00800000u | RW | P | PS);
	cr_assert_eq(gwalk(&mem, &r, 2ULL << 22, PF_W, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(get32(PD32 + 2 * 4), 0x00800000u | RW | P | PS | A | D);
	cr_assert_eq(get32(PD32 + 1 * 4), (u32)(pt | FULL | A));
	cr_assert_eq(get32(PD32 + 3 * 4), 0);
}

Test(gwalk_perm, pae_pdptes_get_no_accessed_bit)
{
	u64 regs_pdpte[4] = { 0, 0, PDPAE | P, 0 };
	struct gwalk_regs r = regs_pae(WP, 0, 0);
	struct gwalk_result res;

	build_pae(FULL, FULL);
	cr_assert_eq(gwalk(&mem, &r, VAPAE, PF_W, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(get64(PDPT + 2 * 8), PDPAE | P); /* bit 5 is reserved in a PDPTE */
	cr_assert_eq(res.step[0].entry, PDPAE | P);
	cr_assert_eq(get64(PDPAE + 3 * 8), PTPAE | FULL | A);
	cr_assert_eq(get64(PTPAE + 4 * 8), 0x9000 | FULL | A | D);
	/* From the PDPTE registers: nothing written there either. */
	build_pae(FULL, FULL);
	r.pdpte = regs_pdpte;
	cr_assert_eq(gwalk(&mem, &r, VAPAE, 0, GWALK_SET_AD, &res), GWALK_OK);
	cr_assert_eq(regs_pdpte[2], PDPAE | P);
	cr_assert_eq(get64(PDPT + 2 * 8), PDPAE | P);
	cr_assert_eq(get64(PTPAE + 4 * 8), 0x9000 | FULL | A);
}
