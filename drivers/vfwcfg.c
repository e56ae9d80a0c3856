/* vfwcfg.c: the guest's QEMU-style fw_cfg items (signature, id, RAM size, CPU count). */
#include "drivers/vplat.h"

#define FW_CFG_SIGNATURE_VALUE 0x554D4551ULL /* "QEMU", little endian */
#define FW_CFG_ID_VALUE 0		     /* traditional interface, no DMA */
#define FW_CFG_OFFSET_MAX 0xFFFFFFFFu

void vfwcfg_select(struct vplat *p, u16 selector)
{
	p->fwcfg.selector = selector;
	p->fwcfg.offset = 0;
}

/*
 * Every item fits in 8 bytes, so each is a little-endian u64 and a length.
 * Unknown selectors and offsets past an item's end read as zero.
 */
u8 vfwcfg_read_byte(struct vplat *p)
{
	struct vfwcfg *f = &p->fwcfg;
	u32 off = f->offset;
	u64 item;
	u32 len;

	if (f->offset < FW_CFG_OFFSET_MAX)
		f->offset++;
	switch (f->selector) {
	case FW_CFG_SIGNATURE:
		item = FW_CFG_SIGNATURE_VALUE;
		len = 4;
		break;
	case FW_CFG_ID:
		item = FW_CFG_ID_VALUE;
		len = 4;
		break;
	case FW_CFG_RAM_SIZE:
		item = p->ram_size;
		len = 8;
		break;
	case FW_CFG_NB_CPUS:
		item = MIN(p->ncpus, 0xFFFFu);
		len = 2;
		break;
	default:
		return 0;
	}
	return off < len ? (u8)(item >> (8 * off)) : 0;
}
