/* format.c: kvsnprintf, the hypervisor's own printf formatter (no floating point). */
#include "core/log.h"

struct out {
	char *buf;
	size_t size;
	size_t pos; /* characters produced, may exceed size */
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

struct spec {
	int width;
	bool zero;
	bool left;
	int lng; /* 0 int, 1 long, 2 long long, 3 size_t */
};

static void put_padded(struct out *o, const char *s, size_t len, const struct spec *sp)
{
	size_t pad = sp->width > 0 && (size_t)sp->width > len ? (size_t)sp->width - len : 0;
	char padc = sp->zero && !sp->left ? '0' : ' ';

	/* Zero padding goes after a sign. */
	if (padc == '0' && len && s[0] == '-') {
		put(o, '-');
		s++;
		len--;
	}
	if (!sp->left)
		while (pad--)
			put(o, padc);
	for (size_t i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		while (pad--)
			put(o, ' ');
}

static void put_number(struct out *o, u64 v, bool neg, unsigned base, bool upper,
		       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = sizeof(tmp);

	do {
		tmp[--n] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[--n] = '-';
	put_padded(o, tmp + n, sizeof(tmp) - (size_t)n, sp);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ 0 };
	for (;; f++) {
		if (*f == '0')
			sp->zero = true;
		else if (*f == '-')
			sp->left = true;
		else
			break;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == 'z') {
		sp->lng = 3;
		f++;
	}
	while (*f == 'l') {
		sp->lng++;
		f++;
	}
	return f;
}

static u64 arg_unsigned(va_list *ap, int lng)
{
	if (lng == 0)
		return va_arg(*ap, unsigned int);
	if (lng == 3)
		return va_arg(*ap, size_t);
	return lng == 1 ? va_arg(*ap, unsigned long) : va_arg(*ap, unsigned long long);
}

static s64 arg_signed(va_list *ap, int lng)
{
	if (lng == 0)
		return va_arg(*ap, int);
	if (lng == 3)
		return (s64)va_arg(*ap, size_t);
	return lng == 1 ? va_arg(*ap, long) : va_arg(*ap, long long);
}

static void convert(struct out *o, char c, const struct spec *sp, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		s64 v = arg_signed(ap, sp->lng);
		put_number(o, v < 0 ? -(u64)v : (u64)v, v < 0, 10, false, sp);
		break;
	}
	case 'u':
		put_number(o, arg_unsigned(ap, sp->lng), false, 10, false, sp);
		break;
	case 'x':
	case 'X':
		put_number(o, arg_unsigned(ap, sp->lng), false, 16, c == 'X', sp);
		break;
	case 'p': {
		struct spec ps = { .width = 16, .zero = true };
		put(o, '0');
		put(o, 'x');
		put_number(o, (u64)(uintptr_t)va_arg(*ap, void *), false, 16, false, &ps);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		size_t len = 0;
		if (!s)
			s = "(null)";
		while (s[len])
			len++;
		put_padded(o, s, len, sp);
		break;
	}
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		put_padded(o, &ch, 1, sp);
		break;
	}
	case '%':
		put(o, '%');
		break;
	default:
		put(o, '%');
		if (c)
			put(o, c);
		break;
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		struct spec sp;
		fmt = parse_spec(fmt + 1, &sp);
		convert(&o, *fmt, &sp, &aq);
		if (*fmt)
			fmt++;
	}
	va_end(aq);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return (int)o.pos;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
