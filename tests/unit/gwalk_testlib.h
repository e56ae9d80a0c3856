/* gwalk_testlib.h: what the guest-walker tests share: SDM entry bits and 1 MiB of fake guest RAM with writers. */
#ifndef UMBRA_GWALK_TESTLIB_H
#define UMBRA_GWALK_TESTLIB_H

#include <criterion/criterion.h>

#include "arch/x86/msr.h"
#include "fake_ram.h"
#include "mm/gmem.h"
#include "mm/gwalk.h"
#include "mm/pt.h"

/* Entry bits, written here from the SDM (vol. 3A 4.3-4.5), not taken from
 * the code under test. */
#define P BIT(0)
#define RW BIT(1)
#define US BIT(2)
#define A BIT(5)
#define D BIT(6)
#define PS BIT(7)
#define XD BIT(63)
#define FULL (P | RW | US)
#define LMA (EFER_LME | EFER_LMA)

/* The guest memory each test walks (static: one per test file). */
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

static inline void put64(u64 at, u64 v)
{
	cr_assert_eq(gmem_write(&mem, gpa(at), &v, 8), 0);
}

static inline void put32(u64 at, u32 v)
{
	cr_assert_eq(gmem_write(&mem, gpa(at), &v, 4), 0);
}

#endif
