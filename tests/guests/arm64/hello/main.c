/* hello: the smallest arm64 guest: greeting, command line, boot info page, umbra's calls. */
#include "guest.h"

const char guest_name[] = "hello";

/* Read the command line x1 points at (every byte may fault), at most 255 bytes. */
static void read_cmdline_x1(char *buf, size_t size)
{
	u64 c;
	size_t i = 0;

	for (; i + 1 < size; i++) {
		if (try_load(g_entry.x[1] + i, 1, &c) || !c)
			break;
		buf[i] = (char)c;
	}
	buf[i] = '\0';
}

/* Umbra is detected by two signs at once: the boot info page in x0 and HC_VERSION. */
static void check_detection(void)
{
	s64 v = hc_version_at_start();

	check(g_boot.valid == (v == HC_VERSION_1_0), "hello.umbra_detection_consistent",
	      "boot info page %s, but HC_VERSION returned 0x%llx",
	      g_boot.valid ? "present" : "absent", (u64)v);
}

/* EL1h, DAIF masked, MMU and caches off; under umbra also every other register and SP zero. */
static void check_start_state(void)
{
	u64 el = BITS(g_entry.currentel, 3, 2), m = SCTLR_M | SCTLR_C | SCTLR_I;
	unsigned nonzero = 0;

	check(el == 1 && g_entry.daif == DAIF_ALL && !(g_entry.sctlr & m), "hello.start_state",
	      "EL%llu, DAIF 0x%llx, SCTLR_EL1 0x%llx", el, g_entry.daif, g_entry.sctlr);
	if (skip_unless_umbra("hello.start_registers_zero"))
		return;
	for (unsigned i = 5; i < 31; i++)
		if (g_entry.x[i] && !nonzero)
			nonzero = i;
	check(!nonzero && !g_entry.sp, "hello.start_registers_zero", "x%u = 0x%llx, SP = 0x%llx",
	      nonzero, nonzero ? g_entry.x[nonzero] : 0, g_entry.sp);
}

/* x0..x4 against the page: its address, the command line in it, RAM base and size, IPA width. */
static void check_boot_registers(void)
{
	const u64 *x = g_entry.x;
	u64 image = (u64)(uintptr_t)check_boot_registers,
	    ram_end = g_boot.ram_base + g_boot.ram_size;
	char line[256];

	read_cmdline_x1(line, sizeof(line));
	check(x[0] == BOOTINFO_IPA && x[1] == x[0] + BOOTINFO_CMDLINE && x[2] == g_boot.ram_base &&
		      x[3] == g_boot.ram_size && x[4] == g_boot.ipa_bits &&
		      strcmp(line, g_boot.cmdline) == 0,
	      "hello.boot_registers_match_page",
	      "x0..x4 0x%llx 0x%llx 0x%llx 0x%llx %llu; page: RAM 0x%llx size 0x%llx ipa %llu",
	      x[0], x[1], x[2], x[3], x[4], g_boot.ram_base, g_boot.ram_size, g_boot.ipa_bits);
	check(g_boot.ram_base == RAM_BASE && g_boot.ram_size >= MiB(1) &&
		      g_boot.ram_size % PAGE_SIZE == 0 && image >= g_boot.ram_base &&
		      image < ram_end && g_boot.ipa_bits >= 32 && g_boot.ipa_bits <= 52 &&
		      ram_end <= 1ull << g_boot.ipa_bits,
	      "hello.boot_info_sane", "RAM 0x%llx size 0x%llx, ipa %llu, image at 0x%llx",
	      g_boot.ram_base, g_boot.ram_size, g_boot.ipa_bits, image);
}

u64 regs_survive_exits(u64 fid); /* regs.S */

static void check_calls(void)
{
	static const char msg[] = "hello: this line came through HC_CONSOLE_WRITE\n";
	s64 smc = smccc(CONDUIT_SMC, HC_VERSION, 0, 0, 0), n;
	u64 t1, t2, cnt;

	check(hc_version_at_start() == HC_VERSION_1_0 && smc == HC_VERSION_1_0, "hello.hc_version",
	      "HVC 0x%llx, SMC 0x%llx", (u64)hc_version_at_start(), (u64)smc);
	n = hcall(HC_CONSOLE_WRITE, (u64)(uintptr_t)msg, sizeof(msg) - 1, 0);
	check(n == (s64)sizeof(msg) - 1, "hello.hc_console_write", "returned %lld, want %llu", n,
	      (u64)sizeof(msg) - 1);
	t1 = (u64)hcall(HC_TIMESTAMP, 0, 0, 0);
	isb();
	cnt = read_sysreg(cntvct_el0);
	isb();
	t2 = (u64)hcall(HC_TIMESTAMP, 0, 0, 0);
	check(t1 <= cnt && cnt <= t2 && t1 < t2, "hello.hc_timestamp",
	      "HC_TIMESTAMP 0x%llx, CNTVCT_EL0 0x%llx, HC_TIMESTAMP 0x%llx", t1, cnt, t2);
	n = (s64)regs_survive_exits(HC_VERSION);
	check(n == 0, "hello.registers_survive_exits",
	      "registers changed across an HVC and a WFI: mask 0x%llx (bit n: xn)", (u64)n);
}

void fp_set_d0(u64 v); /* fp.S */
u64 fp_get_d0(void);

/* "spin": loop forever without an exit; only umbra's slice timer or slices= stop it. */
static void spin_forever(void)
{
	printf("hello: spinning forever without an exit\n");
	for (;;)
		__asm__ volatile("" ::: "memory");
}

/*
 * "keepA"/"keepB": put a value in v0 and TPIDR_EL1, wait about 200 ms of
 * the counter (a dozen of umbra's time slices, with another guest running
 * in between), and check both still hold it: umbra switches FP/SIMD and
 * EL1 registers between guests, the CPU does not.
 */
static void check_kept_across_slices(u64 pattern)
{
	u64 v0 = 0, tp, end = read_sysreg(cntvct_el0) + read_sysreg(cntfrq_el0) / 5;

	write_sysreg(cpacr_el1, 3ULL << 20); /* FPEN: FP/SIMD at EL1 without a trap */
	__asm__ volatile("isb");
	fp_set_d0(pattern);
	write_sysreg(tpidr_el1, pattern ^ 0xFFFF);
	while (read_sysreg(cntvct_el0) < end)
		;
	v0 = fp_get_d0();
	tp = read_sysreg(tpidr_el1);
	check(v0 == pattern, "hello.v0_kept_across_slices", "0x%llx, expected 0x%llx", v0, pattern);
	check(tp == (pattern ^ 0xFFFF), "hello.tpidr_el1_kept_across_slices", "0x%llx", tp);
}

void guest_main(void)
{
	char line[256];

	printf("hello: greetings from an arm64 guest at EL%llu\n", BITS(g_entry.currentel, 3, 2));
	if (g_boot.valid) {
		read_cmdline_x1(line, sizeof(line));
		printf("hello: command line '%s'\n", line);
		printf("hello: RAM 0x%llx, %llu MiB, IPA width %llu bits\n", g_boot.ram_base,
		       g_boot.ram_size >> 20, g_boot.ipa_bits);
	} else {
		printf("hello: no boot info page (x0 = 0x%llx): not running under umbra\n",
		       g_entry.x[0]);
	}
	check_detection();
	check_start_state();
	if (!skip_unless_umbra("hello.boot_info_magic")) {
		check(g_boot.magic == BOOTINFO_MAGIC, "hello.boot_info_magic", "0x%llx",
		      g_boot.magic);
		check_boot_registers();
	}
	if (!skip_unless_umbra("hello.calls"))
		check_calls();
	if (cmdline_has("keepA"))
		check_kept_across_slices(0x1111222233334444ULL);
	if (cmdline_has("keepB"))
		check_kept_across_slices(0xAAAABBBBCCCCDDDDULL);
	if (cmdline_has("spin"))
		spin_forever();
}
