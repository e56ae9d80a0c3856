/* init.c: umbra's boot sequence after the architecture's first C code: report, set up memory, check, finish. */
#include "core/init.h"

#include "core/arch.h"
#include "core/bundle.h"
#include "core/cmdline.h"
#include "core/console.h"
#include "core/platform.h"
#include "core/selftest.h"
#include "core/vm.h"
#include "mm/mem_init.h"

#ifndef UMBRA_VERSION
#define UMBRA_VERSION "0.0.0"
#endif

static struct umbra_config config;

static const char *proto_name(enum boot_proto p)
{
	return p == BOOT_PROTO_MULTIBOOT1   ? "multiboot1"
	       : p == BOOT_PROTO_MULTIBOOT2 ? "multiboot2"
	       : p == BOOT_PROTO_IMAGE	    ? "image"
					    : "unknown";
}

static void report_memory(const struct boot_info *bi)
{
	static const char *const type_name[] = { "?",	     "ram", "reserved", "acpi-reclaim",
						 "acpi-nvs", "bad" };
	u64 usable = 0, other = 0;

	for (u32 i = 0; i < bi->nr_mem; i++) {
		const struct mem_range *r = &bi->mem[i];
		if (r->type == MEM_RAM)
			usable += r->len;
		else
			other += r->len;
		pr_debug("memory: [0x%012llx-0x%012llx) %s\n", (unsigned long long)r->base,
			 (unsigned long long)(r->base + r->len),
			 r->type < ARRAY_SIZE(type_name) ? type_name[r->type] : "?");
	}
	kprintf("memory: usable=%llu MiB (%llu bytes) in %u ranges, other=%llu KiB\n",
		(unsigned long long)(usable >> 20), (unsigned long long)usable, bi->nr_mem,
		(unsigned long long)(other >> 10));
}

/* Each module's options, parsed (and their problems reported) once, here. */
static struct module_opts module_opts[BOOT_MAX_MODULES];

static void report_modules(const struct boot_info *bi)
{
	kprintf("modules: %u\n", bi->nr_mods);
	for (u32 i = 0; i < bi->nr_mods; i++) {
		const struct boot_module *m = &bi->mods[i];
		struct module_opts *mo = &module_opts[i];
		module_cmdline_parse(m->cmdline, mo);
		kprintf("module %s: size=%llu cmdline='%s' at 0x%llx\n", mo->name,
			(unsigned long long)(m->end - m->start), m->cmdline,
			(unsigned long long)m->start);
	}
}

/* arm64: what the device tree gave umbra itself. */
static void report_dtb(const struct boot_info *bi)
{
	const struct boot_devices *d = &bi->dev;

	kprintf("dtb: at 0x%llx, %llu bytes; uart=0x%llx gic=v%u gicd=0x%llx gicr=0x%llx "
		"gicc=0x%llx timer=%s psci=%s\n",
		(unsigned long long)bi->dtb, (unsigned long long)(bi->info_end - bi->info_start),
		(unsigned long long)d->uart_base, d->gic_version, (unsigned long long)d->gicd_base,
		(unsigned long long)d->gicr_base, (unsigned long long)d->gicc_base,
		d->has_timer ? "yes" : "no",
		!d->has_psci  ? "none"
		: d->psci_smc ? "smc"
			      : "hvc");
}

static void report_boot(const struct boot_info *bi)
{
	/* The Image protocol enters at EL2 (arm64/boot.c stops otherwise);
	 * Multiboot comes from BIOS or UEFI firmware. */
	if (bi->proto == BOOT_PROTO_IMAGE)
		kprintf("umbra %s %s boot=image el=2\n", UMBRA_VERSION, arch_name());
	else
		kprintf("umbra %s %s boot=%s firmware=%s\n", UMBRA_VERSION, arch_name(),
			proto_name(bi->proto), bi->firmware == BOOT_FW_UEFI ? "uefi" : "bios");
	if (bi->loader_name[0])
		kprintf("loader: %s\n", bi->loader_name);
	kprintf("cmdline: '%s'\n", bi->cmdline);
}

/* umbra's own tdp=off is the default of every module that does not say
 * tdp= itself (a module's tdp=on still asks for nested paging). */
static void apply_global_tdp(u32 nr_mods)
{
	for (u32 i = 0; i < nr_mods && !config.tdp; i++) {
		if (module_opts[i].tdp == TDP_DEFAULT)
			module_opts[i].tdp = TDP_OFF;
	}
}

/* Every module becomes a VM; true when every one of them passed. */
static bool run_guests(const struct boot_info *bi)
{
	if (!bi->nr_mods) {
		kprintf("umbra: no guest modules given; nothing to run\n");
		return true;
	}
	if (!arch_virt_init(mem_palloc())) {
		kprintf("umbra: %u guest(s) not run: no usable hardware virtualization\n",
			bi->nr_mods);
		return false;
	}
	if (!arch_slice_init())
		pr_warn("umbra: no slice timer: each guest runs until it ends, one after "
			"another\n");
	apply_global_tdp(bi->nr_mods);
	vm_create_all(bi, module_opts, mem_palloc());
	return vm_run_all();
}

void umbra_main(struct boot_info *bi)
{
	report_boot(bi);
	cmdline_defaults(&config);
	if (cmdline_parse(bi->cmdline, &config))
		pr_warn("cmdline: problems above were ignored; see README for the options\n");
	if (config.console != CONSOLE_COM1 && !arch_console_select(config.console))
		pr_warn("console: the port console= named does not answer; staying on COM1\n");
	log_set_level(config.log_level);
	platform_set_exit_mode(config.exit);

	report_memory(bi);
	/* A guest bundle (a cpio archive module, the initrd on arm64) becomes
	 * one module per guest it lists. */
	int bundle_problems = bundle_expand_modules(bi);
	report_modules(bi);
	if (bi->dtb)
		report_dtb(bi);
	else if (bi->rsdp)
		kprintf("acpi: rsdp=0x%llx revision=%u\n", (unsigned long long)bi->rsdp,
			bi->rsdp_rev);
	else
		kprintf("acpi: no RSDP found\n");

	if (mem_init(bi) < 0 || arch_paging_init(mem_palloc(), bi) < 0)
		panic("memory setup failed");
	kprintf("paging: hypervisor tables active: text RX, rodata R, data RW NX, RAM NX\n");
	arch_cpu_report();

	bool pass = selftest_run(bi, mem_palloc());
	if (config.selftest == SELFTEST_PAGEFAULT)
		arch_selftest_pagefault();
	bool guests_ok = run_guests(bi);
	if (bundle_problems)
		kprintf("umbra: %d problem(s) with guest bundles (above): guests that were asked "
			"for did not run, so the run fails\n",
			bundle_problems);
	platform_exit(guests_ok && pass && bundle_problems == 0);
}
