/* modes.c: protected mode to long mode and back, with checks from 64-bit code. */
#include "cpu.h"

struct lm_cpu {
	u32 hcall; /* 0 none, 1 VMMCALL, 2 VMCALL */
	u32 pad;
	u64 efer, ext_edx, wide, r15, cs, gp_vector, hc_version, rip, label;
};

void cpu_long_checks(struct lm_cpu *r);

static void report_long(const struct lm_cpu *r)
{
	const u64 wide = 0x456789abcdef0123ull;

	check((r->efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA), "mode.long_efer_lma",
	      "EFER in long mode 0x%llx", r->efer);
	check(r->ext_edx & (1u << 29), "mode.long_cpuid", "CPUID 0x80000001 EDX 0x%llx",
	      r->ext_edx);
	check(r->wide == wide && r->r15 == wide * 2, "mode.long_64bit_registers",
	      "rax 0x%llx (want 0x%llx), r15 0x%llx (want 0x%llx)", r->wide, wide, r->r15,
	      wide * 2);
	check(r->cs == SEL_CODE64, "mode.long_code_segment", "CS 0x%llx", r->cs);
	check(r->rip == r->label, "mode.long_rip_relative", "RIP-relative 0x%llx, absolute 0x%llx",
	      r->rip, r->label);
	check(r->gp_vector == VEC_GP && g_fault.error == 0xfff8, "mode.long_gp_handler",
	      "loading FS with 0xfff8 raised %lld, error code 0x%x", (s64)r->gp_vector,
	      g_fault.error);
	if (r->hcall)
		check(r->hc_version == HC_VERSION_1_0, "mode.long_hypercall",
		      "HC_VERSION from 64-bit code returned 0x%llx", r->hc_version);
	else
		skip("mode.long_hypercall", "not running under umbra");
}

/* regs64.S */
extern u32 regs_flags, regs_fails[6];
void cpu_regs_run(void);

/*
 * The guest's registers across exits (regs64.S): after each step every
 * register the instruction does not write keeps its value. The hypercall
 * and MMIO steps run under umbra only: on bare QEMU they would fault.
 */
static void check_registers_survive(u32 cr3)
{
	static const char *const steps[6] = {
		"mode.long_regs_cpuid",	    "mode.long_regs_port",     "mode.long_regs_rdmsr",
		"mode.long_regs_hypercall", "mode.long_regs_mmio_r12", "mode.long_regs_mmio_rbp",
	};

	regs_flags = under_umbra() ? 1u | (cpu_is_amd() ? 0u : 2u) : 0u;
	if (!lm_run("register checks", (void (*)(void *))cpu_regs_run, NULL, cr3))
		return;
	for (int s = 0; s < 6; s++) {
		if (s >= 3 && !under_umbra())
			skip(steps[s], "not running under umbra");
		else
			check(regs_fails[s] == 0, steps[s],
			      "registers changed or wrong (bit n: register n, x86 order): 0x%x",
			      regs_fails[s]);
	}
}

void check_long_mode(void)
{
	struct lm_cpu r;
	u64 efer;
	u32 cr3;

	if (!cpu_has_long_mode()) {
		skip("mode.long", "no long mode");
		return;
	}
	cr3 = (u32)(size_t)lm_identity();
	for (int round = 0; round < 2; round++) {
		memset(&r, 0, sizeof(r));
		r.hcall = under_umbra() ? (cpu_is_amd() ? 1 : 2) : 0;
		if (!lm_run("cpu checks", (void (*)(void *))cpu_long_checks, &r, cr3))
			return;
		efer = rdmsr(MSR_EFER);
		check(!(read_cr0() & CR0_PG) && !(efer & (EFER_LME | EFER_LMA)) &&
			      !(read_cr4() & CR4_PAE),
		      round ? "mode.back_to_protected_again" : "mode.back_to_protected",
		      "after the return CR0 0x%x CR4 0x%x EFER 0x%llx", read_cr0(), read_cr4(),
		      efer);
		if (round == 0)
			report_long(&r);
	}
	check_registers_survive(cr3);
}
