/* sysreg.c: EL2 registers from EL1, IMPLEMENTATION DEFINED ones and ACTLR_EL1: all UNDEFINED. */
#include "hostile.h"

extern char vector_table[];

bool check_undef(const char *name, bool faulted)
{
	if (!faulted)
		return check(false, name, "no exception (want Undefined Instruction, EC 0x00)");
	return check(ESR_EC(g_fault.esr) == EC_UNKNOWN, name, "EC 0x%llx (%s), ESR 0x%llx",
		     ESR_EC(g_fault.esr), ec_name(ESR_EC(g_fault.esr)), g_fault.esr);
}

/*
 * Each register gets a probe pair: an MSR of a value that would hand EL2 to
 * the guest if it went through (stage 2 off, our vectors at EL2, ...) and
 * an MRS whose destination must keep its old value.
 */
#define REG_PROBES(reg, value)              \
	static bool write_##reg(void)       \
	{                                   \
		return TRY_MSR(reg, value); \
	}                                   \
	static bool read_##reg(u64 *v)      \
	{                                   \
		u64 x = PROBE_POISON;       \
		bool f = TRY_MRS(reg, x);   \
		*v = x;                     \
		return f;                   \
	}

REG_PROBES(hcr_el2, 0)
REG_PROBES(vbar_el2, (u64)(uintptr_t)vector_table)
REG_PROBES(vttbr_el2, 0)
REG_PROBES(sctlr_el2, 0)
REG_PROBES(vtcr_el2, 0)
REG_PROBES(tpidr_el2, 0x1234)
REG_PROBES(s3_0_c15_c0_0, 0) /* implementation-defined space, CRn = 15 */
REG_PROBES(actlr_el1, 0)
REG_PROBES(dbgbvr0_el1, 0x40080000) /* a breakpoint: MDCR_EL2.TDA */
REG_PROBES(mdscr_el1, 0)	    /* MDCR_EL2.TDA */
REG_PROBES(pmselr_el0, 0)	    /* MDCR_EL2.TPM */
REG_PROBES(pmcr_el0, 0)		    /* MDCR_EL2.TPMCR */

struct reg_probe {
	const char *msr_name, *mrs_name;
	bool (*write)(void);
	bool (*read)(u64 *v);
};
#define REG(reg)                                                                         \
	{                                                                                \
		"hostile.msr_" #reg "_undef", "hostile.mrs_" #reg "_undef", write_##reg, \
			read_##reg                                                       \
	}

static const struct reg_probe el2_regs[] = {
	REG(hcr_el2), REG(vbar_el2), REG(vttbr_el2), REG(sctlr_el2), REG(vtcr_el2), REG(tpidr_el2),
};

static void run_probe(const struct reg_probe *p)
{
	u64 v;
	bool f;

	f = p->read(&v);
	check(f && ESR_EC(g_fault.esr) == EC_UNKNOWN && v == PROBE_POISON, p->mrs_name,
	      "%s, ESR 0x%llx (EC %s), destination register 0x%llx (want it unchanged)",
	      f ? "exception" : "no exception", g_fault.esr, ec_name(ESR_EC(g_fault.esr)), v);
	check_undef(p->msr_name, p->write());
}

/* The CPU itself makes these UNDEFINED at EL1, with or without a hypervisor. */
void check_el2_registers(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(el2_regs); i++)
		run_probe(&el2_regs[i]);
}

/* umbra traps these (HCR_EL2.TIDCP, TACR) and injects UNDEFINED; bare hardware need not. */
void check_impdef_registers(void)
{
	static const struct reg_probe regs[] = { REG(s3_0_c15_c0_0), REG(actlr_el1) };

	/*
	 * Not the registers QEMU models for Cortex-A53/A57 (CPUACTLR_EL1,
	 * L2CTLR_EL1): QEMU 7.2 does not trap them for HCR_EL2.TIDCP.
	 */
	if (skip_unless_umbra("hostile.impdef_and_actlr_undef"))
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
		run_probe(&regs[i]);
}

/* umbra traps the debug and PMU registers (MDCR_EL2) so that no guest
 * reaches another's breakpoints or counters; each gives UNDEFINED. */
void check_debug_pmu_registers(void)
{
	static const struct reg_probe regs[] = { REG(dbgbvr0_el1), REG(mdscr_el1), REG(pmselr_el0),
						 REG(pmcr_el0) };

	if (skip_unless_umbra("hostile.debug_pmu_undef"))
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
		run_probe(&regs[i]);
}
