/* test_fdt.c: unit tests for reading well-formed flattened device trees (drivers/fdt.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/fdt.h"
#include "tests/unit/fake_log.h"
#include "tests/unit/fdt_testlib.h"

static void virt(void)
{
	tblob = virt_blob(NULL);
	ft_expect_ok();
}

/* ------------------------------------------------------------ well-formed trees */

Test(fdt, minimal_tree_root_only)
{
	int d = 5;

	fb_begin(&tree, "");
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_ok();
	cr_assert_eq(tfdt.totalsize, tblob.size);
	cr_assert_eq(tfdt.version, 17);
	cr_assert_eq(tfdt.root, 0);
	cr_assert_eq(fdt_next_node(&tfdt, -1, &d), 0);
	cr_assert_eq(d, 0);
	cr_assert_str_eq(fdt_node_name(&tfdt, 0), "");
	cr_assert_eq(fdt_next_node(&tfdt, 0, &d), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_first_child(&tfdt, 0), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_parent(&tfdt, 0), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_path_offset(&tfdt, "/"), 0);
	cr_assert_eq(fdt_rsv_count(&tfdt), 0);
}

Test(fdt, virt_tree_walk_depth_and_parents)
{
	static const char *const order[] = {
		"",
		"psci",
		"memory@40000000",
		"platform-bus@c000000",
		"fw-cfg@9020000",
		"virtio_mmio@a000600",
	};
	struct fdt_walk w;
	int n = 0, ret, deepest = -1, maxd = 0;
	char path[128];

	virt();
	fdt_walk_init(&w);
	while ((ret = fdt_walk_next(&tfdt, &w)) > 0) {
		if ((size_t)n < ARRAY_SIZE(order))
			cr_assert_str_eq(fdt_node_name(&tfdt, w.node), order[n]);
		cr_assert_eq(fdt_walk_parent(&w),
			     w.depth ? w.path[w.depth - 1] : -FDT_ERR_NOTFOUND);
		cr_assert_eq(fdt_parent(&tfdt, w.node), fdt_walk_parent(&w));
		if (w.depth > maxd) {
			maxd = w.depth;
			deepest = w.node;
		}
		n++;
	}
	cr_assert_eq(ret, 0);
	cr_assert_eq(n, 24, "nodes: %d", n);
	cr_assert_eq(maxd, 5);
	cr_assert_eq(fdt_node_path(&tfdt, deepest, path, sizeof(path)), 36);
	cr_assert_str_eq(path, "/cpus/cpu-map/socket0/cluster0/core0");
	cr_assert_eq(fdt_path_offset(&tfdt, "/cpus/cpu-map/socket0/cluster0/core0"), deepest);
	cr_assert_eq(fdt_node_path(&tfdt, tfdt.root, path, sizeof(path)), 1);
	cr_assert_str_eq(path, "/");
}

Test(fdt, children_and_siblings)
{
	int node, n = 0, intc, its;

	virt();
	for (node = fdt_first_child(&tfdt, tfdt.root); node >= 0;
	     node = fdt_next_sibling(&tfdt, node)) {
		cr_assert_eq(fdt_parent(&tfdt, node), tfdt.root);
		n++;
	}
	cr_assert_eq(node, -FDT_ERR_NOTFOUND);
	cr_assert_eq(n, 17, "root children: %d", n);
	intc = fdt_path_offset(&tfdt, "/intc@8000000");
	its = fdt_first_child(&tfdt, intc);
	cr_assert_str_eq(fdt_node_name(&tfdt, its), "its@8080000");
	cr_assert_eq(fdt_next_sibling(&tfdt, its), -FDT_ERR_NOTFOUND);
	cr_assert_str_eq(fdt_node_name(&tfdt, fdt_next_sibling(&tfdt, intc)), "cpus");
	cr_assert_eq(fdt_next_sibling(&tfdt, tfdt.root), -FDT_ERR_NOTFOUND);
}

Test(fdt, paths_exact_loose_and_aliases)
{
	int uart, its;

	fb_begin(&tree, "");
	fb_begin(&tree, "aliases");
	fb_prop_str(&tree, "serial0", "/pl011@9000000");
	fb_prop_str(&tree, "gic", "/intc@8000000");
	fb_prop_str(&tree, "rel", "gic");
	fb_prop(&tree, "bad", "/pl011", 6);
	fb_end(&tree);
	fb_begin(&tree, "pl011@9000000");
	fb_end(&tree);
	fb_begin(&tree, "intc@8000000");
	fb_begin(&tree, "its@8080000");
	fb_end(&tree);
	fb_end(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_ok();
	uart = fdt_path_offset(&tfdt, "/pl011@9000000");
	its = fdt_path_offset(&tfdt, "/intc@8000000/its@8080000");
	cr_assert_gt(uart, 0);
	cr_assert_gt(its, 0);
	cr_assert_eq(fdt_path_offset(&tfdt, "/pl011"), uart);
	cr_assert_eq(fdt_path_offset(&tfdt, "/intc/its"), its);
	cr_assert_eq(fdt_path_offset(&tfdt, "//intc@8000000//its/"), its);
	cr_assert_eq(fdt_path_offset(&tfdt, "/pl011@9000001"), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_path_offset(&tfdt, "/pl01"), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_path_offset(&tfdt, "/pl011@"), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_path_offset(&tfdt, "serial0"), uart);
	cr_assert_eq(fdt_path_offset_len(&tfdt, "serial0:115200n8", 7), uart);
	cr_assert_eq(fdt_path_offset_len(&tfdt, "/pl011@9000000:115200n8", 14), uart);
	cr_assert_eq(fdt_path_offset(&tfdt, "gic/its"), its);
	cr_assert_eq(fdt_path_offset(&tfdt, "rel"), -FDT_ERR_BADPATH);
	cr_assert_eq(fdt_path_offset(&tfdt, "bad"), -FDT_ERR_BADVALUE);
	cr_assert_eq(fdt_path_offset(&tfdt, "serial1"), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_path_offset(&tfdt, ""), -FDT_ERR_BADPATH);
	cr_assert_eq(fdt_path_offset_len(&tfdt, "/pl011", 0), -FDT_ERR_BADPATH);
}

Test(fdt, exact_name_preferred_over_unit_address)
{
	int exact;

	fb_begin(&tree, "");
	fb_begin(&tree, "serial@1000");
	fb_end(&tree);
	exact = (int)fb_begin(&tree, "serial");
	fb_end(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_ok();
	cr_assert_eq(fdt_subnode(&tfdt, tfdt.root, "serial", 6), exact);
	cr_assert_eq(fdt_next_named(&tfdt, -1, "serial"), fdt_path_offset(&tfdt, "/serial@1000"));
	cr_assert_eq(fdt_next_named(&tfdt, fdt_path_offset(&tfdt, "/serial@1000"), "serial"),
		     exact);
	cr_assert(fdt_node_named(&tfdt, exact, "serial"));
	cr_assert(!fdt_node_named(&tfdt, exact, "seria"));
}

Test(fdt, search_by_name_and_compatible)
{
	int node, n = 0;

	virt();
	node = fdt_next_named(&tfdt, -1, "memory");
	cr_assert_str_eq(fdt_node_name(&tfdt, node), "memory@40000000");
	cr_assert_eq(fdt_next_named(&tfdt, node, "memory"), -FDT_ERR_NOTFOUND);
	for (node = -1; (node = fdt_next_compatible(&tfdt, node, "virtio,mmio")) >= 0; n++)
		;
	cr_assert_eq(n, 4);
	node = fdt_next_compatible(&tfdt, -1, "arm,primecell");
	cr_assert_str_eq(fdt_node_name(&tfdt, node), "pl031@9010000");
	node = fdt_next_compatible(&tfdt, node, "arm,primecell");
	cr_assert_str_eq(fdt_node_name(&tfdt, node), "pl011@9000000");
	cr_assert(fdt_node_compatible(&tfdt, node, "arm,pl011"));
	cr_assert(!fdt_node_compatible(&tfdt, node, "arm,pl01"));
	cr_assert(!fdt_node_compatible(&tfdt, tfdt.root, "arm,pl011"));
	cr_assert_eq(fdt_next_compatible(&tfdt, -1, "arm,gic-v2"), -FDT_ERR_NOTFOUND);
}

/* ------------------------------------------------------------ properties */

Test(fdt, properties_in_order_and_typed_reads)
{
	static const char *const names[] = { "interrupt-parent", "model", "#size-cells",
					     "#address-cells", "compatible" };
	struct fdt_prop p;
	const char *s;
	u32 v32, i = 0;
	u64 v64;
	int ret, chosen;

	virt();
	for (ret = fdt_first_prop(&tfdt, tfdt.root, &p); !ret; ret = fdt_next_prop(&tfdt, &p))
		cr_assert_str_eq(p.name, names[i++]);
	cr_assert_eq(ret, -FDT_ERR_NOTFOUND);
	cr_assert_eq(i, 5);
	cr_assert_eq(fdt_prop_u32(&tfdt, tfdt.root, "#address-cells", &v32), 0);
	cr_assert_eq(v32, 2);
	cr_assert_eq(fdt_prop_string(&tfdt, tfdt.root, "model", &s), 0);
	cr_assert_str_eq(s, "linux,dummy-virt");
	cr_assert_eq(fdt_prop_u32(&tfdt, tfdt.root, "model", &v32), -FDT_ERR_BADLEN);
	cr_assert_eq(fdt_prop_u32(&tfdt, tfdt.root, "nope", &v32), -FDT_ERR_NOTFOUND);
	chosen = fdt_path_offset(&tfdt, "/chosen");
	cr_assert_eq(fdt_prop_u64(&tfdt, chosen, "kaslr-seed", &v64), 0);
	cr_assert_eq(v64, 0x253239dee0712da2ULL);
	cr_assert_eq(fdt_prop_uint(&tfdt, chosen, "kaslr-seed", &v64), 0);
	cr_assert_eq(fdt_prop_u32(&tfdt, chosen, "kaslr-seed", &v32), -FDT_ERR_BADLEN);
	cr_assert_eq(fdt_prop_u64(&tfdt, tfdt.root, "#size-cells", &v64), -FDT_ERR_BADLEN);
	cr_assert_eq(fdt_prop_uint(&tfdt, tfdt.root, "#size-cells", &v64), 0);
	cr_assert_eq(v64, 2);
	cr_assert_eq(fdt_prop_uint(&tfdt, chosen, "rng-seed", &v64), -FDT_ERR_BADLEN);
	cr_assert_eq(fdt_get_prop(&tfdt, fdt_path_offset(&tfdt, "/timer"), "always-on", &p), 0);
	cr_assert_eq(p.len, 0);
}

Test(fdt, strings_and_string_lists)
{
	struct fdt_prop p;
	const char *s;
	int node;

	fb_begin(&tree, "");
	fb_prop_strs(&tree, "compatible", "a,b\0c,d\0");
	fb_prop(&tree, "tail", "one\0two", 7); /* last string unterminated */
	fb_prop(&tree, "raw", "abc", 3);
	fb_prop(&tree, "empty", NULL, 0);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_ok();
	node = tfdt.root;
	cr_assert_eq(fdt_get_prop(&tfdt, node, "compatible", &p), 0);
	cr_assert_eq(fdt_stringlist_get(&p, 0, &s), 0);
	cr_assert_str_eq(s, "a,b");
	cr_assert_eq(fdt_stringlist_get(&p, 1, &s), 0);
	cr_assert_str_eq(s, "c,d");
	cr_assert_eq(fdt_stringlist_get(&p, 2, &s), 0); /* the extra NUL: an empty string */
	cr_assert_str_eq(s, "");
	cr_assert_eq(fdt_stringlist_get(&p, 3, &s), -FDT_ERR_NOTFOUND);
	cr_assert(fdt_stringlist_contains(&p, "c,d"));
	cr_assert(!fdt_stringlist_contains(&p, "c,"));
	cr_assert_eq(fdt_get_prop(&tfdt, node, "tail", &p), 0);
	cr_assert(fdt_stringlist_contains(&p, "one"));
	cr_assert(!fdt_stringlist_contains(&p, "two"));
	cr_assert_eq(fdt_stringlist_get(&p, 1, &s), -FDT_ERR_BADVALUE);
	cr_assert_eq(fdt_prop_string(&tfdt, node, "tail", &s), 0);
	cr_assert_eq(fdt_prop_string(&tfdt, node, "raw", &s), -FDT_ERR_BADVALUE);
	cr_assert_eq(fdt_prop_string(&tfdt, node, "empty", &s), -FDT_ERR_BADVALUE);
	cr_assert(fdt_node_compatible(&tfdt, node, "a,b"));
}

Test(fdt, nops_anywhere_are_skipped)
{
	struct fdt_prop p;
	u32 v;
	int child;

	fb_nop(&tree);
	fb_begin(&tree, "");
	fb_nop(&tree);
	fb_prop_u32(&tree, "a", 1);
	fb_nop(&tree);
	fb_nop(&tree);
	fb_prop_u32(&tree, "b", 2);
	fb_nop(&tree);
	child = (int)fb_begin(&tree, "child");
	fb_nop(&tree);
	fb_end(&tree);
	fb_nop(&tree);
	fb_end(&tree);
	fb_nop(&tree);
	tblob = fb_finish(&tree);
	ft_expect_ok();
	cr_assert_eq(tfdt.root, 4);
	cr_assert_eq(fdt_prop_u32(&tfdt, tfdt.root, "b", &v), 0);
	cr_assert_eq(v, 2);
	cr_assert_eq(fdt_first_child(&tfdt, tfdt.root), child);
	cr_assert_eq(fdt_first_prop(&tfdt, child, &p), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_next_node(&tfdt, child, NULL), -FDT_ERR_NOTFOUND);
}

/* ------------------------------------------------------------ addresses */

Test(fdt, cells_and_reg_decoding)
{
	struct fdt_prop p;
	u64 a, s;
	u32 ac, sc;
	int node;

	virt();
	cr_assert_eq(fdt_node_cells(&tfdt, tfdt.root, &ac, &sc), 0);
	cr_assert_eq(ac, 2);
	cr_assert_eq(sc, 2);
	cr_assert_eq(fdt_parent_cells(&tfdt, tfdt.root, &ac, &sc), 0);
	cr_assert_eq(ac, 2);
	cr_assert_eq(sc, 1);
	node = fdt_path_offset(&tfdt, "/psci"); /* no cells: the defaults */
	cr_assert_eq(fdt_node_cells(&tfdt, node, &ac, &sc), 0);
	cr_assert_eq(ac, 2);
	cr_assert_eq(sc, 1);
	node = fdt_path_offset(&tfdt, "/intc/its");
	cr_assert_eq(fdt_node_reg(&tfdt, node, 0, &a, &s), 0);
	cr_assert_eq(a, VIRT_GIC_ITS);
	cr_assert_eq(s, 0x20000);
	node = fdt_path_offset(&tfdt, "/intc");
	cr_assert_eq(fdt_node_reg(&tfdt, node, 1, &a, &s), 0);
	cr_assert_eq(a, VIRT_GICR);
	cr_assert_eq(s, VIRT_GICR_SIZE);
	cr_assert_eq(fdt_node_reg(&tfdt, node, 2, &a, &s), -FDT_ERR_NOTFOUND);
	node = fdt_path_offset(&tfdt, "/pcie");
	cr_assert_eq(fdt_node_reg(&tfdt, node, 0, &a, &s), 0);
	cr_assert_eq(a, 0x4010000000ULL);
	cr_assert_eq(s, 0x10000000);
	cr_assert_eq(fdt_node_cells(&tfdt, node, &ac, &sc), 0);
	cr_assert_eq(fdt_get_prop(&tfdt, node, "reg", &p), 0);
	cr_assert_eq(fdt_reg_count(&p, ac, sc), -FDT_ERR_BADCELLS);
	cr_assert_eq(fdt_reg_entry(&p, ac, sc, 0, &a, &s), -FDT_ERR_BADCELLS);
	node = fdt_path_offset(&tfdt, "/cpus/cpu@0"); /* #address-cells 1, #size-cells 0 */
	cr_assert_eq(fdt_node_reg(&tfdt, node, 0, &a, &s), 0);
	cr_assert_eq(a, 0);
	cr_assert_eq(s, 0);
	cr_assert_eq(fdt_node_reg(&tfdt, fdt_path_offset(&tfdt, "/psci"), 0, &a, &s),
		     -FDT_ERR_NOTFOUND);
}

Test(fdt, reg_partial_entries_and_bad_cells)
{
	static const u8 v[12] = { 0, 0, 0x10, 0, 0, 0, 0, 0x20, 0xff, 0xff, 0xff, 0xff };
	struct fdt_prop p = { .name = "reg", .data = v, .len = sizeof(v) };
	u64 a, s;

	cr_assert_eq(fdt_reg_count(&p, 1, 1), -FDT_ERR_BADLEN);
	cr_assert_eq(fdt_reg_entry(&p, 1, 1, 0, &a, &s), 0);
	cr_assert_eq(a, 0x1000);
	cr_assert_eq(s, 0x20);
	cr_assert_eq(fdt_reg_entry(&p, 1, 1, 1, &a, &s), -FDT_ERR_NOTFOUND);
	cr_assert_eq(fdt_reg_count(&p, 1, 2), 1);
	cr_assert_eq(fdt_reg_count(&p, 0, 1), -FDT_ERR_BADCELLS);
	cr_assert_eq(fdt_reg_count(&p, 1, 3), -FDT_ERR_BADCELLS);
	cr_assert_eq(fdt_reg_count(&p, 0xffffffffu, 1), -FDT_ERR_BADCELLS);
	cr_assert_eq(fdt_reg_count(&p, 3, 0), -FDT_ERR_BADCELLS);
	cr_assert_eq(fdt_reg_entry(&p, 2, 3, 0, &a, &s), -FDT_ERR_BADCELLS);
}

Test(fdt, malformed_cells_properties)
{
	u32 ac = 0, sc = 0;
	u64 a, s;
	int dev;

	fb_begin(&tree, "");
	fb_prop_u64(&tree, "#address-cells", 2); /* 8 bytes: wrong */
	dev = (int)fb_begin(&tree, "dev");
	fb_prop_cells(&tree, "reg", 4, 0, 0x1000, 0, 0x10);
	fb_end(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_ok();
	cr_assert_eq(fdt_node_cells(&tfdt, tfdt.root, &ac, &sc), -FDT_ERR_BADLEN);
	cr_assert_eq(fdt_parent_cells(&tfdt, dev, &ac, &sc), -FDT_ERR_BADLEN);
	cr_assert_eq(fdt_node_reg(&tfdt, dev, 0, &a, &s), -FDT_ERR_BADLEN);
}

Test(fdt, memory_reservation_map)
{
	u64 a, s;

	fb_rsv(&tree, 0x48000000, 0x100000);
	fb_rsv(&tree, 0x7ff00000ffULL, 0x1000);
	fb_rsv(&tree, 0x1000, 0); /* only {0, 0} ends the map */
	fb_begin(&tree, "");
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_ok();
	cr_assert_eq(fdt_rsv_count(&tfdt), 3);
	cr_assert_eq(fdt_rsv_entry(&tfdt, 0, &a, &s), 0);
	cr_assert_eq(a, 0x48000000);
	cr_assert_eq(s, 0x100000);
	cr_assert_eq(fdt_rsv_entry(&tfdt, 1, &a, &s), 0);
	cr_assert_eq(a, 0x7ff00000ffULL);
	cr_assert_eq(fdt_rsv_entry(&tfdt, 2, &a, &s), 0);
	cr_assert_eq(s, 0);
	cr_assert_eq(fdt_rsv_entry(&tfdt, 3, &a, &s), -FDT_ERR_NOTFOUND);
}

Test(fdt, version_16_without_size_dt_struct)
{
	u32 v;

	fb_begin(&tree, "");
	fb_prop_u32(&tree, "x", 7);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	blob_set32(&tblob, FDT_H_VERSION, 16);
	blob_set32(&tblob, FDT_H_SIZE_STRUCT, 0xdeadbeef); /* not a field in version 16 */
	ft_expect_ok();
	cr_assert_eq(tfdt.struct_size, blob_get32(&tblob, FDT_H_OFF_STRINGS) - tfdt.struct_off);
	cr_assert_eq(fdt_prop_u32(&tfdt, tfdt.root, "x", &v), 0);
	cr_assert_eq(v, 7);
}

Test(fdt, readers_refuse_offsets_that_are_not_nodes)
{
	struct fdt_prop p = { .off = -1 };
	char path[8];
	u64 a, s;
	int prop;

	fb_begin(&tree, "");
	prop = (int)fb_prop_u32(&tree, "x", 1);
	fb_end(&tree);
	tblob = fb_finish(&tree);
	ft_expect_ok();
	cr_assert_eq(fdt_next_node(&tfdt, 2, NULL), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_next_node(&tfdt, prop, NULL), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_next_node(&tfdt, 0x10000, NULL), -FDT_ERR_NOEND);
	cr_assert_eq(fdt_next_node(&tfdt, 0x7ffffffc, NULL), -FDT_ERR_NOEND);
	cr_assert_null(fdt_node_name(&tfdt, prop));
	cr_assert_null(fdt_node_name(&tfdt, -5));
	cr_assert(!fdt_node_named(&tfdt, prop, "x"));
	cr_assert_eq(fdt_first_prop(&tfdt, prop, &p), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_next_prop(&tfdt, &(struct fdt_prop){ .off = -1 }), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_next_prop(&tfdt, &(struct fdt_prop){ .off = 0 }), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_parent(&tfdt, prop), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_node_path(&tfdt, prop, path, sizeof(path)), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_node_reg(&tfdt, prop, 0, &a, &s), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_first_child(&tfdt, prop), -FDT_ERR_BADNODE);
	cr_assert_eq(fdt_subnode(&tfdt, prop, "x", 1), -FDT_ERR_BADNODE);
}

Test(fdt, node_path_buffer_too_small)
{
	char path[32];
	int node;

	virt();
	node = fdt_path_offset(&tfdt, "/memory");
	cr_assert_eq(fdt_node_path(&tfdt, node, path, 16), -FDT_ERR_NOSPACE);
	cr_assert_eq(fdt_node_path(&tfdt, node, path, 17), 16);
	cr_assert_str_eq(path, "/memory@40000000");
	cr_assert_eq(fdt_node_path(&tfdt, node, path, 0), -FDT_ERR_NOSPACE);
	cr_assert_eq(fdt_node_path(&tfdt, node, path, 1), -FDT_ERR_NOSPACE);
	cr_assert_eq(fdt_node_path(&tfdt, tfdt.root, path, 1), -FDT_ERR_NOSPACE);
	cr_assert_eq(fdt_node_path(&tfdt, tfdt.root, path, 2), 1);
	cr_assert_eq(fdt_node_path(&tfdt, fdt_path_offset(&tfdt, "/psci"), path, 6), 5);
	cr_assert_str_eq(path, "/psci");
}

Test(fdt, error_reasons)
{
	cr_assert_str_eq(fdt_strerror(0), "no error");
	cr_assert_str_eq(fdt_strerror(-FDT_ERR_MAGIC), "bad magic");
	cr_assert_str_eq(fdt_strerror(FDT_ERR_NOTFOUND), "not found");
	cr_assert_str_eq(fdt_strerror(-FDT_ERR_COUNT), "unknown error");
	cr_assert_str_eq(fdt_strerror(-1000), "unknown error");
	for (int i = 1; i < FDT_ERR_COUNT; i++) {
		cr_assert_not_null(fdt_strerror(-i));
		cr_assert_gt(strlen(fdt_strerror(-i)), 3, "error %d has no reason", i);
		for (int j = 1; j < i; j++)
			cr_assert_str_neq(fdt_strerror(-i), fdt_strerror(-j));
	}
}
