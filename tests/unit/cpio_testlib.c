/* cpio_testlib.c: building newc cpio archives (good and broken) in memory for the cpio and bundle tests. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "tests/unit/cpio_testlib.h"

void ct_init(struct ct *a, u8 *buf, size_t cap)
{
	a->buf = buf;
	a->cap = cap;
	a->len = 0;
	a->last = 0;
	a->magic = CPIO_MAGIC_NEWC;
	memset(buf, 0, cap);
}

static void put(struct ct *a, const void *p, size_t n)
{
	cr_assert_leq(a->len + n, a->cap, "test archive buffer too small");
	if (n)
		memcpy(a->buf + a->len, p, n);
	a->len += n;
}

/* Zero padding to the next multiple of 4 from the archive's start. */
static void pad(struct ct *a)
{
	static const u8 zeros[4];

	put(a, zeros, ALIGN_UP(a->len, 4u) - a->len);
}

void ct_set(struct ct *a, size_t hdr, enum ct_field f, u32 val)
{
	char digits[9];

	snprintf(digits, sizeof(digits), "%08X", val);
	memcpy(a->buf + hdr + CT_FIELD_OFF(f), digits, 8);
}

size_t ct_entry(struct ct *a, u32 mode, const char *name, const void *data, u32 size)
{
	size_t hdr = a->len, namesize = strlen(name) + 1;
	u32 sum = 0;

	for (u32 i = 0; i < size; i++)
		sum += ((const u8 *)data)[i];
	put(a, a->magic, 6);
	put(a,
	    "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
	    "000000000000000000000000",
	    104);
	ct_set(a, hdr, CT_INO, (u32)(hdr / 4 + 1));
	ct_set(a, hdr, CT_MODE, mode);
	ct_set(a, hdr, CT_NLINK, 1);
	ct_set(a, hdr, CT_FILESIZE, size);
	ct_set(a, hdr, CT_NAMESIZE, (u32)namesize);
	ct_set(a, hdr, CT_CHECK, a->magic[5] == '2' ? sum : 0);
	put(a, name, namesize);
	pad(a);
	put(a, data, size);
	pad(a);
	a->last = hdr;
	return hdr;
}

size_t ct_file(struct ct *a, const char *name, const void *data, u32 size)
{
	return ct_entry(a, CT_MODE_FILE, name, data, size);
}

size_t ct_text(struct ct *a, const char *name, const char *text)
{
	return ct_file(a, name, text, (u32)strlen(text));
}

size_t ct_dir(struct ct *a, const char *name)
{
	return ct_entry(a, CT_MODE_DIR, name, NULL, 0);
}

size_t ct_trailer(struct ct *a)
{
	return ct_entry(a, 0, CPIO_TRAILER, NULL, 0);
}

size_t ct_data_off(size_t hdr, u32 namesize)
{
	return ALIGN_UP(hdr + CPIO_HDR_SIZE + namesize, 4u);
}

u8 *ct_exact(const struct ct *a, size_t len)
{
	u8 *p = malloc(len ? len : 1);

	cr_assert_not_null(p);
	cr_assert_leq(len, a->cap);
	memcpy(p, a->buf, len);
	return p;
}
