/* gwalk.c: guest-virtual to guest-physical through the guest's own tables, with the page-table engine. */
#include "mm/gwalk.h"

#include "arch/x86/msr.h"
#include "mm/pt.h"

/* Guest tables are guest-physical: reach them only through guest RAM. */
static const void *guest_table(void *ctx, u64 addr, size_t len)
{
	return gmem_ptr(ctx, gpa(addr), len);
}

/*
 * Limits: 32-bit paging is read as with CR4.PSE=1 (a PDE with PS set and
 * PSE off, which the CPU would follow as a table pointer, maps nothing here);
 * protection keys and permissions are not checked: the caller only reads.
 */
bool gwalk_translate(const struct gmem *m, const struct gwalk_regs *r, u64 va, u64 *gpa_out)
{
	struct pt pt;
	struct pt_leaf leaf;
	int rc;

	if (!(r->cr0 & CR0_PG)) {
		*gpa_out = va & 0xFFFFFFFF;
		return true;
	}
	if (r->efer & EFER_LMA) {
		bool la57 = r->cr4 & CR4_LA57;
		rc = pt_attach(&pt, &pt_fmt_x86_64, la57 ? 57 : 48, la57 ? 5 : 4,
			       r->cr3 & GENMASK(51, 12));
		va &= la57 ? GENMASK(56, 0) : GENMASK(47, 0); /* drop the sign extension */
	} else if (r->cr4 & CR4_PAE) {
		rc = pt_attach(&pt, &pt_fmt_x86_pae, 32, 3, r->cr3 & GENMASK(31, 5));
		va &= 0xFFFFFFFF;
	} else {
		rc = pt_attach(&pt, &pt_fmt_x86_32, 32, 2, r->cr3 & GENMASK(31, 12));
		va &= 0xFFFFFFFF;
	}
	if (rc)
		return false;
	pt.map_table = guest_table;
	pt.map_ctx = (void *)m;
	if (!pt_lookup(&pt, va, &leaf))
		return false;
	*gpa_out = leaf.pa + (va - leaf.va);
	return true;
}
