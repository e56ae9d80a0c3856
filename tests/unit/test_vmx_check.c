/* test_vmx_check.c: host tests of the VM-entry checks that name why a VMCS was refused. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>

#include "compiler.h"
#include "vmx_svm/vmx.h"
#include "vmx_svm/vmx_check.h"

/*
 * A Skylake client (Core i7-6700) as vmxcap reports it: revision 4, 4 KiB
 * VMCS, TRUE controls (BASIC bit 55); no posted interrupts or APICv; EPT with
 * 4-level walks, UC and WB, 2M/1G pages and A/D bits; VPID; HLT, shutdown and
 * wait-for-SIPI activity states, 4 CR3 targets, length-0 injection.
 */
static const struct vmx_caps skylake = {
	.basic = 0x00DA040000000004ULL,		 /* 0x480 IA32_VMX_BASIC */
	.pinbased = 0x0000007F00000016ULL,	 /* 0x481 */
	.procbased = 0xFFF9FFFE0401E172ULL,	 /* 0x482 */
	.exit = 0x01FFFFFF00036DFFULL,		 /* 0x483 */
	.entry = 0x0003FFFF000011FFULL,		 /* 0x484 */
	.misc = 0x000000007004C1E7ULL,		 /* 0x485 */
	.cr0_fixed0 = 0x0000000080000021ULL,	 /* 0x486: PG, NE, PE */
	.cr0_fixed1 = 0x00000000FFFFFFFFULL,	 /* 0x487 */
	.cr4_fixed0 = 0x0000000000002000ULL,	 /* 0x488: VMXE */
	.cr4_fixed1 = 0x00000000003767FFULL,	 /* 0x489: no UMIP, LA57, PKE */
	.procbased2 = 0x001FFCFF00000000ULL,	 /* 0x48B */
	.ept_vpid = 0x00000F0106334141ULL,	 /* 0x48C */
	.true_pinbased = 0x0000007F00000016ULL,	 /* 0x48D */
	.true_procbased = 0xFFF9FFFE04006172ULL, /* 0x48E: CR3-load/store exiting may be 0 */
	.true_exit = 0x01FFFFFF00036DFBULL,	 /* 0x48F: save debug controls may be 0 */
	.true_entry = 0x0003FFFF000011FBULL,	 /* 0x490: load debug controls may be 0 */
};

#define PIN_UMBRA (0x16 | PIN_EXT_INTR_EXIT | PIN_NMI_EXIT | PIN_VIRTUAL_NMIS)
#define PROC_UMBRA \
	(0x04006172 | PROC_HLT_EXIT | PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_SECONDARY)
#define PROC2_UMBRA (PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED | PROC2_RDTSCP)
#define EXIT_UMBRA                                                                                 \
	(0x36DFB | EXIT_HOST_64 | EXIT_ACK_INTR | EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER | \
	 EXIT_LOAD_EFER)
#define ENTRY_UMBRA (0x11FB | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER)
#define PAT_DEFAULT 0x0007040600070406ULL
#define AR_UNUSABLE_ONLY 0x10000

/* A 32-bit protected-mode guest with paging off, run as an unrestricted guest. */
static struct vmx_guest_state guest_pm32(void)
{
	struct vmx_guest_state g = {
		.pin = PIN_UMBRA,
		.proc = PROC_UMBRA,
		.proc2 = PROC2_UMBRA,
		.exit = EXIT_UMBRA,
		.entry = ENTRY_UMBRA,
		.cr0 = 0x31, /* PE, ET, NE */
		.cr4 = CR4_VMXE,
		.dr7 = 0x400,
		.rsp = 0x7000,
		.rip = 0x100000,
		.rflags = 0x2,
		.pat = PAT_DEFAULT,
		.link_pointer = ~0ULL,
		.gdtr_limit = 0x17,
		.idtr_limit = 0x3FF,
		.eptp = 0x5000 | EPT_MEMTYPE_WB | (3 << 3),
		.vpid = 1,
		.io_bitmap_a = 0x1000,
		.io_bitmap_b = 0x2000,
		.msr_bitmap = 0x3000,
		.maxphyaddr = 39,
	};
	for (int i = VMX_SEG_ES; i <= VMX_SEG_GS; i++)
		g.seg[i] = (struct vmx_seg_state){ 0x10, 0xFFFFFFFF, VMX_AR_DATA32, 0 };
	g.seg[VMX_SEG_CS] = (struct vmx_seg_state){ 0x08, 0xFFFFFFFF, VMX_AR_CODE32, 0 };
	g.seg[VMX_SEG_LDTR] = (struct vmx_seg_state){ 0, 0, AR_UNUSABLE_ONLY, 0 };
	g.seg[VMX_SEG_TR] = (struct vmx_seg_state){ 0, 0xFFFF, VMX_AR_TSS32_BUSY, 0 };
	return g;
}

/* A 64-bit long-mode guest. */
static struct vmx_guest_state guest_lm64(void)
{
	struct vmx_guest_state g = guest_pm32();

	g.entry |= ENTRY_IA32E_GUEST;
	g.cr0 = 0x80050033; /* PG, AM, WP, NE, ET, MP, PE */
	g.cr3 = 0x9000;
	g.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_VMXE;
	g.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	g.rip = 0xFFFFFFFF80001000ULL;
	g.rsp = 0xFFFFFFFF80200000ULL;
	g.seg[VMX_SEG_CS].ar = VMX_AR_CODE64;
	g.seg[VMX_SEG_FS].base = 0xFFFF800000001000ULL;
	g.seg[VMX_SEG_TR] = (struct vmx_seg_state){ 0x28, 0x67, VMX_AR_TSS32_BUSY, 0x5000 };
	g.gdtr_base = 0xFFFFFFFF80010000ULL;
	g.idtr_base = 0xFFFFFFFF80011000ULL;
	g.idtr_limit = 0xFFF;
	return g;
}

/* umbra's own 64-bit host. */
static struct vmx_host_state host64(void)
{
	return (struct vmx_host_state){
		.exit = EXIT_UMBRA,
		.cr0 = 0x80050033,
		.cr3 = 0x100000,
		.cr4 = CR4_PAE | CR4_PGE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_VMXE,
		.efer = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE,
		.pat = PAT_DEFAULT,
		.rsp = 0x180000,
		.rip = 0x101000,
		.cs = 0x08,
		.ss = 0x10,
		.ds = 0x10,
		.es = 0x10,
		.tr = 0x28,
		.tr_base = 0x10A000,
		.gdtr_base = 0x109000,
		.idtr_base = 0x108000,
		.maxphyaddr = 39,
	};
}

static char buf[256];

Test(vmx_check, good_states_pass)
{
	struct vmx_guest_state pm = guest_pm32(), lm = guest_lm64();
	struct vmx_host_state h = host64();

	cr_assert(!vmx_check_controls(&skylake, &pm, buf, sizeof(buf)), "%s", buf);
	cr_assert_str_eq(buf, "no check identified");
	cr_assert(!vmx_check_controls(&skylake, &lm, buf, sizeof(buf)), "%s", buf);
	cr_assert(!vmx_check_guest(&skylake, &pm, buf, sizeof(buf)), "%s", buf);
	cr_assert_str_eq(buf, "no check identified");
	cr_assert(!vmx_check_guest(&skylake, &lm, buf, sizeof(buf)), "%s", buf);
	cr_assert(!vmx_check_host(&skylake, &h, buf, sizeof(buf)), "%s", buf);
	cr_assert_str_eq(buf, "no check identified");
}

Test(vmx_check, allowed_variants_pass)
{
	struct vmx_guest_state g = guest_pm32();
	struct vmx_host_state h = host64();

	/* Without "activate secondary controls" the secondary field is ignored. */
	g.proc &= ~(u32)PROC_SECONDARY;
	g.proc2 = 0xFFFFFFFF;
	cr_assert(!vmx_check_controls(&skylake, &g, buf, sizeof(buf)), "%s", buf);

	/* Unrestricted guest in real mode: PE=PG=0; unusable segments' rights are ignored. */
	g = guest_pm32();
	g.cr0 = 0x30;
	g.seg[VMX_SEG_DS].ar = AR_UNUSABLE_ONLY | 0x1;
	g.seg[VMX_SEG_FS].ar = AR_UNUSABLE_ONLY;
	g.seg[VMX_SEG_FS].base = 0x123456789ULL;
	cr_assert(!vmx_check_guest(&skylake, &g, buf, sizeof(buf)), "%s", buf);

	/* Unrestricted guest: CS may be a read/write data segment (type 3, DPL 0). */
	g = guest_pm32();
	g.seg[VMX_SEG_CS].ar = 0x0093;
	g.seg[VMX_SEG_CS].limit = 0xFFFF;
	cr_assert(!vmx_check_guest(&skylake, &g, buf, sizeof(buf)), "%s", buf);

	/* A #GP with its error code, and a software interrupt of length 2. */
	g = guest_pm32();
	g.entry_intr_info = INTR_INFO_VALID | INTR_INFO_HAS_ERROR | (INTR_TYPE_HW_EXC << 8) | 13;
	cr_assert(!vmx_check_controls(&skylake, &g, buf, sizeof(buf)), "%s", buf);
	g.entry_intr_info = INTR_INFO_VALID | (INTR_TYPE_SW_INT << 8) | 0x80;
	g.entry_insn_len = 2;
	cr_assert(!vmx_check_controls(&skylake, &g, buf, sizeof(buf)), "%s", buf);

	/* A 64-bit host may have SS = 0. */
	h.ss = 0;
	cr_assert(!vmx_check_host(&skylake, &h, buf, sizeof(buf)), "%s", buf);
}

Test(vmx_check, message_truncated_safely)
{
	struct vmx_guest_state g = guest_pm32();
	char small[16];

	g.link_pointer = 0;
	memset(small, 'x', sizeof(small));
	cr_assert(vmx_check_guest(&skylake, &g, small, sizeof(small)));
	cr_assert_str_eq(small, "guest state: VM");
	memset(small, 'x', sizeof(small));
	cr_assert(vmx_check_guest(&skylake, &g, small, 0));
	cr_assert(small[0] == 'x');
}

/* ---------------------------------------- one mutation at a time */

struct set {
	size_t off, size; /* size 0: unused */
	u64 val;
};

enum base { PM32, LM64, HOST };

struct mutation {
	const char *what;
	enum base base;
	struct set s[3]; /* into the guest or host state */
	struct set cap;	 /* into the capabilities */
	const char *expect;
};

#define G(fld, v)                                                                                  \
	{                                                                                          \
		offsetof(struct vmx_guest_state, fld), sizeof(((struct vmx_guest_state *)0)->fld), \
			(v)                                                                        \
	}
#define H(fld, v)                                                                                \
	{                                                                                        \
		offsetof(struct vmx_host_state, fld), sizeof(((struct vmx_host_state *)0)->fld), \
			(v)                                                                      \
	}
#define C(fld, v)                                                \
	{                                                        \
		offsetof(struct vmx_caps, fld), sizeof(u64), (v) \
	}
#define SEG(i, fld, v) G(seg[i].fld, v)
/* A mutation: its name, the good state it starts from, the key phrase of the expected
 * message, then up to three fields to set (CASE_CAP also sets one capability). */
#define CASE(what, base, expect, ...)                      \
	{                                                  \
		what, base, { __VA_ARGS__ }, { 0 }, expect \
	}
#define CASE_CAP(what, base, cap, expect, ...)           \
	{                                                \
		what, base, { __VA_ARGS__ }, cap, expect \
	}
#define INFO(type, vec) (INTR_INFO_VALID | ((type) << 8) | (vec))

static void apply(void *obj, const struct set *s)
{
	u8 *p = (u8 *)obj + s->off;
	u16 v16 = (u16)s->val;
	u32 v32 = (u32)s->val;

	switch (s->size) {
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	case 8:
		memcpy(p, &s->val, 8);
		break;
	default:
		break;
	}
}

static const struct mutation control_cases[] = {
	CASE("must-1 primary bit clear", PM32,
	     "controls: primary processor-based control bit 1 is 0 but the CPU requires 1 "
	     "(IA32_VMX_TRUE_PROCBASED_CTLS)",
	     G(proc, PROC_UMBRA & ~BIT(1))),
	CASE_CAP("CR3-load exiting without TRUE MSRs", PM32,
		 C(basic, 0x00DA040000000004ULL & ~BIT(55)),
		 "control bit 15 (CR3-load exiting) is 0 but the CPU requires 1 "
		 "(IA32_VMX_PROCBASED_CTLS)"),
	CASE("posted interrupts unsupported", PM32,
	     "pin-based control bit 7 (process posted interrupts) is 1 but the CPU does not",
	     G(pin, PIN_UMBRA | PIN_POSTED_INTR)),
	CASE("APIC-register virtualization unsupported", PM32,
	     "secondary processor-based control bit 8 (APIC-register virtualization) is 1",
	     G(proc2, PROC2_UMBRA | BIT(8))),
	CASE_CAP(
		"no secondary controls at all", PM32, C(procbased2, 0),
		"bit 1 (enable EPT) is 1 but the CPU does not allow it (IA32_VMX_PROCBASED_CTLS2)"),
	CASE("CR3-target count", PM32, "CR3-target count 5 is above 4", G(cr3_target_count, 5)),
	CASE("I/O bitmap A misaligned", PM32, "I/O bitmap A address 0x1800 is not 4 KiB aligned",
	     G(io_bitmap_a, 0x1800)),
	CASE("MSR bitmap beyond maxphyaddr", PM32,
	     "MSR bitmap address 0x10000000000 is beyond the physical-address width (39 bits)",
	     G(msr_bitmap, BIT(40))),
	CASE("x2APIC virtualization without TPR shadow", PM32,
	     "virtualize x2APIC mode is 1 but use TPR shadow is 0",
	     G(proc2, PROC2_UMBRA | PROC2_VIRT_X2APIC)),
	CASE("virtual NMIs without NMI exiting", PM32, "virtual NMIs is 1 but NMI exiting is 0",
	     G(pin, PIN_UMBRA & ~PIN_NMI_EXIT)),
	CASE("NMI window without virtual NMIs", PM32,
	     "NMI-window exiting is 1 but virtual NMIs is 0", G(pin, PIN_UMBRA & ~PIN_VIRTUAL_NMIS),
	     G(proc, PROC_UMBRA | PROC_NMI_WINDOW)),
	CASE("VPID 0", PM32, "enable VPID is 1 but the VPID is 0", G(vpid, 0)),
	CASE("EPTP memory type WC", PM32, "EPTP 0x5019: memory type 1 is neither UC (0) nor WB (6)",
	     G(eptp, 0x5000 | 1 | (3 << 3))),
	CASE_CAP("EPTP UC unsupported", PM32, C(ept_vpid, 0x00000F0106334141ULL & ~BIT(8)),
		 "memory type UC is not supported", G(eptp, 0x5000 | (3 << 3))),
	CASE("EPTP 3-level walk", PM32, "walk length field (bits 5:3) is 2",
	     G(eptp, 0x5000 | 6 | (2 << 3))),
	CASE_CAP("EPTP A/D unsupported", PM32, C(ept_vpid, 0x00000F0106334141ULL & ~BIT(21)),
		 "bit 6 (accessed/dirty flags) is 1", G(eptp, 0x5000 | 6 | (3 << 3) | BIT(6))),
	CASE("EPTP reserved bit 7", PM32, "reserved bits 11:7 are not 0",
	     G(eptp, 0x5000 | 6 | (3 << 3) | BIT(7))),
	CASE("EPTP beyond maxphyaddr", PM32,
	     "EPTP 0x800000001e: address is beyond the physical-address width",
	     G(eptp, BIT(39) | 6 | (3 << 3))),
	CASE("unrestricted guest without EPT", PM32, "unrestricted guest is 1 but enable EPT is 0",
	     G(proc2, PROC2_UNRESTRICTED)),
	CASE("save preemption timer without the timer", PM32,
	     "save VMX-preemption timer value is 1 but activate VMX-preemption timer is 0",
	     G(exit, EXIT_UMBRA | EXIT_SAVE_PREEMPT_TIMER)),
	CASE("must-1 entry bit clear", PM32,
	     "VM-entry control bit 0 is 0 but the CPU requires 1 (IA32_VMX_TRUE_ENTRY_CTLS)",
	     G(entry, ENTRY_UMBRA & ~BIT(0))),
	CASE("entry to SMM", PM32, "entry to SMM is 1 outside SMM",
	     G(entry, ENTRY_UMBRA | ENTRY_SMM)),
	CASE("injection type 1", PM32,
	     "VM-entry interruption information 0x80000120: type 1 is reserved",
	     G(entry_intr_info, INFO(1, 0x20))),
	CASE("NMI with vector 3", PM32, "an NMI (type 2) must have vector 2, not 3",
	     G(entry_intr_info, INFO(INTR_TYPE_NMI, 3))),
	CASE("exception vector 32", PM32, "hardware exception vector 32 is above 31",
	     G(entry_intr_info, INFO(INTR_TYPE_HW_EXC, 32))),
	CASE("#GP without error code", PM32,
	     "exception 13 (#GP) has an error code but deliver-error-code is 0",
	     G(entry_intr_info, INFO(INTR_TYPE_HW_EXC, 13))),
	CASE("#UD with error code", PM32,
	     "deliver-error-code is 1 but exception 6 (#UD) has no error code",
	     G(entry_intr_info, INFO(INTR_TYPE_HW_EXC, 6) | INTR_INFO_HAS_ERROR)),
	CASE("error code in real mode", PM32,
	     "deliver-error-code is 1 but the guest will be in real mode", G(cr0, 0x30),
	     G(entry_intr_info, INFO(INTR_TYPE_HW_EXC, 13) | INTR_INFO_HAS_ERROR)),
	CASE("error code on an external interrupt", PM32,
	     "deliver-error-code is 1 but type 0 is not a hardware exception",
	     G(entry_intr_info, INFO(INTR_TYPE_EXT, 0x20) | INTR_INFO_HAS_ERROR)),
	CASE("injection reserved bit 12", PM32, "reserved bits 30:12 are not 0",
	     G(entry_intr_info, INFO(INTR_TYPE_EXT, 0x20) | BIT(12))),
	CASE("error code bits 31:16", PM32,
	     "VM-entry exception error code 0x10000 has bits 31:16 set",
	     G(entry_intr_info, INFO(INTR_TYPE_HW_EXC, 13) | INTR_INFO_HAS_ERROR),
	     G(entry_exc_error, 0x10000)),
	CASE("software interrupt length 16", PM32,
	     "VM-entry instruction length 16 for a software interrupt or exception (type 4)",
	     G(entry_intr_info, INFO(INTR_TYPE_SW_INT, 0x80)), G(entry_insn_len, 16)),
	CASE_CAP("software exception length 0 without MISC bit 30", PM32,
		 C(misc, 0x7004C1E7ULL & ~BIT(30)),
		 "VM-entry instruction length 0 for a software interrupt or exception (type 6)",
		 G(entry_intr_info, INFO(INTR_TYPE_SW_EXC, 3))),
};

static const struct mutation host_cases[] = {
	CASE("CR0.NE clear", HOST,
	     "host state: CR0 bit 5 (NE) is 0 but IA32_VMX_CR0_FIXED0 forces it to 1 "
	     "(cr0=0x80050013)",
	     H(cr0, 0x80050013)),
	CASE("CR4.VMXE clear", HOST,
	     "host state: CR4 bit 13 (VMXE) is 0 but IA32_VMX_CR4_FIXED0 forces it to 1",
	     H(cr4, CR4_PAE)),
	CASE("CR4.PKE unsupported", HOST,
	     "CR4 bit 22 (PKE) is 1 but IA32_VMX_CR4_FIXED1 forces it to 0",
	     H(cr4, CR4_PAE | CR4_VMXE | BIT(22))),
	CASE("CR3 beyond maxphyaddr", HOST,
	     "CR3 0x200000000000 has bits set beyond the physical-address width (39 bits)",
	     H(cr3, BIT(45))),
	CASE("SYSENTER_EIP not canonical", HOST,
	     "IA32_SYSENTER_EIP 0x800000000000 is not canonical",
	     H(sysenter_eip, 0x0000800000000000ULL)),
	CASE("PAT entry 2 holds type 2", HOST, "IA32_PAT entry 2 holds memory type 2",
	     H(pat, 0x0007040600020406ULL)),
	CASE("EFER.SVME reserved on Intel", HOST, "IA32_EFER 0x1d01 has reserved bits set (0x1000)",
	     H(efer, 0x1D01)),
	CASE("EFER.LMA clear", HOST,
	     "IA32_EFER.LMA is 0 but host address-space size exit control is 1", H(efer, EFER_LME)),
	CASE("CS RPL 3", HOST, "CS selector 0x000b has RPL 3, must be 0", H(cs, 0x0B)),
	CASE("DS TI set", HOST, "DS selector 0x0014 has TI=1", H(ds, 0x14)),
	CASE("CS 0", HOST, "host state: CS selector is 0", H(cs, 0)),
	CASE("TR 0", HOST, "host state: TR selector is 0", H(tr, 0)),
	CASE("SS 0 on a 32-bit host", HOST, "SS selector is 0 with a 32-bit host", H(ss, 0),
	     H(exit, EXIT_UMBRA & ~EXIT_HOST_64 & ~EXIT_LOAD_EFER)),
	CASE("GS base not canonical", HOST, "GS base 0x1234000000000000 is not canonical",
	     H(gs_base, 0x1234000000000000ULL)),
	CASE("TR base not canonical", HOST, "TR base 0xffff7ffffffff000 is not canonical",
	     H(tr_base, 0xFFFF7FFFFFFFF000ULL)),
	CASE("32-bit host", HOST,
	     "host address-space size exit control is 0 but umbra runs in IA-32e mode",
	     H(exit, EXIT_UMBRA & ~EXIT_HOST_64 & ~EXIT_LOAD_EFER)),
	CASE("CR4.PAE clear", HOST, "CR4.PAE is 0 with a 64-bit host", H(cr4, CR4_VMXE | CR4_PGE)),
	CASE("RIP not canonical", HOST, "RIP 0x8000000000000000 is not canonical",
	     H(rip, 0x8000000000000000ULL)),
};

#define NOT_UNRESTRICTED G(proc2, PROC2_EPT | PROC2_VPID)

static const struct mutation guest_cases[] = {
	/* control registers and MSRs */
	CASE("CR0.NE clear", PM32,
	     "guest state: CR0 bit 5 (NE) is 0 but IA32_VMX_CR0_FIXED0 forces it to 1 (cr0=0x11)",
	     G(cr0, 0x11)),
	CASE("CR0.PE clear without unrestricted guest", LM64,
	     "CR0 bit 0 (PE) is 0 but IA32_VMX_CR0_FIXED0 forces it to 1", NOT_UNRESTRICTED,
	     G(cr0, 0x80050032)),
	CASE("CR0.PG without PE", PM32, "CR0.PG is 1 but CR0.PE is 0 (cr0=0x80000030)",
	     G(cr0, 0x80000030)),
	CASE("CR0 bit 32", PM32, "CR0 bit 32 is 1 but IA32_VMX_CR0_FIXED1 forces it to 0",
	     G(cr0, BIT(32) | 0x31)),
	CASE("CR4.VMXE clear", PM32,
	     "CR4 bit 13 (VMXE) is 0 but IA32_VMX_CR4_FIXED0 forces it to 1 (cr4=0x0)", G(cr4, 0)),
	CASE("DEBUGCTL reserved bit", PM32, "IA32_DEBUGCTL 0x4 has reserved bits set",
	     G(entry, ENTRY_UMBRA | ENTRY_LOAD_DEBUG), G(debugctl, 4)),
	CASE("IA-32e without CR0.PG", LM64, "IA-32e mode guest entry control is 1 but CR0.PG is 0",
	     G(cr0, 0x00050033)),
	CASE("IA-32e without CR4.PAE", LM64,
	     "IA-32e mode guest entry control is 1 but CR4.PAE is 0 (cr4=0x2000)",
	     G(cr4, CR4_VMXE)),
	CASE("PCIDE outside IA-32e", PM32,
	     "CR4.PCIDE is 1 but IA-32e mode guest entry control is 0", G(cr4, CR4_VMXE | BIT(17))),
	CASE("CR3 beyond maxphyaddr", LM64,
	     "CR3 0x8000009000 has bits set beyond the physical-address width (39 bits)",
	     G(cr3, BIT(39) | 0x9000)),
	CASE("DR7 bit 32", PM32, "DR7 0x100000400 has bits 63:32 set",
	     G(entry, ENTRY_UMBRA | ENTRY_LOAD_DEBUG), G(dr7, BIT(32) | 0x400)),
	CASE("SYSENTER_ESP not canonical", PM32,
	     "IA32_SYSENTER_ESP 0x1000000000000 is not canonical",
	     G(sysenter_esp, 0x0001000000000000ULL)),
	CASE("PAT entry 7 holds type 8", PM32, "IA32_PAT entry 7 holds memory type 8",
	     G(pat, 0x0807040600070406ULL)),
	CASE("EFER reserved bit 9", LM64, "IA32_EFER 0xf01 has reserved bits set (0x200)",
	     G(efer, 0xD01 | BIT(9))),
	CASE("EFER.LMA clear in IA-32e mode", LM64,
	     "guest state: IA-32e mode guest entry control is 1 but EFER.LMA is 0 (efer=0x100)",
	     G(efer, 0x100)),
	CASE("EFER.LMA set outside IA-32e mode", PM32,
	     "IA-32e mode guest entry control is 0 but EFER.LMA is 1", G(efer, EFER_LMA)),
	CASE("EFER.LME clear with paging", LM64, "CR0.PG is 1 but EFER.LME is 0 and EFER.LMA is 1",
	     G(efer, EFER_LMA | EFER_NXE)),
	/* segment registers */
	CASE("RFLAGS.VM in IA-32e mode", LM64, "RFLAGS.VM is 1 in an IA-32e mode guest",
	     G(rflags, 0x20002)),
	CASE("virtual-8086 bases", PM32, "ES base 0x0 is not selector 0x0010 * 16",
	     G(rflags, 0x20002)),
	CASE("TR selector TI", LM64, "TR selector 0x002c has TI=1", SEG(VMX_SEG_TR, sel, 0x2C)),
	CASE("LDTR selector TI", LM64, "LDTR selector 0x000c has TI=1",
	     SEG(VMX_SEG_LDTR, sel, 0x0C), SEG(VMX_SEG_LDTR, ar, VMX_AR_LDT)),
	CASE("SS RPL differs from CS RPL", LM64,
	     "SS selector 0x0013 has RPL 3 but CS selector 0x0008 has RPL 0", NOT_UNRESTRICTED,
	     SEG(VMX_SEG_SS, sel, 0x13)),
	CASE("FS base not canonical", LM64, "FS base 0x900000000000 is not canonical",
	     SEG(VMX_SEG_FS, base, 0x0000900000000000ULL)),
	CASE("CS base above 4 GiB", PM32, "CS base 0x100000000 has bits 63:32 set",
	     SEG(VMX_SEG_CS, base, BIT(32))),
	CASE("CS is data without unrestricted guest", LM64,
	     "guest state: CS access rights 0x0093: type 3 is not a code segment", NOT_UNRESTRICTED,
	     SEG(VMX_SEG_CS, ar, 0x0093)),
	CASE("CS not accessed", PM32,
	     "CS access rights 0xc09a: type 10 is a code segment without the accessed bit",
	     SEG(VMX_SEG_CS, ar, 0xC09A)),
	CASE("SS read-only", PM32,
	     "SS access rights 0xc091: type 1 is not a read/write accessed data segment",
	     SEG(VMX_SEG_SS, ar, 0xC091)),
	CASE("DS not accessed", PM32, "DS access rights 0xc092: type 2 has the accessed bit clear",
	     SEG(VMX_SEG_DS, ar, 0xC092)),
	CASE("ES execute-only code", PM32,
	     "ES access rights 0xc099: type 9 is an execute-only code segment",
	     SEG(VMX_SEG_ES, ar, 0xC099)),
	CASE("DS system descriptor", PM32, "DS access rights 0xc083: S is 0",
	     SEG(VMX_SEG_DS, ar, 0xC083)),
	CASE("CS DPL differs from SS DPL", PM32,
	     "CS access rights 0xc0fb: DPL 3 of a non-conforming code segment differs from SS",
	     SEG(VMX_SEG_CS, ar, 0xC0FB)),
	CASE("SS DPL differs from its RPL", LM64,
	     "SS access rights 0xc0f3: DPL 3 differs from the selector's RPL 0", NOT_UNRESTRICTED,
	     SEG(VMX_SEG_CS, ar, 0xA0FB), SEG(VMX_SEG_SS, ar, 0xC0F3)),
	CASE("SS DPL 3 in real mode", PM32,
	     "SS access rights 0xc0f3: DPL 3, must be 0 with CR0.PE=0", G(cr0, 0x30),
	     SEG(VMX_SEG_CS, ar, 0xC0FB), SEG(VMX_SEG_SS, ar, 0xC0F3)),
	CASE("DS DPL below RPL", LM64,
	     "DS access rights 0xc093: DPL 0 is below the selector's RPL 3", NOT_UNRESTRICTED,
	     SEG(VMX_SEG_DS, sel, 0x13)),
	CASE("GS not present", PM32, "GS access rights 0xc013: P is 0",
	     SEG(VMX_SEG_GS, ar, 0xC013)),
	CASE("FS reserved bit 8", PM32, "FS access rights 0xc193: reserved bits 11:8 are not 0",
	     SEG(VMX_SEG_FS, ar, 0xC193)),
	CASE("CS L and D", LM64,
	     "CS access rights 0xe09b: L and D are both 1 in an IA-32e mode guest",
	     SEG(VMX_SEG_CS, ar, 0xE09B)),
	CASE("DS G=1 with a byte limit", PM32,
	     "DS access rights 0xc093: G is 1 but limit 0xffffe has bits 11:0 not all ones",
	     SEG(VMX_SEG_DS, limit, 0xFFFFE)),
	CASE("ES G=0 with a 4 GiB limit", PM32,
	     "ES access rights 0x4093: G is 0 but limit 0xffffffff is above 0xfffff",
	     SEG(VMX_SEG_ES, ar, 0x4093)),
	CASE("SS reserved bit 17", PM32, "SS access rights 0x2c093: reserved bits 31:17 are not 0",
	     SEG(VMX_SEG_SS, ar, 0x2C093)),
	CASE("TR 16-bit TSS in IA-32e mode", LM64,
	     "TR access rights 0x0083: type 3 is not a busy 64-bit TSS (11)",
	     SEG(VMX_SEG_TR, ar, 0x83)),
	CASE("TR available TSS", PM32,
	     "TR access rights 0x0089: type 9 is not a busy TSS (3 or 11)",
	     SEG(VMX_SEG_TR, ar, 0x89)),
	CASE("TR with S=1", PM32, "TR access rights 0x009b: S is 1, must be 0",
	     SEG(VMX_SEG_TR, ar, 0x9B)),
	CASE("TR unusable", PM32, "TR access rights 0x1008b: TR is marked unusable",
	     SEG(VMX_SEG_TR, ar, 0x1008B)),
	CASE("LDTR not an LDT", LM64, "LDTR access rights 0x0083: type 3 is not an LDT (2)",
	     SEG(VMX_SEG_LDTR, ar, 0x83)),
	/* descriptor tables, RIP, RFLAGS */
	CASE("GDTR base not canonical", LM64, "GDTR base 0x800000000000 is not canonical",
	     G(gdtr_base, 0x0000800000000000ULL)),
	CASE("IDTR limit above 16 bits", PM32, "IDTR limit 0x10000 has bits 31:16 set",
	     G(idtr_limit, 0x10000)),
	CASE("RIP above 4 GiB outside 64-bit mode", PM32,
	     "RIP 0x100000000 has bits 63:32 set outside 64-bit mode", G(rip, BIT(32))),
	CASE("RIP not canonical", LM64, "RIP 0x800000000000 is not canonical",
	     G(rip, 0x0000800000000000ULL)),
	CASE("RFLAGS reserved bit 3", PM32, "RFLAGS 0xa has reserved bits set (0x8)",
	     G(rflags, 0xA)),
	CASE("RFLAGS bit 1 clear", PM32, "RFLAGS 0x0 has bit 1 clear", G(rflags, 0)),
	CASE("external interrupt with IF=0", PM32,
	     "an external interrupt is injected but RFLAGS.IF is 0",
	     G(entry_intr_info, INFO(INTR_TYPE_EXT, 0x20))),
	/* activity, interruptibility, pending debug exceptions, link pointer */
	CASE("activity state 4", PM32, "activity state 4 is not 0 to 3", G(activity, 4)),
	CASE_CAP("HLT unsupported", PM32, C(misc, 0x7004C1E7ULL & ~BIT(6)),
		 "activity state 1 (HLT) is not supported (IA32_VMX_MISC bit 6 is 0)",
		 G(activity, 1)),
	CASE("HLT at CPL 3", LM64, "activity state is HLT but SS.DPL is 3, must be 0",
	     G(activity, 1), SEG(VMX_SEG_CS, ar, 0xA0FB), SEG(VMX_SEG_SS, ar, 0xC0F3)),
	CASE("HLT under STI blocking", LM64,
	     "activity state 1 (HLT) with blocking by STI, must be active (0)", G(activity, 1),
	     G(rflags, 0x202), G(interruptibility, INTERRUPTIBILITY_STI)),
	CASE("shutdown receiving an interrupt", LM64,
	     "activity state 2 (shutdown) cannot receive the injected event", G(activity, 2),
	     G(rflags, 0x202), G(entry_intr_info, INFO(INTR_TYPE_EXT, 0x20))),
	CASE("interruptibility reserved bit 5", PM32,
	     "interruptibility state 0x20 has reserved bits 31:5 set", G(interruptibility, BIT(5))),
	CASE("STI and MOV SS blocking", PM32, "blocking by both STI and MOV SS", G(rflags, 0x202),
	     G(interruptibility, 3)),
	CASE("STI blocking with IF=0", PM32, "has blocking by STI but RFLAGS.IF is 0",
	     G(interruptibility, INTERRUPTIBILITY_STI)),
	CASE("external interrupt under MOV SS blocking", PM32,
	     "has blocking by MOV SS but an external interrupt is injected", G(rflags, 0x202),
	     G(interruptibility, INTERRUPTIBILITY_MOV_SS),
	     G(entry_intr_info, INFO(INTR_TYPE_EXT, 0x20))),
	CASE("NMI under MOV SS blocking", PM32, "has blocking by MOV SS but an NMI is injected",
	     G(interruptibility, INTERRUPTIBILITY_MOV_SS),
	     G(entry_intr_info, INFO(INTR_TYPE_NMI, 2))),
	CASE("SMI blocking", PM32, "blocking by SMI outside SMM", G(interruptibility, BIT(2))),
	CASE("NMI under virtual-NMI blocking", PM32,
	     "has virtual-NMI blocking but an NMI is injected", G(interruptibility, BIT(3)),
	     G(entry_intr_info, INFO(INTR_TYPE_NMI, 2))),
	CASE("pending debug reserved bit", PM32,
	     "pending debug exceptions 0x10 have reserved bits set", G(pending_dbg, BIT(4))),
	CASE("single step under STI without BS", PM32,
	     "BS is 0 but RFLAGS.TF is 1 and DEBUGCTL.BTF is 0 under STI/MOV-SS blocking or HLT, "
	     "so BS must be 1",
	     G(rflags, 0x302), G(interruptibility, INTERRUPTIBILITY_STI)),
	CASE("BS without single step in HLT", PM32, "BS is 1 but RFLAGS.TF is 0", G(activity, 1),
	     G(pending_dbg, BIT(14))),
	CASE("link pointer 0", PM32, "guest state: VMCS link pointer is 0x0, must be all ones",
	     G(link_pointer, 0)),
};

/* which: 0 controls, 1 host state, 2 guest state; each message starts with its area. */
static void run_cases(const struct mutation *cases, size_t n, int which)
{
	static const char *const areas[] = { "controls: ", "host state: ", "guest state: " };

	for (size_t i = 0; i < n; i++) {
		const struct mutation *m = &cases[i];
		struct vmx_caps caps = skylake;
		struct vmx_guest_state g = m->base == LM64 ? guest_lm64() : guest_pm32();
		struct vmx_host_state h = host64();
		bool failed;

		if (m->cap.size)
			apply(&caps, &m->cap);
		for (size_t k = 0; k < ARRAY_SIZE(m->s) && m->s[k].size; k++)
			apply(m->base == HOST ? (void *)&h : (void *)&g, &m->s[k]);
		buf[0] = '\0';
		if (which == 0)
			failed = vmx_check_controls(&caps, &g, buf, sizeof(buf));
		else if (which == 1)
			failed = vmx_check_host(&caps, &h, buf, sizeof(buf));
		else
			failed = vmx_check_guest(&caps, &g, buf, sizeof(buf));
		cr_expect(failed, "%s: not caught (%s)", m->what, buf);
		cr_expect(strncmp(buf, areas[which], strlen(areas[which])) == 0, "%s: %s", m->what,
			  buf);
		cr_expect(strstr(buf, m->expect) != NULL,
			  "%s:\n  got      \"%s\"\n  expected \"%s\"", m->what, buf, m->expect);
	}
}

Test(vmx_check, control_mutations)
{
	run_cases(control_cases, ARRAY_SIZE(control_cases), 0);
}

Test(vmx_check, host_mutations)
{
	run_cases(host_cases, ARRAY_SIZE(host_cases), 1);
}

Test(vmx_check, guest_mutations)
{
	run_cases(guest_cases, ARRAY_SIZE(guest_cases), 2);
}

/* A bad guest state does not fail the controls, nor bad controls the guest state. */
Test(vmx_check, areas_prefix_messages)
{
	struct vmx_guest_state g = guest_pm32();

	g.link_pointer = 0;
	cr_assert(!vmx_check_controls(&skylake, &g, buf, sizeof(buf)), "%s", buf);
	cr_assert(vmx_check_guest(&skylake, &g, buf, sizeof(buf)));
	cr_assert(strncmp(buf, "guest state: ", 13) == 0, "%s", buf);
	g = guest_pm32();
	g.vpid = 0;
	cr_assert(vmx_check_controls(&skylake, &g, buf, sizeof(buf)));
	cr_assert(strncmp(buf, "controls: ", 10) == 0, "%s", buf);
}

/* IA32_VMX_BASIC bit 56: hardware exceptions may be injected with or without an error code. */
Test(vmx_check, basic56_relaxes_error_codes)
{
	struct vmx_caps caps = skylake;
	struct vmx_guest_state g = guest_pm32();

	caps.basic |= BIT(56);
	g.entry_intr_info = INFO(INTR_TYPE_HW_EXC, 13);
	cr_assert(!vmx_check_controls(&caps, &g, buf, sizeof(buf)), "%s", buf);
	g.entry_intr_info = INFO(INTR_TYPE_HW_EXC, 6) | INTR_INFO_HAS_ERROR;
	cr_assert(!vmx_check_controls(&caps, &g, buf, sizeof(buf)), "%s", buf);
	/* Still never on a non-exception, nor in real mode. */
	g.entry_intr_info = INFO(INTR_TYPE_NMI, 2) | INTR_INFO_HAS_ERROR;
	cr_assert(vmx_check_controls(&caps, &g, buf, sizeof(buf)));
	cr_assert(strstr(buf, "is not a hardware exception"), "%s", buf);
}
