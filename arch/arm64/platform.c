/* platform.c: ending the run on arm64: semihosting SYS_EXIT, else PSCI SYSTEM_OFF, else WFI forever. */
#include "arch/arm64/arm64.h"
#include "arch/arm64/sysreg.h"
#include "core/console.h"
#include "core/platform.h"

/*
 * QEMU started with -semihosting-config enable=on exits with the status
 * SYS_EXIT (0x18) passes: a block { ADP_Stopped_ApplicationExit, code },
 * the AArch64 form. umbra gives 0 for pass and 1 for fail. Without that
 * option the HLT #0xF000 that makes the call is an undefined instruction:
 * trap.c sees it, marks semihosting absent and skips it. Then PSCI
 * SYSTEM_OFF (QEMU virt with virtualization=on takes PSCI calls by SMC
 * from EL2) powers the machine off; the status line is what tells.
 */
#define SEMIHOST_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
#define PSCI_SYSTEM_OFF 0x84000008

static enum exit_mode exit_mode = EXIT_AUTO;
static bool psci_present, psci_smc;
bool semihosting_absent;

void platform_set_exit_mode(enum exit_mode mode)
{
	exit_mode = mode;
}

void platform_set_psci(bool present, bool smc)
{
	psci_present = present;
	psci_smc = smc;
}

static void semihost_exit(bool pass)
{
	static u64 block[2];
	register u64 x0 __asm__("x0") = SEMIHOST_SYS_EXIT;
	register u64 x1 __asm__("x1") = (u64)(uintptr_t)block;

	block[0] = ADP_STOPPED_APPLICATION_EXIT;
	block[1] = pass ? 0 : 1;
	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
}

static void psci_off(void)
{
	register u64 x0 __asm__("x0") = PSCI_SYSTEM_OFF;

	/* From EL2 only SMC reaches firmware. At EL1 (no EL2 at all, see
	 * boot.c) an "hvc" method reaches it by HVC, as on QEMU virt. */
	if (psci_smc)
		__asm__ volatile("smc #0"
				 : "+r"(x0)
				 :
				 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
				   "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	else if (FIELD_GET(CURRENTEL_EL, read_sysreg(CurrentEL)) == 1)
		__asm__ volatile("hvc #0"
				 : "+r"(x0)
				 :
				 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
				   "x11", "x12", "x13", "x14", "x15", "x16", "x17", "memory");
}

void platform_exit(bool pass)
{
	kprintf("umbra: exit status=%s\n", pass ? "pass" : "fail");
	if (exit_mode == EXIT_AUTO || exit_mode == EXIT_QEMU) {
		semihost_exit(pass);
		if (psci_present)
			psci_off();
	}
	kprintf("umbra: halted\n");
	for (;;)
		__asm__ volatile("wfi");
}
