/* stage2.c: the mmu guest's view of stage 2: the read-only boot info page and the IPA limit. */
#include "mmu.h"

/* True if [ipa, ipa + 4 KiB) is neither RAM nor a device (so it must read all ones). */
static bool unbacked(u64 ipa)
{
	u64 ram_end = ram_base() + ram_size();

	return !(ipa < ram_end && ipa + PAGE_SIZE > ram_base()) && ipa != PL011_BASE &&
	       ipa != UMBRA_DEV && ipa != BOOTINFO_IPA;
}

/* An access at addr (2^ipa, or its VA): a data abort, address size fault level 0, FAR addr. */
static void check_limit(const char *load_name, const char *store_name, u64 addr)
{
	u64 v;
	bool f = try_load(addr, 8, &v);

	check_abort(load_name, f, EC_DABT_CUR, FSC_ADDR_SIZE(0), true, addr);
	f = try_store(addr, 4, 0x12345678);
	check_abort(store_name, f, EC_DABT_CUR, FSC_ADDR_SIZE(0), true, addr);
}

/* The last 8 bytes below 2^ipa (addr: an IPA or its VA): all ones; a write does not stick. */
static void check_below(const char *name, u64 addr)
{
	u64 v1, v2;
	bool f1 = try_load(addr, 8, &v1), fw = try_store(addr, 8, 0), f2 = try_load(addr, 8, &v2);

	check(!f1 && !fw && !f2 && v1 == ~0ull && v2 == ~0ull, name,
	      "faulted %d/%d/%d, read 0x%llx then 0x%llx after writing 0 at 0x%llx", f1, fw, f2, v1,
	      v2, addr);
}

/*
 * MMU off, so VA = IPA. With a PA range of exactly ipa bits a CPU faults at
 * 2^ipa by itself, so off umbra the check runs against PARange.
 */
void check_stage2_mmu_off(void)
{
	unsigned ipa = ipa_bits();
	u64 limit = 1ull << ipa;

	check_limit("mmu.ipa_limit_load_mmu_off", "mmu.ipa_limit_store_mmu_off", limit);
	if (skip_unless_umbra("mmu.below_ipa_limit_all_ones_mmu_off"))
		return;
	if (!unbacked(limit - PAGE_SIZE))
		skip("mmu.below_ipa_limit_all_ones_mmu_off", "the page below 2^ipa is RAM");
	else
		check_below("mmu.below_ipa_limit_all_ones_mmu_off", limit - 8);
}

/* Writes and instruction fetches at the boot info page: external aborts; nothing changes. */
static void check_boot_info_read_only(void)
{
	u64 magic = 0, cmd = 0, want_cmd = 0;
	bool fw = try_store(BOOTINFO_IPA, 8, 0x6b6361682d6e6f6eull), fb, fx;

	check_abort("mmu.boot_info_write_abort", fw, EC_DABT_CUR, FSC_SEA, false, 0);
	fb = try_store(BOOTINFO_IPA + BOOTINFO_CMDLINE, 1, 'X');
	check_abort("mmu.boot_info_byte_write_abort", fb, EC_DABT_CUR, FSC_SEA, false, 0);
	fx = try_exec(BOOTINFO_IPA);
	check_abort("mmu.boot_info_exec_abort", fx, EC_IABT_CUR, FSC_SEA, false, 0);
	try_load(BOOTINFO_IPA, 8, &magic);
	try_load(BOOTINFO_IPA + BOOTINFO_CMDLINE, 1, &cmd);
	want_cmd = (u8)g_boot.cmdline[0];
	check(magic == BOOTINFO_MAGIC && cmd == want_cmd, "mmu.boot_info_unchanged",
	      "magic 0x%llx, first command line byte 0x%llx (want 0x%llx)", magic, cmd, want_cmd);
}

/* Through stage 1: the boot info page, 2^ipa at va_limit (0: not expressible), below it. */
void check_stage2_mmu_on(u64 va_limit, u64 va_below)
{
	u64 below_ipa = (1ull << ipa_bits()) - PAGE_SIZE;

	if (!skip_unless_umbra("mmu.boot_info_read_only"))
		check_boot_info_read_only();
	if (!under_umbra())
		skip("mmu.ipa_limit_stage1", "not running under umbra");
	else if (!va_limit)
		skip("mmu.ipa_limit_stage1", "2^ipa is not below the stage-1 output size");
	else
		check_limit("mmu.ipa_limit_load_stage1", "mmu.ipa_limit_store_stage1", va_limit);
	if (skip_unless_umbra("mmu.below_ipa_limit_all_ones_stage1"))
		return;
	if (!unbacked(below_ipa))
		skip("mmu.below_ipa_limit_all_ones_stage1", "the page below 2^ipa is RAM");
	else
		check_below("mmu.below_ipa_limit_all_ones_stage1", va_below + PAGE_SIZE - 8);
}
