/* selftest.h: the checks umbra runs on itself at boot before it reports pass. */
#ifndef UMBRA_SELFTEST_H
#define UMBRA_SELFTEST_H

#include "boot/boot_info.h"
#include "mm/palloc.h"

/* Run every boot self-check; prints one line each and a summary. True if all pass. */
bool selftest_run(const struct boot_info *bi, struct palloc *pa);

#endif
