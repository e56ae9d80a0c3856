/* loader.h: loading a guest image into guest RAM and saying how its CPU starts. */
#ifndef UMBRA_LOADER_H
#define UMBRA_LOADER_H

#include "mm/gmem.h"
#include "types.h"

enum guest_mode {
	GUEST_MODE_PROT32, /* Multiboot: 32-bit protected mode, paging off */
	GUEST_MODE_LONG64, /* plain ELF64: long mode, identity-mapped first 4 GiB */
};

/* A flat segment for the start state (base 0, limit 4 GiB). */
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
 * Load image (len bytes, from a boot module) into m, as a Multiboot1 or
 * Multiboot2 ELF kernel (32-bit protected mode, the Multiboot magic in EAX,
 * an info block with memory map, command line and loader name in EBX) or a
 * plain ELF64 kernel (long mode; RDI = command line address, RSI = memory
 * size). guest_cmdline goes to the guest (may be ""). On error returns a
 * negative number and writes the reason into err (e.g. "ELF segment
 * 0x100000+0x2000000 is outside the guest's 64 MiB"); nothing is started.
 */
int loader_load(struct gmem *m, const void *image, u64 len, const char *guest_cmdline,
		struct guest_start *out, char *err, size_t errlen);

#endif
