/* start.c: the library's main, which _start calls: vectors, umbra detection, the checks. */
#include "guest.h"

void lib_main(void);

/* Called by lib/entry.S with the stack set up and .bss cleared. */
void lib_main(void)
{
	vectors_install();
	umbra_detect();
	guest_main();
	guest_finish();
}
