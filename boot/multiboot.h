/* multiboot.h: Multiboot1/Multiboot2 boot information layouts and the parser into struct boot_info. */
#ifndef UMBRA_MULTIBOOT_H
#define UMBRA_MULTIBOOT_H

#include "boot/boot_info.h"
#include "compiler.h"
#include "types.h"

/* What the loader leaves in EAX on entry. */
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u
#define MB2_BOOTLOADER_MAGIC 0x36d76289u

/* ------------------------------------------------------------ Multiboot1 */

/* Flags of the Multiboot1 information structure: which fields are valid. */
#define MB1_INFO_MEMORY BIT(0)	     /* mem_lower, mem_upper */
#define MB1_INFO_BOOTDEV BIT(1)	     /* boot_device */
#define MB1_INFO_CMDLINE BIT(2)	     /* cmdline */
#define MB1_INFO_MODS BIT(3)	     /* mods_count, mods_addr */
#define MB1_INFO_AOUT_SYMS BIT(4)    /* syms as a.out symbol table */
#define MB1_INFO_ELF_SHDR BIT(5)     /* syms as ELF section headers */
#define MB1_INFO_MEM_MAP BIT(6)	     /* mmap_length, mmap_addr */
#define MB1_INFO_DRIVES BIT(7)	     /* drives_length, drives_addr */
#define MB1_INFO_CONFIG BIT(8)	     /* config_table */
#define MB1_INFO_LOADER_NAME BIT(9)  /* boot_loader_name */
#define MB1_INFO_APM BIT(10)	     /* apm_table */
#define MB1_INFO_VBE BIT(11)	     /* vbe_* */
#define MB1_INFO_FRAMEBUFFER BIT(12) /* framebuffer_* */

/* The information structure; the loader passes its physical address in EBX. */
struct mb1_info {
	u32 flags;
	u32 mem_lower; /* KiB from 0 */
	u32 mem_upper; /* KiB from 1 MiB */
	u32 boot_device;
	u32 cmdline; /* physical address of a C string */
	u32 mods_count;
	u32 mods_addr; /* physical address of mods_count struct mb1_module */
	u32 syms[4];
	u32 mmap_length; /* bytes */
	u32 mmap_addr;	 /* physical address of struct mb1_mmap_entry records */
	u32 drives_length;
	u32 drives_addr;
	u32 config_table;
	u32 boot_loader_name; /* physical address of a C string */
	u32 apm_table;
	u32 vbe_control_info;
	u32 vbe_mode_info;
	u16 vbe_mode;
	u16 vbe_interface_seg;
	u16 vbe_interface_off;
	u16 vbe_interface_len;
	u64 framebuffer_addr;
	u32 framebuffer_pitch;
	u32 framebuffer_width;
	u32 framebuffer_height;
	u8 framebuffer_bpp;
	u8 framebuffer_type;
	u8 color_info[6];
} __packed;
_Static_assert(offsetof(struct mb1_info, cmdline) == 16, "mb1_info.cmdline");
_Static_assert(offsetof(struct mb1_info, mods_addr) == 24, "mb1_info.mods_addr");
_Static_assert(offsetof(struct mb1_info, mmap_length) == 44, "mb1_info.mmap_length");
_Static_assert(offsetof(struct mb1_info, boot_loader_name) == 64, "mb1_info.boot_loader_name");
_Static_assert(offsetof(struct mb1_info, vbe_mode) == 80, "mb1_info.vbe_mode");
_Static_assert(offsetof(struct mb1_info, framebuffer_addr) == 88, "mb1_info.framebuffer_addr");
_Static_assert(sizeof(struct mb1_info) == 116, "mb1_info size");

/*
 * One memory map record. 'size' counts the bytes after itself, so the next
 * record starts at (this + size + 4); it is at least 20.
 */
struct mb1_mmap_entry {
	u32 size;
	u64 base_addr;
	u64 length;
	u32 type; /* 1 RAM, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad, else reserved */
} __packed;
_Static_assert(offsetof(struct mb1_mmap_entry, base_addr) == 4, "mb1_mmap_entry.base_addr");
_Static_assert(offsetof(struct mb1_mmap_entry, type) == 20, "mb1_mmap_entry.type");
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "mb1_mmap_entry size");
#define MB1_MMAP_ENTRY_MIN_SIZE 20u /* the 'size' field's smallest valid value */

struct mb1_module {
	u32 mod_start; /* physical, inclusive */
	u32 mod_end;   /* physical, exclusive */
	u32 string;    /* physical address of the module's command line */
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct mb1_module) == 16, "mb1_module size");

/* ------------------------------------------------------------ Multiboot2 */

/* Tag types of the Multiboot2 boot information. */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV 5
#define MB2_TAG_MMAP 6
#define MB2_TAG_VBE 7
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ELF_SECTIONS 9
#define MB2_TAG_APM 10
#define MB2_TAG_EFI32 11
#define MB2_TAG_EFI64 12
#define MB2_TAG_SMBIOS 13
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_NETWORK 16
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS 18
#define MB2_TAG_EFI32_IH 19
#define MB2_TAG_EFI64_IH 20
#define MB2_TAG_LOAD_BASE_ADDR 21

#define MB2_TAG_ALIGN 8
/* Largest total_size we accept; GRUB's blocks are a few KiB. */
#define MB2_INFO_MAX_SIZE (1u << 20)

/* The info block starts with this fixed part; tags follow at offset 8. */
struct mb2_info_header {
	u32 total_size; /* bytes, including this header and the end tag */
	u32 reserved;
} __packed;
_Static_assert(sizeof(struct mb2_info_header) == 8, "mb2_info_header size");

/* Every tag starts with this; the next tag starts at ALIGN_UP(size, 8). */
struct mb2_tag {
	u32 type;
	u32 size; /* bytes, including this header, excluding padding */
} __packed;
_Static_assert(sizeof(struct mb2_tag) == 8, "mb2_tag size");

/* Tags 1 (command line) and 2 (boot loader name): a NUL-terminated string. */
struct mb2_tag_string {
	u32 type;
	u32 size;
	char string[];
} __packed;
_Static_assert(offsetof(struct mb2_tag_string, string) == 8, "mb2_tag_string.string");

struct mb2_tag_module {
	u32 type;
	u32 size;
	u32 mod_start; /* physical, inclusive */
	u32 mod_end;   /* physical, exclusive */
	char cmdline[];
} __packed;
_Static_assert(offsetof(struct mb2_tag_module, cmdline) == 16, "mb2_tag_module.cmdline");

struct mb2_tag_basic_meminfo {
	u32 type;
	u32 size;
	u32 mem_lower; /* KiB from 0 */
	u32 mem_upper; /* KiB from 1 MiB */
} __packed;
_Static_assert(sizeof(struct mb2_tag_basic_meminfo) == 16, "mb2_tag_basic_meminfo size");

/* Tag 6: entries of entry_size bytes (at least 24) follow the header. */
struct mb2_tag_mmap {
	u32 type;
	u32 size;
	u32 entry_size;
	u32 entry_version;
} __packed;
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2_tag_mmap size");

struct mb2_mmap_entry {
	u64 base_addr;
	u64 length;
	u32 type; /* 1 RAM, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad, else reserved */
	u32 reserved;
} __packed;
_Static_assert(offsetof(struct mb2_mmap_entry, type) == 16, "mb2_mmap_entry.type");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2_mmap_entry size");

struct mb2_tag_efi32 {
	u32 type;
	u32 size;
	u32 pointer; /* EFI system table */
} __packed;
_Static_assert(sizeof(struct mb2_tag_efi32) == 12, "mb2_tag_efi32 size");

struct mb2_tag_efi64 {
	u32 type;
	u32 size;
	u64 pointer; /* EFI system table */
} __packed;
_Static_assert(sizeof(struct mb2_tag_efi64) == 16, "mb2_tag_efi64 size");

/* Tags 14 and 15: a byte copy of the firmware's RSDP follows the header. */
struct mb2_tag_acpi {
	u32 type;
	u32 size;
	u8 rsdp[];
} __packed;
_Static_assert(offsetof(struct mb2_tag_acpi, rsdp) == 8, "mb2_tag_acpi.rsdp");
#define MB2_RSDP_V1_SIZE 20u /* ACPI 1.0 RSDP */
#define MB2_RSDP_V2_SIZE 36u /* ACPI 2.0+ RSDP (XSDP) */
#define MB2_RSDP_SIG "RSD PTR "
#define MB2_RSDP_SIG_LEN 8u

/* Tag 17: EFI memory descriptors of descr_size bytes follow the header. */
struct mb2_tag_efi_mmap {
	u32 type;
	u32 size;
	u32 descr_size;
	u32 descr_vers;
} __packed;
_Static_assert(sizeof(struct mb2_tag_efi_mmap) == 16, "mb2_tag_efi_mmap size");

/* The UEFI EFI_MEMORY_DESCRIPTOR (version 1). */
struct efi_mem_desc {
	u32 type;
	u32 pad;
	u64 phys_start;
	u64 virt_start;
	u64 num_pages; /* 4 KiB pages */
	u64 attribute;
} __packed;
_Static_assert(offsetof(struct efi_mem_desc, phys_start) == 8, "efi_mem_desc.phys_start");
_Static_assert(offsetof(struct efi_mem_desc, num_pages) == 24, "efi_mem_desc.num_pages");
_Static_assert(sizeof(struct efi_mem_desc) == 40, "efi_mem_desc size");
#define EFI_PAGE_SHIFT 12

/* EFI_MEMORY_TYPE values. */
#define EFI_RESERVED_MEMORY 0
#define EFI_LOADER_CODE 1
#define EFI_LOADER_DATA 2
#define EFI_BOOT_SERVICES_CODE 3
#define EFI_BOOT_SERVICES_DATA 4
#define EFI_RUNTIME_SERVICES_CODE 5
#define EFI_RUNTIME_SERVICES_DATA 6
#define EFI_CONVENTIONAL_MEMORY 7
#define EFI_UNUSABLE_MEMORY 8
#define EFI_ACPI_RECLAIM_MEMORY 9
#define EFI_ACPI_NVS_MEMORY 10
#define EFI_MMIO 11
#define EFI_MMIO_PORT_SPACE 12
#define EFI_PAL_CODE 13
#define EFI_PERSISTENT_MEMORY 14

/* Tag 18 (EFI boot services not terminated) and tag 0 (end) are a bare struct mb2_tag. */

/* ------------------------------------------------------------ parser */

/*
 * Return a pointer to len readable bytes at physical address pa, or NULL when
 * that range is not accessible. Every read of loader data goes through it.
 */
typedef const void *(*phys_map_fn)(u64 pa, u64 len, void *ctx);

/*
 * Fill bi (zeroed first) from a Multiboot1 / Multiboot2 information block at
 * info_pa. Returns 0 on success, negative when the block is unreadable or no
 * memory map with RAM can be built. Malformed input that can be fixed up or
 * skipped is reported with pr_warn and counted in bi->nr_problems. The memory
 * map is normalized with memmap_normalize().
 */
int multiboot1_parse(u32 info_pa, phys_map_fn map, void *ctx, struct boot_info *bi);
int multiboot2_parse(u32 info_pa, phys_map_fn map, void *ctx, struct boot_info *bi);

/* Dispatch on the loader's magic; an unknown magic is reported and rejected. */
int boot_info_parse(u32 magic, u32 info_pa, phys_map_fn map, void *ctx, struct boot_info *bi);

#endif
