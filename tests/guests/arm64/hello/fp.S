/* fp.S: put a value in d0 and read it back (C here is built without FP/SIMD registers). */
	.arch_extension fp	/* the C flags say general registers only */
	.text
	.globl	fp_set_d0
fp_set_d0:			/* void fp_set_d0(u64 v) */
	fmov	d0, x0
	ret

	.globl	fp_get_d0
fp_get_d0:			/* u64 fp_get_d0(void) */
	fmov	x0, d0
	ret
