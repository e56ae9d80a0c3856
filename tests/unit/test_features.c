/* test_features.c: host tests of the SVM and VMX feature decoder and its report lines. */
#include <criterion/criterion.h>
#include <string.h>

#include "compiler.h"
#include "vmx_svm/features.h"

static char line[256];

Test(features, svm_absent)
{
	struct svm_raw r = { 0 };
	struct svm_features f;
	svm_features_decode(&r, &f);
	cr_assert(!f.present);
	svm_features_format(&f, line, sizeof(line));
	cr_assert_str_eq(line, "svm: not present");
}

Test(features, svm_qemu_tcg_like)
{
	/* NP, VGIF as QEMU's TCG offers; 16 ASIDs, revision 1. */
	struct svm_raw r = { .ext_ecx = BIT(2),
			     .has_leaf = true,
			     .leaf_eax = 1,
			     .leaf_ebx = 16,
			     .leaf_edx = BIT(0) | BIT(16) };
	struct svm_features f;
	svm_features_decode(&r, &f);
	cr_assert(f.present && !f.disabled && f.npt && f.vgif);
	cr_assert(!f.nrips && !f.avic && !f.decode_assists);
	svm_features_format(&f, line, sizeof(line));
	cr_assert(strstr(line, "svm: npt=1 nrips=0 avic=0 decode_assists=0 vmcb_clean=0 "
			       "flush_by_asid=0") == line,
		  "%s", line);
	cr_assert(strstr(line, "asids=16"), "%s", line);
}

Test(features, svm_full_and_each_bit)
{
	struct svm_raw r = { .ext_ecx = BIT(2),
			     .has_leaf = true,
			     .leaf_edx = BIT(0) | BIT(3) | BIT(5) | BIT(6) | BIT(7) | BIT(13) };
	struct svm_features f;
	svm_features_decode(&r, &f);
	cr_assert(f.npt && f.nrips && f.vmcb_clean && f.flush_by_asid && f.decode_assists &&
		  f.avic);
	svm_features_format(&f, line, sizeof(line));
	cr_assert(strstr(line, "npt=1 nrips=1 avic=1 decode_assists=1 vmcb_clean=1 "
			       "flush_by_asid=1"),
		  "%s", line);
}

Test(features, svm_disabled_by_firmware)
{
	struct svm_raw r = { .ext_ecx = BIT(2), .has_leaf = true, .leaf_edx = 1, .vm_cr = BIT(4) };
	struct svm_features f;
	svm_features_decode(&r, &f);
	cr_assert(f.present && f.disabled);
	svm_features_format(&f, line, sizeof(line));
	cr_assert(strstr(line, "disabled by firmware"), "%s", line);
}

/* A Skylake-like VMX: secondary controls with EPT, VPID, unrestricted guest. */
static struct vmx_raw skylake(void)
{
	struct vmx_raw r = {
		.cpuid1_ecx = BIT(5),
		.feature_control = BIT(0) | BIT(2),
		.basic = BIT(55),
		.pinbased = (BIT(6) | BIT(7)) << 32,
		.procbased = BIT(31) << 32,
		.procbased2 = (BIT(0) | BIT(1) | BIT(5) | BIT(7) | BIT(8) | BIT(9)) << 32,
		.ept_vpid = BIT(16) | BIT(17) | BIT(21),
	};
	return r;
}

Test(features, vmx_ept_vpid_unrestricted_apicv)
{
	struct vmx_raw r = skylake();
	struct vmx_features f;
	vmx_features_decode(&r, &f);
	cr_assert(f.present && !f.disabled && f.ept && f.vpid && f.unrestricted && f.apicv);
	cr_assert(f.ept_2m && f.ept_1g && f.ept_ad && f.true_ctls && f.posted_intr);
	vmx_features_format(&f, line, sizeof(line));
	cr_assert(strstr(line, "vmx: ept=1 vpid=1 unrestricted=1 apicv=1") == line, "%s", line);
}

Test(features, vmx_secondary_controls_absent_hide_everything_in_them)
{
	struct vmx_raw r = skylake();
	struct vmx_features f;
	r.procbased = 0;
	vmx_features_decode(&r, &f);
	cr_assert(f.present && !f.ept && !f.vpid && !f.unrestricted && !f.apicv && !f.ept_2m);
}

Test(features, vmx_allowed0_bits_do_not_count)
{
	struct vmx_raw r = skylake();
	struct vmx_features f;
	r.procbased2 = BIT(1) | BIT(5); /* low half: allowed-0 settings only */
	vmx_features_decode(&r, &f);
	cr_assert(!f.ept && !f.vpid);
}

Test(features, vmx_apicv_needs_all_three_controls)
{
	struct vmx_raw r = skylake();
	struct vmx_features f;
	r.procbased2 &= ~(BIT(9) << 32);
	vmx_features_decode(&r, &f);
	cr_assert(!f.apicv);
}

Test(features, vmx_locked_off_by_firmware)
{
	struct vmx_raw r = skylake();
	struct vmx_features f;
	r.feature_control = BIT(0);
	vmx_features_decode(&r, &f);
	cr_assert(f.present && f.disabled);
	vmx_features_format(&f, line, sizeof(line));
	cr_assert(strstr(line, "disabled by firmware"), "%s", line);
	r.feature_control = 0; /* unlocked: umbra may still enable it */
	vmx_features_decode(&r, &f);
	cr_assert(!f.disabled);
}

Test(features, vmx_absent)
{
	struct vmx_raw r = { 0 };
	struct vmx_features f;
	vmx_features_decode(&r, &f);
	vmx_features_format(&f, line, sizeof(line));
	cr_assert_str_eq(line, "vmx: not present");
}
