/* features.h: decoding what SVM or VMX a CPU offers, from raw CPUID leaves and MSRs. */
#ifndef UMBRA_FEATURES_H
#define UMBRA_FEATURES_H

#include "arch/x86/msr.h"
#include "types.h"

/* CPUID and MSR facts (AMD APM vol. 2 15.x and vol. 3 appendix E; Intel SDM vol. 3 appendix A). */
#define CPUID_80000001_ECX_SVM BIT(2)
#define CPUID_1_ECX_VMX BIT(5)
#define VM_CR_SVMDIS BIT(4)
#define FEATURE_CONTROL_LOCK BIT(0)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

/* Raw inputs; the arch code reads them, the decoder below is pure. */
struct svm_raw {
	u32 ext_ecx;   /* CPUID 0x80000001 ECX */
	bool has_leaf; /* CPUID 0x8000000A exists */
	u32 leaf_eax;  /* SVM revision */
	u32 leaf_ebx;  /* number of ASIDs */
	u32 leaf_edx;  /* feature bits */
	u64 vm_cr;     /* MSR VM_CR (only read when SVM is present) */
};

struct svm_features {
	bool present, disabled;
	u32 revision, nr_asids;
	bool npt, lbrv, nrips, tsc_scale, vmcb_clean, flush_by_asid, decode_assists;
	bool pause_filter, avic, vmsave_virt, vgif, x2avic, vnmi;
};

struct vmx_raw {
	u32 cpuid1_ecx;
	u64 feature_control;
	u64 basic;
	u64 pinbased;	/* IA32_VMX_PINBASED_CTLS */
	u64 procbased;	/* IA32_VMX_(TRUE_)PROCBASED_CTLS */
	u64 procbased2; /* IA32_VMX_PROCBASED_CTLS2, 0 if secondary controls absent */
	u64 ept_vpid;	/* IA32_VMX_EPT_VPID_CAP, 0 if neither EPT nor VPID */
};

struct vmx_features {
	bool present, disabled;
	bool ept, vpid, unrestricted, apicv, posted_intr, vmcs_shadow, preemption_timer;
	bool ept_2m, ept_1g, ept_ad, pml, true_ctls, secondary;
};

void svm_features_decode(const struct svm_raw *raw, struct svm_features *f);
void vmx_features_decode(const struct vmx_raw *raw, struct vmx_features *f);

/* The boot report lines, without a newline:
 *   "svm: npt=1 nrips=1 avic=0 decode_assists=1 vmcb_clean=1 flush_by_asid=1 ..."
 *   "vmx: ept=1 vpid=1 unrestricted=1 apicv=0 ..."
 * or a sentence saying the feature is absent or disabled by firmware. */
int svm_features_format(const struct svm_features *f, char *buf, size_t size);
int vmx_features_format(const struct vmx_features *f, char *buf, size_t size);

#endif
