/* loader_int.h: what the guest loader's files (loader.c, loader_mb.c, elf.c) share. */
#ifndef UMBRA_LOADER_INT_H
#define UMBRA_LOADER_INT_H

#include "compiler.h"
#include "core/elf.h"
#include "mm/gmem.h"
#include "types.h"

/* The longest guest command line, without its NUL. */
#define LOADER_CMDLINE_MAX 4096
/* The loader needs the PC layout below 1 MiB (Multiboot memory map, info block). */
#define LOADER_MIN_RAM MiB(1)
#define LOADER_NAME "umbra"

/* Write the reason into err (may be NULL or errlen 0) and return ret. */
int loader_fail(char *err, size_t errlen, int ret, const char *fmt, ...) __printf(4, 5);

/* A size for messages: "64 MiB" when whole MiB, else "1028 KiB" ("%llu %s"). */
static inline unsigned long long loader_size_num(u64 bytes)
{
	return IS_ALIGNED(bytes, MiB(1)) ? bytes >> 20 : bytes >> 10;
}
static inline const char *loader_size_unit(u64 bytes)
{
	return IS_ALIGNED(bytes, MiB(1)) ? "MiB" : "KiB";
}

/* Zero guest RAM [at, at + len); -ERR_RANGE if it is not all RAM. */
int loader_zero(const struct gmem *m, u64 at, u64 len);

/* ------------------------------------------------------------ Multiboot (loader_mb.c) */

/* What the kernel's Multiboot header asks for. */
struct mb_request {
	int version;	/* 0: no header, 1: Multiboot1, 2: Multiboot2 */
	u32 flags;	/* Multiboot1 header flags */
	bool has_entry; /* Multiboot2 entry address tag */
	u32 entry;	/* its physical entry point */
};

/* Room for either info block (the 4 KiB command line included), page multiple. */
#define MB_INFO_SIZE KiB(8)
/* The preferred place: conventional memory below 1 MiB, where PC loaders put it. */
#define MB_INFO_LOW 0x9000ULL

/*
 * Find and check the Multiboot header (Multiboot2 preferred). Returns 0 with
 * req->version 0 when there is none, or a negative error with the reason.
 */
int mb_find_header(const void *image, u64 len, struct mb_request *req, char *err, size_t errlen);

/* Write the Multiboot info block (version 1 or 2) at gpa at. */
int mb_write_info(const struct gmem *m, int version, u64 at, const char *cmdline);

#endif
