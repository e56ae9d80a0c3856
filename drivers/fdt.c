/* fdt.c: bounds-checked reading of a flattened device tree (DTB) that fdt_init() has checked. */
#include "drivers/fdt.h"

#include "core/kstring.h"
#include "core/log.h"
#include "drivers/fdt_int.h"

/* Readers re-check every offset through fdt_read_token() (fdt_check.c). */

/* ------------------------------------------------------------ nodes */

/* The token at off must be FDT_BEGIN_NODE. */
static int node_token(const struct fdt *f, int node, struct tok *t)
{
	int ret;

	if (node < 0)
		return -FDT_ERR_BADNODE;
	ret = fdt_read_token(f, (u32)node, t, NULL);
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
		ret = fdt_read_token(f, off, &t, NULL);
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
		ret = fdt_read_token(f, off, &t, NULL);
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
	ret = fdt_read_token(f, (u32)p->off, &t, NULL);
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
		n = fdt_bounded_strlen(p->data + off, p->len - off);
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
