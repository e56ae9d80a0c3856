/* call.c: HVC/SMC calls (SMC Calling Convention), umbra detection, the boot info page, exit. */
#include "guest.h"

struct boot_info g_boot;
static s64 hc_version = SMCCC_TRAPPED;
static bool umbra;

/*
 * x0-x3 carry the function ID, the arguments and the results; SMCCC 1.0
 * lets the callee clobber x4-x17 as well. The caller arms the fault
 * handler, so an HVC or SMC that is UNDEFINED resumes after itself.
 */
#define SMCCC_CLOBBERS                                                                       \
	"x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", \
		"x17", "memory"

static u64 raw_call(enum conduit c, bool imm1, u64 fid, u64 a1, u64 a2, u64 a3)
{
	register u64 x0 __asm__("x0") = fid;
	register u64 x1 __asm__("x1") = a1;
	register u64 x2 __asm__("x2") = a2;
	register u64 x3 __asm__("x3") = a3;

	if (c == CONDUIT_HVC && !imm1)
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : SMCCC_CLOBBERS);
	else if (c == CONDUIT_HVC)
		__asm__ volatile("hvc #1"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : SMCCC_CLOBBERS);
	else if (!imm1)
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : SMCCC_CLOBBERS);
	else
		__asm__ volatile("smc #1"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : SMCCC_CLOBBERS);
	return x0;
}

static s64 guarded_call(enum conduit c, bool imm1, u64 fid, u64 a1, u64 a2, u64 a3)
{
	u64 r;

	fault_expect(RESUME_NEXT);
	r = raw_call(c, imm1, fid, a1, a2, a3);
	return fault_taken() ? SMCCC_TRAPPED : (s64)r;
}

s64 smccc(enum conduit c, u32 fid, u64 a1, u64 a2, u64 a3)
{
	return guarded_call(c, false, fid, a1, a2, a3);
}

s64 smccc_imm1(enum conduit c, u32 fid, u64 a1)
{
	return guarded_call(c, true, fid, a1, 0, 0);
}

s64 smccc_x0(enum conduit c, u64 x0)
{
	return guarded_call(c, false, x0, 0, 0, 0);
}

const char *conduit_name(enum conduit c)
{
	return c == CONDUIT_HVC ? "hvc" : "smc";
}

s64 hcall(u32 fid, u64 a1, u64 a2, u64 a3)
{
	return smccc(CONDUIT_HVC, fid, a1, a2, a3);
}

bool under_umbra(void)
{
	return umbra;
}

s64 hc_version_at_start(void)
{
	return hc_version;
}

/* Copy the boot info page if x0 names it and it holds the magic (every read may fault). */
static void read_boot_info(void)
{
	u64 page = g_entry.x[0], w[4], c;

	if (page != BOOTINFO_IPA)
		return;
	for (unsigned i = 0; i < 4; i++)
		if (try_load(page + 8 * i, 8, &w[i]))
			return;
	if (w[0] != BOOTINFO_MAGIC)
		return;
	g_boot = (struct boot_info){ true, w[0], w[1], w[2], w[3], { 0 } };
	for (unsigned i = 0; i + 1 < sizeof(g_boot.cmdline); i++) {
		if (try_load(page + BOOTINFO_CMDLINE + i, 1, &c) || !c)
			break;
		g_boot.cmdline[i] = (char)c;
	}
}

void umbra_detect(void)
{
	read_boot_info();
	hc_version = hcall(HC_VERSION, 0, 0, 0);
	umbra = g_boot.valid && hc_version == HC_VERSION_1_0;
}

unsigned pa_range_bits(void)
{
	static const u8 bits[] = { 32, 36, 40, 42, 44, 48, 52 };
	u64 r = MMFR0_PARANGE(read_sysreg(id_aa64mmfr0_el1));

	return r < ARRAY_SIZE(bits) ? bits[r] : 52;
}

u64 ram_base(void)
{
	return g_boot.valid ? g_boot.ram_base : RAM_BASE;
}

u64 ram_size(void)
{
	return g_boot.valid ? g_boot.ram_size : 0;
}

unsigned ipa_bits(void)
{
	return g_boot.valid ? (unsigned)g_boot.ipa_bits : pa_range_bits();
}

/*
 * Under umbra HC_EXIT. Should that return, or elsewhere, PSCI: SYSTEM_OFF
 * (a pass for umbra), or under umbra with failures SYSTEM_RESET (a fail).
 */
void guest_exit(u64 status)
{
	u32 fid = PSCI_SYSTEM_OFF;

	if (umbra) {
		hcall(HC_EXIT, status, 0, 0);
		printf("%s: HC_EXIT returned\n", guest_name);
		if (status)
			fid = PSCI_SYSTEM_RESET;
	}
	smccc(CONDUIT_HVC, fid, 0, 0, 0);
	smccc(CONDUIT_SMC, fid, 0, 0, 0);
	printf("%s: nothing ended the guest; spinning\n", guest_name);
	for (;;)
		__asm__ volatile("wfi");
}
