/* start.c: the library's main, COM1 setup, the Multiboot info, and the exit through port 0xF4. */
#include "guest.h"

struct boot_info g_boot;

void lib_main(u32 magic, u32 info);

void guest_exit(u32 status)
{
	outl(DEBUG_EXIT_PORT, status);
	if (under_umbra())
		hcall(HC_EXIT, status, 0, 0);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Copy a string the loader gave us, bounded, into our own storage. */
static void copy_str(char *dst, size_t size, u32 src)
{
	const char *s = (const char *)(size_t)src;
	size_t i = 0;

	for (; s && s[i] && i + 1 < size; i++)
		dst[i] = s[i];
	dst[i] = '\0';
}

/* Multiboot1 memory map entries: u32 size (not counting itself), u64 addr, u64 len, u32 type. */
static void copy_mmap(u32 addr, u32 length)
{
	for (u32 off = 0; off + 24 <= length && g_boot.nmmap < BOOT_MMAP_MAX;) {
		const u8 *e = (const u8 *)(size_t)(addr + off);
		u32 size;
		struct boot_mmap *m = &g_boot.mmap[g_boot.nmmap++];

		memcpy(&size, e, 4);
		memcpy(&m->addr, e + 4, 8);
		memcpy(&m->len, e + 12, 8);
		memcpy(&m->type, e + 20, 4);
		off += size + 4;
	}
}

static void save_boot_info(u32 magic, u32 info)
{
	const u32 *mbi = (const u32 *)(size_t)info;

	g_boot.magic = magic;
	g_boot.info_addr = info;
	if (magic != MB1_BOOT_MAGIC || !info)
		return;
	g_boot.flags = mbi[0];
	if (g_boot.flags & MB_INFO_MEM) {
		g_boot.mem_lower = mbi[1];
		g_boot.mem_upper = mbi[2];
	}
	if (g_boot.flags & MB_INFO_CMDLINE)
		copy_str(g_boot.cmdline, sizeof(g_boot.cmdline), mbi[4]);
	if (g_boot.flags & MB_INFO_MMAP)
		copy_mmap(mbi[12], mbi[11]);
	if (g_boot.flags & MB_INFO_LOADER)
		copy_str(g_boot.loader, sizeof(g_boot.loader), mbi[16]);
}

u64 boot_ram_end(void)
{
	u64 end = 0;

	if (g_boot.flags & MB_INFO_MEM)
		return MiB(1) + (u64)g_boot.mem_upper * 1024;
	for (u32 i = 0; i < g_boot.nmmap; i++) {
		const struct boot_mmap *m = &g_boot.mmap[i];
		if (m->type == 1 && m->addr + m->len > end && m->addr + m->len <= 0x100000000ull)
			end = m->addr + m->len;
	}
	return end;
}

static void serial_init(void)
{
	outb(COM1 + 1, 0x00); /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB: divisor latch */
	outb(COM1 + 0, 0x01); /* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03); /* 8N1 */
	outb(COM1 + 4, 0x03); /* DTR, RTS */
}

void lib_main(u32 magic, u32 info)
{
	serial_init();
	save_boot_info(magic, info);
	idt32_init();
	guest_main();
	guest_finish();
}
