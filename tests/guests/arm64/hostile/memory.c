/* memory.c: the hostile guest reaches for IPAs it does not own, and writes its boot info page. */
#include "hostile.h"

/* Unbacked IPA: reads all ones, a write does not stick. */
static bool probe_unbacked(u64 ipa, u64 *got)
{
	u64 a, b;
	bool fault = try_load(ipa, 8, &a) || try_store(ipa, 8, 0x5a5a0000a5a5ull) ||
		     try_store(ipa, 1, 0) || try_load(ipa, 8, &b);

	*got = fault ? g_fault.esr : a != ~0ull ? a : b;
	return !fault && a == ~0ull && b == ~0ull;
}

/* Every address in list must be unbacked; one check line for the group. */
static void check_unbacked_list(const char *name, const u64 *list, unsigned n)
{
	u64 got;

	for (unsigned i = 0; i < n; i++)
		if (!probe_unbacked(list[i], &got)) {
			check(false, name, "IPA 0x%llx: %s 0x%llx", list[i],
			      g_fault.taken ? "exception, ESR" : "read", got);
			return;
		}
	check(true, name, "%s", "");
}

static bool is_ram(u64 ipa)
{
	return ipa >= ram_base() && ipa < ram_base() + ram_size();
}

/* Below RAM, just past it, and at powers of two below 2^ipa that are not RAM. */
static void check_unbacked_ranges(void)
{
	static const u64 below[] = { 0x0, 0x1000, 0x09001000, 0x10000000, 0x3effe000, 0x3fffe000 };
	u64 end = ram_base() + ram_size(), limit = 1ull << ipa_bits(), high[8];
	u64 past[] = { end, end + 0xff8, end + MiB(1) };
	unsigned n = 0;

	check_unbacked_list("hostile.below_ram_unbacked", below, ARRAY_SIZE(below));
	check_unbacked_list("hostile.past_ram_unbacked", past, end + MiB(2) <= limit ? 3 : 1);
	for (unsigned bits = 32; bits < ipa_bits() && n + 2 < ARRAY_SIZE(high); bits += 4)
		if (!is_ram(1ull << bits))
			high[n++] = 1ull << bits;
	if (!is_ram(limit / 2 + limit / 4))
		high[n++] = limit / 2 + limit / 4;
	if (!is_ram(limit - 8))
		high[n++] = limit - 8;
	check_unbacked_list("hostile.high_ipas_unbacked", high, n);
}

/* At and above 2^ipa: a data abort, address size fault level 0, FAR the address. */
static void check_beyond_limit(void)
{
	u64 limit = 1ull << ipa_bits(), v;
	u64 addrs[] = { limit, limit + 0xff8, limit << 1, 0x00fffffffffff000ull };
	unsigned n = ipa_bits() < 54 ? 4 : 2;

	for (unsigned i = 0; i < n; i++) {
		bool fl = try_load(addrs[i], 8, &v), ok;

		ok = fl && ESR_EC(g_fault.esr) == EC_DABT_CUR && ESR_FSC(g_fault.esr) == 0 &&
		     g_fault.far == addrs[i];
		if (ok) {
			fl = try_store(addrs[i], 8, 0);
			ok = fl && ESR_EC(g_fault.esr) == EC_DABT_CUR &&
			     ESR_FSC(g_fault.esr) == 0 && g_fault.far == addrs[i];
		}
		if (!ok) {
			check(false, "hostile.beyond_ipa_limit_abort",
			      "0x%llx: %s, ESR 0x%llx FAR 0x%llx (want EC 0x25 FSC 0 FAR = "
			      "address)",
			      addrs[i], fl ? "exception" : "no exception", g_fault.esr,
			      g_fault.far);
			return;
		}
	}
	check(true, "hostile.beyond_ipa_limit_abort", "%s", "");
}

void check_memory(void)
{
	if (under_umbra())
		printf("hostile: RAM 0x%llx-0x%llx, IPA limit 0x%llx\n", ram_base(),
		       ram_base() + ram_size(), 1ull << ipa_bits());
	if (!skip_unless_umbra("hostile.unbacked_memory"))
		check_unbacked_ranges();
	/* Off umbra this is the CPU's own check against its PA range (ipa_bits() = PARange). */
	check_beyond_limit();
}

/* Stores of each size to the read-only boot info page: external aborts; nothing changes. */
void check_boot_info_writes(void)
{
	static const unsigned sizes[4] = { 1, 2, 4, 8 };
	u64 magic = 0, size = 0;

	if (skip_unless_umbra("hostile.boot_info_writes"))
		return;
	for (unsigned i = 0; i < 4; i++) {
		bool f = try_store(BOOTINFO_IPA + 16, sizes[i], ~0ull);

		if (!f || ESR_EC(g_fault.esr) != EC_DABT_CUR || ESR_FSC(g_fault.esr) != FSC_SEA) {
			check(false, "hostile.boot_info_write_abort",
			      "%u-byte store: %s, ESR 0x%llx (want EC 0x25 FSC 0x10)", sizes[i],
			      f ? "exception" : "no exception", g_fault.esr);
			break;
		}
		if (i == 3)
			check(true, "hostile.boot_info_write_abort", "%s", "");
	}
	try_load(BOOTINFO_IPA, 8, &magic);
	try_load(BOOTINFO_IPA + 16, 8, &size);
	check(magic == BOOTINFO_MAGIC && size == g_boot.ram_size, "hostile.boot_info_unchanged",
	      "magic 0x%llx, RAM size 0x%llx (was 0x%llx)", magic, size, g_boot.ram_size);
}
