/* gwalk.h: walking an x86 guest's own page tables, as its CPU would, to find a guest-physical address. */
#ifndef UMBRA_GWALK_H
#define UMBRA_GWALK_H

#include "mm/gmem.h"
#include "types.h"

/*
 * The guest's control state that decides how its addresses translate, and
 * the CPU facts a walk depends on. Fields after efer may be left 0: a
 * maxphyaddr of 0 means 52, and pdpte NULL means "read PAE's four PDPTEs
 * from memory at CR3" (a CPU loads them into registers when CR3 is written,
 * so the shadow MMU passes the values it loaded then).
 */
struct gwalk_regs {
	u64 cr0, cr3, cr4, efer;
	u8 maxphyaddr;	  /* CPUID 0x80000008 EAX[7:0]; 0: 52 */
	bool no_1g;	  /* CPUID 0x80000001 EDX[26] clear: PDPTE.PS is reserved */
	const u64 *pdpte; /* PAE: the four PDPTEs loaded with CR3, or NULL */
};

/* Access kinds and page-fault error code bits (SDM vol. 3 "Page-Fault Exceptions"). */
#define PF_P BIT(0)    /* the fault was a protection violation (not a non-present entry) */
#define PF_W BIT(1)    /* write access */
#define PF_U BIT(2)    /* user-mode access (CPL 3) */
#define PF_RSVD BIT(3) /* a reserved bit was set in an entry */
#define PF_I BIT(4)    /* instruction fetch */

/* Guest paging modes, also the shadow MMU's "guest format" in a role. */
enum gwalk_mode {
	GWALK_OFF = 0, /* CR0.PG=0: guest-virtual is guest-physical (32 bits) */
	GWALK_32 = 1,  /* 32-bit paging: 4-byte entries, 2 levels, 4 MiB pages with CR4.PSE */
	GWALK_PAE = 2, /* PAE: 8-byte entries, 4 PDPTEs + 2 levels */
	GWALK_LM4 = 3, /* IA-32e 4-level */
	GWALK_LM5 = 4, /* IA-32e 5-level (CR4.LA57) */
};

enum gwalk_mode gwalk_mode_of(const struct gwalk_regs *r);

/* One entry the walk read, from the root down. */
struct gwalk_step {
	u64 table; /* guest-physical address of the table holding the entry */
	u32 index; /* its index in that table */
	u8 level;  /* 0 = the table of 4 KiB pages (PT), 1 = PD, 2 = PDPT, ... */
	u64 entry; /* its value (after any accessed/dirty update) */
};

enum gwalk_status {
	GWALK_OK = 0,	     /* translated: gpa, perm, leaf fields are valid */
	GWALK_FAULT = 1,     /* the CPU would raise #PF with `error` */
	GWALK_BAD_TABLE = 2, /* CR3 or a table entry points outside guest RAM (bad_gpa) */
};

struct gwalk_result {
	enum gwalk_mode mode;
	u64 gpa;       /* OK: the translated address */
	u64 page_gpa;  /* OK: guest-physical start of the leaf's page (4 KiB, 2/4 MiB, 1 GiB) */
	u64 page_size; /* OK: its size */
	u8 perm;       /* OK: PT_R | accumulated PT_W, PT_U, PT_X over every level */
	u8 dirty;      /* OK: the leaf's D bit (after any update) */
	u32 error;     /* FAULT: the #PF error code */
	u64 bad_gpa;   /* BAD_TABLE: the address that is not RAM */
	u8 nr_steps;   /* entries read, root first (0 with paging off) */
	struct gwalk_step step[5];
};

/* Walk flags. */
#define GWALK_SET_AD BIT(0) /* on success set A in every entry used and D in the leaf on a write */

/*
 * Translate va for an access (PF_W, PF_U, PF_I or 0 for a supervisor read)
 * the way the CPU would: permissions (R/W, U/S, NX with EFER.NXE, CR0.WP,
 * CR4.SMEP; not SMAP or protection keys, which need RFLAGS.AC and PKRU),
 * reserved bits (above MAXPHYADDR, NX without EFER.NXE, PS where the level
 * cannot hold a page, 1 GiB pages without CPUID support, the 4 MiB and
 * 2 MiB and 1 GiB pages' low reserved bits, PSE-36's bit 21), and accessed
 * and dirty bits with GWALK_SET_AD. A fault's error code has P set when the
 * failing entry was present, W/U/I from the access (I only where the CPU
 * reports it: EFER.NXE or CR4.SMEP), RSVD for a reserved bit.
 * Tables are read only from guest RAM (m).
 */
enum gwalk_status gwalk(const struct gmem *m, const struct gwalk_regs *r, u64 va, u32 access,
			unsigned flags, struct gwalk_result *out);

/*
 * The translation alone, for reading guest memory on umbra's behalf
 * (instruction fetch for emulation): a supervisor read, no A/D updates.
 */
bool gwalk_translate(const struct gmem *m, const struct gwalk_regs *r, u64 va, u64 *gpa_out);

#endif
