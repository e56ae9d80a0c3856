/* dtb.c: turning the arm64 boot device tree into struct boot_info. */
#include "boot/dtb.h"

#include "boot/memmap.h"
#include "compiler.h"
#include "core/kstring.h"
#include "core/log.h"
#include "drivers/fdt.h"

/*
 * drivers/fdt.c checks the whole blob before anything here reads it, and
 * every read goes through its bounds-checked accessors; this file decides
 * what the nodes mean. What QEMU's virt machine gives (-M virt,
 * virtualization=on; #address-cells = #size-cells = 2 at the root):
 *
 *   /memory@40000000      device_type "memory", reg = RAM banks
 *   /chosen               bootargs, stdout-path "/pl011@9000000",
 *                         linux,initrd-start/-end (4 or 8 bytes each)
 *   /pl011@9000000        compatible "arm,pl011", "arm,primecell"
 *   /intc@8000000         "arm,gic-v3": reg GICD, GICR..., [GICC, GICH, GICV]
 *                         or "arm,cortex-a15-gic": reg GICD, GICC, GICH, GICV
 *                         (its ITS or v2m frame is a child node)
 *   /timer                "arm,armv8-timer": interrupts = 4 x <type PPI flags>
 *   /psci                 "arm,psci-1.0", method "smc" or "hvc"
 *
 * Devices on a bus below the root have their reg translated through the
 * bus's "ranges" (one level; an empty "ranges" is the identity).
 */

struct dtb_ctx {
	struct fdt f;
	struct boot_info *bi;
	u64 pa;
	int bus_ok;	 /* a bus already found one level below the root */
	bool mem_full;	 /* bi->mem is full even after normalizing */
	u32 mem_dropped; /* ranges that found no room */
	char path[128];	 /* path_of()'s result */
};

/* Report one malformation of the tree that we survive, and count it. */
#define dtb_warn(c, ...)                \
	do {                            \
		pr_warn(__VA_ARGS__);   \
		(c)->bi->nr_problems++; \
	} while (0)

/* Path of a node for messages; valid until the next call. */
static const char *path_of(struct dtb_ctx *c, int node)
{
	c->path[0] = '\0';
	fdt_node_path(&c->f, node, c->path, sizeof(c->path));
	return c->path[0] ? c->path : "?";
}

/* "status" absent, "okay", or the old spelling "ok". */
static bool node_enabled(const struct fdt *f, int node)
{
	const char *s;
	int ret = fdt_prop_string(f, node, "status", &s);

	if (ret == -FDT_ERR_NOTFOUND)
		return true;
	return !ret && (strcmp(s, "okay") == 0 || strcmp(s, "ok") == 0);
}

/* The first enabled node compatible with compat, or a negative number. */
static int find_enabled(const struct fdt *f, const char *compat)
{
	int node = -1;

	while ((node = fdt_next_compatible(f, node, compat)) >= 0)
		if (node_enabled(f, node))
			return node;
	return node;
}

/* ------------------------------------------------------------ addresses */

/* How one node's "reg" entries become physical ranges. */
struct regs {
	struct fdt_prop reg;
	u32 ac, sc;		/* the parent's cells */
	struct fdt_prop ranges; /* the parent bus's, when that is not the root */
	u32 pac;		/* the root's #address-cells, for ranges */
	bool translate;		/* ranges non-empty: not the identity */
};

/* A parent bus other than the root: one level below it, with "ranges". */
static int regs_bus(struct dtb_ctx *c, int node, int bus, const char *what, struct regs *r)
{
	const struct fdt *f = &c->f;
	u32 psc;

	if (bus != c->bus_ok && fdt_parent(f, bus) != f->root) {
		dtb_warn(c, "dtb: %s %s sits below more than one bus level, not supported, ignored",
			 what, path_of(c, node));
		return -1;
	}
	if (fdt_get_prop(f, bus, "ranges", &r->ranges)) {
		dtb_warn(c,
			 "dtb: %s %s is on a bus without \"ranges\" (not memory-mapped), ignored",
			 what, path_of(c, node));
		return -1;
	}
	c->bus_ok = bus;		   /* found below the root: no need to walk there again */
	r->translate = r->ranges.len != 0; /* empty: the bus's addresses are its parent's */
	if (r->translate &&
	    (fdt_node_cells(f, f->root, &r->pac, &psc) || r->pac < 1 || r->pac > 2)) {
		dtb_warn(c, "dtb: %s %s: its bus's \"ranges\" cells cannot be decoded, ignored",
			 what, path_of(c, node));
		return -1;
	}
	return 0;
}

/*
 * Set r up for node's "reg" (parent: its parent, negative for none): 0, 1
 * when it has none, -1 when it cannot be used (warned and counted).
 */
static int regs_open(struct dtb_ctx *c, int node, int parent, const char *what, struct regs *r)
{
	const struct fdt *f = &c->f;
	int ret = 0;

	*r = (struct regs){ .ac = 2, .sc = 1 };
	if (fdt_get_prop(f, node, "reg", &r->reg))
		return 1;
	if (parent >= 0)
		ret = fdt_node_cells(f, parent, &r->ac, &r->sc);
	if (!ret && fdt_reg_count(&r->reg, r->ac, r->sc) == -FDT_ERR_BADCELLS)
		ret = -FDT_ERR_BADCELLS;
	if (ret) {
		dtb_warn(c,
			 "dtb: %s %s: reg cannot be decoded with #address-cells %u, #size-cells %u "
			 "(%s), ignored",
			 what, path_of(c, node), r->ac, r->sc, fdt_strerror(ret));
		return -1;
	}
	if (parent >= 0 && parent != f->root)
		return regs_bus(c, node, parent, what, r);
	return 0;
}

/* The bus's "ranges" entry (child address, parent address, size) holding [*addr, +size). */
static bool regs_translate(const struct regs *r, u64 *addr, u64 size)
{
	u32 esz = (r->ac + r->pac + r->sc) * 4;
	const u8 *e;
	u64 cb, pb, len;

	for (u32 off = 0; r->ranges.len - off >= esz; off += esz) {
		e = r->ranges.data + off;
		cb = fdt_read_cells(e, r->ac);
		pb = fdt_read_cells(e + (size_t)r->ac * 4, r->pac);
		len = fdt_read_cells(e + (size_t)(r->ac + r->pac) * 4, r->sc);
		if (*addr >= cb && *addr - cb < len && size <= len - (*addr - cb)) {
			*addr = pb + (*addr - cb);
			return true;
		}
	}
	return false;
}

/* Entry idx: 0, 1 past the last whole entry, -1 outside the bus's ranges (warned). */
static int regs_entry(struct dtb_ctx *c, int node, const char *what, const struct regs *r, u32 idx,
		      u64 *base, u64 *size)
{
	u64 b, s;

	if (fdt_reg_entry(&r->reg, r->ac, r->sc, idx, &b, &s))
		return 1;
	if (r->translate && !regs_translate(r, &b, s)) {
		dtb_warn(c,
			 "dtb: %s %s: reg 0x%llx+0x%llx is outside its bus's \"ranges\", ignored",
			 what, path_of(c, node), (unsigned long long)b, (unsigned long long)s);
		return -1;
	}
	*base = b;
	*size = s;
	return 0;
}

/* Entry idx of a device's "reg": 0, 1 when there is none, -1 when unusable (warned). */
static int dev_reg(struct dtb_ctx *c, int node, const char *what, u32 idx, u64 *base, u64 *size)
{
	struct regs r;
	int ret = regs_open(c, node, fdt_parent(&c->f, node), what, &r);

	return ret ? ret : regs_entry(c, node, what, &r, idx, base, size);
}

/* ------------------------------------------------------------ memory */

static void mem_normalize(struct dtb_ctx *c)
{
	int ret = memmap_normalize(c->bi->mem, &c->bi->nr_mem, BOOT_MAX_MEM_RANGES);

	if (ret > 0)
		c->bi->nr_problems += (u32)ret;
	c->mem_full = c->bi->nr_mem == BOOT_MAX_MEM_RANGES;
}

/* Append a range as it is; one that finds no room is counted, and reported by mem_finish(). */
static void mem_append(struct dtb_ctx *c, u64 base, u64 len, u32 type)
{
	struct boot_info *bi = c->bi;

	if (bi->nr_mem == BOOT_MAX_MEM_RANGES) {
		c->mem_dropped++;
		return;
	}
	bi->mem[bi->nr_mem++] = (struct mem_range){ .base = base, .len = len, .type = type };
}

/* Append a range; a full table is compacted first (once: until a range is
 * removed, compacting it again would gain nothing). */
static void mem_add(struct dtb_ctx *c, u64 base, u64 len, u32 type)
{
	if (c->bi->nr_mem == BOOT_MAX_MEM_RANGES && !c->mem_full)
		mem_normalize(c);
	mem_append(c, base, len, type);
}

static void mem_remove(struct dtb_ctx *c, u32 i)
{
	struct boot_info *bi = c->bi;

	for (; i + 1 < bi->nr_mem; i++)
		bi->mem[i] = bi->mem[i + 1];
	bi->nr_mem--;
	c->mem_full = false;
}

/*
 * Cut [base, end) out of every RAM range. A device tree's reservations lie
 * inside its memory nodes by design, which memmap_normalize() would report
 * as overlaps; and once cut out, the memory stays unusable even if the
 * reserved range itself finds no room in the table.
 */
static void mem_carve(struct dtb_ctx *c, u64 base, u64 end)
{
	struct boot_info *bi = c->bi;
	u64 rb, re;

	for (u32 i = 0; i < bi->nr_mem; i++) {
		rb = bi->mem[i].base;
		re = rb + bi->mem[i].len; /* RAM is normalized: no wrap */
		if (bi->mem[i].type != MEM_RAM || re <= base || rb >= end)
			continue;
		if (rb >= base && re <= end) {
			mem_remove(c, i--);
			continue;
		}
		bi->mem[i].len = rb < base ? base - rb : re - end;
		bi->mem[i].base = rb < base ? rb : end;
		/* A hole in the middle: the far side is new (without compacting,
		 * which would reorder the table under this loop). */
		if (rb < base && re > end)
			mem_append(c, end, re - end, MEM_RAM);
	}
}

/* A reserved range: out of RAM, then recorded (memmap drops an empty one, warning). */
static void mem_reserve(struct dtb_ctx *c, u64 base, u64 len)
{
	if (len)
		mem_carve(c, base, len > UINT64_MAX - base ? UINT64_MAX : base + len);
	mem_add(c, base, len, MEM_RESERVED);
}

/* Every whole entry of node's "reg" as a range of type; a partial entry is reported.
 * The caller knows the parent: finding it is a walk from the root. */
static void mem_add_reg(struct dtb_ctx *c, int node, int parent, const char *what, u32 type)
{
	struct regs r;
	u64 base, size;
	u32 idx;
	int ret = regs_open(c, node, parent, what, &r);

	if (ret > 0)
		dtb_warn(c, "dtb: %s %s has no reg, ignored", what, path_of(c, node));
	if (ret)
		return;
	for (idx = 0; !(ret = regs_entry(c, node, what, &r, idx, &base, &size)); idx++) {
		if (type == MEM_RAM)
			mem_add(c, base, size, type);
		else
			mem_reserve(c, base, size);
	}
	if (ret < 0)
		return; /* reported; the rest of the reg with it */
	if (!idx)
		dtb_warn(c, "dtb: %s %s has a reg of %u bytes, less than one entry, ignored", what,
			 path_of(c, node), r.reg.len);
	else if (fdt_reg_count(&r.reg, r.ac, r.sc) < 0)
		dtb_warn(c, "dtb: %s %s: reg (%u bytes) ends with a partial entry, ignored", what,
			 path_of(c, node), r.reg.len);
}

/* The /memreserve/ map and the children of /reserved-memory. */
static void mem_reserved(struct dtb_ctx *c)
{
	const struct fdt *f = &c->f;
	struct fdt_prop reg;
	u64 addr, size;
	int rm, node;

	for (u32 i = 0; !fdt_rsv_entry(f, i, &addr, &size); i++)
		mem_reserve(c, addr, size);
	rm = fdt_subnode(f, f->root, "reserved-memory", 15);
	for (node = rm < 0 ? rm : fdt_first_child(f, rm); node >= 0;
	     node = fdt_next_sibling(f, node)) {
		/* Without reg it asks the OS to allocate ("size"): nothing fixed to keep. */
		if (node_enabled(f, node) && !fdt_get_prop(f, node, "reg", &reg))
			mem_add_reg(c, node, rm, "reserved-memory node", MEM_RESERVED);
	}
}

/* The root's children named memory or memory@... or with device_type "memory". */
static void mem_ram(struct dtb_ctx *c)
{
	const struct fdt *f = &c->f;
	const char *type;
	int node;

	for (node = fdt_first_child(f, f->root); node >= 0; node = fdt_next_sibling(f, node)) {
		if (!fdt_node_named(f, node, "memory") &&
		    (fdt_prop_string(f, node, "device_type", &type) || strcmp(type, "memory") != 0))
			continue;
		if (node_enabled(f, node))
			mem_add_reg(c, node, f->root, "memory node", MEM_RAM);
	}
}

/* Normalize the map and insist on some RAM. */
static int mem_finish(struct dtb_ctx *c)
{
	struct boot_info *bi = c->bi;

	if (c->mem_dropped)
		dtb_warn(c,
			 "dtb: more than %u memory ranges, %u dropped (RAM among them is not used; "
			 "reserved ones are still kept out of RAM)",
			 BOOT_MAX_MEM_RANGES, c->mem_dropped);
	mem_normalize(c);
	if (!memmap_ram_bytes(bi->mem, bi->nr_mem)) {
		pr_err("dtb: no usable memory: the device tree at 0x%llx describes no RAM "
		       "(no memory node with a usable reg)",
		       (unsigned long long)c->pa);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ /chosen */

static void chosen_bootargs(struct dtb_ctx *c, int chosen)
{
	char *dst = c->bi->cmdline;
	struct fdt_prop p;
	u32 n;

	if (fdt_get_prop(&c->f, chosen, "bootargs", &p))
		return;
	for (n = 0; n < p.len && p.data[n]; n++)
		;
	if (n == p.len && p.len)
		dtb_warn(c,
			 "dtb: /chosen/bootargs is not NUL-terminated, cut at its end (%u bytes)",
			 p.len);
	if (n > BOOT_CMDLINE_MAX - 1) {
		dtb_warn(c, "dtb: /chosen/bootargs is %u bytes, longer than %u, truncated", n,
			 BOOT_CMDLINE_MAX - 1);
		n = BOOT_CMDLINE_MAX - 1;
	}
	memcpy(dst, p.data, n);
	dst[n] = '\0';
}

/* linux,initrd-start/-end: each 4 or 8 bytes; the initrd is also module 0. */
static void chosen_initrd(struct dtb_ctx *c, int chosen)
{
	static const char *const names[2] = { "linux,initrd-start", "linux,initrd-end" };
	struct boot_info *bi = c->bi;
	u64 v[2];
	int ret[2];

	for (int i = 0; i < 2; i++)
		ret[i] = fdt_prop_uint(&c->f, chosen, names[i], &v[i]);
	if (ret[0] == -FDT_ERR_NOTFOUND && ret[1] == -FDT_ERR_NOTFOUND)
		return;
	for (int i = 0; i < 2; i++) {
		if (ret[i] == -FDT_ERR_NOTFOUND) {
			dtb_warn(c, "dtb: /chosen has %s but no %s, initrd ignored", names[!i],
				 names[i]);
			return;
		}
		if (ret[i]) {
			dtb_warn(c, "dtb: /chosen/%s is not 4 or 8 bytes long, initrd ignored",
				 names[i]);
			return;
		}
	}
	if (v[1] <= v[0]) {
		dtb_warn(c, "dtb: initrd end 0x%llx is not after its start 0x%llx, initrd ignored",
			 (unsigned long long)v[1], (unsigned long long)v[0]);
		return;
	}
	bi->initrd_start = v[0];
	bi->initrd_end = v[1];
	bi->mods[0].start = v[0];
	bi->mods[0].end = v[1];
	memcpy(bi->mods[0].cmdline, "initrd", sizeof("initrd"));
	bi->nr_mods = 1;
}

/* The node stdout-path names ("/pl011@9000000:115200n8", or an alias), or negative. */
static int chosen_stdout(struct dtb_ctx *c, int chosen)
{
	const char *path;
	size_t len;
	int node, ret = fdt_prop_string(&c->f, chosen, "stdout-path", &path);

	if (ret == -FDT_ERR_NOTFOUND)
		return ret;
	if (ret) {
		dtb_warn(c, "dtb: /chosen/stdout-path is not a string, ignored");
		return ret;
	}
	for (len = 0; path[len] && path[len] != ':'; len++)
		;
	node = fdt_path_offset_len(&c->f, path, len);
	if (node < 0)
		dtb_warn(c, "dtb: /chosen/stdout-path \"%s\" names no node (%s), ignored", path,
			 fdt_strerror(node));
	return node;
}

/* ------------------------------------------------------------ devices */

/* stdout-path's node if it is an enabled PL011, else the first enabled PL011. */
static void find_uart(struct dtb_ctx *c, int chosen)
{
	const struct fdt *f = &c->f;
	int node = chosen >= 0 ? chosen_stdout(c, chosen) : -FDT_ERR_NOTFOUND, ret;
	u64 base, size;

	if (node >= 0 && !(fdt_node_compatible(f, node, "arm,pl011") && node_enabled(f, node))) {
		pr_info("dtb: stdout-path names %s, not an enabled PL011; using the first PL011",
			path_of(c, node));
		node = -FDT_ERR_NOTFOUND;
	}
	if (node < 0)
		node = find_enabled(f, "arm,pl011");
	if (node < 0) {
		pr_warn("dtb: no PL011 UART (compatible \"arm,pl011\") in the device tree");
		return;
	}
	ret = dev_reg(c, node, "UART", 0, &base, &size);
	if (ret > 0)
		dtb_warn(c, "dtb: UART %s has no reg, ignored", path_of(c, node));
	if (ret)
		return;
	c->bi->dev.uart_base = base;
	c->bi->dev.uart_size = size;
}

/* Region idx of the GIC; a missing required one is reported. */
static bool gic_reg(struct dtb_ctx *c, int node, u32 idx, const char *what, u64 *base, u64 *size)
{
	u64 ignored;
	int ret = dev_reg(c, node, "GIC", idx, base, size ? size : &ignored);

	if (ret > 0 && what)
		dtb_warn(c, "dtb: GIC %s has no %s region (reg entry %u), GIC ignored",
			 path_of(c, node), what, idx);
	return !ret;
}

/* GICv3's #redistributor-regions: how many GICR regions follow GICD (default 1). */
static u32 gic_redist_regions(struct dtb_ctx *c, int node)
{
	u32 nr = 1;
	int ret = fdt_prop_u32(&c->f, node, "#redistributor-regions", &nr);

	if (ret == -FDT_ERR_NOTFOUND || (!ret && nr >= 1 && nr <= 1024))
		return nr;
	dtb_warn(c, "dtb: GIC %s has a bad #redistributor-regions, 1 assumed", path_of(c, node));
	return 1;
}

/*
 * GICv3 reg: GICD, the GICR regions, then optionally GICC, GICH, GICV.
 * GICv2 reg: GICD, GICC, then optionally GICH, GICV.
 */
static bool gic_regs(struct dtb_ctx *c, int node, u32 version, struct boot_devices *g)
{
	u32 nr;

	if (!gic_reg(c, node, 0, "distributor", &g->gicd_base, &g->gicd_size))
		return false;
	if (version == 2) {
		if (!gic_reg(c, node, 1, "CPU interface", &g->gicc_base, &g->gicc_size))
			return false;
		gic_reg(c, node, 2, NULL, &g->gich_base, NULL);
		gic_reg(c, node, 3, NULL, &g->gicv_base, NULL);
		return true;
	}
	nr = gic_redist_regions(c, node);
	if (!gic_reg(c, node, 1, "redistributor", &g->gicr_base, &g->gicr_size))
		return false;
	gic_reg(c, node, 1 + nr, NULL, &g->gicc_base, &g->gicc_size);
	gic_reg(c, node, 2 + nr, NULL, &g->gich_base, NULL);
	gic_reg(c, node, 3 + nr, NULL, &g->gicv_base, NULL);
	return true;
}

static void find_gic(struct dtb_ctx *c)
{
	static const struct {
		const char *compat;
		u32 version;
	} gics[] = { { "arm,gic-v3", 3 }, { "arm,gic-400", 2 }, { "arm,cortex-a15-gic", 2 } };
	struct boot_devices g = { 0 }, *d = &c->bi->dev;
	int node = -FDT_ERR_NOTFOUND;
	u32 version = 0;

	for (u32 i = 0; i < ARRAY_SIZE(gics) && node < 0; i++) {
		node = find_enabled(&c->f, gics[i].compat);
		version = gics[i].version;
	}
	if (node < 0) {
		pr_warn("dtb: no GIC (\"arm,gic-v3\", \"arm,gic-400\" or \"arm,cortex-a15-gic\") "
			"in "
			"the device tree");
		return;
	}
	if (!gic_regs(c, node, version, &g))
		return;
	d->gic_version = version;
	d->gicd_base = g.gicd_base;
	d->gicd_size = g.gicd_size;
	d->gicr_base = g.gicr_base;
	d->gicr_size = g.gicr_size;
	d->gicc_base = g.gicc_base;
	d->gicc_size = g.gicc_size;
	d->gich_base = g.gich_base;
	d->gicv_base = g.gicv_base;
}

/* interrupts = <type number flags> x 4: secure, non-secure, virtual, hypervisor. */
static void find_timer(struct dtb_ctx *c)
{
	struct boot_devices *d = &c->bi->dev;
	int node = find_enabled(&c->f, "arm,armv8-timer");
	struct fdt_prop p;
	u32 n, type;

	if (node < 0) {
		pr_warn("dtb: no generic timer (\"arm,armv8-timer\") in the device tree");
		return;
	}
	if (fdt_get_prop(&c->f, node, "interrupts", &p) || p.len < 12) {
		dtb_warn(c, "dtb: timer %s has no interrupts, ignored", path_of(c, node));
		return;
	}
	if (p.len % 12)
		dtb_warn(c,
			 "dtb: timer %s: interrupts (length %u) is not a whole number of "
			 "3-cell entries, the rest ignored",
			 path_of(c, node), p.len);
	n = MIN(p.len / 12, (u32)ARRAY_SIZE(d->timer_ppi));
	if (n < ARRAY_SIZE(d->timer_ppi))
		dtb_warn(c, "dtb: timer %s lists %u interrupts, 4 expected", path_of(c, node), n);
	for (u32 i = 0; i < n; i++) {
		type = fdt_be32(p.data + (size_t)i * 12);
		if (type != 1) /* GIC_PPI in the GIC bindings' first cell */
			dtb_warn(c, "dtb: timer %s interrupt %u has type %u, not a PPI (1)",
				 path_of(c, node), i, type);
		d->timer_ppi[i] = fdt_be32(p.data + (size_t)i * 12 + 4);
	}
	d->has_timer = true;
}

static void find_psci(struct dtb_ctx *c)
{
	static const char *const compats[] = { "arm,psci-1.0", "arm,psci-0.2", "arm,psci" };
	int node = -FDT_ERR_NOTFOUND;
	const char *method;

	for (u32 i = 0; i < ARRAY_SIZE(compats) && node < 0; i++)
		node = find_enabled(&c->f, compats[i]);
	if (node < 0)
		return;
	if (fdt_prop_string(&c->f, node, "method", &method)) {
		dtb_warn(c, "dtb: PSCI %s has no method, ignored", path_of(c, node));
		return;
	}
	if (strcmp(method, "smc") != 0 && strcmp(method, "hvc") != 0) {
		dtb_warn(c, "dtb: PSCI %s has method \"%s\" (not \"smc\" or \"hvc\"), ignored",
			 path_of(c, node), method);
		return;
	}
	c->bi->dev.has_psci = true;
	c->bi->dev.psci_smc = strcmp(method, "smc") == 0;
}

/* ------------------------------------------------------------ entry */

int dtb_parse_sized(const void *dtb, size_t avail, u64 dtb_pa, struct boot_info *bi)
{
	struct dtb_ctx c = { .bi = bi, .pa = dtb_pa, .bus_ok = -1 };
	int ret, chosen;

	memset(bi, 0, sizeof(*bi));
	bi->proto = BOOT_PROTO_IMAGE;
	bi->dtb = dtb_pa;
	ret = fdt_init(&c.f, dtb, avail);
	if (ret == -FDT_ERR_MAGIC) {
		pr_err("dtb: bad magic 0x%08x at 0x%llx (not a device tree)", fdt_be32(dtb),
		       (unsigned long long)dtb_pa);
		return -1;
	}
	if (ret) {
		pr_err("dtb: device tree at 0x%llx is malformed: %s", (unsigned long long)dtb_pa,
		       fdt_error_text(&c.f));
		return -1;
	}
	bi->info_start = dtb_pa;
	bi->info_end = dtb_pa + c.f.totalsize;
	memcpy(bi->loader_name, "device tree", sizeof("device tree"));
	/* RAM first, normalized, so that reservations can be cut out of it. */
	mem_ram(&c);
	mem_normalize(&c);
	mem_reserved(&c);
	chosen = fdt_path_offset(&c.f, "/chosen");
	if (chosen >= 0) {
		chosen_bootargs(&c, chosen);
		chosen_initrd(&c, chosen);
	}
	find_uart(&c, chosen);
	find_gic(&c);
	find_timer(&c);
	find_psci(&c);
	return mem_finish(&c);
}

int dtb_parse(const void *dtb, u64 dtb_pa, struct boot_info *bi)
{
	return dtb_parse_sized(dtb, FDT_MAX_SIZE, dtb_pa, bi);
}
