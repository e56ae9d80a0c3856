/* test_gwalk.c: host tests of the guest page walker over tables built in fake guest RAM. */
#include <criterion/criterion.h>

#include "arch/x86/msr.h"
#include "fake_ram.h"
#include "mm/gmem.h"
#include "mm/gwalk.h"

#define P BIT(0)
#define RW BIT(1)
#define PS BIT(7)

static struct gmem mem;

static void setup(void)
{
	struct palloc *pa = fake_ram_init(512);
	cr_assert_eq(gmem_alloc(&mem, pa, MiB(1), OWNER_GUEST(1)), 0);
}

static void teardown(void)
{
	gmem_free(&mem);
	fake_ram_fini();
}

TestSuite(gwalk, .init = setup, .fini = teardown);

static void put64(u64 at, u64 v)
{
	cr_assert_eq(gmem_write(&mem, gpa(at), &v, 8), 0);
}

static void put32(u64 at, u32 v)
{
	cr_assert_eq(gmem_write(&mem, gpa(at), &v, 4), 0);
}

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

Test(gwalk, paging_off_is_identity_in_32_bits)
{
	struct gwalk_regs r = { CR0_PE, 0, 0, 0 };
	cr_assert_eq(walk_ok(&r, 0x12345), 0x12345);
	cr_assert_eq(walk_ok(&r, 0x100001000ULL), 0x1000);
}

Test(gwalk, paging_32bit_with_4k_4m_and_pse36)
{
	struct gwalk_regs r = { CR0_PE | CR0_PG, 0x1000, CR4_PSE, 0 };

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
	struct gwalk_regs r = { CR0_PE | CR0_PG, 0x3020, CR4_PAE, 0 };

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
	struct gwalk_regs r = { CR0_PE | CR0_PG, 0x6000, CR4_PAE, EFER_LME | EFER_LMA };

	put64(0x6000 + 256 * 8, 0x7000 | P | RW); /* PML4[256]: 0xffff800000000000 */
	put64(0x7000, 0x8000 | P | RW);		  /* PDPT[0] */
	put64(0x8000, 0xA000 | P | RW);		  /* PD[0] */
	put64(0xA000 + 1 * 8, 0xB000 | P);	  /* PT[1] */
	cr_assert_eq(walk_ok(&r, 0xffff800000001abcULL), 0xBabc);
	walk_fails(&r, 0x1000); /* PML4[0] empty */
}

Test(gwalk, hostile_tables_translate_nothing)
{
	struct gwalk_regs r = { CR0_PE | CR0_PG, GiB(2), CR4_PAE, EFER_LMA };
	walk_fails(&r, 0x1000); /* CR3 outside guest RAM */

	/* An entry pointing at a table beyond RAM. */
	r.cr3 = 0x6000;
	put64(0x6000, 0x40000000ULL | P);
	walk_fails(&r, 0x1000);

	/* A PS bit in a PML4 entry is reserved: no 512 GiB page. */
	put64(0x6000 + 8, 0x0 | P | PS);
	walk_fails(&r, 1ULL << 39);
}
