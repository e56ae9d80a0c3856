/* ops64.S: the paging guest's op-list interpreter for 64-bit code (see paging.h). */

#include "x86.h"

#define OP_END		0
#define OP_READ		1
#define OP_WRITE	2
#define OP_EXEC		3
#define OP_INVLPG	4
#define OP_SET_CR3	5
#define OP_SET_WP	6
#define OP_SIZE		40

	.text
	.code64
/* void run_ops64(struct op *ops): run ops up to OP_END, recording faults. */
	.globl run_ops64
run_ops64:
	push %rbx
	mov %rdi, %rbx
next:	mov (%rbx), %eax
	cmp $OP_END, %eax
	je done
	movl $NO_FAULT, 4(%rbx)
	mov 8(%rbx), %rcx
	mov 16(%rbx), %rdx
	cmp $OP_READ, %eax
	je op_read
	cmp $OP_WRITE, %eax
	je op_write
	cmp $OP_EXEC, %eax
	je op_exec
	cmp $OP_INVLPG, %eax
	je op_invlpg
	cmp $OP_SET_CR3, %eax
	je op_cr3
	cmp $OP_SET_WP, %eax
	je op_wp
step:	add $OP_SIZE, %rbx
	jmp next
done:	pop %rbx
	ret

op_read:
1:	mov (%rcx), %eax
	mov %rax, 16(%rbx)
	jmp step
	FIXUP(1b, faulted)

op_write:
1:	mov %edx, (%rcx)
	jmp step
	FIXUP(1b, faulted)

op_exec:
	mov %rcx, g_dyn_fixup_ip(%rip)
	mov $exec_faulted, %eax
	mov %eax, g_dyn_fixup_to(%rip)
	mov %rsp, exec_saved_rsp(%rip)
	call *%rcx
	movq $0, g_dyn_fixup_ip(%rip)
	jmp step
exec_faulted:
	mov exec_saved_rsp(%rip), %rsp
	movq $0, g_dyn_fixup_ip(%rip)
	jmp faulted

op_invlpg:
	invlpg (%rcx)
	jmp step

op_cr3:
	mov %rdx, %cr3
	jmp step

op_wp:
	mov %cr0, %rax
	and $~CR0_WP, %eax
	test %edx, %edx
	jz 1f
	or $CR0_WP, %eax
1:	mov %rax, %cr0
	jmp step

/* A probe faulted: copy g_fault into the op. */
faulted:
	mov g_fault(%rip), %eax
	mov %eax, 4(%rbx)
	mov g_fault + 4(%rip), %eax
	mov %eax, 24(%rbx)
	mov g_fault + 8(%rip), %rax
	mov %rax, 32(%rbx)
	jmp step

	.bss
	.balign 8
exec_saved_rsp:
	.quad 0
