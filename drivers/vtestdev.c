/* vtestdev.c: umbra's MMIO test device: sixteen scratch registers and an ID register. */
#include "drivers/vplat.h"

/*
 * Offsets 0x00-0x7F are the scratch registers (register off / 8, byte lane
 * off % 8); 0x80-0x87 the read-only ID. An access of size 1, 2, 4 or 8 must
 * be naturally aligned; a sub-register write merges into the register's
 * other bytes. Anything else in the page reads all ones and drops writes.
 */
bool vtestdev_access(struct vtestdev *t, u64 off, u8 size, bool write, u64 *val)
{
	bool size_ok = size == 1 || size == 2 || size == 4 || size == 8;
	u64 mask = vplat_ones(size);
	unsigned shift = (unsigned)(off % 8) * 8;

	if (!size_ok || off >= VPLAT_TESTDEV_SIZE || !IS_ALIGNED(off, (u64)size))
		goto bad;
	if (off < TESTDEV_SCRATCH_END) {
		u64 *reg = &t->scratch[off / 8];
		if (write)
			*reg = (*reg & ~(mask << shift)) | ((*val & mask) << shift);
		else
			*val = (*reg >> shift) & mask;
		return true;
	}
	if (off - TESTDEV_ID < 8) {
		if (!write)
			*val = (TESTDEV_ID_VALUE >> shift) & mask;
		return true;
	}
bad:
	if (!write)
		*val = mask;
	return false;
}
