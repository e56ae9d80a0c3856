/* vplat.c: one VM's emulated platform: port and MMIO dispatch, debug exit, unbacked accesses. */
#include "drivers/vplat.h"

#include "core/kstring.h"
#include "err.h"

#define FWCFG_SELECTOR_SIZE 2

void vplat_init(struct vplat *p, const char *name, u64 ram_size, u32 ncpus, console_line_fn fn,
		void *ctx)
{
	size_t n = name ? strnlen(name, VPLAT_NAME_MAX - 1) : 0;

	memset(p, 0, sizeof(*p));
	if (n)
		memcpy(p->name, name, n);
	p->name[n] = '\0';
	p->ram_size = ram_size;
	p->ncpus = ncpus;
	p->console_line = fn;
	p->console_ctx = ctx;
	vuart_reset(&p->uart);
}

void vplat_enable_pl011(struct vplat *p, u64 base)
{
	p->pl011_base = base;
	vpl011_reset(&p->pl011);
}

void vplat_flush(struct vplat *p)
{
	vuart_flush(p);
}

void vplat_console_write(struct vplat *p, const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		vuart_putc(p, (u8)buf[i]);
}

/* The UART's registers are bytes: a wider access covers consecutive ports. */
static void uart_pio(struct vplat *p, u16 port, u8 size, bool in, u32 *val)
{
	u32 out = 0;

	for (unsigned i = 0; i < size; i++) {
		u32 off = (u32)port + i - VPLAT_UART_BASE;
		if (off >= VPLAT_UART_PORTS) {
			out |= 0xFFu << (8 * i);
			continue;
		}
		if (in)
			out |= (u32)vuart_read(&p->uart, (u8)off) << (8 * i);
		else
			vuart_write(p, (u8)off, (u8)(*val >> (8 * i)));
	}
	if (in)
		*val = out;
}

/* 0x510: a 16-bit write selects an item; 0x511: an 8-bit read returns its next byte. */
static void fwcfg_pio(struct vplat *p, u16 port, u8 size, bool in, u32 *val)
{
	if (!in && port == VPLAT_FWCFG_SEL_PORT && size == FWCFG_SELECTOR_SIZE) {
		vfwcfg_select(p, (u16)*val);
		return;
	}
	if (in && port == VPLAT_FWCFG_DATA_PORT && size == 1) {
		*val = vfwcfg_read_byte(p);
		return;
	}
	if (in)
		*val = (u32)vplat_ones(size);
}

static void debug_exit_pio(struct vplat *p, u8 size, bool in, u32 *val)
{
	if (in) {
		*val = (u32)vplat_ones(size);
		return;
	}
	if (!p->exit_requested) {
		p->exit_requested = true;
		p->exit_status = *val & (u32)vplat_ones(size);
	}
}

int vplat_pio(struct vplat *p, u16 port, u8 size, bool in, u32 *val)
{
	if (size != 1 && size != 2 && size != 4) {
		if (in)
			*val = ~0u;
		return -ERR_INVAL;
	}
	if (port >= VPLAT_UART_BASE && port < VPLAT_UART_BASE + VPLAT_UART_PORTS) {
		uart_pio(p, port, size, in, val);
		return VPLAT_DEVICE;
	}
	if (port == VPLAT_DEBUG_EXIT_PORT) {
		debug_exit_pio(p, size, in, val);
		return VPLAT_DEVICE;
	}
	if (port == VPLAT_FWCFG_SEL_PORT || port == VPLAT_FWCFG_DATA_PORT) {
		fwcfg_pio(p, port, size, in, val);
		return VPLAT_DEVICE;
	}
	if (in)
		*val = (u32)vplat_ones(size);
	p->unbacked_pio++;
	return VPLAT_UNBACKED;
}

int vplat_mmio(struct vplat *p, u64 gpa, u8 size, bool write, u64 *val)
{
	if (size != 1 && size != 2 && size != 4 && size != 8) {
		if (!write)
			*val = ~0ULL;
		return -ERR_INVAL;
	}
	if (p->pl011_base && gpa >= p->pl011_base && gpa - p->pl011_base < VPLAT_PL011_SIZE) {
		if (!vpl011_access(p, gpa - p->pl011_base, size, write, val))
			p->pl011_bad++;
		return VPLAT_DEVICE;
	}
	if (gpa >= VPLAT_TESTDEV_BASE && gpa - VPLAT_TESTDEV_BASE < VPLAT_TESTDEV_SIZE) {
		if (!vtestdev_access(&p->testdev, gpa - VPLAT_TESTDEV_BASE, size, write, val))
			p->testdev_bad++;
		return VPLAT_DEVICE;
	}
	if (!write)
		*val = vplat_ones(size);
	p->unbacked_mmio++;
	return VPLAT_UNBACKED;
}
