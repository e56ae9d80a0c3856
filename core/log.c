/* log.c: the console sink, leveled log messages and panic. */
#include "core/console.h"
#include "core/kstring.h"
#include "core/log.h"
#include "core/platform.h"

static console_write_fn console_sink;
static enum log_level current_level = LOG_INFO;

void console_set(console_write_fn w)
{
	console_sink = w;
}

void console_write(const char *s, size_t n)
{
	if (console_sink)
		console_sink(s, n);
}

static void vprint(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	int n;

	if (prefix)
		console_write(prefix, strlen(prefix));
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(NULL, fmt, ap);
	va_end(ap);
	return 0;
}

void log_set_level(enum log_level lvl)
{
	current_level = lvl;
}

enum log_level log_get_level(void)
{
	return current_level;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", NULL, "debug: " };
	va_list ap;

	if (lvl > current_level)
		return;
	va_start(ap, fmt);
	vprint(prefix[lvl], fmt, ap);
	va_end(ap);
	/* Messages are lines; add the newline a caller left out. */
	if (fmt[0] && fmt[strlen(fmt) - 1] != '\n')
		console_write("\n", 1);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	console_write("\nPANIC: ", 8);
	va_start(ap, fmt);
	vprint(NULL, fmt, ap);
	va_end(ap);
	console_write("\n", 1);
	platform_exit(false);
}
