/* pt_testlib.h: helpers shared by the page-table engine tests (formats, random model, OOM). */
#ifndef UMBRA_PT_TESTLIB_H
#define UMBRA_PT_TESTLIB_H

#include <criterion/criterion.h>

#include "err.h"
#include "fake_ram.h"
#include "mm/phys.h"
#include "mm/pt.h"

/* One table geometry to test. */
struct pt_cfg {
	const char *name;
	const struct pt_format *fmt;
	u32 va_bits;
	u32 levels;
};

/* Every buildable format and the geometries worth covering. */
extern const struct pt_cfg ptl_cfgs[];
extern const size_t ptl_nr_cfgs;
const struct pt_cfg *ptl_cfg(const char *name);
#define FOR_EACH_CFG(c) for (const struct pt_cfg *c = ptl_cfgs; c < ptl_cfgs + ptl_nr_cfgs; c++)

/* A table on fresh fake RAM, with a flush whose bbm_sync checks the break. */
struct ptl_env {
	const struct pt_cfg *cfg;
	struct palloc *pa;
	struct pt pt;
	struct pt_flush fl;
	u64 free0; /* free pages before pt_init */
	/* bbm_sync calls since the last ptl_flush(), the range they covered, and
	 * how many found the address still mapped (the break did not happen). */
	u32 nr_sync;
	u64 sync_start, sync_end;
	u32 sync_mapped;
};

void ptl_env_init(struct ptl_env *env, const struct pt_cfg *cfg, u64 ram_pages);
/* pt_flush_done, then a fresh flush (callback included). */
void ptl_flush(struct ptl_env *env);
/* Flush, destroy, and check every table page went back to the allocator. */
void ptl_env_fini(struct ptl_env *env);
/* nr_tables equals the pages the allocator says the table owns. */
void ptl_check_owned(const struct ptl_env *env, const char *what);
/* The flush reports nothing (no changed entry, no range, no BBM). */
void ptl_check_no_flush(const struct ptl_env *env, const char *what);

/* What a format gives back from an attribute it was given. */
struct pt_attr ptl_decoded(const struct pt_format *fmt, struct pt_attr a);
u8 ptl_flag_mask(const struct pt_format *fmt);
bool ptl_attr_eq(struct pt_attr a, struct pt_attr b);
/* The largest level whose blocks the table may use. */
unsigned ptl_top_block(const struct pt *pt);

/* Leaves of a walk, in order. */
struct ptl_leaves {
	struct pt_leaf *v;
	size_t n, cap;
};
void ptl_collect(const struct pt *pt, u64 va, u64 size, struct ptl_leaves *out);
void ptl_leaves_push(struct ptl_leaves *l, const struct pt_leaf *leaf);
void ptl_leaves_free(struct ptl_leaves *l);
/* The leaves a map of [va, va + size) to pa must produce: at each step the
 * largest allowed block that va and pa are aligned to and that fits. */
void ptl_expected_leaves(const struct pt *pt, u64 va, u64 pa, u64 size, struct ptl_leaves *out);

/*
 * Check [va, va + size) is covered by leaves lying inside it that map
 * linearly to pa with attribute a (as decoded); count them per level in hist
 * (may be NULL).
 */
void ptl_expect_linear(const struct pt *pt, u64 va, u64 size, u64 pa, struct pt_attr a,
		       u64 hist[PT_MAX_LEVELS], const char *what);
/* The walk of [va, va + size) is exactly the leaves a fresh map of it to pa gives. */
void ptl_expect_shape(const struct pt *pt, u64 va, u64 size, u64 pa, struct pt_attr a,
		      const char *what);
/* va is mapped by a leaf of that level mapping to pa with attribute a. */
void ptl_expect_leaf(const struct pt *pt, u64 va, u64 pa, unsigned level, struct pt_attr a,
		     const char *what);
/* The flush reports a change covering [va, va + size). */
void ptl_expect_flush(const struct ptl_env *env, u64 va, u64 size, const char *what);
/* n break-before-make sequences (0 where the format needs none), each with a
 * bbm_sync, together covering [va, va + size). */
void ptl_expect_bbm(const struct ptl_env *env, u32 n, u64 va, u64 size, const char *what);
/* Nothing in [va, va + size) is mapped. */
void ptl_expect_unmapped(const struct pt *pt, u64 va, u64 size, const char *what);

/* The whole state a failed update must not change. */
struct ptl_snap {
	u64 nr_tables, nr_free, pages, nr_owned;
	owner_t *owner;
	u8 *bytes; /* the bytes of every table page, in address order */
	struct ptl_leaves leaves;
};
void ptl_snap_take(const struct ptl_env *env, struct ptl_snap *s);
void ptl_snap_check(const struct ptl_env *env, const struct ptl_snap *s, const char *what);
void ptl_snap_free(struct ptl_snap *s);

/* xorshift64*: small, deterministic, independent of libc. */
struct ptl_rng {
	u64 s;
};
void ptl_rng_seed(struct ptl_rng *r, u64 seed);
u64 ptl_rand(struct ptl_rng *r);
/* Uniform in [0, n), n > 0. */
u64 ptl_below(struct ptl_rng *r, u64 n);
/* UMBRA_PT_SEED from the environment, if set. */
bool ptl_env_seed(u64 *seed);

#endif
