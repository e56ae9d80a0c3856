/* cpio_testlib.h: building newc cpio archives (good and broken) in memory for the cpio and bundle tests. */
#ifndef UMBRA_CPIO_TESTLIB_H
#define UMBRA_CPIO_TESTLIB_H

#include <stddef.h>

#include "core/cpio.h"
#include "types.h"

/* Header field numbers in the order they follow the magic. */
enum ct_field {
	CT_INO,
	CT_MODE,
	CT_UID,
	CT_GID,
	CT_NLINK,
	CT_MTIME,
	CT_FILESIZE,
	CT_DEVMAJOR,
	CT_DEVMINOR,
	CT_RDEVMAJOR,
	CT_RDEVMINOR,
	CT_NAMESIZE,
	CT_CHECK,
};

/* Offset of a field's 8 hex digits from its header's start. */
#define CT_FIELD_OFF(f) (6u + 8u * (unsigned)(f))
#define CT_MODE_FILE (CPIO_S_IFREG | 0644u)
#define CT_MODE_DIR (CPIO_S_IFDIR | 0755u)
#define CT_MODE_LINK (0120000u | 0777u)

/* An archive being built into a buffer of cap bytes (the builder asserts it fits). */
struct ct {
	u8 *buf;
	size_t cap;
	size_t len;
	size_t last;	   /* offset of the last entry's header */
	const char *magic; /* "070701" unless a test changes it */
};

void ct_init(struct ct *a, u8 *buf, size_t cap);
/* Any entry; data may be NULL for size 0. Returns its header's offset. With
 * the 070702 magic c_check is the sum of the data bytes. */
size_t ct_entry(struct ct *a, u32 mode, const char *name, const void *data, u32 size);
size_t ct_file(struct ct *a, const char *name, const void *data, u32 size);
size_t ct_text(struct ct *a, const char *name, const char *text);
size_t ct_dir(struct ct *a, const char *name);
size_t ct_trailer(struct ct *a);
/* Write one header field of the entry at hdr as 8 hex digits. */
void ct_set(struct ct *a, size_t hdr, enum ct_field f, u32 val);
/* The data offset of a name of namesize bytes whose header is at hdr. */
size_t ct_data_off(size_t hdr, u32 namesize);
/* A heap copy of the first len bytes, exactly len long (ASan sees any read past it). */
u8 *ct_exact(const struct ct *a, size_t len);

#endif
