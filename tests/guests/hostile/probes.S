/* probes.S: the hostile guest's fault-tolerant probes of the SVM and VMX instructions. */

#include "x86.h"

	.text
	.code32

/* int name(void): run insn with EAX = 0 (a physical address for the SVM ones). */
.macro PROBE name, insn:vararg
	.globl \name
\name:
	push %ebx
	xor %eax, %eax
	xor %ecx, %ecx
1:	\insn
	mov $NO_FAULT, %eax
	pop %ebx
	ret
2:	mov g_fault, %eax
	pop %ebx
	ret
	FIXUP(1b, 2b)
.endm

/* AMD SVM: with EFER.SVME clear (as the guest sees it) each must raise #UD. */
PROBE probe_vmrun, vmrun
PROBE probe_vmload, vmload
PROBE probe_vmsave, vmsave
PROBE probe_stgi, stgi
PROBE probe_clgi, clgi
PROBE probe_invlpga, invlpga
PROBE probe_skinit, skinit

/* Intel VMX: with CR4.VMXE clear (as the guest sees it) each must raise #UD. */
PROBE probe_vmxon, vmxon vmx_region
PROBE probe_vmptrld, vmptrld vmx_region
PROBE probe_vmclear, vmclear vmx_region
PROBE probe_vmread, vmread %eax, %ecx
PROBE probe_vmwrite, vmwrite %ecx, %eax
PROBE probe_vmlaunch, vmlaunch
PROBE probe_vmresume, vmresume
PROBE probe_vmxoff, vmxoff

	.bss
	.balign 4096
vmx_region:
	.skip 4096
