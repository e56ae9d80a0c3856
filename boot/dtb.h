/* dtb.h: turning the arm64 boot device tree (QEMU virt and alike) into struct boot_info. */
#ifndef UMBRA_DTB_H
#define UMBRA_DTB_H

#include "boot/boot_info.h"
#include "types.h"

/*
 * Fill bi (zeroed first) from the flattened device tree at dtb, whose
 * physical address is dtb_pa (x0 at entry under the arm64 Image protocol):
 *  - proto BOOT_PROTO_IMAGE, dtb and info_start/info_end (the blob);
 *  - the memory map: RAM from the root's memory nodes, reserved ranges from
 *    the /memreserve/ map and /reserved-memory, normalized (boot/memmap.h);
 *  - /chosen: bootargs as cmdline, the initrd (also as module 0, "initrd"),
 *    and stdout-path to pick the UART;
 *  - bi->dev: the PL011, the GIC (v3 or v2), the generic timer's PPIs, PSCI.
 * The blob is read only up to its totalsize and never beyond FDT_MAX_SIZE
 * bytes. Returns 0, or -1 when the tree is malformed or gives no RAM (said
 * with pr_err); problems that can be survived are said with pr_warn and
 * counted in bi->nr_problems.
 */
int dtb_parse(const void *dtb, u64 dtb_pa, struct boot_info *bi);

/* The same, when only avail bytes at dtb are known to be readable. */
int dtb_parse_sized(const void *dtb, size_t avail, u64 dtb_pa, struct boot_info *bi);

#endif
