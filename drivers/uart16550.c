/* uart16550.c: polled output on a 16550-compatible UART, the host console. */
#include "drivers/uart16550.h"

#include "arch/x86/cpu.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLH 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1 0x03
#define LCR_DLAB BIT(7)
#define LSR_THRE BIT(5)
#define MCR_DTR_RTS_OUT2 0x0B
#define FCR_ENABLE_CLEAR 0x07
#define DIVISOR_115200 1

static u16 uart_port;

bool uart16550_init(u16 port)
{
	/* The scratch register reads back what was written on a real 16550. */
	outb((u16)(port + UART_SCR), 0x5A);
	if (inb((u16)(port + UART_SCR)) != 0x5A)
		return false;
	outb((u16)(port + UART_IER), 0);
	outb((u16)(port + UART_LCR), LCR_DLAB);
	outb((u16)(port + UART_DLL), DIVISOR_115200);
	outb((u16)(port + UART_DLH), 0);
	outb((u16)(port + UART_LCR), LCR_8N1);
	outb((u16)(port + UART_FCR), FCR_ENABLE_CLEAR);
	outb((u16)(port + UART_MCR), MCR_DTR_RTS_OUT2);
	uart_port = port;
	return true;
}

static void uart_putc(char c)
{
	/* Bounded wait: a wedged UART must not hang the hypervisor. */
	for (u32 spin = 0; spin < 100000; spin++) {
		if (inb((u16)(uart_port + UART_LSR)) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb((u16)(uart_port + UART_THR), (u8)c);
}

void uart16550_write(const char *s, size_t n)
{
	if (!uart_port)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}
