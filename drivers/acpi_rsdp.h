/* acpi_rsdp.h: finding and checking the ACPI root pointer (RSDP). */
#ifndef UMBRA_ACPI_RSDP_H
#define UMBRA_ACPI_RSDP_H

#include "types.h"

#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36

/* True when p (len readable bytes) holds an RSDP with a good signature and
 * checksums (the extended checksum too for revision 2+); *rev gets the revision. */
bool acpi_rsdp_valid(const u8 *p, size_t len, u8 *rev);

/* Scan len bytes at base (physical address base_pa) on 16-byte boundaries, as
 * the ACPI spec says the BIOS areas are searched; returns the physical address
 * of the first valid RSDP, or 0. */
u64 acpi_rsdp_scan(const u8 *base, u64 base_pa, size_t len, u8 *rev);

#endif
