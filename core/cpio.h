/* cpio.h: a bounds-checked reader of "newc" cpio archives (the Linux initramfs format). */
#ifndef UMBRA_CPIO_H
#define UMBRA_CPIO_H

#include "types.h"

/*
 * A newc archive is a run of entries, each a 110-byte ASCII header, the
 * name (c_namesize bytes, its NUL included) and the file's data, the name
 * and the data each padded with zeros to a multiple of 4 bytes counted from
 * the archive's start. The entry named "TRAILER!!!" ends it:
 *
 *   0    6     14     22 ...                      110
 *   |magic|c_ino|c_mode| ... 13 fields of 8 hex digits |name\0|pad|data|pad|next...
 *
 * "070701" archives carry no checksum; "070702" ones (cpio -H crc) carry in
 * c_check the sum of the file's data bytes, which cpio_check() verifies.
 */
#define CPIO_MAGIC_NEWC "070701"
#define CPIO_MAGIC_CRC "070702"
#define CPIO_MAGIC_LEN 6
#define CPIO_HDR_SIZE 110u
#define CPIO_TRAILER "TRAILER!!!"
/* Beyond these an archive is not one umbra has any use for. */
#define CPIO_MAX_ENTRIES 65536u
#define CPIO_NAME_MAX 4096u /* c_namesize, its NUL included */

/* c_mode's file type. */
#define CPIO_S_IFMT 0170000u
#define CPIO_S_IFREG 0100000u
#define CPIO_S_IFDIR 0040000u

enum cpio_status {
	CPIO_OK = 0,
	CPIO_END = 1,		  /* cpio_next: the trailer was reached */
	CPIO_ERR_TRUNCATED = -1,  /* a header runs past the archive's end */
	CPIO_ERR_MAGIC = -2,	  /* a header does not start with 070701 or 070702 */
	CPIO_ERR_HEX = -3,	  /* a header field holds a non-hex digit */
	CPIO_ERR_NAMESIZE = -4,	  /* c_namesize is 0, absurd, or runs past the end */
	CPIO_ERR_NAME = -5,	  /* the name's NUL is not its last byte */
	CPIO_ERR_DATA = -6,	  /* the file's data runs past the archive's end */
	CPIO_ERR_NO_TRAILER = -7, /* the archive ends without a TRAILER!!! entry */
	CPIO_ERR_TOO_MANY = -8,	  /* more than CPIO_MAX_ENTRIES entries */
	CPIO_ERR_CHECKSUM = -9,	  /* a 070702 entry's data does not sum to c_check */
	CPIO_ERR_NOT_FOUND = -10, /* cpio_find: no regular file of that name */
};

/* One regular file of the archive; every pointer points into the archive. */
struct cpio_entry {
	const char *name; /* NUL-terminated, without leading "./" */
	const u8 *data;	  /* the file's bytes */
	u64 size;	  /* bytes of data */
	u64 offset;	  /* of data from the archive's start */
	u32 mode;	  /* c_mode: type and permission bits */
};

/*
 * A walk over an archive of len bytes at data, which nothing here trusts:
 * every field is checked before it is used, and no byte outside
 * [data, data + len) is read. After an error the reader stays at the error:
 * cpio_next() returns it again, and cpio_reason() says what it was.
 */
struct cpio_reader {
	const u8 *base;
	u64 len;
	u64 off;	      /* where the next header starts */
	u32 nr_entries;	      /* headers read so far, the trailer's included */
	bool check_sums;      /* verify 070702 checksums (cpio_check sets it) */
	int err;	      /* the last enum cpio_status */
	u64 err_off;	      /* the archive offset the error is about */
	u64 err_val;	      /* a number for the message (a size, a checksum) */
	const char *err_what; /* a field's or a file's name for the message */
	size_t err_what_len;
};

/* Start a walk at the archive's first header. */
void cpio_open(struct cpio_reader *r, const void *data, u64 len);

/*
 * The next regular file into *e: CPIO_OK, CPIO_END at the trailer, or a
 * negative CPIO_ERR_*. Directories and other non-regular entries (and the
 * "." entry) are checked like any other and skipped.
 */
int cpio_next(struct cpio_reader *r, struct cpio_entry *e);

/*
 * Walk the whole archive from its start to its trailer, verifying every
 * header and (070702) every checksum. Returns CPIO_OK with the number of
 * regular files in *nr_files (may be NULL), or a negative CPIO_ERR_*.
 */
int cpio_check(struct cpio_reader *r, u32 *nr_files);

/*
 * Find the regular file named name (name_len bytes, not NUL-terminated; a
 * leading "./" on either side is ignored) by a walk from the archive's start.
 * When the archive holds the name twice the later one wins, as when Linux
 * unpacks an initramfs, so the walk goes on to the trailer. Returns CPIO_OK,
 * CPIO_ERR_NOT_FOUND, or the archive's first error.
 */
int cpio_find(struct cpio_reader *r, const char *name, size_t name_len, struct cpio_entry *e);

/* The archive starts with a newc magic (070701 or 070702). */
bool cpio_has_magic(const void *data, u64 len);

/*
 * The reader's last error in words, with its offset ("the entry at offset
 * 0x74 has a name size (c_namesize) of 0"); "no error" when there was none.
 * Names are quoted from the archive (and, for CPIO_ERR_NOT_FOUND, from the
 * caller's name), which must still be there. Returns buf.
 */
const char *cpio_reason(const struct cpio_reader *r, char *buf, size_t size);

#endif
