/* platform.c: port I/O (unhandled ports, the UART), fw_cfg and the hypercalls. */
#include "cpu.h"

/* A port nothing claims, on umbra and on QEMU's PC alike. */
#define PORT_NOBODY 0x300

#define UART_IER (COM1 + 1)
#define UART_LCR (COM1 + 3)
#define UART_MCR (COM1 + 4)
#define UART_LSR (COM1 + 5)
#define UART_SCR (COM1 + 7)
#define LCR_DLAB 0x80

static void check_unhandled_port(void)
{
	u32 b, w, l;

	outb(PORT_NOBODY, 0x12);
	outw(PORT_NOBODY, 0x3456);
	outl(PORT_NOBODY, 0x789abcde);
	b = inb(PORT_NOBODY);
	w = inw(PORT_NOBODY);
	l = inl(PORT_NOBODY);
	check(b == 0xff && w == 0xffff && l == 0xffffffff, "io.unhandled_port_all_ones",
	      "port 0x%x read 0x%x/0x%x/0x%x (byte/word/dword) after writes", PORT_NOBODY, b, w, l);
}

/* Write v to a UART register and read it back. */
static bool uart_rw(u16 port, u8 v, u8 *got)
{
	outb(port, v);
	*got = inb(port);
	return *got == v;
}

static void check_uart(void)
{
	u8 scr, lcr, ier, mcr, dll, dlm, lsr = inb(UART_LSR);
	bool ok;

	check((lsr & 0x60) == 0x60, "uart.lsr_transmitter_empty", "LSR 0x%x", lsr);
	ok = uart_rw(UART_SCR, 0x5a, &scr);
	ok = uart_rw(UART_LCR, 0x1b, &lcr) && ok;
	ok = uart_rw(UART_IER, 0x05, &ier) && ok;
	ok = uart_rw(UART_MCR, 0x0b, &mcr) && ok;
	outb(UART_IER, 0);
	outb(UART_LCR, 0x03 | LCR_DLAB);
	ok = uart_rw(COM1, 0x0c, &dll) && ok;
	ok = uart_rw(COM1 + 1, 0x01, &dlm) && ok;
	outb(COM1, 0x01); /* back to 115200 8N1 */
	outb(COM1 + 1, 0x00);
	outb(UART_LCR, 0x03);
	outb(UART_MCR, 0x03);
	check(ok, "uart.registers_read_back",
	      "SCR 0x%x (0x5a) LCR 0x%x (0x1b) IER 0x%x (0x05) MCR 0x%x (0x0b) DLL 0x%x (0x0c) DLM "
	      "0x%x (0x01)",
	      scr, lcr, ier, mcr, dll, dlm);
}

void check_ports(void)
{
	check_unhandled_port();
	check_uart();
}

void check_fwcfg(void)
{
	u8 sig[8], zero[4] = { 0 }, junk[4];
	u64 ram = 0, mb_end = boot_ram_end();
	u16 cpus = 0;
	u32 id = ~0u;

	fwcfg_read(0x0000, sig, sizeof(sig));
	check(memcmp(sig, "QEMU", 4) == 0, "fwcfg.signature", "signature %02x %02x %02x %02x",
	      sig[0], sig[1], sig[2], sig[3]);
	check(memcmp(sig + 4, zero, 4) == 0, "fwcfg.read_past_end_zero",
	      "bytes 4-7 of the signature: %02x %02x %02x %02x", sig[4], sig[5], sig[6], sig[7]);
	fwcfg_read(0x7fff, junk, sizeof(junk));
	check(memcmp(junk, zero, 4) == 0, "fwcfg.unknown_selector_zero",
	      "selector 0x7fff read %02x %02x %02x %02x", junk[0], junk[1], junk[2], junk[3]);
	fwcfg_read(0x0005, &cpus, sizeof(cpus));
	check(cpus >= 1, "fwcfg.cpu_count", "%u CPUs", cpus);
	/* RAM size against the Multiboot info (QEMU's BIOS keeps up to 1 MiB at the top). */
	fwcfg_read(0x0003, &ram, sizeof(ram));
	printf("cpu: fw_cfg RAM 0x%llx, Multiboot RAM end 0x%llx\n", ram, mb_end);
	check(ram >= MiB(1) && mb_end <= ram && ram - mb_end < MiB(1),
	      "fwcfg.ram_size_matches_multiboot",
	      "fw_cfg RAM 0x%llx, Multiboot says RAM ends at 0x%llx", ram, mb_end);
	if (skip_unless_umbra("fwcfg.id_zero"))
		return;
	fwcfg_read(0x0001, &id, sizeof(id));
	check(id == 0, "fwcfg.id_zero", "interface id 0x%x", id);
}

void check_hypercalls(void)
{
	static const char msg[] = "cpu: this line came through HC_CONSOLE_WRITE\n";
	u64 t0, t1;
	s32 r;

	if (skip_unless_umbra("hypercalls"))
		return;
	r = hcall(HC_VERSION, 0, 0, 0);
	check(r == HC_VERSION_1_0, "hc.version", "HC_VERSION returned 0x%x", (u32)r);
	r = hcall(HC_CONSOLE_WRITE, (u32)(size_t)msg, sizeof(msg) - 1, 0);
	check(r == (s32)sizeof(msg) - 1, "hc.console_write", "returned %d for %u bytes", r,
	      (u32)sizeof(msg) - 1);
	t0 = hypercall(HC_TIMESTAMP, 0, 0, 0);
	t1 = hypercall(HC_TIMESTAMP, 0, 0, 0);
	check(t1 > t0, "hc.timestamp_increases", "0x%llx then 0x%llx", t0, t1);
	r = hcall(0x1234, 0, 0, 0);
	check(r == HC_ENOSYS, "hc.unknown_enosys", "call 0x1234 returned %d", r);
	r = hcall(HC_TIMESTAMP + 1, 0, 0, 0);
	check(r == HC_ENOSYS, "hc.next_number_enosys", "call %d returned %d", HC_TIMESTAMP + 1, r);
}
