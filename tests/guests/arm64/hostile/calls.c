/* calls.c: hostile's calls: unknown function IDs, non-zero immediates, bad console writes. */
#include "hostile.h"

/* Function IDs umbra does not offer (docs/arm64.md): each must return -1 and change nothing. */
static const u32 unknown_fids[] = {
	0x00000000, 0x12345678, 0x3fffffff, /* yielding calls */
	0x8400ffff, 0xc400ffff,		    /* PSCI range, unassigned */
	0xc6000004, 0xc600ffff, 0x86000000, /* umbra's range, past its calls; the 32-bit range */
	0x82000000, 0xc3000000, 0xffffffff, /* SiP, OEM, all ones */
};

/* An HVC #1 or SMC #1 with HC_EXIT and status 0xbad: it must not end the guest. */
#define EXIT_IF_IGNORED 0xbad

static void check_unknown_ids(enum conduit c, const char *name)
{
	for (unsigned i = 0; i < ARRAY_SIZE(unknown_fids); i++) {
		s64 r = smccc(c, unknown_fids[i], 1, 2, 3);

		if (r != SMCCC_NOT_SUPPORTED) {
			check(false, name, "%s 0x%x returned %lld%s", conduit_name(c),
			      unknown_fids[i], r, r == SMCCC_TRAPPED ? " (trapped)" : "");
			return;
		}
	}
	check(true, name, "%s", "");
}

static void check_immediates(enum conduit c, const char *name)
{
	s64 v = smccc_imm1(c, HC_VERSION, 0), e = smccc_imm1(c, HC_EXIT, EXIT_IF_IGNORED);

	check(v == SMCCC_NOT_SUPPORTED && e == SMCCC_NOT_SUPPORTED, name,
	      "%s #1: HC_VERSION returned %lld, HC_EXIT returned %lld", conduit_name(c), v, e);
}

void check_calls(void)
{
	s64 r;

	if (skip_unless_umbra("hostile.calls"))
		return;
	check_unknown_ids(CONDUIT_HVC, "hostile.hvc_unknown_ids");
	check_unknown_ids(CONDUIT_SMC, "hostile.smc_unknown_ids");
	check_immediates(CONDUIT_HVC, "hostile.hvc_imm1_refused");
	check_immediates(CONDUIT_SMC, "hostile.smc_imm1_refused");
	/* SMCCC: the function ID is w0; the upper half of x0 is not part of it. */
	r = smccc_x0(CONDUIT_HVC, 0xffffffff00000000ull | HC_VERSION);
	check(r == HC_VERSION_1_0, "hostile.fid_upper_bits_ignored",
	      "x0 = 0xffffffff%08x gave %lld", HC_VERSION, r);
}

/* HC_CONSOLE_WRITE with addresses or lengths that are not a range of RAM: -22, nothing printed. */
void check_console_write(void)
{
	static const char msg[] = "hostile: THIS MUST NOT BE PRINTED\n";
	u64 end = ram_base() + ram_size(), limit = 1ull << ipa_bits();
	u64 buf = (u64)(uintptr_t)msg;
	const struct {
		const char *name;
		u64 ipa, len;
	} bad[] = {
		{ "hostile.console_write_ipa_0", 0, 16 },
		{ "hostile.console_write_ipa_limit", limit, 16 },
		{ "hostile.console_write_ipa_wraps", ~0ull - 7, 16 },
		{ "hostile.console_write_len_4097", buf, 4097 },
		{ "hostile.console_write_len_huge", buf, ~0ull },
		{ "hostile.console_write_crosses_ram_end", end - 8, 16 },
		{ "hostile.console_write_starts_below_ram", ram_base() - 8, 16 },
	};

	if (skip_unless_umbra("hostile.console_write_bad_ranges"))
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		s64 r = hcall(HC_CONSOLE_WRITE, bad[i].ipa, bad[i].len, 0);

		check(r == HC_EINVAL, bad[i].name, "IPA 0x%llx length 0x%llx returned %lld",
		      bad[i].ipa, bad[i].len, r);
	}
}

/* After the EL2 writes: umbra still answers, and stage 2 still guards the boot info page. */
void check_el2_state_intact(void)
{
	s64 v;
	bool f;

	if (skip_unless_umbra("hostile.el2_state_intact"))
		return;
	v = hcall(HC_VERSION, 0, 0, 0);
	f = try_store(BOOTINFO_IPA, 8, 0);
	check(v == HC_VERSION_1_0 && f && ESR_FSC(g_fault.esr) == FSC_SEA,
	      "hostile.el2_state_intact", "HC_VERSION 0x%llx, boot info write %s (ESR 0x%llx)",
	      (u64)v, f ? "aborted" : "went through", g_fault.esr);
}
