/* psci: PSCI 1.0 and SMCCC_VERSION by HVC and SMC, then the ending its command line asks for. */
#include "guest.h"

const char guest_name[] = "psci";

/* Where a CPU that CPU_ON wrongly started would go: it parks there. */
void parked_cpu(void);
__asm__(".text\n.balign 4\n.globl parked_cpu\nparked_cpu:\n1:\twfe\n\tb 1b\n");

/* The functions docs/arm64.md lists: PSCI_FEATURES answers 0 for each. */
static const struct {
	const char *name;
	u32 fid;
} listed[] = {
	{ "psci_version", PSCI_VERSION },   { "cpu_off", PSCI_CPU_OFF },
	{ "cpu_on", PSCI_CPU_ON },	    { "cpu_on64", PSCI_CPU_ON64 },
	{ "system_off", PSCI_SYSTEM_OFF },  { "system_reset", PSCI_SYSTEM_RESET },
	{ "psci_features", PSCI_FEATURES }, { "smccc_version", SMCCC_VERSION },
};

/* Function IDs nobody implements: PSCI_FEATURES answers NOT_SUPPORTED. */
static const u32 unknown_fids[] = { 0x840000ff, 0xc40000ff, 0xffffffff };

/* Off umbra: SMCCC_VERSION answered NOT_SUPPORTED (an SMCCC 1.0 implementation). */
static bool smccc_1_0;

/* "psci.<conduit>.<what><suffix>" in a static buffer (used before the next call). */
static const char *cname2(enum conduit c, const char *what, const char *suffix)
{
	static char buf[96];
	const char *parts[5] = { "psci.", conduit_name(c), ".", what, suffix };
	size_t n = 0;

	for (unsigned i = 0; i < 5; i++)
		for (const char *p = parts[i]; *p && n + 1 < sizeof(buf); p++)
			buf[n++] = *p;
	buf[n] = '\0';
	return buf;
}

static const char *cname(enum conduit c, const char *what)
{
	return cname2(c, what, "");
}

static void check_versions(enum conduit c)
{
	s64 v = smccc(c, PSCI_VERSION, 0, 0, 0), s = smccc(c, SMCCC_VERSION, 0, 0, 0);

	printf("psci: %s: PSCI_VERSION 0x%llx, SMCCC_VERSION 0x%llx\n", conduit_name(c), (u64)v,
	       (u64)s);
	if (under_umbra()) {
		check(v == PSCI_VERSION_1_0, cname(c, "psci_version"), "0x%llx", (u64)v);
		check(s == SMCCC_VERSION_1_1, cname(c, "smccc_version"), "0x%llx", (u64)s);
		return;
	}
	/* Elsewhere: PSCI 1.0 or later (PSCI_FEATURES), SMCCC 1.0 (no SMCCC_VERSION) or later. */
	smccc_1_0 = s == SMCCC_NOT_SUPPORTED;
	check(v >= PSCI_VERSION_1_0 && v < 0x7fffffff, cname(c, "psci_version"), "0x%llx", (u64)v);
	check(smccc_1_0 || (s >= SMCCC_VERSION_1_1 && s < 0x7fffffff), cname(c, "smccc_version"),
	      "0x%llx", (u64)s);
}

static void check_features(enum conduit c)
{
	for (unsigned i = 0; i < ARRAY_SIZE(listed); i++) {
		s64 r = smccc(c, PSCI_FEATURES, listed[i].fid, 0, 0);
		s64 want = listed[i].fid == SMCCC_VERSION && smccc_1_0 ? SMCCC_NOT_SUPPORTED : 0;

		check(r == want, cname2(c, "features_", listed[i].name),
		      "PSCI_FEATURES(0x%x) = %lld, want %lld", listed[i].fid, r, want);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(unknown_fids); i++) {
		s64 r = smccc(c, PSCI_FEATURES, unknown_fids[i], 0, 0);

		if (r != SMCCC_NOT_SUPPORTED) {
			check(false, cname(c, "features_unknown"), "PSCI_FEATURES(0x%x) = %lld",
			      unknown_fids[i], r);
			return;
		}
	}
	check(true, cname(c, "features_unknown"), "%s", "");
}

/* CPU_ON of this CPU (ALREADY_ON) and of CPUs that do not exist (INVALID_PARAMETERS). */
static void check_cpu_on(enum conduit c)
{
	u64 self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK, entry = (u64)(uintptr_t)parked_cpu;
	s64 on32 = smccc(c, PSCI_CPU_ON, self, entry, 0);
	s64 on64 = smccc(c, PSCI_CPU_ON64, self, entry, 0);
	s64 other = smccc(c, PSCI_CPU_ON64, self ^ 1, entry, 0);
	s64 other_aff1 = smccc(c, PSCI_CPU_ON, self ^ 0x100, entry, 0);

	check(on32 == PSCI_E_ALREADY_ON && on64 == PSCI_E_ALREADY_ON, cname(c, "cpu_on_self"),
	      "CPU_ON(0x%llx) = %lld (32-bit ID), %lld (64-bit ID), want -4", self, on32, on64);
	check(other == PSCI_E_INVALID_PARAMETERS && other_aff1 == PSCI_E_INVALID_PARAMETERS,
	      cname(c, "cpu_on_other"), "CPU_ON(0x%llx) = %lld, CPU_ON(0x%llx) = %lld, want -2",
	      self ^ 1, other, self ^ 0x100, other_aff1);
}

/* The way out: SYSTEM_OFF (default, "off"), SYSTEM_RESET ("reset") or CPU_OFF ("cpuoff"). */
static __noreturn void leave(void)
{
	u32 fid = PSCI_SYSTEM_OFF;
	const char *what = "SYSTEM_OFF";
	s64 r;

	if (cmdline_has("reset")) {
		fid = PSCI_SYSTEM_RESET;
		what = "SYSTEM_RESET";
	} else if (cmdline_has("cpuoff")) {
		fid = PSCI_CPU_OFF;
		what = "CPU_OFF";
	}
	print_summary();
	if (failures())
		guest_exit((u64)failures());
	printf("psci: ending with %s\n", what);
	r = smccc(CONDUIT_HVC, fid, 0, 0, 0);
	check(false, "psci.end", "%s returned %lld", what, r);
	guest_finish();
}

void guest_main(void)
{
	static const enum conduit conduits[2] = { CONDUIT_HVC, CONDUIT_SMC };

	printf("psci: %s, command line '%s'\n", under_umbra() ? "under umbra" : "not under umbra",
	       g_boot.cmdline);
	for (unsigned i = 0; i < 2; i++) {
		enum conduit c = conduits[i];

		if (smccc(c, PSCI_VERSION, 0, 0, 0) == SMCCC_TRAPPED) {
			skip(cname(c, "all"), "the instruction is UNDEFINED here");
			continue;
		}
		check_versions(c);
		check_features(c);
		check_cpu_on(c);
	}
	leave();
}
