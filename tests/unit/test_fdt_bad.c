/* test_fdt_bad.c: unit tests for malformed and hostile device tree blobs (drivers/fdt.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/fdt.h"
#include "tests/unit/fake_log.h"
#include "tests/unit/fdt_testlib.h"

/* ------------------------------------------------------------ malformed headers */

/* root { #address-cells = <1>; child { name2 = "v"; }; } with one reservation:
 * header 0x00, reservation map 0x28..0x48, structure block 0x48. */
static void small_tree(void)
{
	fb_rsv(&tree, 0x1000, 0x1000);
	fb_begin(&tree, "");
	fb_prop_u32(&tree, "#address-cells", 1);
	fb_begin(&tree, "child");
	fb_prop_str(&tree, "name2", "v");
	fb_end(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
}

Test(fdt, bad_null_and_short)
{
	cr_assert_eq(fdt_init(&tfdt, NULL, 100), -FDT_ERR_NOBLOB);
	cr_assert_str_eq(fdt_error_text(&tfdt), "no device tree (null pointer)");
	small_tree();
	blob_resize(&tblob, 4);
	ft_expect_bad(FDT_ERR_TRUNCATED, "only 4 bytes available, too few for a header");
}

Test(fdt, bad_magic)
{
	small_tree();
	blob_set32(&tblob, FDT_H_MAGIC, 0x12345678);
	ft_expect_bad(FDT_ERR_MAGIC, "bad magic 0x12345678 (expected 0xd00dfeed)");
	blob_set32(&tblob, FDT_H_MAGIC, 0xedfe0dd0); /* little-endian by mistake */
	ft_expect_bad(FDT_ERR_MAGIC, "bad magic 0xedfe0dd0");
}

Test(fdt, bad_totalsize_huge)
{
	small_tree();
	blob_set32(&tblob, FDT_H_TOTALSIZE, 0x10000000);
	ft_expect_bad(FDT_ERR_TOOBIG, "totalsize 0x10000000 larger than the 0x200000-byte limit");
	blob_set32(&tblob, FDT_H_TOTALSIZE, 0xffffffff);
	ft_expect_bad(FDT_ERR_TOOBIG, "totalsize 0xffffffff larger than");
}

Test(fdt, bad_totalsize_smaller_than_header)
{
	small_tree();
	blob_set32(&tblob, FDT_H_TOTALSIZE, 0x20);
	ft_expect_bad(FDT_ERR_TOOSMALL, "totalsize 0x20 smaller than the 0x24-byte header");
	blob_set32(&tblob, FDT_H_TOTALSIZE, 0x26);
	blob_resize(&tblob, 0x26);
	ft_expect_bad(FDT_ERR_TOOSMALL, "totalsize 0x26 smaller than the 0x28-byte header");
}

Test(fdt, bad_totalsize_past_the_bytes_available)
{
	u32 size;

	small_tree();
	size = tblob.size;
	blob_resize(&tblob, size - 1);
	cr_assert_eq(fdt_init(&tfdt, tblob.p, tblob.size), -FDT_ERR_TRUNCATED);
	cr_assert(strstr(fdt_error_text(&tfdt), "runs past the"), "%s", fdt_error_text(&tfdt));
	cr_assert_eq(tfdt.err.off, FDT_H_TOTALSIZE);
}

Test(fdt, bad_totalsize_cuts_the_blocks)
{
	small_tree();
	blob_set32(&tblob, FDT_H_TOTALSIZE, tblob.size - 4);
	blob_resize(&tblob, tblob.size - 4);
	ft_expect_bad(FDT_ERR_BLOCK, "strings block");
	cr_assert(strstr(fdt_error_text(&tfdt), "runs past totalsize"), "%s",
		  fdt_error_text(&tfdt));
}

Test(fdt, bad_versions)
{
	small_tree();
	blob_set32(&tblob, FDT_H_VERSION, 15);
	ft_expect_bad(FDT_ERR_VERSION, "version 15 too old (16 or later needed)");
	blob_set32(&tblob, FDT_H_VERSION, 1);
	ft_expect_bad(FDT_ERR_VERSION, "version 1 too old");
	blob_set32(&tblob, FDT_H_VERSION, 17);
	blob_set32(&tblob, FDT_H_LAST_COMP, 18);
	ft_expect_bad(FDT_ERR_LASTCOMP, "last_comp_version 18 too new (17 or older understood)");
	blob_set32(&tblob, FDT_H_VERSION, 20); /* a newer layout that reads as 17 is fine */
	blob_set32(&tblob, FDT_H_LAST_COMP, 16);
	ft_expect_ok();
}

Test(fdt, bad_alignment)
{
	small_tree();
	blob_set32(&tblob, FDT_H_OFF_STRUCT, 0x4a);
	ft_expect_bad(FDT_ERR_ALIGN, "structure block offset 0x4a is not 4-byte aligned");
	blob_set32(&tblob, FDT_H_OFF_STRUCT, 0x48);
	blob_set32(&tblob, FDT_H_OFF_RSVMAP, 0x2c);
	ft_expect_bad(FDT_ERR_ALIGN, "memory reservation block offset 0x2c is not 8-byte aligned");
}

Test(fdt, bad_block_offsets_and_sizes)
{
	u32 st, st_size, str, str_size;

	small_tree();
	st = blob_get32(&tblob, FDT_H_OFF_STRUCT);
	st_size = blob_get32(&tblob, FDT_H_SIZE_STRUCT);
	str = blob_get32(&tblob, FDT_H_OFF_STRINGS);
	str_size = blob_get32(&tblob, FDT_H_SIZE_STRINGS);
	blob_set32(&tblob, FDT_H_OFF_STRUCT, 0x10);
	ft_expect_bad(FDT_ERR_BLOCK, "structure block at 0x10 overlaps the 0x28-byte header");
	blob_set32(&tblob, FDT_H_OFF_STRUCT, (tblob.size + 4) & ~3u);
	ft_expect_bad(FDT_ERR_BLOCK, "runs past totalsize");
	blob_set32(&tblob, FDT_H_OFF_STRUCT, st);
	blob_set32(&tblob, FDT_H_SIZE_STRUCT, 0xfffffff0);
	ft_expect_bad(FDT_ERR_BLOCK, "structure block 0x48+0xfffffff0 runs past totalsize");
	blob_set32(&tblob, FDT_H_SIZE_STRUCT, st_size);
	blob_set32(&tblob, FDT_H_SIZE_STRINGS, str_size + 1);
	ft_expect_bad(FDT_ERR_BLOCK, "strings block");
	blob_set32(&tblob, FDT_H_SIZE_STRINGS, str_size);
	blob_set32(&tblob, FDT_H_OFF_STRINGS, 0xffffffff);
	ft_expect_bad(FDT_ERR_BLOCK, "strings block 0xffffffff+");
	blob_set32(&tblob, FDT_H_OFF_STRINGS, str - 4);
	ft_expect_bad(FDT_ERR_BLOCK, "overlaps the strings block");
	blob_set32(&tblob, FDT_H_OFF_STRINGS, str);
	blob_set32(&tblob, FDT_H_OFF_RSVMAP, 0x20);
	ft_expect_bad(FDT_ERR_BLOCK,
		      "memory reservation block at 0x20 overlaps the 0x28-byte header");
	blob_set32(&tblob, FDT_H_OFF_RSVMAP, 0x28);
	ft_expect_ok();
}

Test(fdt, bad_reservation_map_overlaps_structure)
{
	small_tree();
	blob_set32(&tblob, FDT_H_OFF_STRUCT, 0x30); /* inside the map: 0x28..0x48 */
	ft_expect_bad(FDT_ERR_BLOCK,
		      "memory reservation block 0x28+0x20 overlaps the structure block 0x30+");
}

Test(fdt, bad_reservation_map_unterminated)
{
	small_tree();
	blob_set32(&tblob, FDT_H_OFF_RSVMAP, (tblob.size - 8) & ~7u);
	ft_expect_bad(FDT_ERR_RSVMAP, "has no terminating entry before totalsize");
	/* A map running through the structure block finds no {0, 0} before the end. */
	blob_set32(&tblob, FDT_H_OFF_RSVMAP, 0x28);
	tblob.p[0x28 + 0x10 + 7] = 1; /* the terminator becomes an entry */
	tblob.p[0x28 + 0x10 + 15] = 1;
	cr_assert_neq(ft_init(), 0, "a map running into the structure block passed");
	cr_assert(tfdt.err.code == FDT_ERR_BLOCK || tfdt.err.code == FDT_ERR_RSVMAP, "%s",
		  fdt_error_text(&tfdt));
}

/* ------------------------------------------------------------ malformed structure */

Test(fdt, bad_unknown_token)
{
	fb_begin(&tree, "");
	fb_raw32(&tree, 5);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_bad(FDT_ERR_TOKEN, "unknown token 0x5 at struct offset 0x8");
}

Test(fdt, bad_property_length_past_the_block)
{
	u32 prop;

	fb_begin(&tree, "");
	prop = fb_prop_u32(&tree, "x", 1);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	blob_set32(&tblob, blob_struct(&tblob, prop) + 4, 0x1000);
	ft_expect_bad(
		FDT_ERR_PROPLEN,
		"property at struct offset 0x8 (length 0x1000) runs past the block (size 0x20)");
	blob_set32(&tblob, blob_struct(&tblob, prop) + 4, 0xfffffffe);
	ft_expect_bad(FDT_ERR_PROPLEN, "(length 0xfffffffe) runs past the block");
	blob_set32(&tblob, blob_struct(&tblob, prop) + 4, 9); /* fits, but its padding does not */
	ft_expect_bad(FDT_ERR_NOEND, "without FDT_END");
}

Test(fdt, bad_property_header_cut_by_the_block)
{
	fb_begin(&tree, "");
	fb_raw32(&tree, FDT_PROP);
	fb_raw32(&tree, 4);
	tblob = fb_finish_raw(&tree);
	ft_expect_bad(FDT_ERR_PROPLEN, "property header at struct offset 0x8 runs past the block");
}

Test(fdt, bad_property_name_offset)
{
	u32 prop;

	fb_begin(&tree, "");
	prop = fb_prop_u32(&tree, "x", 1);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	blob_set32(&tblob, blob_struct(&tblob, prop) + 8, 2);
	ft_expect_bad(FDT_ERR_NAMEOFF, "property at struct offset 0x8 has name offset 0x2 past the "
				       "strings block (size 0x2)");
	blob_set32(&tblob, blob_struct(&tblob, prop) + 8, 0xffffffff);
	ft_expect_bad(FDT_ERR_NAMEOFF, "name offset 0xffffffff");
}

Test(fdt, bad_property_name_unterminated)
{
	fb_begin(&tree, "");
	fb_prop_u32(&tree, "zz", 1);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	/* Cut the strings block (and the blob) before the name's NUL. */
	blob_set32(&tblob, FDT_H_SIZE_STRINGS, 2);
	blob_set32(&tblob, FDT_H_TOTALSIZE, tblob.size - 1);
	blob_resize(&tblob, tblob.size - 1);
	ft_expect_bad(FDT_ERR_STRING,
		      "property at struct offset 0x8 has a name (strings offset 0x0) "
		      "not NUL-terminated inside the strings block");
}

Test(fdt, bad_node_name_unterminated)
{
	fb_begin(&tree, "");
	fb_prop_u32(&tree, "x", 1); /* a strings block after the structure block holds NULs */
	fb_raw32(&tree, FDT_BEGIN_NODE);
	fb_raw(&tree, "abcd", 4);
	tblob = fb_finish_raw(&tree);
	ft_expect_bad(FDT_ERR_NAME,
		      "node name at struct offset 0x18 is not NUL-terminated inside the "
		      "block");
}

Test(fdt, bad_unbalanced_nodes)
{
	fb_begin(&tree, "");
	fb_end(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_bad(FDT_ERR_UNBALANCED, "FDT_END_NODE at struct offset 0xc closes no node");
	blob_free(&tblob);
	fb_init(&tree);
	fb_begin(&tree, "");
	fb_begin(&tree, "a");
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_bad(FDT_ERR_UNBALANCED,
		      "FDT_END at struct offset 0x14 with 1 node(s) still open");
}

Test(fdt, bad_missing_end)
{
	fb_begin(&tree, "");
	fb_end(&tree);
	tblob = fb_finish_raw(&tree);
	ft_expect_bad(FDT_ERR_NOEND, "structure block (size 0xc) ends at 0xc without FDT_END");
	blob_free(&tblob);
	fb_init(&tree);
	tblob = fb_finish_raw(&tree); /* an empty structure block */
	ft_expect_bad(FDT_ERR_NOEND, "structure block (size 0x0) ends at 0x0 without FDT_END");
}

static void nested(u32 levels)
{
	fb_begin(&tree, "");
	for (u32 i = 1; i < levels; i++)
		fb_begin(&tree, "n");
	for (u32 i = 0; i < levels; i++)
		fb_end(&tree);
	tblob = fb_finish(&tree);
}

Test(fdt, nesting_limit)
{
	struct fdt_walk w;
	int ret;

	nested(FDT_MAX_DEPTH);
	ft_expect_ok();
	fdt_walk_init(&w);
	while ((ret = fdt_walk_next(&tfdt, &w)) > 0)
		;
	cr_assert_eq(ret, 0);
	cr_assert_eq(w.depth, FDT_MAX_DEPTH - 1);
	blob_free(&tblob);
	fb_init(&tree);
	nested(FDT_MAX_DEPTH + 1);
	ft_expect_bad(FDT_ERR_NESTING,
		      "node at struct offset 0x80 is nested deeper than 16 levels");
}

Test(fdt, bad_structure_order)
{
	fb_prop_u32(&tree, "x", 1);
	fb_begin(&tree, "");
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_bad(FDT_ERR_STRUCTURE, "property at struct offset 0x0 is outside any node");
	blob_free(&tblob);
	fb_init(&tree);
	fb_begin(&tree, "");
	fb_end(&tree);
	fb_begin(&tree, "");
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_bad(FDT_ERR_STRUCTURE, "second root node at struct offset 0xc");
	blob_free(&tblob);
	fb_init(&tree);
	fb_begin(&tree, "");
	fb_begin(&tree, "a");
	fb_end(&tree);
	fb_prop_u32(&tree, "x", 1);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_bad(FDT_ERR_STRUCTURE, "property at struct offset 0x14 follows a child node");
	blob_free(&tblob);
	fb_init(&tree);
	fb_nop(&tree);
	tblob = fb_finish(&tree);
	ft_expect_bad(FDT_ERR_STRUCTURE, "no root node before FDT_END at struct offset 0x4");
}

/* ------------------------------------------------------------ hostile bytes */

/* Use every reader on every node; only ASan/UBSan judge. */
static void visit_all(void)
{
	struct fdt_walk w;
	struct fdt_prop p;
	const char *s;
	char path[64];
	u64 a, sz;
	u32 ac, sc;

	fdt_walk_init(&w);
	while (fdt_walk_next(&tfdt, &w) > 0) {
		fdt_node_path(&tfdt, w.node, path, sizeof(path));
		fdt_path_offset(&tfdt, path);
		fdt_node_cells(&tfdt, w.node, &ac, &sc);
		for (u32 i = 0; i < 4 && !fdt_node_reg(&tfdt, w.node, i, &a, &sz); i++)
			;
		for (int r = fdt_first_prop(&tfdt, w.node, &p); !r; r = fdt_next_prop(&tfdt, &p))
			for (u32 i = 0; !fdt_stringlist_get(&p, i, &s); i++)
				cr_assert_leq(strlen(s), p.len);
		fdt_prop_string(&tfdt, w.node, "compatible", &s);
		fdt_first_child(&tfdt, w.node);
		fdt_next_sibling(&tfdt, w.node);
	}
	fdt_path_offset(&tfdt, "serial0:x");
	fdt_next_compatible(&tfdt, -1, "arm,pl011");
	for (u32 i = 0; !fdt_rsv_entry(&tfdt, i, &a, &sz); i++)
		;
}

Test(fdt, every_truncation_is_refused)
{
	struct blob whole;

	tblob = virt_blob(NULL);
	whole = tblob;
	tblob = (struct blob){ 0 };
	for (u32 n = 0; n < whole.size; n += n < 0x100 ? 1 : 7) {
		tblob.p = malloc(n ? n : 1);
		tblob.size = n;
		memcpy(tblob.p, whole.p, n);
		cr_assert_neq(ft_init(), 0, "a blob cut to %u bytes passed", n);
		if (n >= 8) {
			blob_set32(&tblob, FDT_H_TOTALSIZE, n); /* and one that says so */
			cr_assert_neq(ft_init(), 0, "a blob cut to %u bytes passed", n);
		}
		blob_free(&tblob);
	}
	blob_free(&whole);
}

Test(fdt, random_corruption_never_reads_outside)
{
	struct blob whole = virt_blob(NULL);
	u32 seed = 12345, ok = 0;

	tblob.p = malloc(whole.size);
	tblob.size = whole.size;
	for (int iter = 0; iter < 3000; iter++) {
		memcpy(tblob.p, whole.p, whole.size);
		for (int k = 0; k < 1 + iter % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			u32 pos = (seed >> 8) % whole.size;

			seed = seed * 1103515245u + 12345u;
			/* Mostly small values: lengths, offsets and tokens that nearly fit. */
			tblob.p[pos] = (u8)(seed >> 29 ? seed >> 16 : (seed >> 16) % 5);
		}
		if (!ft_init()) {
			ok++;
			visit_all();
		}
	}
	cr_assert_gt(ok, 100, "only %u of the corrupted trees parsed", ok);
	blob_free(&whole);
}
