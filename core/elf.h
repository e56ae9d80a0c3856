/* elf.h: ELF32/ELF64 file layouts (System V gABI) and the validating program-header parser. */
#ifndef UMBRA_ELF_H
#define UMBRA_ELF_H

#include "compiler.h"
#include "types.h"

/* e_ident[] */
#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELF_MAGIC "\177ELF"
#define ELF_MAGIC_LEN 4
#define ELFCLASS32 1
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1

#define ET_EXEC 2
#define EM_386 3
#define EM_X86_64 62
#define EM_AARCH64 183
#define PN_XNUM 0xFFFF /* the real count is in section 0: never used by kernels */

#define PT_LOAD 1
#define PF_X BIT(0)
#define PF_W BIT(1)
#define PF_R BIT(2)

struct elf32_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u32 e_entry;
	u32 e_phoff;
	u32 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
} __packed;
_Static_assert(offsetof(struct elf32_ehdr, e_entry) == 24, "elf32_ehdr.e_entry");
_Static_assert(offsetof(struct elf32_ehdr, e_phoff) == 28, "elf32_ehdr.e_phoff");
_Static_assert(offsetof(struct elf32_ehdr, e_ehsize) == 40, "elf32_ehdr.e_ehsize");
_Static_assert(offsetof(struct elf32_ehdr, e_phnum) == 44, "elf32_ehdr.e_phnum");
_Static_assert(sizeof(struct elf32_ehdr) == 52, "elf32_ehdr size");

struct elf64_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
} __packed;
_Static_assert(offsetof(struct elf64_ehdr, e_entry) == 24, "elf64_ehdr.e_entry");
_Static_assert(offsetof(struct elf64_ehdr, e_phoff) == 32, "elf64_ehdr.e_phoff");
_Static_assert(offsetof(struct elf64_ehdr, e_ehsize) == 52, "elf64_ehdr.e_ehsize");
_Static_assert(offsetof(struct elf64_ehdr, e_phnum) == 56, "elf64_ehdr.e_phnum");
_Static_assert(sizeof(struct elf64_ehdr) == 64, "elf64_ehdr size");

struct elf32_phdr {
	u32 p_type;
	u32 p_offset;
	u32 p_vaddr;
	u32 p_paddr;
	u32 p_filesz;
	u32 p_memsz;
	u32 p_flags;
	u32 p_align;
} __packed;
_Static_assert(offsetof(struct elf32_phdr, p_paddr) == 12, "elf32_phdr.p_paddr");
_Static_assert(offsetof(struct elf32_phdr, p_flags) == 24, "elf32_phdr.p_flags");
_Static_assert(sizeof(struct elf32_phdr) == 32, "elf32_phdr size");

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
} __packed;
_Static_assert(offsetof(struct elf64_phdr, p_offset) == 8, "elf64_phdr.p_offset");
_Static_assert(offsetof(struct elf64_phdr, p_paddr) == 24, "elf64_phdr.p_paddr");
_Static_assert(offsetof(struct elf64_phdr, p_memsz) == 40, "elf64_phdr.p_memsz");
_Static_assert(sizeof(struct elf64_phdr) == 56, "elf64_phdr size");

/* Limits on what a guest image may declare (real kernels use a handful). */
#define ELF_MAX_PHNUM 64
#define ELF_MAX_LOAD 16

/* One PT_LOAD segment with a non-zero memory size, in the file's order. */
struct elf_seg {
	u64 offset; /* in the file */
	u64 filesz;
	u64 vaddr;
	u64 paddr; /* where it is loaded in guest-physical memory */
	u64 memsz;
	u32 flags; /* PF_* */
	u32 index; /* its program header's index, for messages */
};

struct elf_image {
	bool is64;   /* ELFCLASS64 (EM_X86_64, EM_AARCH64) or ELFCLASS32 (EM_386) */
	u16 machine; /* e_machine: EM_386, EM_X86_64 or EM_AARCH64 */
	u64 entry;   /* e_entry, a virtual address */
	u32 nr_seg;
	struct elf_seg seg[ELF_MAX_LOAD];
};

/*
 * Validate the identification and the ELF header of image (len bytes,
 * untrusted): a little-endian executable for i386 (ELF32), x86-64 or AArch64
 * (ELF64) whose program headers lie in the file. Returns 0 with e_machine in
 * *machine, or a negative error with the reason in err.
 */
int elf_check_header(const void *image, u64 len, u16 *machine, char *err, size_t errlen);

/*
 * Validate image as elf_check_header() does, and its PT_LOAD segments: they
 * fit in the file and, by p_paddr, in guest RAM [ram_base, ram_base +
 * ram_size), do not overlap and have p_filesz <= p_memsz. Returns 0 or a
 * negative error with the reason in err. The entry point is not checked here
 * (Multiboot2 may name another); see elf_entry_phys().
 */
int elf_parse_ram(const void *image, u64 len, u64 ram_base, u64 ram_size, struct elf_image *out,
		  char *err, size_t errlen);
/* The same for guest RAM at [0, ram_size). */
int elf_parse(const void *image, u64 len, u64 ram_size, struct elf_image *out, char *err,
	      size_t errlen);

/* The physical address of virtual address va in an executable segment. */
bool elf_entry_phys(const struct elf_image *e, u64 va, u64 *pa);
/* pa lies in an executable segment (by physical address). */
bool elf_phys_exec(const struct elf_image *e, u64 pa);
/* Some segment overlaps [base, base + size); its index in *which. */
bool elf_overlaps(const struct elf_image *e, u64 base, u64 size, u32 *which);
/* The end of the highest segment (physical). */
u64 elf_phys_end(const struct elf_image *e);

#endif
