/* timed.c: the benchmark guests' calibration: TSC ticks per instruction, printed and checked. */
#include "timed.h"

u32 timed_calibration(const char *guest, const char *check_name, u64 t0, u64 t1, u32 insns)
{
	u32 ticks = t1 > t0 && t1 - t0 < 0xffffffffull ? (u32)(t1 - t0) : 0;

	printf("CALIB ticks=%u insns=%u\n", ticks, insns);
	printf("%s: calibration: %u TSC ticks for %u instructions: %u.%03u per instruction\n",
	       guest, ticks, insns, ticks / insns, (u32)div64((u64)(ticks % insns) * 1000, insns));
	check(ticks > 0, check_name, "the TSC did not advance over a loop of %u instructions",
	      insns);
	return ticks;
}
