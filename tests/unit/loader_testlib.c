/* loader_testlib.c: guest kernel images built in memory, and the guest RAM they load into. */
#include <criterion/criterion.h>
#include <string.h>

#include "fake_ram.h"
#include "loader_testlib.h"

u8 tl_img[TL_IMG_MAX];
struct gmem tl_guest_mem;

void tl_spec_default(struct tl_spec *s, bool is64, enum tl_mb mb)
{
	*s = (struct tl_spec){ .is64 = is64, .entry = TL_ENTRY, .nr = 3, .mb = mb };
	s->seg[0] = (struct tl_seg){ .type = PT_LOAD,
				     .flags = PF_R | PF_X,
				     .offset = TL_TEXT_OFF,
				     .vaddr = TL_TEXT_PA,
				     .paddr = TL_TEXT_PA,
				     .filesz = TL_TEXT_SIZE,
				     .memsz = TL_TEXT_SIZE };
	s->seg[1] = (struct tl_seg){ .type = PT_LOAD,
				     .flags = PF_R | PF_W,
				     .offset = TL_DATA_OFF,
				     .vaddr = TL_DATA_PA,
				     .paddr = TL_DATA_PA,
				     .filesz = TL_DATA_FILESZ,
				     .memsz = TL_DATA_MEMSZ };
	s->seg[2] = (struct tl_seg){ PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0 };
}

void tl_spec_a64(struct tl_spec *s)
{
	tl_spec_default(s, true, TL_MB_NONE);
	s->machine = EM_AARCH64;
	s->entry = TL_A64_ENTRY;
	s->seg[0].paddr = s->seg[0].vaddr = TL_A64_TEXT_PA;
	s->seg[1].paddr = s->seg[1].vaddr = TL_A64_DATA_PA;
}

void tl_mb2_tag(struct tl_spec *s, u16 type, u16 flags, const u32 *vals, u32 n)
{
	struct mb2_header_tag t = { type, flags, (u32)(sizeof(t) + n * sizeof(u32)) };
	u32 at = s->mb2_tags_len;

	cr_assert(at + ALIGN_UP(t.size, 8) <= sizeof(s->mb2_tags));
	memcpy(s->mb2_tags + at, &t, sizeof(t));
	if (n)
		memcpy(s->mb2_tags + at + sizeof(t), vals, n * sizeof(u32));
	s->mb2_tags_len += (u32)ALIGN_UP(t.size, 8);
}

static void put_ehdr(const struct tl_spec *s)
{
	if (s->is64) {
		struct elf64_ehdr e = {
			.e_ident = { 0x7F, 'E', 'L', 'F', ELFCLASS64,
				     s->data ? s->data : ELFDATA2LSB, EV_CURRENT },
			.e_type = ET_EXEC,
			.e_machine = s->machine ? s->machine : EM_X86_64,
			.e_version = EV_CURRENT,
			.e_entry = s->entry,
			.e_phoff = TL_PHOFF,
			.e_ehsize = sizeof(e),
			.e_phentsize = sizeof(struct elf64_phdr),
			.e_phnum = (u16)s->nr,
		};
		memcpy(tl_img, &e, sizeof(e));
	} else {
		struct elf32_ehdr e = {
			.e_ident = { 0x7F, 'E', 'L', 'F', ELFCLASS32,
				     s->data ? s->data : ELFDATA2LSB, EV_CURRENT },
			.e_type = ET_EXEC,
			.e_machine = s->machine ? s->machine : EM_386,
			.e_version = EV_CURRENT,
			.e_entry = (u32)s->entry,
			.e_phoff = TL_PHOFF,
			.e_ehsize = sizeof(e),
			.e_phentsize = sizeof(struct elf32_phdr),
			.e_phnum = (u16)s->nr,
		};
		memcpy(tl_img, &e, sizeof(e));
	}
}

static void put_phdr(const struct tl_spec *s, u32 i)
{
	const struct tl_seg *g = &s->seg[i];

	if (s->is64) {
		struct elf64_phdr p = { .p_type = g->type,
					.p_flags = g->flags,
					.p_offset = g->offset,
					.p_vaddr = g->vaddr,
					.p_paddr = g->paddr,
					.p_filesz = g->filesz,
					.p_memsz = g->memsz,
					.p_align = 0x1000 };
		memcpy(tl_img + TL_PHOFF + i * sizeof(p), &p, sizeof(p));
	} else {
		struct elf32_phdr p = { .p_type = g->type,
					.p_offset = (u32)g->offset,
					.p_vaddr = (u32)g->vaddr,
					.p_paddr = (u32)g->paddr,
					.p_filesz = (u32)g->filesz,
					.p_memsz = (u32)g->memsz,
					.p_flags = g->flags,
					.p_align = 0x1000 };
		memcpy(tl_img + TL_PHOFF + i * sizeof(p), &p, sizeof(p));
	}
}

static void put_mb(const struct tl_spec *s)
{
	if (s->mb & TL_MB1) {
		struct mb1_header h = { MB1_HEADER_MAGIC, s->mb1_flags,
					(u32)(0u - MB1_HEADER_MAGIC - s->mb1_flags) };
		memcpy(tl_img + TL_MB1_OFF, &h, sizeof(h));
	}
	if (s->mb & TL_MB2) {
		u32 len = (u32)(sizeof(struct mb2_header) + s->mb2_tags_len + 8);
		struct mb2_header h = { MB2_HEADER_MAGIC, s->mb2_arch, len,
					(u32)(0u - MB2_HEADER_MAGIC - s->mb2_arch - len) };
		struct mb2_header_tag end = { MB2_HTAG_END, 0, 8 };

		memcpy(tl_img + TL_MB2_OFF, &h, sizeof(h));
		memcpy(tl_img + TL_MB2_OFF + sizeof(h), s->mb2_tags, s->mb2_tags_len);
		memcpy(tl_img + TL_MB2_OFF + sizeof(h) + s->mb2_tags_len, &end, sizeof(end));
	}
}

u64 tl_build(const struct tl_spec *s)
{
	u64 len = TL_MB2_OFF + sizeof(struct mb2_header) + TL_MB2_TAGS_MAX + 8;

	cr_assert(s->nr <= TL_MAX_SEGS);
	for (u64 i = 0; i < TL_IMG_MAX; i++)
		tl_img[i] = tl_byte(i);
	memset(tl_img, 0, TL_PHOFF + TL_MAX_SEGS * sizeof(struct elf64_phdr));
	memset(tl_img + TL_MB1_OFF, 0, len - TL_MB1_OFF);
	put_ehdr(s);
	for (u32 i = 0; i < s->nr; i++) {
		put_phdr(s, i);
		if (s->seg[i].offset < TL_IMG_MAX && s->seg[i].filesz <= TL_IMG_MAX &&
		    s->seg[i].offset + s->seg[i].filesz <= TL_IMG_MAX)
			len = MAX(len, s->seg[i].offset + s->seg[i].filesz);
	}
	put_mb(s);
	return len;
}

void tl_guest_free(void)
{
	if (tl_guest_mem.pa)
		gmem_free(&tl_guest_mem);
	fake_ram_fini();
}

void tl_guest_at(u64 base, u64 ram)
{
	struct palloc *pa;

	tl_guest_free();
	pa = fake_ram_init(ram / PAGE_SIZE + 16);
	cr_assert_eq(gmem_alloc_at(&tl_guest_mem, pa, base, ram, OWNER_GUEST(1)), 0);
	for (u32 i = 0; i < tl_guest_mem.nr; i++)
		memset(gmem_ptr(&tl_guest_mem, gpa(tl_guest_mem.chunk[i].gpa),
				tl_guest_mem.chunk[i].size),
		       0xCC, tl_guest_mem.chunk[i].size);
}

void tl_guest(u64 ram)
{
	tl_guest_at(0, ram);
}

bool tl_guest_untouched(void)
{
	for (u32 i = 0; i < tl_guest_mem.nr; i++) {
		const u8 *p = gmem_ptr(&tl_guest_mem, gpa(tl_guest_mem.chunk[i].gpa),
				       tl_guest_mem.chunk[i].size);

		for (u64 j = 0; j < tl_guest_mem.chunk[i].size; j++)
			if (p[j] != 0xCC)
				return false;
	}
	return true;
}

void tl_check_segments(const struct tl_spec *s)
{
	for (u32 i = 0; i < s->nr; i++) {
		const struct tl_seg *g = &s->seg[i];
		u8 b;

		if (g->type != PT_LOAD)
			continue;
		for (u64 j = 0; j < g->memsz; j++) {
			cr_assert_eq(gmem_read(&tl_guest_mem, gpa(g->paddr + j), &b, 1), 0);
			cr_assert_eq(b, j < g->filesz ? tl_byte(g->offset + j) : 0,
				     "segment %u byte 0x%llx: 0x%02x", i, (unsigned long long)j, b);
		}
	}
}

static bool in_a_segment(const struct tl_spec *s, u64 at)
{
	for (u32 i = 0; i < s->nr; i++) {
		const struct tl_seg *g = &s->seg[i];

		if (g->type == PT_LOAD && at >= g->paddr && at - g->paddr < g->memsz)
			return true;
	}
	return false;
}

bool tl_guest_untouched_outside(const struct tl_spec *s)
{
	for (u32 i = 0; i < tl_guest_mem.nr; i++) {
		const struct gmem_chunk *c = &tl_guest_mem.chunk[i];
		const u8 *p = gmem_ptr(&tl_guest_mem, gpa(c->gpa), c->size);

		for (u64 j = 0; j < c->size; j++)
			if (p[j] != 0xCC && !in_a_segment(s, c->gpa + j))
				return false;
	}
	return true;
}

const void *tl_map(u64 pa, u64 len, void *ctx)
{
	return gmem_ptr(ctx, gpa(pa), len);
}
