/* console.h: where the hypervisor's text output goes. */
#ifndef UMBRA_CONSOLE_H
#define UMBRA_CONSOLE_H

#include "types.h"

typedef void (*console_write_fn)(const char *s, size_t n);

/* Route all output to w (NULL: drop it). */
void console_set(console_write_fn w);
void console_write(const char *s, size_t n);
/* Unfiltered formatted output, for banners and reports. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
