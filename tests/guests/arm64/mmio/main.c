/* mmio: the PL011's registers, the test device with every load/store form, unbacked memory. */
#include "mmio.h"

const char guest_name[] = "mmio";

/* Off umbra there is no test device: the scratch checks run against this RAM page instead. */
static u64 standin[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));

/* The PrimeCell identification registers at 0xFE0-0xFFC (PL011 r1p5, as QEMU's). */
static const u8 pl011_ids[8] = { 0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };

static void check_pl011(void)
{
	u64 fr = mmio_read(PL011_BASE + PL011_FR, 4), want = PL011_FR_TXFE | PL011_FR_RXFE;
	u64 mask = want | PL011_FR_TXFF | PL011_FR_BUSY;
	unsigned bad = 8;

	check((fr & mask) == want, "mmio.pl011_fr", "FR 0x%llx: want TXFE and RXFE, not TXFF/BUSY",
	      fr);
	for (unsigned i = 0; i < 8 && bad == 8; i++)
		if (mmio_read(PL011_BASE + 0xfe0 + 4 * i, 4) != pl011_ids[i])
			bad = i;
	check(bad == 8, "mmio.pl011_id_registers", "register 0x%x reads 0x%llx, want 0x%x",
	      0xfe0 + 4 * bad, bad < 8 ? mmio_read(PL011_BASE + 0xfe0 + 4 * bad, 4) : 0,
	      bad < 8 ? pl011_ids[bad] : 0);

	/* Output through DR with byte and word stores (the boot tests look for these lines). */
	for (const char *p = "mmio: a line written to DR with strb\r\n"; *p; p++)
		mmio_write(PL011_BASE + PL011_DR, 1, (u8)*p);
	for (const char *p = "mmio: a line written to DR with str w\r\n"; *p; p++)
		mmio_write(PL011_BASE + PL011_DR, 4, (u8)*p);
	fr = mmio_read(PL011_BASE + PL011_FR, 4);
	check((fr & mask) == want, "mmio.pl011_dr_writes", "FR 0x%llx after writing DR", fr);
}

/* An unbacked IPA: every size reads all ones (ldrsw too), and writes are dropped. */
static void check_unbacked(const char *name, u64 ipa)
{
	static const unsigned sizes[4] = { 1, 2, 4, 8 };
	u64 v, sv = 0;
	bool fault = false;

	for (unsigned i = 0; i < 4 && !fault; i++) {
		u64 ones = sizes[i] == 8 ? ~0ull : (1ull << 8 * sizes[i]) - 1;

		fault = try_store(ipa + 8, sizes[i], 0) || try_load(ipa + 8, sizes[i], &v);
		if (!fault && v != ones) {
			check(false, name, "%u-byte read at 0x%llx gave 0x%llx", sizes[i], ipa + 8,
			      v);
			return;
		}
	}
	if (!fault) {
		fault_expect(RESUME_NEXT);
		__asm__ volatile("ldrsw %0, [%1]" : "+r"(sv) : "r"(ipa + 0x10) : "memory");
		fault = fault_taken();
	}
	check(!fault && sv == ~0ull, name, "%s at 0x%llx (ESR 0x%llx), ldrsw gave 0x%llx",
	      fault ? "exception" : "no exception", ipa, g_fault.esr, sv);
}

void guest_main(void)
{
	u64 top = (1ull << ipa_bits()) - PAGE_SIZE;

	printf("mmio: %s\n", under_umbra() ? "under umbra" : "not under umbra: test device in RAM");
	check_pl011();
	check_testdev(under_umbra() ? UMBRA_DEV : (u64)(uintptr_t)standin);
	if (!skip_unless_umbra("mmio.testdev_id"))
		check_testdev_id(UMBRA_DEV);
	if (skip_unless_umbra("mmio.unbacked"))
		return;
	check_unbacked("mmio.unbacked_0x0a000000", 0x0a000000);
	check_unbacked("mmio.unbacked_0x20000000", 0x20000000);
	if (top >= ram_base() + ram_size())
		check_unbacked("mmio.unbacked_top_of_ipa_space", top);
	else
		skip("mmio.unbacked_top_of_ipa_space", "RAM reaches the top of the IPA space");
}
