/* boot_info.h: what the loader told us, in one form for every boot protocol. */
#ifndef UMBRA_BOOT_INFO_H
#define UMBRA_BOOT_INFO_H

#include "types.h"

#define BOOT_MAX_MEM_RANGES 128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 512
#define BOOT_MOD_CMDLINE_MAX 256
#define BOOT_LOADER_NAME_MAX 64

enum boot_proto {
	BOOT_PROTO_UNKNOWN = 0,
	BOOT_PROTO_MULTIBOOT1,
	BOOT_PROTO_MULTIBOOT2,
};

enum boot_firmware {
	BOOT_FW_BIOS = 0,
	BOOT_FW_UEFI,
};

/* Memory range types, the Multiboot/E820 numbering. */
enum mem_type {
	MEM_RAM = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIM = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_range {
	u64 base;
	u64 len;
	u32 type; /* enum mem_type */
};

struct boot_module {
	u64 start; /* physical, inclusive */
	u64 end;   /* physical, exclusive */
	char cmdline[BOOT_MOD_CMDLINE_MAX];
};

/*
 * The memory map is normalized by the parser: sorted by base, no overlaps
 * (where ranges overlap, the non-RAM type wins), no zero-length ranges,
 * adjacent ranges of one type merged.
 */
struct boot_info {
	enum boot_proto proto;
	enum boot_firmware firmware;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[BOOT_LOADER_NAME_MAX];

	struct mem_range mem[BOOT_MAX_MEM_RANGES];
	u32 nr_mem;

	struct boot_module mods[BOOT_MAX_MODULES];
	u32 nr_mods;

	u64 rsdp;	/* physical address of the ACPI RSDP (or its copy), 0 if none */
	u8 rsdp_rev;	/* 0 for ACPI 1.0 RSDP, 2 for XSDP */
	u64 efi_systab; /* EFI system table, 0 if none */
	u64 info_start; /* the loader's info block, to keep out of the allocator */
	u64 info_end;
	u32 nr_problems; /* malformed input fixed up or dropped, each logged */
};

#endif
