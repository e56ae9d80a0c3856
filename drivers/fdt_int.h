/* fdt_int.h: what the FDT checker (fdt_check.c) and the readers (fdt.c) share. */
#ifndef UMBRA_FDT_INT_H
#define UMBRA_FDT_INT_H

#include "drivers/fdt.h"

/* One token of the structure block, decoded. */
struct tok {
	u32 tag;
	u32 next;	  /* offset of the token after it */
	const char *name; /* FDT_BEGIN_NODE: node name; FDT_PROP: property name */
	const u8 *data;	  /* FDT_PROP: value */
	u32 len;	  /* FDT_PROP: value length */
};

/*
 * Decode the token at off of the structure block, checking every offset and
 * length against the block before touching a byte; records the reason in e
 * when e is given (the checker passes one, the readers NULL).
 */
int fdt_read_token(const struct fdt *f, u32 off, struct tok *t, struct fdt_error *e);
/* Length of the NUL-terminated string at p within max bytes; -1 if unterminated. */
s64 fdt_bounded_strlen(const u8 *p, u32 max);

#endif
