/* acpi_rsdp.c: validate an ACPI RSDP and search the BIOS areas for one (ACPI spec 5.2.5). */
#include "drivers/acpi_rsdp.h"

/* RSDP layout: signature[8], checksum, oem[6], revision, rsdt(4) | length(4), xsdt(8), xchecksum, reserved[3]. */
#define RSDP_REVISION_OFF 15
#define RSDP_LENGTH_OFF 20

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;
	for (size_t i = 0; i < n; i++)
		s = (u8)(s + p[i]);
	return s;
}

bool acpi_rsdp_valid(const u8 *p, size_t len, u8 *rev)
{
	static const char sig[8] = { 'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ' };

	if (len < ACPI_RSDP_V1_LEN)
		return false;
	for (int i = 0; i < 8; i++) {
		if (p[i] != (u8)sig[i])
			return false;
	}
	if (sum(p, ACPI_RSDP_V1_LEN) != 0)
		return false;
	*rev = p[RSDP_REVISION_OFF];
	if (*rev >= 2) {
		u32 l = (u32)p[RSDP_LENGTH_OFF] | (u32)p[RSDP_LENGTH_OFF + 1] << 8 |
			(u32)p[RSDP_LENGTH_OFF + 2] << 16 | (u32)p[RSDP_LENGTH_OFF + 3] << 24;
		if (l < ACPI_RSDP_V2_LEN || l > len || sum(p, l) != 0)
			return false;
	}
	return true;
}

u64 acpi_rsdp_scan(const u8 *base, u64 base_pa, size_t len, u8 *rev)
{
	for (size_t off = 0; off + ACPI_RSDP_V1_LEN <= len; off += 16) {
		if (acpi_rsdp_valid(base + off, len - off, rev))
			return base_pa + off;
	}
	return 0;
}
