/* pl011.c: the host's Arm PL011 UART: polled output, line feeds sent as CR LF. */
#include "drivers/pl011.h"

#include "compiler.h"

#define PL011_DR 0x000
#define PL011_FR 0x018
#define PL011_CR 0x030
#define PL011_FR_TXFF BIT(5)
#define PL011_CR_UARTEN BIT(0)
#define PL011_CR_TXE BIT(8)

static volatile u32 *regs;

static u32 rd(u32 off)
{
	return regs[off / 4];
}

static void wr(u32 off, u32 v)
{
	regs[off / 4] = v;
}

void pl011_init(u64 base)
{
	regs = (volatile u32 *)(uintptr_t)base;
	wr(PL011_CR, rd(PL011_CR) | PL011_CR_UARTEN | PL011_CR_TXE);
}

static void putc_raw(char c)
{
	/* Bounded wait: a wedged UART must not hang the hypervisor. */
	for (u32 spin = 0; spin < 1000000 && (rd(PL011_FR) & PL011_FR_TXFF); spin++)
		;
	wr(PL011_DR, (u8)c);
}

void pl011_write(const char *s, size_t n)
{
	if (!regs)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}
