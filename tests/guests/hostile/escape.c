/* escape.c: virtualization instructions, CR4.VMXE, forbidden MSR writes, odd ports, memory beyond RAM. */
#include "hostile.h"

int probe_vmrun(void);
int probe_vmload(void);
int probe_vmsave(void);
int probe_stgi(void);
int probe_clgi(void);
int probe_invlpga(void);
int probe_skinit(void);
int probe_vmxon(void);
int probe_vmptrld(void);
int probe_vmclear(void);
int probe_vmread(void);
int probe_vmwrite(void);
int probe_vmlaunch(void);
int probe_vmresume(void);
int probe_vmxoff(void);

/* SVM and VMX instructions: the guest sees neither feature, so each must be #UD. */
static const struct {
	const char *check;
	int (*probe)(void);
} vm_insns[] = {
	{ "hostile.vmrun_ud", probe_vmrun },	   { "hostile.vmload_ud", probe_vmload },
	{ "hostile.vmsave_ud", probe_vmsave },	   { "hostile.stgi_ud", probe_stgi },
	{ "hostile.clgi_ud", probe_clgi },	   { "hostile.invlpga_ud", probe_invlpga },
	{ "hostile.skinit_ud", probe_skinit },	   { "hostile.vmxon_ud", probe_vmxon },
	{ "hostile.vmptrld_ud", probe_vmptrld },   { "hostile.vmclear_ud", probe_vmclear },
	{ "hostile.vmread_ud", probe_vmread },	   { "hostile.vmwrite_ud", probe_vmwrite },
	{ "hostile.vmlaunch_ud", probe_vmlaunch }, { "hostile.vmresume_ud", probe_vmresume },
	{ "hostile.vmxoff_ud", probe_vmxoff },
};

/* MSRs a guest must not write (umbra: #GP), with values that would hurt if they went through. */
static const struct {
	const char *check;
	u32 msr;
	u64 value;
} bad_msrs[] = {
	{ "hostile.wrmsr_vm_hsave_pa_gp", MSR_VM_HSAVE_PA, 0x1000 },
	{ "hostile.wrmsr_vm_cr_gp", MSR_VM_CR, 0x18 }, /* LOCK | SVMDIS */
	{ "hostile.wrmsr_feature_control_gp", MSR_FEATURE_CONTROL, 0x5 },
	{ "hostile.wrmsr_apic_base_gp", MSR_APIC_BASE, 0xfee00900 },
	{ "hostile.wrmsr_syscfg_gp", 0xc0010010, 0 },
	{ "hostile.wrmsr_hwcr_gp", 0xc0010015, 0 },
	{ "hostile.wrmsr_smm_base_gp", 0xc0010111, 0x30000 },
	{ "hostile.wrmsr_smm_mask_gp", 0xc0010113, 0 },
	{ "hostile.wrmsr_mtrr_physbase0_gp", 0x200, 0x6 },
	{ "hostile.wrmsr_debugctl_gp", 0x1d9, 0x1 },
	{ "hostile.wrmsr_x2apic_icr_gp", 0x830, 0xc4500 }, /* INIT to all but self */
	/* allowed MSRs with reserved bits set: #GP, and umbra never loads them */
	{ "hostile.wrmsr_sfmask_reserved_gp", 0xc0000084, 1ull << 32 },
	{ "hostile.wrmsr_lstar_noncanonical_gp", 0xc0000082, 1ull << 47 },
};

/* SVM and VMX instructions, which the CPUID model hides, must raise #UD. */
void check_vm_instructions(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(vm_insns); i++) {
		int f = vm_insns[i].probe();
		check(f == VEC_UD, vm_insns[i].check, "raised %s (%d), want #UD",
		      f == NO_FAULT ? "nothing" : vector_name((u32)f), f);
	}
}

/*
 * Under umbra only, and on request (the word cr4-vmxe on the command line):
 * QEMU 7.2's TCG neither faults nor moves on at this MOV to CR4 (it spins),
 * and under umbra on QEMU the VM then ends with an invalid-state exit.
 */
void check_cr4_vmxe(void)
{
	u32 cr4 = read_cr4();
	int f;

	if (!under_umbra() || !cmdline_has("cr4-vmxe")) {
		skip("hostile.cr4_vmxe_gp",
		     "only under umbra, with 'cr4-vmxe' on the command line");
		return;
	}
	if (cpuid(1, 0).ecx & (1u << 5)) {
		skip("hostile.cr4_vmxe_gp", "the CPU offers VMX");
		return;
	}
	f = write_cr4_safe(cr4 | CR4_VMXE);
	check(f == VEC_GP && read_cr4() == cr4, "hostile.cr4_vmxe_gp",
	      "setting CR4.VMXE raised %d, CR4 now 0x%x", f, read_cr4());
	write_cr4(cr4);
}

void check_forbidden_msrs(void)
{
	u64 efer = rdmsr(MSR_EFER), after;

	if (skip_unless_umbra("hostile.forbidden_msr_writes"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(bad_msrs); i++) {
		int f = wrmsr_safe(bad_msrs[i].msr, bad_msrs[i].value);
		check(f == VEC_GP, bad_msrs[i].check, "WRMSR 0x%x <- 0x%llx raised %d, want #GP",
		      bad_msrs[i].msr, bad_msrs[i].value, f);
	}
	/* EFER itself is allowed, but not SVME (SVM is hidden) nor a reserved bit. */
	check(wrmsr_safe(MSR_EFER, efer | EFER_SVME) == VEC_GP, "hostile.wrmsr_efer_svme_gp",
	      "setting EFER.SVME raised %d, want #GP", g_fault.vector);
	check(wrmsr_safe(MSR_EFER, efer | 1ull << 63) == VEC_GP, "hostile.wrmsr_efer_reserved_gp",
	      "setting EFER bit 63 raised %d, want #GP", g_fault.vector);
	after = rdmsr(MSR_EFER);
	check(after == efer, "hostile.efer_unchanged", "EFER 0x%llx, was 0x%llx", after, efer);
}

/* Port writes that reset, power off or reprogram a real PC or an emulator. */
static const struct {
	u16 port;
	u8 size;
	u32 value;
} port_writes[] = {
	{ 0x64, 1, 0xfe },	  /* keyboard controller: pulse the reset line */
	{ 0xcf9, 1, 0x06 },	  /* reset control register: hard reset */
	{ 0x92, 1, 0x01 },	  /* system control port A: fast reset */
	{ 0x604, 2, 0x2000 },	  /* QEMU q35 ACPI: power off */
	{ 0xb004, 2, 0x2000 },	  /* Bochs and old QEMU ACPI: power off */
	{ 0x4004, 2, 0x3400 },	  /* VirtualBox ACPI: power off */
	{ 0x501, 1, 0x01 },	  /* isa-debug-exit at its default port */
	{ 0xe9, 1, 'X' },	  /* Bochs/QEMU debug console */
	{ 0x402, 1, 'X' },	  /* SeaBIOS debug port */
	{ 0xcf8, 4, 0x80000000 }, /* PCI configuration: bus 0, device 0 ... */
	{ 0xcfc, 4, 0 },	  /* ... and a write to it */
	{ 0x70, 1, 0x8f },	  /* CMOS: NMI off, shutdown status byte ... */
	{ 0x71, 1, 0x0a },	  /* ... jump through 40:67 on reset */
	{ 0x20, 1, 0x11 },	  /* PIC: ICW1 */
	{ 0x21, 1, 0xff },	  /* PIC: mask everything */
	{ 0x43, 1, 0x34 },	  /* PIT channel 0, rate generator ... */
	{ 0x40, 1, 0x01 },	  /* ... at full speed */
	{ 0x0a, 1, 0x06 },	  /* ISA DMA channel 2: mask ... */
	{ 0x0c, 1, 0x00 },	  /* ... clear the flip-flop ... */
	{ 0x04, 1, 0x00 },	  /* ... address 0x100000 ... */
	{ 0x04, 1, 0x00 },	  /* */
	{ 0x81, 1, 0x10 },	  /* ... (page register) ... */
	{ 0x05, 1, 0xff },	  /* ... 4 KiB ... */
	{ 0x05, 1, 0x0f },	  /* */
	{ 0x0b, 1, 0x46 },	  /* ... device to memory ... */
	{ 0x0a, 1, 0x02 },	  /* ... unmask */
	{ 0x2f8, 1, 'X' },	  /* COM2 */
};

/* Ports that must then read as all ones (umbra handles none of them). */
static const u16 port_reads[] = { 0x64, 0x92, 0x71, 0x21, 0x40, 0x2fd, 0xe9, 0x402, 0x8900, 0x501 };

/* QEMU's fw_cfg DMA interface (ports 0x514/0x518) is not part of umbra's platform. */
static void fwcfg_dma_attempt(void)
{
	static struct {
		u32 control, length; /* big endian */
		u64 address;
	} __attribute__((aligned(16))) dma;
	static u8 buf[4];
	u32 a = (u32)(size_t)&dma;

	dma.control = 0x0a000000; /* select item 0, read */
	dma.length = 0x04000000;  /* 4 bytes */
	dma.address = (u64)__builtin_bswap32((u32)(size_t)buf) << 32;
	outl(0x514, 0);
	outl(0x518, __builtin_bswap32(a));
	check(dma.control == 0x0a000000 && memcmp(buf, "QEMU", 4) != 0, "hostile.fwcfg_dma_ignored",
	      "the DMA descriptor changed (control 0x%x) or the buffer holds the signature",
	      dma.control);
}

void check_odd_ports(void)
{
	u32 bad = 0, first = 0, got = 0;

	if (skip_unless_umbra("hostile.odd_ports"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(port_writes); i++) {
		u16 p = port_writes[i].port;
		u32 v = port_writes[i].value;
		if (port_writes[i].size == 1)
			outb(p, (u8)v);
		else if (port_writes[i].size == 2)
			outw(p, (u16)v);
		else
			outl(p, v);
	}
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (u8)*s); /* Bochs: ends the emulator */
	check(true, "hostile.odd_port_writes_survived", "%s", "still running");
	for (size_t i = 0; i < ARRAY_SIZE(port_reads); i++) {
		u8 v = inb(port_reads[i]);
		if (v != 0xff && !bad++) {
			first = port_reads[i];
			got = v;
		}
	}
	if (inl(0xcfc) != 0xffffffff && !bad++)
		first = 0xcfc;
	check(bad == 0, "hostile.odd_ports_read_all_ones",
	      "%u ports not all ones; first 0x%x read 0x%x", bad, first, got);
	fwcfg_dma_attempt();
}

/* Read, write and read again through a PAE 2 MiB mapping of a physical address beyond RAM. */
static void check_unbacked(const char *name, u64 *pd, u32 slot, u64 pa)
{
	u32 va = 0x40000000u + slot * MiB(2), v1 = 0, v2 = 0, b = 0;
	int f1, f2, f3;

	pd[slot] = pa | PTE_P | PTE_W | PTE_PS | PTE_PCD | PTE_PWT;
	invlpg(va);
	f1 = peek32(va + 0x40, &v1);
	f2 = poke32(va + 0x40, 0x12345678);
	f3 = peek32(va + 0x40, &v2);
	peek8(va + 0x1fffff, &b);
	check(f1 == NO_FAULT && f2 == NO_FAULT && f3 == NO_FAULT && v1 == 0xffffffff &&
		      v2 == 0xffffffff && b == 0xff,
	      name,
	      "physical 0x%llx: read 0x%x, after a write 0x%x, last byte 0x%x (faults %d/%d/%d)",
	      pa + 0x40, v1, v2, b, f1, f2, f3);
}

void check_beyond_ram(void)
{
	u64 *pdpt, *pd, ram = ram_size();
	u32 bits = cpuid(0x80000000, 0).eax >= 0x80000008 ? cpuid(0x80000008, 0).eax & 0xff : 36;

	if (skip_unless_umbra("hostile.beyond_ram"))
		return;
	pdpt = pae_identity();
	pd = page_alloc();
	pdpt[1] = (u32)(size_t)pd | PTE_P;
	paging_on((u32)(size_t)pdpt, true);
	check_unbacked("hostile.unbacked_past_ram", pd, 0, (ram + MiB(2) - 1) & ~(u64)(MiB(2) - 1));
	check_unbacked("hostile.unbacked_4g", pd, 1, 1ull << 32);
	check_unbacked("hostile.unbacked_64g", pd, 2, 1ull << 36);
	if (bits > 39)
		check_unbacked("hostile.unbacked_512g", pd, 3, 1ull << 39);
	if (bits <= 52)
		check_unbacked("hostile.unbacked_top_of_physical", pd, 4, (1ull << bits) - MiB(2));
	paging_off();
}
