/* loader_mb.c: a guest kernel's Multiboot1/2 header, and the Multiboot information umbra gives it. */
#include "boot/multiboot.h"
#include "core/kstring.h"
#include "core/loader_int.h"
#include "core/mb_header.h"
#include "err.h"

#define fail(...) loader_fail(err, errlen, -ERR_INVAL, __VA_ARGS__)

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* ------------------------------------------------------------ Multiboot1 header */

/* Offset of the first valid Multiboot1 header (magic and checksum), or -1. */
static s64 mb1_search(const u8 *img, u64 len)
{
	u64 end = MIN(len, (u64)MB1_SEARCH_BYTES);

	for (u64 o = 0; o + sizeof(struct mb1_header) <= end; o += MB1_HEADER_ALIGN) {
		struct mb1_header h;

		memcpy(&h, img + o, sizeof(h));
		if (h.magic == MB1_HEADER_MAGIC && (u32)(h.magic + h.flags + h.checksum) == 0)
			return (s64)o;
	}
	return -1;
}

static int mb1_check(u32 flags, char *err, size_t errlen)
{
	u32 unknown = flags & (u32)MB1_HDR_REQUIRED & ~(u32)MB1_HDR_SUPPORTED;

	if (flags & MB1_HDR_AOUT_KLUDGE)
		return fail("Multiboot1: the a.out kludge (header flag 16) is not supported; umbra "
			    "loads ELF program headers only");
	if (unknown)
		return fail("Multiboot1: the header requires features 0x%x that umbra does not "
			    "know (it supports flags 0-2)",
			    unknown);
	return 0;
}

/* ------------------------------------------------------------ Multiboot2 header */

/* Offset of the first valid Multiboot2 header (magic and checksum), or -1. */
static s64 mb2_search(const u8 *img, u64 len)
{
	u64 end = MIN(len, (u64)MB2_SEARCH_BYTES);

	for (u64 o = 0; o + sizeof(struct mb2_header) <= end; o += MB2_HEADER_ALIGN) {
		struct mb2_header h;

		memcpy(&h, img + o, sizeof(h));
		if (h.magic == MB2_HEADER_MAGIC &&
		    (u32)(h.magic + h.architecture + h.header_length + h.checksum) == 0)
			return (s64)o;
	}
	return -1;
}

static const char *mb2_htag_name(u32 type)
{
	static const char *const names[] = {
		[MB2_HTAG_END] = "end",
		[MB2_HTAG_INFO_REQUEST] = "information request",
		[MB2_HTAG_ADDRESS] = "load address (a.out kludge)",
		[MB2_HTAG_ENTRY] = "entry address",
		[MB2_HTAG_CONSOLE] = "console flags",
		[MB2_HTAG_FRAMEBUFFER] = "framebuffer",
		[MB2_HTAG_MODULE_ALIGN] = "module alignment",
		[MB2_HTAG_EFI_BS] = "EFI boot services",
		[MB2_HTAG_ENTRY_EFI32] = "EFI i386 entry",
		[MB2_HTAG_ENTRY_EFI64] = "EFI amd64 entry",
		[MB2_HTAG_RELOCATABLE] = "relocatable",
	};

	return type < ARRAY_SIZE(names) ? names[type] : "unknown";
}

/* Information tags umbra always gives (modules: there are none to give). */
static bool mb2_info_provided(u32 type)
{
	return type == MB2_TAG_END || type == MB2_TAG_CMDLINE || type == MB2_TAG_LOADER_NAME ||
	       type == MB2_TAG_MODULE || type == MB2_TAG_BASIC_MEMINFO || type == MB2_TAG_MMAP;
}

static int mb2_info_request(const u8 *tag, u32 size, bool optional, char *err, size_t errlen)
{
	if ((size - sizeof(struct mb2_header_tag)) % sizeof(u32))
		return fail("Multiboot2: information request tag of %u bytes is not a list of "
			    "32-bit types",
			    size);
	if (optional)
		return 0;
	for (u32 o = sizeof(struct mb2_header_tag); o < size; o += sizeof(u32)) {
		u32 type = rd32(tag + o);

		if (!mb2_info_provided(type))
			return fail("Multiboot2: the kernel requires information tag %u, which "
				    "umbra does not provide",
				    type);
	}
	return 0;
}

/* One header tag of size bytes (checked to lie in the header) at tag. */
static int mb2_htag(const u8 *tag, const struct mb2_header_tag *t, struct mb_request *req,
		    char *err, size_t errlen)
{
	bool optional = t->flags & MB2_HTAG_OPTIONAL;
	u32 value = t->size >= sizeof(struct mb2_header_tag_u32) ? rd32(tag + 8) : 0;

	switch (t->type) {
	case MB2_HTAG_INFO_REQUEST:
		return mb2_info_request(tag, t->size, optional, err, errlen);
	case MB2_HTAG_ENTRY:
	case MB2_HTAG_CONSOLE:
		if (t->size != sizeof(struct mb2_header_tag_u32))
			return fail("Multiboot2: %s tag of %u bytes, expected %llu",
				    mb2_htag_name(t->type), t->size,
				    (unsigned long long)sizeof(struct mb2_header_tag_u32));
		if (t->type == MB2_HTAG_ENTRY) {
			req->has_entry = true;
			req->entry = value;
		} else if (!optional && (value & MB2_CONSOLE_REQUIRED)) {
			return fail("Multiboot2: the kernel requires a console (header tag 4); "
				    "umbra offers only a serial port, which Multiboot cannot "
				    "describe");
		}
		return 0;
	case MB2_HTAG_MODULE_ALIGN: /* umbra passes no modules */
	case MB2_HTAG_ENTRY_EFI32:  /* used only with EFI boot services kept (tag 7) */
	case MB2_HTAG_ENTRY_EFI64:
	case MB2_HTAG_RELOCATABLE: /* loading at the link address is allowed */
		return 0;
	default:
		if (optional)
			return 0;
		return fail("Multiboot2: the kernel requires header tag %u (%s), which umbra does "
			    "not support",
			    t->type, mb2_htag_name(t->type));
	}
}

/* Walk the tags of the header at img + off (its fixed part already read). */
static int mb2_check(const u8 *img, u64 off, const struct mb2_header *h, struct mb_request *req,
		     char *err, size_t errlen)
{
	u64 end = off + h->header_length;

	if (h->architecture != MB2_ARCH_I386)
		return fail("Multiboot2: header architecture %u is not i386 (0)", h->architecture);
	for (u64 o = off + sizeof(*h); o + sizeof(struct mb2_header_tag) <= end;) {
		struct mb2_header_tag t;
		int r;

		memcpy(&t, img + o, sizeof(t));
		if (t.size < sizeof(t) || t.size > end - o)
			return fail(
				"Multiboot2: header tag %u at offset 0x%llx has size %u, outside "
				"the header",
				t.type, (unsigned long long)(o - off), t.size);
		if (t.type == MB2_HTAG_END)
			return 0;
		r = mb2_htag(img + o, &t, req, err, errlen);
		if (r)
			return r;
		o += ALIGN_UP((u64)t.size, MB2_HEADER_ALIGN);
	}
	return fail("Multiboot2: the header has no end tag");
}

static int mb2_header(const u8 *img, u64 len, u64 off, struct mb_request *req, char *err,
		      size_t errlen)
{
	struct mb2_header h;
	u64 limit = MIN(len, (u64)MB2_SEARCH_BYTES);

	memcpy(&h, img + off, sizeof(h));
	if (h.header_length < sizeof(h) + sizeof(struct mb2_header_tag) ||
	    h.header_length > limit - off)
		return fail("Multiboot2: header length %u at offset 0x%llx does not fit in the "
			    "first %llu bytes of the file",
			    h.header_length, (unsigned long long)off, (unsigned long long)limit);
	req->version = 2;
	return mb2_check(img, off, &h, req, err, errlen);
}

int mb_find_header(const void *image, u64 len, struct mb_request *req, char *err, size_t errlen)
{
	const u8 *img = image;
	s64 off;

	*req = (struct mb_request){ 0 };
	off = mb2_search(img, len);
	if (off >= 0)
		return mb2_header(img, len, (u64)off, req, err, errlen);
	off = mb1_search(img, len);
	if (off < 0)
		return 0;
	memcpy(&req->flags, img + off + offsetof(struct mb1_header, flags), sizeof(u32));
	req->version = 1;
	return mb1_check(req->flags, err, errlen);
}

/* ------------------------------------------------------------ information blocks */

/*
 * The guest's memory map, the same for both protocols: the PC layout below
 * 1 MiB (conventional memory, the EBDA's last KiB, the BIOS area) and RAM
 * from 1 MiB. Guest RAM really backs all of [0, size); the holes are left
 * out as on a PC so that kernels expecting one find it.
 */
#define MB_EBDA 0x9FC00ULL
#define MB_VGA 0xA0000ULL
#define MB_BIOS 0xF0000ULL
#define MB_HIGH MiB(1)
#define MB_MAX_RANGES 4
#define MB_MEM_LOWER_KIB 639u

static u32 mb_ranges(u64 ram, struct mb2_mmap_entry *e)
{
	u32 n = 0;

	e[n++] = (struct mb2_mmap_entry){ 0, MB_EBDA, MEM_RAM, 0 };
	e[n++] = (struct mb2_mmap_entry){ MB_EBDA, MB_VGA - MB_EBDA, MEM_RESERVED, 0 };
	e[n++] = (struct mb2_mmap_entry){ MB_BIOS, MB_HIGH - MB_BIOS, MEM_RESERVED, 0 };
	if (ram > MB_HIGH)
		e[n++] = (struct mb2_mmap_entry){ MB_HIGH, ram - MB_HIGH, MEM_RAM, 0 };
	return n;
}

static u32 mb_mem_upper(u64 ram)
{
	return ram > MB_HIGH ? (u32)((ram - MB_HIGH) >> 10) : 0;
}

/*
 * Multiboot1 block at at:
 *   +0x000 struct mb1_info    +0x080 memory map (24-byte records)
 *   +0x0E0 loader name        +0x100 command line (up to 4 KiB + NUL)
 */
#define MB1_OFF_MMAP 0x80u
#define MB1_OFF_NAME 0xE0u
#define MB1_OFF_CMDLINE 0x100u
_Static_assert(sizeof(struct mb1_info) <= MB1_OFF_MMAP, "mb1 info layout");
_Static_assert(MB1_OFF_MMAP + MB_MAX_RANGES * sizeof(struct mb1_mmap_entry) <= MB1_OFF_NAME,
	       "mb1 mmap layout");
_Static_assert(MB1_OFF_CMDLINE + LOADER_CMDLINE_MAX + 1 <= MB_INFO_SIZE, "mb1 cmdline layout");

static int mb1_write_info(const struct gmem *m, u64 at, const char *cmdline)
{
	struct mb2_mmap_entry r[MB_MAX_RANGES];
	struct mb1_mmap_entry e[MB_MAX_RANGES];
	u32 n = mb_ranges(m->size, r);
	struct mb1_info mi = {
		.flags = MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MEM_MAP |
			 MB1_INFO_LOADER_NAME,
		.mem_lower = MB_MEM_LOWER_KIB,
		.mem_upper = mb_mem_upper(m->size),
		.cmdline = (u32)(at + MB1_OFF_CMDLINE),
		.mmap_length = n * (u32)sizeof(e[0]),
		.mmap_addr = (u32)(at + MB1_OFF_MMAP),
		.boot_loader_name = (u32)(at + MB1_OFF_NAME),
	};
	int rc = 0;

	for (u32 i = 0; i < n; i++)
		e[i] = (struct mb1_mmap_entry){ MB1_MMAP_ENTRY_MIN_SIZE, r[i].base_addr,
						r[i].length, r[i].type };
	rc |= gmem_write(m, gpa(at), &mi, sizeof(mi));
	rc |= gmem_write(m, gpa(at + MB1_OFF_MMAP), e, n * sizeof(e[0]));
	rc |= gmem_write(m, gpa(at + MB1_OFF_NAME), LOADER_NAME, sizeof(LOADER_NAME));
	rc |= gmem_write(m, gpa(at + MB1_OFF_CMDLINE), cmdline, strlen(cmdline) + 1);
	return rc ? -ERR_RANGE : 0;
}

/* Append one Multiboot2 tag (header + payload) at *off, padded to 8 bytes. */
static int mb2_put_tag(const struct gmem *m, u64 at, u32 *off, u32 type, const void *payload,
		       u32 len)
{
	struct mb2_tag t = { type, (u32)sizeof(t) + len };
	u32 pad = (u32)ALIGN_UP(t.size, MB2_TAG_ALIGN) - t.size;
	static const u8 zeros[MB2_TAG_ALIGN];
	int rc = 0;

	rc |= gmem_write(m, gpa(at + *off), &t, sizeof(t));
	rc |= gmem_write(m, gpa(at + *off + sizeof(t)), payload, len);
	rc |= gmem_write(m, gpa(at + *off + t.size), zeros, pad);
	*off += t.size + pad;
	return rc;
}

/* Payloads of the Multiboot2 tags umbra writes (after each struct mb2_tag). */
struct mb2_meminfo_payload {
	u32 mem_lower;
	u32 mem_upper;
} __packed;
_Static_assert(sizeof(struct mb2_tag) + sizeof(struct mb2_meminfo_payload) ==
		       sizeof(struct mb2_tag_basic_meminfo),
	       "mb2 meminfo payload");
struct mb2_mmap_payload {
	u32 entry_size;
	u32 entry_version;
	struct mb2_mmap_entry e[MB_MAX_RANGES];
} __packed;
_Static_assert(sizeof(struct mb2_tag) + offsetof(struct mb2_mmap_payload, e) ==
		       sizeof(struct mb2_tag_mmap),
	       "mb2 mmap payload");
/* Header, command line, name, memory, map and end tags, each padded to 8 bytes. */
_Static_assert(sizeof(struct mb2_info_header) + ALIGN_UP(8 + LOADER_CMDLINE_MAX + 1, 8) +
			       ALIGN_UP(8 + sizeof(LOADER_NAME), 8) + 16 +
			       ALIGN_UP(8 + sizeof(struct mb2_mmap_payload), 8) + 8 <=
		       MB_INFO_SIZE,
	       "mb2 info size");

/* Multiboot2 block at at: command line, loader name, basic memory, memory map, end. */
static int mb2_write_info(const struct gmem *m, u64 at, const char *cmdline)
{
	struct mb2_mmap_payload map = { .entry_size = sizeof(struct mb2_mmap_entry) };
	struct mb2_meminfo_payload mem = { MB_MEM_LOWER_KIB, mb_mem_upper(m->size) };
	u32 n = mb_ranges(m->size, map.e), off = sizeof(struct mb2_info_header);
	u32 map_len = (u32)(offsetof(struct mb2_mmap_payload, e) + n * sizeof(map.e[0]));
	struct mb2_info_header hdr = { 0, 0 };
	int rc = 0;

	rc |= mb2_put_tag(m, at, &off, MB2_TAG_CMDLINE, cmdline, (u32)strlen(cmdline) + 1);
	rc |= mb2_put_tag(m, at, &off, MB2_TAG_LOADER_NAME, LOADER_NAME, sizeof(LOADER_NAME));
	rc |= mb2_put_tag(m, at, &off, MB2_TAG_BASIC_MEMINFO, &mem, sizeof(mem));
	rc |= mb2_put_tag(m, at, &off, MB2_TAG_MMAP, &map, map_len);
	rc |= mb2_put_tag(m, at, &off, MB2_TAG_END, NULL, 0);
	hdr.total_size = off;
	rc |= gmem_write(m, gpa(at), &hdr, sizeof(hdr));
	return rc ? -ERR_RANGE : 0;
}

int mb_write_info(const struct gmem *m, int version, u64 at, const char *cmdline)
{
	return version == 1 ? mb1_write_info(m, at, cmdline) : mb2_write_info(m, at, cmdline);
}
