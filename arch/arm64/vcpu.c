/* vcpu.c: arm64 VMs: stage-2 tables sized per VM, the EL1 vCPU, switching it in and out, the run loop. */
#include "arch/arm64/arm64.h"
#include "arch/arm64/sysreg.h"
#include "arch/arm64/vcpu_trap.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/kstring.h"
#include "core/loader.h"
#include "core/log.h"
#include "core/vm.h"
#include "mm/phys.h"

/*
 * A VM's hardware context is four EL2 registers (HCR_EL2, VTTBR_EL2,
 * VTCR_EL2, CNTVOFF_EL2) plus its vCPU's EL1 system registers and FP/SIMD
 * state, which umbra does not use itself: they are loaded when a vCPU
 * starts a time slice and saved when it ends, not on every exit. Between
 * the two, exits only move x0..x30, PC and PSTATE (guest_entry.S).
 *
 * HCR_EL2: stage 2 on (VM), AArch64 EL1 (RW), physical interrupts and
 * aborts to EL2 (IMO, FMO, AMO), set/way invalidation upgraded to clean
 * (SWIO), broadcast barriers and TLB maintenance (FB, BSU inner), and the
 * traps docs/arm64.md lists: WFI/WFE, SMC, implementation-defined
 * registers, ACTLR_EL1.
 */
#define GUEST_HCR                                                                          \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI | \
	 HCR_TWE | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_RW)

/* Where a guest finds its PL011 (as on QEMU virt, docs/arm64.md). */
#define GUEST_PL011_IPA 0x09000000ULL

u64 arch_guest_ram_base(void)
{
	return LOADER_A64_RAM_BASE;
}

/* The IPA width asked for, checked against the CPU, and the stage-2 shape for it. */
static int choose_ipa(struct vm *vm, char *err, size_t errlen)
{
	u32 pa_bits = cpu_pa_bits();
	u32 ipa = vm->opts.ipa_bits ? vm->opts.ipa_bits : stage2_default_ipa(pa_bits);
	int rc = stage2_geometry(ipa, pa_bits, false, &vm->arch.geom);

	if (rc == STAGE2_ERANGE && ipa > pa_bits) {
		ksnprintf(err, errlen,
			  "ipa=%u is wider than this CPU's %u-bit physical address range", ipa,
			  pa_bits);
		return -1;
	}
	if (rc == STAGE2_ENOLPA2) {
		ksnprintf(err, errlen,
			  "ipa=%u needs 52-bit stage-2 (FEAT_LPA2), which umbra does not use yet",
			  ipa);
		return -1;
	}
	if (rc) {
		ksnprintf(err, errlen, "ipa=%u is not a usable IPA width (32..%u here)", ipa,
			  MIN(pa_bits, STAGE2_MAX_IPA));
		return -1;
	}
	vm->arch.ipa_bits = ipa;
	return 0;
}

/* The boot information page: filled by the loader's helper, mapped read-only. */
static int make_info_page(struct vm *vm, char *err, size_t errlen)
{
	struct pt_attr ro = { PT_R, PT_MT_WB, 0 };
	struct pt_flush fl;

	if (palloc_alloc(vm->mem.pa, 0, OWNER_VM_INFO(vm->id), &vm->arch.info_page) != PALLOC_OK) {
		ksnprintf(err, errlen, "no memory for its boot information page");
		return -1;
	}
	if (loader_a64_info_page(phys_to_virt(vm->arch.info_page), &vm->mem, vm->arch.ipa_bits,
				 vm->opts.guest_cmdline, err, errlen))
		return -1;
	pt_flush_init(&fl);
	if (pt_map(&vm->tdp, LOADER_A64_INFO_IPA, vm->arch.info_page.val, PAGE_SIZE, ro, &fl)) {
		ksnprintf(err, errlen, "out of memory for its stage-2 tables");
		return -1;
	}
	pt_flush_done(&vm->tdp, &fl);
	return 0;
}

static void vcpu_reset(struct vcpu *v, const struct guest_start *s)
{
	struct vm *vm = v->vm;

	memset(&v->ctx, 0, sizeof(v->ctx));
	memset(&v->el1, 0, sizeof(v->el1));
	memset(v->fpsimd, 0, sizeof(v->fpsimd));
	v->ctx.pc = s->rip;
	v->ctx.pstate = PSR_DAIF | PSR_MODE_EL1H;
	loader_a64_regs(&vm->mem, vm->arch.ipa_bits, v->ctx.x);
	v->el1.sctlr_el1 = SCTLR_EL1_RES1;
}

/* Forget every translation tagged with this VM's VMID. */
static void flush_vmid(const struct vm *vm)
{
	write_sysreg(vttbr_el2, vm->arch.vttbr);
	isb();
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb_ish();
	isb();
}

int arch_vm_init(struct vm *vm, const struct guest_start *start, char *err, size_t errlen)
{
	char line[160];
	u32 vmid = vm->id + 1;

	if (start->mode != GUEST_MODE_AARCH64) {
		ksnprintf(err, errlen, "the image is not an arm64 (EM_AARCH64) guest");
		return -1;
	}
	if (choose_ipa(vm, err, errlen))
		return -1;
	if (pt_init(&vm->tdp, &pt_fmt_arm64_s2, vm->arch.ipa_bits, vm->arch.geom.levels, vm->mem.pa,
		    OWNER_VM_TDP(vm->id)) ||
	    vm_tdp_map_ram(vm, PT_R | PT_W | PT_X)) {
		ksnprintf(err, errlen, "out of memory for its stage-2 tables");
		return -1;
	}
	if (make_info_page(vm, err, errlen))
		return -1;
	vplat_enable_pl011(&vm->plat, GUEST_PL011_IPA);
	vm->asid = vmid;
	vm->arch.vttbr = FIELD_PREP(VTTBR_VMID, vmid) | vm->tdp.root.val;
	vm->arch.vtcr = vm->arch.geom.vtcr | (cpu_vmid_bits() == 16 ? VTCR_EL2_VS : 0);
	vcpu_reset(&vm->vcpu, start);
	/* The guest starts with its MMU off, reading memory past the caches. */
	for (u32 i = 0; i < vm->mem.nr; i++)
		dcache_clean_range((u64)(uintptr_t)phys_to_virt(vm->mem.chunk[i].hpa),
				   vm->mem.chunk[i].size);
	dcache_clean_range((u64)(uintptr_t)phys_to_virt(vm->arch.info_page), PAGE_SIZE);
	flush_vmid(vm); /* after the table writes: no stale translation for the VMID */
	stage2_describe(line, sizeof(line), vm->id, vm->arch.ipa_bits, &vm->arch.geom);
	kprintf("%s\n", line);
	return 0;
}

void arch_vm_free(struct vm *vm)
{
	if (vm->tdp.root.val) {
		flush_vmid(vm);
		pt_destroy(&vm->tdp);
	}
	if (vm->arch.info_page.val)
		palloc_free(vm->mem.pa, vm->arch.info_page, 0, OWNER_VM_INFO(vm->id));
	vm->arch.info_page = hpa(0);
}

int arch_vm_describe(const struct vm *vm, char *buf, size_t len)
{
	return ksnprintf(buf, len, "el2 stage2 vmid=%u ipa=%u", vm->asid, vm->arch.ipa_bits);
}

void arch_vm_report(const struct vm *vm)
{
	(void)vm; /* nothing beyond the exit counts yet */
}

u64 arch_vm_static_bytes(void)
{
	return 0; /* the vCPU and its stage-2 settings live in struct vm */
}

/* ---------------------------------------------------------------- switching */

/* Pointer authentication: guests use it natively (HCR_EL2.API/APK) and
 * umbra switches their keys, on CPUs that have it (arch_virt_init). */
static bool has_pauth;
static u64 guest_hcr;

static bool cpu_has_pauth(void)
{
	return (read_sysreg(id_aa64isar1_el1) & ID_AA64ISAR1_PAUTH) ||
	       (read_sysreg(S3_0_C0_C6_2) & ID_AA64ISAR2_PAUTH); /* ID_AA64ISAR2_EL1 */
}

/* clang-format off */
#define PAUTH_KEYS(X)                                                         \
	X(0, S3_0_C2_C1_0) X(1, S3_0_C2_C1_1) X(2, S3_0_C2_C1_2) X(3, S3_0_C2_C1_3) \
	X(4, S3_0_C2_C2_0) X(5, S3_0_C2_C2_1) X(6, S3_0_C2_C2_2) X(7, S3_0_C2_C2_3) \
	X(8, S3_0_C2_C3_0) X(9, S3_0_C2_C3_1)
/* clang-format on */

static void pauth_load(const struct vcpu *v)
{
#define LOAD_KEY(i, r) write_sysreg(r, v->pauth_keys[i]);
	PAUTH_KEYS(LOAD_KEY)
#undef LOAD_KEY
}

static void pauth_save(struct vcpu *v)
{
#define SAVE_KEY(i, r) v->pauth_keys[i] = read_sysreg(r);
	PAUTH_KEYS(SAVE_KEY)
#undef SAVE_KEY
}

/* Debug and PMU registers trap to EL2 (and are refused there); the PMU
 * keeps all its counters for EL1 accesses that would not trap anyway. */
static u64 guest_mdcr(void)
{
	u64 n = FIELD_GET(PMCR_EL0_N, read_sysreg(pmcr_el0));

	if (!FIELD_GET(ID_AA64DFR0_PMUVER, read_sysreg(id_aa64dfr0_el1)))
		n = 0;
	return FIELD_PREP(MDCR_EL2_HPMN, n) | MDCR_EL2_TPMCR | MDCR_EL2_TPM | MDCR_EL2_TDA |
	       MDCR_EL2_TDOSA | MDCR_EL2_TDRA;
}

static void vcpu_load(struct vcpu *v)
{
	struct vm *vm = v->vm;

#define LOAD(r) write_sysreg(r, v->el1.r);
	EL1_SYSREGS(LOAD)
#undef LOAD
	fpsimd_load(v->fpsimd);
	if (has_pauth)
		pauth_load(v);
	write_sysreg(vtcr_el2, vm->arch.vtcr);
	write_sysreg(vttbr_el2, vm->arch.vttbr); /* its VMID was flushed when it was made */
	write_sysreg(hcr_el2, guest_hcr);
	isb();
}

static void vcpu_put(struct vcpu *v)
{
#define SAVE(r) v->el1.r = read_sysreg(r);
	EL1_SYSREGS(SAVE)
#undef SAVE
	fpsimd_save(v->fpsimd);
	if (has_pauth)
		pauth_save(v);
	write_sysreg(hcr_el2, HCR_RW);
	isb();
}

void vcpu_run(struct vcpu *v)
{
	struct vm *vm = v->vm;

	vcpu_load(v);
	v->preempted = false;
	if (vm->state == VM_RUNNING)
		guest_run(&v->ctx); /* until vcpu_exit() says stop */
	vcpu_put(v);
}

/*
 * EL2 settings that are the same for every guest and that umbra itself
 * never changes, written once: debug/PMU traps, no AArch32 CP15 traps, the
 * EL1 physical counter and timer open, no virtual counter offset, the
 * guest's MIDR the CPU's and its MPIDR CPU 0 (bit 31 is RES1).
 */
bool arch_virt_init(struct palloc *pa)
{
	has_pauth = cpu_has_pauth();
	guest_hcr = GUEST_HCR | (has_pauth ? HCR_API | HCR_APK : 0);
	write_sysreg(mdcr_el2, guest_mdcr());
	write_sysreg(hstr_el2, 0);
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, BIT(31));
	isb();
	return true;
}
