/* init.h: the generic boot sequence, entered from each architecture's first C code. */
#ifndef UMBRA_INIT_H
#define UMBRA_INIT_H

#include "boot/boot_info.h"
#include "compiler.h"

__noreturn void umbra_main(struct boot_info *bi);

#endif
