/* boot.c: the first C code on arm64: console, EL check, device tree, then the generic init. */
#include "arch/arm64/arm64.h"
#include "arch/arm64/sysreg.h"
#include "boot/dtb.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/init.h"
#include "core/log.h"
#include "core/platform.h"
#include "drivers/pl011.h"

void boot_arm64_main(u64 dtb, u64 el);

static struct boot_info boot_info;

const struct boot_devices *arm64_devices(void)
{
	return &boot_info.dev;
}

const char *arch_name(void)
{
	return "arm64";
}

/* console=: arm64 has one UART; com1 means it, none silences it. */
bool arch_console_select(enum console_kind kind)
{
	if (kind == CONSOLE_NONE) {
		console_set(NULL);
		return true;
	}
	return kind == CONSOLE_COM1;
}

void arch_cpu_init(void)
{
	/* FP/SIMD: guests' own (swapped per vCPU); umbra's C code never uses it. */
	write_sysreg(cptr_el2, CPTR_EL2_RES1_TRAP_SVE_SME);
	isb();
}

u64 arch_breakpoint_selftest(void)
{
	__asm__ volatile("brk #0x55" ::: "memory");
	return trap_breakpoint_count();
}

/* The counter boot/arm64/entry.S started: the PMU's cycle counter on a
 * CPU with PMUv3, else the generic timer's physical count. */
static bool has_pmuv3(void)
{
	u64 ver = FIELD_GET(ID_AA64DFR0_PMUVER, read_sysreg(id_aa64dfr0_el1));

	return ver != 0 && ver != 0xF;
}

/* QEMU derives PMCCNTR_EL0 from its virtual clock at 1 GHz; under -icount
 * shift=0 that clock advances 1 ns per instruction. */
u64 arch_boot_counter(const char **what)
{
	if (!has_pmuv3()) {
		*what = "CNTPCT_EL0 ticks (generic timer at CNTFRQ_EL0; no PMUv3 to count "
			"instructions)";
		isb();
		return read_sysreg(cntpct_el0);
	}
	*what = "PMU cycles (PMCCNTR_EL0: instructions under QEMU -icount shift=0)";
	isb();
	return read_sysreg(pmccntr_el0);
}

/* Not at EL2: nothing umbra can do. Say so on QEMU virt's UART and stop. */
static __noreturn void wrong_el(u64 el)
{
	kprintf("umbra: entered at EL%llu, not EL2: umbra needs the virtualization extensions "
		"(QEMU: -M virt,virtualization=on); stopping\n",
		(unsigned long long)el);
	if (el == 1)
		platform_set_psci(true, false); /* QEMU virt without EL2 takes PSCI by HVC */
	platform_exit(false);
}

void boot_arm64_main(u64 dtb, u64 el)
{
	/* QEMU virt's UART until the device tree names the real one. */
	pl011_init(PL011_QEMU_VIRT_BASE);
	console_set(pl011_write);
	if (el != 2)
		wrong_el(el);
	arch_cpu_init();

	if (!dtb || dtb_parse((const void *)(uintptr_t)dtb, dtb, &boot_info) < 0) {
		pr_err("boot: no usable device tree at 0x%llx (x0 at entry); cannot go on\n",
		       (unsigned long long)dtb);
		platform_exit(false);
	}
	if (boot_info.dev.uart_base && boot_info.dev.uart_base != PL011_QEMU_VIRT_BASE)
		pl011_init(boot_info.dev.uart_base);
	platform_set_psci(boot_info.dev.has_psci, boot_info.dev.psci_smc);
	umbra_main(&boot_info);
}
