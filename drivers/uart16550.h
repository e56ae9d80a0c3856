/* uart16550.h: the host's 16550 serial port driver. */
#ifndef UMBRA_UART16550_H
#define UMBRA_UART16550_H

#include "types.h"

#define COM1_PORT 0x3F8
#define COM2_PORT 0x2F8
#define COM3_PORT 0x3E8
#define COM4_PORT 0x2E8

/* Program 115200 8N1 on the port; returns false when no UART answers there. */
bool uart16550_init(u16 port);
void uart16550_write(const char *s, size_t n);

#endif
