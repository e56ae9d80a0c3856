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
	BOOT_PROTO_IMAGE, /* arm64 Image protocol: x0 holds the device tree */
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

/* arm64: the devices umbra itself uses, from the device tree (0: absent). */
struct boot_devices {
	u64 uart_base; /* PL011 ("arm,pl011"), from /chosen/stdout-path when it names one */
	u64 uart_size;
	u32 gic_version; /* 3 ("arm,gic-v3"), 2 ("arm,cortex-a15-gic", "arm,gic-400"), 0 none */
	u64 gicd_base, gicd_size; /* distributor */
	u64 gicr_base, gicr_size; /* v3: first redistributor region */
	u64 gicc_base, gicc_size; /* v2: CPU interface */
	u64 gich_base,
		gicv_base; /* virtual interface control and CPU interface (v2 and v3's GICV) */
	/* "arm,armv8-timer" interrupts: secure, non-secure physical, virtual,
	 * hypervisor physical; PPI numbers (INTID - 16) as the tree gives them. */
	u32 timer_ppi[4];
	bool has_timer;
	bool psci_smc; /* /psci method = "smc" (else "hvc", or no PSCI node) */
	bool has_psci;
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
	u64 dtb;	/* arm64: physical address of the device tree, 0 if none */
	u64 initrd_start, initrd_end; /* arm64: the initrd (a guest bundle), 0 if none */
	struct boot_devices dev;      /* arm64 */
	u64 info_start; /* the loader's info block (the DTB on arm64), kept out of the allocator */
	u64 info_end;
	u32 nr_problems; /* malformed input fixed up or dropped, each logged */
};

#endif
