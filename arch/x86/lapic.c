/* lapic.c: the host local APIC (xAPIC MMIO) and its one-shot timer; the legacy 8259 PICs masked. */
#include "arch/x86/msr.h"
#include "arch/x86/lapic.h"

#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "core/log.h"

#define APIC_BASE_ENABLE BIT(11)
#define APIC_BASE_ADDR GENMASK(51, 12)
#define CPUID1_EDX_APIC BIT(9)

/* Register offsets (Intel SDM vol. 3, table 11-1). */
#define LAPIC_TPR 0x080
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_DIV 0x3E0
#define SVR_ENABLE BIT(8)
#define LVT_MASKED BIT(16)
#define TIMER_DIV_16 0x3

#define PIC1_DATA 0x21
#define PIC2_DATA 0xA1

static volatile u32 *lapic;

static void wr(u32 reg, u32 v)
{
	lapic[reg / 4] = v;
}

bool lapic_init(void)
{
	u64 base;

	if (!(cpuid(1, 0).edx & CPUID1_EDX_APIC))
		return false;
	/* Firmware may have left the PICs delivering on vectors umbra uses for exceptions. */
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
	base = rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	base &= APIC_BASE_ADDR;
	if (arch_map_mmio(base, PAGE_SIZE)) {
		pr_err("lapic: cannot map the local APIC at 0x%llx\n", (unsigned long long)base);
		return false;
	}
	lapic = phys_ptr(base);
	wr(LAPIC_TPR, 0);
	wr(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	wr(LAPIC_TIMER_DIV, TIMER_DIV_16);
	wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	return true;
}

void lapic_timer_oneshot(u32 ticks)
{
	wr(LAPIC_LVT_TIMER, VEC_TIMER); /* one-shot mode, unmasked */
	wr(LAPIC_TIMER_INIT, ticks);
}

void lapic_timer_stop(void)
{
	wr(LAPIC_TIMER_INIT, 0);
	wr(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
}

void lapic_eoi(void)
{
	wr(LAPIC_EOI, 0);
}

static volatile u64 timer_irqs;

void lapic_timer_irq(void)
{
	timer_irqs++;
	lapic_eoi();
}

u64 lapic_timer_irqs(void)
{
	return timer_irqs;
}
