/* test_bundle.c: unit tests of guest bundle expansion into boot modules (core/bundle.c). */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compiler.h"
#include "core/bundle.h"
#include "mm/phys.h"
#include "tests/unit/cpio_testlib.h"
#include "tests/unit/fake_log.h"
#include "tests/unit/fake_ram.h"

#define RAM_PAGES 256u /* 1 MiB of fake RAM from FAKE_RAM_BASE */
#define RAM_END (FAKE_RAM_BASE + RAM_PAGES * PAGE_SIZE)

static struct boot_info info;
static u64 next_pa; /* where the next module goes */
static u8 abuf[0x10000];
static struct ct a;

static void setup(void)
{
	fake_log_reset();
	fake_ram_init(RAM_PAGES);
	memset(&info, 0, sizeof(info));
	next_pa = FAKE_RAM_BASE;
	ct_init(&a, abuf, sizeof(abuf));
}

static void teardown(void)
{
	fake_ram_fini();
}

TestSuite(bundle, .init = setup, .fini = teardown);

static u8 *ram(u64 pa)
{
	return phys_to_virt(hpa(pa));
}

/* Copy len bytes into fake RAM at pa and add them as a module with this command line. */
static void add_mod_at(u64 pa, const void *data, size_t len, const char *cmdline)
{
	struct boot_module *m = &info.mods[info.nr_mods++];

	cr_assert_leq(pa + len, RAM_END);
	memcpy(ram(pa), data, len);
	m->start = pa;
	m->end = pa + len;
	snprintf(m->cmdline, sizeof(m->cmdline), "%s", cmdline);
}

/* The next module, page-aligned as loaders place them. */
static u64 add_mod(const void *data, size_t len, const char *cmdline)
{
	u64 pa = next_pa;

	add_mod_at(pa, data, len, cmdline);
	next_pa = ALIGN_UP(pa + len, PAGE_SIZE);
	return pa;
}

static u64 add_plain(const char *cmdline)
{
	static const char image[] = "\177ELF not really, but not an archive";

	return add_mod(image, sizeof(image), cmdline);
}

/* Add the archive being built in `a` (trailer added) as a module. */
static u64 add_archive(const char *cmdline)
{
	ct_trailer(&a);
	return add_mod(a.buf, a.len, cmdline);
}

/* Start a new archive holding these files (name, contents, ...; NULL ends) and a manifest. */
static void archive(const char *manifest, ...)
{
	va_list ap;
	const char *name;

	ct_init(&a, abuf, sizeof(abuf));
	va_start(ap, manifest);
	while ((name = va_arg(ap, const char *))) {
		const char *data = va_arg(ap, const char *);

		ct_text(&a, name, data);
	}
	va_end(ap);
	if (manifest)
		ct_text(&a, BUNDLE_MANIFEST, manifest);
}

static int expand(int problems)
{
	int ret = bundle_expand_modules(&info);

	cr_assert_eq(ret, problems, "%d problems, want %d; log:\n%s", ret, problems,
		     fake_log_text());
	cr_assert_eq(fake_log_count(LOG_ERROR), problems, "log:\n%s", fake_log_text());
	cr_assert_eq(fake_log_count(LOG_WARN), 0, "log:\n%s", fake_log_text());
	return ret;
}

static void expect_log(const char *needle)
{
	cr_assert(fake_log_contains(needle), "log lacks \"%s\":\n%s", needle, fake_log_text());
}

/* Module i holds exactly these bytes and this command line. */
static void expect_mod(u32 i, const char *data, const char *cmdline)
{
	const struct boot_module *m = &info.mods[i];

	cr_assert_lt(i, info.nr_mods, "module %u missing (%u modules)", i, info.nr_mods);
	cr_assert_str_eq(m->cmdline, cmdline, "module %u", i);
	cr_assert_eq(m->end - m->start, strlen(data), "module %u: %llu bytes", i,
		     (unsigned long long)(m->end - m->start));
	cr_assert_eq(memcmp(ram(m->start), data, strlen(data)), 0, "module %u: bytes differ", i);
}

/* Module i is the archive member whose data starts at offset off of the archive at base. */
static void expect_range(u32 i, u64 base, u64 off, u64 len)
{
	cr_assert_eq(info.mods[i].start, base + off, "module %u start", i);
	cr_assert_eq(info.mods[i].end, base + off + len, "module %u end", i);
}

/* ------------------------------------------------------------ expansion */

Test(bundle, is_archive)
{
	cr_assert(bundle_is_archive("070701", 6));
	cr_assert(bundle_is_archive("07070200", 8));
	cr_assert_not(bundle_is_archive("070701", 5));
	cr_assert_not(bundle_is_archive("\177ELF", 4));
	cr_assert_not(bundle_is_archive("MZ\0\0\0\0\0\0", 8));
	cr_assert_not(bundle_is_archive(NULL, 0));
}

Test(bundle, plain_modules_stay)
{
	struct boot_module before[2];

	add_plain("/guests/hello.elf name=hello");
	add_plain("");
	memcpy(before, info.mods, sizeof(before));
	expand(0);
	cr_assert_eq(info.nr_mods, 2);
	cr_assert_eq(memcmp(info.mods, before, sizeof(before)), 0);
	cr_assert_eq(fake_log_count(LOG_INFO), 0, "%s", fake_log_text());
}

Test(bundle, archive_between_two_plain_modules)
{
	u64 first, base;

	first = add_plain("/guests/first.elf name=first");
	archive("hello.elf name=hello mem=64M -- hi there\n"
		"cpu.elf name=cpu\n"
		"mmio.elf\n",
		"hello.elf", "HELLO", "cpu.elf", "CPU image", "mmio.elf", "M", NULL);
	base = add_archive("/guests/guests.cpio");
	add_plain("/guests/last.elf name=last");
	expand(0);
	cr_assert_eq(info.nr_mods, 5);
	cr_assert_eq(info.mods[0].start, first);
	cr_assert_str_eq(info.mods[0].cmdline, "/guests/first.elf name=first");
	expect_mod(1, "HELLO", "hello.elf name=hello mem=64M -- hi there");
	expect_mod(2, "CPU image", "cpu.elf name=cpu");
	expect_mod(3, "M", "mmio.elf");
	expect_range(1, base, ct_data_off(0, 10), 5);
	cr_assert_str_eq(info.mods[4].cmdline, "/guests/last.elf name=last");
	expect_log("bundle /guests/guests.cpio: 3 guests");
	cr_assert_eq(fake_log_count(LOG_INFO), 1);
}

Test(bundle, manifest_comments_blank_lines_and_crlf)
{
	archive("# guests for the lab machine\r\n"
		"\r\n"
		"   \t\r\n"
		"  # an indented comment\n"
		"  hello.elf name=a -- x  y \r\n"
		"\n"
		"hello.elf\tname=b\t\r\n"
		"#hello.elf name=c\n"
		"hello.elf name=d -- # not a comment",
		"hello.elf", "ELF", NULL);
	add_archive("b.cpio");
	expand(0);
	cr_assert_eq(info.nr_mods, 3);
	expect_mod(0, "ELF", "hello.elf name=a -- x  y");
	expect_mod(1, "ELF", "hello.elf\tname=b");
	expect_mod(2, "ELF", "hello.elf name=d -- # not a comment");
	expect_log("bundle b.cpio: 3 guests");
}

/* What `find . | cpio -H newc` gives: "./" names and directories. */
Test(bundle, dot_slash_names_and_directories)
{
	u64 base;

	ct_dir(&a, ".");
	ct_dir(&a, "./guests");
	ct_text(&a, "./guests/hello.elf", "hello bytes");
	ct_text(&a, "./cpu.elf", "cpu bytes");
	ct_text(&a, "./umbra-bundle.txt", "guests/hello.elf name=h\n./cpu.elf name=c\n");
	base = add_archive("initrd");
	expand(0);
	cr_assert_eq(info.nr_mods, 2);
	expect_mod(0, "hello bytes", "guests/hello.elf name=h");
	expect_mod(1, "cpu bytes", "./cpu.elf name=c");
	cr_assert_geq(info.mods[0].start, base);
	expect_log("bundle initrd: 2 guests");
}

Test(bundle, one_image_for_several_guests)
{
	archive("x.elf name=one\nx.elf name=two\n", "x.elf", "image", NULL);
	add_archive("initrd");
	expand(0);
	cr_assert_eq(info.nr_mods, 2);
	cr_assert_eq(info.mods[0].start, info.mods[1].start);
	cr_assert_eq(info.mods[0].end, info.mods[1].end);
	cr_assert_str_eq(info.mods[1].cmdline, "x.elf name=two");
}

Test(bundle, two_archives_and_a_module_between)
{
	archive("a.elf name=a1\nb.elf name=b1\n", "a.elf", "A", "b.elf", "BB", NULL);
	add_archive("/one.cpio");
	add_plain("/mid.elf name=mid");
	archive("c.elf name=c2\n", "c.elf", "CCC", NULL);
	add_archive("/two.cpio x=ignored");
	expand(0);
	cr_assert_eq(info.nr_mods, 4);
	expect_mod(0, "A", "a.elf name=a1");
	expect_mod(1, "BB", "b.elf name=b1");
	cr_assert_str_eq(info.mods[2].cmdline, "/mid.elf name=mid");
	expect_mod(3, "CCC", "c.elf name=c2");
	expect_log("bundle /one.cpio: 2 guests");
	expect_log("bundle /two.cpio: 1 guest\n");
}

/* The initrd on arm64: module 0, at any address, possibly the last bytes of RAM. */
Test(bundle, archive_at_an_odd_address_at_the_end_of_ram)
{
	archive("hello.elf name=hello -- from the initrd", "hello.elf", "arm64 image", NULL);
	ct_trailer(&a);
	a.len++; /* a zero byte after the trailer, to make the start odd */
	add_mod_at(RAM_END - a.len, a.buf, a.len, "initrd");
	cr_assert_neq((RAM_END - a.len) % 4, 0, "the test wants an unaligned archive");
	expand(0);
	cr_assert_eq(info.nr_mods, 1);
	expect_mod(0, "arm64 image", "hello.elf name=hello -- from the initrd");
	expect_log("bundle initrd: 1 guest");
}

Test(bundle, crc_archive)
{
	a.magic = CPIO_MAGIC_CRC;
	ct_text(&a, "g.elf", "guest");
	ct_text(&a, BUNDLE_MANIFEST, "g.elf\n");
	add_archive("crc.cpio");
	expand(0);
	expect_mod(0, "guest", "g.elf");
}

Test(bundle, label_of_a_module_without_a_command_line)
{
	add_plain("first");
	archive("missing.elf\n", "x.elf", "x", NULL);
	add_archive("");
	expand(1);
	expect_log(
		"bundle module 1: umbra-bundle.txt line 1: no file 'missing.elf' in the archive; "
		"guest dropped");
}

/* QEMU's -initrd gives the host path: a long one keeps its end in messages. */
Test(bundle, label_of_a_long_path)
{
	char path[200];

	snprintf(path, sizeof(path), "/tmp/%0100d/the-bundle.cpio name=x", 0);
	archive("g.elf\n", "g.elf", "G", NULL);
	add_archive(path);
	expand(0);
	/* "..." and the word's last 60 characters */
	expect_log("bundle ...00000000000000000000000000000000000000000000/the-bundle.cpio: 1 "
		   "guest");
}

/* ------------------------------------------------------------ module limit */

Test(bundle, more_guests_than_modules)
{
	char manifest[2048] = "";

	for (int i = 0; i < 20; i++) {
		char line[64];

		snprintf(line, sizeof(line), "g.elf name=g%d\n", i);
		strcat(manifest, line);
	}
	add_plain("/before.elf");
	archive(manifest, "g.elf", "G", NULL);
	add_archive("/many.cpio");
	expand(5);
	cr_assert_eq(info.nr_mods, BOOT_MAX_MODULES);
	cr_assert_str_eq(info.mods[0].cmdline, "/before.elf");
	cr_assert_str_eq(info.mods[15].cmdline, "g.elf name=g14");
	for (int line = 16; line <= 20; line++) {
		char want[128];

		snprintf(want, sizeof(want),
			 "bundle /many.cpio: umbra-bundle.txt line %d: more than 16 modules, guest "
			 "'g.elf' dropped",
			 line);
		expect_log(want);
	}
	expect_log("bundle /many.cpio: 15 guests");
}

Test(bundle, plain_modules_pushed_past_the_limit)
{
	char manifest[2048] = "";

	for (int i = 0; i < 15; i++)
		strcat(manifest, "g.elf\n");
	archive(manifest, "g.elf", "G", NULL);
	add_archive("/b.cpio");
	add_plain("/kept.elf");
	add_plain("/lost.elf name=lost");
	add_plain("/lost2.elf");
	expand(2);
	cr_assert_eq(info.nr_mods, BOOT_MAX_MODULES);
	cr_assert_str_eq(info.mods[15].cmdline, "/kept.elf");
	expect_log("module /lost.elf: more than 16 modules once bundles are expanded; dropped");
	expect_log("module /lost2.elf: more than 16 modules once bundles are expanded; dropped");
}

Test(bundle, full_table_of_bundles)
{
	for (int i = 0; i < BOOT_MAX_MODULES; i++) {
		archive("a.elf\nb.elf\n", "a.elf", "A", "b.elf", "B", NULL);
		add_archive("initrd");
	}
	expand(BOOT_MAX_MODULES);
	cr_assert_eq(info.nr_mods, BOOT_MAX_MODULES);
	for (u32 i = 0; i < BOOT_MAX_MODULES; i++)
		expect_mod(i, i % 2 ? "B" : "A", i % 2 ? "b.elf" : "a.elf");
}

/* ------------------------------------------------------------ bad lines */

Test(bundle, image_not_in_the_archive)
{
	archive("# first\n"
		"hello.elf name=hello\n"
		"nothere.elf name=ghost -- x\n"
		"hello.elf name=again\n",
		"hello.elf", "H", NULL);
	add_archive("/g/b.cpio name=ignored");
	expand(1);
	expect_log("bundle /g/b.cpio: umbra-bundle.txt line 3: no file 'nothere.elf' in the "
		   "archive; guest dropped");
	cr_assert_eq(info.nr_mods, 2);
	cr_assert_str_eq(info.mods[1].cmdline, "hello.elf name=again");
	expect_log("bundle /g/b.cpio: 2 guests");
}

Test(bundle, first_word_is_the_image)
{
	archive("name=x hello.elf\n", "hello.elf", "H", NULL);
	add_archive("b");
	expand(1);
	expect_log("line 1: no file 'name=x' in the archive");
	expect_log("bundle b: 0 guests");
}

Test(bundle, line_length_limit)
{
	char manifest[1024], line[BOOT_MOD_CMDLINE_MAX + 8];
	size_t max = BOOT_MOD_CMDLINE_MAX - 1;

	/* "g.elf -- xxx...": exactly the longest command line, then one byte more. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "g.elf -- ", 9);
	line[max] = '\0';
	snprintf(manifest, sizeof(manifest), "%s\n  %sy\n", line, line);
	archive(manifest, "g.elf", "G", NULL);
	add_archive("long.cpio");
	expand(1);
	cr_assert_eq(info.nr_mods, 1);
	cr_assert_eq(strlen(info.mods[0].cmdline), max);
	cr_assert_str_eq(info.mods[0].cmdline, line);
	expect_log("bundle long.cpio: umbra-bundle.txt line 2: 256 bytes long, more than a module "
		   "command line holds (255); guest dropped");
}

Test(bundle, empty_image)
{
	archive("empty.elf name=e\ng.elf\n", "g.elf", "G", NULL);
	ct_file(&a, "empty.elf", NULL, 0);
	add_archive("e.cpio");
	expand(1);
	expect_log("bundle e.cpio: umbra-bundle.txt line 1: image 'empty.elf' is empty; guest "
		   "dropped");
	cr_assert_eq(info.nr_mods, 1);
	expect_mod(0, "G", "g.elf");
}

Test(bundle, control_characters)
{
	static const char manifest[] = "g.elf name=a\x1b[2J\n"
				       "g.elf name=b\n"
				       "g.elf \0name=c\n";

	ct_text(&a, "g.elf", "G");
	ct_file(&a, BUNDLE_MANIFEST, manifest, sizeof(manifest) - 1);
	add_archive("c.cpio");
	expand(2);
	expect_log("bundle c.cpio: umbra-bundle.txt line 1: control character 0x1b at column 13; "
		   "guest dropped");
	expect_log("line 3: control character 0x00 at column 7");
	cr_assert_eq(info.nr_mods, 1);
	cr_assert_str_eq(info.mods[0].cmdline, "g.elf name=b");
}

Test(bundle, names_in_messages_are_made_safe)
{
	char manifest[256];

	snprintf(manifest, sizeof(manifest), "%s\n",
		 "\xc3\xa9t\xc3\xa9-a-very-long-image-name-that-goes-on-and-on-and-on-and-on.elf");
	archive(manifest, "g.elf", "G", NULL);
	add_archive("b\xff.cpio");
	expand(1);
	/* "?" "?" keeps the compiler from reading trigraphs */
	expect_log("bundle b?.cpio: umbra-bundle.txt line 1: no file '?"
		   "?t?"
		   "?-a-very-long-image-"
		   "name-that-goes-on-and-on-and-on-and-...' in the archive");
}

Test(bundle, manifest_without_guests)
{
	archive("# nothing yet\n\n", "g.elf", "G", NULL);
	add_archive("none.cpio");
	add_plain("/p.elf");
	expand(1);
	expect_log("bundle none.cpio: umbra-bundle.txt names no guests");
	cr_assert_eq(info.nr_mods, 1);
	cr_assert_eq(fake_log_count(LOG_INFO), 0);
}

Test(bundle, several_problems_counted)
{
	archive("a.elf\nmissing\ngood.elf\nempty\n", "good.elf", "ok", NULL);
	ct_file(&a, "empty", NULL, 0);
	add_archive("p.cpio");
	expand(3);
	cr_assert_eq(info.nr_mods, 1);
	expect_log("bundle p.cpio: 1 guest");
}

/* ------------------------------------------------------------ bad archives */

Test(bundle, no_manifest)
{
	add_plain("/a.elf");
	archive(NULL, "hello.elf", "H", "umbra-bundle.txt.bak", "hello.elf\n", NULL);
	ct_dir(&a, BUNDLE_MANIFEST);
	add_archive("/nomani.cpio");
	add_plain("/b.elf");
	expand(1);
	expect_log("bundle /nomani.cpio: no umbra-bundle.txt in the archive; bundle dropped");
	cr_assert_eq(info.nr_mods, 2);
	cr_assert_str_eq(info.mods[1].cmdline, "/b.elf");
}

/* Break one thing in a good bundle; fn gets the header offset of its second entry. */
struct breakage {
	const char *what;
	void (*fn)(size_t hdr);
	const char *reason;
};

static void bad_magic(size_t hdr)
{
	memcpy(a.buf + hdr, "070700", 6);
}

static void bad_hex(size_t hdr)
{
	a.buf[hdr + CT_FIELD_OFF(CT_FILESIZE) + 7] = 'z';
}

static void zero_namesize(size_t hdr)
{
	ct_set(&a, hdr, CT_NAMESIZE, 0);
}

static void unterminated_name(size_t hdr)
{
	a.buf[hdr + CPIO_HDR_SIZE + 16] = 'x'; /* the manifest name's NUL */
}

static void data_past_end(size_t hdr)
{
	ct_set(&a, hdr, CT_FILESIZE, 0x7fffffff);
}

static void no_trailer(size_t hdr)
{
	a.len = a.last; /* the trailer's header is the last one */
}

static void cut_header(size_t hdr)
{
	a.len = a.last + 60;
}

static void bad_checksum(size_t hdr)
{
	ct_set(&a, hdr, CT_CHECK, 1);
}

static const struct breakage breakages[] = {
	{ "magic", bad_magic,
	  "malformed archive: bad magic '070700' at offset 0x80 (not 070701 or 070702); bundle "
	  "dropped" },
	{ "hex", bad_hex, "malformed archive: a non-hex digit in c_filesize at offset 0xbd;" },
	{ "namesize", zero_namesize, "has a name size (c_namesize) of 0; bundle dropped" },
	{ "name", unterminated_name, "the name 'umbra-bundle.txtx' at offset 0xee is not " },
	{ "data", data_past_end,
	  "the 2147483647 bytes of file 'umbra-bundle.txt' (entry at offset "
	  "0x80) run past the archive's end" },
	{ "trailer", no_trailer, "malformed archive: the archive ends at offset 0x" },
	{ "header", cut_header, "is cut short: 60 of its 110 bytes" },
	{ "checksum", bad_checksum, "not to its c_check 0x1; bundle dropped" },
};

Test(bundle, malformed_archives_are_dropped_whole)
{
	for (size_t i = 0; i < ARRAY_SIZE(breakages); i++) {
		const struct breakage *b = &breakages[i];
		size_t hdr;
		char want[160];

		setup();
		add_plain("/first.elf");
		ct_init(&a, abuf, sizeof(abuf));
		a.magic = CPIO_MAGIC_CRC;
		ct_text(&a, "hello.elf", "hello");
		hdr = ct_text(&a, BUNDLE_MANIFEST, "hello.elf name=h\n");
		ct_trailer(&a);
		b->fn(hdr);
		add_mod(a.buf, a.len, "/bad.cpio");
		add_plain("/last.elf");
		cr_assert_eq(bundle_expand_modules(&info), 1, "%s: %s", b->what, fake_log_text());
		snprintf(want, sizeof(want), "bundle /bad.cpio: %s", b->reason);
		cr_assert(fake_log_contains(b->reason) && fake_log_contains("bundle /bad.cpio: "),
			  "%s: log lacks \"%s\":\n%s", b->what, want, fake_log_text());
		cr_assert_eq(info.nr_mods, 2, "%s", b->what);
		cr_assert_str_eq(info.mods[0].cmdline, "/first.elf");
		cr_assert_str_eq(info.mods[1].cmdline, "/last.elf");
		teardown();
	}
}

/* A module of a few bytes that only starts like an archive. */
Test(bundle, short_module)
{
	add_mod("070", 3, "/three.bin");
	add_mod("070701", 6, "/six.bin");
	expand(1);
	cr_assert_eq(info.nr_mods, 1);
	cr_assert_str_eq(info.mods[0].cmdline, "/three.bin");
	expect_log("bundle /six.bin: malformed archive: the header at offset 0x0 is cut short: 6 "
		   "of its 110 bytes");
}

/* Random damage: whatever comes out lies inside the archive and is a proper command line. */
Test(bundle, random_damage_stays_inside)
{
	unsigned seed = 777;

	for (int round = 0; round < 2000; round++) {
		u64 base;

		setup();
		archive("a.elf name=a -- x\nb.elf name=b\n# c\n", "a.elf", "AAAA", "b.elf", "B",
			NULL);
		ct_trailer(&a);
		for (int k = 0; k < 1 + round % 3; k++) {
			seed = seed * 1103515245u + 12345u;
			a.buf[(seed >> 8) % a.len] = (u8)(seed >> 20);
		}
		base = add_mod(a.buf, a.len, "r.cpio");
		bundle_expand_modules(&info);
		cr_assert_leq(info.nr_mods, 2);
		for (u32 i = 0; i < info.nr_mods; i++) {
			const struct boot_module *m = &info.mods[i];

			cr_assert(m->start >= base && m->end <= base + a.len && m->end > m->start);
			cr_assert_lt(strlen(m->cmdline), BOOT_MOD_CMDLINE_MAX);
		}
		teardown();
	}
}
