/* image.h: where the linker put the hypervisor image (symbols from linker/umbra.ld.S). */
#ifndef UMBRA_IMAGE_H
#define UMBRA_IMAGE_H

#include "types.h"

extern char __image_start[], __image_end[];
extern char __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[];

static inline u64 image_addr(const char *sym)
{
	return (u64)(uintptr_t)sym;
}

#endif
