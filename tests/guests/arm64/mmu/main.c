/* mmu: the guest's own stage 1 (aliases, unmapping, read-only pages), then stage 2 from inside. */
#include "mmu.h"

const char guest_name[] = "mmu";

/*
 * The VA layout: RAM, the PL011, the test device and the boot info page
 * identity-mapped; test mappings in a window at TEST_VA (below 2^39 so both
 * VA widths reach it); nothing at all around NOWHERE_VA (no level-1 entry).
 */
#define TEST_VA 0x7000000000ull
#define ALIAS_VA (TEST_VA + 0x0000)
#define LIMIT_VA (TEST_VA + 0x1000) /* -> IPA 2^ipa */
#define BELOW_VA (TEST_VA + 0x2000) /* -> IPA 2^ipa - 4 KiB */
#define NOWHERE_VA 0x7fc0000000ull
#define BARE_RAM_MAP MiB(64) /* RAM mapped when the boot info does not say (bare QEMU) */

static u64 test_page[PAGE_SIZE / 8] __attribute__((aligned(PAGE_SIZE)));
static volatile u64 canary = 0x1234abcd5678ef00ull;

static u64 va_of(const void *p)
{
	return (u64)(uintptr_t)p;
}

static bool build_tables(unsigned va_bits)
{
	unsigned ipa = ipa_bits();
	u64 ram = ram_size() ? ram_size() : BARE_RAM_MAP, first = ram < MiB(2) ? ram : MiB(2);
	bool ok;

	pt_init(va_bits);
	/* The image's 2 MiB with pages (its test page is remapped), the rest of RAM with blocks. */
	ok = pt_map(ram_base(), ram_base(), first, PROT_NORMAL, false) &&
	     pt_map(ram_base() + first, ram_base() + first, ram - first, PROT_NORMAL, true) &&
	     pt_map(PL011_BASE, PL011_BASE, PAGE_SIZE, PROT_DEVICE, false) &&
	     pt_map(UMBRA_DEV, UMBRA_DEV, PAGE_SIZE, PROT_DEVICE, false) &&
	     pt_map(BOOTINFO_IPA, BOOTINFO_IPA, PAGE_SIZE, PROT_NORMAL, false) &&
	     pt_map(ALIAS_VA, va_of(test_page), PAGE_SIZE, PROT_NORMAL, false) &&
	     pt_map(BELOW_VA, (1ull << ipa) - PAGE_SIZE, PAGE_SIZE, PROT_DEVICE, false);
	/* IPA 2^ipa is only expressible as a stage-1 output address when it is below 2^IPS. */
	if (ok && ipa < pt_ips_bits())
		ok = pt_map(LIMIT_VA, 1ull << ipa, PAGE_SIZE, PROT_DEVICE, false);
	return ok;
}

static bool turn_on(void)
{
	unsigned va_bits = cmdline_has("va48") ? 48 : 39;
	u64 mmfr0 = read_sysreg(id_aa64mmfr0_el1), sctlr;

	if (MMFR0_TGRAN4(mmfr0) == 0xf) {
		skip("mmu.enable", "the CPU has no 4 KiB granule");
		return false;
	}
	if (!check(build_tables(va_bits), "mmu.tables_built", "ran out of page tables"))
		return false;
	mmu_enable();
	sctlr = read_sysreg(sctlr_el1);
	printf("mmu: stage 1 on: %u-bit VAs, IPS %u bits, IPA width %u bits, SCTLR_EL1 0x%llx\n",
	       va_bits, pt_ips_bits(), ipa_bits(), sctlr);
	return check((sctlr & SCTLR_M) && canary == 0x1234abcd5678ef00ull, "mmu.enable",
		     "SCTLR_EL1 0x%llx, canary 0x%llx", sctlr, canary);
}

/* The same page at its identity VA and at ALIAS_VA: a write through either shows in both. */
static void check_alias(void)
{
	volatile u64 *id = (volatile u64 *)test_page;
	volatile u64 *alias = (volatile u64 *)(uintptr_t)ALIAS_VA;
	u64 a, b;

	id[1] = 0x1111222233334444ull;
	a = alias[1];
	alias[2] = 0x5555666677778888ull;
	b = id[2];
	check(a == 0x1111222233334444ull && b == 0x5555666677778888ull, "mmu.alias",
	      "alias read 0x%llx, identity read 0x%llx", a, b);
}

/* Unmapped: translation fault level 3 on reads and writes, FAR the VA; the alias still works. */
static void check_unmap(void)
{
	u64 va = va_of(test_page) + 0x18, v;
	bool f;

	pt_set_leaf(va_of(test_page), 0);
	f = try_load(va, 8, &v);
	check_abort("mmu.unmapped_read_translation_fault", f, EC_DABT_CUR, FSC_TRANSLATION(3), true,
		    va);
	f = try_store(va, 8, 0xdead);
	check_abort("mmu.unmapped_write_translation_fault", f, EC_DABT_CUR, FSC_TRANSLATION(3),
		    true, va);
	check(f && (g_fault.esr & ESR_WNR), "mmu.unmapped_write_wnr", "ESR 0x%llx", g_fault.esr);
	v = *(volatile u64 *)(uintptr_t)(ALIAS_VA + 0x10);
	check(v == 0x5555666677778888ull, "mmu.alias_survives_unmap", "alias reads 0x%llx", v);
	f = try_load(NOWHERE_VA, 8, &v);
	check_abort("mmu.no_table_translation_fault_level1", f, EC_DABT_CUR, FSC_TRANSLATION(1),
		    true, NOWHERE_VA);
}

/* Read-only: reads work, a write is a permission fault at level 3 and changes nothing. */
static void check_read_only(void)
{
	u64 va = va_of(test_page) + 0x10, v = 0;
	bool fr, fw;

	pt_set_leaf(va_of(test_page), va_of(test_page) | PROT_NORMAL_RO | DESC_VALID | DESC_TABLE);
	fr = try_load(va, 8, &v);
	check(!fr && v == 0x5555666677778888ull, "mmu.read_only_read", "faulted %d, read 0x%llx",
	      fr, v);
	fw = try_store(va, 8, 0xbad);
	check_abort("mmu.read_only_write_permission_fault", fw, EC_DABT_CUR, FSC_PERMISSION(3),
		    true, va);
	check(fw && (g_fault.esr & ESR_WNR), "mmu.read_only_write_wnr", "ESR 0x%llx", g_fault.esr);
	v = *(volatile u64 *)(uintptr_t)(ALIAS_VA + 0x10);
	check(v == 0x5555666677778888ull, "mmu.read_only_unchanged", "page holds 0x%llx", v);

	pt_set_leaf(va_of(test_page), va_of(test_page) | PROT_NORMAL | DESC_VALID | DESC_TABLE);
	fw = try_store(va, 8, 0x600d);
	fr = try_load(va, 8, &v);
	check(!fw && !fr && v == 0x600d, "mmu.remapped_read_write", "faulted %d/%d, read 0x%llx",
	      fw, fr, v);
}

void guest_main(void)
{
	printf("mmu: %s, IPA width %u bits, PARange %u bits\n",
	       under_umbra() ? "under umbra" : "not under umbra", ipa_bits(), pa_range_bits());
	check_stage2_mmu_off();
	if (!turn_on())
		return;
	check_alias();
	check_unmap();
	check_read_only();
	check_stage2_mmu_on(ipa_bits() < pt_ips_bits() ? LIMIT_VA : 0, BELOW_VA);
}
