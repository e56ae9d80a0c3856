/* console.c: COM1 output, one character at a time (printf is tests/guests/common/printf.c). */
#include "guest.h"

#define LSR_THRE 0x20

void putchar_serial(char c)
{
	if (c == '\n')
		putchar_serial('\r');
	for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & LSR_THRE); spin++)
		;
	outb(COM1, (u8)c);
}
