/* guest.h: the x86 test guests' library: exit, boot info, traps, paging, long mode, umbra. */
#ifndef GUEST_H
#define GUEST_H

#include "x86.h"
#include "common.h" /* output, checks, summary, strings (tests/guests/common/) */

#define KiB(x) ((u32)(x) << 10)
#define MiB(x) ((u32)(x) << 20)

/* ---------------------------------------------------------------- exit */
/* Write status to the debug-exit port 0xF4; halts if nothing ends the guest. */
__noreturn void guest_exit(u32 status);

/* ---------------------------------------------------------------- boot info */
#define MB1_BOOT_MAGIC 0x2badb002
#define MB_INFO_MEM 0x001
#define MB_INFO_CMDLINE 0x004
#define MB_INFO_MMAP 0x040
#define MB_INFO_LOADER 0x200
#define BOOT_MMAP_MAX 32

struct boot_mmap {
	u64 addr, len;
	u32 type;
};

/* What the Multiboot loader gave us, copied before anything can overwrite it. */
struct boot_info {
	u32 magic, info_addr, flags;
	u32 mem_lower, mem_upper; /* KiB */
	char cmdline[256];
	char loader[64];
	u32 nmmap;
	struct boot_mmap mmap[BOOT_MMAP_MAX];
};
extern struct boot_info g_boot;
/* End of RAM below 4 GiB as the boot info says (mem_upper, else the memory map). */
u64 boot_ram_end(void);

/* ---------------------------------------------------------------- memory */
/* A zeroed 4 KiB page from the RAM after the image (below ALLOC_END). */
void *page_alloc(void);
#define ALLOC_END MiB(8)

/* ---------------------------------------------------------------- traps */
struct fault {
	u32 vector, error;
	u64 cr2, ip;
};
/* The last fault a probe caught (written by both trap handlers). */
extern struct fault g_fault;
/* One dynamic fixup (for faults at addresses not known at link time). */
extern u64 g_dyn_fixup_ip;
extern u32 g_dyn_fixup_to;

struct frame32 {
	u32 es, ds;
	u32 edi, esi, ebp, esp_unused, ebx, edx, ecx, eax;
	u32 vector, error;
	u32 eip, cs, eflags;
	u32 user_esp, user_ss; /* only when coming from ring 3 */
};
/* Optional hook tried before the fixup table; returns true if it handled the trap. */
extern bool (*g_trap_hook)(struct frame32 *f);
void idt32_init(void);
void trap32(struct frame32 *f);
const char *vector_name(u32 vector);

/* Probes: return NO_FAULT, or the vector of the exception they caught (see g_fault). */
int rdmsr_safe(u32 msr, u64 *val);
int wrmsr_safe(u32 msr, u64 val);
int peek8(u32 addr, u32 *val);
int peek32(u32 addr, u32 *val);
int poke8(u32 addr, u32 val);
int poke32(u32 addr, u32 val);
/* Call addr, which should hold a `ret`. */
int exec_safe(u32 addr);
/* Load FS with a selector (then the flat data segment again). */
int load_fs_safe(u32 sel);
int write_cr4_safe(u32 val);

/* ---------------------------------------------------------------- paging */
/* Page directory mapping all 4 GiB with 4 MiB pages (CR4.PSE); returns it. */
u32 *pse32_identity(void);
/* Four PAE/long-mode page directories mapping 0-4 GiB with 2 MiB pages. */
void pae_identity_pds(u64 *pds[4]);
/* A PAE PDPT (CR3 value) over four new identity page directories. */
u64 *pae_identity(void);
/* A 4-level PML4 (CR3 value) whose first 4 GiB are identity-mapped with 2 MiB pages. */
u64 *lm_identity(void);
/* Turn 32-bit (pse) or PAE paging on with this CR3, or paging off. */
void paging_on(u32 cr3, bool pae);
void paging_off(void);

/* ---------------------------------------------------------------- long mode */
/*
 * Switch to long mode with page tables cr3 (which must identity-map this
 * image), call the 64-bit function fn(arg), and come back to 32-bit
 * protected mode with CR0, CR3, CR4, EFER and the IDT as they were. An
 * exception in long mode without a fixup is reported as a FAIL naming what;
 * returns true if fn ran to completion.
 */
bool lm_run(const char *what, void (*fn)(void *), void *arg, u32 cr3);
bool cpu_has_long_mode(void);
bool cpu_has_nx(void);

/* ---------------------------------------------------------------- umbra */
#define COM1 0x3f8
#define DEBUG_EXIT_PORT 0xf4
#define FW_CFG_SEL 0x510
#define FW_CFG_DATA 0x511
#define UMBRA_DEV 0xfeb00000u
#define UMBRA_DEV_ID 0x6172626d75ull

enum { HC_VERSION = 0, HC_CONSOLE_WRITE = 1, HC_EXIT = 2, HC_TIMESTAMP = 3 };
#define HC_VERSION_1_0 0x00010000
#define HC_EINVAL (-22)
#define HC_ENOSYS (-38)
#define HC_EPERM (-1)

/* True when CPUID leaf 0x40000000 says "umbraumbraum" (cached). */
bool under_umbra(void);
/* True on AMD (and Hygon) CPUs: hypercalls use VMMCALL rather than VMCALL. */
bool cpu_is_amd(void);
/* A hypercall from 32-bit mode; returns edx:eax. */
u64 hypercall(u32 nr, u32 a1, u32 a2, u32 a3);
/* The same, returning eax as a signed result. */
s32 hcall(u32 nr, u32 a1, u32 a2, u32 a3);
/* Read len bytes of fw_cfg item sel. */
void fwcfg_read(u16 sel, void *buf, u32 len);

#endif
