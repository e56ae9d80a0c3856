/* exitbench: counts the instructions of a round trip through the hypervisor for common exits. */
#include "guest.h"
#include "timed.h"

/*
 * Under `qemu -icount shift=0,sleep=off` the TSC advances by one per
 * instruction executed, the hypervisor's included, so RDTSC around a loop
 * of N operations counts what they cost, exactly and the same on every run.
 * Each figure is (ticks of the loop with the operation - ticks of its twin,
 * the same loop without it) / N, turned into instructions with a
 * calibration (the ticks of a loop of known length). Each loop runs once
 * to warm up, then REPS times, and the least ticks count: a host timer
 * interrupt (umbra's time slice) that lands in one run is left out.
 * The figure includes the operation's own instruction: about 1 on bare
 * QEMU (the floor), 1 + the hypervisor's whole round trip under umbra.
 * scripts/bench-exits-x86 runs this guest under umbra (tdp=on and off) and
 * directly on QEMU, and tabulates the BENCH lines.
 *
 * Operations (N_OPS of each):
 *   cpuid      CPUID leaf 0 (umbra answers it from its CPUID model)
 *   hypercall  HC_VERSION by VMMCALL (AMD) or VMCALL (Intel); without
 *              umbra either raises #UD, so a one-byte NOP takes its place
 *   port_read  IN of the UART's line status register (0x3FD)
 *   mmio_read  a 32-bit load of the test device's ID register (0xFEB00080)
 *   rdmsr      RDMSR of MISC_ENABLE (0x1A0), which umbra emulates
 *   hlt_wake   a HLT woken by the guest's own timer: not measured, n/a
 *              with the reason (umbra hides the local APIC and has no
 *              virtual interrupt source yet: HLT ends the guest)
 *
 * Output lines (umbra's console puts `[exitbench] ` before each):
 *   exitbench: <N> operations per figure, least of <R> runs, <under umbra
 *   or not under umbra>, hypercalls by <VMMCALL, VMCALL or none ...>
 *                                    first, what was run (the script reads it)
 *   CALIB ticks=<t> insns=<i>        the calibration: t TSC ticks for i
 *                                    instructions (t == i under -icount)
 *   BENCH <op> <n> milli=<m>         n instructions per operation, rounded
 *                                    half up from m, the same in thousandths
 *                                    (n = (m + 500) / 1000)
 *   BENCH <op> <n> milli=<m> instead=nop
 *                                    the operation cannot run here; the
 *                                    figure is of a NOP in its place
 *   BENCH <op> n/a <reason>          not measured, and why
 * Each measured figure is also a check (`exitbench.<op>`: positive), after
 * a check that the operation does what it should.
 */

const char guest_name[] = "exitbench";

#define N_OPS 1000u
#define REPS 3u
#define CAL_ITERS 10000u /* the calibration: 2 instructions each */
#define UART_LSR (COM1 + 5)
#define LSR_THRE 0x20
#define DEV_ID_REG (UMBRA_DEV + 0x80)
#define CPUID1_EDX_APIC (1u << 9)

/* loops.S: the TSC ticks of n iterations of each loop (TIMED in lib/timed.h); only a is used. */
typedef u64 (*loop_fn)(u32 a, u32 b, u32 c, u32 n);
u64 loop_empty(u32 a, u32 b, u32 c, u32 n);
u64 loop_cpuid(u32 leaf, u32 b, u32 c, u32 n);
u64 loop_cpuid_base(u32 leaf, u32 b, u32 c, u32 n);
u64 loop_vmmcall(u32 nr, u32 b, u32 c, u32 n);
u64 loop_vmcall(u32 nr, u32 b, u32 c, u32 n);
u64 loop_hc_nop(u32 nr, u32 b, u32 c, u32 n);
u64 loop_hc_base(u32 nr, u32 b, u32 c, u32 n);
u64 loop_in(u32 port, u32 b, u32 c, u32 n);
u64 loop_in_base(u32 port, u32 b, u32 c, u32 n);
u64 loop_load(u32 addr, u32 b, u32 c, u32 n);
u64 loop_rdmsr(u32 msr, u32 b, u32 c, u32 n);
u64 loop_rdmsr_base(u32 msr, u32 b, u32 c, u32 n);

/* One figure: the operation's loop, its twin, the argument, and the check's name. */
struct op {
	const char *name, *check_name;
	loop_fn op, twin;
	u32 arg;
	const char *instead; /* the stand-in instruction, when the operation cannot run here */
};

static u32 cal_ticks, cal_insns;

/* The least ticks of REPS runs of f(a, 0, 0, n), after one short run that warms it up. */
static u64 least_ticks(loop_fn f, u32 a, u32 n)
{
	u64 best = ~0ull;

	f(a, 0, 0, 2);
	for (u32 i = 0; i < REPS; i++) {
		u64 t = f(a, 0, 0, n);
		if (t < best)
			best = t;
	}
	return best;
}

/* Ticks per instruction, from loops of 1000 and 1000 + CAL_ITERS iterations. */
static bool calibrate(void)
{
	u64 t0 = least_ticks(loop_empty, 0, 1000);
	u64 t1 = least_ticks(loop_empty, 0, 1000 + CAL_ITERS);

	cal_insns = 2 * CAL_ITERS;
	cal_ticks = timed_calibration("exitbench", "exitbench.calibration", t0, t1, cal_insns);
	return cal_ticks > 0;
}

/* Measure one operation, print its BENCH line and check that the figure is positive. */
static void bench(const struct op *o)
{
	u64 base = least_ticks(o->twin, o->arg, N_OPS);
	u64 ops = least_ticks(o->op, o->arg, N_OPS);
	u64 den = (u64)cal_ticks * N_OPS;
	u64 milli = 0, whole;

	if (ops > base)
		milli = div64((ops - base) * cal_insns * 1000 + den / 2, den);
	whole = div64(milli, 1000);
	printf("exitbench: %s: %u operations in %llu ticks, the loop alone %llu ticks%s%s\n",
	       o->name, N_OPS, ops, base, o->instead ? ", measured with a stand-in: " : "",
	       o->instead ? o->instead : "");
	printf("BENCH %s %llu milli=%llu%s%s\n", o->name, div64(milli + 500, 1000), milli,
	       o->instead ? " instead=" : "", o->instead ? o->instead : "");
	check(milli > 0, o->check_name,
	      "%llu.%03u instructions per operation (%llu ticks, loop alone %llu)", whole,
	      (u32)(milli - whole * 1000), ops, base);
}

/* ---------------------------------------------------------------- the operations */

static void bench_cpuid(void)
{
	static const struct op o = { .name = "cpuid",
				     .check_name = "exitbench.cpuid",
				     .op = loop_cpuid,
				     .twin = loop_cpuid_base };
	struct cpuid_regs r = cpuid(0, 0);

	if (check(r.eax >= 1 && r.ebx != 0, "exitbench.cpuid_leaf0",
		  "leaf 0 gave max leaf 0x%x, vendor word 0x%x", r.eax, r.ebx))
		bench(&o);
}

/* Without umbra VMMCALL/VMCALL raise #UD: the floor is then a one-byte NOP's. */
static void bench_hypercall(void)
{
	struct op o = { .name = "hypercall",
			.check_name = "exitbench.hypercall",
			.op = loop_hc_nop,
			.twin = loop_hc_base,
			.arg = HC_VERSION,
			.instead = "nop" };
	s32 v;

	if (under_umbra()) {
		o.op = cpu_is_amd() ? loop_vmmcall : loop_vmcall;
		o.instead = NULL;
		v = hcall(HC_VERSION, 0, 0, 0);
		if (!check(v == HC_VERSION_1_0, "exitbench.hypercall_version",
			   "HC_VERSION returned 0x%x, want 0x%x", (u32)v, HC_VERSION_1_0))
			return;
	}
	bench(&o);
}

static void bench_port_read(void)
{
	static const struct op o = { .name = "port_read",
				     .check_name = "exitbench.port_read",
				     .op = loop_in,
				     .twin = loop_in_base,
				     .arg = UART_LSR };
	u8 lsr = inb(UART_LSR);

	if (check(lsr & LSR_THRE, "exitbench.port_lsr",
		  "the UART's LSR reads 0x%x: transmitter not empty", lsr))
		bench(&o);
}

/* Without umbra nothing is at the test device's address; the load still runs (floor). */
static void bench_mmio_read(void)
{
	static const struct op o = { .name = "mmio_read",
				     .check_name = "exitbench.mmio_read",
				     .op = loop_load,
				     .twin = loop_empty,
				     .arg = DEV_ID_REG };
	u32 id = *(volatile u32 *)(size_t)DEV_ID_REG;

	if (skip_unless_umbra("exitbench.mmio_id") ||
	    check(id == (u32)UMBRA_DEV_ID, "exitbench.mmio_id",
		  "the test device's ID register reads 0x%x, want 0x%x", id, (u32)UMBRA_DEV_ID))
		bench(&o);
}

static void bench_rdmsr(void)
{
	static const struct op o = { .name = "rdmsr",
				     .check_name = "exitbench.rdmsr",
				     .op = loop_rdmsr,
				     .twin = loop_rdmsr_base,
				     .arg = MSR_MISC_ENABLE };
	u64 v = 0;
	int r = rdmsr_safe(MSR_MISC_ENABLE, &v);

	if (!check(r == NO_FAULT, "exitbench.rdmsr_works", "RDMSR 0x%x raised vector %d",
		   MSR_MISC_ENABLE, r))
		return;
	if (skip_unless_umbra("exitbench.rdmsr_value") ||
	    check(v == 1, "exitbench.rdmsr_value", "MISC_ENABLE reads 0x%llx, umbra's is 1", v))
		bench(&o);
}

/* Not measured: says why, from what the CPU model offers (no local APIC: no timer). */
static void bench_hlt_wake(void)
{
	const char *why;

	if (!under_umbra())
		why = "no floor without umbra: there is no umbra figure to compare it with";
	else if (!(cpuid(1, 0).edx & CPUID1_EDX_APIC))
		why = "umbra has no virtual interrupt source yet (no local APIC in CPUID leaf 1; "
		      "HLT ends the guest)";
	else
		why = "umbra offers a local APIC, but exitbench does not time HLT wake-ups yet";
	printf("BENCH hlt_wake n/a %s\n", why);
	skip("exitbench.hlt_wake", why);
}

void guest_main(void)
{
	const char *hc = cpu_is_amd() ? "VMMCALL" : "VMCALL";

	printf("exitbench: %u operations per figure, least of %u runs, %s, hypercalls by %s\n",
	       N_OPS, REPS, under_umbra() ? "under umbra" : "not under umbra",
	       under_umbra() ? hc : "none (a NOP stands in)");
	if (!calibrate())
		return;
	bench_cpuid();
	bench_hypercall();
	bench_port_read();
	bench_mmio_read();
	bench_rdmsr();
	bench_hlt_wake();
}
