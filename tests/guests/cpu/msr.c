/* msr.c: the MSR allow list: round trips of the MSRs a guest may use, #GP on the rest. */
#include "cpu.h"

struct msr_rt {
	const char *check;
	u32 msr;
	u64 value; /* written, then expected back */
};

/* Values chosen to be valid in 32-bit mode too (canonical, legal PAT types). */
static const struct msr_rt roundtrips[] = {
	{ "msr.pat", MSR_PAT, 0x0007010600070106ull },
	{ "msr.sysenter_cs", MSR_SYSENTER_CS, 0x10 },
	{ "msr.sysenter_esp", MSR_SYSENTER_ESP, 0x12345000 },
	{ "msr.sysenter_eip", MSR_SYSENTER_EIP, 0x00123456 },
	{ "msr.star", MSR_STAR, 0x001b000812345678ull },
	{ "msr.lstar", MSR_LSTAR, 0xffff800012345000ull },
	{ "msr.cstar", MSR_CSTAR, 0x0000000012346000ull },
	{ "msr.sfmask", MSR_SFMASK, 0x47700 },
	{ "msr.fs_base", MSR_FS_BASE, 0x0000000012347000ull },
	{ "msr.gs_base", MSR_GS_BASE, 0xffff880000001000ull },
	{ "msr.kernel_gs_base", MSR_KERNEL_GS_BASE, 0x00007fff00001000ull },
};

/* MSRs outside umbra's allow list (the doc: every other MSR raises #GP). */
static const struct {
	const char *check;
	u32 msr;
} forbidden[] = {
	{ "msr.vm_cr_gp", MSR_VM_CR },
	{ "msr.vm_hsave_pa_gp", MSR_VM_HSAVE_PA },
	{ "msr.feature_control_gp", MSR_FEATURE_CONTROL },
	{ "msr.apic_base_gp", MSR_APIC_BASE },
	{ "msr.x2apic_id_gp", 0x802 },
	{ "msr.bogus_gp", MSR_BOGUS },
};

/* Write value, read it back, restore the old value. */
static void roundtrip(const char *name, u32 msr, u64 value)
{
	u64 old = 0, got = 0;
	int f1 = rdmsr_safe(msr, &old), f2 = NO_FAULT, f3 = NO_FAULT;

	if (f1 == NO_FAULT)
		f2 = wrmsr_safe(msr, value);
	if (f2 == NO_FAULT)
		f3 = rdmsr_safe(msr, &got);
	if (f1 == NO_FAULT && f2 == NO_FAULT)
		wrmsr_safe(msr, old);
	check(f1 == NO_FAULT && f2 == NO_FAULT && f3 == NO_FAULT && got == value, name,
	      "MSR 0x%x: faults %d/%d/%d (read/write/read), wrote 0x%llx, read 0x%llx", msr, f1, f2,
	      f3, value, got);
}

static void check_efer(void)
{
	u64 efer = 0;

	check(rdmsr_safe(MSR_EFER, &efer) == NO_FAULT && !(efer & (EFER_LME | EFER_LMA)),
	      "msr.efer_read", "EFER 0x%llx (LME/LMA set in protected mode?)", efer);
	roundtrip("msr.efer_sce", MSR_EFER, efer ^ EFER_SCE);
	if (cpu_has_nx())
		roundtrip("msr.efer_nxe", MSR_EFER, efer ^ EFER_NXE);
	if (cpuid(0x80000001, 0).edx & (1u << 27)) /* RDTSCP, hence TSC_AUX */
		roundtrip("msr.tsc_aux", MSR_TSC_AUX, 0x1234);
	else
		skip("msr.tsc_aux", "no RDTSCP");
}

/* The TSC through RDTSC, and (umbra: QEMU's TCG does not emulate the MSR) through RDMSR/WRMSR. */
static void check_tsc(void)
{
	u64 t0 = rdtsc(), t1 = rdtsc(), want;

	check(t1 > t0, "tsc.rdtsc_counts", "RDTSC read 0x%llx then 0x%llx", t0, t1);
	if (skip_unless_umbra("msr.tsc"))
		return;
	t0 = t1 = 0;
	rdmsr_safe(MSR_TSC, &t0);
	rdmsr_safe(MSR_TSC, &t1);
	check(t1 > t0, "msr.tsc_counts", "TSC MSR read 0x%llx then 0x%llx", t0, t1);
	want = t1 + (1ull << 36);
	check(wrmsr_safe(MSR_TSC, want) == NO_FAULT && rdtsc() - want < (1ull << 34),
	      "msr.tsc_write", "wrote 0x%llx, RDTSC then reads 0x%llx", want, rdtsc());
}

/* MSRs whose values are umbra's: MISC_ENABLE reads 1, the MTRR ones read 0. */
static void check_umbra_values(void)
{
	u64 v = ~0ull, v2 = ~0ull;

	check(rdmsr_safe(MSR_MISC_ENABLE, &v) == NO_FAULT && v == 1 &&
		      wrmsr_safe(MSR_MISC_ENABLE, 0) == NO_FAULT &&
		      rdmsr_safe(MSR_MISC_ENABLE, &v2) == NO_FAULT && v2 == 1,
	      "msr.misc_enable", "read 0x%llx, after writing 0 read 0x%llx (want 1 and 1)", v, v2);
	v = v2 = ~0ull;
	check(rdmsr_safe(MSR_MTRR_CAP, &v) == NO_FAULT && v == 0, "msr.mtrr_cap",
	      "MTRRcap read 0x%llx (fault %u), want 0", v, g_fault.vector);
	check(rdmsr_safe(MSR_MTRR_DEF_TYPE, &v) == NO_FAULT && v == 0 &&
		      wrmsr_safe(MSR_MTRR_DEF_TYPE, 0) == NO_FAULT,
	      "msr.mtrr_def_type", "MTRRdefType read 0x%llx (fault %u), want 0 and a write of 0", v,
	      g_fault.vector);
	for (size_t i = 0; i < ARRAY_SIZE(forbidden); i++) {
		int f = rdmsr_safe(forbidden[i].msr, &v);
		check(f == VEC_GP, forbidden[i].check, "RDMSR 0x%x: %s (vector %d), want #GP",
		      forbidden[i].msr, f == NO_FAULT ? "no fault" : vector_name((u32)f), f);
	}
}

void check_msrs(void)
{
	check_efer();
	for (size_t i = 0; i < ARRAY_SIZE(roundtrips); i++)
		roundtrip(roundtrips[i].check, roundtrips[i].msr, roundtrips[i].value);
	check_tsc();
	if (!skip_unless_umbra("msr.umbra_values"))
		check_umbra_values();
}
