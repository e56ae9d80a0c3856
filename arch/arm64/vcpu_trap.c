/* vcpu_trap.c: one arm64 guest exit: calls (PSCI, umbra's), stage-2 aborts (MMIO), WFx, and what ends a guest. */
#include "arch/arm64/vcpu_trap.h"

#include "arch/arm64/arm64.h"
#include "arch/arm64/sysreg.h"
#include "core/loader.h"
#include "core/log.h"
#include "core/vm.h"

const char *const exit_reason_names[NR_EXIT_REASONS] = {
	[EXIT_WFX] = "wfx",	  [EXIT_HVC] = "hvc",	    [EXIT_SMC] = "smc",
	[EXIT_SYSREG] = "sysreg", [EXIT_DABT] = "dabt",	    [EXIT_IABT] = "iabt",
	[EXIT_IRQ] = "irq",	  [EXIT_SERROR] = "serror", [EXIT_OTHER] = "other",
};

/* ---------------------------------------------------------------- injecting exceptions */

/*
 * Take a synchronous exception to the guest's EL1 as the CPU would: save
 * PC and PSTATE in ELR_EL1/SPSR_EL1, set ESR_EL1 (and FAR_EL1 for aborts),
 * and continue at VBAR_EL1 plus the offset for where it came from, in EL1h
 * with DAIF masked. The guest's EL1 registers are live while it runs.
 */
/*
 * PSTATE on taking an exception to EL1 (Arm ARM, AArch64.TakeException):
 * EL1h with D, A, I, F masked; NZCV and DIT kept; PAN set when
 * SCTLR_EL1.SPAN is 0, else kept; SSBS from SCTLR_EL1.DSSBS; the rest
 * (SS, IL, UAO, BTYPE) cleared. (MTE's TCO is not modelled: guests see no
 * MTE in practice on the CPUs umbra is tested on.)
 */
static u64 entry_pstate(u64 old)
{
	u64 sctlr = read_sysreg(sctlr_el1);
	u64 p = (old & (PSR_NZCV | PSR_DIT)) | PSR_DAIF | PSR_MODE_EL1H;

	if (!(sctlr & SCTLR_EL1_SPAN) || ((old & PSR_PAN) && !(old & BIT(4))))
		p |= PSR_PAN;
	if (sctlr & SCTLR_EL1_DSSBS)
		p |= PSR_SSBS;
	return p;
}

static void inject_sync(struct vcpu *v, u64 esr, bool set_far, u64 far)
{
	u64 mode = v->ctx.pstate & PSR_MODE, off;

	if (v->ctx.pstate & BIT(4))
		off = 0x600; /* from AArch32 EL0 */
	else if (mode == PSR_MODE_EL0T)
		off = 0x400;
	else if (mode == PSR_MODE_EL1T)
		off = 0x000;
	else
		off = 0x200;
	write_sysreg(elr_el1, v->ctx.pc);
	write_sysreg(spsr_el1, v->ctx.pstate);
	write_sysreg(esr_el1, esr);
	if (set_far)
		write_sysreg(far_el1, far);
	v->ctx.pc = read_sysreg(vbar_el1) + off;
	v->ctx.pstate = entry_pstate(v->ctx.pstate);
}

static bool from_el0(const struct vcpu *v)
{
	return (v->ctx.pstate & PSR_MODE) == PSR_MODE_EL0T || (v->ctx.pstate & BIT(4));
}

static void inject_undef(struct vcpu *v)
{
	inject_sync(v, FIELD_PREP(ESR_EC, EC_UNKNOWN) | ESR_IL, false, 0);
}

/* A data or instruction abort with fault status fsc at the guest's FAR. */
static void inject_abort(struct vcpu *v, bool fetch, u32 fsc)
{
	u64 ec = fetch ? (from_el0(v) ? EC_IABT_LOW : EC_IABT_CUR)
		       : (from_el0(v) ? EC_DABT_LOW : EC_DABT_CUR);
	u64 iss = fsc | (fetch ? 0 : (v->ctx.esr & ISS_WNR));

	inject_sync(v, FIELD_PREP(ESR_EC, ec) | ESR_IL | iss, true, v->ctx.far);
}

/* ---------------------------------------------------------------- calls */

static bool psci_implemented(u32 fid)
{
	static const u32 ids[] = {
		SMCCC_VERSION,	       SMCCC_ARCH_FEATURES,   PSCI_VERSION,    PSCI_CPU_SUSPEND_32,
		PSCI_CPU_SUSPEND_64,   PSCI_CPU_OFF,	      PSCI_CPU_ON_32,  PSCI_CPU_ON_64,
		PSCI_AFFINITY_INFO_32, PSCI_AFFINITY_INFO_64, PSCI_SYSTEM_OFF, PSCI_SYSTEM_RESET,
		PSCI_FEATURES,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		if (ids[i] == fid)
			return true;
	}
	return false;
}

/* The vCPU's affinity fields (Aff3 in 39:32, Aff2..0 in 23:0) are all 0. */
static bool is_own_mpidr(u64 mpidr)
{
	return (mpidr & (GENMASK(39, 32) | GENMASK(23, 0))) == 0;
}

/* Returns the value for x0; the guest may have ended. */
static u64 call(struct vcpu *v, u32 fid)
{
	struct vm *vm = v->vm;
	u64 *x = v->ctx.x;

	switch (fid) {
	case SMCCC_VERSION:
		return SMCCC_VERSION_1_1;
	case PSCI_VERSION:
		return PSCI_VERSION_1_0;
	case PSCI_FEATURES:
		return psci_implemented((u32)x[1]) ? 0 : SMCCC_NOT_SUPPORTED;
	case SMCCC_ARCH_FEATURES: /* the SMCCC 1.1 calls; no ARCH_WORKAROUND_* */
		return (u32)x[1] == SMCCC_VERSION || (u32)x[1] == SMCCC_ARCH_FEATURES
			       ? 0
			       : SMCCC_NOT_SUPPORTED;
	case PSCI_CPU_SUSPEND_32:
	case PSCI_CPU_SUSPEND_64:
		return 0; /* a wake-up is always pending: back at once, as from standby */
	case PSCI_CPU_ON_32:
		return is_own_mpidr((u32)x[1]) ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
	case PSCI_CPU_ON_64:
		return is_own_mpidr(x[1]) ? PSCI_ALREADY_ON : PSCI_INVALID_PARAMETERS;
	case PSCI_AFFINITY_INFO_32: /* 32-bit calls take w1, w2 */
		return (u32)x[2] == 0 && is_own_mpidr((u32)x[1]) ? 0 : PSCI_INVALID_PARAMETERS;
	case PSCI_AFFINITY_INFO_64:
		/* Level 0 only; the one vCPU (MPIDR 0) is on (0). */
		return x[2] == 0 && is_own_mpidr(x[1]) ? 0 : PSCI_INVALID_PARAMETERS;
	case PSCI_CPU_OFF:
		vm_end(vm, true, 0, "the guest turned off its only CPU (PSCI CPU_OFF)");
		return 0;
	case PSCI_SYSTEM_OFF:
		vm_end(vm, true, 0, "the guest powered off (PSCI SYSTEM_OFF)");
		return 0;
	case PSCI_SYSTEM_RESET:
		vm_end(vm, false, 0,
		       "the guest asked for a reset (PSCI SYSTEM_RESET); umbra does "
		       "not restart guests");
		return 0;
	case HC_A64_VERSION:
		return HC_A64_INTERFACE_VERSION;
	case HC_A64_CONSOLE_WRITE:
		return vm_console_write(vm, x[1], x[2]);
	case HC_A64_EXIT:
		vm_end(vm, x[1] == 0, (u32)x[1], "the guest called HC_EXIT with status %u",
		       (u32)x[1]);
		return 0;
	case HC_A64_TIMESTAMP:
		return read_sysreg(cntvct_el0);
	default:
		return SMCCC_NOT_SUPPORTED;
	}
}

/* HVC returns past itself; a trapped SMC returns to itself, so step over it. */
static void handle_call(struct vcpu *v, bool smc)
{
	u64 imm = v->ctx.esr & 0xFFFF;

	if (smc)
		v->ctx.pc += 4;
	v->ctx.x[0] = imm ? SMCCC_NOT_SUPPORTED : call(v, (u32)v->ctx.x[0]);
}

/* ---------------------------------------------------------------- stage-2 aborts */

/* Step over the trapped instruction: 4 bytes, or 2 for a 16-bit T32 one (IL = 0). */
static void skip_insn(struct vcpu *v)
{
	v->ctx.pc += (v->ctx.esr & ESR_IL) ? 4 : 2;
}

static u64 fault_ipa(const struct vcpu *v)
{
	return (FIELD_GET(HPFAR_FIPA, v->ctx.hpfar) << 12) | (v->ctx.far & 0xFFF);
}

/* A load or store the syndrome describes (ISV): size, register, sign extension. */
static void emulate_mmio(struct vcpu *v, u64 ipa)
{
	u64 iss = v->ctx.esr & ESR_ISS;
	u32 size = 1U << FIELD_GET(ISS_SAS, iss), rt = (u32)FIELD_GET(ISS_SRT, iss);
	bool write = iss & ISS_WNR;
	u64 mask = size == 8 ? ~0ULL : GENMASK(size * 8 - 1, 0);
	u64 val = write && rt != 31 ? v->ctx.x[rt] & mask : 0;

	if (vplat_mmio(&v->vm->plat, ipa, (u8)size, write, &val) == VPLAT_UNBACKED)
		vm_note_unbacked(v->vm, "IPA", ipa, write);
	if (!write && rt != 31) {
		val &= mask;
		if ((iss & ISS_SSE) && size < 8 && (val & BIT(size * 8 - 1)))
			val |= ~mask;
		if (!(iss & ISS_SF))
			val &= 0xFFFFFFFFULL;
		v->ctx.x[rt] = val;
	}
	skip_insn(v);
}

/*
 * Which stage-2 faults umbra expects. Stage 2 maps RAM read-write-execute
 * and the boot information page read-only, nothing else: so a permission
 * fault (not on a stage-1 walk) is always that page, whose address
 * HPFAR_EL2 need not even hold for permission faults (it is UNKNOWN there
 * on Armv8.0); a translation or address-size fault is an IPA without
 * memory, taken from HPFAR_EL2; anything else (external aborts on a walk,
 * TLB conflicts, atomics) ends the guest with its status code.
 */
enum s2_fault { S2_NO_MEMORY, S2_ROM, S2_OTHER };

static enum s2_fault classify(const struct vcpu *v)
{
	u64 iss = v->ctx.esr & ESR_ISS;
	u64 type = FIELD_GET(FSC_TYPE, iss & ISS_FSC);

	if (type == FSC_TYPE_PERMISSION && !(iss & ISS_S1PTW))
		return S2_ROM;
	if (type == FSC_TYPE_TRANSLATION || type == FSC_TYPE_ADDR_SIZE)
		return S2_NO_MEMORY;
	return S2_OTHER;
}

static void end_on_fault_status(struct vcpu *v, const char *what)
{
	vm_end(v->vm, false, 0,
	       "stage-2 %s abort with fault status 0x%02llx at pc 0x%llx (ESR_EL2 0x%llx, FAR "
	       "0x%llx) that umbra does not handle",
	       what, (unsigned long long)(v->ctx.esr & ISS_FSC), (unsigned long long)v->ctx.pc,
	       (unsigned long long)v->ctx.esr, (unsigned long long)v->ctx.far);
}

static void handle_dabt(struct vcpu *v)
{
	struct vm *vm = v->vm;
	enum s2_fault kind = classify(v);
	u64 ipa = fault_ipa(v), iss = v->ctx.esr & ESR_ISS;

	if (kind == S2_ROM) {
		inject_abort(v, false, FSC_SYNC_EXT); /* a write to its read-only page */
	} else if (kind == S2_OTHER) {
		end_on_fault_status(v, "data");
	} else if (ipa >> vm->arch.ipa_bits) {
		inject_abort(v, false, FSC_ADDR_SIZE_L0);
	} else if (iss & ISS_S1PTW) {
		vm_end(vm, false, 0,
		       "its stage-1 page tables reach IPA 0x%llx, which is not RAM "
		       "(pc 0x%llx)",
		       (unsigned long long)ipa, (unsigned long long)v->ctx.pc);
	} else if (!(iss & ISS_ISV)) {
		vm_end(vm, false, 0,
		       "data abort without a valid syndrome at IPA 0x%llx (pc 0x%llx, "
		       "ESR 0x%llx): a load/store pair, writeback or SIMD access to "
		       "MMIO is not emulated",
		       (unsigned long long)ipa, (unsigned long long)v->ctx.pc,
		       (unsigned long long)v->ctx.esr);
	} else {
		emulate_mmio(v, ipa);
	}
}

static void handle_iabt(struct vcpu *v)
{
	struct vm *vm = v->vm;
	enum s2_fault kind = classify(v);
	u64 ipa = fault_ipa(v);

	if (kind == S2_ROM)
		inject_abort(v, true, FSC_SYNC_EXT); /* executing its no-execute page */
	else if (kind == S2_OTHER)
		end_on_fault_status(v, "instruction");
	else if (ipa >> vm->arch.ipa_bits)
		inject_abort(v, true, FSC_ADDR_SIZE_L0);
	else
		vm_end(vm, false, 0, "executing from IPA 0x%llx, which is not RAM (pc 0x%llx)",
		       (unsigned long long)ipa, (unsigned long long)v->ctx.pc);
}

/* ---------------------------------------------------------------- dispatch */

/* guest_entry.S leaves FAR_EL2 and HPFAR_EL2 in the CPU (nothing at EL2
 * changes them before the handler runs): only aborts, and messages, use them. */
static void capture_fault(struct vcpu *v)
{
	v->ctx.far = read_sysreg(far_el2);
	v->ctx.hpfar = read_sysreg(hpfar_el2);
}

static enum exit_reason handle_sync(struct vcpu *v)
{
	u64 ec = FIELD_GET(ESR_EC, v->ctx.esr);

	switch (ec) {
	case EC_WFX:
		skip_insn(v); /* WFI/WFE may wake at any time: now */
		return EXIT_WFX;
	case EC_HVC64:
		handle_call(v, false);
		return EXIT_HVC;
	case EC_SMC64:
		handle_call(v, true);
		return EXIT_SMC;
	/* Trapped registers are not there for the guest: implementation-defined
	 * ones, ACTLR_EL1, debug and PMU (and their AArch32 EL0 forms). */
	case EC_SYS64:
	case EC_CP15_32:
	case EC_CP15_64:
	case EC_CP14_MR:
	case EC_CP14_LS:
	case EC_CP14_64:
		inject_undef(v);
		return EXIT_SYSREG;
	case EC_SVE:
	case EC_SME:
		inject_undef(v);
		return EXIT_OTHER;
	case EC_DABT_LOW:
		capture_fault(v);
		handle_dabt(v);
		return EXIT_DABT;
	case EC_IABT_LOW:
		capture_fault(v);
		handle_iabt(v);
		return EXIT_IABT;
	default:
		capture_fault(v);
		vm_end(v->vm, false, 0,
		       "unexpected trap: EC=0x%02llx ESR_EL2=0x%llx at pc 0x%llx "
		       "(FAR 0x%llx)",
		       (unsigned long long)ec, (unsigned long long)v->ctx.esr,
		       (unsigned long long)v->ctx.pc, (unsigned long long)v->ctx.far);
		return EXIT_OTHER;
	}
}

/* The guest exited through the vector of kind (EXIT_KIND_*), not by HVC;
 * its syndrome is in v->ctx. Out of line: the HVC path stays small. */
static __attribute__((noinline)) enum exit_reason handle_other(struct vcpu *v, unsigned long kind)
{
	if (kind == EXIT_KIND_SYNC)
		return handle_sync(v);
	if (kind == EXIT_KIND_SERROR) {
		vm_end(v->vm, false, 0, "SError from the guest (ESR_EL2 0x%llx, pc 0x%llx)",
		       (unsigned long long)v->ctx.esr, (unsigned long long)v->ctx.pc);
		return EXIT_SERROR;
	}
	if (arm64_irq_ack())
		v->preempted = true; /* the slice timer: the next VM's turn */
	return EXIT_IRQ;
}

/*
 * Every exit comes here from guest_entry.S. HVC, the commonest (hypercalls
 * and PSCI), is tested first and handled with nothing else on its way;
 * the rest go through handle_other.
 */
bool vcpu_exit(struct a64_ctx *ctx, unsigned long kind)
{
	struct vcpu *v = container_of(ctx, struct vcpu, ctx);
	struct vm *vm = v->vm;
	enum exit_reason r;

	if (likely(kind == EXIT_KIND_SYNC && FIELD_GET(ESR_EC, ctx->esr) == EC_HVC64)) {
		handle_call(v, false);
		r = EXIT_HVC;
	} else {
		r = handle_other(v, kind);
	}
	vm->exits[r]++;
	return vm->state == VM_RUNNING && !v->preempted;
}
