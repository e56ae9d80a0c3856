/* test_loader_a64.c: unit tests of AArch64 guest loading and the arm64 boot information page. */
#include <criterion/criterion.h>
#include <string.h>

#include "err.h"
#include "fake_log.h"
#include "fake_ram.h"
#include "loader_testlib.h"

#define RAM MiB(16)
#define RAM_END (TL_A64_BASE + RAM)
#define IPA_BITS 40u

static struct tl_spec spec;
static struct guest_start st;
static char err[256];
static u8 page[LOADER_A64_INFO_SIZE];

static void setup(void)
{
	tl_guest_at(TL_A64_BASE, RAM);
	fake_log_reset();
}

static void teardown(void)
{
	tl_guest_free();
}

TestSuite(loader_a64, .init = setup, .fini = teardown, .timeout = 60);

static int load(u64 len, const char *cmdline)
{
	memset(err, 0, sizeof(err));
	memset(&st, 0x77, sizeof(st));
	return loader_load(&tl_guest_mem, tl_img, len, cmdline, &st, err, sizeof(err));
}

/* Build spec, load it and expect an AArch64 start at rip, nothing written
 * but the segments. */
static void load_a64_ok(const char *cmdline, u64 rip)
{
	int r = load(tl_build(&spec), cmdline);

	cr_assert_eq(r, 0, "load failed (%d): %s", r, err);
	cr_assert_str_empty(err);
	tl_check_segments(&spec);
	cr_assert(tl_guest_untouched_outside(&spec), "the loader wrote outside the segments");
	cr_assert_eq(st.mode, GUEST_MODE_AARCH64);
	cr_assert_eq(st.rip, rip);
	cr_assert_eq(st.rsp + st.rax + st.rbx + st.rdi + st.rsi + st.cr3 + st.gdt_base, 0);
	cr_assert_eq(st.gdt_limit, 0);
}

/* Expect a refusal whose message contains msg, with guest RAM untouched. */
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

/* ------------------------------------------------------------ loading */

Test(loader_a64, loads_at_base_plus_512k)
{
	tl_spec_a64(&spec);
	load_a64_ok("console=ttyAMA0 earlycon", TL_A64_TEXT_PA);
	cr_assert_eq(st.rip, 0x40080000);
	cr_assert_str_eq(loader_mode_name(st.mode), "aarch64");
}

Test(loader_a64, entry_is_translated_to_its_physical_address)
{
	tl_spec_a64(&spec);
	/* Linked in the upper half, loaded in RAM. */
	spec.seg[0].vaddr = 0xFFFF800010080000ULL;
	spec.seg[1].vaddr = 0xFFFF800010082000ULL;
	spec.entry = 0xFFFF800010080040ULL;
	load_a64_ok("", TL_A64_TEXT_PA + 0x40);
}

Test(loader_a64, segments_at_both_ends_of_ram)
{
	tl_spec_a64(&spec);
	spec.seg[0].paddr = spec.seg[0].vaddr = TL_A64_BASE;
	spec.seg[1].paddr = spec.seg[1].vaddr = RAM_END - TL_DATA_MEMSZ;
	spec.entry = TL_A64_BASE + 0x7FC;
	load_a64_ok("", TL_A64_BASE + 0x7FC);
}

Test(loader_a64, command_line_limits)
{
	static char line[LOADER_A64_CMDLINE_MAX + 2];

	memset(line, 'c', LOADER_A64_CMDLINE_MAX);
	tl_spec_a64(&spec);
	load_a64_ok(line, TL_A64_ENTRY);
	load_a64_ok(NULL, TL_A64_ENTRY);
	line[LOADER_A64_CMDLINE_MAX] = 'c';
	tl_guest_at(TL_A64_BASE, RAM);
	reject_len(tl_build(&spec), line,
		   "guest command line is 256 bytes, longer than the 255 an AArch64 guest's "
		   "boot information page holds");
}

Test(loader_a64, aarch64_in_ram_from_zero_is_loaded_too)
{
	tl_guest(RAM);
	tl_spec_a64(&spec);
	spec.seg[0].paddr = spec.seg[0].vaddr = 0x80000;
	spec.seg[1].paddr = spec.seg[1].vaddr = 0x82000;
	spec.entry = 0x80000;
	load_a64_ok("", 0x80000);
}

Test(loader_a64, x86_64_still_starts_in_long_mode)
{
	tl_guest(RAM);
	tl_spec_default(&spec, true, TL_MB_NONE);
	cr_assert_eq(load(tl_build(&spec), "x"), 0, "%s", err);
	cr_assert_eq(st.mode, GUEST_MODE_LONG64);
	cr_assert_eq(st.rip, TL_ENTRY);
	cr_assert_eq(st.rsi, RAM);
	cr_assert_str_eq(loader_mode_name(st.mode), "long64");
	tl_spec_default(&spec, false, TL_MB1);
	cr_assert_eq(load(tl_build(&spec), "x"), 0, "%s", err);
	cr_assert_eq(st.mode, GUEST_MODE_PROT32);
	cr_assert_str_eq(loader_mode_name(st.mode), "prot32");
	cr_assert_str_eq(loader_mode_name((enum guest_mode)42), "?");
}

/* ------------------------------------------------------------ refusals */

Test(loader_a64, x86_kernels_need_ram_at_zero)
{
	tl_spec_default(&spec, true, TL_MB_NONE);
	reject("x86 kernels need guest RAM from guest-physical 0; this guest's starts at "
	       "0x40000000");
	tl_spec_default(&spec, false, TL_MB2);
	reject("x86 kernels need guest RAM from guest-physical 0");
}

Test(loader_a64, segments_outside_ram)
{
	tl_spec_a64(&spec);
	spec.seg[0].paddr = 0x80000; /* below RAM */
	reject("ELF: segment 0 [0x80000, 0x80800) is outside the guest's 16 MiB of RAM at "
	       "[0x40000000, 0x41000000)");
	spec.seg[0].paddr = TL_A64_BASE - 0x100; /* straddles the base */
	reject("ELF: segment 0 [0x3fffff00, 0x40000700) is outside the guest's 16 MiB of RAM");
	tl_spec_a64(&spec);
	spec.seg[1].paddr = RAM_END - 0x1000; /* bss runs past the end */
	reject("ELF: segment 1 [0x40fff000, 0x41004000) is outside the guest's 16 MiB of RAM at "
	       "[0x40000000, 0x41000000)");
	spec.seg[1].paddr = RAM_END;
	reject("ELF: segment 1 [0x41000000, 0x41005000) is outside");
	spec.seg[1].paddr = ~0ULL - 0xFFF; /* paddr + memsz wraps */
	reject("ELF: segment 1 [0xfffffffffffff000, +0x5000) is outside the guest's 16 MiB of "
	       "RAM at [0x40000000, 0x41000000)");
	cr_assert_eq(load(tl_build(&spec), ""), -ERR_RANGE);
}

Test(loader_a64, wrong_endianness_class_or_machine)
{
	tl_spec_a64(&spec);
	spec.data = 2; /* ELFDATA2MSB */
	reject("ELF: data encoding 2 is not little endian");
	tl_spec_a64(&spec);
	spec.is64 = false; /* ELF32 for AArch64: ILP32 */
	reject("ELF: ELF32 file for AArch64 (ILP32 ABI): umbra starts AArch64 guests from ELF64 "
	       "files only");
	tl_spec_a64(&spec);
	spec.machine = 40; /* 32-bit Arm */
	reject("ELF: ELF64 machine 40 is neither x86-64 (62) nor AArch64 (183)");
	tl_spec_a64(&spec);
	tl_build(&spec);
	tl_img[EI_CLASS] = 3;
	reject_len(0x3000, "", "ELF: unknown class 3");
}

Test(loader_a64, entry_must_be_aligned_code)
{
	tl_spec_a64(&spec);
	spec.entry = TL_A64_TEXT_PA + 2;
	reject("ELF: AArch64 entry 0x40080002 is not 4-byte aligned");
	spec.entry = TL_A64_DATA_PA; /* data is not executable */
	reject("ELF: entry 0x40082000 is not in a loaded executable segment");
	spec.entry = TL_A64_TEXT_PA + TL_TEXT_SIZE;
	reject("ELF: entry 0x40080800 is not in a loaded executable segment");
}

Test(loader_a64, same_segment_checks_as_x86)
{
	tl_spec_a64(&spec);
	spec.seg[1].memsz = TL_DATA_FILESZ - 1;
	reject("ELF: segment 1 has file size 0x300 larger than its memory size 0x2ff");
	tl_spec_a64(&spec);
	spec.seg[2] =
		(struct tl_seg){ PT_LOAD, PF_R, 0x1000, 0, TL_A64_DATA_PA + 0x100, 0x10, 0x10 };
	reject("ELF: segments 1 and 2 overlap");
	tl_spec_a64(&spec);
	spec.seg[1].offset = 0x20000;
	reject("ELF: segment 1 file bytes [0x20000, +0x300) run past the end of the file");
	tl_spec_a64(&spec);
	spec.seg[0].type = spec.seg[1].type = 4; /* PT_NOTE */
	reject("ELF: no PT_LOAD segment");
	cr_assert_eq(loader_load(&tl_guest_mem, NULL, 100, "", &st, err, sizeof(err)), -ERR_INVAL);
	cr_assert(strstr(err, "no guest image"));
}

/* ------------------------------------------------------------ boot information page */

static u64 le64(u32 off)
{
	u64 v = 0;

	for (u32 i = 0; i < 8; i++)
		v |= (u64)page[off + i] << (8 * i);
	return v;
}

/* Every byte of the page from off to its end is zero. */
static void check_zero_from(u32 off)
{
	for (u32 i = off; i < sizeof(page); i++)
		cr_assert_eq(page[i], 0, "page byte 0x%x", i);
}

Test(loader_a64, info_page_contents)
{
	memset(page, 0xAB, sizeof(page));
	cr_assert_eq(loader_a64_info_page(page, &tl_guest_mem, IPA_BITS, "root=/dev/vda rw", err,
					  sizeof(err)),
		     0, "%s", err);
	cr_assert_str_empty(err);
	cr_assert_eq(le64(0x00), 0x666e696172626d75ULL);
	cr_assert_eq(memcmp(page, "umbrainf", 8), 0);
	cr_assert_eq(le64(0x08), TL_A64_BASE);
	cr_assert_eq(le64(0x10), RAM);
	cr_assert_eq(le64(0x18), IPA_BITS);
	for (u32 i = 0x20; i < LOADER_A64_CMDLINE_OFF; i++)
		cr_assert_eq(page[i], 0, "page byte 0x%x", i);
	cr_assert_str_eq((const char *)page + 0x100, "root=/dev/vda rw");
	check_zero_from(0x100 + sizeof("root=/dev/vda rw"));
}

Test(loader_a64, info_page_command_line_limits)
{
	static char line[LOADER_A64_CMDLINE_MAX + 2];

	memset(line, 'x', LOADER_A64_CMDLINE_MAX);
	cr_assert_eq(loader_a64_info_page(page, &tl_guest_mem, 32, line, err, sizeof(err)), 0);
	cr_assert_eq(strlen((const char *)page + 0x100), 255);
	cr_assert_eq(page[0x1FF], 0);
	check_zero_from(0x1FF);
	cr_assert_eq(loader_a64_info_page(page, &tl_guest_mem, 32, NULL, err, sizeof(err)), 0);
	cr_assert_eq(page[0x100], 0);
	check_zero_from(0x100);
	/* 256 bytes: refused, the page as it was. */
	line[LOADER_A64_CMDLINE_MAX] = 'x';
	memset(page, 0xAB, sizeof(page));
	cr_assert_eq(loader_a64_info_page(page, &tl_guest_mem, 32, line, err, sizeof(err)),
		     -ERR_INVAL);
	cr_assert_str_eq(err, "guest command line is 256 bytes, longer than the 255 an AArch64 "
			      "guest's boot information page holds");
	for (u32 i = 0; i < sizeof(page); i++)
		cr_assert_eq(page[i], 0xAB, "a refused page was written at 0x%x", i);
}

Test(loader_a64, info_page_layout_checks)
{
	struct gmem big = { .base = TL_A64_BASE, .size = GiB(3) + PAGE_SIZE };
	struct gmem low = { .base = 0, .size = GiB(1) };
	struct gmem none = { .base = TL_A64_BASE, .size = 0 };

	cr_assert_eq(loader_a64_info_page(page, &tl_guest_mem, 31, "", err, sizeof(err)),
		     -ERR_INVAL);
	cr_assert_str_eq(err, "IPA width of 31 bits is outside 32..52");
	cr_assert_eq(loader_a64_info_page(page, &tl_guest_mem, 53, "", err, sizeof(err)),
		     -ERR_INVAL);
	cr_assert_eq(loader_a64_info_page(page, &tl_guest_mem, 52, "", err, sizeof(err)), 0);
	cr_assert_eq(le64(0x18), 52);
	cr_assert_eq(loader_a64_info_page(page, &big, 32, "", err, sizeof(err)), -ERR_RANGE);
	cr_assert_str_eq(err,
			 "guest RAM [0x40000000, 0x100001000) does not fit in a 32-bit IPA space");
	cr_assert_eq(loader_a64_info_page(page, &big, 33, "", err, sizeof(err)), 0);
	big.size = GiB(3); /* up to 2^32 exactly: fine */
	cr_assert_eq(loader_a64_info_page(page, &big, 32, "", err, sizeof(err)), 0);
	cr_assert_eq(loader_a64_info_page(page, &low, 40, "", err, sizeof(err)), -ERR_RANGE);
	cr_assert_str_eq(err, "guest RAM [0x0, 0x40000000) covers the boot information page at "
			      "0x3ffff000");
	low.size = LOADER_A64_INFO_IPA; /* up to the page: fine */
	cr_assert_eq(loader_a64_info_page(page, &low, 40, "", err, sizeof(err)), 0);
	cr_assert_eq(loader_a64_info_page(page, &none, 40, "", err, sizeof(err)), -ERR_INVAL);
	cr_assert_str_eq(err, "the guest has no RAM");
	cr_assert_eq(loader_a64_info_page(NULL, &low, 40, "", err, sizeof(err)), -ERR_INVAL);
	cr_assert_eq(loader_a64_info_page(page, NULL, 40, "", NULL, 0), -ERR_INVAL);
}

Test(loader_a64, start_registers)
{
	u64 x[LOADER_A64_NR_REGS];

	memset(x, 0x55, sizeof(x));
	loader_a64_regs(&tl_guest_mem, 36, x);
	cr_assert_eq(x[0], 0x3FFFF000);
	cr_assert_eq(x[1], 0x3FFFF100);
	cr_assert_eq(x[2], 0x40000000);
	cr_assert_eq(x[3], RAM);
	cr_assert_eq(x[4], 36);
	cr_assert_eq(LOADER_A64_INFO_IPA + LOADER_A64_INFO_SIZE, LOADER_A64_RAM_BASE);
}
