/* cpio.c: walking an untrusted "newc" cpio archive without reading outside it. */
#include "core/cpio.h"

#include "compiler.h"
#include "core/kstring.h"
#include "core/log.h"

/*
 * Header fields are ASCII and read one byte at a time, so nothing here
 * needs the archive to be aligned (arm64 runs this with the MMU off, where
 * an unaligned load faults). Offsets are compared by subtraction from the
 * archive's length ("n > len - off", with off <= len known), never by
 * adding two untrusted values, so nothing can wrap.
 */

/* The 13 header fields after the magic, 8 hex digits each. */
enum {
	F_INO,
	F_MODE,
	F_UID,
	F_GID,
	F_NLINK,
	F_MTIME,
	F_FILESIZE,
	F_DEVMAJOR,
	F_DEVMINOR,
	F_RDEVMAJOR,
	F_RDEVMINOR,
	F_NAMESIZE,
	F_CHECK,
	NR_FIELDS,
};

#define FIELD_DIGITS 8
#define SHOW_MAX 64 /* longest name quoted whole in a message */

static const char *const field_names[NR_FIELDS] = {
	"c_ino",       "c_mode",     "c_uid",	   "c_gid",	 "c_nlink",
	"c_mtime",     "c_filesize", "c_devmajor", "c_devminor", "c_rdevmajor",
	"c_rdevminor", "c_namesize", "c_check",
};

struct hdr {
	u32 f[NR_FIELDS];
	bool crc; /* magic 070702 */
};

/* Record an error (the reader stays on it) and return it. */
static int fail(struct cpio_reader *r, int err, u64 off, u64 val, const char *what, size_t len)
{
	r->err = err;
	r->err_off = off;
	r->err_val = val;
	r->err_what = what;
	r->err_what_len = len;
	return err;
}

static int hex_digit(u8 c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool cpio_has_magic(const void *data, u64 len)
{
	const u8 *p = data;

	/* "07070" then '1' or '2', compared bytewise. */
	if (!data || len < CPIO_MAGIC_LEN)
		return false;
	for (u32 i = 0; i < CPIO_MAGIC_LEN - 1; i++) {
		if (p[i] != (u8)CPIO_MAGIC_NEWC[i])
			return false;
	}
	return p[5] == '1' || p[5] == '2';
}

/* Parse the header at off, which must lie inside the archive. */
static int read_header(struct cpio_reader *r, u64 off, struct hdr *h)
{
	const u8 *p = r->base + off;

	if (r->len - off < CPIO_HDR_SIZE)
		return fail(r, CPIO_ERR_TRUNCATED, off, r->len - off, NULL, 0);
	if (!cpio_has_magic(p, CPIO_MAGIC_LEN))
		return fail(r, CPIO_ERR_MAGIC, off, 0, (const char *)p, CPIO_MAGIC_LEN);
	h->crc = p[5] == '2';
	p += CPIO_MAGIC_LEN;
	for (u32 i = 0; i < NR_FIELDS; i++) {
		u32 v = 0;

		for (u32 j = 0; j < FIELD_DIGITS; j++, p++) {
			int d = hex_digit(*p);

			if (d < 0)
				return fail(r, CPIO_ERR_HEX, (u64)(p - r->base), i, field_names[i],
					    strlen(field_names[i]));
			v = v << 4 | (u32)d;
		}
		h->f[i] = v;
	}
	return CPIO_OK;
}

/* Check the name of namesize bytes at off: its one NUL is its last byte. */
static int check_name(struct cpio_reader *r, u64 hdr_off, u64 off, u32 namesize)
{
	const char *name = (const char *)r->base + off;
	size_t n;

	if (namesize == 0 || namesize > CPIO_NAME_MAX || namesize > r->len - off)
		return fail(r, CPIO_ERR_NAMESIZE, hdr_off, namesize, NULL, 0);
	n = strnlen(name, namesize);
	if (n != namesize - 1)
		return fail(r, CPIO_ERR_NAME, off, namesize, name, n);
	return CPIO_OK;
}

/* The name without any leading "./" (a walk of `find .` gives "./hello.elf"). */
static const char *strip_dot_slash(const char *s, size_t *len)
{
	while (*len >= 2 && s[0] == '.' && s[1] == '/') {
		s += 2;
		*len -= 2;
	}
	return s;
}

static u32 byte_sum(const u8 *p, u64 n)
{
	u32 sum = 0;

	while (n--)
		sum += *p++;
	return sum;
}

/*
 * Read the entry at r->off, whatever its type, into *e and step past it.
 * Returns CPIO_OK, CPIO_END at the trailer, or an error.
 */
static int read_entry(struct cpio_reader *r, struct cpio_entry *e)
{
	u64 off = r->off, name_off, data_off;
	size_t name_len;
	struct hdr h;
	int ret;

	if (off >= r->len)
		return fail(r, CPIO_ERR_NO_TRAILER, r->len, 0, NULL, 0);
	if (r->nr_entries >= CPIO_MAX_ENTRIES)
		return fail(r, CPIO_ERR_TOO_MANY, off, CPIO_MAX_ENTRIES, NULL, 0);
	ret = read_header(r, off, &h);
	if (ret)
		return ret;
	r->nr_entries++;
	name_off = off + CPIO_HDR_SIZE;
	ret = check_name(r, off, name_off, h.f[F_NAMESIZE]);
	if (ret)
		return ret;
	name_len = h.f[F_NAMESIZE] - 1;
	e->name = (const char *)r->base + name_off;
	if (name_len == sizeof(CPIO_TRAILER) - 1 && !memcmp(e->name, CPIO_TRAILER, name_len)) {
		r->err = CPIO_END;
		return CPIO_END;
	}
	/* Both paddings count from the archive's start, as the header's does. */
	data_off = ALIGN_UP(name_off + h.f[F_NAMESIZE], 4ULL);
	if (data_off > r->len || h.f[F_FILESIZE] > r->len - data_off)
		return fail(r, CPIO_ERR_DATA, off, h.f[F_FILESIZE], e->name, name_len);
	e->name = strip_dot_slash(e->name, &name_len);
	e->data = r->base + data_off;
	e->size = h.f[F_FILESIZE];
	e->offset = data_off;
	e->mode = h.f[F_MODE];
	if (h.crc && r->check_sums && (e->mode & CPIO_S_IFMT) == CPIO_S_IFREG) {
		u32 sum = byte_sum(e->data, e->size);

		if (sum != h.f[F_CHECK])
			return fail(r, CPIO_ERR_CHECKSUM, off, (u64)sum << 32 | h.f[F_CHECK],
				    e->name, name_len);
	}
	/* The next header; at or past the end, the next call reports the missing trailer. */
	r->off = data_off + e->size;
	if (r->off < r->len)
		r->off = ALIGN_UP(r->off, 4ULL);
	return CPIO_OK;
}

void cpio_open(struct cpio_reader *r, const void *data, u64 len)
{
	memset(r, 0, sizeof(*r));
	r->base = data;
	r->len = data ? len : 0;
}

int cpio_next(struct cpio_reader *r, struct cpio_entry *e)
{
	int ret;

	if (r->err)
		return r->err;
	do {
		ret = read_entry(r, e);
	} while (ret == CPIO_OK && (e->mode & CPIO_S_IFMT) != CPIO_S_IFREG);
	return ret;
}

/* Back to the archive's first header. */
static void restart(struct cpio_reader *r)
{
	cpio_open(r, r->base, r->len);
}

int cpio_check(struct cpio_reader *r, u32 *nr_files)
{
	struct cpio_entry e;
	u32 n = 0;
	int ret;

	restart(r);
	r->check_sums = true;
	while ((ret = cpio_next(r, &e)) == CPIO_OK)
		n++;
	r->check_sums = false;
	if (nr_files)
		*nr_files = n;
	return ret == CPIO_END ? CPIO_OK : ret;
}

int cpio_find(struct cpio_reader *r, const char *name, size_t name_len, struct cpio_entry *e)
{
	struct cpio_entry cur;
	bool found = false;
	int ret;

	name = strip_dot_slash(name, &name_len);
	restart(r);
	while ((ret = cpio_next(r, &cur)) == CPIO_OK) {
		if (strlen(cur.name) == name_len && !memcmp(cur.name, name, name_len)) {
			*e = cur;
			found = true;
		}
	}
	if (ret != CPIO_END)
		return ret;
	if (!found)
		return fail(r, CPIO_ERR_NOT_FOUND, 0, 0, name, name_len);
	return CPIO_OK;
}

/* ------------------------------------------------------------ messages */

/* s[0..len) made printable for a message ("" for NULL), cut with "..." when long. */
static const char *show(const char *s, size_t len, char *buf, size_t size)
{
	bool cut = s && len > size - 1;
	size_t n = !s ? 0 : cut ? size - 1 : len;

	for (size_t i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (cut)
		buf[n - 3] = buf[n - 2] = buf[n - 1] = '.';
	buf[n] = '\0';
	return buf;
}

static const char *namesize_reason(const struct cpio_reader *r, char *buf, size_t size)
{
	unsigned long long off = r->err_off, val = r->err_val;

	if (val == 0)
		ksnprintf(buf, size, "the entry at offset 0x%llx has a name size (c_namesize) of 0",
			  off);
	else if (val > CPIO_NAME_MAX)
		ksnprintf(buf, size,
			  "the entry at offset 0x%llx has an absurd name size of %llu bytes "
			  "(at most %u)",
			  off, val, CPIO_NAME_MAX);
	else
		ksnprintf(buf, size,
			  "the name of the entry at offset 0x%llx (%llu bytes) runs past the "
			  "archive's end",
			  off, val);
	return buf;
}

static const char *name_reason(const struct cpio_reader *r, char *buf, size_t size)
{
	unsigned long long off = r->err_off, val = r->err_val;
	char shown[SHOW_MAX];

	/* err_what_len is the name's length up to its first NUL, if any. */
	show(r->err_what, r->err_what_len, shown, sizeof(shown));
	if (r->err_what_len == r->err_val)
		ksnprintf(buf, size,
			  "the name '%s' at offset 0x%llx is not NUL-terminated within its "
			  "%llu bytes (c_namesize)",
			  shown, off, val);
	else
		ksnprintf(buf, size,
			  "the name '%s' at offset 0x%llx has a NUL before its last byte "
			  "(c_namesize %llu)",
			  shown, off, val);
	return buf;
}

const char *cpio_reason(const struct cpio_reader *r, char *buf, size_t size)
{
	unsigned long long off = r->err_off, val = r->err_val, len = r->len;
	char shown[SHOW_MAX];

	show(r->err_what, r->err_what_len, shown, sizeof(shown));
	switch (r->err) {
	case CPIO_ERR_TRUNCATED:
		ksnprintf(buf, size,
			  "the header at offset 0x%llx is cut short: %llu of its %u bytes "
			  "before the archive's end",
			  off, val, CPIO_HDR_SIZE);
		break;
	case CPIO_ERR_MAGIC:
		ksnprintf(buf, size, "bad magic '%s' at offset 0x%llx (not 070701 or 070702)",
			  shown, off);
		break;
	case CPIO_ERR_HEX:
		ksnprintf(buf, size, "a non-hex digit in %s at offset 0x%llx", shown, off);
		break;
	case CPIO_ERR_NAMESIZE:
		return namesize_reason(r, buf, size);
	case CPIO_ERR_NAME:
		return name_reason(r, buf, size);
	case CPIO_ERR_DATA:
		ksnprintf(buf, size,
			  "the %llu bytes of file '%s' (entry at offset 0x%llx) run past the "
			  "archive's end (%llu bytes)",
			  val, shown, off, len);
		break;
	case CPIO_ERR_NO_TRAILER:
		ksnprintf(buf, size, "the archive ends at offset 0x%llx without a %s entry", off,
			  CPIO_TRAILER);
		break;
	case CPIO_ERR_TOO_MANY:
		ksnprintf(buf, size, "more than %llu entries (the next at offset 0x%llx)", val,
			  off);
		break;
	case CPIO_ERR_CHECKSUM:
		ksnprintf(buf, size,
			  "the data of file '%s' (entry at offset 0x%llx) sums to 0x%llx, not to "
			  "its c_check 0x%llx",
			  shown, off, val >> 32, val & 0xffffffffULL);
		break;
	case CPIO_ERR_NOT_FOUND:
		ksnprintf(buf, size, "no file '%s' in the archive", shown);
		break;
	default:
		ksnprintf(buf, size, "no error");
		break;
	}
	return buf;
}
