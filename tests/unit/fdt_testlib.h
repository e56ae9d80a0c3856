/* fdt_testlib.h: building flattened device tree blobs in memory for the FDT and DTB tests. */
#ifndef UMBRA_FDT_TESTLIB_H
#define UMBRA_FDT_TESTLIB_H

#include "boot/boot_info.h"
#include "drivers/fdt.h"
#include "types.h"

/*
 * A tree is written token by token into a struct fdtb and laid out by
 * fb_finish() as dtc does:
 *
 *   0x00 header (version 17, last_comp_version 16)
 *   0x28 memory reservation map (entries, then the {0, 0} terminator)
 *        structure block
 *        strings block (names deduplicated), ending the blob
 *
 * The blob comes from malloc with exactly totalsize bytes, so ASan flags
 * any read past it. Each fb_* writer returns the struct-block offset of
 * what it wrote, for tests that break one token on purpose.
 */
#define FB_STRUCT_MAX 0x8000u
#define FB_STRINGS_MAX 0x1000u
#define FB_RSV_MAX 8u

struct fdtb {
	u8 st[FB_STRUCT_MAX];
	u32 st_len;
	char strs[FB_STRINGS_MAX];
	u32 strs_len;
	u64 rsv[FB_RSV_MAX][2];
	u32 nr_rsv;
};

struct blob {
	u8 *p;
	u32 size;
};

void fb_init(struct fdtb *b);
u32 fb_begin(struct fdtb *b, const char *name);
u32 fb_end(struct fdtb *b);
u32 fb_nop(struct fdtb *b);
u32 fb_prop(struct fdtb *b, const char *name, const void *data, u32 len);
u32 fb_prop_u32(struct fdtb *b, const char *name, u32 v);
u32 fb_prop_u64(struct fdtb *b, const char *name, u64 v);
/* n big-endian cells from the variadic u32 arguments. */
u32 fb_prop_cells(struct fdtb *b, const char *name, u32 n, ...);
u32 fb_prop_str(struct fdtb *b, const char *name, const char *s);
/* A string list literal "a\0b" with its final NUL. */
#define fb_prop_strs(b, name, lit) fb_prop((b), (name), (lit), sizeof(lit))
/* A raw big-endian u32 into the structure block (tokens, broken fields). */
u32 fb_raw32(struct fdtb *b, u32 v);
/* Raw bytes into the structure block, padded with zeros to 4 bytes. */
u32 fb_raw(struct fdtb *b, const void *data, u32 len);
/* Offset of name in the strings block (added when new). */
u32 fb_string(struct fdtb *b, const char *name);
void fb_rsv(struct fdtb *b, u64 addr, u64 size);

/* Lay the blob out, appending FDT_END first (fb_finish_raw: as written). */
struct blob fb_finish(struct fdtb *b);
struct blob fb_finish_raw(struct fdtb *b);

u32 blob_get32(const struct blob *bl, u32 off);
void blob_set32(struct blob *bl, u32 off, u32 v);
/* Reallocate to exactly size bytes (cut or zero-extended); the header is untouched. */
void blob_resize(struct blob *bl, u32 size);
/* Blob offset of a struct-block offset. */
u32 blob_struct(const struct blob *bl, u32 st_off);
void blob_free(struct blob *bl);

/* ---- a QEMU virt tree (-M virt,virtualization=on), as QEMU 8/9 builds it */

#define VIRT_RAM_BASE 0x40000000ULL
#define VIRT_RAM_SIZE 0x20000000ULL /* -m 512M */
#define VIRT_UART 0x09000000ULL
#define VIRT_UART_SIZE 0x1000ULL
#define VIRT_GICD 0x08000000ULL
#define VIRT_GICD_SIZE 0x10000ULL
#define VIRT_GICR 0x080a0000ULL
#define VIRT_GICR_SIZE 0xf60000ULL
#define VIRT_GIC_ITS 0x08080000ULL
#define VIRT_GICC 0x08010000ULL /* v2 */
#define VIRT_GICC_SIZE 0x10000ULL
#define VIRT_GICH 0x08030000ULL
#define VIRT_GICV 0x08040000ULL

struct virt_opts {
	u32 gic;		 /* 3 (default) or 2, 0 for none */
	bool gic_v3_cpuif;	 /* v3: add GICC, GICH, GICV regions after GICR */
	const char *bootargs;	 /* NULL: no bootargs */
	const char *stdout_path; /* default "/pl011@9000000"; NULL: none */
	u32 initrd_cells;	 /* 0: no initrd, 1: 32-bit values, 2: 64-bit values */
	u64 initrd_start, initrd_end;
	bool memreserve;      /* /memreserve/ 0x48000000 0x100000 */
	bool reserved_memory; /* /reserved-memory/secmon@5f000000 (16 MiB) */
	bool no_timer, no_psci, no_uart;
	const char *psci_method;       /* default "smc" */
	void (*extra)(struct fdtb *b); /* more root children, written last */
};

#define VIRT_RSV_BASE 0x48000000ULL
#define VIRT_RSV_SIZE 0x100000ULL
#define VIRT_RESMEM_BASE 0x5f000000ULL
#define VIRT_RESMEM_SIZE 0x1000000ULL

void virt_opts_default(struct virt_opts *o);
/* The whole tree, root node included (FDT_END is left to fb_finish). */
void fb_qemu_virt(struct fdtb *b, const struct virt_opts *o);
/* Default options, finished. */
struct blob virt_blob(const struct virt_opts *o);

/* ---- the fdt and dtb suites' fixtures (both declared in fdt_testlib.c) */

/* Before each test: the fake log and tree cleared, topt the defaults, tblob
 * empty; after it: tblob freed. */
extern struct fdtb tree;
extern struct blob tblob;
extern struct fdt tfdt;
extern struct virt_opts topt;
extern struct boot_info tbi;

/* fdt_init(&tfdt) over tblob, exactly its size available. */
int ft_init(void);
void ft_expect_ok(void);
/* fdt_init fails with code and a message containing text; the tree reads as empty. */
void ft_expect_bad(int code, const char *text);

/* Where the tests say the blob sits. */
#define DTB_PA 0x48000000ULL

/* dtb_parse(tblob) into tbi. */
int dt_parse(void);
/* tblob = the virt tree with topt; dt_parse() must succeed. */
void dt_parse_virt(void);
/* tblob = root (#address-cells = #size-cells = 2), 512 MiB at 0x40000000, then body's nodes. */
void dt_mini(void (*body)(struct fdtb *t));
int dt_parse_mini(void (*body)(struct fdtb *t));
/* Warnings but "no UART/GIC/timer in the device tree" (small trees lack them). */
int dt_malformation_warnings(void);
void dt_expect_clean(void);
/* Exactly n malformation warnings, all counted in tbi.nr_problems. */
void dt_expect_problems(u32 n);
void dt_expect_log(const char *text);
void dt_expect_range(u32 i, u64 base, u64 len, u32 type);
void dt_expect_virt_ram(void);

#endif
