/* console.c: PL011 output and a small printf (%s %c %d %i %u %x %p, l/ll, width, 0 and - flags). */
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

void puts_serial(const char *s)
{
	while (*s)
		putchar_serial(*s++);
}

/* One conversion: its flags, width and the text it produced (digits are built backwards). */
struct conv {
	bool left, zero;
	int width, longs;
	char buf[24];
	const char *text;
	int len;
};

static void put_n(char c, int n)
{
	while (n-- > 0)
		putchar_serial(c);
}

/* Print c->text padded to the width; zero padding goes after a leading '-'. Returns chars. */
static int put_padded(const struct conv *c, bool number)
{
	int pad = c->width > c->len ? c->width - c->len : 0;
	const char *t = c->text;
	int len = c->len;

	if (c->left) {
		for (int i = 0; i < len; i++)
			putchar_serial(t[i]);
		put_n(' ', pad);
	} else if (c->zero && number) {
		if (*t == '-') {
			putchar_serial('-');
			t++;
			len--;
		}
		put_n('0', pad);
		for (int i = 0; i < len; i++)
			putchar_serial(t[i]);
	} else {
		put_n(' ', pad);
		for (int i = 0; i < len; i++)
			putchar_serial(t[i]);
	}
	return c->len + pad;
}

/* The digits of v in base, after prefix ("-", "0x" or ""). */
static void format_number(struct conv *c, u64 v, const char *prefix, unsigned base)
{
	char *p = c->buf + sizeof(c->buf);

	do {
		*--p = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	for (size_t i = strlen(prefix); i > 0; i--)
		*--p = prefix[i - 1];
	c->text = p;
	c->len = (int)(c->buf + sizeof(c->buf) - p);
}

/* Format the argument for conversion letter ch; false if ch is not one we know. */
static bool format_arg(struct conv *c, char ch, va_list *ap)
{
	s64 s;

	if (ch == 'd' || ch == 'i') {
		s = c->longs ? va_arg(*ap, s64) : va_arg(*ap, s32);
		format_number(c, s < 0 ? 0 - (u64)s : (u64)s, s < 0 ? "-" : "", 10);
	} else if (ch == 'u' || ch == 'x') {
		format_number(c, c->longs ? va_arg(*ap, u64) : va_arg(*ap, u32), "",
			      ch == 'x' ? 16 : 10);
	} else if (ch == 'p') {
		format_number(c, (u64)(uintptr_t)va_arg(*ap, void *), "0x", 16);
	} else if (ch == 's') {
		c->text = va_arg(*ap, const char *);
		c->text = c->text ? c->text : "(null)";
		c->len = (int)strlen(c->text);
	} else if (ch == 'c') {
		c->buf[0] = (char)va_arg(*ap, int);
		c->text = c->buf;
		c->len = 1;
	} else {
		return false;
	}
	return true;
}

int vprintf(const char *fmt, va_list ap)
{
	va_list aq;
	int n = 0;

	va_copy(aq, ap);
	while (*fmt) {
		struct conv c = { 0 };

		if (*fmt != '%' || fmt[1] == '%') {
			putchar_serial(*fmt);
			fmt += *fmt == '%' ? 2 : 1;
			n++;
			continue;
		}
		for (fmt++; *fmt == '-' || *fmt == '0'; fmt++)
			*(*fmt == '-' ? &c.left : &c.zero) = true;
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			c.width = c.width * 10 + (*fmt - '0');
		for (; *fmt == 'l'; fmt++)
			c.longs++;
		if (!*fmt)
			break;
		if (format_arg(&c, *fmt, &aq))
			n += put_padded(&c, *fmt != 's' && *fmt != 'c');
		fmt++;
	}
	va_end(aq);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
