/* printf.c: puts_serial and a small printf (%s %c %d %i %u %x %p, l/ll, width, 0 and - flags). */
#include "guest.h"

void puts_serial(const char *s)
{
	while (*s)
		putchar_serial(*s++);
}

struct spec {
	int width;
	bool zero, left;
	int longs; /* 0, 1 (l) or 2 (ll) */
};

/*
 * Divide *n by 10 and return the remainder with 32-bit divisions only (a
 * 64-bit one would call libgcc on i386): the high word, then the low word
 * 16 bits at a time, each step's remainder (< 10) carried into the next.
 */
static u32 divmod10(u64 *n)
{
	u32 hi = (u32)(*n >> 32), lo = (u32)*n;
	u32 qhi = hi / 10, mid = (hi % 10) << 16 | lo >> 16;
	u32 qmid = mid / 10, low = (mid % 10) << 16 | (lo & 0xffff);

	*n = (u64)qhi << 32 | qmid << 16 | low / 10;
	return low % 10;
}

u64 div64(u64 n, u64 d)
{
	u64 q = 0, r = 0;

	for (int i = 63; i >= 0; i--) {
		r = r << 1 | ((n >> i) & 1);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	return q;
}

static int emit(const char *s, int len, const struct spec *sp, bool numeric)
{
	int pad = sp->width > len ? sp->width - len : 0, n = 0;
	char fill = sp->zero && numeric && !sp->left ? '0' : ' ';

	if (numeric && fill == '0' && len > 0 && *s == '-') {
		putchar_serial(*s++);
		len--;
		n++;
	}
	for (; !sp->left && pad > 0; pad--, n++)
		putchar_serial(fill);
	for (int i = 0; i < len; i++, n++)
		putchar_serial(s[i]);
	for (; sp->left && pad > 0; pad--, n++)
		putchar_serial(' ');
	return n;
}

static int emit_number(u64 v, bool neg, u32 base, const struct spec *sp)
{
	char buf[24];
	int i = sizeof(buf);

	do {
		u32 digit = base == 16 ? (u32)(v & 15) : divmod10(&v);
		if (base == 16)
			v >>= 4;
		buf[--i] = "0123456789abcdef"[digit];
	} while (v);
	if (neg)
		buf[--i] = '-';
	return emit(buf + i, (int)sizeof(buf) - i, sp, true);
}

static const char *parse_spec(const char *p, struct spec *sp)
{
	*sp = (struct spec){ 0 };
	for (;; p++) {
		if (*p == '0')
			sp->zero = true;
		else if (*p == '-')
			sp->left = true;
		else
			break;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		sp->width = sp->width * 10 + (*p - '0');
	for (; *p == 'l'; p++)
		sp->longs++;
	return p;
}

/* True when the argument is 64 bits wide: ll, or l where long is (arm64, not i386). */
static bool wide(const struct spec *sp)
{
	return sp->longs == 2 || (sp->longs == 1 && sizeof(long) == 8);
}

static int emit_conv(char conv, const struct spec *sp, va_list *ap)
{
	u64 u;
	s64 s;
	const char *str;
	char c;

	switch (conv) {
	case 'd':
	case 'i':
		s = wide(sp) ? va_arg(*ap, s64) : va_arg(*ap, s32);
		return emit_number(s < 0 ? -(u64)s : (u64)s, s < 0, 10, sp);
	case 'u':
	case 'x':
		u = wide(sp) ? va_arg(*ap, u64) : va_arg(*ap, u32);
		return emit_number(u, false, conv == 'x' ? 16 : 10, sp);
	case 'p':
		putchar_serial('0');
		putchar_serial('x');
		return 2 + emit_number((u64)(uintptr_t)va_arg(*ap, void *), false, 16, sp);
	case 's':
		str = va_arg(*ap, const char *);
		str = str ? str : "(null)";
		return emit(str, (int)strlen(str), sp, false);
	case 'c':
		c = (char)va_arg(*ap, int);
		return emit(&c, 1, sp, false);
	default:
		putchar_serial('%');
		putchar_serial(conv);
		return 2;
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct spec sp;
	int n = 0;
	va_list aq;

	va_copy(aq, ap);
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			putchar_serial(*p);
			n++;
			continue;
		}
		p = parse_spec(p + 1, &sp);
		if (!*p)
			break;
		if (*p == '%') {
			putchar_serial('%');
			n++;
			continue;
		}
		n += emit_conv(*p, &sp, &aq);
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
