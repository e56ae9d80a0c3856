/* test_vmx_names.c: host tests of the names umbra gives VMX exit reasons and VM-instruction errors (vmx_caps.c). */
#include <criterion/criterion.h>
#include <string.h>

#include "compiler.h"
#include "vmx_svm/vmx.h"
#include "vmx_svm/vmx_caps.h"

Test(vmx_names, exit_reason_names)
{
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_EXCEPTION_NMI), "exception or NMI");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_EXT_INTR), "external interrupt");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_TRIPLE_FAULT), "triple fault");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_CPUID), "CPUID");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_HLT), "HLT");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_VMCALL), "VMCALL");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_CR_ACCESS), "control-register access");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_IO), "I/O instruction");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_RDMSR), "RDMSR");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_WRMSR), "WRMSR");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_INVALID_GUEST),
			 "VM-entry failure: invalid guest state");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_MSR_LOADING),
			 "VM-entry failure: MSR loading");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_MACHINE_CHECK),
			 "VM-entry failure: machine-check event");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_EPT_VIOLATION), "EPT violation");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_EPT_MISCONFIG), "EPT misconfiguration");
	cr_assert_str_eq(vmx_exit_reason_name(VMX_EXIT_XRSTORS), "XRSTORS");
}

Test(vmx_names, every_exit_reason_has_a_name)
{
	/* The numbers SDM appendix C leaves unused (35, 38, 42) and those past
	 * the table are "unknown"; every other one up to 64 has a name. */
	for (u32 r = 0; r < VMX_NR_EXIT_REASONS; r++) {
		bool gap = r == 35 || r == 38 || r == 42;
		const char *name = vmx_exit_reason_name(r);
		cr_assert_not_null(name);
		cr_assert_eq(strcmp(name, "unknown") == 0, gap, "reason %u: %s", r, name);
	}
	cr_assert_str_eq(vmx_exit_reason_name(VMX_NR_EXIT_REASONS), "unknown");
	cr_assert_str_eq(vmx_exit_reason_name(0xffff), "unknown");
	cr_assert_str_eq(vmx_exit_reason_name(0x80000021), "unknown"); /* pass the basic reason */
}

Test(vmx_names, insn_error_names)
{
	cr_assert_str_eq(vmx_insn_error_name(7), "VM entry with invalid control field(s)");
	cr_assert_str_eq(vmx_insn_error_name(8), "VM entry with invalid host-state field(s)");
	cr_assert_str_eq(vmx_insn_error_name(26), "VM entry with events blocked by MOV SS");
	cr_assert_str_eq(vmx_insn_error_name(28), "invalid operand to INVEPT/INVVPID");
	cr_assert_str_eq(vmx_insn_error_name(1), "VMCALL executed in VMX root operation");
	cr_assert_str_eq(vmx_insn_error_name(4), "VMLAUNCH with non-clear VMCS");
	cr_assert_str_eq(vmx_insn_error_name(5), "VMRESUME with non-launched VMCS");
	cr_assert_str_eq(vmx_insn_error_name(11),
			 "VMPTRLD with incorrect VMCS revision identifier");
	cr_assert_str_eq(vmx_insn_error_name(12),
			 "VMREAD/VMWRITE from/to unsupported VMCS component");
	for (u32 e = 1; e <= 28; e++) {
		bool unused = e == 14 || e == 21 || e == 27;
		cr_assert_eq(strcmp(vmx_insn_error_name(e), "unknown") == 0, unused, "error %u", e);
	}
	cr_assert_str_eq(vmx_insn_error_name(0), "unknown");
	cr_assert_str_eq(vmx_insn_error_name(29), "unknown");
	cr_assert_str_eq(vmx_insn_error_name(0xffffffff), "unknown");
}
