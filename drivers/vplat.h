/* vplat.h: the emulated platform devices of one VM (UARTs, debug exit, fw_cfg, test device). */
#ifndef UMBRA_VPLAT_H
#define UMBRA_VPLAT_H

#include "compiler.h"
#include "types.h"

/*
 * What a guest sees outside its RAM (docs/hypercalls.md, docs/arm64.md). The
 * vCPU loop hands every trapped port access to vplat_pio() and every trapped
 * access outside RAM to vplat_mmio(); nothing here touches hardware, and
 * every value comes from the guest, so every path is bounded.
 *
 *   port 0x3F8-0x3FF   16550 UART (COM1), output only, one line per callback
 *   port 0xF4          debug exit: a write of v ends the guest with status v
 *   port 0x510/0x511   fw_cfg: 16-bit selector write, 8-bit data reads
 *   MMIO 0xFEB00000    test device: 16 scratch registers, ID at 0x80
 *   MMIO pl011_base    PL011 UART, 4 KiB, only after vplat_enable_pl011()
 *                      (arm64: 0x09000000), output only
 *   anything else      unbacked: reads all ones, writes dropped, counted
 *
 * Both UARTs and the HC_CONSOLE_WRITE hypercall feed one line buffer, so a
 * guest's console lines come out whole whichever way it writes them.
 */

#define VPLAT_UART_BASE 0x3F8
#define VPLAT_UART_PORTS 8
#define VPLAT_DEBUG_EXIT_PORT 0xF4
#define VPLAT_FWCFG_SEL_PORT 0x510
#define VPLAT_FWCFG_DATA_PORT 0x511
#define VPLAT_TESTDEV_BASE 0xFEB00000ULL
#define VPLAT_TESTDEV_SIZE 0x1000ULL
#define VPLAT_PL011_SIZE 0x1000ULL

/* Test device layout. */
#define TESTDEV_NR_SCRATCH 16
#define TESTDEV_SCRATCH_END 0x80 /* scratch registers at 0x00-0x7F */
#define TESTDEV_ID 0x80
/* "umbra" in ASCII, read as a little-endian number: bytes 75 6d 62 72 61. */
#define TESTDEV_ID_VALUE 0x6172626d75ULL

/* fw_cfg selectors (QEMU's numbering). */
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_ID 0x0001
#define FW_CFG_RAM_SIZE 0x0003
#define FW_CFG_NB_CPUS 0x0005

#define VPLAT_NAME_MAX 32  /* bytes kept of the VM name, NUL included */
#define VUART_LINE_MAX 200 /* a longer line is emitted in pieces */

/* vplat_pio() / vplat_mmio() results. */
#define VPLAT_DEVICE 0	 /* a device answered */
#define VPLAT_UNBACKED 1 /* nothing there: read all ones, write dropped */
/* Negative: -ERR_INVAL for a size the bus cannot carry (a caller's bug). */

/* Receives one console line of the guest, without its newline. */
typedef void (*console_line_fn)(void *ctx, const char *vm_name, const char *line);

struct vuart {
	u8 ier, fcr, lcr, mcr, scr, dll, dlm;
	u16 len;		       /* characters in line */
	char line[VUART_LINE_MAX + 1]; /* NUL-terminated when emitted */
};

/* The PL011's read/write registers (the rest read constants). */
struct vpl011 {
	u32 ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, dmacr;
};

struct vfwcfg {
	u16 selector;
	u32 offset; /* next byte of the selected item; saturates */
};

struct vtestdev {
	u64 scratch[TESTDEV_NR_SCRATCH];
};

struct vplat {
	char name[VPLAT_NAME_MAX];
	u64 ram_size;
	u32 ncpus;
	console_line_fn console_line;
	void *console_ctx;

	struct vuart uart; /* and the console line of every output path */
	struct vfwcfg fwcfg;
	struct vtestdev testdev;
	struct vpl011 pl011;
	u64 pl011_base; /* 0: no PL011 (x86) */

	bool exit_requested; /* the guest wrote the debug-exit port */
	u32 exit_status;     /* what it wrote there (the first time) */

	u64 unbacked_pio;  /* port accesses nothing answered */
	u64 unbacked_mmio; /* memory accesses outside RAM nothing answered */
	u64 testdev_bad;   /* misaligned or out-of-range test-device accesses */
	u64 pl011_bad;	   /* PL011 accesses to no register, misaligned or of 8 bytes */
};

/* Reset p for a VM; name is copied (cut to VPLAT_NAME_MAX - 1), fn may be NULL. */
void vplat_init(struct vplat *p, const char *name, u64 ram_size, u32 ncpus, console_line_fn fn,
		void *ctx);

/*
 * Give the guest a PL011 UART at guest-physical [base, base + 4 KiB) (base
 * page-aligned; 0: none, the default). Its registers (ARM PL011 TRM r1p5):
 *
 *   0x000 DR      write: the low byte goes to the console line, as on the
 *                 16550, whatever CR says (as QEMU's PL011 does); read: 0
 *                 (nothing is ever received)
 *   0x004 RSR/ECR reads 0, writes ignored (there are no errors to clear)
 *   0x018 FR      reads TXFE | RXFE (0x90): transmit FIFO empty, nothing
 *                 received, never busy or full
 *   0x020 ILPR, 0x024 IBRD, 0x028 FBRD, 0x02C LCR_H, 0x030 CR, 0x034 IFLS,
 *   0x038 IMSC, 0x048 DMACR
 *                 read back what was written, masked to their defined bits
 *                 (8, 16, 6, 8, 16 less reserved bits 6:3, 6, 11, 3 bits);
 *                 reset CR = 0x300 (TXE, RXE), IFLS = 0x12, the others 0
 *   0x03C RIS, 0x040 MIS  read 0 (no interrupts); 0x044 ICR reads 0, writes
 *                 ignored; writes to FR, RIS, MIS and the IDs are ignored
 *   0xFE0-0xFEC PeriphID0-3 read 0x11, 0x10, 0x14, 0x00;
 *   0xFF0-0xFFC PCellID0-3 read 0x0D, 0xF0, 0x05, 0xB1
 *
 * The registers are 32 bits wide. Accesses of 1, 2 or 4 bytes, naturally
 * aligned, reach the bytes of the register they fall in (a narrower write
 * merges into the register's other bits; a DR write sends a character only
 * when it covers DR's low byte). Anything else in the 4 KiB (other offsets,
 * misaligned accesses, and 8-byte accesses, which would span two registers)
 * reads 0, drops writes and counts in pl011_bad.
 */
void vplat_enable_pl011(struct vplat *p, u64 base);

/*
 * A port access of size 1, 2 or 4 bytes at port. in: *val receives the
 * value read (zero-extended); out: the low size bytes of *val are written.
 * Returns VPLAT_DEVICE, VPLAT_UNBACKED (reads all ones, writes dropped,
 * counted in unbacked_pio; logging is the caller's) or -ERR_INVAL for
 * another size (*val all ones on a read).
 */
int vplat_pio(struct vplat *p, u16 port, u8 size, bool in, u32 *val);

/*
 * A memory access of size 1, 2, 4 or 8 at a guest-physical address outside
 * RAM (the caller handles RAM). write: the low size bytes of *val are
 * stored; read: *val receives the value. Same results as vplat_pio().
 */
int vplat_mmio(struct vplat *p, u64 gpa, u8 size, bool write, u64 *val);

/* Emit the console's partial line, if any, whichever UART wrote it (when the VM ends). */
void vplat_flush(struct vplat *p);

/*
 * Console output that does not come through the UART's registers (the
 * HC_CONSOLE_WRITE hypercall): the same line assembly and character
 * filtering, whatever the guest left in LCR (DLAB) or MCR (loopback).
 */
void vplat_console_write(struct vplat *p, const char *buf, size_t len);

/* All ones in the low size bytes (size 1..8), the value of a read nothing answers. */
static inline u64 vplat_ones(unsigned size)
{
	return size >= 8 ? ~0ULL : size ? GENMASK(8 * size - 1, 0) : 0;
}

/* The devices, for vplat.c's dispatch; offsets are from the device base. */
void vuart_reset(struct vuart *u);
u8 vuart_read(struct vuart *u, u8 off);
void vuart_write(struct vplat *p, u8 off, u8 v);
void vuart_putc(struct vplat *p, u8 c);
void vuart_flush(struct vplat *p);
void vfwcfg_select(struct vplat *p, u16 selector);
u8 vfwcfg_read_byte(struct vplat *p);
/* Returns false (and reads all ones, drops writes) for a bad offset or size. */
bool vtestdev_access(struct vtestdev *t, u64 off, u8 size, bool write, u64 *val);
void vpl011_reset(struct vpl011 *u);
/* Returns false (and reads 0, drops writes) for a bad offset, alignment or size. */
bool vpl011_access(struct vplat *p, u64 off, u8 size, bool write, u64 *val);

#endif
