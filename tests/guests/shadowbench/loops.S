/* loops.S: the shadowbench guest's timed loops: RDTSC around n iterations of a fixed body. */

#include "timed.h"
#include "x86.h"

	.text
	.code32

/* Nothing but the loop: the calibration, and the baseline of pt_write and cr3_switch. */
TIMED(loop_empty)

/* First touch: read one byte of page a + 4 KiB * i, i = 0 .. n-1 ... */
TIMED(loop_touch, movb (%esi), %al; add $4096, %esi)
/* ... and its baseline: the same walk over the addresses, without the read. */
TIMED(loop_touch_empty, add $4096, %esi)

/* Two 32-bit stores per iteration to the entry at a: b, then c. */
TIMED(loop_write2, mov %edi, (%esi); mov %ebx, (%esi))

/* Two CR3 loads per iteration: b, then a (so it ends where it began, in a). */
TIMED(loop_cr3_2, mov %edi, %cr3; mov %esi, %cr3)
