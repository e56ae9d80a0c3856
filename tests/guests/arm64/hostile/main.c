/* hostile: EL2 registers, memory it does not own, odd calls, bad console writes; then exits. */
#include "hostile.h"

const char guest_name[] = "hostile";

/*
 * Every try is expected to fail harmlessly: an UNDEFINED exception, an
 * abort, all ones, or -1/-22 back. A well-behaved hypervisor makes every
 * check pass; the guest then leaves through HC_EXIT with its failure count.
 */
void guest_main(void)
{
	printf("hostile: trying to get out (%s)\n",
	       under_umbra() ? "under umbra" : "not under umbra: only the harmless tries");
	check_el2_registers();
	check_impdef_registers();
	check_debug_pmu_registers();
	check_memory();
	check_boot_info_writes();
	check_calls();
	check_console_write();
	check_el2_state_intact();
}
