/* fdt.c: bounds-checked reading of a flattened device tree (DTB) in memory. */
#include "drivers/fdt.h"

#include <stdarg.h>

#include "core/kstring.h"
#include "core/log.h"

/*
 * Nothing in the blob is trusted. fdt_init checks the header and walks the
 * whole structure block once; after that every reader still goes through
 * read_token(), which checks each offset and length against the block it
 * lies in before touching a byte, so a reader handed a wrong node offset
 * gets an error, never a read outside the blob. Every multi-byte field is
 * assembled bytewise (fdt_be32): the blob may be anywhere, and the arm64
 * image runs with alignment checks on while the MMU is off.
 */

/* One token of the structure block, decoded. */
struct tok {
	u32 tag;
	u32 next;	  /* offset of the token after it */
	const char *name; /* FDT_BEGIN_NODE: node name; FDT_PROP: property name */
	const u8 *data;	  /* FDT_PROP: value */
	u32 len;	  /* FDT_PROP: value length */
};

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
static s64 bounded_strlen(const u8 *p, u32 max)
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
	n = bounded_strlen(f->blob + f->strings_off + nameoff, f->strings_size - nameoff);
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
static int read_token(const struct fdt *f, u32 off, struct tok *t, struct fdt_error *e)
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
		n = bounded_strlen(s + 4, f->struct_size - off - 4);
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
		ret = read_token(f, off, &t, &f->err);
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

/* ------------------------------------------------------------ nodes */

/* The token at off must be FDT_BEGIN_NODE. */
static int node_token(const struct fdt *f, int node, struct tok *t)
{
	int ret;

	if (node < 0)
		return -FDT_ERR_BADNODE;
	ret = read_token(f, (u32)node, t, NULL);
	if (ret)
		return ret;
	return t->tag == FDT_BEGIN_NODE ? 0 : -FDT_ERR_BADNODE;
}

int fdt_next_node(const struct fdt *f, int node, int *depth)
{
	struct tok t;
	int d = depth ? *depth : 0, ret;
	u32 off;

	if (node < 0) {
		ret = node_token(f, f->root, &t);
		if (depth)
			*depth = 0;
		return ret ? ret : f->root;
	}
	ret = node_token(f, node, &t);
	if (ret)
		return ret;
	for (off = t.next;; off = t.next) {
		ret = read_token(f, off, &t, NULL);
		if (ret)
			break;
		if (t.tag == FDT_BEGIN_NODE) {
			if (depth)
				*depth = d + 1;
			return (int)off;
		}
		if (t.tag == FDT_END_NODE)
			d--;
		if (t.tag == FDT_END) {
			ret = -FDT_ERR_NOTFOUND;
			break;
		}
	}
	if (depth)
		*depth = d;
	return ret;
}

int fdt_walk_next(const struct fdt *f, struct fdt_walk *w)
{
	int d = w->depth, node = fdt_next_node(f, w->node, &d);

	if (node == -FDT_ERR_NOTFOUND)
		return 0;
	if (node < 0)
		return node;
	if (d < 0 || d >= FDT_MAX_DEPTH)
		return -FDT_ERR_NESTING; /* fdt_init allows neither */
	w->path[d] = node;
	w->node = node;
	w->depth = d;
	return 1;
}

/* Walk from the root until node; 0 with w at node, or an error. */
static int walk_to(const struct fdt *f, int node, struct fdt_walk *w)
{
	int ret;

	fdt_walk_init(w);
	while ((ret = fdt_walk_next(f, w)) > 0)
		if (w->node == node)
			return 0;
	return ret ? ret : -FDT_ERR_BADNODE;
}

int fdt_first_child(const struct fdt *f, int node)
{
	int d = 0, child = fdt_next_node(f, node, &d);

	if (child < 0)
		return child;
	return d == 1 ? child : -FDT_ERR_NOTFOUND;
}

int fdt_next_sibling(const struct fdt *f, int node)
{
	int d = 0;

	do {
		node = fdt_next_node(f, node, &d);
		if (node < 0)
			return node;
	} while (d > 0);
	return d == 0 ? node : -FDT_ERR_NOTFOUND;
}

int fdt_parent(const struct fdt *f, int node)
{
	struct fdt_walk w;
	int ret = walk_to(f, node, &w);

	return ret ? ret : fdt_walk_parent(&w);
}

const char *fdt_node_name(const struct fdt *f, int node)
{
	struct tok t;

	return node_token(f, node, &t) ? NULL : t.name;
}

/* Does a node name match len bytes of want: exactly, or (loose) as "want@..."? */
static bool name_matches(const char *name, const char *want, size_t len, bool loose)
{
	if (!name)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!name[i] || name[i] != want[i])
			return false;
	return !name[len] || (loose && name[len] == '@');
}

bool fdt_node_named(const struct fdt *f, int node, const char *base)
{
	const char *name = fdt_node_name(f, node);

	return name && name_matches(name, base, strlen(base), true);
}

int fdt_node_path(const struct fdt *f, int node, char *buf, size_t size)
{
	struct fdt_walk w;
	int ret = walk_to(f, node, &w), len;

	if (ret)
		return ret;
	if (!size)
		return -FDT_ERR_NOSPACE;
	len = w.depth ? 0 : ksnprintf(buf, size, "/");
	for (int d = 1; d <= w.depth && (size_t)len < size; d++)
		len += ksnprintf(buf + len, size - (size_t)len, "/%s", fdt_node_name(f, w.path[d]));
	return (size_t)len < size ? len : -FDT_ERR_NOSPACE;
}

/* First child whose name matches len bytes of name (see name_matches). */
static int find_child(const struct fdt *f, int parent, const char *name, size_t len, bool loose)
{
	const char *n;
	int child;

	for (child = fdt_first_child(f, parent); child >= 0; child = fdt_next_sibling(f, child)) {
		n = fdt_node_name(f, child);
		if (n && name_matches(n, name, len, loose))
			return child;
	}
	return child;
}

int fdt_subnode(const struct fdt *f, int parent, const char *name, size_t len)
{
	int child = find_child(f, parent, name, len, false);

	for (size_t i = 0; i < len; i++)
		if (name[i] == '@')
			return child; /* a unit address given: exact match only */
	if (child == -FDT_ERR_NOTFOUND)
		child = find_child(f, parent, name, len, true);
	return child;
}

/* ------------------------------------------------------------ properties */

/* The first property at or after struct offset off, before any node token. */
static int prop_from(const struct fdt *f, u32 off, struct fdt_prop *p)
{
	struct tok t;
	int ret;

	for (;; off = t.next) {
		ret = read_token(f, off, &t, NULL);
		if (ret)
			return ret;
		if (t.tag == FDT_PROP) {
			*p = (struct fdt_prop){
				.name = t.name, .data = t.data, .len = t.len, .off = (int)off
			};
			return 0;
		}
		if (t.tag != FDT_NOP)
			return -FDT_ERR_NOTFOUND;
	}
}

int fdt_first_prop(const struct fdt *f, int node, struct fdt_prop *p)
{
	struct tok t;
	int ret = node_token(f, node, &t);

	return ret ? ret : prop_from(f, t.next, p);
}

int fdt_next_prop(const struct fdt *f, struct fdt_prop *p)
{
	struct tok t;
	int ret;

	if (p->off < 0)
		return -FDT_ERR_BADNODE;
	ret = read_token(f, (u32)p->off, &t, NULL);
	if (ret)
		return ret;
	if (t.tag != FDT_PROP)
		return -FDT_ERR_BADNODE;
	return prop_from(f, t.next, p);
}

/* The property named by len bytes of name. */
static int find_prop(const struct fdt *f, int node, const char *name, size_t len,
		     struct fdt_prop *p)
{
	int ret;

	for (ret = fdt_first_prop(f, node, p); !ret; ret = fdt_next_prop(f, p))
		if (name_matches(p->name, name, len, false))
			return 0;
	return ret;
}

int fdt_get_prop(const struct fdt *f, int node, const char *name, struct fdt_prop *p)
{
	return find_prop(f, node, name, strlen(name), p);
}

int fdt_prop_num(const struct fdt *f, int node, const char *name, u32 sizes, u64 *v)
{
	struct fdt_prop p;
	int ret = fdt_get_prop(f, node, name, &p);

	if (ret)
		return ret;
	if ((p.len != 4 && p.len != 8) || !(sizes & BIT(p.len)))
		return -FDT_ERR_BADLEN;
	*v = p.len == 4 ? fdt_be32(p.data) : fdt_be64(p.data);
	return 0;
}

int fdt_prop_string(const struct fdt *f, int node, const char *name, const char **s)
{
	struct fdt_prop p;
	int ret = fdt_get_prop(f, node, name, &p);

	if (ret)
		return ret;
	return p.len ? fdt_stringlist_get(&p, 0, s) : -FDT_ERR_BADVALUE;
}

int fdt_stringlist_get(const struct fdt_prop *p, u32 idx, const char **s)
{
	u32 off = 0;
	s64 n;

	while (off < p->len) {
		n = bounded_strlen(p->data + off, p->len - off);
		if (n < 0)
			return -FDT_ERR_BADVALUE;
		if (!idx--) {
			*s = (const char *)(p->data + off);
			return 0;
		}
		off += (u32)n + 1;
	}
	return -FDT_ERR_NOTFOUND;
}

bool fdt_stringlist_contains(const struct fdt_prop *p, const char *s)
{
	const char *e;

	for (u32 i = 0; !fdt_stringlist_get(p, i, &e); i++)
		if (!strcmp(e, s))
			return true;
	return false;
}

/* ------------------------------------------------------------ searching */

/* The node an alias of /aliases (len bytes) names; its value is an absolute path. */
static int alias_node(const struct fdt *f, const char *alias, size_t len)
{
	struct fdt_prop p;
	const char *path;
	int aliases = fdt_subnode(f, f->root, "aliases", 7), ret;

	if (aliases < 0)
		return aliases;
	ret = find_prop(f, aliases, alias, len, &p);
	if (!ret)
		ret = fdt_stringlist_get(&p, 0, &path);
	if (ret)
		return ret;
	if (path[0] != '/')
		return -FDT_ERR_BADPATH; /* an alias of an alias: not allowed */
	return fdt_path_offset(f, path);
}

int fdt_path_offset_len(const struct fdt *f, const char *path, size_t len)
{
	size_t i = 0, end;
	int node;

	len = strnlen(path, len);
	if (!len)
		return -FDT_ERR_BADPATH;
	if (path[0] == '/') {
		node = fdt_next_node(f, -1, NULL);
	} else {
		while (i < len && path[i] != '/')
			i++;
		node = alias_node(f, path, i);
	}
	while (node >= 0 && i < len) {
		if (path[i] == '/') {
			i++;
			continue;
		}
		for (end = i; end < len && path[end] != '/'; end++)
			;
		node = fdt_subnode(f, node, path + i, end - i);
		i = end;
	}
	return node;
}

int fdt_next_named(const struct fdt *f, int from, const char *base)
{
	int node = from;

	do
		node = fdt_next_node(f, node, NULL);
	while (node >= 0 && !fdt_node_named(f, node, base));
	return node;
}

int fdt_next_compatible(const struct fdt *f, int from, const char *compat)
{
	int node = from;

	do
		node = fdt_next_node(f, node, NULL);
	while (node >= 0 && !fdt_node_compatible(f, node, compat));
	return node;
}

/* ------------------------------------------------------------ addresses */

int fdt_node_cells(const struct fdt *f, int node, u32 *ac, u32 *sc)
{
	int ret;

	*ac = 2; /* the defaults the specification gives (section 2.3.5) */
	*sc = 1;
	ret = fdt_prop_u32(f, node, "#address-cells", ac);
	if (!ret || ret == -FDT_ERR_NOTFOUND)
		ret = fdt_prop_u32(f, node, "#size-cells", sc);
	return ret == -FDT_ERR_NOTFOUND ? 0 : ret;
}

int fdt_parent_cells(const struct fdt *f, int node, u32 *ac, u32 *sc)
{
	int parent = fdt_parent(f, node);

	if (parent == -FDT_ERR_NOTFOUND) {
		*ac = 2;
		*sc = 1;
		return 0;
	}
	return parent < 0 ? parent : fdt_node_cells(f, parent, ac, sc);
}

/* Bytes of one (address, size) entry; 0 for cells we do not decode. */
static u32 reg_entry_size(u32 ac, u32 sc)
{
	return ac >= 1 && ac <= 2 && sc <= 2 ? (ac + sc) * 4 : 0;
}

int fdt_reg_count(const struct fdt_prop *p, u32 ac, u32 sc)
{
	u32 entry = reg_entry_size(ac, sc);

	if (!entry)
		return -FDT_ERR_BADCELLS;
	return p->len % entry ? -FDT_ERR_BADLEN : (int)(p->len / entry);
}

int fdt_reg_entry(const struct fdt_prop *p, u32 ac, u32 sc, u32 idx, u64 *addr, u64 *size)
{
	u32 entry = reg_entry_size(ac, sc);
	const u8 *e;

	if (!entry)
		return -FDT_ERR_BADCELLS;
	if (idx >= p->len / entry)
		return -FDT_ERR_NOTFOUND;
	e = p->data + (size_t)idx * entry;
	*addr = fdt_read_cells(e, ac);
	*size = fdt_read_cells(e + (size_t)ac * 4, sc);
	return 0;
}

int fdt_node_reg(const struct fdt *f, int node, u32 idx, u64 *addr, u64 *size)
{
	struct fdt_prop p;
	u32 ac, sc;
	int ret = fdt_parent_cells(f, node, &ac, &sc);

	if (!ret)
		ret = fdt_get_prop(f, node, "reg", &p);
	return ret ? ret : fdt_reg_entry(&p, ac, sc, idx, addr, size);
}

/* ------------------------------------------------------------ reservations */

int fdt_rsv_entry(const struct fdt *f, u32 idx, u64 *addr, u64 *size)
{
	u32 off;

	if (idx >= f->nr_rsv)
		return -FDT_ERR_NOTFOUND;
	off = f->rsvmap_off + idx * FDT_RSV_ENTRY_SIZE;
	if (off > f->totalsize || f->totalsize - off < FDT_RSV_ENTRY_SIZE)
		return -FDT_ERR_NOTFOUND; /* fdt_init allows neither */
	*addr = fdt_be64(f->blob + off);
	*size = fdt_be64(f->blob + off + 8);
	return 0;
}
