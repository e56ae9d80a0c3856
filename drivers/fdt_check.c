/* fdt_check.c: checking a flattened device tree (DTB) once, whole, before anything reads it. */
#include <stdarg.h>

#include "core/kstring.h"
#include "core/log.h"
#include "drivers/fdt_int.h"

/*
 * Nothing in the blob is trusted. fdt_init checks the header and walks the
 * whole structure block once; after that every reader still goes through
 * fdt_read_token(), which checks each offset and length against the block it
 * lies in before touching a byte, so a reader handed a wrong node offset
 * gets an error, never a read outside the blob. Every multi-byte field is
 * assembled bytewise (fdt_be32): the blob may be anywhere, and the arm64
 * image runs with alignment checks on while the MMU is off.
 */

/* Record an error when e is given (the readers pass none). */
static void __printf(4, 5) set_error(struct fdt_error *e, int code, u32 off, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	e->code = code;
	e->off = off;
	va_start(ap, fmt);
	kvsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* Record an error and give it negated, as the functions here return it. */
#define fail(e, code, ...) (set_error((e), (code), __VA_ARGS__), -(code))

/* Length of the string at p if a NUL comes within max bytes, else -1. */
s64 fdt_bounded_strlen(const u8 *p, u32 max)
{
	for (u32 i = 0; i < max; i++)
		if (!p[i])
			return i;
	return -1;
}

static int read_prop_token(const struct fdt *f, u32 off, struct tok *t, struct fdt_error *e)
{
	const u8 *s = f->blob + f->struct_off + off;
	u32 room = f->struct_size - off, nameoff;
	s64 n;

	if (room < 12)
		return fail(e, FDT_ERR_PROPLEN, off,
			    "property header at struct offset 0x%x runs past the block (size 0x%x)",
			    off, f->struct_size);
	t->len = fdt_be32(s + 4);
	nameoff = fdt_be32(s + 8);
	if (t->len > room - 12)
		return fail(e, FDT_ERR_PROPLEN, off,
			    "property at struct offset 0x%x (length 0x%x) runs past the block "
			    "(size 0x%x)",
			    off, t->len, f->struct_size);
	if (nameoff >= f->strings_size)
		return fail(e, FDT_ERR_NAMEOFF, off,
			    "property at struct offset 0x%x has name offset 0x%x past the strings "
			    "block (size 0x%x)",
			    off, nameoff, f->strings_size);
	n = fdt_bounded_strlen(f->blob + f->strings_off + nameoff, f->strings_size - nameoff);
	if (n < 0)
		return fail(e, FDT_ERR_STRING, off,
			    "property at struct offset 0x%x has a name (strings offset 0x%x) not "
			    "NUL-terminated inside the strings block",
			    off, nameoff);
	t->name = (const char *)(f->blob + f->strings_off + nameoff);
	t->data = s + 12;
	t->next = off + 12 + ALIGN_UP(t->len, 4u);
	return 0;
}

/* Decode the token at struct-block offset off, checking that it all lies inside. */
int fdt_read_token(const struct fdt *f, u32 off, struct tok *t, struct fdt_error *e)
{
	const u8 *s;
	s64 n;

	if (!IS_ALIGNED(off, 4u))
		return fail(e, FDT_ERR_BADNODE, off, "struct offset 0x%x is not a token", off);
	if (off > f->struct_size || f->struct_size - off < 4)
		return fail(e, FDT_ERR_NOEND, off,
			    "structure block (size 0x%x) ends at 0x%x without FDT_END",
			    f->struct_size, off);
	s = f->blob + f->struct_off + off;
	*t = (struct tok){ .tag = fdt_be32(s), .next = off + 4 };
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		n = fdt_bounded_strlen(s + 4, f->struct_size - off - 4);
		if (n < 0)
			return fail(e, FDT_ERR_NAME, off,
				    "node name at struct offset 0x%x is not NUL-terminated inside "
				    "the block",
				    off);
		t->name = (const char *)(s + 4);
		t->next = ALIGN_UP(off + 4 + (u32)n + 1, 4u);
		return 0;
	case FDT_PROP:
		return read_prop_token(f, off, t, e);
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		return 0;
	default:
		return fail(e, FDT_ERR_TOKEN, off, "unknown token 0x%x at struct offset 0x%x",
			    t->tag, off);
	}
}

/* ------------------------------------------------------------ checking */

static u32 hdr32(const struct fdt *f, u32 field)
{
	return fdt_be32(f->blob + field);
}

/* Magic, totalsize and versions, reading no byte past what totalsize allows. */
static int check_header(struct fdt *f, size_t avail)
{
	struct fdt_error *e = &f->err;
	u32 magic, size;

	if (avail < 8)
		return fail(e, FDT_ERR_TRUNCATED, 0,
			    "only %zu bytes available, too few for a header", avail);
	magic = hdr32(f, FDT_H_MAGIC);
	if (magic != FDT_MAGIC)
		return fail(e, FDT_ERR_MAGIC, FDT_H_MAGIC, "bad magic 0x%08x (expected 0x%08x)",
			    magic, FDT_MAGIC);
	size = hdr32(f, FDT_H_TOTALSIZE);
	if (size > FDT_MAX_SIZE)
		return fail(e, FDT_ERR_TOOBIG, FDT_H_TOTALSIZE,
			    "totalsize 0x%x larger than the 0x%x-byte limit", size, FDT_MAX_SIZE);
	if (size < FDT_V16_HEADER_SIZE)
		return fail(e, FDT_ERR_TOOSMALL, FDT_H_TOTALSIZE,
			    "totalsize 0x%x smaller than the 0x%x-byte header", size,
			    FDT_V16_HEADER_SIZE);
	if (size > avail)
		return fail(e, FDT_ERR_TRUNCATED, FDT_H_TOTALSIZE,
			    "totalsize 0x%x runs past the 0x%zx bytes available", size, avail);
	f->totalsize = size;
	f->version = hdr32(f, FDT_H_VERSION);
	if (f->version < FDT_MIN_VERSION)
		return fail(e, FDT_ERR_VERSION, FDT_H_VERSION,
			    "version %u too old (%u or later needed)", f->version, FDT_MIN_VERSION);
	if (hdr32(f, FDT_H_LAST_COMP) > FDT_MAX_COMP_VERSION)
		return fail(e, FDT_ERR_LASTCOMP, FDT_H_LAST_COMP,
			    "last_comp_version %u too new (%u or older understood)",
			    hdr32(f, FDT_H_LAST_COMP), FDT_MAX_COMP_VERSION);
	if (f->version >= 17 && size < FDT_HEADER_SIZE)
		return fail(e, FDT_ERR_TOOSMALL, FDT_H_TOTALSIZE,
			    "totalsize 0x%x smaller than the 0x%x-byte header", size,
			    FDT_HEADER_SIZE);
	f->boot_cpuid = hdr32(f, FDT_H_BOOT_CPUID);
	return 0;
}

static u32 header_size(const struct fdt *f)
{
	return f->version >= 17 ? FDT_HEADER_SIZE : FDT_V16_HEADER_SIZE;
}

/* One of the three blocks after the header. */
struct block {
	const char *name;
	u32 off, size, align;
};

/* A block must be aligned, after the header and inside totalsize. */
static int check_block(struct fdt *f, const struct block *b)
{
	if (!IS_ALIGNED(b->off, b->align))
		return fail(&f->err, FDT_ERR_ALIGN, b->off,
			    "%s block offset 0x%x is not %u-byte aligned", b->name, b->off,
			    b->align);
	if (b->off < header_size(f))
		return fail(&f->err, FDT_ERR_BLOCK, b->off,
			    "%s block at 0x%x overlaps the 0x%x-byte header", b->name, b->off,
			    header_size(f));
	if (b->off > f->totalsize || b->size > f->totalsize - b->off)
		return fail(&f->err, FDT_ERR_BLOCK, b->off,
			    "%s block 0x%x+0x%x runs past totalsize 0x%x", b->name, b->off, b->size,
			    f->totalsize);
	return 0;
}

/* Two blocks may touch but not share a byte (an empty block shares none). */
static int check_apart(struct fdt *f, const struct block *a, const struct block *b)
{
	if (!a->size || !b->size || a->off + a->size <= b->off || b->off + b->size <= a->off)
		return 0;
	return fail(&f->err, FDT_ERR_BLOCK, a->off,
		    "%s block 0x%x+0x%x overlaps the %s block 0x%x+0x%x", a->name, a->off, a->size,
		    b->name, b->off, b->size);
}

/* Count the reservation entries; the {0, 0} terminator must lie inside totalsize. */
static int check_rsvmap(struct fdt *f)
{
	u32 off = f->rsvmap_off;
	const u8 *p;

	for (;;) {
		if (f->totalsize - off < FDT_RSV_ENTRY_SIZE)
			return fail(&f->err, FDT_ERR_RSVMAP, f->rsvmap_off,
				    "memory reservation map at 0x%x has no terminating entry "
				    "before totalsize 0x%x",
				    f->rsvmap_off, f->totalsize);
		p = f->blob + off;
		off += FDT_RSV_ENTRY_SIZE;
		if (!fdt_be64(p) && !fdt_be64(p + 8))
			return 0;
		f->nr_rsv++;
	}
}

/* Where the blocks are, each checked against totalsize, the header and the others. */
static int check_layout(struct fdt *f)
{
	struct block b[3];
	int ret = 0;

	f->struct_off = hdr32(f, FDT_H_OFF_STRUCT);
	f->strings_off = hdr32(f, FDT_H_OFF_STRINGS);
	f->strings_size = hdr32(f, FDT_H_SIZE_STRINGS);
	f->rsvmap_off = hdr32(f, FDT_H_OFF_RSVMAP);
	if (f->version >= 17)
		f->struct_size = hdr32(f, FDT_H_SIZE_STRUCT);
	else if (f->struct_off < f->strings_off && f->strings_off <= f->totalsize)
		f->struct_size = f->strings_off - f->struct_off; /* v16: up to the strings */
	else if (f->struct_off <= f->totalsize)
		f->struct_size = f->totalsize - f->struct_off;
	b[0] = (struct block){ "structure", f->struct_off, f->struct_size, 4 };
	b[1] = (struct block){ "strings", f->strings_off, f->strings_size, 1 };
	b[2] = (struct block){ "memory reservation", f->rsvmap_off, 0, 8 };
	for (int i = 0; i < 3 && !ret; i++)
		ret = check_block(f, &b[i]);
	if (!ret)
		ret = check_rsvmap(f);
	b[2].size = (f->nr_rsv + 1) * FDT_RSV_ENTRY_SIZE;
	for (int i = 0; i < 3 && !ret; i++)
		ret = check_apart(f, &b[i], &b[(i + 1) % 3]);
	return ret;
}

/* Where check_struct() is in the tree. */
struct shape {
	int depth;	/* nodes open */
	bool had_child; /* the innermost open node has had a child already */
	bool root_done; /* the root node has been closed */
};

static int check_tag(struct fdt *f, const struct tok *t, u32 off, struct shape *s)
{
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		if (s->root_done)
			return fail(&f->err, FDT_ERR_STRUCTURE, off,
				    "second root node at struct offset 0x%x", off);
		if (s->depth == FDT_MAX_DEPTH)
			return fail(&f->err, FDT_ERR_NESTING, off,
				    "node at struct offset 0x%x is nested deeper than %u levels",
				    off, FDT_MAX_DEPTH);
		if (!s->depth++)
			f->root = (int)off;
		s->had_child = false;
		return 0;
	case FDT_END_NODE:
		if (!s->depth)
			return fail(&f->err, FDT_ERR_UNBALANCED, off,
				    "FDT_END_NODE at struct offset 0x%x closes no node", off);
		s->root_done = !--s->depth;
		s->had_child = true;
		return 0;
	case FDT_PROP:
		if (!s->depth)
			return fail(&f->err, FDT_ERR_STRUCTURE, off,
				    "property at struct offset 0x%x is outside any node", off);
		if (s->had_child)
			return fail(&f->err, FDT_ERR_STRUCTURE, off,
				    "property at struct offset 0x%x follows a child node", off);
		return 0;
	case FDT_END:
		if (s->depth)
			return fail(&f->err, FDT_ERR_UNBALANCED, off,
				    "FDT_END at struct offset 0x%x with %d node(s) still open", off,
				    s->depth);
		if (!s->root_done)
			return fail(&f->err, FDT_ERR_STRUCTURE, off,
				    "no root node before FDT_END at struct offset 0x%x", off);
		return 0;
	default: /* FDT_NOP */
		return 0;
	}
}

/* Walk every token once: each inside the block, nodes balanced, FDT_END last. */
static int check_struct(struct fdt *f)
{
	struct shape s = { 0 };
	struct tok t;
	u32 off = 0;
	int ret;

	for (;;) {
		ret = fdt_read_token(f, off, &t, &f->err);
		if (!ret)
			ret = check_tag(f, &t, off, &s);
		if (ret || t.tag == FDT_END)
			return ret;
		off = t.next;
	}
}

int fdt_init(struct fdt *f, const void *blob, size_t avail)
{
	int ret;

	memset(f, 0, sizeof(*f));
	if (!blob)
		return fail(&f->err, FDT_ERR_NOBLOB, 0, "no device tree (null pointer)");
	f->blob = blob;
	ret = check_header(f, avail);
	if (!ret)
		ret = check_layout(f);
	if (!ret)
		ret = check_struct(f);
	if (ret) {
		/* An empty tree: every reader now fails cleanly. */
		f->struct_size = f->strings_size = f->nr_rsv = 0;
		f->root = -FDT_ERR_NOTFOUND;
	}
	return ret;
}

const char *fdt_strerror(int err)
{
#define FDT_ERR_REASON(name, reason) [FDT_ERR_##name] = (reason),
	static const char *const reasons[FDT_ERR_COUNT] = { [0] = "no error",
							    FDT_ERRORS(FDT_ERR_REASON) };
#undef FDT_ERR_REASON

	if (err < 0)
		err = -err;
	return err < FDT_ERR_COUNT ? reasons[err] : "unknown error";
}
