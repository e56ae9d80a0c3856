/* multiboot.c: turning Multiboot1 and Multiboot2 boot information into struct boot_info. */
#include "boot/multiboot.h"
#include "boot/memmap.h"
#include "compiler.h"
#include "core/log.h"

/*
 * Everything here reads loader data through the caller's phys_map_fn and
 * trusts nothing in it: every length is checked against what was mapped
 * before it is used, and a pointer from map() is not used after the next
 * call to map(), so a map function with one temporary window also works.
 */

/* Largest Multiboot1 memory map we read; E820 maps are a few hundred bytes. */
#define MB1_MMAP_MAX_LEN (64u << 10)
/* The most lower memory a PC has, in KiB. */
#define MB_MEM_LOWER_MAX_KIB 640u

/* Report one malformation of the loader's data and count it. */
#define mb_warn(bi, ...)              \
	do {                          \
		pr_warn(__VA_ARGS__); \
		(bi)->nr_problems++;  \
	} while (0)

enum str_status {
	STR_OK,
	STR_TRUNCATED,	  /* longer than the destination: cut */
	STR_UNTERMINATED, /* no NUL inside its container: cut there */
	STR_UNREADABLE,	  /* runs into memory map() refuses: cut there */
};

static void zero_bytes(void *p, size_t n)
{
	u8 *b = p;

	while (n--)
		*b++ = 0;
}

/* Copy a string of at most srclen bytes into dst[dstsz]; always NUL-terminated. */
static enum str_status copy_bounded(char *dst, size_t dstsz, const char *src, size_t srclen)
{
	size_t i;

	for (i = 0; i < srclen && src[i]; i++) {
		if (i + 1 == dstsz) {
			dst[i] = '\0';
			return STR_TRUNCATED;
		}
		dst[i] = src[i];
	}
	dst[i] = '\0';
	return i == srclen ? STR_UNTERMINATED : STR_OK;
}

/* Copy a C string at physical address pa, one mapped byte at a time. */
static enum str_status copy_phys_str(char *dst, size_t dstsz, u64 pa, phys_map_fn map, void *ctx)
{
	const char *c;
	size_t i;

	for (i = 0; i + 1 < dstsz; i++) {
		c = map(pa + i, 1, ctx);
		if (!c || !*c) {
			dst[i] = '\0';
			return c ? STR_OK : STR_UNREADABLE;
		}
		dst[i] = *c;
	}
	dst[i] = '\0';
	c = map(pa + i, 1, ctx);
	return c && !*c ? STR_OK : STR_TRUNCATED;
}

static void report_str(struct boot_info *bi, const char *proto, const char *what, u64 pa,
		       size_t dstsz, enum str_status st)
{
	unsigned long long where = pa;

	switch (st) {
	case STR_OK:
		break;
	case STR_TRUNCATED:
		mb_warn(bi, "%s: %s at 0x%llx is longer than %zu bytes, truncated", proto, what,
			where, dstsz - 1);
		break;
	case STR_UNTERMINATED:
		mb_warn(bi,
			"%s: %s at 0x%llx is not NUL-terminated within its tag, cut at the tag's "
			"end",
			proto, what, where);
		break;
	case STR_UNREADABLE:
		mb_warn(bi, "%s: %s at 0x%llx runs into unreadable memory, cut there", proto, what,
			where);
		break;
	}
}

/* Multiboot/E820 memory type to enum mem_type; unknown types are reserved. */
static u32 e820_type(u32 type)
{
	switch (type) {
	case MEM_RAM:
	case MEM_ACPI_RECLAIM:
	case MEM_ACPI_NVS:
	case MEM_BAD:
		return type;
	default:
		return MEM_RESERVED;
	}
}

/* Append a range; when the table is full, compact it first. */
static void mem_add(struct boot_info *bi, const char *proto, u64 base, u64 len, u32 type)
{
	int ret;

	if (bi->nr_mem == BOOT_MAX_MEM_RANGES) {
		ret = memmap_normalize(bi->mem, &bi->nr_mem, BOOT_MAX_MEM_RANGES);
		if (ret > 0)
			bi->nr_problems += (u32)ret;
	}
	if (bi->nr_mem == BOOT_MAX_MEM_RANGES) {
		mb_warn(bi,
			"%s: more than %u memory ranges, range at 0x%llx length 0x%llx type %u "
			"dropped",
			proto, BOOT_MAX_MEM_RANGES, (unsigned long long)base,
			(unsigned long long)len, type);
		return;
	}
	bi->mem[bi->nr_mem++] = (struct mem_range){ .base = base, .len = len, .type = type };
}

/* The mem_lower/mem_upper fallback: RAM below 640 KiB and from 1 MiB up. */
static void mem_add_basic(struct boot_info *bi, const char *proto, u32 lower_kib, u32 upper_kib)
{
	if (lower_kib > MB_MEM_LOWER_MAX_KIB) {
		mb_warn(bi, "%s: mem_lower %u KiB is more than %u KiB, clamped", proto, lower_kib,
			MB_MEM_LOWER_MAX_KIB);
		lower_kib = MB_MEM_LOWER_MAX_KIB;
	}
	if (lower_kib)
		mem_add(bi, proto, 0, KiB(lower_kib), MEM_RAM);
	if (upper_kib)
		mem_add(bi, proto, MiB(1), KiB(upper_kib), MEM_RAM);
}

/* Normalize the map and insist on some RAM. */
static int mem_finish(struct boot_info *bi, const char *proto)
{
	int ret = memmap_normalize(bi->mem, &bi->nr_mem, BOOT_MAX_MEM_RANGES);

	if (ret > 0)
		bi->nr_problems += (u32)ret;
	if (!memmap_ram_bytes(bi->mem, bi->nr_mem)) {
		pr_err("%s: no usable memory map: the loader reported no RAM", proto);
		return -1;
	}
	return 0;
}

/* Check and record one module; NULL when it is dropped. */
static struct boot_module *mod_add(struct boot_info *bi, const char *proto, u32 idx, u64 start,
				   u64 end)
{
	struct boot_module *m;

	if (end < start) {
		mb_warn(bi,
			"%s: module %u ends before it starts (start 0x%llx, end 0x%llx), ignored",
			proto, idx, (unsigned long long)start, (unsigned long long)end);
		return NULL;
	}
	if (end == start) {
		mb_warn(bi, "%s: module %u at 0x%llx is empty (zero length), dropped", proto, idx,
			(unsigned long long)start);
		return NULL;
	}
	m = &bi->mods[bi->nr_mods++];
	m->start = start;
	m->end = end;
	return m;
}

static void mods_overflow(struct boot_info *bi, const char *proto, u32 ignored)
{
	if (ignored)
		mb_warn(bi, "%s: more than %u modules, %u extra module(s) ignored", proto,
			BOOT_MAX_MODULES, ignored);
}

/* ------------------------------------------------------------ Multiboot1 */

/* Bytes of the info structure that the fields selected by flags occupy. */
static u32 mb1_info_need(u32 flags)
{
	u32 need = offsetof(struct mb1_info, mem_lower);

	if (flags & MB1_INFO_MEMORY)
		need = offsetof(struct mb1_info, boot_device);
	if (flags & MB1_INFO_CMDLINE)
		need = offsetof(struct mb1_info, mods_count);
	if (flags & MB1_INFO_MODS)
		need = offsetof(struct mb1_info, syms);
	if (flags & MB1_INFO_MEM_MAP)
		need = offsetof(struct mb1_info, drives_length);
	if (flags & MB1_INFO_LOADER_NAME)
		need = offsetof(struct mb1_info, apm_table);
	return need;
}

static void mb1_string(struct boot_info *bi, u32 pa, char *dst, size_t dstsz, const char *what,
		       phys_map_fn map, void *ctx)
{
	enum str_status st = copy_phys_str(dst, dstsz, pa, map, ctx);

	report_str(bi, "multiboot1", what, pa, dstsz, st);
}

static void mb1_modules(const struct mb1_info *mi, phys_map_fn map, void *ctx, struct boot_info *bi)
{
	struct boot_module *slot;
	struct mb1_module mod;
	u32 i;

	for (i = 0; i < mi->mods_count && bi->nr_mods < BOOT_MAX_MODULES; i++) {
		u64 pa = (u64)mi->mods_addr + (u64)i * sizeof(mod);
		const struct mb1_module *m = map(pa, sizeof(mod), ctx);

		if (!m) {
			mb_warn(bi,
				"multiboot1: module %u entry at 0x%llx is not readable, it and the "
				"rest ignored",
				i, (unsigned long long)pa);
			return;
		}
		mod = *m;
		slot = mod_add(bi, "multiboot1", i, mod.mod_start, mod.mod_end);
		if (slot && mod.string)
			mb1_string(bi, mod.string, slot->cmdline, sizeof(slot->cmdline),
				   "module command line", map, ctx);
	}
	mods_overflow(bi, "multiboot1", mi->mods_count - i);
}

/* Walk the size-prefixed memory map records; false when none could be read. */
static bool mb1_mmap(const struct mb1_info *mi, phys_map_fn map, void *ctx, struct boot_info *bi)
{
	const struct mb1_mmap_entry *e;
	u32 len = mi->mmap_length, off = 0;
	const u8 *p;

	if (len > MB1_MMAP_MAX_LEN) {
		mb_warn(bi,
			"multiboot1: mmap_length 0x%x is implausible, only the first 0x%x bytes "
			"read",
			len, MB1_MMAP_MAX_LEN);
		len = MB1_MMAP_MAX_LEN;
	}
	p = len ? map(mi->mmap_addr, len, ctx) : NULL;
	if (!p) {
		mb_warn(bi,
			"multiboot1: memory map at 0x%x (mmap_length 0x%x) is not readable, "
			"ignored",
			mi->mmap_addr, len);
		return false;
	}
	while (off < len) {
		if (len - off < sizeof(*e)) {
			mb_warn(bi,
				"multiboot1: memory map entry at offset 0x%x is cut short by "
				"mmap_length 0x%x, ignored",
				off, len);
			break;
		}
		e = (const struct mb1_mmap_entry *)(p + off);
		if (e->size < MB1_MMAP_ENTRY_MIN_SIZE || e->size > len - off - sizeof(e->size)) {
			mb_warn(bi,
				"multiboot1: memory map entry at offset 0x%x has size %u (valid: "
				"%u to 0x%x), rest of the map ignored",
				off, e->size, MB1_MMAP_ENTRY_MIN_SIZE,
				(u32)(len - off - sizeof(e->size)));
			break;
		}
		mem_add(bi, "multiboot1", e->base_addr, e->length, e820_type(e->type));
		off += e->size + (u32)sizeof(e->size);
	}
	return true;
}

static int mb1_memory(const struct mb1_info *mi, phys_map_fn map, void *ctx, struct boot_info *bi)
{
	if (!(mi->flags & (MB1_INFO_MEM_MAP | MB1_INFO_MEMORY))) {
		pr_err("multiboot1: no usable memory map: flags 0x%x have neither mmap (bit 6) nor "
		       "mem_lower/mem_upper (bit 0)",
		       mi->flags);
		return -1;
	}
	if (mi->flags & MB1_INFO_MEM_MAP)
		mb1_mmap(mi, map, ctx, bi);
	if (!bi->nr_mem && (mi->flags & MB1_INFO_MEMORY)) {
		if (mi->flags & MB1_INFO_MEM_MAP)
			pr_info("multiboot1: no memory map entries, using mem_lower/mem_upper");
		mem_add_basic(bi, "multiboot1", mi->mem_lower, mi->mem_upper);
	}
	return mem_finish(bi, "multiboot1");
}

int multiboot1_parse(u32 info_pa, phys_map_fn map, void *ctx, struct boot_info *bi)
{
	struct mb1_info mi;
	const u8 *p;
	u32 need;

	zero_bytes(bi, sizeof(*bi));
	zero_bytes(&mi, sizeof(mi));
	bi->proto = BOOT_PROTO_MULTIBOOT1;
	bi->firmware = BOOT_FW_BIOS;
	p = map(info_pa, sizeof(mi.flags), ctx);
	need = p ? mb1_info_need(((const struct mb1_info *)p)->flags) : 0;
	p = p ? map(info_pa, need, ctx) : NULL;
	if (!p) {
		pr_err("multiboot1: info block at 0x%x is not readable", info_pa);
		return -1;
	}
	for (u32 i = 0; i < need; i++)
		((u8 *)&mi)[i] = p[i];
	bi->info_start = info_pa;
	bi->info_end = (u64)info_pa + sizeof(mi);

	if (mi.flags & MB1_INFO_CMDLINE)
		mb1_string(bi, mi.cmdline, bi->cmdline, sizeof(bi->cmdline), "command line", map,
			   ctx);
	if (mi.flags & MB1_INFO_LOADER_NAME)
		mb1_string(bi, mi.boot_loader_name, bi->loader_name, sizeof(bi->loader_name),
			   "boot loader name", map, ctx);
	if (mi.flags & MB1_INFO_MODS)
		mb1_modules(&mi, map, ctx, bi);
	return mb1_memory(&mi, map, ctx, bi);
}

/* ------------------------------------------------------------ Multiboot2 */

/* Where a tag sits in the info block; off 0 means absent (tags start at 8). */
struct mb2_loc {
	u32 off;
	u32 size;
};

struct mb2_walk {
	u64 info_pa;
	u32 limit; /* bytes of the block we read: total_size, capped */
	phys_map_fn map;
	void *ctx;
	struct boot_info *bi;
	u32 mods_seen, mods_ignored;
	struct mb2_loc cmdline, loader, mmap, efi_mmap, meminfo;
	bool efi_bs;	/* boot services not terminated (tag 18) */
	u32 rsdp_tag;	/* the tag bi->rsdp came from, 0 if none */
	u32 systab_tag; /* the tag bi->efi_systab came from, 0 if none */
};

/* Smallest size of each tag type we read (header + fixed part). */
static const u8 mb2_min_size[] = {
	[MB2_TAG_MODULE] = sizeof(struct mb2_tag_module),
	[MB2_TAG_BASIC_MEMINFO] = sizeof(struct mb2_tag_basic_meminfo),
	[MB2_TAG_MMAP] = sizeof(struct mb2_tag_mmap),
	[MB2_TAG_EFI32] = sizeof(struct mb2_tag_efi32),
	[MB2_TAG_EFI64] = sizeof(struct mb2_tag_efi64),
	[MB2_TAG_ACPI_OLD] = sizeof(struct mb2_tag_acpi) + MB2_RSDP_V1_SIZE,
	[MB2_TAG_ACPI_NEW] = sizeof(struct mb2_tag_acpi) + MB2_RSDP_V2_SIZE,
	[MB2_TAG_EFI_MMAP] = sizeof(struct mb2_tag_efi_mmap),
};

/* Record the first tag of a kind; later ones are reported and ignored. */
static bool mb2_first(struct mb2_walk *w, struct mb2_loc *loc, u32 type, u32 off, u32 size)
{
	if (loc->off) {
		mb_warn(w->bi,
			"multiboot2: tag type %u at offset 0x%x repeats the one at offset 0x%x, "
			"ignored",
			type, off, loc->off);
		return false;
	}
	loc->off = off;
	loc->size = size;
	return true;
}

static void mb2_string(struct mb2_walk *w, const u8 *tag, u32 off, u32 size, char *dst,
		       size_t dstsz, const char *what)
{
	const struct mb2_tag_string *t = (const struct mb2_tag_string *)tag;
	enum str_status st = copy_bounded(dst, dstsz, t->string, size - sizeof(*t));

	report_str(w->bi, "multiboot2", what, w->info_pa + off + sizeof(*t), dstsz, st);
}

static void mb2_module(struct mb2_walk *w, const u8 *tag, u32 off, u32 size)
{
	const struct mb2_tag_module *t = (const struct mb2_tag_module *)tag;
	struct boot_module *m;
	enum str_status st;
	u32 idx = w->mods_seen++;

	if (w->bi->nr_mods == BOOT_MAX_MODULES) {
		w->mods_ignored++; /* reported once, after the walk */
		return;
	}
	m = mod_add(w->bi, "multiboot2", idx, t->mod_start, t->mod_end);
	if (!m)
		return;
	st = copy_bounded(m->cmdline, sizeof(m->cmdline), t->cmdline, size - sizeof(*t));
	report_str(w->bi, "multiboot2", "module command line", w->info_pa + off + sizeof(*t),
		   sizeof(m->cmdline), st);
}

/* Tags 11/12; the 64-bit pointer is preferred when both are present. */
static void mb2_efi_systab(struct mb2_walk *w, const u8 *tag, u32 type, u32 off)
{
	u64 ptr;

	w->bi->firmware = BOOT_FW_UEFI;
	if (type == MB2_TAG_EFI64)
		ptr = ((const struct mb2_tag_efi64 *)tag)->pointer;
	else
		ptr = ((const struct mb2_tag_efi32 *)tag)->pointer;
	if (!ptr) {
		mb_warn(w->bi,
			"multiboot2: EFI system table tag type %u at offset 0x%x holds a null "
			"pointer, ignored",
			type, off);
		return;
	}
	if (w->systab_tag == MB2_TAG_EFI64 && type == MB2_TAG_EFI32)
		return;
	w->bi->efi_systab = ptr;
	w->systab_tag = type;
}

/* Tags 14/15: the RSDP copy inside the tag is what we point at; 15 wins. */
static void mb2_acpi(struct mb2_walk *w, const u8 *tag, u32 type, u32 off)
{
	const struct mb2_tag_acpi *t = (const struct mb2_tag_acpi *)tag;
	const char *sig = MB2_RSDP_SIG;

	for (u32 i = 0; i < MB2_RSDP_SIG_LEN; i++) {
		if (t->rsdp[i] != (u8)sig[i]) {
			mb_warn(w->bi,
				"multiboot2: ACPI tag type %u at offset 0x%x has no \"RSD PTR \" "
				"signature, ignored",
				type, off);
			return;
		}
	}
	if (w->rsdp_tag == MB2_TAG_ACPI_NEW && type == MB2_TAG_ACPI_OLD)
		return;
	w->bi->rsdp = w->info_pa + off + offsetof(struct mb2_tag_acpi, rsdp);
	w->bi->rsdp_rev = type == MB2_TAG_ACPI_NEW ? 2 : 0;
	w->rsdp_tag = type;
}

static void mb2_tag(struct mb2_walk *w, const u8 *tag, u32 type, u32 off, u32 size)
{
	struct boot_info *bi = w->bi;

	if (type < ARRAY_SIZE(mb2_min_size) && size < mb2_min_size[type]) {
		mb_warn(bi,
			"multiboot2: tag type %u at offset 0x%x is too short (size %u, at least %u "
			"needed), ignored",
			type, off, size, mb2_min_size[type]);
		return;
	}
	switch (type) {
	case MB2_TAG_CMDLINE:
		if (mb2_first(w, &w->cmdline, type, off, size))
			mb2_string(w, tag, off, size, bi->cmdline, sizeof(bi->cmdline),
				   "command line");
		break;
	case MB2_TAG_LOADER_NAME:
		if (mb2_first(w, &w->loader, type, off, size))
			mb2_string(w, tag, off, size, bi->loader_name, sizeof(bi->loader_name),
				   "boot loader name");
		break;
	case MB2_TAG_MODULE:
		mb2_module(w, tag, off, size);
		break;
	case MB2_TAG_BASIC_MEMINFO:
		mb2_first(w, &w->meminfo, type, off, size);
		break;
	case MB2_TAG_MMAP:
		mb2_first(w, &w->mmap, type, off, size);
		break;
	case MB2_TAG_EFI_MMAP:
		bi->firmware = BOOT_FW_UEFI;
		mb2_first(w, &w->efi_mmap, type, off, size);
		break;
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
		mb2_efi_systab(w, tag, type, off);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		mb2_acpi(w, tag, type, off);
		break;
	case MB2_TAG_EFI_BS:
		w->efi_bs = true;
		break;
	default: /* framebuffer, ELF sections, SMBIOS, ...: not ours to read */
		break;
	}
}

/*
 * Step through the tags: each starts 8-byte aligned, has size >= 8 and lies
 * inside the block. Returns the offset just past the end tag, 0 if none.
 */
static u32 mb2_walk_tags(struct mb2_walk *w)
{
	u32 off = sizeof(struct mb2_info_header), type, size;
	const struct mb2_tag *h;
	const u8 *tag;

	while (off < w->limit) {
		if (w->limit - off < sizeof(*h)) {
			mb_warn(w->bi,
				"multiboot2: tag header at offset 0x%x is cut short by the end of "
				"the info (size 0x%x)",
				off, w->limit);
			return 0;
		}
		h = w->map(w->info_pa + off, sizeof(*h), w->ctx);
		if (!h) {
			mb_warn(w->bi,
				"multiboot2: tag at offset 0x%x is not readable, rest of the info "
				"ignored",
				off);
			return 0;
		}
		type = h->type;
		size = h->size;
		if (size < sizeof(*h)) {
			mb_warn(w->bi,
				"multiboot2: tag type %u at offset 0x%x has size %u (less than 8), "
				"rest of the info ignored",
				type, off, size);
			return 0;
		}
		if (size > w->limit - off) {
			mb_warn(w->bi,
				"multiboot2: tag type %u at offset 0x%x runs past the end of the "
				"info (size 0x%x), ignored",
				type, off, w->limit);
			return 0;
		}
		if (type == MB2_TAG_END)
			return off + size;
		tag = w->map(w->info_pa + off, size, w->ctx);
		if (!tag) {
			mb_warn(w->bi,
				"multiboot2: tag type %u at offset 0x%x (size %u) is not readable, "
				"rest of the info ignored",
				type, off, size);
			return 0;
		}
		mb2_tag(w, tag, type, off, size);
		off += ALIGN_UP(size, (u32)MB2_TAG_ALIGN);
	}
	mb_warn(w->bi, "multiboot2: no end tag (type 0) within the info (size 0x%x)", w->limit);
	return 0;
}

/* Map a recorded tag again; it was readable during the walk. */
static const u8 *mb2_remap(struct mb2_walk *w, const struct mb2_loc *loc)
{
	const u8 *tag = w->map(w->info_pa + loc->off, loc->size, w->ctx);

	if (!tag)
		mb_warn(w->bi, "multiboot2: tag at offset 0x%x is no longer readable, ignored",
			loc->off);
	return tag;
}

static void mb2_mmap(struct mb2_walk *w)
{
	const u8 *tag = mb2_remap(w, &w->mmap);
	const struct mb2_tag_mmap *t = (const struct mb2_tag_mmap *)tag;
	const struct mb2_mmap_entry *e;
	u32 esz, size = w->mmap.size, p;

	if (!tag)
		return;
	esz = t->entry_size;
	if (esz < sizeof(*e)) {
		mb_warn(w->bi,
			"multiboot2: memory map tag at offset 0x%x has entry_size %u (less than "
			"%zu), ignored",
			w->mmap.off, esz, sizeof(*e));
		return;
	}
	for (p = sizeof(*t); size - p >= esz; p += esz) {
		e = (const struct mb2_mmap_entry *)(tag + p);
		mem_add(w->bi, "multiboot2", e->base_addr, e->length, e820_type(e->type));
	}
	if (p != size)
		mb_warn(w->bi,
			"multiboot2: memory map tag at offset 0x%x ends with %u bytes that are not "
			"a whole entry, ignored",
			w->mmap.off, size - p);
}

/* EFI memory types to ours; with boot services alive their memory is theirs. */
static u32 efi_mem_type(u32 type, bool bs_alive)
{
	switch (type) {
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		return bs_alive ? MEM_RESERVED : MEM_RAM;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return MEM_RAM;
	case EFI_ACPI_RECLAIM_MEMORY:
		return MEM_ACPI_RECLAIM;
	case EFI_ACPI_NVS_MEMORY:
		return MEM_ACPI_NVS;
	case EFI_UNUSABLE_MEMORY:
		return MEM_BAD;
	default:
		return MEM_RESERVED;
	}
}

static void mb2_efi_mmap(struct mb2_walk *w)
{
	const u8 *tag = mb2_remap(w, &w->efi_mmap);
	const struct mb2_tag_efi_mmap *t = (const struct mb2_tag_efi_mmap *)tag;
	const struct efi_mem_desc *d;
	u32 dsz, size = w->efi_mmap.size, p;

	if (!tag)
		return;
	dsz = t->descr_size;
	if (dsz < sizeof(*d)) {
		mb_warn(w->bi,
			"multiboot2: EFI memory map tag at offset 0x%x has descriptor size %u "
			"(less than %zu), ignored",
			w->efi_mmap.off, dsz, sizeof(*d));
		return;
	}
	for (p = sizeof(*t); size - p >= dsz; p += dsz) {
		d = (const struct efi_mem_desc *)(tag + p);
		if (d->num_pages > (UINT64_MAX >> EFI_PAGE_SHIFT)) {
			mb_warn(w->bi,
				"multiboot2: EFI memory descriptor at 0x%llx has an impossible "
				"page count 0x%llx, ignored",
				(unsigned long long)d->phys_start,
				(unsigned long long)d->num_pages);
			continue;
		}
		mem_add(w->bi, "multiboot2", d->phys_start, d->num_pages << EFI_PAGE_SHIFT,
			efi_mem_type(d->type, w->efi_bs));
	}
	if (p != size)
		mb_warn(w->bi,
			"multiboot2: EFI memory map tag at offset 0x%x ends with %u bytes that are "
			"not a whole descriptor, ignored",
			w->efi_mmap.off, size - p);
}

/* Tag 6 if usable, else the EFI map (tag 17), else basic meminfo (tag 4). */
static int mb2_memory(struct mb2_walk *w)
{
	struct boot_info *bi = w->bi;
	const struct mb2_tag_basic_meminfo *t;

	if (w->mmap.off)
		mb2_mmap(w);
	if (!bi->nr_mem && w->efi_mmap.off)
		mb2_efi_mmap(w);
	if (!bi->nr_mem && w->meminfo.off) {
		t = (const struct mb2_tag_basic_meminfo *)mb2_remap(w, &w->meminfo);
		if (t)
			mem_add_basic(bi, "multiboot2", t->mem_lower, t->mem_upper);
	}
	if (!w->mmap.off && !w->efi_mmap.off && !w->meminfo.off) {
		pr_err("multiboot2: no usable memory map: no memory map (6), EFI memory map (17) "
		       "or basic meminfo (4) tag");
		return -1;
	}
	return mem_finish(bi, "multiboot2");
}

int multiboot2_parse(u32 info_pa, phys_map_fn map, void *ctx, struct boot_info *bi)
{
	struct mb2_walk w = { .info_pa = info_pa, .map = map, .ctx = ctx, .bi = bi };
	const struct mb2_info_header *h;
	u32 given, total, end;

	zero_bytes(bi, sizeof(*bi));
	bi->proto = BOOT_PROTO_MULTIBOOT2;
	bi->firmware = BOOT_FW_BIOS;
	h = map(info_pa, sizeof(*h), ctx);
	if (!h) {
		pr_err("multiboot2: info block at 0x%x is not readable", info_pa);
		return -1;
	}
	given = total = h->total_size;
	if (total < sizeof(*h) + sizeof(struct mb2_tag)) {
		pr_err("multiboot2: info block at 0x%x has total_size %u, too small for even the "
		       "end tag",
		       info_pa, total);
		return -1;
	}
	if (!IS_ALIGNED(info_pa, MB2_TAG_ALIGN))
		mb_warn(bi, "multiboot2: info block at 0x%x is not 8-byte aligned", info_pa);
	if (total > MB2_INFO_MAX_SIZE) {
		mb_warn(bi,
			"multiboot2: total_size 0x%x is implausible, reading at most 0x%x bytes",
			total, MB2_INFO_MAX_SIZE);
		total = MB2_INFO_MAX_SIZE;
	}
	w.limit = total;
	end = mb2_walk_tags(&w);
	bi->info_start = info_pa;
	bi->info_end = (u64)info_pa + (end && given > total ? end : total);
	mods_overflow(bi, "multiboot2", w.mods_ignored);
	if (w.efi_bs)
		pr_warn("multiboot2: EFI boot services were not terminated by the loader; their "
			"memory is kept reserved");
	return mb2_memory(&w);
}

int boot_info_parse(u32 magic, u32 info_pa, phys_map_fn map, void *ctx, struct boot_info *bi)
{
	switch (magic) {
	case MB1_BOOTLOADER_MAGIC:
		return multiboot1_parse(info_pa, map, ctx, bi);
	case MB2_BOOTLOADER_MAGIC:
		return multiboot2_parse(info_pa, map, ctx, bi);
	default:
		zero_bytes(bi, sizeof(*bi));
		pr_err("boot: unknown boot loader magic 0x%x (expected Multiboot1 0x%x or "
		       "Multiboot2 0x%x)",
		       magic, MB1_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC);
		return -1;
	}
}
