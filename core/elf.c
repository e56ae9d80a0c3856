/* elf.c: validating an untrusted ELF32/ELF64 (x86, AArch64) executable's header and segments. */
#include "core/elf.h"

#include "core/kstring.h"
#include "core/loader_int.h"
#include "core/log.h"
#include "err.h"

/*
 * Everything is read with memcpy from the file bytes (no alignment is
 * assumed) after checking that the bytes exist; every sum of two file values
 * is checked as "a <= limit && b <= limit - a", so nothing can wrap.
 */

/* The ELF header fields the parser needs, either class. */
struct ehdr_info {
	u16 type, machine, ehsize, phentsize, phnum;
	u32 version;
	u64 entry, phoff;
};

#define fail(...) loader_fail(err, errlen, -ERR_INVAL, __VA_ARGS__)

static int check_ident(const u8 *img, u64 len, char *err, size_t errlen)
{
	if (len < ELF_MAGIC_LEN || memcmp(img, ELF_MAGIC, ELF_MAGIC_LEN) != 0)
		return fail("not an ELF file (bad magic)");
	if (len < EI_NIDENT)
		return fail("ELF: truncated identification (%llu bytes of %u)",
			    (unsigned long long)len, EI_NIDENT);
	if (img[EI_CLASS] != ELFCLASS32 && img[EI_CLASS] != ELFCLASS64)
		return fail("ELF: unknown class %u (neither ELF32 nor ELF64)", img[EI_CLASS]);
	if (img[EI_DATA] != ELFDATA2LSB)
		return fail("ELF: data encoding %u is not little endian, as umbra's guests must be",
			    img[EI_DATA]);
	if (img[EI_VERSION] != EV_CURRENT)
		return fail("ELF: identification version %u is not 1", img[EI_VERSION]);
	return 0;
}

/* Both classes have the same fields; only their widths differ. */
#define EHDR_INFO(e)                                       \
	((struct ehdr_info){ .type = (e).e_type,           \
			     .machine = (e).e_machine,     \
			     .ehsize = (e).e_ehsize,       \
			     .phentsize = (e).e_phentsize, \
			     .phnum = (e).e_phnum,         \
			     .version = (e).e_version,     \
			     .entry = (e).e_entry,         \
			     .phoff = (e).e_phoff })

static void read_ehdr(const u8 *img, bool is64, struct ehdr_info *h)
{
	if (is64) {
		struct elf64_ehdr e;

		memcpy(&e, img, sizeof(e));
		*h = EHDR_INFO(e);
	} else {
		struct elf32_ehdr e;

		memcpy(&e, img, sizeof(e));
		*h = EHDR_INFO(e);
	}
}

static int check_machine(bool is64, u16 machine, char *err, size_t errlen)
{
	if (is64 && machine != EM_X86_64 && machine != EM_AARCH64)
		return fail("ELF: ELF64 machine %u is neither x86-64 (%u) nor AArch64 (%u)",
			    machine, EM_X86_64, EM_AARCH64);
	/* An ELF32 x86-64 file is the x32 ABI: 64-bit code that needs long mode
	 * set up by someone, which no Multiboot loader does. */
	if (!is64 && machine == EM_X86_64)
		return fail("ELF: ELF32 file for x86-64 (x32 ABI): its 64-bit code cannot start "
			    "in 32-bit protected mode; use ELF64 or an i386 ELF32");
	if (!is64 && machine == EM_AARCH64)
		return fail("ELF: ELF32 file for AArch64 (ILP32 ABI): umbra starts AArch64 guests "
			    "from ELF64 files only");
	if (!is64 && machine != EM_386)
		return fail("ELF: ELF32 machine %u is not i386 (%u)", machine, EM_386);
	return 0;
}

static int check_ehdr(const struct ehdr_info *h, bool is64, u64 len, char *err, size_t errlen)
{
	u64 ehsize = is64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr);
	u64 phsize = is64 ? sizeof(struct elf64_phdr) : sizeof(struct elf32_phdr);
	int r = check_machine(is64, h->machine, err, errlen);

	if (r)
		return r;
	if (h->type != ET_EXEC)
		return fail("ELF: type %u is not an executable (ET_EXEC)", h->type);
	if (h->version != EV_CURRENT)
		return fail("ELF: version %u is not 1", h->version);
	if (h->ehsize != ehsize)
		return fail("ELF: header size %u, expected %llu", h->ehsize,
			    (unsigned long long)ehsize);
	if (h->phnum == 0)
		return fail("ELF: no program headers");
	if (h->phentsize != phsize)
		return fail("ELF: program header size %u, expected %llu", h->phentsize,
			    (unsigned long long)phsize);
	if (h->phnum > ELF_MAX_PHNUM)
		return fail("ELF: %u program headers, more than umbra accepts (%u)", h->phnum,
			    ELF_MAX_PHNUM);
	if (h->phoff > len || (u64)h->phnum * phsize > len - h->phoff)
		return fail("ELF: program headers [0x%llx, +%llu) run past the end of the "
			    "file (%llu bytes)",
			    (unsigned long long)h->phoff, (unsigned long long)h->phnum * phsize,
			    (unsigned long long)len);
	return 0;
}

#define ELF_SEG(p, i)                              \
	((struct elf_seg){ .offset = (p).p_offset, \
			   .filesz = (p).p_filesz, \
			   .vaddr = (p).p_vaddr,   \
			   .paddr = (p).p_paddr,   \
			   .memsz = (p).p_memsz,   \
			   .flags = (p).p_flags,   \
			   .index = (i) })

/* Program header i as a segment (PT_LOAD or not: *type says). */
static void read_phdr(const u8 *img, bool is64, u64 phoff, u32 i, u32 *type, struct elf_seg *s)
{
	if (is64) {
		struct elf64_phdr p;

		memcpy(&p, img + phoff + (u64)i * sizeof(p), sizeof(p));
		*type = p.p_type;
		*s = ELF_SEG(p, i);
	} else {
		struct elf32_phdr p;

		memcpy(&p, img + phoff + (u64)i * sizeof(p), sizeof(p));
		*type = p.p_type;
		*s = ELF_SEG(p, i);
	}
}

/* Guest RAM [base, base + size), for the segment checks and their messages. */
struct ram_range {
	u64 base, size;
};

/* Segment s does not fit in guest RAM: say where it is, and where RAM is when
 * it does not start at 0. */
static int outside_ram(const struct elf_seg *s, const struct ram_range *ram, char *err,
		       size_t errlen)
{
	unsigned long long base = s->paddr, size = s->memsz;
	unsigned long long ram_base = ram->base, ram_end = ram->base + ram->size;
	char seg[48], where[64] = "";

	/* paddr + memsz may wrap: then print the size, not the end. */
	if (size > ~0ULL - base)
		ksnprintf(seg, sizeof(seg), "[0x%llx, +0x%llx)", base, size);
	else
		ksnprintf(seg, sizeof(seg), "[0x%llx, 0x%llx)", base, base + size);
	if (ram->base)
		ksnprintf(where, sizeof(where), " of RAM at [0x%llx, 0x%llx)", ram_base, ram_end);
	return loader_fail(err, errlen, -ERR_RANGE,
			   "ELF: segment %u %s is outside the guest's %llu %s%s", s->index, seg,
			   loader_size_num(ram->size), loader_size_unit(ram->size), where);
}

static int check_seg(const struct elf_seg *s, u64 len, const struct ram_range *ram, char *err,
		     size_t errlen)
{
	if (s->filesz > s->memsz)
		return fail("ELF: segment %u has file size 0x%llx larger than its memory size "
			    "0x%llx",
			    s->index, (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	if (s->offset > len || s->filesz > len - s->offset)
		return fail("ELF: segment %u file bytes [0x%llx, +0x%llx) run past the end of the "
			    "file (%llu bytes)",
			    s->index, (unsigned long long)s->offset, (unsigned long long)s->filesz,
			    (unsigned long long)len);
	if (s->paddr < ram->base || s->paddr - ram->base > ram->size ||
	    s->memsz > ram->size - (s->paddr - ram->base))
		return outside_ram(s, ram, err, errlen);
	return 0;
}

static bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static int collect_segs(const u8 *img, u64 len, const struct ram_range *ram,
			const struct ehdr_info *h, struct elf_image *out, char *err, size_t errlen)
{
	for (u32 i = 0; i < h->phnum; i++) {
		struct elf_seg s;
		u32 type, other;
		int r;

		read_phdr(img, out->is64, h->phoff, i, &type, &s);
		if (type != PT_LOAD || s.memsz == 0)
			continue;
		r = check_seg(&s, len, ram, err, errlen);
		if (r)
			return r;
		if (elf_overlaps(out, s.paddr, s.memsz, &other))
			return fail("ELF: segments %u and %u overlap", out->seg[other].index, i);
		if (out->nr_seg == ELF_MAX_LOAD)
			return fail("ELF: more than %u PT_LOAD segments", ELF_MAX_LOAD);
		out->seg[out->nr_seg++] = s;
	}
	if (out->nr_seg == 0)
		return fail("ELF: no PT_LOAD segment");
	return 0;
}

/* The identification and the ELF header, read into *h. */
static int parse_header(const u8 *img, u64 len, struct ehdr_info *h, bool *is64, char *err,
			size_t errlen)
{
	int r;

	if (!img)
		return fail("no guest image");
	r = check_ident(img, len, err, errlen);
	if (r)
		return r;
	*is64 = img[EI_CLASS] == ELFCLASS64;
	if (len < (*is64 ? sizeof(struct elf64_ehdr) : sizeof(struct elf32_ehdr)))
		return fail("ELF: file of %llu bytes is shorter than the ELF%u header",
			    (unsigned long long)len, *is64 ? 64u : 32u);
	read_ehdr(img, *is64, h);
	return check_ehdr(h, *is64, len, err, errlen);
}

int elf_check_header(const void *image, u64 len, u16 *machine, char *err, size_t errlen)
{
	struct ehdr_info h = { 0 };
	bool is64 = false;
	int r = parse_header(image, len, &h, &is64, err, errlen);

	if (!r)
		*machine = h.machine;
	return r;
}

int elf_parse_ram(const void *image, u64 len, u64 ram_base, u64 ram_size, struct elf_image *out,
		  char *err, size_t errlen)
{
	struct ram_range ram = { ram_base, ram_size };
	struct ehdr_info h = { 0 };
	int r;

	*out = (struct elf_image){ 0 };
	r = parse_header(image, len, &h, &out->is64, err, errlen);
	if (r)
		return r;
	out->machine = h.machine;
	out->entry = h.entry;
	return collect_segs(image, len, &ram, &h, out, err, errlen);
}

int elf_parse(const void *image, u64 len, u64 ram_size, struct elf_image *out, char *err,
	      size_t errlen)
{
	return elf_parse_ram(image, len, 0, ram_size, out, err, errlen);
}

bool elf_entry_phys(const struct elf_image *e, u64 va, u64 *pa)
{
	for (u32 i = 0; i < e->nr_seg; i++) {
		const struct elf_seg *s = &e->seg[i];

		if ((s->flags & PF_X) && va >= s->vaddr && va - s->vaddr < s->memsz) {
			*pa = s->paddr + (va - s->vaddr);
			return true;
		}
	}
	return false;
}

bool elf_phys_exec(const struct elf_image *e, u64 pa)
{
	for (u32 i = 0; i < e->nr_seg; i++) {
		const struct elf_seg *s = &e->seg[i];

		if ((s->flags & PF_X) && pa >= s->paddr && pa - s->paddr < s->memsz)
			return true;
	}
	return false;
}

bool elf_overlaps(const struct elf_image *e, u64 base, u64 size, u32 *which)
{
	for (u32 i = 0; i < e->nr_seg; i++) {
		if (ranges_overlap(e->seg[i].paddr, e->seg[i].memsz, base, size)) {
			if (which)
				*which = i;
			return true;
		}
	}
	return false;
}

u64 elf_phys_end(const struct elf_image *e)
{
	u64 end = 0;

	for (u32 i = 0; i < e->nr_seg; i++)
		end = MAX(end, e->seg[i].paddr + e->seg[i].memsz);
	return end;
}
