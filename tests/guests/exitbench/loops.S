/* loops.S: the exitbench guest's timed loops: RDTSC around n iterations of one exit, or of none. */

#include "timed.h"
#include "x86.h"

	.text
	.code32

/* Nothing but the loop: the calibration, and the twin of mmio_read. */
TIMED(loop_empty)

/* CPUID leaf a, subleaf 0, and its twin. */
TIMED(loop_cpuid, mov %esi, %eax; xor %ecx, %ecx; cpuid)
TIMED(loop_cpuid_base, mov %esi, %eax; xor %ecx, %ecx)

/* Hypercall number a (AMD: VMMCALL, Intel: VMCALL), a one-byte NOP in its place, the twin. */
TIMED(loop_vmmcall, mov %esi, %eax; vmmcall)
TIMED(loop_vmcall, mov %esi, %eax; vmcall)
TIMED(loop_hc_nop, mov %esi, %eax; nop)
TIMED(loop_hc_base, mov %esi, %eax)

/* A byte IN from port a, and its twin. */
TIMED(loop_in, mov %esi, %edx; inb %dx, %al)
TIMED(loop_in_base, mov %esi, %edx)

/* A 32-bit load from address a (twin: loop_empty). */
TIMED(loop_load, mov (%esi), %eax)

/* RDMSR of MSR a, and its twin. */
TIMED(loop_rdmsr, mov %esi, %ecx; rdmsr)
TIMED(loop_rdmsr_base, mov %esi, %ecx)
