/* report.c: PASS/FAIL/SKIP lines, the summary, the exit with the failure count, the command line. */
#include "guest.h"

static int passed, failed, skipped;

bool check(bool ok, const char *name, const char *detail_fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		printf("PASS: %s\n", name);
		return true;
	}
	failed++;
	printf("FAIL: %s: ", name);
	va_start(ap, detail_fmt);
	vprintf(detail_fmt, ap);
	va_end(ap);
	putchar_serial('\n');
	return false;
}

void skip(const char *name, const char *why)
{
	skipped++;
	printf("SKIP: %s (%s)\n", name, why);
}

bool skip_unless_umbra(const char *name)
{
	if (under_umbra())
		return false;
	skip(name, "not running under umbra");
	return true;
}

int failures(void)
{
	return failed;
}

void print_summary(void)
{
	if (skipped)
		printf("%d skipped\n", skipped);
	printf("%d passed, %d failed\n", passed, failed);
}

void guest_finish(void)
{
	print_summary();
	guest_exit((u32)failed);
}

bool cmdline_has(const char *word)
{
	size_t n = strlen(word);

	for (const char *p = g_boot.cmdline; *p;) {
		size_t len = 0;

		while (*p == ' ')
			p++;
		while (p[len] && p[len] != ' ')
			len++;
		if (len && len == n && memcmp(p, word, n) == 0)
			return true;
		p += len;
	}
	return false;
}
