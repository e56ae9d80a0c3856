/* test_format.c: host tests of kvsnprintf, the hypervisor's printf formatter. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

static char buf[256];

#define CHECK_FMT(expect, ...)                                          \
	do {                                                            \
		int n_ = ksnprintf(buf, sizeof(buf), __VA_ARGS__);      \
		cr_assert_str_eq(buf, expect);                          \
		cr_assert_eq(n_, (int)strlen(expect), "length %d", n_); \
	} while (0)

Test(format, integers)
{
	CHECK_FMT("0 -1 42 4294967295", "%d %d %u %u", 0, -1, 42u, 4294967295u);
	CHECK_FMT("-9223372036854775808", "%lld", (long long)(-9223372036854775807LL - 1));
	CHECK_FMT("18446744073709551615", "%llu", 18446744073709551615ULL);
	CHECK_FMT("123456789012", "%zu", (size_t)123456789012ULL);
	CHECK_FMT("-5", "%ld", -5L);
}

Test(format, hex_and_pointers)
{
	CHECK_FMT("ff FF 0", "%x %X %x", 255u, 255u, 0u);
	CHECK_FMT("deadbeefcafe", "%llx", 0xdeadbeefcafeULL);
	CHECK_FMT("0x00000000001000ab", "%p", (void *)0x1000abUL);
}

Test(format, width_padding_and_sign)
{
	CHECK_FMT("0042", "%04d", 42);
	CHECK_FMT("-042", "%04d", -42);
	CHECK_FMT("  42", "%4d", 42);
	CHECK_FMT("42  |", "%-4d|", 42);
	CHECK_FMT("0x0000000000ab", "0x%012llx", 0xabULL);
	CHECK_FMT("  ab|ab  |", "%4s|%-4s|", "ab", "ab");
}

/* Called through a pointer, which carries no format attribute, so the
 * compiler lets odd formats (NULL strings, unknown conversions) through. */
static int (*volatile unchecked)(char *, size_t, const char *, ...) = ksnprintf;

Test(format, strings_chars_percent)
{
	CHECK_FMT("a b z 100%", "%c %s %c 100%%", 'a', "b", 'z');
	unchecked(buf, sizeof(buf), "%s", (char *)NULL);
	cr_assert_str_eq(buf, "(null)");
	unchecked(buf, sizeof(buf), "%q");
	cr_assert_str_eq(buf, "%q");
}

Test(format, truncation_counts_the_whole_output)
{
	char small[8];
	int n = ksnprintf(small, sizeof(small), "%s", "0123456789");
	cr_assert_eq(n, 10);
	cr_assert_str_eq(small, "0123456");
	n = ksnprintf(small, 1, "abc");
	cr_assert_eq(n, 3);
	cr_assert_str_eq(small, "");
}

Test(format, matches_libc_on_mixed_formats)
{
	char ref[256];
	snprintf(ref, sizeof(ref), "%5u|%-6x|%08llx|%s|%c|%i", 7u, 0xabu, 0x1234ULL, "s", 'c', -3);
	CHECK_FMT(ref, "%5u|%-6x|%08llx|%s|%c|%i", 7u, 0xabu, 0x1234ULL, "s", 'c', -3);
}
