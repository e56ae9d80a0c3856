/* report.c: the library's main, PASS/FAIL/SKIP lines, the summary and the command line. */
#include "guest.h"

static int passed, failed, skipped;

void lib_main(void);

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
	guest_exit((u64)failed);
}

bool cmdline_has(const char *word)
{
	const char *line = g_boot.cmdline;
	size_t n = strlen(word);

	for (size_t i = 0; n && line[i]; i++) {
		bool at_start = i == 0 || line[i - 1] == ' ';

		/* memcmp stops at the first difference, so it never reads past the NUL. */
		if (at_start && memcmp(line + i, word, n) == 0 &&
		    (line[i + n] == ' ' || line[i + n] == '\0'))
			return true;
	}
	return false;
}

/* Called by lib/entry.S with the stack set up and .bss cleared. */
void lib_main(void)
{
	vectors_install();
	umbra_detect();
	guest_main();
	guest_finish();
}
