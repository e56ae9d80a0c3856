/* cpu.h: x86 instructions the hypervisor uses as a host: port I/O, CPUID, MSRs, control registers. */
#ifndef UMBRA_X86_CPU_H
#define UMBRA_X86_CPU_H

#include "arch/x86/msr.h"
#include "compiler.h"
#include "types.h"

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

struct cpuid_regs {
	u32 eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(u32 leaf, u32 subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

#define DEFINE_READ_CR(n)                                         \
	static inline u64 read_cr##n(void)                        \
	{                                                         \
		u64 v;                                            \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); \
		return v;                                         \
	}
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)

static inline void write_cr2(u64 v)
{
	__asm__ volatile("mov %0, %%cr2" : : "r"(v) : "memory");
}
static inline void write_cr3(u64 v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline void write_cr4(u64 v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
static inline void write_cr0(u64 v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

/*
 * A pointer to physical address pa through umbra's identity map. The empty asm
 * hides the constant from the compiler, which otherwise treats a small
 * absolute address as a null-pointer offset and warns.
 */
static inline void *phys_ptr(u64 pa)
{
	void *p;
	__asm__("" : "=r"(p) : "0"(pa));
	return p;
}

#define DEFINE_DR(n)                                              \
	static inline u64 read_dr##n(void)                        \
	{                                                         \
		u64 v;                                            \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v)); \
		return v;                                         \
	}                                                         \
	static inline void write_dr##n(u64 v)                     \
	{                                                         \
		__asm__ volatile("mov %0, %%db" #n : : "r"(v));   \
	}
DEFINE_DR(0)
DEFINE_DR(1)
DEFINE_DR(2)
DEFINE_DR(3)
DEFINE_DR(6)

static inline u64 read_dr(int n)
{
	return n == 0 ? read_dr0() : n == 1 ? read_dr1() : n == 2 ? read_dr2() : read_dr3();
}

static inline void write_dr(int n, u64 v)
{
	if (n == 0)
		write_dr0(v);
	else if (n == 1)
		write_dr1(v);
	else if (n == 2)
		write_dr2(v);
	else
		write_dr3(v);
}

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline __noreturn void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* Map device registers into umbra's address space, uncached (paging.c). */
int arch_map_mmio(u64 pa, u64 size);

/* CPUID 0x80000001 EDX */
#define CPUID_EXT_EDX_NX BIT(20)
#define CPUID_EXT_EDX_PAGE1GB BIT(26)

#endif
