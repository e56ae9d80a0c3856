/* gmem.h: a guest's RAM: host pages behind guest-physical addresses, and the one accessor to them. */
#ifndef UMBRA_GMEM_H
#define UMBRA_GMEM_H

#include "mm/palloc.h"
#include "types.h"

/*
 * Guest RAM covers guest-physical [0, size) and is made of naturally aligned
 * host runs (chunks) of up to 1 GiB, in ascending guest-physical order.
 * Every access umbra makes to guest memory goes through gmem_read,
 * gmem_write or gmem_ptr, which check the range; host tests drive them over
 * fake RAM (phys_to_virt).
 */
#define GMEM_MAX_CHUNKS 64
#define GMEM_MAX_SIZE GiB(3) /* RAM stays below the device window at 0xFE000000 */

struct gmem_chunk {
	u64 gpa;  /* first guest-physical address */
	u64 size; /* bytes, a power of two of pages */
	hpa_t hpa;
};

struct gmem {
	u64 size;
	u32 nr;
	struct gmem_chunk chunk[GMEM_MAX_CHUNKS];
	struct palloc *pa;
	owner_t owner;
};

/* Allocate size bytes (a multiple of 4 KiB, at most GMEM_MAX_SIZE) as owner,
 * zeroed. Returns 0, -ERR_INVAL or -ERR_NOMEM (nothing stays allocated). */
int gmem_alloc(struct gmem *m, struct palloc *pa, u64 size, owner_t owner);
void gmem_free(struct gmem *m);

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
