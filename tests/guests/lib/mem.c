/* mem.c: memset/memcpy (rep stosb/movsb), the page allocator, identity page tables, long mode. */
#include "guest.h"

extern char __image_end[];

void *memset(void *d, int c, size_t n)
{
	void *ret = d;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return ret;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return ret;
}

void *page_alloc(void)
{
	static u32 next;
	void *p;

	if (!next)
		next = ((u32)(size_t)__image_end + 0xfff) & ~0xfffu;
	if (next >= ALLOC_END) {
		check(false, "page_alloc", "out of pages below 0x%x", ALLOC_END);
		guest_finish();
	}
	p = (void *)(size_t)next;
	next += 4096;
	return memset(p, 0, 4096);
}

/* Identity mappings at and above 3 GiB (MMIO and unbacked space) are uncached. */
static u32 io_bits(u64 addr)
{
	return addr >= 0xc0000000u ? PTE_PCD | PTE_PWT : 0;
}

u32 *pse32_identity(void)
{
	u32 *pd = page_alloc();

	for (u32 i = 0; i < 1024; i++)
		pd[i] = (i << 22) | PTE_P | PTE_W | PTE_PS | io_bits((u64)i << 22);
	return pd;
}

void pae_identity_pds(u64 *pds[4])
{
	for (u32 g = 0; g < 4; g++) {
		pds[g] = page_alloc();
		for (u32 i = 0; i < 512; i++) {
			u64 addr = ((u64)g << 30) | ((u64)i << 21);
			pds[g][i] = addr | PTE_P | PTE_W | PTE_PS | io_bits(addr);
		}
	}
}

u64 *pae_identity(void)
{
	u64 *pdpt = page_alloc(), *pds[4];

	pae_identity_pds(pds);
	for (u32 g = 0; g < 4; g++)
		pdpt[g] = (u32)(size_t)pds[g] | PTE_P; /* PAE PDPTEs have no R/W or U/S */
	return pdpt;
}

u64 *lm_identity(void)
{
	u64 *pml4 = page_alloc(), *pdpt = page_alloc(), *pds[4];

	pae_identity_pds(pds);
	for (u32 g = 0; g < 4; g++)
		pdpt[g] = (u32)(size_t)pds[g] | PTE_P | PTE_W;
	pml4[0] = (u32)(size_t)pdpt | PTE_P | PTE_W;
	return pml4;
}

void paging_on(u32 cr3, bool pae)
{
	paging_off();
	if (pae)
		write_cr4((read_cr4() & ~CR4_PSE) | CR4_PAE);
	else
		write_cr4((read_cr4() & ~CR4_PAE) | CR4_PSE);
	write_cr3(cr3);
	write_cr0(read_cr0() | CR0_PG);
}

void paging_off(void)
{
	write_cr0(read_cr0() & ~CR0_PG);
}

int lm_call_raw(void (*fn)(void *), void *arg, u32 cr3);

bool lm_run(const char *what, void (*fn)(void *), void *arg, u32 cr3)
{
	if (lm_call_raw(fn, arg, cr3) == 0)
		return true;
	check(false, "unexpected_exception",
	      "in long mode (%s): %s (vector %u) error=0x%x rip=0x%llx cr2=0x%llx", what,
	      vector_name(g_fault.vector), g_fault.vector, g_fault.error, g_fault.ip, g_fault.cr2);
	return false;
}

bool cpu_has_long_mode(void)
{
	return cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & (1u << 29));
}

bool cpu_has_nx(void)
{
	return cpuid(0x80000000, 0).eax >= 0x80000001 && (cpuid(0x80000001, 0).edx & (1u << 20));
}
