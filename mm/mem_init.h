/* mem_init.h: setting up the global page allocator from the boot memory map. */
#ifndef UMBRA_MEM_INIT_H
#define UMBRA_MEM_INIT_H

#include "boot/boot_info.h"
#include "mm/palloc.h"

/* Build the allocator over RAM, keeping out the low 1 MiB, the image, the
 * modules, the loader's info and the allocator's own metadata. */
int mem_init(const struct boot_info *bi);
struct palloc *mem_palloc(void);

#endif
