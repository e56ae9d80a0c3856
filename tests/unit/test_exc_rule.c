/* test_exc_rule.c: host tests of exc_during_delivery (vcpu.h), the double-fault rule for an exception raised while delivering another. */
#include <criterion/criterion.h>

#include "vmx_svm/vcpu.h"

/* The SDM's classes (vol. 3, Table 6-4), listed here by vector on their own. */
enum cls { BENIGN, CONTRIB, PAGEFAULT, DOUBLEFAULT };

static enum cls class_of(u8 v)
{
	switch (v) {
	case 0:	 /* #DE */
	case 10: /* #TS */
	case 11: /* #NP */
	case 12: /* #SS */
	case 13: /* #GP */
		return CONTRIB;
	case 14:
		return PAGEFAULT;
	case 8:
		return DOUBLEFAULT;
	default:
		return BENIGN;
	}
}

/* Table 6-5 as a grid: rows the first exception, columns the second.
 * 'S' serially (the second is delivered), 'D' #DF, 'T' shutdown. */
static const char grid[4][4] = {
	/*              BENIGN CONTRIB PF   DF(second; never raised) */
	[BENIGN] = { 'S', 'S', 'S', 'S' },
	[CONTRIB] = { 'S', 'D', 'S', 'S' },
	[PAGEFAULT] = { 'S', 'D', 'D', 'S' },
	[DOUBLEFAULT] = { 'S', 'T', 'T', 'S' },
};

Test(exc_rule, every_pair_of_vectors_follows_table_6_5)
{
	for (unsigned first = 0; first < 32; first++) {
		for (unsigned second = 0; second < 32; second++) {
			char want = grid[class_of((u8)first)][class_of((u8)second)];
			int got = exc_during_delivery((u8)first, (u8)second);
			int expect = want == 'S' ? (int)second : want == 'D' ? 8 : -1;

			cr_assert_eq(got, expect, "first %u second %u: got %d, want %d", first,
				     second, got, expect);
		}
	}
}

Test(exc_rule, named_cases)
{
	cr_assert_eq(exc_during_delivery(VEC_PF, VEC_PF), VEC_DF);
	cr_assert_eq(exc_during_delivery(VEC_GP, VEC_GP), VEC_DF);
	cr_assert_eq(exc_during_delivery(VEC_GP, VEC_PF), VEC_PF); /* contributory, then #PF */
	cr_assert_eq(exc_during_delivery(VEC_UD, VEC_PF), VEC_PF); /* benign, then #PF */
	cr_assert_eq(exc_during_delivery(VEC_DF, VEC_PF), -1);
	cr_assert_eq(exc_during_delivery(VEC_DF, VEC_UD), VEC_UD);
}
