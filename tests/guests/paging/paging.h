/* paging.h: the paging guest's op lists and its three paging modes. */
#ifndef GUEST_PAGING_H
#define GUEST_PAGING_H

#include "guest.h"

/* One step run with the mode's paging on; the same list runs in 32-bit or 64-bit code. */
enum op_kind {
	OP_END,
	OP_READ,    /* val = 32-bit read at va */
	OP_WRITE,   /* 32-bit write of val at va */
	OP_EXEC,    /* call va (the page holds `ret`) */
	OP_INVLPG,  /* invlpg va */
	OP_SET_CR3, /* cr3 = val */
	OP_SET_WP,  /* CR0.WP = val */
};

/* Layout shared with ops64.S: kind 0, fault 4, va 8, val 16, err 24, cr2 32; 40 bytes. */
struct op {
	u32 kind;
	s32 fault; /* NO_FAULT or the vector */
	u64 va, val;
	u32 err, pad;
	u64 cr2;
};

#define ADDR_SPACES 64
#define PROC_SPACES 16	  /* the process-switching loop's address spaces ... */
#define PROC_SWITCHES 208 /* ... and how many CR3 switches it makes among them */
#define OPS_MAX 1024	  /* ops one run may hold */

struct mode {
	const char *name; /* check-name prefix */
	u32 cr3;
	bool pae;     /* 64-bit entries (PAE or 4-level) */
	bool nx;      /* EFER.NXE on, NX bits honoured */
	u64 base;     /* a region of 4 KiB pages mapped by pt */
	void *pt;     /* its page table (u32 or u64 entries) */
	u32 *dir;     /* the directory entry pointing at pt (low dword) */
	u64 big_va;   /* a 4 MiB or 2 MiB page ... */
	u32 big_pa;   /* ... onto this physical address */
	u64 huge_va;  /* a 1 GiB page onto physical 0 (4-level, if the CPU has them), or 0 */
	u32 rsvd_bit; /* a reserved PTE address bit (below 52), or 0 */
	bool lm;      /* 4-level paging (long mode) */
	u32 *big_pde; /* the big page's directory entry (low dword) */

	/* Recursive: *rec_slot = rec_val makes the top table (32-bit: the PD;
	 * PAE: the test PD; 4-level: the PML4) map itself at entry rec_index. */
	u32 *rec_slot;
	u32 rec_val, rec_index;
	u64 rec_pt_va;	/* ... then pt is seen at this VA */
	u64 rec_top_va; /* ... and the table holding rec_slot at this one */

	/* One page T used at two levels: a walk of tl_va_table under
	 * tl_cr3_table uses it as the last table (so tl_entry, an entry of T,
	 * maps a 4 KiB page); a walk of tl_va_dir under tl_cr3_dir uses it as
	 * the directory above (tl_entry points to a page table). */
	u32 *tl_entry;
	u32 tl_cr3_table, tl_cr3_dir;
	u64 tl_va_table, tl_va_dir;

	u32 (*clone)(const struct mode *m, u32 page); /* new CR3 mapping base to page */
	bool (*run)(const struct mode *m, struct op *ops);
};

/* Helpers of checks.c, shared with tables.c. */
extern u32 *pg_a, *pg_b, *pg_c; /* test pages, their first word a pattern: */
#define PAT_A 0xa0a0a0a0u
#define PAT_B 0xb0b0b0b0u
#define PAT_C 0xc0c0c0c0u
u32 pa_of(const void *p);
u64 page_va(const struct mode *m, u32 idx); /* the idx-th page of the test region */
const char *cname(const struct mode *m, const char *what);
void set_pte(const struct mode *m, u32 idx, u32 pa, u64 flags);
u32 *pte_lo(const struct mode *m, u32 idx);
struct op *op_add(u32 kind, u64 va, u64 val);
bool ops_run(const struct mode *m); /* runs the ops added since the last run */
bool read_ok(const struct op *o, u32 want);

/* tables.c: editing live tables, recursive tables, a page at two levels,
 * reuse of a table page as data, big-page A/D, and a process-switching loop. */
void check_live_edit(const struct mode *m);
void check_recursive(const struct mode *m);
void check_two_levels(const struct mode *m);
void check_table_reuse(const struct mode *m);
void check_big_accessed_dirty(const struct mode *m);
void check_proc_switch(const struct mode *m);
/* events.c: page faults while the CPU delivers an exception (32-bit modes). */
void check_fault_in_delivery(const struct mode *m);

bool mode_pg32(struct mode *m);
bool mode_pae(struct mode *m);
bool mode_lm(struct mode *m);
void run_mode_checks(const struct mode *m);

/* The 64-bit op interpreter (ops64.S), called through lm_run. */
void run_ops64(void *ops);

#endif
