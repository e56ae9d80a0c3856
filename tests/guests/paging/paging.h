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
	u32 (*clone)(const struct mode *m, u32 page); /* new CR3 mapping base to page */
	bool (*run)(const struct mode *m, struct op *ops);
};

bool mode_pg32(struct mode *m);
bool mode_pae(struct mode *m);
bool mode_lm(struct mode *m);
void run_mode_checks(const struct mode *m);

/* The 64-bit op interpreter (ops64.S), called through lm_run. */
void run_ops64(void *ops);

#endif
