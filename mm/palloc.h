/* palloc.h: the physical page allocator; it knows the owner of every page. */
#ifndef UMBRA_PALLOC_H
#define UMBRA_PALLOC_H

#include "boot/boot_info.h"
#include "compiler.h"
#include "types.h"

/*
 * An owner is a kind plus an id. The per-VM kinds (GUEST and the VM_*
 * ones) carry the VM id, so palloc_count(pa, OWNER_VM_TDP(3)) is VM 3's
 * nested tables; the other kinds are shared and use id 0.
 * OWNER_FREE means on the free pool; OWNER_NONE marks pages the allocator
 * does not manage (holes, reserved ranges, the image, modules).
 */
typedef u32 owner_t;
#define OWNER_KIND_MASK GENMASK(31, 24)
#define OWNER_ID_MASK GENMASK(23, 0)
#define OWNER(kind, id) \
	((owner_t)(FIELD_PREP(OWNER_KIND_MASK, kind) | FIELD_PREP(OWNER_ID_MASK, id)))
#define OWNER_KIND(o) ((u32)FIELD_GET(OWNER_KIND_MASK, (u64)(o)))
#define OWNER_ID(o) ((u32)FIELD_GET(OWNER_ID_MASK, (u64)(o)))

enum owner_kind {
	OWNER_KIND_FREE = 0,
	OWNER_KIND_NONE = 1,	  /* not managed by the allocator */
	OWNER_KIND_HV = 2,	  /* hypervisor data shared by all VMs (permission maps) */
	OWNER_KIND_PGTABLE = 3,	  /* a page-table page not kept for one VM (host tables) */
	OWNER_KIND_GUEST = 4,	  /* guest memory, id = VM id */
	OWNER_KIND_META = 5,	  /* the allocator's own metadata */
	OWNER_KIND_VM_STATE = 6,  /* a VM's control structures (VMCB, VMCS), id = VM id */
	OWNER_KIND_VM_TDP = 7,	  /* a VM's nested tables (NPT, EPT, stage-2), id = VM id */
	OWNER_KIND_VM_SHADOW = 8, /* a VM's shadow MMU: tables, rmap, records, id = VM id */
	OWNER_KIND_VM_INFO = 9,	  /* data umbra writes for a VM to read (arm64 boot info) */
	OWNER_KIND_COUNT,
};
#define OWNER_FREE OWNER(OWNER_KIND_FREE, 0)
#define OWNER_NONE OWNER(OWNER_KIND_NONE, 0)
#define OWNER_HV OWNER(OWNER_KIND_HV, 0)
#define OWNER_PGTABLE OWNER(OWNER_KIND_PGTABLE, 0)
#define OWNER_GUEST(id) OWNER(OWNER_KIND_GUEST, id)
#define OWNER_VM_STATE(id) OWNER(OWNER_KIND_VM_STATE, id)
#define OWNER_VM_TDP(id) OWNER(OWNER_KIND_VM_TDP, id)
#define OWNER_VM_SHADOW(id) OWNER(OWNER_KIND_VM_SHADOW, id)
#define OWNER_VM_INFO(id) OWNER(OWNER_KIND_VM_INFO, id)

#define PALLOC_MAX_ORDER 18 /* up to 1 GiB runs */

enum palloc_err {
	PALLOC_OK = 0,
	PALLOC_ENOMEM = -1,  /* no naturally aligned free run of that size */
	PALLOC_EINVAL = -2,  /* bad order, unaligned or unmanaged address */
	PALLOC_EDOUBLE = -3, /* freeing pages that are already free */
	PALLOC_EOWNER = -4,  /* freeing pages owned by someone else */
};

struct palloc {
	u64 base;	/* first managed page (physical) */
	u64 nr_pages;	/* pages covered by owner[] from base */
	owner_t *owner; /* one entry per page */
	u64 nr_free;
	u64 nr_managed; /* pages that were ever free (RAM minus exclusions) */
	u64 hint;	/* index where the next order-0 search starts */
};

/* Bytes of metadata needed to cover the RAM ranges of a memory map. */
u64 palloc_meta_size(const struct mem_range *map, u32 nr);

/*
 * Set up over the RAM ranges of map (sorted, non-overlapping), with meta as
 * the owner array (palloc_meta_size bytes). Ranges in excl (image, modules,
 * loader data, the metadata itself) are never handed out. RAM ranges are
 * trimmed to whole pages. Returns PALLOC_OK or PALLOC_EINVAL.
 */
int palloc_init(struct palloc *pa, const struct mem_range *map, u32 nr,
		const struct mem_range *excl, u32 nr_excl, void *meta, u64 meta_size);

/* A naturally aligned run of 2^order pages, marked with owner (not FREE/NONE).
 * Returns PALLOC_OK and the address in *out, or PALLOC_ENOMEM / PALLOC_EINVAL. */
int palloc_alloc(struct palloc *pa, u32 order, owner_t owner, hpa_t *out);

/* Give back a run; the caller names the owner it believes holds it.
 * A double free or an owner mismatch is detected, logged and refused. */
int palloc_free(struct palloc *pa, hpa_t addr, u32 order, owner_t owner);

/* Owner of one page; OWNER_NONE outside what is managed. */
owner_t palloc_owner(const struct palloc *pa, hpa_t addr);

/* Number of pages currently held by owner. */
u64 palloc_count(const struct palloc *pa, owner_t owner);

/* In one pass, counts[k] = pages held by OWNER(k, id) for every kind k:
 * with a VM id, everything umbra holds for that VM, by kind. */
void palloc_count_id(const struct palloc *pa, u32 id, u64 counts[OWNER_KIND_COUNT]);

/* "hv", "vm-tdp", ...: the kind's name, as the allocator's messages use it. */
const char *palloc_kind_name(u32 kind);

#endif
