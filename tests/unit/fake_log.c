/* fake_log.c: log_msg and panic for host tests; messages are kept for assertions. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fake_log.h"

static char log_buf[1 << 16];
static size_t log_len;
static int log_counts[LOG_DEBUG + 1];
static enum log_level log_level = LOG_DEBUG;

void fake_log_reset(void)
{
	log_len = 0;
	log_buf[0] = '\0';
	memset(log_counts, 0, sizeof(log_counts));
}

int fake_log_count(enum log_level lvl)
{
	return log_counts[lvl];
}

bool fake_log_contains(const char *needle)
{
	return strstr(log_buf, needle) != NULL;
}

const char *fake_log_text(void)
{
	return log_buf;
}

void log_set_level(enum log_level lvl)
{
	log_level = lvl;
}

enum log_level log_get_level(void)
{
	return log_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;
	log_counts[lvl]++;
	if (log_len + 2 >= sizeof(log_buf))
		return;
	va_start(ap, fmt);
	int n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	log_len += (size_t)n < sizeof(log_buf) - log_len - 1 ? (size_t)n
							     : sizeof(log_buf) - log_len - 2;
	if (log_len && log_buf[log_len - 1] != '\n')
		log_buf[log_len++] = '\n';
	log_buf[log_len] = '\0';
}

void panic(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cr_assert_fail("panic: %s", msg);
	__builtin_unreachable();
}
