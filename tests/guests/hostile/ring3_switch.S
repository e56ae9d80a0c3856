/* ring3_switch.S: run one instruction in ring 3 and come back to ring 0 through the exception it ends with. */

#include "x86.h"

/*
 * void ring3_run(u32 what)
 *
 * iret to ring 3 (flat 32-bit segments of DPL 3, IOPL 0) at entry `what` of
 * ring3_entries. Each entry runs one instruction and then UD2, so ring 3
 * always ends in an exception: the hostile guest's trap hook (ring3.c) notes
 * the vector and EAX and resumes ring 0 at ring3_back, where the stack and
 * segments are put back.
 */
	.text
	.code32
	.globl ring3_run
ring3_run:
	push %ebp
	push %ebx
	push %esi
	push %edi
	mov %esp, ring3_saved_esp
	mov 20(%esp), %eax
	mov ring3_entries(,%eax,4), %ebx
	mov $SEL_UDATA, %ax
	mov %ax, %ds
	mov %ax, %es
	pushl $SEL_UDATA
	pushl $ring3_stack_top
	pushfl
	pushl $SEL_UCODE32
	pushl %ebx
	xor %eax, %eax
	iret

	.globl ring3_back
ring3_back:
	mov $SEL_DATA, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov ring3_saved_esp, %esp
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

/* Ring-3 code: EAX is 0 on entry (HC_VERSION for the hypercalls). */
r3_ud2:
	ud2
r3_vmmcall:
	vmmcall
	ud2
r3_vmcall:
	vmcall
	ud2
r3_out:
	out %al, $0x80
	ud2
r3_hlt:
	hlt
	ud2
r3_rdmsr:
	mov $MSR_EFER, %ecx
	rdmsr
	ud2
r3_mov_cr3:
	mov %eax, %cr3
	ud2
r3_cli:
	cli
	ud2

	.section .rodata
	.balign 4
/* Indexed by enum ring3_op (ring3.c). */
ring3_entries:
	.long r3_ud2, r3_vmmcall, r3_vmcall, r3_out, r3_hlt, r3_rdmsr, r3_mov_cr3, r3_cli

	.bss
	.balign 16
ring3_saved_esp:
	.long 0
	.balign 16
	.skip 4096
ring3_stack_top:
