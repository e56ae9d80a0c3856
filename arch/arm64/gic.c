/* gic.c: the little of the GICv3 umbra needs for time slices: its own timer's interrupt, taken at EL2. */
#include "arch/arm64/arm64.h"
#include "arch/arm64/sysreg.h"
#include "core/arch.h"
#include "core/log.h"

/*
 * umbra's slice timer is the EL2 physical timer (CNTHP); its PPI (INTID 26
 * on QEMU virt, from the device tree) is made a Group 1 interrupt in the
 * boot CPU's redistributor. umbra never unmasks interrupts at EL2: with
 * HCR_EL2.IMO set, the interrupt is taken only while a guest runs, as an
 * exit through the lower-EL IRQ vector (vcpu_trap.c acknowledges it).
 * No other interrupt is enabled, and the guest's own GIC accesses go to
 * the (disabled) virtual CPU interface: there is no vGIC yet.
 */
#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP BIT(31)
#define GICD_CTLR_ARE BIT(4)
#define GICD_CTLR_GRP1 BIT(1)
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP BIT(2)
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x0400)

#define ICC_SRE_SRE BIT(0)
#define ICC_SRE_ENABLE BIT(3)
#define INTID_SPURIOUS 1020 /* 1020..1023 are special */
#define TIMER_HYP_PPI_DEFAULT 10
#define CNTHP_CTL_ENABLE BIT(0)

static u32 timer_intid;
static u64 slice_ticks;

static volatile u32 *reg32(u64 base, u32 off)
{
	return (volatile u32 *)(uintptr_t)(base + off);
}

/* Bounded waits: a GIC that never answers must not hang umbra. */
static bool wait_clear(const volatile u32 *r, u32 bits)
{
	for (u32 i = 0; i < 1000000; i++) {
		if (!(*r & bits))
			return true;
	}
	return false;
}

static bool gic_init(const struct boot_devices *d)
{
	u32 ppi = d->has_timer ? d->timer_ppi[3] : TIMER_HYP_PPI_DEFAULT;

	if (d->gic_version != 3 || !d->gicd_base || !d->gicr_base || ppi >= 16) {
		pr_info("gic: no GICv3 with a redistributor in the device tree\n");
		return false;
	}
	timer_intid = 16 + ppi;
	*reg32(d->gicd_base, GICD_CTLR) |= GICD_CTLR_ARE | GICD_CTLR_GRP1;
	*reg32(d->gicr_base, GICR_WAKER) &= ~GICR_WAKER_SLEEP;
	if (!wait_clear(reg32(d->gicd_base, GICD_CTLR), GICD_CTLR_RWP) ||
	    !wait_clear(reg32(d->gicr_base, GICR_WAKER), GICR_WAKER_CHILDREN_ASLEEP)) {
		pr_warn("gic: the distributor or redistributor does not answer\n");
		return false;
	}
	*reg32(d->gicr_base, GICR_IGROUPR0) |= BIT(timer_intid);
	*((volatile u8 *)(uintptr_t)(d->gicr_base + GICR_IPRIORITYR) + timer_intid) = 0x80;
	*reg32(d->gicr_base, GICR_ISENABLER0) = BIT(timer_intid);

	write_sysreg(S3_4_C12_C9_5, ICC_SRE_SRE | ICC_SRE_ENABLE); /* ICC_SRE_EL2 */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xFF); /* ICC_PMR_EL1: every priority passes */
	write_sysreg(S3_0_C12_C12_4, 0);  /* ICC_CTLR_EL1: EOImode 0, the EOI deactivates */
	write_sysreg(S3_0_C12_C12_7, 1);  /* ICC_IGRPEN1_EL1 */
	isb();
	return true;
}

/* Slices of about 16 ms of the counter, whatever its frequency. */
bool arch_slice_init(void)
{
	if (!gic_init(arm64_devices()))
		return false;
	slice_ticks = read_sysreg(cntfrq_el0) / 60;
	if (!slice_ticks)
		slice_ticks = 1000000;
	pr_info("gic: v3, slice timer INTID %u, %llu ticks per slice\n", timer_intid,
		(unsigned long long)slice_ticks);
	return true;
}

void arch_slice_start(void)
{
	if (!timer_intid)
		return;
	write_sysreg(cnthp_tval_el2, slice_ticks);
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}

void arch_slice_stop(void)
{
	if (!timer_intid)
		return;
	write_sysreg(cnthp_ctl_el2, 0);
	isb();
}

bool arm64_irq_ack(void)
{
	u32 intid = (u32)read_sysreg(S3_0_C12_C12_0) & 0xFFFFFF; /* ICC_IAR1_EL1 */
	bool slice_over = intid == timer_intid;

	if (intid >= INTID_SPURIOUS && intid < 1024)
		return false;
	if (slice_over)
		write_sysreg(cnthp_ctl_el2, 0); /* drop the level before the EOI */
	write_sysreg(S3_0_C12_C12_1, intid);	/* ICC_EOIR1_EL1 */
	isb();
	return slice_over;
}
