/* test_cpio.c: unit tests of the newc cpio reader (core/cpio.c), good archives and broken ones. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "core/cpio.h"
#include "tests/unit/cpio_testlib.h"

#define BUF_SIZE 0x4000u

static u8 buf[BUF_SIZE];
static struct ct a;
static u8 *exact; /* the archive under test, in a heap block of exactly its length */
static struct cpio_reader r;
static char why[256];

static void setup(void)
{
	ct_init(&a, buf, sizeof(buf));
	exact = NULL;
}

static void teardown(void)
{
	free(exact);
}

TestSuite(cpio, .init = setup, .fini = teardown);

/* Open the first len bytes of the archive being built, copied to an exact heap block. */
static void open_len(size_t len)
{
	free(exact);
	exact = ct_exact(&a, len);
	cpio_open(&r, exact, len);
}

static void open_all(void)
{
	open_len(a.len);
}

/* cpio_check fails with err and a reason containing needle. */
static void expect_error(int err, const char *needle)
{
	cr_assert_eq(cpio_check(&r, NULL), err, "check: %d, want %d (%s)", r.err, err,
		     cpio_reason(&r, why, sizeof(why)));
	cpio_reason(&r, why, sizeof(why));
	cr_assert(strstr(why, needle), "reason \"%s\" lacks \"%s\"", why, needle);
}

static void expect_file(const struct cpio_entry *e, const char *name, const char *data)
{
	cr_assert_str_eq(e->name, name);
	cr_assert_eq(e->size, strlen(data), "%s: size %llu", name, (unsigned long long)e->size);
	cr_assert_eq(memcmp(e->data, data, e->size), 0, "%s: data differs", name);
	cr_assert_eq(e->data, exact + e->offset);
	cr_assert_eq(e->offset % 4, 0, "%s: data at offset %llu is not padded to 4", name,
		     (unsigned long long)e->offset);
}

/* ------------------------------------------------------------ good archives */

Test(cpio, one_file)
{
	struct cpio_entry e;

	ct_text(&a, "hello.elf", "ELF bytes");
	ct_trailer(&a);
	open_all();
	cr_assert_eq(cpio_next(&r, &e), CPIO_OK);
	expect_file(&e, "hello.elf", "ELF bytes");
	cr_assert_eq(e.offset, ct_data_off(0, 10));
	cr_assert_eq(e.mode, CT_MODE_FILE);
	cr_assert_eq(cpio_next(&r, &e), CPIO_END);
	cr_assert_eq(cpio_next(&r, &e), CPIO_END, "the end stays the end");
	cr_assert_eq(r.nr_entries, 2);
	cr_assert_str_eq(cpio_reason(&r, why, sizeof(why)), "no error");
}

/* Every name length and data length modulo 4, so every padding is exercised. */
Test(cpio, padding_of_every_length)
{
	static const char *const names[] = { "a", "bb", "ccc", "dddd", "eeeee" };
	static const char *const datas[] = { "", "1", "22", "333", "4444", "55555" };
	struct cpio_entry e;
	u32 n;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		for (size_t j = 0; j < ARRAY_SIZE(datas); j++)
			ct_text(&a, names[i], datas[j]);
	ct_trailer(&a);
	open_all();
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(datas); j++) {
			cr_assert_eq(cpio_next(&r, &e), CPIO_OK, "%s", cpio_reason(&r, why, 256));
			expect_file(&e, names[i], datas[j]);
		}
	}
	cr_assert_eq(cpio_next(&r, &e), CPIO_END);
	cr_assert_eq(cpio_check(&r, &n), CPIO_OK);
	cr_assert_eq(n, ARRAY_SIZE(names) * ARRAY_SIZE(datas));
}

/* What `find . | cpio -o -H newc` makes: "." and directories, "./" names, a symlink. */
Test(cpio, dot_slash_names_and_directories)
{
	struct cpio_entry e;
	u32 n;

	ct_dir(&a, ".");
	ct_dir(&a, "./guests");
	ct_text(&a, "./guests/hello.elf", "hello");
	ct_entry(&a, CT_MODE_LINK, "./link", "guests/hello.elf", 16);
	ct_text(&a, "././cpu.elf", "cpu");
	ct_text(&a, "plain", "p");
	ct_trailer(&a);
	open_all();
	cr_assert_eq(cpio_next(&r, &e), CPIO_OK);
	expect_file(&e, "guests/hello.elf", "hello");
	cr_assert_eq(cpio_next(&r, &e), CPIO_OK);
	expect_file(&e, "cpu.elf", "cpu");
	cr_assert_eq(cpio_next(&r, &e), CPIO_OK);
	expect_file(&e, "plain", "p");
	cr_assert_eq(cpio_next(&r, &e), CPIO_END);
	cr_assert_eq(r.nr_entries, 7);

	cr_assert_eq(cpio_check(&r, &n), CPIO_OK);
	cr_assert_eq(n, 3, "only regular files count");
	cr_assert_eq(cpio_find(&r, "guests/hello.elf", 16, &e), CPIO_OK);
	expect_file(&e, "guests/hello.elf", "hello");
	cr_assert_eq(cpio_find(&r, "./cpu.elf", 9, &e), CPIO_OK);
	expect_file(&e, "cpu.elf", "cpu");
	cr_assert_eq(cpio_find(&r, "./plain", 7, &e), CPIO_OK);
	cr_assert_eq(cpio_find(&r, "guests", 6, &e), CPIO_ERR_NOT_FOUND, "a directory");
	cr_assert_eq(cpio_find(&r, "link", 4, &e), CPIO_ERR_NOT_FOUND, "a symlink");
	cr_assert_eq(cpio_find(&r, "hello.elf", 9, &e), CPIO_ERR_NOT_FOUND, "names are whole");
}

Test(cpio, find_takes_a_counted_name)
{
	const char *line = "cpu.elf name=cpu";
	struct cpio_entry e;

	ct_text(&a, "cpu", "short");
	ct_text(&a, "cpu.elf", "the image");
	ct_trailer(&a);
	open_all();
	cr_assert_eq(cpio_find(&r, line, 7, &e), CPIO_OK);
	expect_file(&e, "cpu.elf", "the image");
	cr_assert_eq(cpio_find(&r, line, 3, &e), CPIO_OK);
	expect_file(&e, "cpu", "short");
	cr_assert_eq(cpio_find(&r, "cpu.el", 6, &e), CPIO_ERR_NOT_FOUND);
	cr_assert_eq(cpio_find(&r, "", 0, &e), CPIO_ERR_NOT_FOUND);
	cpio_reason(&r, why, sizeof(why));
	cr_assert_str_eq(why, "no file '' in the archive");
}

Test(cpio, find_missing_says_which)
{
	struct cpio_entry e;

	ct_text(&a, "a", "x");
	ct_trailer(&a);
	open_all();
	cr_assert_eq(cpio_find(&r, "nothere.elf", 11, &e), CPIO_ERR_NOT_FOUND);
	cr_assert_str_eq(cpio_reason(&r, why, sizeof(why)), "no file 'nothere.elf' in the archive");
}

/* As when Linux unpacks an initramfs: a later entry of the same name replaces the first. */
Test(cpio, find_later_duplicate_wins)
{
	struct cpio_entry e;

	ct_text(&a, "x.elf", "first");
	ct_text(&a, "./x.elf", "second");
	ct_trailer(&a);
	open_all();
	cr_assert_eq(cpio_find(&r, "x.elf", 5, &e), CPIO_OK);
	expect_file(&e, "x.elf", "second");
}

Test(cpio, empty_archive_and_bytes_after_the_trailer)
{
	struct cpio_entry e;
	u32 n = 99;

	ct_trailer(&a);
	a.len += 512; /* cpio pads its output to a block; the bytes are zero */
	open_all();
	cr_assert_eq(cpio_next(&r, &e), CPIO_END);
	cr_assert_eq(cpio_check(&r, &n), CPIO_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(cpio_find(&r, "a", 1, &e), CPIO_ERR_NOT_FOUND);
}

Test(cpio, zero_length_file)
{
	struct cpio_entry e;

	ct_file(&a, "empty", NULL, 0);
	ct_trailer(&a);
	open_all();
	cr_assert_eq(cpio_find(&r, "empty", 5, &e), CPIO_OK);
	cr_assert_eq(e.size, 0);
	cr_assert_eq(e.offset, ct_data_off(0, 6));
}

/* Padding counts from the archive's start, wherever the archive lies in memory. */
Test(cpio, archive_at_an_odd_address)
{
	struct cpio_entry e;
	u8 *odd;

	ct_text(&a, "abc", "12345");
	ct_text(&a, "de", "678");
	ct_trailer(&a);
	odd = malloc(a.len + 1);
	cr_assert_not_null(odd);
	memcpy(odd + 1, a.buf, a.len);
	cpio_open(&r, odd + 1, a.len);
	cr_assert_eq(cpio_find(&r, "de", 2, &e), CPIO_OK);
	cr_assert_eq(e.data, odd + 1 + e.offset);
	cr_assert_eq(memcmp(e.data, "678", 3), 0);
	free(odd);
}

Test(cpio, has_magic)
{
	cr_assert(cpio_has_magic("070701", 6));
	cr_assert(cpio_has_magic("070702 and more", 15));
	cr_assert_not(cpio_has_magic("070707", 6), "the old portable format is not newc");
	cr_assert_not(cpio_has_magic("070703", 6));
	cr_assert_not(cpio_has_magic("07070", 5));
	cr_assert_not(cpio_has_magic("070701", 5), "too short");
	cr_assert_not(cpio_has_magic("\177ELF\1\1", 6));
	cr_assert_not(cpio_has_magic(NULL, 6));
}

Test(cpio, crc_checksums)
{
	struct cpio_entry e;
	u32 n;

	a.magic = CPIO_MAGIC_CRC;
	ct_text(&a, "a", "\x01\x02\xff");
	ct_dir(&a, "d");
	ct_text(&a, "b", "checked");
	ct_trailer(&a);
	open_all();
	cr_assert_eq(cpio_check(&r, &n), CPIO_OK, "%s", cpio_reason(&r, why, sizeof(why)));
	cr_assert_eq(n, 2);
	cr_assert_eq(cpio_find(&r, "b", 1, &e), CPIO_OK);
	expect_file(&e, "b", "checked");
}

Test(cpio, crc_checksum_mismatch)
{
	struct cpio_entry e;
	size_t hdr;

	a.magic = CPIO_MAGIC_CRC;
	ct_text(&a, "a", "fine");
	hdr = ct_text(&a, "b", "\x01\x02\x03");
	ct_set(&a, hdr, CT_CHECK, 7);
	ct_trailer(&a);
	open_all();
	expect_error(CPIO_ERR_CHECKSUM, "file 'b'");
	cr_assert(strstr(why, "sums to 0x6, not to its c_check 0x7"), "%s", why);
	cr_assert(strstr(why, "offset 0x"), "%s", why);
	/* Only cpio_check() sums the data. */
	cr_assert_eq(cpio_find(&r, "b", 1, &e), CPIO_OK);
	/* Mixed magics: a 070701 entry's c_check means nothing. */
	a.len = 0;
	a.magic = CPIO_MAGIC_NEWC;
	hdr = ct_text(&a, "c", "x");
	ct_set(&a, hdr, CT_CHECK, 12345);
	ct_trailer(&a);
	open_all();
	cr_assert_eq(cpio_check(&r, NULL), CPIO_OK);
}

/* ------------------------------------------------------------ broken archives */

Test(cpio, bad_magic)
{
	size_t hdr;

	ct_text(&a, "a", "x");
	hdr = ct_text(&a, "b", "y");
	ct_trailer(&a);
	memcpy(a.buf + hdr, "070707", 6);
	open_all();
	expect_error(CPIO_ERR_MAGIC, "bad magic '070707' at offset 0x74");
	cr_assert_eq(hdr, 0x74);
	memcpy(a.buf + hdr,
	       "\x7f"
	       "ELF\0\1",
	       6);
	open_all();
	expect_error(CPIO_ERR_MAGIC, "bad magic '?ELF?"
				     "?'"); /* not a trigraph */
}

Test(cpio, non_hex_digit_in_each_field)
{
	static const char *const names[] = { "c_ino",	    "c_mode",	   "c_uid",
					     "c_gid",	    "c_nlink",	   "c_mtime",
					     "c_filesize",  "c_devmajor",  "c_devminor",
					     "c_rdevmajor", "c_rdevminor", "c_namesize",
					     "c_check" };
	static const char bad[] = { 'g', ' ', 'x', '-', '\0', 'G' };

	for (u32 f = CT_INO; f <= CT_CHECK; f++) {
		for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
			size_t at = CT_FIELD_OFF(f) + (f + k) % 8;
			char want[64];

			ct_init(&a, buf, sizeof(buf));
			ct_text(&a, "a", "x");
			ct_trailer(&a);
			a.buf[at] = (u8)bad[k];
			open_all();
			snprintf(want, sizeof(want), "a non-hex digit in %s at offset 0x%zx",
				 names[f], at);
			expect_error(CPIO_ERR_HEX, want);
		}
	}
}

Test(cpio, hex_digits_either_case)
{
	struct cpio_entry e;
	size_t hdr = ct_text(&a, "a", "0123456789abc");

	ct_trailer(&a);
	memcpy(a.buf + hdr + CT_FIELD_OFF(CT_FILESIZE), "0000000d", 8);
	memcpy(a.buf + hdr + CT_FIELD_OFF(CT_UID), "aBcDeF09", 8);
	open_all();
	cr_assert_eq(cpio_find(&r, "a", 1, &e), CPIO_OK);
	cr_assert_eq(e.size, 13);
}

Test(cpio, namesize_zero)
{
	size_t hdr = ct_text(&a, "a", "x");

	ct_trailer(&a);
	ct_set(&a, hdr, CT_NAMESIZE, 0);
	open_all();
	expect_error(CPIO_ERR_NAMESIZE,
		     "the entry at offset 0x0 has a name size (c_namesize) of 0");
}

Test(cpio, namesize_absurd)
{
	size_t hdr;

	ct_text(&a, "a", "x");
	hdr = ct_text(&a, "b", "x");
	ct_trailer(&a);
	ct_set(&a, hdr, CT_NAMESIZE, 0xffffffff);
	open_all();
	expect_error(CPIO_ERR_NAMESIZE, "the entry at offset 0x74 has an absurd name size of "
					"4294967295 bytes (at most 4096)");
}

Test(cpio, name_runs_past_the_end)
{
	size_t hdr = ct_text(&a, "a", "x");

	ct_trailer(&a);
	ct_set(&a, hdr, CT_NAMESIZE, (u32)(a.len - CPIO_HDR_SIZE + 1));
	open_all();
	expect_error(CPIO_ERR_NAMESIZE, "runs past the archive's end");
}

Test(cpio, name_not_nul_terminated)
{
	size_t hdr = ct_text(&a, "abc", "x");

	ct_trailer(&a);
	a.buf[hdr + CPIO_HDR_SIZE + 3] = 'd';
	open_all();
	expect_error(CPIO_ERR_NAME, "the name 'abcd' at offset 0x6e is not NUL-terminated within "
				    "its 4 bytes");
}

Test(cpio, name_with_a_nul_inside)
{
	size_t hdr = ct_text(&a, "abc", "x");

	ct_trailer(&a);
	a.buf[hdr + CPIO_HDR_SIZE + 1] = '\0';
	open_all();
	expect_error(CPIO_ERR_NAME, "the name 'a' at offset 0x6e has a NUL before its last byte");
}

Test(cpio, data_runs_past_the_end)
{
	const u32 sizes[] = { 0xffffffff, 0x80000000, 0 };
	size_t hdr;

	ct_text(&a, "a", "x");
	hdr = ct_text(&a, "big.elf", "data");
	ct_trailer(&a);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		u32 size = sizes[i] ? sizes[i] : (u32)(a.len - ct_data_off(hdr, 8) + 1);
		char want[128];

		ct_set(&a, hdr, CT_FILESIZE, size);
		open_all();
		snprintf(want, sizeof(want),
			 "the %u bytes of file 'big.elf' (entry at offset 0x%zx) run past the "
			 "archive's end (%zu bytes)",
			 size, hdr, a.len);
		expect_error(CPIO_ERR_DATA, want);
	}
}

Test(cpio, missing_trailer)
{
	struct cpio_entry e;

	ct_text(&a, "a", "x");
	ct_text(&a, "b", "yy");
	open_all();
	cr_assert_eq(cpio_next(&r, &e), CPIO_OK);
	cr_assert_eq(cpio_next(&r, &e), CPIO_OK);
	cr_assert_eq(cpio_next(&r, &e), CPIO_ERR_NO_TRAILER);
	cr_assert_eq(cpio_next(&r, &e), CPIO_ERR_NO_TRAILER, "errors stay");
	expect_error(CPIO_ERR_NO_TRAILER, "the archive ends at offset 0xe8 without a TRAILER!!! "
					  "entry");
	cr_assert_eq(cpio_find(&r, "a", 1, &e), CPIO_ERR_NO_TRAILER,
		     "find does not hide a broken archive");
	/* The last file's padding missing as well. */
	open_len(a.len - 2);
	expect_error(CPIO_ERR_NO_TRAILER, "ends at offset 0xe6 without");
	open_len(0);
	expect_error(CPIO_ERR_NO_TRAILER, "ends at offset 0x0 without");
}

Test(cpio, truncated_header)
{
	ct_text(&a, "a", "x");
	ct_trailer(&a);
	open_len(0x74 + 50);
	expect_error(CPIO_ERR_TRUNCATED, "the header at offset 0x74 is cut short: 50 of its 110 "
					 "bytes before the archive's end");
}

/*
 * Every prefix of a good archive that ends before the trailer's name is an
 * error with a reason, and none is read past its end. The trailer's padding
 * may be missing: nothing follows it.
 */
Test(cpio, every_truncation_is_an_error)
{
	size_t trailer, need;

	a.magic = CPIO_MAGIC_CRC;
	ct_dir(&a, ".");
	ct_text(&a, "./hello.elf", "hello world");
	ct_text(&a, "x", "");
	trailer = ct_trailer(&a);
	need = trailer + CPIO_HDR_SIZE + sizeof(CPIO_TRAILER);
	for (size_t len = 0; len <= a.len; len++) {
		struct cpio_entry e;

		open_len(len);
		if (len >= need) {
			cr_assert_eq(cpio_check(&r, NULL), CPIO_OK, "%zu bytes", len);
			continue;
		}
		cr_assert_lt(cpio_check(&r, NULL), 0, "prefix of %zu bytes accepted", len);
		cpio_reason(&r, why, sizeof(why));
		cr_assert(why[0] && strcmp(why, "no error"), "no reason at %zu", len);
		cr_assert_lt(cpio_find(&r, "x", 1, &e), 0);
	}
}

/* Random damage gives an error or entries inside the archive, never a read outside it. */
Test(cpio, random_damage_stays_inside)
{
	unsigned seed = 12345;

	for (int round = 0; round < 3000; round++) {
		struct cpio_entry e;
		int ret;

		ct_init(&a, buf, sizeof(buf));
		a.magic = round & 1 ? CPIO_MAGIC_CRC : CPIO_MAGIC_NEWC;
		ct_dir(&a, ".");
		ct_text(&a, "a.elf", "some bytes of an image");
		ct_text(&a, "umbra-bundle.txt", "a.elf name=a\n");
		ct_trailer(&a);
		for (int k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			a.buf[(seed >> 8) % a.len] = (u8)(seed >> 20);
		}
		open_all();
		cpio_check(&r, NULL);
		cpio_reason(&r, why, sizeof(why));
		open_all();
		while ((ret = cpio_next(&r, &e)) == CPIO_OK) {
			cr_assert(e.data >= exact && e.offset <= a.len &&
				  e.size <= a.len - e.offset);
			cr_assert_eq(e.name[strlen(e.name)], '\0');
		}
		cr_assert(ret == CPIO_END || ret < 0);
		cpio_reason(&r, why, sizeof(why));
	}
}

Test(cpio, too_many_entries, .timeout = 60)
{
	size_t cap = (size_t)(CPIO_MAX_ENTRIES + 2) * 112 + 256, trailer;
	u8 *big = malloc(cap);
	u32 n;

	cr_assert_not_null(big);
	ct_init(&a, big, cap);
	for (u32 i = 0; i < CPIO_MAX_ENTRIES - 1; i++)
		ct_dir(&a, "d");
	trailer = ct_trailer(&a);
	cpio_open(&r, a.buf, a.len);
	cr_assert_eq(cpio_check(&r, &n), CPIO_OK, "%u entries with the trailer are fine",
		     CPIO_MAX_ENTRIES);
	cr_assert_eq(n, 0);
	a.len = trailer;
	ct_dir(&a, "d");
	ct_trailer(&a);
	cpio_open(&r, a.buf, a.len);
	cr_assert_eq(cpio_check(&r, NULL), CPIO_ERR_TOO_MANY);
	cpio_reason(&r, why, sizeof(why));
	cr_assert(strstr(why, "more than 65536 entries (the next at offset 0x"), "%s", why);
	free(big);
}

Test(cpio, reason_of_a_fresh_reader)
{
	cpio_open(&r, NULL, 0);
	cr_assert_str_eq(cpio_reason(&r, why, sizeof(why)), "no error");
	expect_error(CPIO_ERR_NO_TRAILER, "ends at offset 0x0");
}

/* Long names are cut in messages, and bytes a console should not see are replaced. */
Test(cpio, reason_quotes_names_safely)
{
	char name[200];
	size_t hdr;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	name[3] = '\x1b';
	hdr = ct_text(&a, name, "x");
	ct_trailer(&a);
	ct_set(&a, hdr, CT_FILESIZE, 0x1000);
	open_all();
	expect_error(CPIO_ERR_DATA, "file 'nnn?nnnn");
	cr_assert(strstr(why, "n...' (entry at offset 0x0)"), "%s", why);
}
