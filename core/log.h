/* log.h: console output, log levels and panic. */
#ifndef UMBRA_LOG_H
#define UMBRA_LOG_H

#include <stdarg.h>

#include "compiler.h"
#include "types.h"

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/* Print one message at a level; below the current level it is dropped.
 * Errors are prefixed "error: ", warnings "warning: ". */
void log_msg(enum log_level lvl, const char *fmt, ...) __printf(2, 3);
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);

#define pr_err(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Our own formatter: %d %i %u %x %X %p %s %c %%, with l/ll/z, width, '0', '-'. */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* For the hypervisor's own broken invariants only, never for a guest's fault. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#endif
