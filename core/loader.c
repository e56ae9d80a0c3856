/* loader.c: loading a Multiboot, x86-64 or AArch64 ELF kernel into guest RAM; its start state. */
#include "core/loader.h"

#include <stdarg.h>

#include "boot/multiboot.h"
#include "core/kstring.h"
#include "core/loader_int.h"
#include "core/log.h"
#include "err.h"

/*
 * Where umbra puts its own data in guest RAM (nothing else is written
 * outside the kernel's segments; an AArch64 kernel gets nothing in RAM, its
 * boot information is a page of its own, see loader.h):
 *
 *   Multiboot kernels: the information block (MB_INFO_SIZE, 8 KiB) at
 *   0x9000, in conventional memory below 1 MiB where PC loaders put theirs;
 *   if a segment covers that, right after the highest segment (page
 *   aligned); if neither fits, the image is refused.
 *
 *   Plain ELF64 kernels: the top 64 KiB of guest RAM, refused if a segment
 *   reaches into it:
 *
 *     ram - 64 KiB  +0x0000 PML4        +0x6000 GDT (null, code 0x08, data 0x10)
 *                   +0x1000 PDPT        +0x8000 command line (NUL-terminated)
 *                   +0x2000 PD 0..3 (2 MiB pages, the first 4 GiB identity-mapped)
 */
#define LM_AREA_SIZE KiB(64)
#define LM_PML4 0x0000u
#define LM_PDPT 0x1000u
#define LM_PD 0x2000u
#define LM_NR_PD 4u /* 4 x 1 GiB */
#define LM_GDT 0x6000u
#define LM_CMDLINE 0x8000u
_Static_assert(LM_PD + LM_NR_PD * PAGE_SIZE <= LM_GDT, "long-mode area: tables");
_Static_assert(LM_CMDLINE + LOADER_CMDLINE_MAX + 1 <= LM_AREA_SIZE, "long-mode area: cmdline");

/* x86-64 paging entries (SDM vol. 3, 4.5): present, writable, page size (in a PD). */
#define X86_PTE_P BIT(0)
#define X86_PTE_RW BIT(1)
#define X86_PTE_PS BIT(7)
#define X86_PTES_PER_TABLE 512u
#define X86_LARGE_PAGE MiB(2)

/*
 * GDT descriptors (SDM vol. 3, 3.4.5), flat base 0 and limit 4 GiB (G = 1):
 *   code 0x00AF9A000000FFFF: P, DPL 0, S, type 0xA (execute/read), L = 1
 *   data 0x00CF92000000FFFF: P, DPL 0, S, type 0x2 (read/write), D/B = 1
 */
#define GDT_CODE64 0x00AF9A000000FFFFULL
#define GDT_DATA 0x00CF92000000FFFFULL
#define GDT_ENTRIES 3u

int loader_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		kvsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

int loader_zero(const struct gmem *m, u64 at, u64 len)
{
	if (at < m->base || at - m->base > m->size || len > m->size - (at - m->base))
		return -ERR_RANGE;
	while (len) {
		u64 n;

		if (!gmem_translate(m, gpa(at), NULL, &n))
			return -ERR_RANGE;
		n = MIN(n, len);
		memset(gmem_ptr(m, gpa(at), n), 0, n);
		at += n;
		len -= n;
	}
	return 0;
}

/* Copy each segment's file bytes and zero the rest of its memory size. */
static int load_segments(const struct gmem *m, const struct elf_image *e, const u8 *img)
{
	for (u32 i = 0; i < e->nr_seg; i++) {
		const struct elf_seg *s = &e->seg[i];
		int r = gmem_write(m, gpa(s->paddr), img + s->offset, s->filesz);

		if (!r)
			r = loader_zero(m, s->paddr + s->filesz, s->memsz - s->filesz);
		if (r)
			return r;
	}
	return 0;
}

/* The physical address of the ELF entry point, which must be in a loaded executable segment. */
static int entry_phys(const struct elf_image *e, u64 *pa, char *err, size_t errlen)
{
	if (!elf_entry_phys(e, e->entry, pa))
		return loader_fail(err, errlen, -ERR_INVAL,
				   "ELF: entry 0x%llx is not in a loaded executable segment",
				   (unsigned long long)e->entry);
	return 0;
}

/* ------------------------------------------------------------ Multiboot kernels */

static int mb_place_info(const struct elf_image *e, u64 ram, u64 *at, char *err, size_t errlen)
{
	u64 high = ALIGN_UP(elf_phys_end(e), PAGE_SIZE);

	if (MB_INFO_LOW + MB_INFO_SIZE <= ram &&
	    !elf_overlaps(e, MB_INFO_LOW, MB_INFO_SIZE, NULL)) {
		*at = MB_INFO_LOW;
		return 0;
	}
	if (high <= ram && MB_INFO_SIZE <= ram - high) {
		*at = high;
		return 0;
	}
	return loader_fail(err, errlen, -ERR_RANGE,
			   "Multiboot: no room for the information block: 0x%llx is taken by "
			   "the kernel and nothing is free after its end 0x%llx in the guest's "
			   "%llu %s",
			   MB_INFO_LOW, (unsigned long long)elf_phys_end(e), loader_size_num(ram),
			   loader_size_unit(ram));
}

static int mb_entry(const struct elf_image *e, const struct mb_request *req, u64 *pa, char *err,
		    size_t errlen)
{
	if (req->has_entry) {
		*pa = req->entry;
		if (!elf_phys_exec(e, *pa))
			return loader_fail(
				err, errlen, -ERR_INVAL,
				"Multiboot2: entry address 0x%x (header tag 3) is not in a "
				"loaded executable segment",
				req->entry);
		return 0;
	}
	return entry_phys(e, pa, err, errlen);
}

static int load_multiboot(const struct gmem *m, const struct elf_image *e, const u8 *img,
			  const struct mb_request *req, const char *cmdline,
			  struct guest_start *out, char *err, size_t errlen)
{
	u64 entry = 0, info = 0;
	int r = mb_entry(e, req, &entry, err, errlen);

	if (!r)
		r = mb_place_info(e, m->size, &info, err, errlen);
	if (r)
		return r;
	r = load_segments(m, e, img);
	if (!r)
		r = mb_write_info(m, req->version, info, cmdline);
	if (r)
		return loader_fail(err, errlen, r, "cannot write guest RAM (error %d)", r);
	out->mode = GUEST_MODE_PROT32;
	out->rip = entry;
	out->rax = req->version == 1 ? MB1_BOOTLOADER_MAGIC : MB2_BOOTLOADER_MAGIC;
	out->rbx = info;
	return 0;
}

/* ------------------------------------------------------------ plain ELF64 kernels */

static int put64(const struct gmem *m, u64 at, u64 v)
{
	return gmem_write(m, gpa(at), &v, sizeof(v));
}

/* PML4 -> PDPT -> 4 PDs of 2 MiB pages covering [0, 4 GiB), and the GDT. */
static int lm_write_tables(const struct gmem *m, u64 base)
{
	static const u64 gdt[GDT_ENTRIES] = { 0, GDT_CODE64, GDT_DATA };
	u64 pde[64];
	int rc = loader_zero(m, base, LM_AREA_SIZE);

	rc |= put64(m, base + LM_PML4, (base + LM_PDPT) | X86_PTE_P | X86_PTE_RW);
	for (u32 i = 0; i < LM_NR_PD; i++)
		rc |= put64(m, base + LM_PDPT + i * sizeof(u64),
			    (base + LM_PD + i * PAGE_SIZE) | X86_PTE_P | X86_PTE_RW);
	for (u32 i = 0; i < LM_NR_PD * X86_PTES_PER_TABLE; i += ARRAY_SIZE(pde)) {
		for (u32 j = 0; j < ARRAY_SIZE(pde); j++)
			pde[j] =
				(u64)(i + j) * X86_LARGE_PAGE | X86_PTE_P | X86_PTE_RW | X86_PTE_PS;
		rc |= gmem_write(m, gpa(base + LM_PD + i * sizeof(u64)), pde, sizeof(pde));
	}
	rc |= gmem_write(m, gpa(base + LM_GDT), gdt, sizeof(gdt));
	return rc ? -ERR_RANGE : 0;
}

static int load_long64(const struct gmem *m, const struct elf_image *e, const u8 *img,
		       const char *cmdline, struct guest_start *out, char *err, size_t errlen)
{
	u64 base = m->size - LM_AREA_SIZE, entry = 0;
	u32 seg;
	int r = entry_phys(e, &entry, err, errlen);

	if (r)
		return r;
	if (elf_overlaps(e, base, LM_AREA_SIZE, &seg))
		return loader_fail(err, errlen, -ERR_RANGE,
				   "ELF: segment %u reaches into the top 64 KiB of guest RAM "
				   "[0x%llx, 0x%llx), where umbra puts the long-mode page tables",
				   e->seg[seg].index, (unsigned long long)base,
				   (unsigned long long)m->size);
	r = load_segments(m, e, img);
	if (!r)
		r = lm_write_tables(m, base);
	if (!r)
		r = gmem_write(m, gpa(base + LM_CMDLINE), cmdline, strlen(cmdline) + 1);
	if (r)
		return loader_fail(err, errlen, r, "cannot write guest RAM (error %d)", r);
	out->mode = GUEST_MODE_LONG64;
	out->rip = entry;
	out->rdi = base + LM_CMDLINE;
	out->rsi = m->size;
	out->cr3 = base + LM_PML4;
	out->gdt_base = base + LM_GDT;
	out->gdt_limit = GDT_ENTRIES * sizeof(u64) - 1;
	return 0;
}

/* ------------------------------------------------------------ AArch64 kernels */

#define A64_INSN_ALIGN 4u

static int a64_check_cmdline(const char *cmdline, char *err, size_t errlen)
{
	if (strnlen(cmdline, LOADER_A64_CMDLINE_MAX + 1) > LOADER_A64_CMDLINE_MAX)
		return loader_fail(err, errlen, -ERR_INVAL,
				   "guest command line is %zu bytes, longer than the %u an AArch64 "
				   "guest's boot information page holds",
				   strlen(cmdline), LOADER_A64_CMDLINE_MAX);
	return 0;
}

/* An ELF64 AArch64 kernel: its segments anywhere in RAM, entered at EL1 with the MMU off. */
static int load_a64(const struct gmem *m, const u8 *img, u64 len, const char *cmdline,
		    struct guest_start *out, char *err, size_t errlen)
{
	struct elf_image e;
	u64 entry = 0;
	int r = a64_check_cmdline(cmdline, err, errlen);

	if (!r)
		r = elf_parse_ram(img, len, m->base, m->size, &e, err, errlen);
	if (!r)
		r = entry_phys(&e, &entry, err, errlen);
	if (r)
		return r;
	if (!IS_ALIGNED(entry, A64_INSN_ALIGN))
		return loader_fail(err, errlen, -ERR_INVAL,
				   "ELF: AArch64 entry 0x%llx is not 4-byte aligned",
				   (unsigned long long)entry);
	r = load_segments(m, &e, img);
	if (r)
		return loader_fail(err, errlen, r, "cannot write guest RAM (error %d)", r);
	out->mode = GUEST_MODE_AARCH64;
	out->rip = entry;
	return 0;
}

static bool ranges_overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

/* RAM and the information page fit in an IPA space of ipa_bits, apart. */
static int a64_check_layout(const struct gmem *m, u32 ipa_bits, char *err, size_t errlen)
{
	unsigned long long base = m->base, end = m->base + m->size;

	if (ipa_bits < LOADER_A64_IPA_BITS_MIN || ipa_bits > LOADER_A64_IPA_BITS_MAX)
		return loader_fail(err, errlen, -ERR_INVAL,
				   "IPA width of %u bits is outside %u..%u", ipa_bits,
				   LOADER_A64_IPA_BITS_MIN, LOADER_A64_IPA_BITS_MAX);
	if (m->size == 0)
		return loader_fail(err, errlen, -ERR_INVAL, "the guest has no RAM");
	if (end > BIT(ipa_bits))
		return loader_fail(err, errlen, -ERR_RANGE,
				   "guest RAM [0x%llx, 0x%llx) does not fit in a %u-bit IPA space",
				   base, end, ipa_bits);
	if (ranges_overlap(m->base, m->size, LOADER_A64_INFO_IPA, LOADER_A64_INFO_SIZE))
		return loader_fail(err, errlen, -ERR_RANGE,
				   "guest RAM [0x%llx, 0x%llx) covers the boot information page at "
				   "0x%llx",
				   base, end, LOADER_A64_INFO_IPA);
	return 0;
}

static void put_le64(u8 *p, u64 v)
{
	for (u32 i = 0; i < sizeof(v); i++)
		p[i] = (u8)(v >> (8 * i));
}

int loader_a64_info_page(void *page, const struct gmem *m, u32 ipa_bits, const char *cmdline,
			 char *err, size_t errlen)
{
	const char *line = cmdline ? cmdline : "";
	u8 *p = page;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!page || !m)
		return loader_fail(err, errlen, -ERR_INVAL, "no information page or guest memory");
	r = a64_check_cmdline(line, err, errlen);
	if (!r)
		r = a64_check_layout(m, ipa_bits, err, errlen);
	if (r)
		return r;
	memset(p, 0, LOADER_A64_INFO_SIZE);
	put_le64(p + LOADER_A64_INFO_OFF_MAGIC, LOADER_A64_INFO_MAGIC);
	put_le64(p + LOADER_A64_INFO_OFF_RAM_BASE, m->base);
	put_le64(p + LOADER_A64_INFO_OFF_RAM_SIZE, m->size);
	put_le64(p + LOADER_A64_INFO_OFF_IPA_BITS, ipa_bits);
	memcpy(p + LOADER_A64_CMDLINE_OFF, line, strlen(line) + 1);
	return 0;
}

void loader_a64_regs(const struct gmem *m, u32 ipa_bits, u64 x[LOADER_A64_NR_REGS])
{
	x[0] = LOADER_A64_INFO_IPA;
	x[1] = LOADER_A64_INFO_IPA + LOADER_A64_CMDLINE_OFF;
	x[2] = m->base;
	x[3] = m->size;
	x[4] = ipa_bits;
}

/* ------------------------------------------------------------ entry */

/* A Multiboot or plain ELF64 x86 kernel: RAM from guest-physical 0, the PC layout below 1 MiB. */
static int load_x86(const struct gmem *m, const u8 *img, u64 len, const char *cmdline,
		    struct guest_start *out, char *err, size_t errlen)
{
	struct mb_request req;
	struct elf_image e;
	int r;

	if (m->base)
		return loader_fail(err, errlen, -ERR_RANGE,
				   "x86 kernels need guest RAM from guest-physical 0; this guest's "
				   "starts at 0x%llx",
				   (unsigned long long)m->base);
	if (m->size < LOADER_MIN_RAM)
		return loader_fail(err, errlen, -ERR_RANGE,
				   "guest RAM of %llu KiB is too small: the loader needs 1 MiB",
				   (unsigned long long)(m->size >> 10));
	r = elf_parse(img, len, m->size, &e, err, errlen);
	if (!r)
		r = mb_find_header(img, len, &req, err, errlen);
	if (r)
		return r;
	if (req.version)
		return load_multiboot(m, &e, img, &req, cmdline, out, err, errlen);
	if (e.is64)
		return load_long64(m, &e, img, cmdline, out, err, errlen);
	return loader_fail(err, errlen, -ERR_INVAL,
			   "32-bit ELF without a Multiboot header: umbra cannot tell how to start "
			   "it");
}

int loader_load(struct gmem *m, const void *image, u64 len, const char *guest_cmdline,
		struct guest_start *out, char *err, size_t errlen)
{
	const char *cmdline = guest_cmdline ? guest_cmdline : "";
	u16 machine = 0;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!m || !out)
		return loader_fail(err, errlen, -ERR_INVAL, "no guest memory or start state");
	*out = (struct guest_start){ 0 };
	if (strnlen(cmdline, LOADER_CMDLINE_MAX + 1) > LOADER_CMDLINE_MAX)
		return loader_fail(err, errlen, -ERR_INVAL,
				   "guest command line is longer than %u bytes",
				   LOADER_CMDLINE_MAX);
	r = elf_check_header(image, len, &machine, err, errlen);
	if (r)
		return r;
	if (machine == EM_AARCH64)
		return load_a64(m, image, len, cmdline, out, err, errlen);
	return load_x86(m, image, len, cmdline, out, err, errlen);
}

const char *loader_mode_name(enum guest_mode mode)
{
	switch (mode) {
	case GUEST_MODE_PROT32:
		return "prot32";
	case GUEST_MODE_LONG64:
		return "long64";
	case GUEST_MODE_AARCH64:
		return "aarch64";
	}
	return "?";
}
