/* string.c: memset and memcpy for the arm64 guests, a byte at a time (the rest is in common/). */
#include "guest.h"

/*
 * The empty asm in each loop keeps gcc from recognizing the loop as a
 * memset or memcpy and calling the very function it is compiling.
 */
void *memset(void *d, int c, size_t n)
{
	u8 *p = d;

	for (size_t i = 0; i < n; i++) {
		p[i] = (u8)c;
		__asm__("" : : "r"(p) : "memory");
	}
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	u8 *dp = d;
	const u8 *sp = s;

	for (size_t i = 0; i < n; i++) {
		dp[i] = sp[i];
		__asm__("" : : "r"(dp) : "memory");
	}
	return d;
}
