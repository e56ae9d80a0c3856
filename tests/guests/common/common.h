/* common.h: what the x86 and arm64 guest libraries share: output, checks, the summary, strings. */
#ifndef GUEST_COMMON_H
#define GUEST_COMMON_H

/*
 * Each architecture's guest.h includes this after its own types (u8 ... s64)
 * and declares the rest: KiB/MiB, g_boot (a struct boot_info with a
 * cmdline string), under_umbra(), guest_exit() and its own hardware.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#define __printf(a, b) __attribute__((format(printf, a, b)))
#define __noreturn __attribute__((noreturn))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Each guest defines its name (its lines' prefix) and its checks; guest_finish follows them. */
extern const char guest_name[];
void guest_main(void);

/* ---------------------------------------------------------------- output */
/* One character to the serial port, '\n' as "\r\n" (the architecture's console.c). */
void putchar_serial(char c);
void puts_serial(const char *s);
/* %s %c %d %i %u %x %p, with l/ll, a width and the 0 and - flags. */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap) __printf(1, 0);

/* ---------------------------------------------------------------- checks */
/* "PASS: name" when ok, else "FAIL: name: <detail>"; returns ok. */
bool check(bool ok, const char *name, const char *detail_fmt, ...) __printf(3, 4);
/* "SKIP: name (why)". */
void skip(const char *name, const char *why);
/* Skip with the standard reason when umbra is absent; returns true if skipped. */
bool skip_unless_umbra(const char *name);
int failures(void);
/* Print "<n> skipped" (if any), then "<n> passed, <n> failed". */
void print_summary(void);
/* Print the summary and exit with the failure count. */
__noreturn void guest_finish(void);
/* True if word is one of the words of the guest's command line (g_boot.cmdline). */
bool cmdline_has(const char *word);
/* n / d for u64 without a libgcc helper (32-bit x86 guests): shift and subtract (printf.c). */
u64 div64(u64 n, u64 d);

/* ---------------------------------------------------------------- memory */
/* memset and memcpy are the architecture's (lib/mem.c, arm64/lib/string.c). */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
