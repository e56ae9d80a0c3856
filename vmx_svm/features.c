/* features.c: turn raw CPUID/MSR values into the SVM and VMX feature sets umbra reports and uses. */
#include "vmx_svm/features.h"

#include "compiler.h"
#include "core/log.h"

/* CPUID 0x8000000A EDX (AMD APM vol. 3, CPUID Fn8000_000A). */
#define SVM_NP BIT(0)
#define SVM_LBRV BIT(1)
#define SVM_NRIPS BIT(3)
#define SVM_TSC_RATE BIT(4)
#define SVM_VMCB_CLEAN BIT(5)
#define SVM_FLUSH_BY_ASID BIT(6)
#define SVM_DECODE_ASSISTS BIT(7)
#define SVM_PAUSE_FILTER BIT(10)
#define SVM_AVIC BIT(13)
#define SVM_VMSAVE_VIRT BIT(15)
#define SVM_VGIF BIT(16)
#define SVM_X2AVIC BIT(18)
#define SVM_VNMI BIT(25)

/* VMX capability MSRs: the allowed-1 settings are bits 63:32. */
#define VMX_BASIC_TRUE_CTLS BIT(55)
#define PIN_PREEMPTION_TIMER BIT(6)
#define PIN_POSTED_INTR BIT(7)
#define PROC_SECONDARY BIT(31)
#define PROC2_VIRT_APIC_ACCESS BIT(0)
#define PROC2_EPT BIT(1)
#define PROC2_VPID BIT(5)
#define PROC2_UNRESTRICTED BIT(7)
#define PROC2_APIC_REG_VIRT BIT(8)
#define PROC2_VIRT_INTR_DELIVERY BIT(9)
#define PROC2_VMCS_SHADOW BIT(14)
#define PROC2_PML BIT(17)
#define EPT_CAP_2M BIT(16)
#define EPT_CAP_1G BIT(17)
#define EPT_CAP_AD BIT(21)

#define ALLOWED1(msr) ((msr) >> 32)

void svm_features_decode(const struct svm_raw *raw, struct svm_features *f)
{
	u32 d = raw->leaf_edx;

	*f = (struct svm_features){ 0 };
	f->present = (raw->ext_ecx & CPUID_80000001_ECX_SVM) && raw->has_leaf;
	if (!f->present)
		return;
	f->disabled = (raw->vm_cr & VM_CR_SVMDIS) != 0;
	f->revision = raw->leaf_eax & 0xFF;
	f->nr_asids = raw->leaf_ebx;
	f->npt = d & SVM_NP;
	f->lbrv = d & SVM_LBRV;
	f->nrips = d & SVM_NRIPS;
	f->tsc_scale = d & SVM_TSC_RATE;
	f->vmcb_clean = d & SVM_VMCB_CLEAN;
	f->flush_by_asid = d & SVM_FLUSH_BY_ASID;
	f->decode_assists = d & SVM_DECODE_ASSISTS;
	f->pause_filter = d & SVM_PAUSE_FILTER;
	f->avic = d & SVM_AVIC;
	f->vmsave_virt = d & SVM_VMSAVE_VIRT;
	f->vgif = d & SVM_VGIF;
	f->x2avic = d & SVM_X2AVIC;
	f->vnmi = d & SVM_VNMI;
}

void vmx_features_decode(const struct vmx_raw *raw, struct vmx_features *f)
{
	u64 fc = raw->feature_control;
	u64 p2 = 0;

	*f = (struct vmx_features){ 0 };
	f->present = raw->cpuid1_ecx & CPUID_1_ECX_VMX;
	if (!f->present)
		return;
	/* Locked with VMXON outside SMX clear: firmware switched VMX off. */
	f->disabled = (fc & FEATURE_CONTROL_LOCK) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
	f->true_ctls = raw->basic & VMX_BASIC_TRUE_CTLS;
	f->preemption_timer = ALLOWED1(raw->pinbased) & PIN_PREEMPTION_TIMER;
	f->posted_intr = ALLOWED1(raw->pinbased) & PIN_POSTED_INTR;
	f->secondary = ALLOWED1(raw->procbased) & PROC_SECONDARY;
	if (f->secondary)
		p2 = ALLOWED1(raw->procbased2);
	f->ept = p2 & PROC2_EPT;
	f->vpid = p2 & PROC2_VPID;
	f->unrestricted = p2 & PROC2_UNRESTRICTED;
	f->vmcs_shadow = p2 & PROC2_VMCS_SHADOW;
	f->pml = p2 & PROC2_PML;
	/* APIC virtualization: the APIC page, register virtualization and
	 * virtual-interrupt delivery together. */
	f->apicv = (p2 & PROC2_VIRT_APIC_ACCESS) && (p2 & PROC2_APIC_REG_VIRT) &&
		   (p2 & PROC2_VIRT_INTR_DELIVERY);
	if (f->ept) {
		f->ept_2m = raw->ept_vpid & EPT_CAP_2M;
		f->ept_1g = raw->ept_vpid & EPT_CAP_1G;
		f->ept_ad = raw->ept_vpid & EPT_CAP_AD;
	}
}

int svm_features_format(const struct svm_features *f, char *buf, size_t size)
{
	if (!f->present)
		return ksnprintf(buf, size, "svm: not present");
	if (f->disabled)
		return ksnprintf(buf, size,
				 "svm: present but disabled by firmware (VM_CR.SVMDIS=1)");
	return ksnprintf(buf, size,
			 "svm: npt=%d nrips=%d avic=%d decode_assists=%d vmcb_clean=%d "
			 "flush_by_asid=%d lbrv=%d pause_filter=%d vgif=%d vnmi=%d x2avic=%d "
			 "tsc_scale=%d vmsave_virt=%d asids=%u rev=%u",
			 f->npt, f->nrips, f->avic, f->decode_assists, f->vmcb_clean,
			 f->flush_by_asid, f->lbrv, f->pause_filter, f->vgif, f->vnmi, f->x2avic,
			 f->tsc_scale, f->vmsave_virt, f->nr_asids, f->revision);
}

int vmx_features_format(const struct vmx_features *f, char *buf, size_t size)
{
	if (!f->present)
		return ksnprintf(buf, size, "vmx: not present");
	if (f->disabled)
		return ksnprintf(
			buf, size,
			"vmx: present but disabled by firmware (IA32_FEATURE_CONTROL locked)");
	return ksnprintf(buf, size,
			 "vmx: ept=%d vpid=%d unrestricted=%d apicv=%d posted_intr=%d "
			 "vmcs_shadow=%d preemption_timer=%d ept_2m=%d ept_1g=%d ept_ad=%d pml=%d "
			 "true_ctls=%d",
			 f->ept, f->vpid, f->unrestricted, f->apicv, f->posted_intr, f->vmcs_shadow,
			 f->preemption_timer, f->ept_2m, f->ept_1g, f->ept_ad, f->pml,
			 f->true_ctls);
}
