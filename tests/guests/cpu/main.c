/* cpu: the CPU model a guest sees: CPUID, MSRs, port I/O, fw_cfg, hypercalls and long mode. */
#include "cpu.h"

const char guest_name[] = "cpu";

/* The #GP handler itself: a selector beyond the GDT limit faults with that selector as error code. */
static void check_gp_handler(void)
{
	int f = load_fs_safe(0xfff8);

	check(f == VEC_GP && g_fault.error == 0xfff8, "trap.gp_error_code",
	      "loading FS with 0xfff8 raised %d with error code 0x%x", f, g_fault.error);
}

void guest_main(void)
{
	printf("cpu: checking CPUID, MSRs, ports, fw_cfg, hypercalls and CPU modes (%s)\n",
	       under_umbra() ? "under umbra" : "not under umbra");
	check_gp_handler();
	check_cpuid();
	check_msrs();
	check_ports();
	check_fwcfg();
	check_hypercalls();
	check_long_mode();
}
