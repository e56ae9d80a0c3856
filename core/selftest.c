/* selftest.c: boot-time checks of umbra's own exception handling, allocator and page tables. */
#include "core/selftest.h"

#include "core/arch.h"
#include "core/console.h"
#include "core/image.h"
#include "core/log.h"

struct tally {
	u32 passed, failed;
};

static void check(struct tally *t, bool ok, const char *what)
{
	kprintf("selftest: %s: %s\n", what, ok ? "ok" : "FAILED");
	if (ok)
		t->passed++;
	else
		t->failed++;
}

static void check_traps(struct tally *t)
{
	u64 before = arch_breakpoint_selftest();
	u64 after = arch_breakpoint_selftest();
	check(t, after == before + 1, "breakpoint exception handled and resumed");
}

static void check_allocator(struct tally *t, struct palloc *pa)
{
	hpa_t p, big;
	u64 free0 = pa->nr_free;

	bool ok = palloc_alloc(pa, 0, OWNER_HV, &p) == PALLOC_OK;
	check(t, ok && IS_ALIGNED(p.val, PAGE_SIZE) && palloc_owner(pa, p) == OWNER_HV,
	      "allocator: page allocated, aligned and owned");
	ok = palloc_alloc(pa, 9, OWNER_HV, &big) == PALLOC_OK;
	check(t, ok && IS_ALIGNED(big.val, MiB(2)), "allocator: 2 MiB run naturally aligned");
	if (ok)
		palloc_free(pa, big, 9, OWNER_HV);

	pr_info("selftest: the next two refusals are expected\n");
	check(t, palloc_free(pa, p, 0, OWNER_PGTABLE) == PALLOC_EOWNER,
	      "allocator: free by the wrong owner refused");
	palloc_free(pa, p, 0, OWNER_HV);
	check(t, palloc_free(pa, p, 0, OWNER_HV) == PALLOC_EDOUBLE,
	      "allocator: double free refused");
	check(t, pa->nr_free == free0, "allocator: free count restored");
	check(t, palloc_owner(pa, hpa(image_addr(__text_start))) == OWNER_NONE,
	      "allocator: hypervisor image never handed out");
}

static void check_paging(struct tally *t, struct palloc *pa)
{
	struct arch_map_info m;
	hpa_t p;

	m = arch_paging_query(image_addr(__text_start));
	check(t, m.present && !m.writable && m.executable, "paging: text read-only, executable");
	m = arch_paging_query(image_addr(__rodata_start));
	check(t, m.present && !m.writable && !m.executable, "paging: rodata read-only, no-execute");
	m = arch_paging_query(image_addr(__data_start));
	check(t, m.present && m.writable && !m.executable, "paging: data writable, no-execute");
	m = arch_paging_query(0);
	check(t, !m.present, "paging: page 0 unmapped");
	if (palloc_alloc(pa, 0, OWNER_HV, &p) == PALLOC_OK) {
		m = arch_paging_query(p.val);
		check(t, m.present && m.writable && !m.executable,
		      "paging: allocated RAM writable, no-execute");
		palloc_free(pa, p, 0, OWNER_HV);
	} else {
		check(t, false, "paging: allocated RAM writable, no-execute");
	}
}

bool selftest_run(const struct boot_info *bi, struct palloc *pa)
{
	struct tally t = { 0, 0 };

	check(&t, bi->nr_mem > 0, "boot info: memory map present");
	check_traps(&t);
	check_allocator(&t, pa);
	check_paging(&t, pa);
	kprintf("selftest: %u passed, %u failed\n", t.passed, t.failed);
	return t.failed == 0;
}
