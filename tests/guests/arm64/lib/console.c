/* console.c: PL011 output, one character at a time (printf is tests/guests/common/printf.c). */
#include "guest.h"

void putchar_serial(char c)
{
	if (c == '\n')
		putchar_serial('\r');
	/* Wait while the transmit FIFO is full (bounded: a stuck FR must not hang the guest). */
	for (int spin = 0; spin < 100000 && (mmio_read(PL011_BASE + PL011_FR, 4) & PL011_FR_TXFF);
	     spin++)
		;
	mmio_write(PL011_BASE + PL011_DR, 4, (u8)c);
}
