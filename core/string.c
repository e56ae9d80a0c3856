/* string.c: memory and string functions for the freestanding image (compilers emit memcpy/memset calls). */
#include "core/kstring.h"

#include "types.h"

/*
 * memcpy and memset move eight bytes per store where the alignment allows:
 * they zero and copy guest RAM at boot, where a byte loop was most of
 * umbra's boot instructions (docs/performance.md). The empty asm in each
 * loop keeps the compiler from recognising the loop and calling memcpy or
 * memset from inside themselves.
 */
#define WORD_MASK (sizeof(u64) - 1)

void *memcpy(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;

	if ((((size_t)d ^ (size_t)s) & WORD_MASK) == 0) {
		for (; n && ((size_t)d & WORD_MASK); n--)
			*d++ = *s++;
		for (; n >= sizeof(u64); n -= sizeof(u64)) {
			u64 *dq = (void *)d;
			const u64 *sq = (const void *)s;

			*dq = *sq;
			d += sizeof(u64);
			s += sizeof(u64);
			__asm__("" : "+r"(d), "+r"(s));
		}
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	u8 *d = dst;
	const u8 *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	u8 *d = dst;
	u64 w = 0x0101010101010101ull * (u8)c;

	for (; n && ((size_t)d & WORD_MASK); n--)
		*d++ = (u8)c;
	for (; n >= 4 * sizeof(u64); n -= 4 * sizeof(u64)) {
		u64 *q = (void *)d;

		q[0] = w;
		q[1] = w;
		q[2] = w;
		q[3] = w;
		d += 4 * sizeof(u64);
		__asm__("" : "+r"(d));
	}
	while (n--)
		*d++ = (u8)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const u8 *x = a, *y = b;
	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i] || !a[i])
			return (int)(unsigned char)a[i] - (int)(unsigned char)b[i];
	}
	return 0;
}
