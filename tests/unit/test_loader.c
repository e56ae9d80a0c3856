/* test_loader.c: unit tests of the guest loader (core/loader.c, core/loader_mb.c, core/elf.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "boot/multiboot.h"
#include "err.h"
#include "fake_log.h"
#include "fake_ram.h"
#include "loader_testlib.h"

#define RAM MiB(16)
#define LM_BASE(ram) ((ram)-KiB(64))

static struct tl_spec spec;
static struct guest_start st;
static struct boot_info bi;
static char err[256];

static void setup(void)
{
	tl_guest(RAM);
	fake_log_reset();
}

static void teardown(void)
{
	tl_guest_free();
}

TestSuite(loader, .init = setup, .fini = teardown, .timeout = 60);

static int load(u64 len, const char *cmdline)
{
	memset(err, 0, sizeof(err));
	memset(&st, 0x77, sizeof(st));
	return loader_load(&tl_guest_mem, tl_img, len, cmdline, &st, err, sizeof(err));
}

/* Build spec, load it and expect success. */
static void load_ok(const char *cmdline)
{
	int r = load(tl_build(&spec), cmdline);

	cr_assert_eq(r, 0, "load failed (%d): %s", r, err);
	cr_assert_str_empty(err);
	tl_check_segments(&spec);
}

/* Load len bytes of tl_img and expect a refusal whose message contains msg,
 * with guest RAM untouched. */
static void reject_len(u64 len, const char *cmdline, const char *msg)
{
	int r = load(len, cmdline);

	cr_assert_lt(r, 0, "loaded, expected: %s", msg);
	cr_assert(strstr(err, msg), "error '%s' does not say '%s'", err, msg);
	cr_assert(tl_guest_untouched(), "a refused image wrote guest RAM");
}

static void reject(const char *msg)
{
	reject_len(tl_build(&spec), "", msg);
}

static u32 rd32(u64 at)
{
	u32 v;

	cr_assert_eq(gmem_read(&tl_guest_mem, gpa(at), &v, sizeof(v)), 0);
	return v;
}

static u64 rd64(u64 at)
{
	u64 v;

	cr_assert_eq(gmem_read(&tl_guest_mem, gpa(at), &v, sizeof(v)), 0);
	return v;
}

static const char *guest_str(u64 at)
{
	const char *s = gmem_ptr(&tl_guest_mem, gpa(at), 1);

	cr_assert_not_null(s);
	return s;
}

/* The info block parses cleanly with umbra's own Multiboot parser and
 * describes the PC layout of a guest with ram bytes. */
static void check_boot_info(enum boot_proto proto, const char *cmdline, u64 ram)
{
	cr_assert_eq(boot_info_parse((u32)st.rax, (u32)st.rbx, tl_map, &tl_guest_mem, &bi), 0);
	cr_assert_eq(bi.proto, proto);
	cr_assert_str_eq(bi.cmdline, cmdline);
	cr_assert_str_eq(bi.loader_name, "umbra");
	cr_assert_eq(bi.nr_problems, 0, "log: %s", fake_log_text());
	cr_assert_eq(fake_log_count(LOG_WARN) + fake_log_count(LOG_ERROR), 0);
	cr_assert_eq(bi.nr_mem, 4);
	cr_assert_eq(bi.mem[0].base, 0);
	cr_assert_eq(bi.mem[0].len, 0x9FC00);
	cr_assert_eq(bi.mem[0].type, MEM_RAM);
	cr_assert_eq(bi.mem[1].base, 0x9FC00);
	cr_assert_eq(bi.mem[1].len, 0x400);
	cr_assert_eq(bi.mem[1].type, MEM_RESERVED);
	cr_assert_eq(bi.mem[2].base, 0xF0000);
	cr_assert_eq(bi.mem[2].len, 0x10000);
	cr_assert_eq(bi.mem[2].type, MEM_RESERVED);
	cr_assert_eq(bi.mem[3].base, MiB(1));
	cr_assert_eq(bi.mem[3].len, ram - MiB(1));
	cr_assert_eq(bi.mem[3].type, MEM_RAM);
	cr_assert_eq(bi.nr_mods, 0);
}

static void check_prot32(u32 magic, u64 rip, u64 info)
{
	cr_assert_eq(st.mode, GUEST_MODE_PROT32);
	cr_assert_eq(st.rax, magic);
	cr_assert_eq(st.rbx, info);
	cr_assert_eq(st.rip, rip);
	cr_assert_eq(st.rsp, 0);
	cr_assert_eq(st.cr3, 0);
}

/* ------------------------------------------------------------ Multiboot1 */

Test(loader, elf32_multiboot1)
{
	tl_spec_default(&spec, false, TL_MB1);
	spec.mb1_flags = MB1_HDR_PAGE_ALIGN | MB1_HDR_MEMORY_INFO;
	load_ok("console=ttyS0 quiet");
	check_prot32(MB1_BOOTLOADER_MAGIC, TL_ENTRY, 0x9000);
	/* The raw block, as a kernel would read it. */
	cr_assert_eq(rd32(0x9000),
		     MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MEM_MAP | MB1_INFO_LOADER_NAME);
	cr_assert_eq(rd32(0x9000 + offsetof(struct mb1_info, mem_lower)), 639);
	cr_assert_eq(rd32(0x9000 + offsetof(struct mb1_info, mem_upper)), (RAM - MiB(1)) / 1024);
	cr_assert_eq(rd32(0x9000 + offsetof(struct mb1_info, mmap_length)), 4 * 24);
	cr_assert_str_eq(guest_str(rd32(0x9000 + offsetof(struct mb1_info, cmdline))),
			 "console=ttyS0 quiet");
	check_boot_info(BOOT_PROTO_MULTIBOOT1, "console=ttyS0 quiet", RAM);
}

Test(loader, multiboot1_video_flag_and_optional_bits_are_accepted)
{
	tl_spec_default(&spec, false, TL_MB1);
	spec.mb1_flags = MB1_HDR_VIDEO_MODE | BIT(20) | BIT(31);
	load_ok(NULL);
	check_prot32(MB1_BOOTLOADER_MAGIC, TL_ENTRY, 0x9000);
	check_boot_info(BOOT_PROTO_MULTIBOOT1, "", RAM);
}

Test(loader, elf64_with_multiboot1_starts_in_protected_mode)
{
	tl_spec_default(&spec, true, TL_MB1);
	load_ok("x");
	check_prot32(MB1_BOOTLOADER_MAGIC, TL_ENTRY, 0x9000);
}

Test(loader, multiboot1_bad_checksum_is_no_header)
{
	u64 len;

	tl_spec_default(&spec, false, TL_MB1);
	len = tl_build(&spec);
	tl_img[TL_MB1_OFF + 8] ^= 1;
	reject_len(len, "",
		   "32-bit ELF without a Multiboot header: umbra cannot tell how to "
		   "start it");
}

Test(loader, multiboot1_header_beyond_8k_is_not_seen)
{
	struct mb1_header h = { MB1_HEADER_MAGIC, 0, (u32)(0u - MB1_HEADER_MAGIC) };
	u64 len;

	tl_spec_default(&spec, false, TL_MB_NONE);
	len = tl_build(&spec);
	memcpy(tl_img + 0x2000, &h, sizeof(h)); /* the file is 0x2300 bytes long */
	reject_len(len, "", "32-bit ELF without a Multiboot header");
	memcpy(tl_img + 0x2000 - 12, &h, sizeof(h)); /* the last slot wholly inside 8 KiB */
	cr_assert_eq(load(len, ""), 0, "%s", err);
	cr_assert_eq(st.rax, MB1_BOOTLOADER_MAGIC);
}

/* ------------------------------------------------------------ Multiboot2 */

Test(loader, elf32_multiboot2)
{
	static const u32 want[] = { MB2_TAG_CMDLINE, MB2_TAG_MMAP, MB2_TAG_LOADER_NAME,
				    MB2_TAG_BASIC_MEMINFO };
	u32 off = 8;

	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_INFO_REQUEST, 0, want, ARRAY_SIZE(want));
	tl_mb2_tag(&spec, MB2_HTAG_MODULE_ALIGN, 0, NULL, 0);
	load_ok("root=/dev/vda");
	check_prot32(MB2_BOOTLOADER_MAGIC, TL_ENTRY, 0x9000);
	/* Tags in order: command line, loader name, basic memory, memory map, end. */
	cr_assert_eq(rd32(0x9000 + off), MB2_TAG_CMDLINE);
	cr_assert_str_eq(guest_str(0x9000 + off + 8), "root=/dev/vda");
	off += ALIGN_UP(rd32(0x9000 + off + 4), 8);
	cr_assert_eq(rd32(0x9000 + off), MB2_TAG_LOADER_NAME);
	cr_assert_str_eq(guest_str(0x9000 + off + 8), "umbra");
	off += ALIGN_UP(rd32(0x9000 + off + 4), 8);
	cr_assert_eq(rd32(0x9000 + off), MB2_TAG_BASIC_MEMINFO);
	cr_assert_eq(rd32(0x9000 + off + 8), 639);
	cr_assert_eq(rd32(0x9000 + off + 12), (RAM - MiB(1)) / 1024);
	off += ALIGN_UP(rd32(0x9000 + off + 4), 8);
	cr_assert_eq(rd32(0x9000 + off), MB2_TAG_MMAP);
	cr_assert_eq(rd32(0x9000 + off + 4), 16 + 4 * 24);
	cr_assert_eq(rd32(0x9000 + off + 8), 24);
	off += ALIGN_UP(rd32(0x9000 + off + 4), 8);
	cr_assert_eq(rd32(0x9000 + off), MB2_TAG_END);
	cr_assert_eq(rd32(0x9000 + off + 4), 8);
	cr_assert_eq(rd32(0x9000), off + 8, "total_size");
	check_boot_info(BOOT_PROTO_MULTIBOOT2, "root=/dev/vda", RAM);
}

Test(loader, multiboot2_is_preferred_over_multiboot1)
{
	tl_spec_default(&spec, false, TL_MB_BOTH);
	load_ok("both");
	check_prot32(MB2_BOOTLOADER_MAGIC, TL_ENTRY, 0x9000);
	check_boot_info(BOOT_PROTO_MULTIBOOT2, "both", RAM);
}

Test(loader, elf64_with_multiboot2_starts_in_protected_mode)
{
	tl_spec_default(&spec, true, TL_MB2);
	load_ok("");
	check_prot32(MB2_BOOTLOADER_MAGIC, TL_ENTRY, 0x9000);
	check_boot_info(BOOT_PROTO_MULTIBOOT2, "", RAM);
}

Test(loader, multiboot2_entry_tag_and_ignorable_tags)
{
	u32 entry = TL_TEXT_PA + 0x400, reloc[4] = { 0, ~0u, 4096, 0 };
	u32 fb[3] = { 1024, 768, 32 }, unknown = 99, console = MB2_CONSOLE_REQUIRED;

	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_ENTRY, 0, &entry, 1);
	tl_mb2_tag(&spec, MB2_HTAG_FRAMEBUFFER, MB2_HTAG_OPTIONAL, fb, 3);
	tl_mb2_tag(&spec, MB2_HTAG_INFO_REQUEST, MB2_HTAG_OPTIONAL, &unknown, 1);
	tl_mb2_tag(&spec, MB2_HTAG_CONSOLE, MB2_HTAG_OPTIONAL, &console, 1);
	tl_mb2_tag(&spec, MB2_HTAG_ENTRY_EFI64, 0, &entry, 1);
	tl_mb2_tag(&spec, MB2_HTAG_RELOCATABLE, 0, reloc, 4);
	tl_mb2_tag(&spec, 42, MB2_HTAG_OPTIONAL, NULL, 0);
	load_ok("");
	check_prot32(MB2_BOOTLOADER_MAGIC, TL_TEXT_PA + 0x400, 0x9000);
}

/* ------------------------------------------------------------ placement and layout */

Test(loader, info_block_moves_above_a_kernel_at_0x9000)
{
	tl_spec_default(&spec, false, TL_MB1);
	spec.seg[0].paddr = spec.seg[0].vaddr = 0x8000;
	spec.seg[0].memsz = 0x3000; /* [0x8000, 0xB000): bss over 0x9000 */
	spec.entry = 0x8000;
	load_ok("moved");
	/* After the highest segment: data+bss ends at 0x107000. */
	check_prot32(MB1_BOOTLOADER_MAGIC, 0x8000, TL_DATA_PA + TL_DATA_MEMSZ);
	check_boot_info(BOOT_PROTO_MULTIBOOT1, "moved", RAM);
}

Test(loader, segments_keep_file_order_and_virtual_entry_is_translated)
{
	tl_spec_default(&spec, true, TL_MB_NONE);
	/* A higher-half kernel: linked at -2 GiB, loaded at 1 MiB. */
	spec.seg[0].vaddr = 0xFFFFFFFF80100000ULL;
	spec.seg[1].vaddr = 0xFFFFFFFF80102000ULL;
	spec.entry = 0xFFFFFFFF80100020ULL;
	load_ok("");
	cr_assert_eq(st.mode, GUEST_MODE_LONG64);
	cr_assert_eq(st.rip, TL_TEXT_PA + 0x20);
}

Test(loader, empty_and_non_load_segments_are_ignored)
{
	tl_spec_default(&spec, false, TL_MB1);
	spec.seg[3] = (struct tl_seg){ PT_LOAD, PF_R, 0x1000, 0x100000, 0x100000, 0, 0 };
	spec.seg[4] = (struct tl_seg){ 4 /* PT_NOTE */, PF_R, ~0ULL, 0, ~0ULL, 0x100, 0x10 };
	spec.nr = 5;
	load_ok("");
	check_prot32(MB1_BOOTLOADER_MAGIC, TL_ENTRY, 0x9000);
}

Test(loader, elf64_long_mode)
{
	u64 base = LM_BASE(RAM);

	tl_spec_default(&spec, true, TL_MB_NONE);
	load_ok("init=/bin/sh");
	cr_assert_eq(st.mode, GUEST_MODE_LONG64);
	cr_assert_eq(st.rip, TL_ENTRY);
	cr_assert_eq(st.rsp, 0);
	cr_assert_eq(st.rsi, RAM);
	cr_assert_eq(st.rax, 0);
	cr_assert_eq(st.rbx, 0);
	cr_assert_str_eq(guest_str(st.rdi), "init=/bin/sh");
	cr_assert(st.rdi >= base && st.rdi < RAM);
	cr_assert_eq(st.cr3, base);
	/* PML4[0] -> PDPT, PDPT[0..3] -> PDs, PD entries: 2 MiB pages over 4 GiB. */
	cr_assert_eq(rd64(st.cr3), (base + 0x1000) | 0x3);
	for (u32 i = 1; i < 512; i++)
		cr_assert_eq(rd64(st.cr3 + i * 8), 0, "PML4[%u]", i);
	for (u32 i = 0; i < 512; i++) {
		u64 pdpte = rd64(base + 0x1000 + i * 8);

		if (i >= 4) {
			cr_assert_eq(pdpte, 0, "PDPT[%u]", i);
			continue;
		}
		cr_assert_eq(pdpte & 0xFFF, 0x3);
		for (u32 j = 0; j < 512; j++)
			cr_assert_eq(rd64((pdpte & ~0xFFFULL) + j * 8),
				     ((u64)i << 30) + ((u64)j << 21) + 0x83, "PD[%u][%u]", i, j);
	}
	/* The GDT. */
	cr_assert_eq(st.gdt_limit, 23);
	cr_assert(st.gdt_base >= base && st.gdt_base + 24 <= RAM);
	cr_assert_eq(rd64(st.gdt_base), 0);
	cr_assert_eq(rd64(st.gdt_base + 8), 0x00AF9A000000FFFFULL);
	cr_assert_eq(rd64(st.gdt_base + 16), 0x00CF92000000FFFFULL);
	/* Tables, GDT and command line do not overlap. */
	cr_assert(st.gdt_base >= base + 0x6000 && st.rdi >= st.gdt_base + 24);
}

Test(loader, elf64_long_mode_in_the_smallest_guest)
{
	tl_guest(MiB(1));
	tl_spec_default(&spec, true, TL_MB_NONE);
	spec.seg[0].paddr = spec.seg[0].vaddr = 0x10000;
	spec.seg[1].paddr = spec.seg[1].vaddr =
		LM_BASE(MiB(1)) - TL_DATA_MEMSZ; /* ends just below */
	spec.entry = 0x10000;
	load_ok("");
	cr_assert_eq(st.cr3, LM_BASE(MiB(1)));
	cr_assert_eq(st.rsi, MiB(1));
}

Test(loader, multiboot_in_the_smallest_guest)
{
	tl_guest(MiB(1));
	tl_spec_default(&spec, false, TL_MB2);
	spec.seg[0].paddr = spec.seg[0].vaddr = 0x10000;
	spec.seg[1].paddr = spec.seg[1].vaddr = 0x20000;
	spec.entry = 0x10000;
	load_ok("");
	check_prot32(MB2_BOOTLOADER_MAGIC, 0x10000, 0x9000);
	cr_assert_eq(boot_info_parse((u32)st.rax, (u32)st.rbx, tl_map, &tl_guest_mem, &bi), 0);
	cr_assert_eq(bi.nr_mem, 3); /* nothing above 1 MiB */
	cr_assert_eq(bi.nr_problems, 0);
}

Test(loader, command_line_of_4096_bytes)
{
	static char line[4097];

	memset(line, 'a', 4096);
	line[4096] = '\0';
	tl_spec_default(&spec, false, TL_MB1);
	load_ok(line);
	cr_assert_str_eq(guest_str(rd32(0x9000 + offsetof(struct mb1_info, cmdline))), line);
	tl_spec_default(&spec, false, TL_MB2);
	load_ok(line);
	cr_assert_str_eq(guest_str(0x9000 + 16), line);
	cr_assert_eq(boot_info_parse((u32)st.rax, (u32)st.rbx, tl_map, &tl_guest_mem, &bi), 0);
	tl_spec_default(&spec, true, TL_MB_NONE);
	load_ok(line);
	cr_assert_str_eq(guest_str(st.rdi), line);
}

Test(loader, command_line_too_long)
{
	static char line[4098];

	memset(line, 'b', 4097);
	line[4097] = '\0';
	tl_spec_default(&spec, false, TL_MB1);
	reject_len(tl_build(&spec), line, "guest command line is longer than 4096 bytes");
}

/* ------------------------------------------------------------ ELF rejections */

Test(loader, reject_truncated_and_bad_magic)
{
	tl_spec_default(&spec, true, TL_MB_NONE);
	tl_build(&spec);
	reject_len(0, "", "not an ELF file (bad magic)");
	reject_len(3, "", "not an ELF file (bad magic)");
	reject_len(10, "", "ELF: truncated identification (10 bytes of 16)");
	reject_len(63, "", "ELF: file of 63 bytes is shorter than the ELF64 header");
	reject_len(TL_PHOFF + 56 * 2, "", "ELF: program headers [0x40, +168) run past the end");
	reject_len(0x2200, "", "ELF: segment 1 file bytes [0x2000, +0x300) run past the end");
	tl_img[1] = 'e';
	reject_len(0x2300, "", "not an ELF file (bad magic)");
	cr_assert_eq(loader_load(&tl_guest_mem, NULL, 100, "", &st, err, sizeof(err)), -ERR_INVAL);
	cr_assert(strstr(err, "no guest image"));
}

/* Build the default image of a class, then set one byte or field. */
static u64 build_poked(bool is64, u32 off, const void *val, u32 n)
{
	u64 len;

	tl_spec_default(&spec, is64, TL_MB1);
	len = tl_build(&spec);
	memcpy(tl_img + off, val, n);
	return len;
}

Test(loader, reject_bad_identification)
{
	u8 v = 3;

	reject_len(build_poked(false, EI_CLASS, &v, 1), "", "ELF: unknown class 3");
	v = 2;
	reject_len(build_poked(false, EI_DATA, &v, 1), "", "not little endian");
	v = 0;
	reject_len(build_poked(true, EI_VERSION, &v, 1), "", "identification version 0");
}

Test(loader, reject_wrong_machine_type_version)
{
	u16 v = EM_386;
	u32 w = 0;

	reject_len(build_poked(true, 18, &v, 2), "",
		   "ELF: ELF64 machine 3 is neither x86-64 (62) nor AArch64 (183)");
	v = EM_X86_64;
	reject_len(build_poked(false, 18, &v, 2), "", "ELF32 file for x86-64 (x32 ABI)");
	v = 40; /* ARM */
	reject_len(build_poked(false, 18, &v, 2), "", "ELF: ELF32 machine 40 is not i386 (3)");
	v = 3; /* ET_DYN */
	reject_len(build_poked(true, 16, &v, 2), "", "ELF: type 3 is not an executable");
	reject_len(build_poked(false, 20, &w, 4), "", "ELF: version 0 is not 1");
}

Test(loader, reject_header_sizes)
{
	u16 v = 60;

	reject_len(build_poked(true, offsetof(struct elf64_ehdr, e_ehsize), &v, 2), "",
		   "ELF: header size 60, expected 64");
	v = 40;
	reject_len(build_poked(false, offsetof(struct elf32_ehdr, e_phentsize), &v, 2), "",
		   "ELF: program header size 40, expected 32");
	v = 0;
	reject_len(build_poked(true, offsetof(struct elf64_ehdr, e_phnum), &v, 2), "",
		   "ELF: no program headers");
	v = 65;
	reject_len(build_poked(true, offsetof(struct elf64_ehdr, e_phnum), &v, 2), "",
		   "ELF: 65 program headers, more than umbra accepts (64)");
	v = PN_XNUM;
	reject_len(build_poked(false, offsetof(struct elf32_ehdr, e_phnum), &v, 2), "",
		   "ELF: 65535 program headers");
}

Test(loader, reject_program_headers_outside_the_file)
{
	u64 off = ~0ULL - 8; /* phoff + size wraps */
	u32 off32 = 0xFFFFFF00;

	reject_len(build_poked(true, offsetof(struct elf64_ehdr, e_phoff), &off, 8), "",
		   "ELF: program headers [0xfffffffffffffff7, +168) run past the end of the file");
	reject_len(build_poked(false, offsetof(struct elf32_ehdr, e_phoff), &off32, 4), "",
		   "ELF: program headers [0xffffff00, +96) run past the end of the file");
}

Test(loader, reject_segment_beyond_file)
{
	tl_spec_default(&spec, true, TL_MB1);
	spec.seg[1].offset = ~0ULL - 0x100; /* offset + filesz wraps */
	reject("ELF: segment 1 file bytes [0xfffffffffffffeff, +0x300) run past the end of the "
	       "file");
	tl_spec_default(&spec, false, TL_MB1);
	spec.seg[0].filesz = spec.seg[0].memsz = 0x100000;
	reject("ELF: segment 0 file bytes [0x1000, +0x100000) run past the end of the file");
}

Test(loader, reject_segment_beyond_ram)
{
	tl_guest(MiB(64));
	tl_spec_default(&spec, false, TL_MB1);
	spec.seg[1].paddr = 0x100000;
	spec.seg[1].memsz = MiB(64);
	spec.seg[0].paddr = MiB(80);
	reject("ELF: segment 0 [0x5000000, 0x5000800) is outside the guest's 64 MiB");
	spec.seg[0].paddr = TL_TEXT_PA;
	reject("ELF: segment 1 [0x100000, 0x4100000) is outside the guest's 64 MiB");
	tl_spec_default(&spec, true, TL_MB_NONE);
	spec.seg[1].paddr = ~0ULL - 0xFFF; /* paddr + memsz wraps */
	reject("ELF: segment 1 [0xfffffffffffff000, +0x5000) is outside the guest's 64 MiB");
	cr_assert_eq(load(tl_build(&spec), ""), -ERR_RANGE);
}

Test(loader, reject_ram_size_in_kib)
{
	tl_guest(MiB(1) + KiB(4));
	tl_spec_default(&spec, false, TL_MB1);
	spec.seg[1].paddr = MiB(1);
	reject("ELF: segment 1 [0x100000, 0x105000) is outside the guest's 1028 KiB");
}

Test(loader, reject_overlapping_segments)
{
	tl_spec_default(&spec, false, TL_MB1);
	spec.seg[2] = (struct tl_seg){ PT_LOAD, PF_R, 0x1000, 0x200000, 0x102800, 0x10, 0x10 };
	reject("ELF: segments 1 and 2 overlap");
	spec.seg[2].paddr = TL_TEXT_PA + TL_TEXT_SIZE - 1; /* one byte into segment 0 */
	reject("ELF: segments 0 and 2 overlap");
	spec.seg[2].paddr = TL_TEXT_PA + TL_TEXT_SIZE; /* touching is fine */
	load_ok("");
}

Test(loader, reject_filesz_above_memsz)
{
	tl_spec_default(&spec, true, TL_MB2);
	spec.seg[1].memsz = TL_DATA_FILESZ - 1;
	reject("ELF: segment 1 has file size 0x300 larger than its memory size 0x2ff");
}

Test(loader, reject_entry_outside_executable_segments)
{
	tl_spec_default(&spec, false, TL_MB1);
	spec.entry = TL_TEXT_PA + TL_TEXT_SIZE; /* one past the text */
	reject("ELF: entry 0x100800 is not in a loaded executable segment");
	spec.entry = TL_DATA_PA; /* data is not executable */
	reject("ELF: entry 0x102000 is not in a loaded executable segment");
	tl_spec_default(&spec, true, TL_MB_NONE);
	spec.entry = 0;
	reject("ELF: entry 0x0 is not in a loaded executable segment");
}

Test(loader, reject_no_load_segment)
{
	tl_spec_default(&spec, true, TL_MB_NONE);
	spec.seg[0].type = spec.seg[1].type = 4; /* PT_NOTE */
	reject("ELF: no PT_LOAD segment");
	tl_spec_default(&spec, false, TL_MB1);
	spec.seg[0].memsz = spec.seg[0].filesz = 0;
	spec.seg[1].memsz = spec.seg[1].filesz = 0;
	reject("ELF: no PT_LOAD segment");
}

Test(loader, reject_too_many_load_segments)
{
	tl_spec_default(&spec, false, TL_MB1);
	spec.nr = ELF_MAX_LOAD + 1;
	for (u32 i = 0; i < spec.nr; i++)
		spec.seg[i] = (struct tl_seg){
			PT_LOAD, PF_R | PF_X, 0x1000, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000,
			0x10,	 0x1000
		};
	reject("ELF: more than 16 PT_LOAD segments");
	spec.nr = ELF_MAX_LOAD;
	load_ok("");
}

Test(loader, reject_32bit_without_multiboot)
{
	tl_spec_default(&spec, false, TL_MB_NONE);
	reject("32-bit ELF without a Multiboot header: umbra cannot tell how to start it");
}

Test(loader, reject_small_guest)
{
	tl_guest(KiB(512));
	tl_spec_default(&spec, false, TL_MB1);
	reject("guest RAM of 512 KiB is too small: the loader needs 1 MiB");
}

/* ------------------------------------------------------------ Multiboot and placement rejections */

Test(loader, reject_multiboot1_flags)
{
	tl_spec_default(&spec, false, TL_MB1);
	spec.mb1_flags = MB1_HDR_AOUT_KLUDGE | MB1_HDR_MEMORY_INFO;
	reject("Multiboot1: the a.out kludge (header flag 16) is not supported");
	spec.mb1_flags = BIT(5) | BIT(1) | BIT(15);
	reject("Multiboot1: the header requires features 0x8020 that umbra does not know");
}

Test(loader, reject_multiboot2_required_tags)
{
	u32 fb[3] = { 1024, 768, 32 }, types[3] = { 1, 6, 8 }, con = MB2_CONSOLE_REQUIRED;

	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_FRAMEBUFFER, 0, fb, 3);
	reject("Multiboot2: the kernel requires header tag 5 (framebuffer), which umbra does "
	       "not support");
	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_INFO_REQUEST, 0, types, 3);
	reject("Multiboot2: the kernel requires information tag 8, which umbra does not "
	       "provide");
	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_ADDRESS, 0, fb, 3);
	reject("requires header tag 2 (load address (a.out kludge))");
	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_EFI_BS, 0, NULL, 0);
	reject("requires header tag 7 (EFI boot services)");
	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, 77, 0, NULL, 0);
	reject("requires header tag 77 (unknown)");
	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_CONSOLE, 0, &con, 1);
	reject("Multiboot2: the kernel requires a console (header tag 4)");
}

Test(loader, reject_multiboot2_malformed_header)
{
	u32 entry = TL_DATA_PA, v[2] = { 1, 2 };

	tl_spec_default(&spec, false, TL_MB2);
	spec.mb2_arch = 4;
	reject("Multiboot2: header architecture 4 is not i386 (0)");
	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_ENTRY, 0, &entry, 1);
	reject("Multiboot2: entry address 0x102000 (header tag 3) is not in a loaded executable "
	       "segment");
	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_ENTRY, 0, v, 2);
	reject("Multiboot2: entry address tag of 16 bytes, expected 12");
	tl_spec_default(&spec, false, TL_MB2);
	tl_mb2_tag(&spec, MB2_HTAG_INFO_REQUEST, 0, v, 1);
	spec.mb2_tags[4] = 10; /* size 10: half a type */
	reject("Multiboot2: information request tag of 10 bytes is not a list");
}

/* Rewrite the Multiboot2 header's length and checksum after poking it. */
static void mb2_set_length(u32 len)
{
	struct mb2_header h;

	memcpy(&h, tl_img + TL_MB2_OFF, sizeof(h));
	h.header_length = len;
	h.checksum = 0u - h.magic - h.architecture - h.header_length;
	memcpy(tl_img + TL_MB2_OFF, &h, sizeof(h));
}

Test(loader, reject_multiboot2_bad_lengths)
{
	u64 len;
	u32 big = 0x7FFFFFF0;

	tl_spec_default(&spec, false, TL_MB2);
	len = tl_build(&spec);
	mb2_set_length(16); /* no room for the end tag */
	reject_len(len, "", "Multiboot2: header length 16 at offset 0x800 does not fit");
	mb2_set_length(MB2_SEARCH_BYTES);
	reject_len(len, "",
		   "Multiboot2: header length 32768 at offset 0x800 does not fit in the "
		   "first 8960 bytes");
	/* The end tag replaced by a tag running past the header. */
	mb2_set_length(24);
	memcpy(tl_img + TL_MB2_OFF + 16 + 4, &big, 4);
	reject_len(len, "",
		   "Multiboot2: header tag 0 at offset 0x10 has size 2147483632, outside "
		   "the header");
	/* The end tag replaced by a skippable tag: no end tag at all. */
	tl_spec_default(&spec, false, TL_MB2);
	len = tl_build(&spec);
	tl_img[TL_MB2_OFF + 16] = MB2_HTAG_MODULE_ALIGN;
	reject_len(len, "", "Multiboot2: the header has no end tag");
}

Test(loader, reject_no_room_for_tables_or_info)
{
	tl_spec_default(&spec, true, TL_MB_NONE);
	spec.seg[1].paddr = RAM - TL_DATA_MEMSZ; /* bss reaches the top of RAM */
	reject("ELF: segment 1 reaches into the top 64 KiB of guest RAM [0xff0000, 0x1000000)");
	tl_spec_default(&spec, false, TL_MB1);
	spec.seg[0].paddr = spec.seg[0].vaddr = 0x1000;
	spec.seg[0].memsz = 0x10000;			  /* over 0x9000 */
	spec.seg[1].paddr = RAM - TL_DATA_MEMSZ - 0x1000; /* less than 8 KiB above */
	spec.entry = 0x1000;
	reject("Multiboot: no room for the information block: 0x9000 is taken by the kernel and "
	       "nothing is free after its end 0xfff000 in the guest's 16 MiB");
}

Test(loader, error_buffer_is_optional_and_truncated)
{
	char small[8];

	tl_spec_default(&spec, false, TL_MB_NONE);
	cr_assert_eq(loader_load(&tl_guest_mem, tl_img, tl_build(&spec), "", &st, NULL, 0),
		     -ERR_INVAL);
	cr_assert_eq(
		loader_load(&tl_guest_mem, tl_img, tl_build(&spec), "", &st, small, sizeof(small)),
		-ERR_INVAL);
	cr_assert_str_eq(small, "32-bit ");
	cr_assert_eq(loader_load(NULL, tl_img, 100, "", &st, small, sizeof(small)), -ERR_INVAL);
	cr_assert_eq(loader_load(&tl_guest_mem, tl_img, 100, "", NULL, small, sizeof(small)),
		     -ERR_INVAL);
}
