/* paging: the guest's own paging in 32-bit (4 KiB, 4 MiB), PAE (2 MiB) and 4-level long mode. */
#include "paging.h"

const char guest_name[] = "paging";

void guest_main(void)
{
	struct mode m;
	u64 ram = boot_ram_end();

	if (!check(ram >= MiB(16), "paging.ram", "needs 16 MiB of RAM, the boot info says 0x%llx",
		   ram))
		return;
	mode_pg32(&m);
	run_mode_checks(&m);
	mode_pae(&m);
	run_mode_checks(&m);
	if (mode_lm(&m))
		run_mode_checks(&m);
	else
		skip("lm", "no long mode");
}
