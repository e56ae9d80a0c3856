/* test_acpi.c: host tests of RSDP validation and the BIOS-area scan. */
#include <criterion/criterion.h>
#include <string.h>

#include "drivers/acpi_rsdp.h"

static void fix_sum(u8 *p, size_t n, size_t at)
{
	u8 s = 0;
	p[at] = 0;
	for (size_t i = 0; i < n; i++)
		s = (u8)(s + p[i]);
	p[at] = (u8)-s;
}

static void make_rsdp(u8 *p, u8 rev)
{
	memset(p, 0, ACPI_RSDP_V2_LEN);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "UMBRA ", 6);
	p[15] = rev;
	if (rev >= 2) {
		p[20] = ACPI_RSDP_V2_LEN;
		fix_sum(p, ACPI_RSDP_V1_LEN, 8);
		fix_sum(p, ACPI_RSDP_V2_LEN, 32);
	} else {
		fix_sum(p, ACPI_RSDP_V1_LEN, 8);
	}
}

Test(acpi, valid_v1_and_v2)
{
	u8 p[ACPI_RSDP_V2_LEN], rev = 0xff;
	make_rsdp(p, 0);
	cr_assert(acpi_rsdp_valid(p, sizeof(p), &rev));
	cr_assert_eq(rev, 0);
	make_rsdp(p, 2);
	cr_assert(acpi_rsdp_valid(p, sizeof(p), &rev));
	cr_assert_eq(rev, 2);
}

Test(acpi, bad_signature_checksums_and_lengths)
{
	u8 p[ACPI_RSDP_V2_LEN], rev;
	make_rsdp(p, 2);
	p[0] = 'X';
	cr_assert(!acpi_rsdp_valid(p, sizeof(p), &rev));
	make_rsdp(p, 2);
	p[16] ^= 1; /* breaks the v1 checksum */
	cr_assert(!acpi_rsdp_valid(p, sizeof(p), &rev));
	make_rsdp(p, 2);
	p[30] ^= 1; /* breaks only the extended checksum */
	cr_assert(!acpi_rsdp_valid(p, sizeof(p), &rev));
	make_rsdp(p, 2);
	cr_assert(!acpi_rsdp_valid(p, ACPI_RSDP_V2_LEN - 1, &rev), "length beyond the buffer");
	cr_assert(!acpi_rsdp_valid(p, ACPI_RSDP_V1_LEN - 1, &rev));
}

Test(acpi, scan_finds_only_16_byte_aligned)
{
	static u8 area[4096];
	u8 rev;
	memset(area, 0, sizeof(area));
	make_rsdp(area + 0x208, 0); /* not on a 16-byte boundary */
	cr_assert_eq(acpi_rsdp_scan(area, 0xE0000, sizeof(area), &rev), 0);
	make_rsdp(area + 0x310, 2);
	cr_assert_eq(acpi_rsdp_scan(area, 0xE0000, sizeof(area), &rev), 0xE0310);
	cr_assert_eq(rev, 2);
}

Test(acpi, scan_stops_at_the_end)
{
	static u8 area[128];
	u8 rev;
	memset(area, 0, sizeof(area));
	make_rsdp(area + 48, 0); /* only 12 of its 20 bytes inside the scanned 60 */
	cr_assert_eq(acpi_rsdp_scan(area, 0x1000, 60, &rev), 0);
	cr_assert_eq(acpi_rsdp_scan(area, 0x1000, 68, &rev), 0x1030);
}
