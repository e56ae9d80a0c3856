/* string.c: memset, memcpy, memcmp, strlen and strcmp for the arm64 guests (byte at a time). */
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

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *pa = a, *pb = b;

	for (size_t i = 0; i < n; i++)
		if (pa[i] != pb[i])
			return pa[i] < pb[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (u8)*a - (u8)*b;
}
