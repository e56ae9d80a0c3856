/* phys.h: reaching host-physical memory; the image maps it 1:1, host tests fake it. */
#ifndef UMBRA_PHYS_H
#define UMBRA_PHYS_H

#include "types.h"

/*
 * A pointer through which umbra reads and writes the host-physical page(s)
 * at pa. Chosen at link time: arch code provides the identity map in the
 * image; tests/unit provides a fake backed by host memory.
 */
void *phys_to_virt(hpa_t pa);

#endif
