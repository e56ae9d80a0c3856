/* fdt_testlib.c: building flattened device tree blobs in memory for the FDT and DTB tests. */
#include "tests/unit/fdt_testlib.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/dtb.h"
#include "tests/unit/fake_log.h"

static void put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

static void put_be64(u8 *p, u64 v)
{
	put_be32(p, (u32)(v >> 32));
	put_be32(p + 4, (u32)v);
}

void fb_init(struct fdtb *b)
{
	memset(b, 0, sizeof(*b));
}

u32 fb_raw(struct fdtb *b, const void *data, u32 len)
{
	u32 off = b->st_len, padded = (len + 3) & ~3u;

	cr_assert_leq(padded, FB_STRUCT_MAX - off, "fdt_testlib: structure block full");
	if (len)
		memcpy(b->st + off, data, len);
	memset(b->st + off + len, 0, padded - len);
	b->st_len += padded;
	return off;
}

u32 fb_raw32(struct fdtb *b, u32 v)
{
	u8 be[4];

	put_be32(be, v);
	return fb_raw(b, be, 4);
}

u32 fb_begin(struct fdtb *b, const char *name)
{
	u32 off = fb_raw32(b, FDT_BEGIN_NODE);

	fb_raw(b, name, (u32)strlen(name) + 1);
	return off;
}

u32 fb_end(struct fdtb *b)
{
	return fb_raw32(b, FDT_END_NODE);
}

u32 fb_nop(struct fdtb *b)
{
	return fb_raw32(b, FDT_NOP);
}

u32 fb_string(struct fdtb *b, const char *name)
{
	u32 len = (u32)strlen(name) + 1, off;

	for (off = 0; off < b->strs_len; off += (u32)strlen(b->strs + off) + 1)
		if (!strcmp(b->strs + off, name))
			return off;
	cr_assert_leq(len, FB_STRINGS_MAX - b->strs_len, "fdt_testlib: strings block full");
	memcpy(b->strs + b->strs_len, name, len);
	b->strs_len += len;
	return off;
}

u32 fb_prop(struct fdtb *b, const char *name, const void *data, u32 len)
{
	u32 off = fb_raw32(b, FDT_PROP);

	fb_raw32(b, len);
	fb_raw32(b, fb_string(b, name));
	if (len)
		fb_raw(b, data, len);
	return off;
}

u32 fb_prop_u32(struct fdtb *b, const char *name, u32 v)
{
	return fb_prop_cells(b, name, 1, v);
}

u32 fb_prop_u64(struct fdtb *b, const char *name, u64 v)
{
	return fb_prop_cells(b, name, 2, (u32)(v >> 32), (u32)v);
}

u32 fb_prop_cells(struct fdtb *b, const char *name, u32 n, ...)
{
	u8 data[256];
	va_list ap;

	cr_assert_leq(n, sizeof(data) / 4);
	va_start(ap, n);
	for (u32 i = 0; i < n; i++)
		put_be32(data + 4 * i, va_arg(ap, u32));
	va_end(ap);
	return fb_prop(b, name, data, 4 * n);
}

u32 fb_prop_str(struct fdtb *b, const char *name, const char *s)
{
	return fb_prop(b, name, s, (u32)strlen(s) + 1);
}

void fb_rsv(struct fdtb *b, u64 addr, u64 size)
{
	cr_assert_lt(b->nr_rsv, FB_RSV_MAX);
	b->rsv[b->nr_rsv][0] = addr;
	b->rsv[b->nr_rsv][1] = size;
	b->nr_rsv++;
}

struct blob fb_finish_raw(struct fdtb *b)
{
	u32 rsv_off = FDT_HEADER_SIZE, st_off = rsv_off + (b->nr_rsv + 1) * FDT_RSV_ENTRY_SIZE;
	u32 str_off = st_off + b->st_len, total = str_off + b->strs_len;
	struct blob bl = { .p = calloc(1, total), .size = total };
	static const u32 hdr[] = { FDT_H_MAGIC,	      FDT_H_TOTALSIZE,	FDT_H_OFF_STRUCT,
				   FDT_H_OFF_STRINGS, FDT_H_OFF_RSVMAP, FDT_H_VERSION,
				   FDT_H_LAST_COMP,   FDT_H_BOOT_CPUID, FDT_H_SIZE_STRINGS,
				   FDT_H_SIZE_STRUCT };
	const u32 val[] = { FDT_MAGIC, total, st_off, str_off,	   rsv_off,
			    17,	       16,    0,      b->strs_len, b->st_len };

	cr_assert_not_null(bl.p);
	for (u32 i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++)
		put_be32(bl.p + hdr[i], val[i]);
	for (u32 i = 0; i < b->nr_rsv; i++) {
		put_be64(bl.p + rsv_off + 16 * i, b->rsv[i][0]);
		put_be64(bl.p + rsv_off + 16 * i + 8, b->rsv[i][1]);
	}
	memcpy(bl.p + st_off, b->st, b->st_len);
	memcpy(bl.p + str_off, b->strs, b->strs_len);
	return bl;
}

struct blob fb_finish(struct fdtb *b)
{
	fb_raw32(b, FDT_END);
	return fb_finish_raw(b);
}

u32 blob_get32(const struct blob *bl, u32 off)
{
	cr_assert_leq(off + 4, bl->size);
	return fdt_be32(bl->p + off);
}

void blob_set32(struct blob *bl, u32 off, u32 v)
{
	cr_assert_leq(off + 4, bl->size);
	put_be32(bl->p + off, v);
}

void blob_resize(struct blob *bl, u32 size)
{
	u8 *p = calloc(1, size ? size : 1);

	cr_assert_not_null(p);
	memcpy(p, bl->p, size < bl->size ? size : bl->size);
	free(bl->p);
	bl->p = p;
	bl->size = size;
}

u32 blob_struct(const struct blob *bl, u32 st_off)
{
	return blob_get32(bl, FDT_H_OFF_STRUCT) + st_off;
}

void blob_free(struct blob *bl)
{
	free(bl->p);
	bl->p = NULL;
	bl->size = 0;
}

/* ------------------------------------------------------------ QEMU virt */

void virt_opts_default(struct virt_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->gic = 3;
	o->stdout_path = "/pl011@9000000";
	o->psci_method = "smc";
}

static void virt_devices(struct fdtb *b)
{
	fb_begin(b, "platform-bus@c000000");
	fb_prop_u32(b, "interrupt-parent", 0x8002);
	fb_prop_cells(b, "ranges", 4, 0, 0, 0xc000000, 0x2000000);
	fb_prop_u32(b, "#address-cells", 1);
	fb_prop_u32(b, "#size-cells", 1);
	fb_prop_strs(b, "compatible", "qemu,platform\0simple-bus");
	fb_end(b);
	fb_begin(b, "fw-cfg@9020000");
	fb_prop(b, "dma-coherent", NULL, 0);
	fb_prop_cells(b, "reg", 4, 0, 0x9020000, 0, 0x18);
	fb_prop_str(b, "compatible", "qemu,fw-cfg-mmio");
	fb_end(b);
	for (u32 i = 0; i < 4; i++) {
		char name[32];

		snprintf(name, sizeof(name), "virtio_mmio@a000%x00", 6 - 2 * i);
		fb_begin(b, name);
		fb_prop(b, "dma-coherent", NULL, 0);
		fb_prop_cells(b, "interrupts", 3, 0, 0x13 - i, 1);
		fb_prop_cells(b, "reg", 4, 0, 0xa000600 - 0x200 * i, 0, 0x200);
		fb_prop_str(b, "compatible", "virtio,mmio");
		fb_end(b);
	}
	fb_begin(b, "pcie@10000000");
	fb_prop_cells(b, "reg", 4, 0x40, 0x10000000, 0, 0x10000000);
	fb_prop_u32(b, "#size-cells", 2);
	fb_prop_u32(b, "#address-cells", 3);
	fb_prop_str(b, "device_type", "pci");
	fb_prop_str(b, "compatible", "pci-host-ecam-generic");
	fb_end(b);
	fb_begin(b, "pl031@9010000");
	fb_prop_cells(b, "interrupts", 3, 0, 2, 4);
	fb_prop_cells(b, "reg", 4, 0, 0x9010000, 0, 0x1000);
	fb_prop_strs(b, "compatible", "arm,pl031\0arm,primecell");
	fb_end(b);
}

static void virt_uart(struct fdtb *b)
{
	fb_begin(b, "pl011@9000000");
	fb_prop_strs(b, "clock-names", "uartclk\0apb_pclk");
	fb_prop_cells(b, "clocks", 2, 0x8000, 0x8000);
	fb_prop_cells(b, "interrupts", 3, 0, 1, 4);
	fb_prop_cells(b, "reg", 4, 0, (u32)VIRT_UART, 0, (u32)VIRT_UART_SIZE);
	fb_prop_strs(b, "compatible", "arm,pl011\0arm,primecell");
	fb_end(b);
	fb_begin(b, "pmu");
	fb_prop_cells(b, "interrupts", 3, 1, 7, 4);
	fb_prop_str(b, "compatible", "arm,armv8-pmuv3");
	fb_end(b);
}

static void virt_gic(struct fdtb *b, const struct virt_opts *o)
{
	fb_begin(b, "intc@8000000");
	fb_prop_u32(b, "phandle", 0x8002);
	fb_prop_cells(b, "interrupts", 3, 1, 9, 4);
	if (o->gic == 2)
		fb_prop_cells(b, "reg", 16, 0, (u32)VIRT_GICD, 0, (u32)VIRT_GICD_SIZE, 0,
			      (u32)VIRT_GICC, 0, (u32)VIRT_GICC_SIZE, 0, (u32)VIRT_GICH, 0, 0x10000,
			      0, (u32)VIRT_GICV, 0, 0x10000);
	else if (o->gic_v3_cpuif)
		fb_prop_cells(b, "reg", 20, 0, (u32)VIRT_GICD, 0, (u32)VIRT_GICD_SIZE, 0,
			      (u32)VIRT_GICR, 0, (u32)VIRT_GICR_SIZE, 0, (u32)VIRT_GICC, 0,
			      (u32)VIRT_GICC_SIZE, 0, (u32)VIRT_GICH, 0, 0x10000, 0, (u32)VIRT_GICV,
			      0, 0x10000);
	else
		fb_prop_cells(b, "reg", 8, 0, (u32)VIRT_GICD, 0, (u32)VIRT_GICD_SIZE, 0,
			      (u32)VIRT_GICR, 0, (u32)VIRT_GICR_SIZE);
	if (o->gic == 3)
		fb_prop_u32(b, "#redistributor-regions", 1);
	fb_prop_str(b, "compatible", o->gic == 3 ? "arm,gic-v3" : "arm,cortex-a15-gic");
	fb_prop(b, "ranges", NULL, 0);
	fb_prop_u32(b, "#size-cells", 2);
	fb_prop_u32(b, "#address-cells", 2);
	fb_prop(b, "interrupt-controller", NULL, 0);
	fb_prop_u32(b, "#interrupt-cells", 3);
	fb_begin(b, o->gic == 3 ? "its@8080000" : "v2m@8020000");
	fb_prop_u32(b, "phandle", 0x8003);
	fb_prop_cells(b, "reg", 4, 0, o->gic == 3 ? (u32)VIRT_GIC_ITS : 0x8020000, 0,
		      o->gic == 3 ? 0x20000 : 0x1000);
	fb_prop(b, "msi-controller", NULL, 0);
	fb_prop_str(b, "compatible", o->gic == 3 ? "arm,gic-v3-its" : "arm,gic-v2m-frame");
	fb_end(b);
	fb_end(b);
}

static void virt_cpus(struct fdtb *b)
{
	fb_begin(b, "cpus");
	fb_prop_u32(b, "#size-cells", 0);
	fb_prop_u32(b, "#address-cells", 1);
	fb_begin(b, "cpu-map");
	fb_begin(b, "socket0");
	fb_begin(b, "cluster0");
	fb_begin(b, "core0");
	fb_prop_u32(b, "cpu", 0x8001);
	fb_end(b);
	fb_end(b);
	fb_end(b);
	fb_end(b);
	fb_begin(b, "cpu@0");
	fb_prop_u32(b, "phandle", 0x8001);
	fb_prop_u32(b, "reg", 0);
	fb_prop_str(b, "compatible", "arm,cortex-a57");
	fb_prop_str(b, "device_type", "cpu");
	fb_end(b);
	fb_end(b);
}

static void virt_chosen(struct fdtb *b, const struct virt_opts *o)
{
	fb_begin(b, "chosen");
	if (o->initrd_cells == 1) {
		fb_prop_u32(b, "linux,initrd-end", (u32)o->initrd_end);
		fb_prop_u32(b, "linux,initrd-start", (u32)o->initrd_start);
	} else if (o->initrd_cells == 2) {
		fb_prop_u64(b, "linux,initrd-end", o->initrd_end);
		fb_prop_u64(b, "linux,initrd-start", o->initrd_start);
	}
	if (o->bootargs)
		fb_prop_str(b, "bootargs", o->bootargs);
	if (o->stdout_path)
		fb_prop_str(b, "stdout-path", o->stdout_path);
	fb_prop_cells(b, "rng-seed", 8, 1, 2, 3, 4, 5, 6, 7, 8);
	fb_prop_cells(b, "kaslr-seed", 2, 0x253239de, 0xe0712da2);
	fb_end(b);
}

void fb_qemu_virt(struct fdtb *b, const struct virt_opts *o)
{
	if (o->memreserve)
		fb_rsv(b, VIRT_RSV_BASE, VIRT_RSV_SIZE);
	fb_begin(b, "");
	fb_prop_u32(b, "interrupt-parent", 0x8002);
	fb_prop_str(b, "model", "linux,dummy-virt");
	fb_prop_u32(b, "#size-cells", 2);
	fb_prop_u32(b, "#address-cells", 2);
	fb_prop_str(b, "compatible", "linux,dummy-virt");
	if (!o->no_psci) {
		fb_begin(b, "psci");
		fb_prop_u32(b, "migrate", 0xc4000005);
		fb_prop_u32(b, "cpu_on", 0xc4000003);
		fb_prop_u32(b, "cpu_off", 0x84000002);
		fb_prop_u32(b, "cpu_suspend", 0xc4000001);
		fb_prop_str(b, "method", o->psci_method);
		fb_prop_strs(b, "compatible", "arm,psci-1.0\0arm,psci-0.2\0arm,psci");
		fb_end(b);
	}
	fb_begin(b, "memory@40000000");
	fb_prop_cells(b, "reg", 4, (u32)(VIRT_RAM_BASE >> 32), (u32)VIRT_RAM_BASE,
		      (u32)(VIRT_RAM_SIZE >> 32), (u32)VIRT_RAM_SIZE);
	fb_prop_str(b, "device_type", "memory");
	fb_end(b);
	if (o->reserved_memory) {
		fb_begin(b, "reserved-memory");
		fb_prop_u32(b, "#address-cells", 2);
		fb_prop_u32(b, "#size-cells", 2);
		fb_prop(b, "ranges", NULL, 0);
		fb_begin(b, "secmon@5f000000");
		fb_prop(b, "no-map", NULL, 0);
		fb_prop_cells(b, "reg", 4, 0, (u32)VIRT_RESMEM_BASE, 0, (u32)VIRT_RESMEM_SIZE);
		fb_end(b);
		fb_end(b);
	}
	virt_devices(b);
	if (!o->no_uart)
		virt_uart(b);
	if (o->gic)
		virt_gic(b, o);
	virt_cpus(b);
	if (!o->no_timer) {
		fb_begin(b, "timer");
		fb_prop_cells(b, "interrupts", 12, 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4);
		fb_prop(b, "always-on", NULL, 0);
		fb_prop_strs(b, "compatible", "arm,armv8-timer\0arm,armv7-timer");
		fb_end(b);
	}
	fb_begin(b, "apb-pclk");
	fb_prop_u32(b, "phandle", 0x8000);
	fb_prop_u32(b, "clock-frequency", 24000000);
	fb_prop_u32(b, "#clock-cells", 0);
	fb_prop_str(b, "compatible", "fixed-clock");
	fb_end(b);
	virt_chosen(b, o);
	if (o->extra)
		o->extra(b);
	fb_end(b);
}

struct blob virt_blob(const struct virt_opts *o)
{
	static struct fdtb b; /* big: keep it off the stack */
	struct virt_opts def;

	if (!o) {
		virt_opts_default(&def);
		o = &def;
	}
	fb_init(&b);
	fb_qemu_virt(&b, o);
	return fb_finish(&b);
}

/* ------------------------------------------------------------ suite fixtures */

struct fdtb tree;
struct blob tblob;
struct fdt tfdt;
struct virt_opts topt;
struct boot_info tbi;

static void fixture_setup(void)
{
	fake_log_reset();
	fb_init(&tree);
	virt_opts_default(&topt);
	tblob = (struct blob){ 0 };
	memset(&tfdt, 0, sizeof(tfdt));
	memset(&tbi, 0, sizeof(tbi));
}

static void fixture_teardown(void)
{
	blob_free(&tblob);
}

/* The one declaration of each suite, shared by test_fdt*.c and test_dtb*.c. */
TestSuite(fdt, .init = fixture_setup, .fini = fixture_teardown);
TestSuite(dtb, .init = fixture_setup, .fini = fixture_teardown);

/* fdt_init over the whole blob, exactly its size available. */
int ft_init(void)
{
	return fdt_init(&tfdt, tblob.p, tblob.size);
}

void ft_expect_ok(void)
{
	int ret = ft_init();

	cr_assert_eq(ret, 0, "fdt_init: %d %s", ret, fdt_error_text(&tfdt));
	cr_assert_eq(tfdt.err.code, 0);
	cr_assert_str_eq(fdt_error_text(&tfdt), "");
}

/* fdt_init fails with code and a message containing text. */
void ft_expect_bad(int code, const char *text)
{
	int ret = ft_init();

	cr_assert_eq(ret, -code, "fdt_init returned %d (%s), expected -%d", ret,
		     fdt_error_text(&tfdt), code);
	cr_assert_eq(tfdt.err.code, code);
	cr_assert(strstr(fdt_error_text(&tfdt), text), "message \"%s\" lacks \"%s\"",
		  fdt_error_text(&tfdt), text);
	/* A failed tree is empty: readers fail cleanly. */
	cr_assert_lt(fdt_next_node(&tfdt, -1, NULL), 0);
	cr_assert_lt(fdt_path_offset(&tfdt, "/"), 0);
	cr_assert_eq(fdt_rsv_count(&tfdt), 0);
}

int dt_parse(void)
{
	return dtb_parse(tblob.p, DTB_PA, &tbi);
}

/* Build the virt tree with o and parse it; it must succeed. */
void dt_parse_virt(void)
{
	int ret;

	tblob = virt_blob(&topt);
	ret = dt_parse();
	cr_assert_eq(ret, 0, "dtb_parse: %d\n%s", ret, fake_log_text());
}

/* Warnings other than "no UART/GIC/timer in the device tree" (small trees lack them). */
int dt_malformation_warnings(void)
{
	int missing = 0;

	for (const char *p = fake_log_text(); (p = strstr(p, ") in the device tree\n")); p++)
		missing++;
	return fake_log_count(LOG_WARN) - missing;
}

void dt_expect_clean(void)
{
	cr_assert_eq(tbi.nr_problems, 0, "problems: %u\n%s", tbi.nr_problems, fake_log_text());
	cr_assert_eq(dt_malformation_warnings(), 0, "%s", fake_log_text());
	cr_assert_eq(fake_log_count(LOG_ERROR), 0, "%s", fake_log_text());
}

void dt_expect_log(const char *text)
{
	cr_assert(fake_log_contains(text), "log lacks \"%s\":\n%s", text, fake_log_text());
}

/* Exactly n warnings, all counted as problems. */
void dt_expect_problems(u32 n)
{
	cr_assert_eq(tbi.nr_problems, n, "problems: %u, expected %u\n%s", tbi.nr_problems, n,
		     fake_log_text());
	cr_assert_eq(dt_malformation_warnings(), (int)n, "%s", fake_log_text());
	cr_assert_eq(fake_log_count(LOG_ERROR), 0, "%s", fake_log_text());
}

void dt_expect_range(u32 i, u64 base, u64 len, u32 type)
{
	cr_assert_lt(i, tbi.nr_mem, "range %u missing (nr_mem %u)", i, tbi.nr_mem);
	cr_assert_eq(tbi.mem[i].base, base, "range %u base 0x%llx, expected 0x%llx", i,
		     (unsigned long long)tbi.mem[i].base, (unsigned long long)base);
	cr_assert_eq(tbi.mem[i].len, len, "range %u len 0x%llx, expected 0x%llx", i,
		     (unsigned long long)tbi.mem[i].len, (unsigned long long)len);
	cr_assert_eq(tbi.mem[i].type, type, "range %u type %u, expected %u", i, tbi.mem[i].type,
		     type);
}

void dt_expect_virt_ram(void)
{
	cr_assert_eq(tbi.nr_mem, 1);
	dt_expect_range(0, VIRT_RAM_BASE, VIRT_RAM_SIZE, MEM_RAM);
}

/* ------------------------------------------------------------ small trees */

/* root (#address-cells = #size-cells = 2), 512 MiB at 0x40000000, then body's nodes. */
void dt_mini(void (*body)(struct fdtb *))
{
	fb_begin(&tree, "");
	fb_prop_u32(&tree, "#address-cells", 2);
	fb_prop_u32(&tree, "#size-cells", 2);
	fb_begin(&tree, "memory@40000000");
	fb_prop_str(&tree, "device_type", "memory");
	fb_prop_cells(&tree, "reg", 4, 0, 0x40000000, 0, 0x20000000);
	fb_end(&tree);
	if (body)
		body(&tree);
	fb_end(&tree);
	tblob = fb_finish(&tree);
}

int dt_parse_mini(void (*body)(struct fdtb *))
{
	dt_mini(body);
	return dt_parse();
}
