/* gmem.h: a guest's RAM: host pages behind guest-physical addresses, and the one accessor to them. */
#ifndef UMBRA_GMEM_H
#define UMBRA_GMEM_H

#include "mm/palloc.h"
#include "types.h"

/*
 * Guest RAM covers guest-physical [base, base + size) (base 0 on x86,
 * 0x40000000 on arm64) and is made of naturally aligned host runs (chunks) of
 * up to 1 GiB, in ascending guest-physical order. Every access umbra makes to
 * guest memory goes through gmem_read, gmem_write or gmem_ptr, which check
 * the range (addresses below base are not RAM); host tests drive them over
 * fake RAM (phys_to_virt).
 */
#define GMEM_MAX_CHUNKS 64
#define GMEM_MAX_SIZE GiB(3)	 /* the most RAM one guest gets */
#define GMEM_LIMIT 0xFE000000ULL /* RAM ends below the device window (test device, APICs) */
#define GMEM_BASE_ALIGN GiB(1)	 /* keeps each chunk's gpa aligned to its size */

struct gmem_chunk {
	u64 gpa;  /* first guest-physical address (base included) */
	u64 size; /* bytes, a power of two of pages */
	hpa_t hpa;
};

struct gmem {
	u64 base; /* first guest-physical address of RAM */
	u64 size; /* bytes of RAM */
	u32 nr;
	struct gmem_chunk chunk[GMEM_MAX_CHUNKS];
	struct palloc *pa;
	owner_t owner;
};

/*
 * Allocate size bytes of RAM at guest-physical base as owner, zeroed. size is
 * a multiple of 4 KiB and at most GMEM_MAX_SIZE, base a multiple of
 * GMEM_BASE_ALIGN, and base + size at most GMEM_LIMIT. Returns 0, -ERR_INVAL
 * or -ERR_NOMEM (nothing stays allocated).
 */
int gmem_alloc_at(struct gmem *m, struct palloc *pa, u64 base, u64 size, owner_t owner);
/* The same with RAM at guest-physical 0 (x86). */
int gmem_alloc(struct gmem *m, struct palloc *pa, u64 size, owner_t owner);
void gmem_free(struct gmem *m);

/* gpa lies in guest RAM [base, base + size). */
static inline bool gmem_contains(const struct gmem *m, gpa_t gpa)
{
	return gpa.val >= m->base && gpa.val - m->base < m->size;
}

/* Host-physical address of gpa, and how many bytes from there are contiguous
 * in host memory (to the end of its chunk). False outside guest RAM. */
bool gmem_translate(const struct gmem *m, gpa_t gpa, hpa_t *hpa, u64 *contig);

/* A host pointer to len bytes at gpa if they are RAM and host-contiguous, else NULL. */
void *gmem_ptr(const struct gmem *m, gpa_t gpa, u64 len);

/* Copy to or from guest RAM, across chunks; -ERR_RANGE (nothing copied) if
 * any byte is outside guest RAM. */
int gmem_read(const struct gmem *m, gpa_t gpa, void *dst, u64 len);
int gmem_write(const struct gmem *m, gpa_t gpa, const void *src, u64 len);

#endif
