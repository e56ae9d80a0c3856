/* hostile: tries to get out of its VM (memory, MSRs, ports, instructions, hypercalls), then triple-faults (or, on request, faults with its IDT beyond RAM). */
#include "hostile.h"

const char guest_name[] = "hostile";

u64 ram_size(void)
{
	u64 ram = 0;

	fwcfg_read(0x0003, &ram, sizeof(ram));
	return ram;
}

/* A few CPUID leaves nobody defines: answered somehow, and the guest goes on. */
static void check_odd_cpuid(void)
{
	static const u32 leaves[] = { 0x40000002, 0x4fffffff, 0x7fffffff, 0x8fffffff, 0xffffffff };

	for (size_t i = 0; i < ARRAY_SIZE(leaves); i++)
		(void)cpuid(leaves[i], 0xffffffff);
	check(true, "hostile.odd_cpuid_leaves_survived", "%s", "still running");
}

/* An empty IDT: the next exception cannot be delivered, nor the #DF after it. */
static __noreturn void triple_fault(void)
{
	static const struct __attribute__((packed)) {
		u16 limit;
		u32 base;
	} empty = { 0, 0 };

	printf("hostile: triple-faulting now\n");
	__asm__ volatile("lidt %0\n\tud2" : : "m"(empty));
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * With the word idt-beyond-ram: an IDT above the end of RAM, so the CPU's
 * delivery of the next exception reads guest-physical memory that is not
 * RAM. umbra must end the VM naming that (nested paging sees it as a
 * nested fault during delivery; shadow paging as a #PF during delivery).
 */
static __noreturn void idt_beyond_ram(void)
{
	static struct __attribute__((packed)) {
		u16 limit;
		u32 base;
	} far_idt = { 0xff, 0 };

	far_idt.base = (u32)ram_size() + MiB(1);
	printf("hostile: exception with the IDT at 0x%x, beyond RAM\n", far_idt.base);
	__asm__ volatile("lidt %0\n\tud2" : : "m"(far_idt));
	for (;;)
		__asm__ volatile("cli; hlt");
}

void guest_main(void)
{
	printf("hostile: trying to get out (%s)\n",
	       under_umbra() ? "under umbra" : "not under umbra: only the harmless tries");
	check_vm_instructions();
	check_cr4_vmxe();
	check_odd_cpuid();
	check_ring3();
	check_forbidden_msrs();
	check_beyond_ram();
	check_bad_hypercalls();
	check_odd_ports();
	print_summary();
	if (cmdline_has("idt-beyond-ram"))
		idt_beyond_ram();
	triple_fault();
}
