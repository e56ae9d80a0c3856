/* trap.h: descriptor tables, the saved-register frame and exception handling on x86. */
#ifndef UMBRA_X86_TRAP_H
#define UMBRA_X86_TRAP_H

#include "types.h"

/* Laid out by isr.S: the last register pushed comes first. */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};
_Static_assert(sizeof(struct trap_frame) == (size_t)22 * 8, "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, vector) == (size_t)15 * 8,
	       "trap frame layout");
_Static_assert(__builtin_offsetof(struct trap_frame, rip) == (size_t)17 * 8, "trap frame layout");

#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS 0x18

#define VEC_BREAKPOINT 3
#define VEC_DOUBLE_FAULT 8
#define VEC_PAGE_FAULT 14
#define NR_EXCEPTIONS 32
#define VEC_TIMER 32	 /* the LAPIC timer: ends a guest's time slice */
#define VEC_SPURIOUS 255 /* the LAPIC's spurious vector */

void gdt_init(void);
/* Where umbra's TSS is (the host state a VM exit loads into TR). */
u64 gdt_tss_base(void);
/* IST stack index for a vector, 0 to stay on the current stack. */
unsigned gdt_ist_for_vector(unsigned vector);
void idt_init(void);
void trap_dispatch(struct trap_frame *f);
/* Name of an exception vector, e.g. "page fault (#PF)". */
const char *trap_name(u64 vector);
/* Breakpoints seen since boot; the self-check uses it to prove the IDT works. */
u64 trap_breakpoint_count(void);

#endif
