/* fdt.h: bounds-checked reading of a flattened device tree (DTB) in memory. */
#ifndef UMBRA_FDT_H
#define UMBRA_FDT_H

#include "compiler.h"
#include "types.h"

/*
 * The blob, as the Devicetree Specification (v0.4, chapter 5) lays it out;
 * every multi-byte field is big-endian and is read bytewise here:
 *
 *   0x00  header (40 bytes; 36 before version 17, without size_dt_struct)
 *         memory reservation map: {u64 address, u64 size}..., {0, 0}  8-aligned
 *         structure block: a sequence of tokens                        4-aligned
 *         strings block: the property names, each NUL-terminated
 *
 * Structure block tokens (each starts 4-byte aligned):
 *   FDT_BEGIN_NODE  u32 token, node name with its NUL, padded to 4 bytes
 *   FDT_PROP        u32 token, u32 len, u32 nameoff, len bytes of value, padded
 *   FDT_END_NODE, FDT_NOP, FDT_END: the u32 token alone
 * A well-formed block is: NOPs, the root node (its properties, then its
 * child nodes, recursively), NOPs, FDT_END.
 */
#define FDT_MAGIC 0xd00dfeedu

#define FDT_H_MAGIC 0x00
#define FDT_H_TOTALSIZE 0x04
#define FDT_H_OFF_STRUCT 0x08
#define FDT_H_OFF_STRINGS 0x0c
#define FDT_H_OFF_RSVMAP 0x10
#define FDT_H_VERSION 0x14
#define FDT_H_LAST_COMP 0x18
#define FDT_H_BOOT_CPUID 0x1c
#define FDT_H_SIZE_STRINGS 0x20
#define FDT_H_SIZE_STRUCT 0x24 /* version 17 and later */
#define FDT_V16_HEADER_SIZE 0x24u
#define FDT_HEADER_SIZE 0x28u

#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE 0x2u
#define FDT_PROP 0x3u
#define FDT_NOP 0x4u
#define FDT_END 0x9u

#define FDT_RSV_ENTRY_SIZE 16u
#define FDT_MIN_VERSION 16u	 /* oldest layout we read */
#define FDT_MAX_COMP_VERSION 17u /* newest last_comp_version we understand */
/* The arm64 boot protocol caps a DTB at 2 MiB; we never read more. */
#define FDT_MAX_SIZE 0x200000u
/* Nodes open at once, the root included. */
#define FDT_MAX_DEPTH 16

/*
 * Error numbers, with the short reason fdt_strerror() gives; functions
 * return them negated (-FDT_ERR_NOTFOUND).
 */
#define FDT_ERRORS(X)                                                          \
	X(NOTFOUND, "not found")                                               \
	X(NOBLOB, "no device tree")                                            \
	X(TRUNCATED, "totalsize runs past the bytes available")                \
	X(MAGIC, "bad magic")                                                  \
	X(TOOSMALL, "totalsize smaller than the header")                       \
	X(TOOBIG, "totalsize too large")                                       \
	X(VERSION, "version too old")                                          \
	X(LASTCOMP, "last_comp_version too new")                               \
	X(BLOCK, "block outside totalsize or overlapping another")             \
	X(ALIGN, "block misaligned")                                           \
	X(RSVMAP, "memory reservation map without its terminating entry")      \
	X(NOEND, "structure block ends without FDT_END")                       \
	X(TOKEN, "unknown token")                                              \
	X(NAME, "node name not NUL-terminated inside the block")               \
	X(PROPLEN, "property runs past the structure block")                   \
	X(NAMEOFF, "property name offset past the strings block")              \
	X(STRING, "property name not NUL-terminated inside the strings block") \
	X(NESTING, "nodes nested too deep")                                    \
	X(UNBALANCED, "unbalanced nodes")                                      \
	X(STRUCTURE, "tokens in an order the format forbids")                  \
	X(BADNODE, "not a node")                                               \
	X(BADLEN, "property value of the wrong length")                        \
	X(BADVALUE, "property value not a NUL-terminated string")              \
	X(BADCELLS, "#address-cells/#size-cells we cannot decode")             \
	X(BADPATH, "malformed path or alias")                                  \
	X(NOSPACE, "buffer too small")

#define FDT_ERR_ENUM(name, reason) FDT_ERR_##name,
enum fdt_err { FDT_ERR_NONE = 0, FDT_ERRORS(FDT_ERR_ENUM) FDT_ERR_COUNT };
#undef FDT_ERR_ENUM

/* What fdt_init found wrong. */
struct fdt_error {
	int code; /* enum fdt_err, 0 when the blob is fine */
	u32 off;  /* where: a blob offset, or a struct-block offset for tokens */
	char msg[120];
};

/* A blob checked by fdt_init. Nodes are named by the struct-block offset of
 * their FDT_BEGIN_NODE token (an int; negative values are errors). */
struct fdt {
	const u8 *blob;
	u32 totalsize;
	u32 version;
	u32 boot_cpuid;
	u32 struct_off, struct_size; /* the structure block */
	u32 strings_off, strings_size;
	u32 rsvmap_off, nr_rsv; /* entries before the terminator */
	int root;		/* the root node */
	struct fdt_error err;
};

struct fdt_prop {
	const char *name; /* NUL-terminated inside the strings block */
	const u8 *data;	  /* len bytes inside the structure block */
	u32 len;
	int off; /* its FDT_PROP token, for fdt_next_prop() */
};

/* A depth-first walk that knows the path from the root to the current node. */
struct fdt_walk {
	int node;		 /* current node, -1 before the first */
	int depth;		 /* its depth: 0 for the root */
	int path[FDT_MAX_DEPTH]; /* path[d]: its ancestor at depth d (path[depth] = node) */
};

static inline u32 fdt_be32(const void *p)
{
	const u8 *b = p;

	return (u32)b[0] << 24 | (u32)b[1] << 16 | (u32)b[2] << 8 | b[3];
}

static inline u64 fdt_be64(const void *p)
{
	const u8 *b = p;

	return (u64)fdt_be32(b) << 32 | fdt_be32(b + 4);
}

/* A number of n (0..2) big-endian cells, as "reg" and "ranges" hold them. */
static inline u64 fdt_read_cells(const void *p, u32 n)
{
	return n == 2 ? fdt_be64(p) : n == 1 ? fdt_be32(p) : 0;
}

/*
 * Check the blob at `blob` (`avail` bytes readable there) and fill f. The
 * header is checked first, then the reservation map and every token of the
 * structure block, so that a tree that passes can be walked without surprises
 * (the readers below still check every bound). Returns 0 or -FDT_ERR_*, with
 * the details in f->err; after a failure f describes an empty tree.
 */
int fdt_init(struct fdt *f, const void *blob, size_t avail);

/* Short fixed reason for an error number, negated or not ("bad magic"). */
const char *fdt_strerror(int err);
/* The one-line account of what fdt_init found wrong ("" when nothing). */
static inline const char *fdt_error_text(const struct fdt *f)
{
	return f->err.msg;
}

/* ---- nodes */

/* Next node in depth-first order after node (-1: start, giving the root).
 * *depth (may be NULL) goes up by one into a child and down by one for each
 * node closed on the way; -FDT_ERR_NOTFOUND after the last node. */
int fdt_next_node(const struct fdt *f, int node, int *depth);
static inline void fdt_walk_init(struct fdt_walk *w)
{
	w->node = -1;
	w->depth = -1;
}
/* 1 when w->node is the next node, 0 at the end, negative on error. */
int fdt_walk_next(const struct fdt *f, struct fdt_walk *w);
/* Parent of the walk's current node, -FDT_ERR_NOTFOUND for the root. */
static inline int fdt_walk_parent(const struct fdt_walk *w)
{
	return w->depth > 0 ? w->path[w->depth - 1] : -FDT_ERR_NOTFOUND;
}

int fdt_first_child(const struct fdt *f, int node);
int fdt_next_sibling(const struct fdt *f, int node);
/* Parent, found by walking from the root; -FDT_ERR_NOTFOUND for the root. */
int fdt_parent(const struct fdt *f, int node);
/* The node's name ("" for the root), NUL-terminated inside the blob; NULL
 * when node is not a node. */
const char *fdt_node_name(const struct fdt *f, int node);
/* True when the node's name is base or base followed by "@unit-address". */
bool fdt_node_named(const struct fdt *f, int node, const char *base);
/* Full path of a node into buf; returns its length or -FDT_ERR_NOSPACE. */
int fdt_node_path(const struct fdt *f, int node, char *buf, size_t size);
/* Child of parent named by len bytes of name; a name without '@' also
 * matches "name@unit" when no child has exactly that name. */
int fdt_subnode(const struct fdt *f, int parent, const char *name, size_t len);
/*
 * Node at an absolute path ("/chosen", "/memory@40000000", "/memory") or at
 * an alias from /aliases ("serial0", "serial0/child"): the first len bytes
 * of path (less, when a NUL comes first).
 */
int fdt_path_offset_len(const struct fdt *f, const char *path, size_t len);
static inline int fdt_path_offset(const struct fdt *f, const char *path)
{
	return fdt_path_offset_len(f, path, FDT_MAX_SIZE);
}
/* Next node after from (-1: search the whole tree) named base or base@... */
int fdt_next_named(const struct fdt *f, int from, const char *base);
/* Next node after from (-1: search the whole tree) compatible with compat. */
int fdt_next_compatible(const struct fdt *f, int from, const char *compat);

/* ---- properties */

int fdt_first_prop(const struct fdt *f, int node, struct fdt_prop *p);
int fdt_next_prop(const struct fdt *f, struct fdt_prop *p);
int fdt_get_prop(const struct fdt *f, int node, const char *name, struct fdt_prop *p);
/* A number of 4 or 8 bytes as sizes (BIT(4), BIT(8) or both) allows, else
 * -FDT_ERR_BADLEN; the wrappers take exactly 4, exactly 8, or either. */
int fdt_prop_num(const struct fdt *f, int node, const char *name, u32 sizes, u64 *v);
static inline int fdt_prop_u32(const struct fdt *f, int node, const char *name, u32 *v)
{
	u64 x;
	int ret = fdt_prop_num(f, node, name, BIT(4), &x);

	if (!ret)
		*v = (u32)x;
	return ret;
}
static inline int fdt_prop_u64(const struct fdt *f, int node, const char *name, u64 *v)
{
	return fdt_prop_num(f, node, name, BIT(8), v);
}
static inline int fdt_prop_uint(const struct fdt *f, int node, const char *name, u64 *v)
{
	return fdt_prop_num(f, node, name, BIT(4) | BIT(8), v);
}
/* A value with a NUL inside it (its first string), else -FDT_ERR_BADVALUE. */
int fdt_prop_string(const struct fdt *f, int node, const char *name, const char **s);
/* String lists ("a\0b\0"): an unterminated tail is never read. */
bool fdt_stringlist_contains(const struct fdt_prop *p, const char *s);
int fdt_stringlist_get(const struct fdt_prop *p, u32 idx, const char **s);
/* True when the node's "compatible" string list holds compat. */
static inline bool fdt_node_compatible(const struct fdt *f, int node, const char *compat)
{
	struct fdt_prop p;

	return !fdt_get_prop(f, node, "compatible", &p) && fdt_stringlist_contains(&p, compat);
}

/* ---- addresses */

/* The #address-cells/#size-cells node gives its children (default 2/1). */
int fdt_node_cells(const struct fdt *f, int node, u32 *ac, u32 *sc);
/* The cells for node's own "reg": its parent's (2/1 for the root). */
int fdt_parent_cells(const struct fdt *f, int node, u32 *ac, u32 *sc);
/* Whole entries of a "reg"-style value with ac (1..2) address cells and sc
 * (0..2) size cells: the count, -FDT_ERR_BADCELLS, or -FDT_ERR_BADLEN when
 * the value ends with a partial entry. */
int fdt_reg_count(const struct fdt_prop *p, u32 ac, u32 sc);
/* Entry idx; -FDT_ERR_NOTFOUND past the last whole entry. */
int fdt_reg_entry(const struct fdt_prop *p, u32 ac, u32 sc, u32 idx, u64 *addr, u64 *size);
/* Entry idx of node's "reg" with its parent's cells (no "ranges" applied). */
int fdt_node_reg(const struct fdt *f, int node, u32 idx, u64 *addr, u64 *size);

/* ---- memory reservation map */

static inline u32 fdt_rsv_count(const struct fdt *f)
{
	return f->nr_rsv;
}
int fdt_rsv_entry(const struct fdt *f, u32 idx, u64 *addr, u64 *size);

#endif
