/* boot.c: the first C code on x86: console, exception tables, boot info, then the generic init. */
#include "arch/x86/cpu.h"
#include "arch/x86/trap.h"
#include "boot/multiboot.h"
#include "core/arch.h"
#include "core/console.h"
#include "core/init.h"
#include "core/log.h"
#include "core/platform.h"
#include "drivers/acpi_rsdp.h"
#include "drivers/uart16550.h"

void boot_x86_main(u32 magic, u32 info);

static struct boot_info boot_info;

/* Loader data is read through the early identity map of the first 4 GiB. */
static const void *phys_early(u64 pa, u64 len, void *ctx)
{
	if (pa == 0 || len > GiB(4) || pa > GiB(4) - len)
		return NULL;
	return phys_ptr(pa);
}

/* Multiboot1 passes no RSDP: search the EBDA's first KiB, then 0xE0000-0xFFFFF. */
static void find_rsdp_bios(struct boot_info *bi)
{
	u64 ebda = (u64)(*(const volatile u16 *)phys_ptr(0x40E)) << 4;
	u64 pa = 0;

	if (ebda >= 0x80000 && ebda < 0xA0000)
		pa = acpi_rsdp_scan(phys_ptr(ebda), ebda, 1024, &bi->rsdp_rev);
	if (!pa)
		pa = acpi_rsdp_scan(phys_ptr(0xE0000), 0xE0000, 0x20000, &bi->rsdp_rev);
	bi->rsdp = pa;
}

bool arch_console_select(enum console_kind kind)
{
	static const u16 ports[] = { 0, COM1_PORT, COM2_PORT, COM3_PORT, COM4_PORT };

	if (kind == CONSOLE_NONE) {
		console_set(NULL);
		return true;
	}
	if (kind >= ARRAY_SIZE(ports) || !uart16550_init(ports[kind]))
		return false;
	console_set(uart16550_write);
	return true;
}

/* The loader's copy of the RSDP must pass its checksums before anyone trusts it. */
static void check_rsdp(struct boot_info *bi)
{
	u8 rev;

	if (!bi->rsdp)
		return;
	if (!acpi_rsdp_valid(phys_ptr(bi->rsdp),
			     bi->rsdp_rev >= 2 ? ACPI_RSDP_V2_LEN : ACPI_RSDP_V1_LEN, &rev)) {
		pr_warn("acpi: the loader's RSDP at 0x%llx fails its checksum; ignored\n",
			(unsigned long long)bi->rsdp);
		bi->rsdp = 0;
	}
}

const char *arch_name(void)
{
	return "x86_64";
}

void arch_cpu_init(void)
{
	gdt_init();
	idt_init();
	/* FXSAVE/FXRSTOR of guests' x87/SSE state need these; umbra never uses the FPU. */
	write_cr0((read_cr0() & ~CR0_EM) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
}

u64 arch_breakpoint_selftest(void)
{
	__asm__ volatile("int3" ::: "memory");
	return trap_breakpoint_count();
}

void boot_x86_main(u32 magic, u32 info)
{
	/* The console works from here on; exceptions are reported from the next line. */
	if (uart16550_init(COM1_PORT))
		console_set(uart16550_write);
	arch_cpu_init();

	if (boot_info_parse(magic, info, phys_early, NULL, &boot_info) < 0) {
		pr_err("boot: cannot use what the loader passed (magic 0x%x, info at 0x%x)\n",
		       magic, info);
		platform_exit(false);
	}
	check_rsdp(&boot_info);
	if (boot_info.proto == BOOT_PROTO_MULTIBOOT1 && !boot_info.rsdp)
		find_rsdp_bios(&boot_info);
	umbra_main(&boot_info);
}
