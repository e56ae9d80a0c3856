/* vpl011.c: the guest's PL011 UART (arm64), output only, into the 16550's console lines. */
#include "drivers/vplat.h"

/* Register offsets (ARM PrimeCell UART (PL011) Technical Reference Manual r1p5, 3.2). */
#define PL011_DR 0x000
#define PL011_RSR_ECR 0x004
#define PL011_FR 0x018
#define PL011_ILPR 0x020
#define PL011_IBRD 0x024
#define PL011_FBRD 0x028
#define PL011_LCR_H 0x02C
#define PL011_CR 0x030
#define PL011_IFLS 0x034
#define PL011_IMSC 0x038
#define PL011_RIS 0x03C
#define PL011_MIS 0x040
#define PL011_ICR 0x044
#define PL011_DMACR 0x048
#define PL011_ID_FIRST 0xFE0 /* PeriphID0-3, then PCellID0-3, one byte per word */
#define PL011_REG_BYTES 4u

#define FR_RXFE BIT(4) /* receive FIFO empty */
#define FR_TXFE BIT(7) /* transmit FIFO empty */

/* The defined bits of the read/write registers. */
#define ILPR_MASK GENMASK(7, 0)
#define IBRD_MASK GENMASK(15, 0)
#define FBRD_MASK GENMASK(5, 0)
#define LCR_H_MASK GENMASK(7, 0)
#define CR_MASK (GENMASK(15, 7) | GENMASK(2, 0)) /* bits 6:3 are reserved */
#define IFLS_MASK GENMASK(5, 0)
#define IMSC_MASK GENMASK(10, 0)
#define DMACR_MASK GENMASK(2, 0)

#define CR_TXE BIT(8)
#define CR_RXE BIT(9)
#define IFLS_RESET 0x12 /* both FIFO levels at half full */

/* PeriphID0-3 (part 0x011, designer 0x41 Arm, revision 1: QEMU's values), PCellID0-3. */
static const u8 pl011_id[] = { 0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1 };
_Static_assert(PL011_ID_FIRST + sizeof(pl011_id) * PL011_REG_BYTES == VPLAT_PL011_SIZE,
	       "PL011 IDs end the page");

void vpl011_reset(struct vpl011 *u)
{
	*u = (struct vpl011){ .cr = CR_TXE | CR_RXE, .ifls = IFLS_RESET };
}

/* The 32-bit value of the register at reg (a multiple of 4); false if there is none. */
static bool reg_read(const struct vpl011 *u, u32 reg, u32 *v)
{
	switch (reg) {
	case PL011_DR:
	case PL011_RSR_ECR:
	case PL011_RIS:
	case PL011_MIS:
	case PL011_ICR:
		*v = 0;
		return true;
	case PL011_FR:
		*v = FR_TXFE | FR_RXFE;
		return true;
	case PL011_ILPR:
		*v = u->ilpr;
		return true;
	case PL011_IBRD:
		*v = u->ibrd;
		return true;
	case PL011_FBRD:
		*v = u->fbrd;
		return true;
	case PL011_LCR_H:
		*v = u->lcr_h;
		return true;
	case PL011_CR:
		*v = u->cr;
		return true;
	case PL011_IFLS:
		*v = u->ifls;
		return true;
	case PL011_IMSC:
		*v = u->imsc;
		return true;
	case PL011_DMACR:
		*v = u->dmacr;
		return true;
	default:
		break;
	}
	if (reg < PL011_ID_FIRST || reg >= VPLAT_PL011_SIZE)
		return false;
	*v = pl011_id[(reg - PL011_ID_FIRST) / PL011_REG_BYTES];
	return true;
}

/* Write v to the register at reg; tx: the write covered DR's low byte. */
static void reg_write(struct vplat *p, u32 reg, u32 v, bool tx)
{
	struct vpl011 *u = &p->pl011;

	switch (reg) {
	case PL011_DR:
		if (tx)
			vuart_putc(p, (u8)v);
		break;
	case PL011_ILPR:
		u->ilpr = v & (u32)ILPR_MASK;
		break;
	case PL011_IBRD:
		u->ibrd = v & (u32)IBRD_MASK;
		break;
	case PL011_FBRD:
		u->fbrd = v & (u32)FBRD_MASK;
		break;
	case PL011_LCR_H:
		u->lcr_h = v & (u32)LCR_H_MASK;
		break;
	case PL011_CR:
		u->cr = v & (u32)CR_MASK;
		break;
	case PL011_IFLS:
		u->ifls = v & (u32)IFLS_MASK;
		break;
	case PL011_IMSC:
		u->imsc = v & (u32)IMSC_MASK;
		break;
	case PL011_DMACR:
		u->dmacr = v & (u32)DMACR_MASK;
		break;
	default:
		break; /* RSR/ECR and ICR clear what is never set; FR, RIS, MIS, IDs are read-only */
	}
}

/*
 * An access of size 1, 2 or 4 at off, naturally aligned, reaches bytes of the
 * 32-bit register it falls in: a read shifts them down, a write merges them
 * into the register's other bytes. Anything else reads 0 and drops writes.
 */
bool vpl011_access(struct vplat *p, u64 off, u8 size, bool write, u64 *val)
{
	u32 reg = (u32)ALIGN_DOWN(off, (u64)PL011_REG_BYTES), cur = 0;
	unsigned shift = (unsigned)(off % PL011_REG_BYTES) * 8;
	u64 mask = vplat_ones(size);

	if ((size != 1 && size != 2 && size != 4) || off >= VPLAT_PL011_SIZE ||
	    !IS_ALIGNED(off, (u64)size) || !reg_read(&p->pl011, reg, &cur)) {
		if (!write)
			*val = 0;
		return false;
	}
	if (!write)
		*val = (cur >> shift) & mask;
	else
		reg_write(p, reg, (u32)((cur & ~(mask << shift)) | ((*val & mask) << shift)),
			  shift == 0);
	return true;
}
