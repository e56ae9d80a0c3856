/* hello: the smallest test guest: a greeting, its command line and one check of the Multiboot info. */
#include "guest.h"

const char guest_name[] = "hello";

void guest_main(void)
{
	bool magic_ok = g_boot.magic == MB1_BOOT_MAGIC;
	bool mem_ok = (g_boot.flags & MB_INFO_MEM) && g_boot.mem_upper >= 1024;
	bool cmdline_ok = (g_boot.flags & MB_INFO_CMDLINE) != 0;

	printf("hello: guest started\n");
	printf("hello: loader '%s', command line '%s'\n",
	       (g_boot.flags & MB_INFO_LOADER) ? g_boot.loader : "(none)",
	       cmdline_ok ? g_boot.cmdline : "(none)");
	printf("hello: %u KiB low and %u KiB upper memory, %u memory map entries\n",
	       g_boot.mem_lower, g_boot.mem_upper, g_boot.nmmap);
	check(magic_ok && mem_ok && cmdline_ok, "hello.multiboot_info",
	      "magic 0x%x (want 0x%x), info 0x%x, flags 0x%x, mem_upper %u KiB", g_boot.magic,
	      MB1_BOOT_MAGIC, g_boot.info_addr, g_boot.flags, g_boot.mem_upper);
	if (!skip_unless_umbra("hello.loader_is_umbra"))
		check(memcmp(g_boot.loader, "umbra", 6) == 0, "hello.loader_is_umbra",
		      "loader name '%s'", g_boot.loader);
}
