/*
 * test_shadow.c: the shadow MMU against the independent reference: the harness, and fixed cases.
 *
 * A fake CPU walks umbra's shadow tables as the hardware would (4-level
 * when the guest has EFER.LMA, PAE otherwise; CR0.WP=1, NXE always as
 * shadow_hw_efer says, the guest's SMEP) with a small TLB that can fault
 * on stale rights and forgets only when the shadow MMU asks for a flush,
 * when a root is loaded, or on a fault. An access runs the
 * loop a vCPU runs: walk; on #PF ask shadow_page_fault and act on its
 * verdict; and the result (address, guest fault and error code, MMIO,
 * bad table) must equal the reference walk of the guest's tables composed
 * with gmem_translate, and guest RAM afterwards must equal a model copy
 * that only the reference changes (accessed/dirty bits, the data written).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/msr.h"
#include "err.h"
#include "shadow_ref.h"

#define MAX_TRIES 8 /* faults one access may take before it must be done */

const char *sh_acc_name(u32 a)
{
	static const char *const n[] = { "sup read",  "?", "sup write",	 "?",
					 "user read", "?", "user write", "?" };

	if (a & PF_I)
		return (a & PF_U) ? "user fetch" : "sup fetch";
	return n[a & 7];
}

/* ---------------------------------------------------------------- setup */

/* Guest RAM from 1 MiB host runs with holes between (no guest 2 MiB page is one host run). */
static void alloc_fragmented(struct sh_env *e, u64 ram_bytes)
{
	u64 n = fake_ram_pages() / 256, want = ram_bytes / MiB(1);
	hpa_t *runs = calloc(n, sizeof(*runs));
	u64 got = 0;

	cr_assert(runs);
	while (got < n && palloc_alloc(e->pa, 8, OWNER_HV, &runs[got]) == PALLOC_OK)
		got++;
	cr_assert_geq(got, 2 * want + 1);
	for (u64 i = 0; i < want; i++) {
		cr_assert_eq(palloc_free(e->pa, runs[2 * i + 1], 8, OWNER_HV), PALLOC_OK);
		runs[2 * i + 1].val = 0;
	}
	cr_assert_eq(gmem_alloc(&e->mem, e->pa, ram_bytes, OWNER_GUEST(1)), 0);
	for (u64 i = 0; i < got; i++)
		if (runs[i].val)
			cr_assert_eq(palloc_free(e->pa, runs[i], 8, OWNER_HV), PALLOC_OK);
	free(runs);
	cr_assert_gt(e->mem.nr, 1);
}

void sh_init(struct sh_env *e, u64 ram_bytes, u32 budget, u8 maxphyaddr, bool no_1g,
	     bool fragmented)
{
	memset(e, 0, sizeof(*e));
	u64 pages = ALIGN_UP(2 * ram_bytes / PAGE_SIZE + 3 * (u64)budget + 4096, 256);

	e->pa = fake_ram_init(pages);
	if (fragmented)
		alloc_fragmented(e, ram_bytes);
	else
		cr_assert_eq(gmem_alloc(&e->mem, e->pa, ram_bytes, OWNER_GUEST(1)), 0);
	e->model = calloc(1, ram_bytes);
	cr_assert(e->model);
	e->budget = budget;
	e->maxphyaddr = maxphyaddr;
	e->no_1g = no_1g;
	e->free0 = e->pa->nr_free;
	snprintf(e->what, sizeof(e->what), "shadow test");
	cr_assert_eq(shadow_init(&e->s, &e->mem, e->pa, SH_OWNER, budget, maxphyaddr, no_1g), 0);
	e->live = true;
}

void sh_fini(struct sh_env *e)
{
	if (e->live) {
		shadow_destroy(&e->s);
		e->live = false;
		SH_ASSERT(e, e->pa->nr_free == e->free0,
			  "shadow_destroy left %lld pages allocated (%llu pgtable pages in use)",
			  (long long)(e->free0 - e->pa->nr_free),
			  ULL(palloc_count(e->pa, SH_OWNER)));
	}
	gmem_free(&e->mem);
	free(e->model);
	e->model = NULL;
	fake_ram_fini();
}

bool sh_in_ram(const struct sh_env *e, u64 gpa)
{
	return gpa < e->mem.size;
}

static u64 get(const u8 *p, unsigned width)
{
	u64 v = 0;

	memcpy(&v, p, width);
	return v;
}

void sh_poke(struct sh_env *e, u64 at, u64 val, unsigned width)
{
	cr_assert(sh_in_ram(e, at) && at + width <= e->mem.size);
	cr_assert_eq(gmem_write(&e->mem, gpa(at), &val, width), 0);
	memcpy(e->model + at, &val, width);
}

u64 sh_peek_model(const struct sh_env *e, u64 at, unsigned width)
{
	return get(e->model + at, width);
}

u64 sh_peek_ram(const struct sh_env *e, u64 at, unsigned width)
{
	u64 v = 0;

	cr_assert_eq(gmem_read(&e->mem, gpa(at), &v, width), 0);
	return v;
}

/* ---------------------------------------------------------------- the reference */

static bool model_read(void *ctx, u64 addr, unsigned width, u64 *val)
{
	const struct sh_env *e = ctx;

	if (!sh_in_ram(e, addr))
		return false;
	*val = get(e->model + addr, width);
	return true;
}

void sh_ref(const struct sh_env *e, u64 va, u32 access, struct sref_walk *w)
{
	struct sref_paging p;

	sref_paging_of(&e->regs, e->maxphyaddr, e->no_1g, e->pdpte, &p);
	sref_walk(&p, model_read, (void *)e, va, access, w);
}

/* ---------------------------------------------------------------- loading roots */

static bool is_pae(const struct gwalk_regs *r)
{
	return (r->cr0 & CR0_PG) && (r->cr4 & CR4_PAE) && !(r->efer & EFER_LMA);
}

/* MOV to CR3 under PAE loads the PDPTEs; false: #GP (outside RAM, reserved bits). */
static bool ref_load_pdptes(struct sh_env *e, u64 cr3, u64 out[4])
{
	u64 base = cr3 & GENMASK(31, 5);

	for (unsigned i = 0; i < 4; i++) {
		if (!model_read(e, base + 8 * i, 8, &out[i]))
			return false;
		if ((out[i] & X86_P) && (out[i] & sref_pdpte_rsvd(e->maxphyaddr)))
			return false;
	}
	return true;
}

int sh_load(struct sh_env *e, u64 cr0, u64 cr3, u64 cr4, u64 efer)
{
	struct gwalk_regs r = { .cr0 = cr0,
				.cr3 = cr3,
				.cr4 = cr4,
				.efer = efer,
				.maxphyaddr = e->maxphyaddr,
				.no_1g = e->no_1g };
	u64 pdpte[4] = { 0 }, hw = ~0ULL;
	bool ok = !is_pae(&r) || ref_load_pdptes(e, cr3, pdpte);
	int rc;

	SH_ASSERT(e, shadow_pdptes_ok(&e->s, &r) == ok,
		  "shadow_pdptes_ok(cr3 0x%llx) = %d, but the PDPTEs are %s", ULL(cr3), !ok,
		  ok ? "fine" : "bad (#GP)");
	rc = shadow_load_root(&e->s, &r, &hw);
	if (!ok) {
		SH_ASSERT(e, rc == -ERR_RANGE, "shadow_load_root with bad PDPTEs = %d", rc);
		sh_hw_enter(e);
		return rc;
	}
	if (rc == -ERR_NOMEM && e->nomem_ok)
		return rc;
	SH_ASSERT(e, rc == 0, "shadow_load_root(cr0 0x%llx cr3 0x%llx cr4 0x%llx efer 0x%llx) = %d",
		  ULL(cr0), ULL(cr3), ULL(cr4), ULL(efer), rc);
	e->regs = r;
	memcpy(e->pdpte, pdpte, sizeof(pdpte));
	e->hw_cr3 = hw;
	e->n.loads++;
	/* The back ends flush the ASID/VPID on every CR0/CR3/CR4 write (vmx_cr.c, svm.c). */
	sh_tlb_flush(e);
	sh_hw_enter(e);
	return 0;
}

int sh_reload(struct sh_env *e)
{
	return sh_load(e, e->regs.cr0, e->regs.cr3, e->regs.cr4, e->regs.efer);
}

void sh_invlpg(struct sh_env *e, u64 va)
{
	shadow_invlpg(&e->s, va);
	e->n.invlpg++;
	sh_hw_enter(e);
}

/* ---------------------------------------------------------------- accesses */

/* The vCPU's answer to a SHADOW_PT_WRITE: emulate, or unprotect and retry natively. */
static bool pt_write(struct sh_env *e, u64 va, u32 access, const struct shadow_fault *f, u64 val,
		     unsigned len, struct sh_out *o)
{
	e->n.ptw++;
	SH_ASSERT(e, access & PF_W,
		  "va 0x%llx %s: SHADOW_PT_WRITE for an access that does not write", ULL(va),
		  sh_acc_name(access));
	SH_ASSERT(e, sh_in_ram(e, f->gpa) && (f->gpa & (PAGE_SIZE - 1)) + len <= PAGE_SIZE,
		  "va 0x%llx %s: SHADOW_PT_WRITE at gpa 0x%llx", ULL(va), sh_acc_name(access),
		  ULL(f->gpa));
	if (shadow_pt_write(&e->s, f->gpa, &val, len)) {
		e->n.ptw_true++;
		sh_hw_enter(e);
		*o = (struct sh_out){ .kind = SH_OK, .ptw = true, .gpa = f->gpa };
		return true;
	}
	/* Assumed: false means nothing was stored; the guest runs the write again. */
	e->n.unprot++;
	SH_ASSERT(e, shadow_unprotect(&e->s, f->gpa),
		  "va 0x%llx: shadow_pt_write refused the write to gpa 0x%llx and shadow_unprotect "
		  "cannot let the page go: vshadow would end the guest for a plain write",
		  ULL(va), ULL(f->gpa));
	sh_hw_enter(e);
	return false;
}

/* One #PF exit; true when the access is over (o filled). */
static bool exit_pf(struct sh_env *e, u64 va, u32 access, u32 hw_error, u64 val, unsigned len,
		    struct sh_out *o)
{
	struct shadow_fault f;

	memset(&f, 0xA5, sizeof(f));
	shadow_page_fault(&e->s, va, hw_error, &f);
	e->n.faults++;
	sh_hw_enter(e);
	switch (f.verdict) {
	case SHADOW_FIXED:
		e->n.fixed++;
		return false;
	case SHADOW_GUEST_PF:
		e->n.guest_pf++;
		*o = (struct sh_out){ .kind = SH_PF, .error = f.error };
		return true;
	case SHADOW_MMIO:
		e->n.mmio++;
		*o = (struct sh_out){ .kind = SH_MMIO, .gpa = f.gpa };
		return true;
	case SHADOW_PT_WRITE:
		return pt_write(e, va, access, &f, val, len, o);
	case SHADOW_BAD_TABLE:
		*o = (struct sh_out){ .kind = SH_BAD, .gpa = f.gpa };
		return true;
	case SHADOW_NOMEM:
		SH_ASSERT(e, e->nomem_ok, "va 0x%llx %s: SHADOW_NOMEM (budget %u, %u used)",
			  ULL(va), sh_acc_name(access), e->budget, shadow_pages_used(&e->s));
		*o = (struct sh_out){ .kind = SH_NOMEM };
		return true;
	}
	SH_ASSERT(e, false, "va 0x%llx: shadow_page_fault gave verdict %d", ULL(va),
		  (int)f.verdict);
	return true;
}

void sh_access(struct sh_env *e, u64 va, u32 access, u64 val, unsigned len, struct sh_out *o)
{
	struct sh_hw_res h;

	*o = (struct sh_out){ 0 };
	for (unsigned tries = 0; tries < MAX_TRIES; tries++) {
		sh_hw_translate(e, va, access, &h);
		if (h.ok) {
			*o = (struct sh_out){ .kind = SH_OK, .hpa = h.hpa };
			if (access & PF_W)
				memcpy(phys_to_virt(hpa(h.hpa)), &val, len);
			return;
		}
		if (exit_pf(e, va, access, h.error, val, len, o))
			return;
	}
	SH_ASSERT(e, false, "va 0x%llx %s: the CPU still faults after %u exits (hw error 0x%x)",
		  ULL(va), sh_acc_name(access), MAX_TRIES, h.error);
}

/* ---------------------------------------------------------------- fixed cases */

#define P X86_P
#define RW X86_RW
#define US X86_US
#define PS X86_PS
#define XD X86_XD
#define CR0_ON (CR0_PE | CR0_PG | CR0_WP)
#define LM_EFER (EFER_LME | EFER_LMA | EFER_NXE)
#define ROOT 0x1000ULL

static struct sh_env env;

static void init(u64 ram, u32 budget, u8 maxphyaddr, bool no_1g, bool fragmented)
{
	sh_init(&env, ram, budget, maxphyaddr, no_1g, fragmented);
	env.tab_next = 0x10000;
}

static void fini(void)
{
	if (env.live) {
		sh_check_stats(&env);
		sh_check_ram(&env);
	}
	sh_fini(&env);
}

TestSuite(shadow, .fini = fini, .timeout = 60);

static void put(u64 at, u64 v)
{
	sh_poke(&env, at, v, 8);
}

static void put32(u64 at, u64 v)
{
	sh_poke(&env, at, v, 4);
}

#define want(...) sh_want(&env, __VA_ARGS__)
#define map4k(...) sh_map4k(&env, __VA_ARGS__)

#define R ACC_R
#define W ACC_W
#define X ACC_X
#define U ACC_U

Test(shadow, paging_off_is_identity_with_mmio_past_ram)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 36, false, false);
	cr_assert_eq(sh_load(&env, CR0_PE, 0, 0, 0), 0);
	want(0x1230, R, SH_OK, 0x1230);
	want(0x5008, W, SH_OK, 0x5008);
	want(0x7ff000, U | X, SH_OK, 0x7ff000);
	want(0x7ffff8, U | W, SH_OK, 0x7ffff8);
	want(0x800000, R, SH_MMIO, 0x800000);
	want(0xFEE00000, W, SH_MMIO, 0xFEE00000);
	want(0x1230, U | R, SH_OK, 0x1230);
}

Test(shadow, paging_32bit_4k_4m_pse36_and_reserved_bits)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 36, false, false);
	put32(ROOT + 0 * 4, 0x2000 | P | RW | US);
	put32(0x2000 + 5 * 4, 0x105000 | P | RW | US);
	put32(ROOT + 1 * 4, 0x400000 | P | PS | RW);	  /* 4 MiB, supervisor */
	put32(ROOT + 2 * 4, 0x800000 | P | PS | RW | US); /* past RAM */
	put32(ROOT + 3 * 4, 0x400000 | P | PS | BIT(21)); /* reserved */
	put32(ROOT + 4 * 4, 0x000000 | P | PS | BIT(13)); /* PSE-36: 4 GiB */
	put32(ROOT + 5 * 4, 0x000000 | P | PS | BIT(17)); /* address bit 36 >= MAXPHYADDR */
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PSE, 0), 0);
	want(0x5120, R, SH_OK, 0x105120);
	want(0x5008, U | W, SH_OK, 0x105008);
	want(0x401230, R, SH_OK, 0x401230);
	want(0x401230, U | R, SH_PF, PF_P | PF_U);
	want(0x401238, W, SH_OK, 0x401238);
	want(0x800010, U | R, SH_MMIO, 0x800010);
	want(0xC00000, R, SH_PF, PF_P | PF_RSVD);
	want(0x1000010, R, SH_MMIO, 0x100000010ULL);
	want(0x1400000, W, SH_PF, PF_P | PF_RSVD | PF_W);
	want(0x6000, U | W, SH_PF, PF_W | PF_U);
	want(0x5000, X, SH_OK, 0x105000);
	/* Without CR4.PSE the PS bit means nothing: PDE 1 points to a table at 0x400000. */
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, 0, 0), 0);
	want(0x401230, R, SH_PF, 0);
	want(0x5120, R, SH_OK, 0x105120);
}

Test(shadow, pae_2m_pages_xd_and_reserved_bits)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 36, false, false);
	put(0x1020, 0x3000 | P); /* the PDPT need not be page aligned */
	put(0x1038, 0x5000 | P);
	put(0x3000, 0x200000 | P | RW | PS);
	put(0x3008, 0x4000 | P | RW | US);
	put(0x4000 + 3 * 8, 0x109000 | P | US);
	put(0x4000 + 4 * 8, 0x10A000 | P | RW | US | XD);
	put(0x3010, 0x400000 | P | PS | BIT(62));      /* PAE reserves 62:MAXPHYADDR */
	put(0x3018, 0x600000 | P | PS | US | BIT(13)); /* a 2 MiB page's low reserved bits */
	put(0x3020, 0x700000 | P | PS | BIT(36));      /* above MAXPHYADDR */
	put(0x5000 + 511 * 8, 0x600000 | P | RW | US | PS);
	cr_assert_eq(sh_load(&env, CR0_ON, 0x1020, CR4_PAE, EFER_NXE), 0);
	want(0x1230, R, SH_OK, 0x201230);
	want(0x203450, U | R, SH_OK, 0x109450);
	want(0x203450, U | W, SH_PF, PF_P | PF_W | PF_U);
	want(0x203450, W, SH_PF, PF_P | PF_W);
	want(0x204000, X, SH_PF, PF_P | PF_I);
	want(0x204000, U | W, SH_OK, 0x10A000);
	want(0x203000, U | X, SH_OK, 0x109000);
	want(0x40000000, R, SH_PF, 0);
	want(0x400000, R, SH_PF, PF_P | PF_RSVD);
	want(0x600000, U | X, SH_PF, PF_P | PF_RSVD | PF_U | PF_I);
	want(0x800000, W, SH_PF, PF_P | PF_RSVD | PF_W);
	want(0xFFE00010, U | W, SH_OK, 0x600010);
	/* Without NXE bit 63 is reserved, and a fetch is not reported as one (no SMEP). */
	cr_assert_eq(sh_load(&env, CR0_ON, 0x1020, CR4_PAE, 0), 0);
	want(0x204000, R, SH_PF, PF_P | PF_RSVD);
	want(0x204000, X, SH_PF, PF_P | PF_RSVD);
	want(0x203000, U | X, SH_OK, 0x109000);
	want(0x205000, U | X, SH_PF, PF_U);
}

Test(shadow, four_level_1g_2m_4k_mmio_and_bad_tables)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	put(ROOT, 0x2000 | P | RW | US);
	put(ROOT + 256 * 8, 0x2000 | P | RW | US); /* the same PDPT for the high half */
	put(ROOT + 8, 0x2000 | P | PS);		   /* PS is reserved in a PML4E */
	put(0x2000, 0x3000 | P | RW | US);
	put(0x2008, 0x0 | P | RW | US | PS); /* 1 GiB at 0: RAM, then MMIO */
	put(0x2010, 0x40000000 | P | PS | BIT(13));
	put(0x3000, 0x4000 | P | RW | US);
	put(0x3008, 0x200000 | P | RW | US | PS);
	put(0x3010, 0x4000 | P | RW | US | BIT(52) | BIT(62)); /* 62:52 are ignored in 4-level */
	put(0x3018, 0x40000000 | P | RW);		       /* a table past RAM */
	put(0x4000 + 8, 0x105000 | P | RW | US);
	put(0x4000 + 16, 0x106000 | P | BIT(46)); /* at MAXPHYADDR 46 */
	put(0x4000 + 24, 0x900000 | P | RW);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x1010, R, SH_OK, 0x105010);
	want(0xffff800000001018ULL, U | W, SH_OK, 0x105018);
	want(0x200018, U | W, SH_OK, 0x200018);
	want(0x40000000 + 0x7ff000, U | R, SH_OK, 0x7ff000);
	want(0x40000000 + 0x800000, R, SH_MMIO, 0x800000);
	want(0x80000000ULL, R, SH_PF, PF_P | PF_RSVD);
	want(1ULL << 39, R, SH_PF, PF_P | PF_RSVD);
	want(0x401010, R, SH_OK, 0x105010);
	want(0x2000, R, SH_PF, PF_P | PF_RSVD);
	want(0x3000, W, SH_MMIO, 0x900000);
	want(0x600000, R, SH_BAD, 0x40000000);
	want(0x5000, U | R, SH_PF, PF_U);
}

Test(shadow, one_gib_pages_are_reserved_without_cpu_support)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, true, false);
	put(ROOT, 0x2000 | P | RW);
	put(0x2008, P | RW | PS);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x40001000, R, SH_PF, PF_P | PF_RSVD);
}

Test(shadow, writes_to_read_only_pages_and_cr0_wp)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	map4k(ROOT, 0x10000000, 0x120000, P | US);
	map4k(ROOT, 0x10001000, 0x121000, P);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x10000000, U | R, SH_OK, 0x120000);
	want(0x10000008, U | W, SH_PF, PF_P | PF_W | PF_U);
	want(0x10000008, W, SH_PF, PF_P | PF_W);
	want(0x10001008, W, SH_PF, PF_P | PF_W);
	cr_assert_eq(sh_load(&env, CR0_PE | CR0_PG, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x10000008, W, SH_OK, 0x120008);
	want(0x10001008, W, SH_OK, 0x121008);
	want(0x10000010, U | W, SH_PF, PF_P | PF_W | PF_U);
	want(0x10000000, U | R, SH_OK, 0x120000);
	want(0x10000018, W, SH_OK, 0x120018);
	want(0x10000000, U | X, SH_OK, 0x120000);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x10000008, W, SH_PF, PF_P | PF_W);
	want(0x10000000, U | R, SH_OK, 0x120000);
}

Test(shadow, nx_and_smep)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	map4k(ROOT, 0x20000000, 0x130000, P | RW | US);
	map4k(ROOT, 0x20001000, 0x131000, P | RW | XD);
	map4k(ROOT, 0x20002000, 0x132000, P | RW);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE | X86_CR4_SMEP, LM_EFER), 0);
	want(0x20000000, X, SH_PF, PF_P | PF_I);
	want(0x20000000, R, SH_OK, 0x130000);
	want(0x20000000, U | X, SH_OK, 0x130000);
	want(0x20001000, X, SH_PF, PF_P | PF_I);
	want(0x20002000, X, SH_OK, 0x132000);
	want(0x20002000, U | R, SH_PF, PF_P | PF_U);
	want(0x20003000, X, SH_PF, PF_I);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, EFER_LME | EFER_LMA), 0);
	want(0x20000000, X, SH_OK, 0x130000);
	want(0x20001000, R, SH_PF, PF_P | PF_RSVD);
	want(0x20001000, X, SH_PF, PF_P | PF_RSVD);
	want(0x20003000, X, SH_PF, 0);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE | X86_CR4_SMEP, EFER_LME | EFER_LMA), 0);
	want(0x20001000, X, SH_PF, PF_P | PF_RSVD | PF_I);
	want(0x20000000, X, SH_PF, PF_P | PF_I);
}

/* CR0.WP=0 lets ring 0 write a user read-only page; SMEP must still stop ring 0 running it. */
static void wp_off_smep(u64 efer)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	map4k(ROOT, 0x20000000, 0x130000, P | US);
	cr_assert_eq(sh_load(&env, CR0_PE | CR0_PG, ROOT, CR4_PAE | X86_CR4_SMEP, efer), 0);
	want(0x20000008, W, SH_OK, 0x130008);
	want(0x20000000, X, SH_PF, PF_P | PF_I);
	want(0x20000010, W, SH_OK, 0x130010);
	want(0x20000000, U | X, SH_OK, 0x130000);
	want(0x20000000, X, SH_PF, PF_P | PF_I);
}

Test(shadow, cr0_wp_off_with_smep)
{
	wp_off_smep(EFER_LME | EFER_LMA | EFER_NXE);
}

Test(shadow, cr0_wp_off_with_smep_and_no_nx)
{
	wp_off_smep(EFER_LME | EFER_LMA);
}

/* With paging off there are no page rights: CR4.SMEP does not apply (SDM 4.6). */
Test(shadow, paging_off_ignores_smep)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 36, false, false);
	cr_assert_eq(sh_load(&env, CR0_PE, 0, X86_CR4_SMEP, 0), 0);
	want(0x3000, U | R, SH_OK, 0x3000);
	want(0x3000, X, SH_OK, 0x3000);
	want(0x3008, W, SH_OK, 0x3008);
	want(0x3000, U | X, SH_OK, 0x3000);
}

/* SDM 4.7: I is reported with SMEP, or with CR4.PAE and NXE: not for NXE alone in 32-bit paging. */
Test(shadow, paging_32bit_reports_fetches_only_with_smep)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 36, false, false);
	put32(ROOT, 0x2000 | P | RW | US);
	put32(0x2000 + 5 * 4, 0x105000 | P | RW | US);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, 0, EFER_NXE), 0);
	want(0x7000, U | X, SH_PF, PF_U);
	want(0x5000, U | X, SH_OK, 0x105000);
	want(0x5000, X, SH_OK, 0x105000);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, X86_CR4_SMEP, EFER_NXE), 0);
	want(0x7000, U | X, SH_PF, PF_U | PF_I);
	want(0x5000, X, SH_PF, PF_P | PF_I);
	want(0x5000, U | X, SH_OK, 0x105000);
}

Test(shadow, accessed_and_dirty_bits_are_set_as_the_cpu_sets_them)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	map4k(ROOT, 0x30000000, 0x140000, P | RW | US);
	map4k(ROOT, 0x7000, sh_pt_of(&env, ROOT, 0x30000000),
	      P | RW); /* the PT, for the guest to edit */
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x30000000, U | R, SH_OK, 0x140000); /* A on 4 levels, no D: sh_check compares */
	u64 faults = env.n.faults;
	want(0x30000008, U | W, SH_OK, 0x140008);
	cr_assert_gt(env.n.faults, faults, "the first write after a read must fault to set D");
	/* The guest clears A and D in the PTE and flushes; the next accesses set them again. */
	struct sh_out o;
	sh_check(&env, 0x7000, W, 0x140000 | P | RW | US, 8, &o);
	sh_invlpg(&env, 0x30000000);
	want(0x30000000, R, SH_OK, 0x140000);
	want(0x30000010, W, SH_OK, 0x140010);
}

Test(shadow, a_table_write_through_the_tables_own_mapping_is_emulated)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	map4k(ROOT, 0x1000, 0x150000, P | RW | US);
	u64 pt = sh_pt_of(&env, ROOT, 0x1000);
	map4k(ROOT, 0x7000, pt, P | RW); /* the PT maps itself at index 7 */
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x1000, R, SH_OK, 0x150000);
	want(0x7000, R, SH_OK, pt);
	struct sh_out o;
	sh_check(&env, 0x7008, W, 0x151000 | P | RW | US, 8, &o);
	cr_assert(o.ptw, "a write to a shadowed page table must trap (SHADOW_PT_WRITE)");
	sh_invlpg(&env, 0x1000);
	want(0x1000, U | R, SH_OK, 0x151000);
	/* Not present to present needs no flush. */
	sh_check(&env, 0x7040, W, 0x152000 | P | RW, 8, &o);
	want(0x8000, W, SH_OK, 0x152000);
	sh_check(&env, 0x7008, W, 0, 8, &o);
	sh_invlpg(&env, 0x1000);
	want(0x1000, R, SH_PF, 0);
	/* A 4-byte write to half an entry. */
	sh_check(&env, 0x700c, W, 0x80000000u, 4, &o);
	want(0x1000, R, SH_PF, 0);
	sh_check(&env, 0x7008, W, 0x153000 | P | RW | US, 4, &o);
	want(0x1000, R, SH_OK, 0x153000);
	want(0x1000, X, SH_PF, PF_P | PF_I);
}

Test(shadow, recursive_pml4_entry)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	put(ROOT + 510 * 8, ROOT | P | RW);
	map4k(ROOT, 0x1000, 0x160000, P | RW | US);
	u64 pt = sh_pt_of(&env, ROOT, 0x1000);
	u64 rec = GENMASK(63, 48) | (510ULL << 39);
	u64 pte_va = rec | ((0x1000 >> 9) & GENMASK(38, 3));
	u64 pml4_va = rec | (510ULL << 30) | (510ULL << 21) | (510ULL << 12);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x1000, R, SH_OK, 0x160000);
	want(pte_va, R, SH_OK, pt + 8);
	want(pml4_va + 510 * 8, R, SH_OK, ROOT + 510 * 8);
	want(pml4_va, U | R, SH_PF, PF_P | PF_U);
	struct sh_out o;
	sh_check(&env, pte_va, W, 0x161000 | P | RW | US, 8, &o);
	cr_assert(o.ptw);
	sh_invlpg(&env, 0x1000);
	want(0x1000, R, SH_OK, 0x161000);
	/* A new top-level entry, written through the table's own recursive address. */
	sh_check(&env, pml4_va + 5 * 8, W, 0x2000 | P | RW, 8, &o);
	put(0x2000, 0x3000 | P | RW);
	want((5ULL << 39), R, SH_PF, 0);
	want(pml4_va + 5 * 8, R, SH_OK, ROOT + 5 * 8);
}

Test(shadow, pae_pdptes_are_checked_and_kept_from_the_cr3_load)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 36, false, false);
	put(0x1000, 0x3000 | P);
	put(0x3000, 0x200000 | P | RW | PS);
	cr_assert_eq(sh_load(&env, CR0_ON, 0x1000, CR4_PAE, 0), 0);
	want(0x1230, R, SH_OK, 0x201230);
	put(0x2000, 0x3000 | P | RW); /* R/W is reserved in a PAE PDPTE */
	cr_assert_eq(sh_load(&env, CR0_ON, 0x2000, CR4_PAE, 0), -ERR_RANGE);
	put(0x2000, 0x3000 | P | BIT(40));
	cr_assert_eq(sh_load(&env, CR0_ON, 0x2000, CR4_PAE, 0), -ERR_RANGE);
	cr_assert_eq(sh_load(&env, CR0_ON, 0x900000, CR4_PAE, 0), -ERR_RANGE);
	want(0x1230, R, SH_OK, 0x201230);	/* the old root is still the one in use */
	put(0x2000, 0x3000 | BIT(40) | BIT(1)); /* not present: nothing is reserved */
	put(0x2008, 0x3000 | P);
	cr_assert_eq(sh_load(&env, CR0_ON, 0x2000, CR4_PAE, 0), 0);
	want(0x1230, R, SH_PF, 0);
	want(0x40001230, R, SH_OK, 0x201230);
}

Test(shadow, a_table_written_with_paging_off_is_seen_when_paging_is_back)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 36, false, false);
	put32(ROOT, 0x2000 | P | RW | US);
	put32(0x2000 + 5 * 4, 0x105000 | P | RW | US);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, 0, 0), 0);
	want(0x5000, R, SH_OK, 0x105000);
	cr_assert_eq(sh_load(&env, CR0_PE, ROOT, 0, 0), 0);
	struct sh_out o;
	sh_check(&env, 0x2000 + 5 * 4, W, 0x106000 | P | RW | US, 4, &o);
	sh_check(&env, ROOT + 4, W, 0x2000 | P | RW | US, 4, &o);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, 0, 0), 0);
	want(0x5000, R, SH_OK, 0x106000);
	want(0x405000, R, SH_OK, 0x106000);
}

Test(shadow, large_pages_over_fragmented_host_memory)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, true);
	put(ROOT, 0x2000 | P | RW | US);
	put(0x2000, 0x3000 | P | RW | US);
	put(0x3008, 0x200000 | P | RW | US | PS);
	put(0x2008, 0x0 | P | RW | US | PS);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x201000, R, SH_OK, 0x201000);
	want(0x380008, W, SH_OK, 0x380008);
	want(0x2ffff8, U | W, SH_OK, 0x2ffff8);
	want(0x40000000 + 0x5ff000, R, SH_OK, 0x5ff000);
	want(0x40000000 + 0x600000, R, SH_OK, 0x600000);
}

Test(shadow, a_4m_page_partly_past_ram_in_32bit_paging)
{
	init(MiB(6), SHADOW_DEFAULT_BUDGET, 36, false, false);
	put32(ROOT + 1 * 4, 0x400000 | P | PS | RW | US);
	put32(ROOT, 0x000000 | P | PS | RW);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PSE, 0), 0);
	want(0x5ff008, U | W, SH_OK, 0x5ff008);
	want(0x400000, R, SH_OK, 0x400000);
	want(0x600000, R, SH_MMIO, 0x600000);
	want(0x7ff008, U | W, SH_MMIO, 0x7ff008);
	want(0x3ff000, X, SH_OK, 0x3ff000);
	want(0x3ff000, U | R, SH_PF, PF_P | PF_U);
}

Test(shadow, one_table_used_at_two_levels)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	put(ROOT, 0x2000 | P | RW | US);
	put(0x2000, 0x3000 | P | RW | US);
	put(0x3000, 0x3000 | P | RW | US); /* PD[0] -> itself as the PT; as a PTE: maps itself */
	put(0x3008, 0x105000 | P | RW | US);
	put(0x106000, 0x107000 | P | RW | US);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	want(0x1000, R, SH_OK, 0x105000);
	want(0x0, R, SH_OK, 0x3000);
	want(0x200000, R, SH_PF, 0);
	struct sh_out o;
	sh_check(&env, 0x8, W, 0x106000 | P | RW | US, 8, &o);
	cr_assert(o.ptw);
	cr_assert_eq(sh_reload(&env), 0); /* a PDE changed too: the guest reloads CR3 */
	want(0x1008, U | W, SH_OK, 0x106008);
	want(0x200000, U | R, SH_OK, 0x107000);
	want(0x0, R, SH_OK, 0x3000);
}

Test(shadow, counters)
{
	init(MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	map4k(ROOT, 0x1000, 0x105000, P | RW | US);
	map4k(ROOT, 0x2000, 0x900000, P | RW | US);
	cr_assert_eq(sh_load(&env, CR0_ON, ROOT, CR4_PAE, LM_EFER), 0);
	cr_assert_eq(env.s.stats.roots_built, 1);
	want(0x1000, R, SH_OK, 0x105000);
	cr_assert_geq(env.s.stats.fixed, 1);
	want(0x3000, R, SH_PF, 0);
	want(0x2000, R, SH_MMIO, 0x900000);
	sh_invlpg(&env, 0x1000);
	cr_assert_eq(env.s.stats.guest_pf, 1);
	cr_assert_eq(env.s.stats.mmio, 1);
	cr_assert_eq(env.s.stats.invlpg, 1);
	cr_assert_eq(sh_reload(&env), 0);
	cr_assert_eq(env.s.stats.roots_reused, 1);
	cr_assert_geq(env.s.stats.pages_peak, 4);
}

/*
 * A spurious fault: the CPU may fault from a stale, narrower TLB entry after
 * a shadow entry was widened without a flush (SDM 4.10.4.3); the guest's
 * tables allow the access, so it must go on, not get a #PF.
 */
Test(shadow_random, a_fault_from_a_stale_tlb_entry_is_not_the_guests)
{
	sh_init(&env, MiB(8), SHADOW_DEFAULT_BUDGET, 46, false, false);
	sh_poke(&env, 0x1000, 0x2000 | P | RW | US, 8);
	sh_poke(&env, 0x2000, 0x3000 | P | RW | US, 8);
	sh_poke(&env, 0x3000, 0x4000 | P | RW | US, 8); /* PD[0] and PD[1]: the same PT */
	sh_poke(&env, 0x3008, 0x4000 | P | RW | US, 8);
	sh_poke(&env, 0x4008, 0x105000 | P | RW | US, 8);
	cr_assert_eq(sh_load(&env, CR0_ON, 0x1000, CR4_PAE, LM_EFER), 0);
	want(0x1000, R, SH_OK, 0x105000);   /* the TLB holds it read-only */
	want(0x201008, W, SH_OK, 0x105008); /* the shared leaf becomes writable */
	want(0x1010, W, SH_OK, 0x105010);
}

/* shadow_init without the memory it needs: -ERR_NOMEM, and nothing stays allocated. */
Test(shadow, init_short_of_memory_leaves_nothing_allocated)
{
	static const u64 left[] = { 0, 1, 2, 5, 17, 64, 300 };
	struct palloc *pa = fake_ram_init(4096);
	struct shadow_mmu s;

	cr_assert_eq(gmem_alloc(&env.mem, pa, MiB(8), OWNER_GUEST(1)), 0);
	for (size_t i = 0; i < ARRAY_SIZE(left); i++) {
		cr_assert(fake_ram_squeeze(pa, left[i]));
		u64 free0 = pa->nr_free;
		int rc = shadow_init(&s, &env.mem, pa, SH_OWNER, SHADOW_DEFAULT_BUDGET, 46, false);
		if (rc == 0)
			shadow_destroy(&s);
		cr_assert(rc == 0 || rc == -ERR_NOMEM, "shadow_init = %d", rc);
		cr_assert_eq(pa->nr_free, free0, "%llu pages free before, %llu after (rc %d)",
			     ULL(free0), ULL(pa->nr_free), rc);
		fake_ram_unsqueeze(pa);
	}
}
