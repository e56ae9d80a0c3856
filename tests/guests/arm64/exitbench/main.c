/* exitbench: instructions per round trip of the common arm64 traps, under umbra or on bare QEMU. */
#include "guest.h"

/*
 * Under `qemu -icount shift=0,sleep=off` the virtual clock advances 1 ns
 * per instruction executed, EL2's included, so CNTVCT_EL0 (62.5 MHz on
 * QEMU virt: one tick per 16 instructions) read around a loop of n round
 * trips counts what they cost, the same on every run. Each figure is
 *
 *	1 + (ticks of the loop with the op - ticks of the nop loop) / n
 *
 * turned into instructions by a calibration (the ticks of a nop loop of
 * known length), so it includes the op's own instruction: 1 for what
 * nothing traps, more for what traps. Each loop runs REPEATS times and
 * the fewest ticks count: umbra's slice timer (one interrupt at EL2 per
 * 1/60 s, ~16.7 million instructions) can only add to a run, and lands
 * in at most one of them. A loop starts just after a tick (loops.S), so
 * a whole number of instructions per round trip comes out exact; any
 * other mean is within 2 ticks (32 instructions) / N_OPS of the truth:
 * 0.008 instructions, 8 milli. scripts/bench-exits-arm64 runs this guest under umbra and alone
 * on QEMU (the floor) and tabulates both.
 *
 * What QEMU 7.2 counts: an instruction whose exception is known when it
 * is translated (HVC, UDF) counts once; one that faults as it runs (a
 * load's abort; an MRS trapped by an access check, which QEMU makes at
 * run time) does not, as it never completes (a load from an address
 * where nothing is, on bare QEMU, counts as its handler alone). So under
 * umbra mmio_read and sysreg count umbra's EL2 instructions without the
 * trapping one, and umbra's cost (umbra - floor) is what the round trip
 * adds to the guest's time either way.
 *
 * Operations (and via=, what the lane measures):
 *   hvc           HVC #0 with umbra's HC_VERSION, a no-op call. On bare
 *                 QEMU (EL1, no EL2) the same HVC if the platform answers
 *                 it (QEMU's PSCI code does: NOT_SUPPORTED), else
 *                 PSCI_VERSION's HVC;
 *   mmio_read     a 32-bit load of umbra's test device ID (0xfeb00080),
 *                 emulated by umbra; on bare QEMU, where nothing is
 *                 there, of the PL011's UARTPeriphID0 (0x09000fe0),
 *                 answered by QEMU's own device model;
 *   sysreg        MRS of ACTLR_EL1, which umbra traps (HCR_EL2.TACR) and
 *                 answers with an UNDEF; the guest's handler (loops.S,
 *                 bench_vectors) steps over it. ACTLR_EL1 does not trap
 *                 on bare QEMU, so there the same guest-visible work is
 *                 measured: a UDF #0, through the same handler;
 *   psci_version  HVC #0 with PSCI_VERSION (umbra's PSCI, or QEMU's).
 *
 * Output, one line each, the figures as decimal integers:
 *   CALIB lane=<umbra|bare> ticks=<t> insns=<i> freq=<CNTFRQ_EL0 Hz>
 *         ns_per_insn_milli=<1000 under -icount shift=0> iters=<n> repeats=<r>
 *   BENCH <op> <instructions, rounded> milli=<milli-instructions> via=<what>
 */

const char guest_name[] = "exitbench";

#define N_OPS 4096u	 /* round trips per figure */
#define REPEATS 3u	 /* runs of each loop; the fewest ticks count */
#define CAL_SHORT 1024u	 /* the calibration: nop loops of these lengths ... */
#define CAL_LONG 263168u /* ... (1024 + 2^18 iterations) */
#define LOOP_INSNS 4u	 /* instructions per iteration of every loop */
#define PL011_PERIPHID0 0xfe0u
#define PL011_PERIPHID0_VALUE 0x11u /* the PL011's part number, low byte */

/* loops.S: ticks of n iterations; out[0] = x0 after the last, out[1] = UNDEFs stepped over. */
typedef u64 loop_fn(u64 n, u64 arg, u64 out[2]);
loop_fn loop_nop, loop_hc_version, loop_psci_version, loop_load32, loop_actlr, loop_udf;

struct op {
	const char *name, *via;
	loop_fn *loop;
	u64 arg;
	s64 want;   /* x0 after the loop */
	bool undef; /* each iteration must be an UNDEF the handler stepped over */
};

static u64 cal_ticks, cal_insns, ref_ticks;

/* The fewest ticks of REPEATS runs of n iterations (out[] of the last); *spread = most - fewest. */
static u64 best_of(loop_fn *f, u64 n, u64 arg, u64 out[2], u64 *spread)
{
	u64 lo = ~0ull, hi = 0;

	f(n, arg, out); /* warm: the code translated, the device touched */
	for (unsigned r = 0; r < REPEATS; r++) {
		u64 t = f(n, arg, out);

		lo = t < lo ? t : lo;
		hi = t > hi ? t : hi;
	}
	if (spread)
		*spread = hi - lo;
	return lo;
}

static bool calibrate(bool umbra)
{
	u64 out[2], freq = read_sysreg(cntfrq_el0);
	u64 t_short = best_of(loop_nop, CAL_SHORT, 0, out, NULL);
	u64 t_long = best_of(loop_nop, CAL_LONG, 0, out, NULL);
	u64 ns_milli = 0;

	cal_insns = (u64)LOOP_INSNS * (CAL_LONG - CAL_SHORT);
	cal_ticks = t_long > t_short ? t_long - t_short : 0;
	if (cal_ticks && freq)
		ns_milli = (cal_ticks * 1000000000000ull / freq + cal_insns / 2) / cal_insns;
	printf("CALIB lane=%s ticks=%llu insns=%llu freq=%llu ns_per_insn_milli=%llu iters=%u "
	       "repeats=%u\n",
	       umbra ? "umbra" : "bare", cal_ticks, cal_insns, freq, ns_milli, N_OPS, REPEATS);
	if (!check(cal_ticks > 0 && freq > 0, "exitbench.calibration",
		   "CNTVCT_EL0 advanced %llu ticks over %llu instructions (CNTFRQ_EL0 %llu)",
		   cal_ticks, cal_insns, freq))
		return false;
	ref_ticks = best_of(loop_nop, N_OPS, 0, out, NULL);
	return true;
}

/* Milli-instructions per op: 1000 (the op's own) + the ticks it adds, calibrated, rounded. */
static s64 milli_of(u64 ticks)
{
	s64 extra = (s64)ticks - (s64)ref_ticks;
	s64 num = extra * (s64)cal_insns * 1000, den = (s64)(cal_ticks * N_OPS);

	return 1000 + (num >= 0 ? (num + den / 2) / den : -((-num + den / 2) / den));
}

static void run_op(const struct op *op)
{
	u64 out[2], spread;
	u64 ticks = best_of(op->loop, N_OPS, op->arg, out, &spread);
	u64 want_undefs = op->undef ? N_OPS : 0;
	s64 m = milli_of(ticks);
	char name[48];

	printf("exitbench: %s via %s: %u round trips in %llu ticks (spread %llu), the nop loop "
	       "%llu; x0=0x%llx undefs=%llu\n",
	       op->name, op->via, N_OPS, ticks, spread, ref_ticks, out[0], out[1]);
	printf("BENCH %s %lld milli=%lld via=%s\n", op->name, (m + 500) / 1000, m, op->via);
	memcpy(name, "exitbench.", 10);
	memcpy(name + 10, op->name, strlen(op->name) + 1);
	check(m > 0 && (s64)out[0] == op->want && out[1] == want_undefs, name,
	      "%lld milli-instructions, x0=0x%llx (want 0x%llx), %llu UNDEFs (want %llu)", m,
	      out[0], (u64)op->want, out[1], want_undefs);
}

/* The four operations as this lane measures them (see the top of the file). */
static void run_all(bool umbra)
{
	s64 psci = smccc(CONDUIT_HVC, PSCI_VERSION, 0, 0, 0), hc = hc_version_at_start();
	bool hc_answered = umbra || hc != SMCCC_TRAPPED;
	struct op ops[4] = {
		{ "hvc", "hvc:HC_VERSION", loop_hc_version, 0, hc, false },
		{ "mmio_read", "ldr32:testdev_id", loop_load32, UMBRA_DEV + UMBRA_DEV_ID_OFF,
		  (s64)(UMBRA_DEV_ID & 0xffffffffu), false },
		{ "sysreg", "mrs:ACTLR_EL1", loop_actlr, 0, 0, true },
		{ "psci_version", "hvc:PSCI_VERSION", loop_psci_version, 0, psci, false },
	};

	if (!hc_answered)
		ops[0] =
			(struct op){ "hvc", "hvc:PSCI_VERSION", loop_psci_version, 0, psci, false };
	if (!umbra) {
		ops[1].via = "ldr32:pl011_periphid0";
		ops[1].arg = PL011_BASE + PL011_PERIPHID0;
		ops[1].want = PL011_PERIPHID0_VALUE;
		ops[2].via = "udf";
		ops[2].loop = loop_udf;
		printf("exitbench: the floor: HVC at EL1 %s; mmio_read reads the PL011's "
		       "UARTPeriphID0; sysreg is a UDF #0 through the same handler (ACTLR_EL1 "
		       "does not trap here)\n",
		       hc_answered ? "with HC_VERSION is answered by QEMU's PSCI code (-1)"
				   : "with HC_VERSION is UNDEFINED: hvc uses PSCI_VERSION");
	}
	check(psci >= PSCI_VERSION_1_0 && psci < 0x7fffffff, "exitbench.psci_version_answered",
	      "PSCI_VERSION returned 0x%llx", (u64)psci);
	for (unsigned i = 0; i < ARRAY_SIZE(ops); i++)
		run_op(&ops[i]);
}

void guest_main(void)
{
	bool umbra = under_umbra();

	printf("exitbench: %s, %u round trips per figure, best of %u runs\n",
	       umbra ? "under umbra" : "not under umbra (bare QEMU: the floor)", N_OPS, REPEATS);
	if (calibrate(umbra))
		run_all(umbra);
}
