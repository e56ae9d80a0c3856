/* kstring.h: the few C string and memory functions the hypervisor provides itself. */
#ifndef UMBRA_KSTRING_H
#define UMBRA_KSTRING_H

#include <stddef.h>

/* Same prototypes as the C library, so host test builds link against libc's. */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#endif
