/* vuart.c: the guest's 16550 UART (COM1), output only, assembled into console lines. */
#include "drivers/vplat.h"

/* Register offsets from the base port (National PC16550D data sheet). */
#define UART_RBR_THR 0 /* DLAB=1: divisor latch low */
#define UART_IER 1     /* DLAB=1: divisor latch high */
#define UART_IIR_FCR 2 /* IIR on read, FCR on write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define LCR_DLAB BIT(7)
#define FCR_FIFO_ENABLE BIT(0)
#define IIR_NO_INT BIT(0)
#define IIR_FIFOS_ON GENMASK(7, 6)
#define LSR_THRE BIT(5) /* transmit holding register empty */
#define LSR_TEMT BIT(6) /* transmitter empty */
#define MCR_DTR BIT(0)
#define MCR_RTS BIT(1)
#define MCR_OUT1 BIT(2)
#define MCR_OUT2 BIT(3)
#define MCR_LOOP BIT(4)
#define MSR_CTS BIT(4)
#define MSR_DSR BIT(5)
#define MSR_RI BIT(6)
#define MSR_DCD BIT(7)
/* A terminal that is there and ready: carrier, data set ready, clear to send. */
#define MSR_IDLE (MSR_DCD | MSR_DSR | MSR_CTS)

#define CH_PRINTABLE_FIRST 0x20
#define CH_DEL 0x7F
#define CH_REPLACEMENT '?'

void vuart_reset(struct vuart *u)
{
	*u = (struct vuart){ 0 };
}

static void emit(struct vplat *p)
{
	struct vuart *u = &p->uart;

	u->line[u->len] = '\0';
	if (p->console_line)
		p->console_line(p->console_ctx, p->name, u->line);
	u->len = 0;
}

/*
 * One character to the line buffer. '\n' ends the line, '\r' is dropped,
 * other control characters and bytes above 0x7E become '?' so a guest
 * cannot send escape sequences to the host's terminal.
 */
void vuart_putc(struct vplat *p, u8 c)
{
	struct vuart *u = &p->uart;

	if (c == '\n') {
		emit(p);
		return;
	}
	if (c == '\r')
		return;
	if (c != '\t' && (c < CH_PRINTABLE_FIRST || c >= CH_DEL))
		c = CH_REPLACEMENT;
	u->line[u->len++] = (char)c;
	if (u->len >= VUART_LINE_MAX)
		emit(p);
}

void vuart_flush(struct vplat *p)
{
	if (p->uart.len)
		emit(p);
}

/* In loopback the modem inputs follow the modem outputs (the probe Linux runs). */
static u8 modem_status(const struct vuart *u)
{
	u8 v = 0;

	if (!(u->mcr & MCR_LOOP))
		return MSR_IDLE;
	if (u->mcr & MCR_DTR)
		v |= MSR_DSR;
	if (u->mcr & MCR_RTS)
		v |= MSR_CTS;
	if (u->mcr & MCR_OUT1)
		v |= MSR_RI;
	if (u->mcr & MCR_OUT2)
		v |= MSR_DCD;
	return v;
}

u8 vuart_read(struct vuart *u, u8 off)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (off) {
	case UART_RBR_THR:
		return dlab ? u->dll : 0; /* nothing is ever received */
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR_FCR:
		return (u8)(IIR_NO_INT | ((u->fcr & FCR_FIFO_ENABLE) ? IIR_FIFOS_ON : 0));
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		return (u8)(LSR_THRE | LSR_TEMT);
	case UART_MSR:
		return modem_status(u);
	case UART_SCR:
		return u->scr;
	default:
		return 0xFF;
	}
}

void vuart_write(struct vplat *p, u8 off, u8 v)
{
	struct vuart *u = &p->uart;
	bool dlab = u->lcr & LCR_DLAB;

	switch (off) {
	case UART_RBR_THR:
		if (dlab)
			u->dll = v;
		else if (!(u->mcr & MCR_LOOP))
			vuart_putc(p, v);
		break;
	case UART_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v;
		break;
	case UART_IIR_FCR:
		u->fcr = (u8)(v & FCR_FIFO_ENABLE);
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		u->mcr = v;
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:
		break; /* LSR and MSR are read-only */
	}
}
