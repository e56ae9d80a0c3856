/* cpu_report.c: read the CPU's identity and SVM/VMX capabilities and print them at boot. */
#include "arch/x86/cpu.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/kstring.h"
#include "vmx_svm/features.h"

static void read_svm(struct svm_raw *raw)
{
	*raw = (struct svm_raw){ 0 };
	if (cpuid(0x80000000, 0).eax < 0x80000001)
		return;
	raw->ext_ecx = cpuid(0x80000001, 0).ecx;
	if (!(raw->ext_ecx & CPUID_80000001_ECX_SVM))
		return;
	if (cpuid(0x80000000, 0).eax >= 0x8000000A) {
		struct cpuid_regs r = cpuid(0x8000000A, 0);
		raw->has_leaf = true;
		raw->leaf_eax = r.eax;
		raw->leaf_ebx = r.ebx;
		raw->leaf_edx = r.edx;
	}
	raw->vm_cr = rdmsr(MSR_VM_CR);
}

/* The VMX capability MSRs exist only when CPUID says VMX; reading them otherwise #GPs. */
static void read_vmx(struct vmx_raw *raw)
{
	*raw = (struct vmx_raw){ 0 };
	raw->cpuid1_ecx = cpuid(1, 0).ecx;
	if (!(raw->cpuid1_ecx & CPUID_1_ECX_VMX))
		return;
	raw->feature_control = rdmsr(MSR_IA32_FEATURE_CONTROL);
	raw->basic = rdmsr(MSR_IA32_VMX_BASIC);
	raw->pinbased = rdmsr(MSR_IA32_VMX_PINBASED_CTLS);
	raw->procbased = rdmsr((raw->basic & BIT(55)) ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
						      : MSR_IA32_VMX_PROCBASED_CTLS);
	if ((raw->procbased >> 32) & BIT(31)) {
		raw->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		/* EPT/VPID capability MSR exists if either feature may be enabled. */
		if ((raw->procbased2 >> 32) & (BIT(1) | BIT(5)))
			raw->ept_vpid = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
}

static void report_identity(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	char vendor[13];
	char brand[49] = "";

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	if (cpuid(0x80000000, 0).eax >= 0x80000004) {
		for (u32 i = 0; i < 3; i++) {
			struct cpuid_regs b = cpuid(0x80000002 + i, 0);
			memcpy(brand + (size_t)16 * i, &b, 16);
		}
		brand[48] = '\0';
	}
	const char *p = brand;
	while (*p == ' ')
		p++;
	u32 sig = cpuid(1, 0).eax;
	u32 family = ((sig >> 8) & 0xF) + (((sig >> 8) & 0xF) == 0xF ? ((sig >> 20) & 0xFF) : 0);
	u32 model = ((sig >> 4) & 0xF) | (((sig >> 16) & 0xF) << 4);
	kprintf("cpu: vendor=%s family=0x%x model=0x%x brand='%s'\n", vendor, family, model, p);
}

void arch_cpu_report(void)
{
	struct svm_raw sr;
	struct vmx_raw vr;
	struct svm_features sf;
	struct vmx_features vf;
	char line[256];

	report_identity();
	read_svm(&sr);
	read_vmx(&vr);
	svm_features_decode(&sr, &sf);
	vmx_features_decode(&vr, &vf);
	if (sf.present) {
		svm_features_format(&sf, line, sizeof(line));
		kprintf("%s\n", line);
	}
	if (vf.present) {
		vmx_features_format(&vf, line, sizeof(line));
		kprintf("%s\n", line);
	}
	if (!sf.present && !vf.present)
		kprintf("cpu: no hardware virtualization: neither SVM nor VMX is present, "
			"so umbra cannot run guests on this CPU\n");
}
