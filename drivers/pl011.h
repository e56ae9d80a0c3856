/* pl011.h: the host's Arm PL011 UART driver (output only, polled). */
#ifndef UMBRA_PL011_H
#define UMBRA_PL011_H

#include "types.h"

/* QEMU virt's PL011, used until the device tree names the real one. */
#define PL011_QEMU_VIRT_BASE 0x09000000ULL

/* Use the PL011 at base (its registers identity-mapped or the MMU off);
 * the firmware's settings are kept, only transmit is enabled. */
void pl011_init(u64 base);
void pl011_write(const char *s, size_t n);

#endif
