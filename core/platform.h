/* platform.h: what generic code needs from the machine: ending the run. */
#ifndef UMBRA_PLATFORM_H
#define UMBRA_PLATFORM_H

#include "compiler.h"
#include "core/cmdline.h"

/*
 * End the run. Prints "umbra: exit status=pass|fail", then leaves through the
 * emulator's exit device when one is found (or named by exit=), else halts.
 */
__noreturn void platform_exit(bool pass);
void platform_set_exit_mode(enum exit_mode mode);

#endif
