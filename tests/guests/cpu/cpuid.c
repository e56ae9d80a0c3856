/* cpuid.c: the CPUID model: hypervisor leaves and the features umbra hides. */
#include "cpu.h"

enum reg { EAX, EBX, ECX, EDX };

struct feature {
	const char *check; /* check name */
	u32 leaf, subleaf;
	enum reg reg;
	u32 bit;
};

/* What docs/hypercalls.md says umbra hides (AVX2/AVX-512 with AVX, as XSAVE is hidden). */
static const struct feature hidden[] = {
	{ "cpuid.hides_vmx", 1, 0, ECX, 5 },	       { "cpuid.hides_svm", 0x80000001, 0, ECX, 2 },
	{ "cpuid.hides_monitor", 1, 0, ECX, 3 },       { "cpuid.hides_x2apic", 1, 0, ECX, 21 },
	{ "cpuid.hides_tsc_deadline", 1, 0, ECX, 24 }, { "cpuid.hides_xsave", 1, 0, ECX, 26 },
	{ "cpuid.hides_avx", 1, 0, ECX, 28 },	       { "cpuid.hides_apic", 1, 0, EDX, 9 },
	{ "cpuid.hides_avx2", 7, 0, EBX, 5 },	       { "cpuid.hides_avx512f", 7, 0, EBX, 16 },
};

static u32 reg_of(struct cpuid_regs r, enum reg reg)
{
	switch (reg) {
	case EAX:
		return r.eax;
	case EBX:
		return r.ebx;
	case ECX:
		return r.ecx;
	default:
		return r.edx;
	}
}

/* A leaf above the CPU's maximum returns data of another leaf; treat it as all zeros. */
static struct cpuid_regs cpuid_checked(u32 leaf, u32 subleaf)
{
	u32 max = cpuid(leaf & 0x80000000, 0).eax;

	if (leaf > max)
		return (struct cpuid_regs){ 0, 0, 0, 0 };
	return cpuid(leaf, subleaf);
}

static void check_generic(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[13];

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	printf("cpu: vendor '%s', basic leaves to 0x%x, extended to 0x%x\n", vendor, r.eax,
	       cpuid(0x80000000, 0).eax);
	check(r.eax >= 1, "cpuid.basic_leaves", "max basic leaf 0x%x", r.eax);
	check(cpu_has_long_mode(), "cpuid.long_mode", "CPUID 0x80000001 EDX 0x%x lacks LM",
	      cpuid_checked(0x80000001, 0).edx);
	/* OSXSAVE mirrors CR4.OSXSAVE, which this guest never sets. */
	r = cpuid(1, 0);
	check(!(r.ecx & (1u << 27)), "cpuid.osxsave_follows_cr4",
	      "leaf 1 ECX 0x%x has OSXSAVE but CR4 is 0x%x", r.ecx, read_cr4());
}

static void check_hv_leaves(void)
{
	struct cpuid_regs r = cpuid(0x40000000, 0);

	check(cpuid(1, 0).ecx & (1u << 31), "cpuid.hypervisor_bit", "leaf 1 ECX 0x%x",
	      cpuid(1, 0).ecx);
	check(r.eax == 0x40000001, "cpuid.hv_max_leaf", "leaf 0x40000000 EAX 0x%x, want 0x40000001",
	      r.eax);
	check(memcmp(&r.ebx, "umbr", 4) == 0 && memcmp(&r.ecx, "aumb", 4) == 0 &&
		      memcmp(&r.edx, "raum", 4) == 0,
	      "cpuid.hv_vendor", "EBX/ECX/EDX 0x%x 0x%x 0x%x", r.ebx, r.ecx, r.edx);
	r = cpuid(0x40000001, 0);
	check(r.eax == HC_VERSION_1_0, "cpuid.hv_interface_version", "leaf 0x40000001 EAX 0x%x",
	      r.eax);
}

static void check_hidden(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(hidden); i++) {
		const struct feature *f = &hidden[i];
		u32 v = reg_of(cpuid_checked(f->leaf, f->subleaf), f->reg);

		check(!(v & (1u << f->bit)), f->check, "leaf 0x%x.%u %s 0x%x has bit %u", f->leaf,
		      f->subleaf, (const char *[]){ "EAX", "EBX", "ECX", "EDX" }[f->reg], v,
		      f->bit);
	}
	/* The architectural performance-monitoring leaf: version 0 means none. */
	check((cpuid_checked(0xa, 0).eax & 0xff) == 0, "cpuid.hides_perfmon", "leaf 0xa EAX 0x%x",
	      cpuid_checked(0xa, 0).eax);
}

void check_cpuid(void)
{
	check_generic();
	if (skip_unless_umbra("cpuid.hypervisor_leaves"))
		return;
	check_hv_leaves();
	check_hidden();
}
