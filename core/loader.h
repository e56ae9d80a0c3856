/* loader.h: loading a guest image into guest RAM and saying how its CPU starts. */
#ifndef UMBRA_LOADER_H
#define UMBRA_LOADER_H

#include "mm/gmem.h"
#include "types.h"

enum guest_mode {
	GUEST_MODE_PROT32,  /* Multiboot: 32-bit protected mode, paging off */
	GUEST_MODE_LONG64,  /* plain ELF64 x86-64: long mode, identity-mapped first 4 GiB */
	GUEST_MODE_AARCH64, /* ELF64 AArch64: EL1h, MMU off (docs/arm64.md) */
};

/*
 * How the guest's CPU starts. x86: a flat segment (base 0, limit 4 GiB) and
 * the registers below. AArch64: only mode and rip (the physical entry point,
 * which is e_entry for a kernel linked where it is loaded) mean anything; the
 * general registers come from loader_a64_regs().
 */
struct guest_start {
	enum guest_mode mode;
	u64 rip;
	u64 rsp; /* 0: the guest sets its own */
	u64 rax, rbx, rdi, rsi;
	u64 cr3;      /* long mode: the loader's page tables */
	u64 gdt_base; /* long mode: the loader's GDT (code 0x08, data 0x10) */
	u16 gdt_limit;
};

/*
 * Load image (len bytes, from a boot module) into m, as
 *  - a Multiboot1 or Multiboot2 ELF kernel (32-bit protected mode, the
 *    Multiboot magic in EAX, an info block with memory map, command line and
 *    loader name in EBX),
 *  - a plain ELF64 x86-64 kernel (long mode; RDI = command line address,
 *    RSI = memory size), or
 *  - an ELF64 AArch64 kernel (GUEST_MODE_AARCH64; its command line goes into
 *    the boot information page, see loader_a64_info_page(), so it is at most
 *    LOADER_A64_CMDLINE_MAX bytes; nothing but its segments is written).
 * x86 kernels need RAM at guest-physical 0; an AArch64 kernel's segments
 * must lie in RAM wherever it is (m->base). guest_cmdline goes to the guest
 * (may be ""). On error returns a negative number and writes the reason into
 * err (e.g. "ELF segment 0x100000+0x2000000 is outside the guest's 64 MiB");
 * nothing is started. The caller checks that the mode suits its CPU.
 */
int loader_load(struct gmem *m, const void *image, u64 len, const char *guest_cmdline,
		struct guest_start *out, char *err, size_t errlen);

/* "prot32", "long64", "aarch64" (or "?"), for messages. */
const char *loader_mode_name(enum guest_mode mode);

/* ------------------------------------------------------------ AArch64 guests */

/*
 * The arm64 guest platform (docs/arm64.md): RAM at IPA 0x40000000, and below
 * it a read-only page of boot information that is not RAM (the arm64 code
 * maps it at stage 2, read-only and not executable):
 *
 *   LOADER_A64_INFO_IPA + 0x000  u64 magic 0x666e696172626d75 ("umbrainf")
 *                       + 0x008  u64 RAM base
 *                       + 0x010  u64 RAM size in bytes
 *                       + 0x018  u64 IPA width in bits
 *                       + 0x100  the command line, NUL-terminated (<= 255 bytes)
 *   everything else in the page is zero; words are little endian.
 *
 * The vCPU starts at EL1h, DAIF masked, MMU and caches off, PC = rip, SP and
 * the other registers 0, and (loader_a64_regs()):
 *   x0 = IPA of the boot information page (LOADER_A64_INFO_IPA)
 *   x1 = IPA of the command line (LOADER_A64_INFO_IPA + LOADER_A64_CMDLINE_OFF)
 *   x2 = RAM base, x3 = RAM size in bytes, x4 = IPA width in bits
 */
#define LOADER_A64_INFO_IPA 0x3FFFF000ULL
#define LOADER_A64_RAM_BASE 0x40000000ULL
#define LOADER_A64_INFO_SIZE 4096u
#define LOADER_A64_INFO_MAGIC 0x666e696172626d75ULL
#define LOADER_A64_INFO_OFF_MAGIC 0x00u
#define LOADER_A64_INFO_OFF_RAM_BASE 0x08u
#define LOADER_A64_INFO_OFF_RAM_SIZE 0x10u
#define LOADER_A64_INFO_OFF_IPA_BITS 0x18u
#define LOADER_A64_CMDLINE_OFF 0x100u
#define LOADER_A64_CMDLINE_MAX 255u /* bytes, without the NUL */
#define LOADER_A64_IPA_BITS_MIN 32u
#define LOADER_A64_IPA_BITS_MAX 52u
#define LOADER_A64_NR_REGS 5u /* x0-x4 */

/*
 * Fill page (LOADER_A64_INFO_SIZE bytes) with the boot information of a
 * guest with RAM m and an IPA width of ipa_bits. cmdline may be NULL (""). On
 * error (command line too long, IPA width outside 32..52, RAM past 2^ipa_bits
 * or over the page) returns a negative number with the reason in err and
 * leaves page as it was.
 */
int loader_a64_info_page(void *page, const struct gmem *m, u32 ipa_bits, const char *cmdline,
			 char *err, size_t errlen);

/* The values of x0-x4 at the guest's start, as above. */
void loader_a64_regs(const struct gmem *m, u32 ipa_bits, u64 x[LOADER_A64_NR_REGS]);

#endif
