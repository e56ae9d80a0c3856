/* platform.c: ending the run on x86: QEMU's isa-debug-exit, the Bochs shutdown port, or halt. */
#include "arch/x86/cpu.h"
#include "core/console.h"
#include "core/platform.h"

/*
 * Emulators give a test harness a way out:
 *   QEMU  -device isa-debug-exit,iobase=0xf4: writing v exits with (v << 1) | 1,
 *         so pass (0) gives status 1 and fail (1) gives status 3.
 *         QEMU is recognised by its fw_cfg signature "QEMU" at ports 0x510/0x511.
 *   Bochs port 0x8900: the bytes "Shutdown" end the simulation. Bochs is
 *         recognised by its port 0xE9 hack, which reads back 0xE9.
 * On anything else (real hardware) umbra halts the CPU.
 */
#define QEMU_DEBUG_EXIT_PORT 0xF4
#define QEMU_FW_CFG_SELECTOR 0x510
#define QEMU_FW_CFG_DATA 0x511
#define BOCHS_E9_PORT 0xE9
#define BOCHS_SHUTDOWN_PORT 0x8900

static enum exit_mode exit_mode = EXIT_AUTO;

void platform_set_exit_mode(enum exit_mode mode)
{
	exit_mode = mode;
}

static bool is_qemu(void)
{
	static const char sig[4] = { 'Q', 'E', 'M', 'U' };
	outw(QEMU_FW_CFG_SELECTOR, 0); /* FW_CFG_SIGNATURE */
	for (int i = 0; i < 4; i++) {
		if (inb(QEMU_FW_CFG_DATA) != (u8)sig[i])
			return false;
	}
	return true;
}

static bool is_bochs(void)
{
	return inb(BOCHS_E9_PORT) == BOCHS_E9_PORT;
}

static void qemu_exit(bool pass)
{
	outl(QEMU_DEBUG_EXIT_PORT, pass ? 0 : 1);
}

static void bochs_exit(void)
{
	static const char cmd[] = "Shutdown";
	for (unsigned i = 0; i < sizeof(cmd) - 1; i++)
		outb(BOCHS_SHUTDOWN_PORT, (u8)cmd[i]);
}

void platform_exit(bool pass)
{
	enum exit_mode mode = exit_mode;

	kprintf("umbra: exit status=%s\n", pass ? "pass" : "fail");
	if (mode == EXIT_AUTO)
		mode = is_qemu() ? EXIT_QEMU : is_bochs() ? EXIT_BOCHS : EXIT_HALT;
	if (mode == EXIT_QEMU)
		qemu_exit(pass);
	else if (mode == EXIT_BOCHS)
		bochs_exit();
	/* Still here: no exit device answered. */
	kprintf("umbra: halted\n");
	cpu_halt_forever();
}
