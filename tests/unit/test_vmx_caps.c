/* test_vmx_caps.c: host tests of the VMX control derivation, on recorded CPUs and synthetic ones. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "compiler.h"
#include "vmx_svm/vmx.h"
#include "vmx_svm/vmx_caps.h"

static char why[512];
static char line[256];

/* Every one of bits is allowed to be 1: set in the high half of a control capability MSR. */
#define ALLOWED1_TEST(msr, bits) ((((msr) >> 32) & (bits)) == (bits))

#define LACKS "vmx: this CPU lacks what umbra needs: "
#define NO_EPT_NOR_SHADOW                                                                      \
	"no usable EPT (extended page tables), and no CR3-load, CR3-store and INVLPG exiting " \
	"for shadow paging, so guests cannot run on this CPU"
#define SHADOW_ONLY " (no EPT: every VM uses shadow paging)"

/*
 * Recorded CPUs. Every value below is the MSR exactly as read on that CPU
 * (or emulator model), never edited; the synthetic cases further down start
 * from one of them and say what they change.
 */

/*
 * Intel Core i7-6700K (Skylake client, family 6 model 94): TRUE controls,
 * EPT with 1 GiB pages, VPID, unrestricted guest. Read on the real CPU by
 * VBoxCpuReport; VirtualBox's CPU database, repository VirtualBox/virtualbox,
 * src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_6700K.h (MSRs 0x480-0x490).
 */
static struct vmx_caps i7_6700k(void)
{
	return (struct vmx_caps){
		.basic = 0x00da040000000004,
		.pinbased = 0x0000007f00000016,
		.procbased = 0xfff9fffe0401e172,
		.exit = 0x01ffffff00036dff,
		.entry = 0x0003ffff000011ff,
		.misc = 0x7004c1e7,
		.cr0_fixed0 = 0x80000021,
		.cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000,
		.cr4_fixed1 = 0x3727ff,
		.procbased2 = 0x001ffcff00000000,
		.ept_vpid = 0x00000f0106334141,
		.true_pinbased = 0x0000007f00000016,
		.true_procbased = 0xfff9fffe04006172,
		.true_exit = 0x01ffffff00036dfb,
		.true_entry = 0x0003ffff000011fb,
	};
}

/*
 * Bochs 2.7 (Debian bookworm's bochs 2.7+dfsg-4+deb12u1) with
 * "cpu: model=corei7_skylake_x", the model of the boot tests' VMX lane. Read
 * with RDMSR by a throwaway Multiboot kernel booted through scripts/run-bochs;
 * Bochs computes these in bochs/cpu/vmx.cc (init_vmx_capabilities) and
 * bochs/cpu/vmx.h (VMX_MSR_*), repository bochs-emu/Bochs. Unlike the
 * i7-6700K it also offers RDTSCP, INVPCID and XSAVES in the secondary
 * controls, which umbra must leave off.
 */
static struct vmx_caps bochs_skylake_x(void)
{
	return (struct vmx_caps){
		.basic = 0x00d810000000002b,
		.pinbased = 0x0000007f00000016,
		.procbased = 0xf7f9fffe0401e172,
		.exit = 0x007fffff00036dff,
		.entry = 0x0000ffff000011ff,
		.misc = 0x600401e0,
		.cr0_fixed0 = 0x80000021,
		.cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000,
		.cr4_fixed1 = 0x3727ff,
		.procbased2 = 0x02177fff00000000,
		.ept_vpid = 0x00000f0106334141,
		.true_pinbased = 0x0000007f00000016,
		.true_procbased = 0xf7f9fffe04006172,
		.true_exit = 0x007fffff00036dfb,
		.true_entry = 0x0000ffff000011fb,
	};
}

/*
 * A Nehalem: EPT (2 MiB pages only) and VPID but no unrestricted guest,
 * which came with Westmere. No public dump of a real Nehalem's VMX MSRs
 * was found, so this is Bochs 2.7's "cpu: model=corei5_lynnfield_750"
 * (Core i5-750, Lynnfield), whose VMX feature list in
 * bochs/cpu/cpudb/intel/corei5_lynnfield_750.cc (repository bochs-emu/Bochs)
 * matches Nehalem's; read the same way as bochs_skylake_x().
 */
static struct vmx_caps bochs_lynnfield(void)
{
	return (struct vmx_caps){
		.basic = 0x00d810000000002b,
		.pinbased = 0x0000007f00000016,
		.procbased = 0xf7f9fffe0401e172,
		.exit = 0x007fffff00036dff,
		.entry = 0x0000ffff000011ff,
		.misc = 0x000401e0,
		.cr0_fixed0 = 0x80000021,
		.cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000,
		.cr4_fixed1 = 0x67ff,
		.procbased2 = 0x0000007f00000000,
		.ept_vpid = 0x00000f0106114141,
		.true_pinbased = 0x0000007f00000016,
		.true_procbased = 0xf7f9fffe04006172,
		.true_exit = 0x007fffff00036dfb,
		.true_entry = 0x0000ffff000011fb,
	};
}

/*
 * Intel Xeon X5482 (Penryn/Harpertown, family 6 model 23): secondary
 * controls with only "virtualize APIC accesses" and "WBINVD exiting", no
 * TRUE controls, and no PAT or EFER save/load on exit and entry. VirtualBox's
 * CPU database, src/VBox/VMM/VMMR3/cpus/Intel_Xeon_X5482_3_20GHz.h; the CPU
 * has no IA32_VMX_EPT_VPID_CAP.
 */
static struct vmx_caps xeon_x5482(void)
{
	return (struct vmx_caps){
		.basic = 0x005a08000000000d,
		.pinbased = 0x0000003f00000016,
		.procbased = 0xf7f9fffe0401e172,
		.exit = 0x0003ffff00036dff,
		.entry = 0x00003fff000011ff,
		.misc = 0x403c0,
		.cr0_fixed0 = 0x80000021,
		.cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000,
		.cr4_fixed1 = 0x27ff,
		.procbased2 = 0x0000004100000000,
	};
}

/*
 * Intel Core 2 X6800 (Merom/Conroe, family 6 model 15): no secondary
 * controls at all. VirtualBox's CPU database,
 * src/VBox/VMM/VMMR3/cpus/Intel_Core2_X6800_2_93GHz.h.
 */
static struct vmx_caps core2_x6800(void)
{
	return (struct vmx_caps){
		.basic = 0x001a040000000007,
		.pinbased = 0x0000001f00000016,
		.procbased = 0x77b9fffe0401e172,
		.exit = 0x0003efff00036dff,
		.entry = 0x00001fff000011ff,
		.misc = 0x403c0,
		.cr0_fixed0 = 0x80000021,
		.cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000,
		.cr4_fixed1 = 0x27ff,
	};
}

/*
 * Intel Core Duo T2600 (Yonah, family 6 model 14), a 32-bit CPU: no
 * "host address-space size" either. VirtualBox's CPU database,
 * src/VBox/VMM/VMMR3/cpus/Intel_Core_Duo_T2600_2_16GHz.h.
 */
static struct vmx_caps core_duo_t2600(void)
{
	return (struct vmx_caps){
		.basic = 0x001b040000000005,
		.pinbased = 0x0000001f00000016,
		.procbased = 0x7781fffe0401e172,
		.exit = 0x0003edff00036dff,
		.entry = 0x00001dff000011ff,
		.misc = 0x403c0,
		.cr0_fixed0 = 0x80000021,
		.cr0_fixed1 = 0xffffffff,
		.cr4_fixed0 = 0x2000,
		.cr4_fixed1 = 0x27ff,
	};
}

static int build(const struct vmx_caps *caps, struct vmx_config *cfg)
{
	memset(why, 'x', sizeof(why) - 1);
	why[sizeof(why) - 1] = '\0';
	return vmx_config_build(caps, cfg, why, sizeof(why));
}

static void build_ok(const struct vmx_caps *caps, struct vmx_config *cfg)
{
	cr_assert_eq(build(caps, cfg), 0, "refused: %s", why);
	cr_assert_str_eq(why, "");
}

/* ---------------------------------------------------------------- Core i7-6700K */

Test(vmx_caps, skylake_6700k_controls_bit_by_bit)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	build_ok(&c, &cfg);

	cr_assert_eq(cfg.revision, 4);
	cr_assert_eq(cfg.vmcs_size, 1024); /* basic bits 44:32 = 0x400 */
	cr_assert(!cfg.below_4g);
	/* pin: TRUE_PINBASED 0x7f_00000016; wanted 0x49 (bits 0, 3, 6:
	 * the preemption timer); (0x49 & 0x7f) | 0x16 = 0x5f */
	cr_assert_eq(cfg.pin, 0x5f, "pin 0x%x", cfg.pin);
	cr_assert(cfg.preempt_timer);
	/* proc: TRUE_PROCBASED 0xfff9fffe_04006172; wanted 0xb2180488 (3 TSC
	 * offsetting, 7 HLT, 10 MWAIT, 19/20 CR8 load/store, 25 I/O bitmaps,
	 * 28 MSR bitmaps, 29 MONITOR, 31 secondary), all allowed;
	 * | 0x04006172 (1, 4-6, 8, 13, 14, 26) = 0xb61865fa */
	cr_assert_eq(cfg.proc, 0xb61865fa, "proc 0x%x", cfg.proc);
	/* proc2: allowed-1 0x1ffcff; wanted 0xa2 (1 EPT, 5 VPID, 7 unrestricted) */
	cr_assert_eq(cfg.proc2, 0xa2, "proc2 0x%x", cfg.proc2);
	/* exit: TRUE_EXIT 0x1ffffff_00036dfb; wanted 0x3c0204 (2 save debug
	 * controls, 9 host 64-bit, 18-21 PAT and EFER save/load); | 0x36dfb = 0x3f6fff */
	cr_assert_eq(cfg.exit, 0x3f6fff, "exit 0x%x", cfg.exit);
	/* entry: TRUE_ENTRY 0x3ffff_000011fb; wanted 0xc004 (2 load debug
	 * controls, 14 PAT, 15 EFER); | 0x11fb = 0xd1ff */
	cr_assert_eq(cfg.entry, 0xd1ff, "entry 0x%x", cfg.entry);
	cr_assert_eq(cfg.exception_bitmap, BIT(1) | BIT(17) | BIT(18));

	cr_assert(cfg.ept && cfg.vpid && cfg.unrestricted && cfg.ept_2m && cfg.ept_1g);
	/* WB (6) | walk length 4 - 1 = 3 in bits 5:3 */
	cr_assert_eq(cfg.eptp_flags, 6 | (3 << 3));
	cr_assert_eq(cfg.invept_type, INVEPT_SINGLE);
	cr_assert_eq(cfg.invvpid_type, INVVPID_SINGLE);
	cr_assert_null(vmx_config_refusal(&cfg));
}

Test(vmx_caps, skylake_6700k_shadow_controls_bit_by_bit)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	build_ok(&c, &cfg);
	struct vmx_vm_ctls sh = vmx_controls_for(&cfg, true), tdp = vmx_controls_for(&cfg, false);

	cr_assert(cfg.shadow);
	/* TRUE_PROCBASED allowed-1 0xfff9fffe has 9, 15, 16: 0xb61865fa | 0x18200 */
	cr_assert_eq(sh.proc, 0xb619e7fa, "proc 0x%x", sh.proc);
	cr_assert_eq(sh.proc2, PROC2_VPID, "proc2 0x%x", sh.proc2); /* no EPT, no unrestricted */
	cr_assert_eq(sh.exception_bitmap, 0x64002);		    /* #DB, #PF, #AC, #MC */
	cr_assert_eq(sh.cr0_mask, 0x80010021);			    /* NE | PE | PG | WP */
	/* 0xffccf800 | 0x10 | 0x20 | 0x80 | 0x20000 | 0x100000 | 0x200000 */
	cr_assert_eq(sh.cr4_mask, 0xfffef8b0, "cr4_mask 0x%llx", (unsigned long long)sh.cr4_mask);
	/* The TDP kind is the top-level words. */
	cr_assert(tdp.proc == cfg.proc && tdp.proc2 == cfg.proc2 && tdp.proc2 == 0xa2);
	cr_assert(tdp.exception_bitmap == cfg.exception_bitmap && tdp.cr0_mask == cfg.cr0_mask &&
		  tdp.cr4_mask == cfg.cr4_mask);
	/* A shadow VM's hardware CR0 always has PE and PG: NE alone in cr0_must1 is enough. */
	cr_assert_eq(vmx_cr0_real(&cfg, 0x11 | CR0_PG | CR0_WP), 0x80010031);
}

Test(vmx_caps, skylake_6700k_leaves_out_what_it_could_set)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	build_ok(&c, &cfg);

	/* The CPU allows each of these; umbra does not want them. */
	cr_assert(ALLOWED1_TEST(c.true_procbased, PROC_CR3_LOAD_EXIT | PROC_CR3_STORE_EXIT));
	cr_assert(!(cfg.proc & (PROC_CR3_LOAD_EXIT | PROC_CR3_STORE_EXIT)));
	cr_assert(cfg.proc & PROC_TSC_OFFSET);
	cr_assert(!(cfg.proc & (PROC_RDTSC_EXIT | PROC_INVLPG_EXIT | PROC_UNCOND_IO_EXIT |
				PROC_TPR_SHADOW | PROC_MTF)));
	cr_assert(ALLOWED1_TEST(c.procbased2, PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES));
	cr_assert(!(cfg.proc2 & (PROC2_RDTSCP | PROC2_INVPCID | PROC2_XSAVES)));
	cr_assert(!(cfg.proc2 & (PROC2_VIRT_APIC_ACCESS | PROC2_WBINVD_EXIT | PROC2_VMFUNC)));
	cr_assert(ALLOWED1_TEST(c.true_entry, ENTRY_IA32E_GUEST));
	cr_assert(!(cfg.entry & ENTRY_IA32E_GUEST));
	cr_assert(!(cfg.exit & EXIT_ACK_INTR));
	cr_assert(!(cfg.pin & (PIN_VIRTUAL_NMIS | PIN_POSTED_INTR)));
	/* debug-control save/load are wanted (else an exit resets the guest's DR7) */
	cr_assert((cfg.exit & EXIT_SAVE_DEBUG) && (cfg.entry & ENTRY_LOAD_DEBUG));
}

Test(vmx_caps, skylake_6700k_cr0_cr4)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	build_ok(&c, &cfg);

	/* CR0_FIXED0 0x80000021 minus PE and PG (unrestricted guest) = NE */
	cr_assert_eq(cfg.cr0_must1, CR0_NE);
	cr_assert_eq(cfg.cr0_may1, 0xffffffff);
	/* NE | ~0xffffffff (low 32) = NE: PE and PG belong to the guest */
	cr_assert_eq(cfg.cr0_mask, CR0_NE);
	cr_assert_eq(cfg.cr4_must1, CR4_VMXE);
	cr_assert_eq(cfg.cr4_may1, 0x3727ff);
	/* ~0x3727ff (low 32) = 0xffc8d800, | CR4_HIDDEN (UMIP, LA57, VMXE, SMXE,
	 * OSXSAVE, PKE, CET, PKS: 0x1c47800) = 0xffccf800 */
	cr_assert_eq(cfg.cr4_mask, 0xffccf800, "cr4_mask 0x%llx", (unsigned long long)cfg.cr4_mask);

	cr_assert_eq(vmx_cr0_real(&cfg, 0), CR0_NE);
	cr_assert_eq(vmx_cr0_real(&cfg, CR0_PE | CR0_PG | CR0_WP),
		     CR0_PE | CR0_PG | CR0_WP | CR0_NE);
	cr_assert_eq(vmx_cr0_real(&cfg, BIT(32) | CR0_PE), CR0_PE | CR0_NE);
	cr_assert_eq(vmx_cr4_real(&cfg, 0), CR4_VMXE);
	cr_assert_eq(vmx_cr4_real(&cfg, CR4_PAE | CR4_PGE), CR4_PAE | CR4_PGE | CR4_VMXE);
	cr_assert_eq(vmx_cr4_real(&cfg, CR4_PAE | BIT(22) | BIT(40)), CR4_PAE | CR4_VMXE);

	cr_assert(vmx_cr4_allowed(&cfg, 0));
	cr_assert(vmx_cr4_allowed(&cfg, CR4_PAE | CR4_PSE | CR4_PGE | CR4_OSFXSR));
	cr_assert(!vmx_cr4_allowed(&cfg, CR4_LA57)); /* no 5-level paging on Skylake */
	cr_assert(!vmx_cr4_allowed(&cfg, CR4_VMXE));
	cr_assert(!vmx_cr4_allowed(&cfg, CR4_PAE | CR4_SMXE));
	cr_assert(!vmx_cr4_allowed(&cfg, BIT(22))); /* 0 in CR4_FIXED1 */
	cr_assert(!vmx_cr4_allowed(&cfg, BIT(32)));
}

Test(vmx_caps, skylake_6700k_format)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	build_ok(&c, &cfg);
	int n = vmx_config_format(&cfg, line, sizeof(line));
	cr_assert_str_eq(line, "vmx: enabled: ept=1 vpid=1 unrestricted=1 ept_2m=1 ept_1g=1 "
			       "invept=single invvpid=single vmcs_size=1024 rev=0x4");
	cr_assert_eq(n, (int)strlen(line));
}

Test(vmx_caps, without_true_controls_default1_bits_stay_on)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.basic &= ~VMX_BASIC_TRUE_CTLS;
	/* Junk in the TRUE MSRs: they must not be read at all now. */
	c.true_pinbased = c.true_procbased = c.true_exit = c.true_entry = 0;
	build_ok(&c, &cfg);
	cr_assert_eq(cfg.pin, 0x5f);
	/* 0xb2000480 | 0x0401e172 = 0xb619e5fa: CR3-load and -store exiting
	 * (15, 16) are default-1 and stay forced */
	cr_assert_eq(cfg.proc, 0xb619e5fa, "proc 0x%x", cfg.proc);
	cr_assert(cfg.proc & PROC_CR3_LOAD_EXIT && cfg.proc & PROC_CR3_STORE_EXIT);
	/* 0x3c0200 | 0x36dff = 0x3f6fff; 0xc000 | 0x11ff = 0xd1ff: debug
	 * controls (bit 2) forced too */
	cr_assert_eq(cfg.exit, 0x3f6fff, "exit 0x%x", cfg.exit);
	cr_assert_eq(cfg.entry, 0xd1ff, "entry 0x%x", cfg.entry);
	cr_assert_eq(cfg.proc2, 0xa2);
	/* shadow paging adds only INVLPG exiting: 0xb619e5fa | 0x200 */
	cr_assert(cfg.shadow);
	cr_assert_eq(vmx_controls_for(&cfg, true).proc, 0xb619e7fa);
}

/* ---------------------------------------------------------------- Bochs models */

Test(vmx_caps, bochs_skylake_x)
{
	struct vmx_caps c = bochs_skylake_x();
	struct vmx_config cfg;
	build_ok(&c, &cfg);

	cr_assert_eq(cfg.revision, 0x2b);
	cr_assert_eq(cfg.vmcs_size, 4096);
	cr_assert(!cfg.below_4g);
	cr_assert_eq(cfg.pin, 0x5f);
	/* TRUE_PROCBASED 0xf7f9fffe_04006172: 0xb2000480 all allowed, | 0x04006172 */
	cr_assert_eq(cfg.proc, 0xb61865fa, "proc 0x%x", cfg.proc);
	/* allowed-1 0x02177fff offers RDTSCP (3), INVPCID (12), XSAVES (20);
	 * umbra takes EPT, VPID, unrestricted only */
	cr_assert_eq(cfg.proc2, 0xa2, "proc2 0x%x", cfg.proc2);
	/* TRUE_EXIT 0x7fffff_00036dfb: 0x3c0204 | 0x36dfb */
	cr_assert_eq(cfg.exit, 0x3f6fff, "exit 0x%x", cfg.exit);
	/* TRUE_ENTRY 0xffff_000011fb: 0xc004 | 0x11fb */
	cr_assert_eq(cfg.entry, 0xd1ff, "entry 0x%x", cfg.entry);
	cr_assert(cfg.ept && cfg.vpid && cfg.unrestricted && cfg.ept_1g);
	cr_assert_eq(cfg.eptp_flags, 0x1e);
	cr_assert_eq(cfg.cr0_mask, CR0_NE);
	cr_assert_eq(cfg.cr4_mask, 0xffc8f800 | CR4_HIDDEN); /* 0xffccf800 */
	cr_assert(cfg.preempt_timer);
	cr_assert_eq(cfg.preempt_shift, FIELD_GET(VMX_MISC_PREEMPT_SHIFT, c.misc));
	vmx_config_format(&cfg, line, sizeof(line));
	cr_assert_str_eq(line, "vmx: enabled: ept=1 vpid=1 unrestricted=1 ept_2m=1 ept_1g=1 "
			       "invept=single invvpid=single vmcs_size=4096 rev=0x2b");
	/* tdp=off: allowed-1 0xf7f9fffe has 9, 15 and 16 too */
	cr_assert(cfg.shadow && vmx_controls_for(&cfg, true).proc == 0xb619e7fa);
}

Test(vmx_caps, nehalem_lynnfield_ept_without_unrestricted_guest)
{
	struct vmx_caps c = bochs_lynnfield();
	struct vmx_config cfg;
	build_ok(&c, &cfg);

	cr_assert_eq(cfg.proc, 0xb61865fa, "proc 0x%x", cfg.proc);
	/* allowed-1 0x7f: EPT and VPID, no bit 7 */
	cr_assert_eq(cfg.proc2, PROC2_EPT | PROC2_VPID, "proc2 0x%x", cfg.proc2);
	cr_assert(cfg.ept && cfg.vpid && !cfg.unrestricted);
	/* EPT_VPID_CAP 0xf01_06114141: bit 16 (2M) but not 17 (1G) */
	cr_assert(cfg.ept_2m && !cfg.ept_1g);
	cr_assert_eq(cfg.eptp_flags, 0x1e);
	cr_assert_null(vmx_config_refusal(&cfg));

	/* Without unrestricted guest PE and PG stay forced and host-owned. */
	cr_assert_eq(cfg.cr0_must1, CR0_PG | CR0_NE | CR0_PE);
	cr_assert_eq(cfg.cr0_mask, 0x80000021);
	cr_assert_eq(vmx_cr0_real(&cfg, 0), 0x80000021);
	/* CR4_FIXED1 0x67ff: bits 0-10, 13, 14; ~0x67ff (low 32) = 0xffff9800,
	 * | VMXE | SMXE = 0xfffff800 */
	cr_assert_eq(cfg.cr4_mask, 0xfffff800, "cr4_mask 0x%llx", (unsigned long long)cfg.cr4_mask);
	cr_assert_eq(vmx_cr4_real(&cfg, CR4_PAE | BIT(16)), CR4_PAE | CR4_VMXE);
	/* SMXE may be 1 on this CPU, but guests never see SMX */
	cr_assert(cfg.cr4_may1 & CR4_SMXE);
	cr_assert(!vmx_cr4_allowed(&cfg, CR4_SMXE));
	cr_assert(!vmx_cr4_allowed(&cfg, BIT(16))); /* FSGSBASE: not on Nehalem */
	cr_assert(vmx_cr4_allowed(&cfg, CR4_PAE | CR4_OSXMMEXCPT));

	vmx_config_format(&cfg, line, sizeof(line));
	cr_assert_str_eq(line, "vmx: enabled: ept=1 vpid=1 unrestricted=0 ept_2m=1 ept_1g=0 "
			       "invept=single invvpid=single vmcs_size=4096 rev=0x2b");

	/* tdp=off: shadow paging needs no unrestricted guest (the CPU's CR0
	 * keeps PE and PG); PE, PG and NE were host-owned already, WP joins */
	struct vmx_vm_ctls sh = vmx_controls_for(&cfg, true);
	cr_assert(cfg.shadow);
	cr_assert_eq(sh.proc2, PROC2_VPID);
	cr_assert_eq(sh.cr0_mask, 0x80010021);
	cr_assert_eq(sh.cr4_mask, 0xfffff8b0, "cr4_mask 0x%llx", (unsigned long long)sh.cr4_mask);
	cr_assert_eq(sh.exception_bitmap, cfg.exception_bitmap | BIT(14));
}

/* ---------------------------------------------------------------- Core 2 and older: refused */

Test(vmx_caps, penryn_x5482_refused_for_pat_and_efer)
{
	struct vmx_caps c = xeon_x5482();
	struct vmx_config cfg;
	cr_assert_eq(build(&c, &cfg), -1);
	/* EXIT allowed-1 0x3ffff stops at bit 17, ENTRY allowed-1 0x3fff at 13. */
	cr_assert_str_eq(why, LACKS "save IA32_PAT on exit, load IA32_PAT on exit, "
				    "save IA32_EFER on exit, load IA32_EFER on exit, "
				    "load IA32_PAT on entry, load IA32_EFER on entry");
	/* The rest is still filled in, for the report. */
	cr_assert_eq(cfg.revision, 0xd);
	cr_assert_eq(cfg.vmcs_size, 0x800);
	cr_assert(!cfg.ept && !cfg.vpid && !cfg.unrestricted);
	/* Secondary controls exist, but offer nothing umbra uses: proc2 = 0 and
	 * "activate secondary controls" stays off. No TRUE MSRs: CR3 exits are
	 * forced. 0xb2000480 | 0x0401e172, minus bit 31 = 0x3619e5fa */
	cr_assert_eq(cfg.proc2, 0);
	cr_assert_eq(cfg.proc, 0x3619e5fa, "proc 0x%x", cfg.proc);
	/* Without EPT it would run every VM on shadow paging (CR3 exits are
	 * forced already, INVLPG exiting is allowed); it is refused only for
	 * the PAT and EFER controls above. */
	cr_assert_null(vmx_config_refusal(&cfg));
	cr_assert(cfg.shadow);
	cr_assert_eq(cfg.shadow_ctls.proc, 0x3619e7fa, "proc 0x%x", cfg.shadow_ctls.proc);
	cr_assert_eq(cfg.shadow_ctls.proc2, 0);
}

Test(vmx_caps, merom_x6800_no_secondary_controls)
{
	struct vmx_caps c = core2_x6800();
	struct vmx_config cfg;
	cr_assert_eq(build(&c, &cfg), -1);
	cr_assert_str_eq(why, LACKS "save IA32_PAT on exit, load IA32_PAT on exit, "
				    "save IA32_EFER on exit, load IA32_EFER on exit, "
				    "load IA32_PAT on entry, load IA32_EFER on entry");
	/* allowed-1 0x77b9fffe has no bit 31: 0x32000480 | 0x0401e172 */
	cr_assert_eq(cfg.proc, 0x3619e5fa, "proc 0x%x", cfg.proc);
	cr_assert_eq(cfg.proc2, 0);
	cr_assert(!cfg.ept && !cfg.vpid);

	/* Without "activate secondary controls" the secondary MSRs mean nothing. */
	c.procbased2 = ~0ULL;
	c.ept_vpid = ~0ULL;
	build(&c, &cfg);
	cr_assert_eq(cfg.proc2, 0);
	cr_assert(!cfg.ept && !cfg.vpid && !cfg.unrestricted);
}

Test(vmx_caps, yonah_t2600_32bit_host)
{
	struct vmx_caps c = core_duo_t2600();
	struct vmx_config cfg;
	cr_assert_eq(build(&c, &cfg), -1);
	/* EXIT allowed-1 0x3edff has no bit 9; a 32-bit CPU has no CR8 either */
	cr_assert_str_eq(why, LACKS "CR8-load exiting, CR8-store exiting, "
				    "64-bit host on exit (host address-space size), "
				    "save IA32_PAT on exit, load IA32_PAT on exit, "
				    "save IA32_EFER on exit, load IA32_EFER on exit, "
				    "load IA32_PAT on entry, load IA32_EFER on entry");
}

/* ---------------------------------------------------------------- synthetic: no EPT */

Test(vmx_caps, without_ept_every_vm_uses_shadow_paging)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.procbased2 &= ~(PROC2_EPT << 32);
	build_ok(&c, &cfg);
	cr_assert(!cfg.ept && cfg.vpid && !cfg.unrestricted && !cfg.ept_2m && !cfg.ept_1g);
	/* unrestricted guest needs EPT, so only VPID is left */
	cr_assert_eq(cfg.proc2, PROC2_VPID);
	cr_assert(cfg.proc & PROC_SECONDARY);
	cr_assert_eq(cfg.eptp_flags, 0);
	cr_assert_eq(cfg.invept_type, 0);
	cr_assert_eq(cfg.cr0_mask, 0x80000021);
	/* accepted: shadow paging */
	cr_assert(cfg.shadow);
	cr_assert_null(vmx_config_refusal(&cfg));
	struct vmx_vm_ctls sh = vmx_controls_for(&cfg, true);
	cr_assert_eq(sh.proc, 0xb619e7fa, "proc 0x%x", sh.proc);
	cr_assert_eq(sh.proc2, PROC2_VPID);
	cr_assert_eq(sh.exception_bitmap, 0x64002);
	cr_assert_eq(sh.cr0_mask, 0x80010021);
	vmx_config_format(&cfg, line, sizeof(line));
	cr_assert_str_eq(line, "vmx: enabled: ept=0 vpid=1 unrestricted=0 ept_2m=0 ept_1g=0 "
			       "invept=none invvpid=single vmcs_size=1024 rev=0x4" SHADOW_ONLY);
}

Test(vmx_caps, builds_without_secondary_controls)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.true_procbased &= ~(PROC_SECONDARY << 32);
	build_ok(&c, &cfg);
	/* 0x32000480 | 0x04006172 */
	cr_assert_eq(cfg.proc, 0x361865fa, "proc 0x%x", cfg.proc);
	cr_assert_eq(cfg.proc2, 0);
	cr_assert(!cfg.ept && !cfg.vpid && !cfg.unrestricted);
	cr_assert_eq(cfg.invvpid_type, 0);
	cr_assert_null(vmx_config_refusal(&cfg));
	/* shadow paging without VPID: no secondary controls at all */
	cr_assert_eq(cfg.shadow_ctls.proc, 0x3619e7fa, "proc 0x%x", cfg.shadow_ctls.proc);
	cr_assert_eq(cfg.shadow_ctls.proc2, 0);
	vmx_config_format(&cfg, line, sizeof(line));
	cr_assert(strstr(line, "invept=none invvpid=none"), "%s", line);
	cr_assert(strstr(line, SHADOW_ONLY), "%s", line);
}

Test(vmx_caps, shadow_paging_needs_cr3_and_invlpg_exiting)
{
	static const u64 exits[] = { PROC_CR3_LOAD_EXIT, PROC_CR3_STORE_EXIT, PROC_INVLPG_EXIT };
	for (size_t i = 0; i < ARRAY_SIZE(exits); i++) {
		struct vmx_caps c = i7_6700k();
		struct vmx_config cfg;
		c.true_procbased &= ~(exits[i] << 32);
		/* with EPT the CPU still runs guests, just not with tdp=off */
		build_ok(&c, &cfg);
		cr_assert(cfg.ept && !cfg.shadow, "case %zu", i);
		cr_assert_null(vmx_config_refusal(&cfg));
		cr_assert(!(cfg.shadow_ctls.proc & exits[i]), "case %zu", i);
		/* without EPT it runs none */
		c.procbased2 &= ~(PROC2_EPT << 32);
		build_ok(&c, &cfg);
		cr_assert(!cfg.ept && !cfg.shadow, "case %zu", i);
		cr_assert_str_eq(vmx_config_refusal(&cfg), NO_EPT_NOR_SHADOW);
	}
}

/* Each EPT capability umbra relies on, taken away alone. */
static const u64 ept_needs[] = {
	VMX_EPT_WALK_4,
	VMX_EPT_WB | VMX_EPT_UC,
	VMX_EPT_INVEPT,
	VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL,
};

Test(vmx_caps, ept_unusable_without_each_capability)
{
	for (size_t i = 0; i < ARRAY_SIZE(ept_needs); i++) {
		struct vmx_caps c = i7_6700k();
		struct vmx_config cfg;
		c.ept_vpid &= ~ept_needs[i];
		build_ok(&c, &cfg);
		cr_assert(!cfg.ept && !cfg.unrestricted, "case %zu", i);
		cr_assert_eq(cfg.proc2, PROC2_VPID, "case %zu: proc2 0x%x", i, cfg.proc2);
		cr_assert(cfg.vpid, "case %zu", i);
		cr_assert_eq(cfg.eptp_flags, 0);
		cr_assert(!cfg.ept_2m && !cfg.ept_1g);
		cr_assert(cfg.shadow, "case %zu", i);
		cr_assert_null(vmx_config_refusal(&cfg)); /* shadow paging */
	}
}

Test(vmx_caps, ept_uncached_tables_and_all_context_invept)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.ept_vpid &= ~(VMX_EPT_WB | VMX_EPT_INVEPT_SINGLE);
	build_ok(&c, &cfg);
	cr_assert(cfg.ept);
	cr_assert_eq(cfg.eptp_flags, EPT_MEMTYPE_UC | (3 << 3));
	cr_assert_eq(cfg.invept_type, INVEPT_ALL);
	vmx_config_format(&cfg, line, sizeof(line));
	cr_assert(strstr(line, " invept=all invvpid=single "), "%s", line);
}

Test(vmx_caps, vpid_needs_invvpid)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.ept_vpid &= ~VMX_VPID_INVVPID;
	build_ok(&c, &cfg);
	cr_assert(!cfg.vpid && cfg.ept);
	cr_assert_eq(cfg.proc2, PROC2_EPT | PROC2_UNRESTRICTED);
	cr_assert_eq(cfg.invvpid_type, 0);
	/* EPT and unrestricted guest are the TDP VMs' alone: a shadow VM has no secondary controls */
	cr_assert_eq(cfg.shadow_ctls.proc2, 0);
	cr_assert_eq(cfg.shadow_ctls.proc, 0x3619e7fa, "proc 0x%x", cfg.shadow_ctls.proc);

	c = i7_6700k();
	c.ept_vpid &= ~(VMX_VPID_INVVPID_SINGLE | VMX_VPID_INVVPID_ALL);
	build_ok(&c, &cfg);
	cr_assert(!cfg.vpid);

	c = i7_6700k();
	c.ept_vpid &= ~VMX_VPID_INVVPID_SINGLE;
	build_ok(&c, &cfg);
	cr_assert(cfg.vpid);
	cr_assert_eq(cfg.invvpid_type, INVVPID_ALL);
	vmx_config_format(&cfg, line, sizeof(line));
	cr_assert(strstr(line, " invvpid=all "), "%s", line);
}

Test(vmx_caps, vpid_needs_the_control)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.procbased2 &= ~(PROC2_VPID << 32); /* INVVPID still in the capability MSR */
	build_ok(&c, &cfg);
	cr_assert(!cfg.vpid && cfg.ept && cfg.unrestricted);
	cr_assert_eq(cfg.invvpid_type, 0);
	cr_assert_eq(cfg.proc2, PROC2_EPT | PROC2_UNRESTRICTED);
}

Test(vmx_caps, ept_vpid_cap_read_only_with_ept_or_vpid_allowed)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	/* VPID alone is enough to read the capability MSR ... */
	c.procbased2 = PROC2_VPID << 32;
	build_ok(&c, &cfg);
	cr_assert(cfg.vpid && !cfg.ept);
	cr_assert_eq(cfg.proc2, PROC2_VPID);
	/* ... neither means it is not there (only unrestricted, which is moot) */
	c.procbased2 = PROC2_UNRESTRICTED << 32;
	build_ok(&c, &cfg);
	cr_assert(!cfg.vpid && !cfg.ept && !cfg.unrestricted);
	cr_assert_eq(cfg.proc2, 0);
	cr_assert(!(cfg.proc & PROC_SECONDARY));
	/* allowed-0 settings do not allow anything */
	c.procbased2 = PROC2_EPT | PROC2_VPID;
	build_ok(&c, &cfg);
	cr_assert(!cfg.vpid && !cfg.ept);
}

Test(vmx_caps, unrestricted_needs_exits_to_store_lma)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.misc &= ~VMX_MISC_STORE_LMA;
	build_ok(&c, &cfg);
	cr_assert(cfg.ept && cfg.vpid && !cfg.unrestricted);
	cr_assert_eq(cfg.proc2, PROC2_EPT | PROC2_VPID);
	cr_assert_eq(cfg.cr0_must1, 0x80000021);
	cr_assert(cfg.cr0_mask & CR0_PE && cfg.cr0_mask & CR0_PG && cfg.cr0_mask & CR0_NE);
}

Test(vmx_caps, forced_bits_are_kept)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.true_entry |= ENTRY_IA32E_GUEST;
	c.true_procbased |= PROC_CR3_LOAD_EXIT;
	c.true_pinbased |= PIN_VIRTUAL_NMIS;
	build_ok(&c, &cfg);
	cr_assert_eq(cfg.entry, 0xd1ff | ENTRY_IA32E_GUEST);
	cr_assert_eq(cfg.proc, 0xb61865fa | PROC_CR3_LOAD_EXIT);
	cr_assert_eq(cfg.pin, 0x5f | PIN_VIRTUAL_NMIS);
}

/* ---------------------------------------------------------------- synthetic: each refusal */

struct missing {
	size_t msr;  /* offsetof the TRUE MSR in struct vmx_caps */
	size_t word; /* offsetof the control word in struct vmx_config */
	u64 bit;     /* in the allowed-1 half */
	const char *name;
};

#define W_PIN offsetof(struct vmx_caps, true_pinbased), offsetof(struct vmx_config, pin)
#define W_PROC offsetof(struct vmx_caps, true_procbased), offsetof(struct vmx_config, proc)
#define W_EXIT offsetof(struct vmx_caps, true_exit), offsetof(struct vmx_config, exit)
#define W_ENTRY offsetof(struct vmx_caps, true_entry), offsetof(struct vmx_config, entry)

static const struct missing needs[] = {
	{ W_PIN, PIN_EXT_INTR_EXIT, "external-interrupt exiting" },
	{ W_PIN, PIN_NMI_EXIT, "NMI exiting" },
	{ W_PROC, PROC_HLT_EXIT, "HLT exiting" },
	{ W_PROC, PROC_MWAIT_EXIT, "MWAIT exiting" },
	{ W_PROC, PROC_MONITOR_EXIT, "MONITOR exiting" },
	{ W_PROC, PROC_IO_BITMAPS, "I/O bitmaps" },
	{ W_PROC, PROC_MSR_BITMAPS, "MSR bitmaps" },
	{ W_EXIT, EXIT_HOST_64, "64-bit host on exit (host address-space size)" },
	{ W_EXIT, EXIT_SAVE_PAT, "save IA32_PAT on exit" },
	{ W_EXIT, EXIT_LOAD_PAT, "load IA32_PAT on exit" },
	{ W_EXIT, EXIT_SAVE_EFER, "save IA32_EFER on exit" },
	{ W_EXIT, EXIT_LOAD_EFER, "load IA32_EFER on exit" },
	{ W_ENTRY, ENTRY_LOAD_PAT, "load IA32_PAT on entry" },
	{ W_ENTRY, ENTRY_LOAD_EFER, "load IA32_EFER on entry" },
};

static u64 *msr_at(struct vmx_caps *c, size_t off)
{
	return (u64 *)((char *)c + off);
}

static u32 word_at(const struct vmx_config *cfg, size_t off)
{
	return *(const u32 *)((const char *)cfg + off);
}

Test(vmx_caps, each_missing_need_is_named)
{
	for (size_t i = 0; i < ARRAY_SIZE(needs); i++) {
		struct vmx_caps c = i7_6700k();
		struct vmx_config cfg;
		char want[128];
		*msr_at(&c, needs[i].msr) &= ~(needs[i].bit << 32);
		cr_assert_eq(build(&c, &cfg), -1, "%s", needs[i].name);
		snprintf(want, sizeof(want), LACKS "%s", needs[i].name);
		cr_assert_str_eq(why, want);
		/* The control is then left out, not forced on. */
		cr_assert(!(word_at(&cfg, needs[i].word) & needs[i].bit), "%s", needs[i].name);
	}
}

Test(vmx_caps, several_missing_needs_in_one_sentence)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.true_procbased &= ~(PROC_MSR_BITMAPS << 32);
	c.true_entry &= ~(ENTRY_LOAD_EFER << 32);
	cr_assert_eq(build(&c, &cfg), -1);
	cr_assert_str_eq(why, LACKS "MSR bitmaps, load IA32_EFER on entry");
	cr_assert(!(cfg.proc & PROC_MSR_BITMAPS) && !(cfg.entry & ENTRY_LOAD_EFER));
}

Test(vmx_caps, vmcs_must_be_write_back)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	c.basic &= ~VMX_BASIC_MEMTYPE; /* uncacheable */
	cr_assert_eq(build(&c, &cfg), -1);
	cr_assert_str_eq(why, LACKS "write-back memory type for the VMCS");
}

Test(vmx_caps, no_vmx_at_all_names_everything)
{
	struct vmx_caps c = { 0 };
	struct vmx_config cfg;
	cr_assert_eq(build(&c, &cfg), -1);
	cr_assert(strstr(why, LACKS "write-back memory type for the VMCS, external-interrupt "
				    "exiting, NMI exiting, HLT exiting, ") == why,
		  "%s", why);
	cr_assert(strstr(why, ", load IA32_EFER on entry"), "%s", why);
	cr_assert(!cfg.ept && cfg.proc2 == 0);
	/* the longest sentence there is, so the advertised size must hold it */
	cr_assert_lt(strlen(why), VMX_CONFIG_WHY_MAX);
}

Test(vmx_caps, why_buffer_small_or_absent)
{
	struct vmx_caps c = core_duo_t2600();
	struct vmx_config cfg;
	char small[24];
	memset(small, 'x', sizeof(small));
	cr_assert_eq(vmx_config_build(&c, &cfg, small, sizeof(small)), -1);
	cr_assert_eq(strlen(small), sizeof(small) - 1);
	cr_assert(strncmp(small, LACKS, sizeof(small) - 1) == 0, "%s", small);
	cr_assert_eq(vmx_config_build(&c, &cfg, NULL, 0), -1);
	c = i7_6700k();
	cr_assert_eq(vmx_config_build(&c, &cfg, NULL, 0), 0);
}

Test(vmx_caps, format_truncates_safely)
{
	struct vmx_caps c = i7_6700k();
	struct vmx_config cfg;
	char small[16];
	build_ok(&c, &cfg);
	int n = vmx_config_format(&cfg, small, sizeof(small));
	cr_assert_str_eq(small, "vmx: enabled: e");
	cr_assert_gt(n, (int)sizeof(small));
}
