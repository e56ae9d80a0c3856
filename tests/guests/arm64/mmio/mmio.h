/* mmio.h: the mmio guest's check groups and its assembly helpers. */
#ifndef GUEST_MMIO_H
#define GUEST_MMIO_H

#include "guest.h"

/* The test device's scratch registers: umbra's device, or a RAM stand-in off umbra. */
void check_testdev(u64 dev);
void check_testdev_id(u64 dev);

/* regs.S: loads into x19, x28, x29, x30 from addr[0..3] and stores back from them to addr[4..7]. */
void mmio_high_regs(u64 addr, u64 out[4]);

#endif
