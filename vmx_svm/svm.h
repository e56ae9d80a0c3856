/* svm.h: the AMD SVM VMCB layout and the bits umbra uses (AMD APM vol. 2, chapter 15 and appendix B). */
#ifndef UMBRA_SVM_H
#define UMBRA_SVM_H

#include "arch/x86/msr.h"
#include "compiler.h"
#include "types.h"

/* Every field is naturally aligned, so no packing; the asserts below pin the offsets. */
struct vmcb_seg {
	u16 sel;
	u16 attrib; /* descriptor bits 47:40 in 7:0, bits 55:52 in 11:8 */
	u32 limit;
	u64 base;
};

struct vmcb_control {
	u32 intercept_cr;  /* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;  /* 0x004 */
	u32 intercept_exc; /* 0x008 */
	u32 intercept3;	   /* 0x00C */
	u32 intercept4;	   /* 0x010 */
	u32 intercept5;	   /* 0x014 */
	u8 rsvd0[0x03C - 0x018];
	u16 pause_threshold; /* 0x03C */
	u16 pause_count;     /* 0x03E */
	u64 iopm_base;	     /* 0x040 */
	u64 msrpm_base;	     /* 0x048 */
	u64 tsc_offset;	     /* 0x050 */
	u32 asid;	     /* 0x058 */
	u8 tlb_control;	     /* 0x05C */
	u8 rsvd1[3];
	u64 vintr;	   /* 0x060: V_TPR, V_IRQ, V_INTR_MASKING, ... */
	u64 int_state;	   /* 0x068 */
	u64 exit_code;	   /* 0x070 */
	u64 exit_info1;	   /* 0x078 */
	u64 exit_info2;	   /* 0x080 */
	u64 exit_int_info; /* 0x088 */
	u64 np_enable;	   /* 0x090 */
	u64 avic_apic_bar; /* 0x098 */
	u64 ghcb_pa;	   /* 0x0A0 */
	u64 event_inj;	   /* 0x0A8 */
	u64 n_cr3;	   /* 0x0B0 */
	u64 lbr_virt;	   /* 0x0B8 */
	u32 clean;	   /* 0x0C0 */
	u32 rsvd2;
	u64 next_rip;	   /* 0x0C8 */
	u8 insn_len;	   /* 0x0D0 */
	u8 insn_bytes[15]; /* 0x0D1 */
	u8 rsvd3[0x400 - 0x0E0];
};

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr; /* 0x400 .. 0x49F */
	u8 rsvd0[0x4CB - 0x4A0];
	u8 cpl; /* 0x4CB */
	u32 rsvd1;
	u64 efer; /* 0x4D0 */
	u8 rsvd2[0x548 - 0x4D8];
	u64 cr4;    /* 0x548 */
	u64 cr3;    /* 0x550 */
	u64 cr0;    /* 0x558 */
	u64 dr7;    /* 0x560 */
	u64 dr6;    /* 0x568 */
	u64 rflags; /* 0x570 */
	u64 rip;    /* 0x578 */
	u8 rsvd3[0x5D8 - 0x580];
	u64 rsp; /* 0x5D8 */
	u8 rsvd4[0x5F8 - 0x5E0];
	u64 rax;	    /* 0x5F8 */
	u64 star;	    /* 0x600 */
	u64 lstar;	    /* 0x608 */
	u64 cstar;	    /* 0x610 */
	u64 sfmask;	    /* 0x618 */
	u64 kernel_gs_base; /* 0x620 */
	u64 sysenter_cs;    /* 0x628 */
	u64 sysenter_esp;   /* 0x630 */
	u64 sysenter_eip;   /* 0x638 */
	u64 cr2;	    /* 0x640 */
	u8 rsvd5[0x668 - 0x648];
	u64 g_pat;  /* 0x668 */
	u64 dbgctl; /* 0x670 */
	u8 rsvd6[0x1000 - 0x678];
};

struct vmcb {
	struct vmcb_control ctl;
	struct vmcb_save save;
};

#define VMCB_OFF(f) __builtin_offsetof(struct vmcb, f)
_Static_assert(sizeof(struct vmcb) == 4096, "a VMCB is one page");
_Static_assert(VMCB_OFF(ctl.iopm_base) == 0x040, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.asid) == 0x058, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.exit_code) == 0x070, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.np_enable) == 0x090, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.event_inj) == 0x0A8, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.n_cr3) == 0x0B0, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.clean) == 0x0C0, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.next_rip) == 0x0C8, "VMCB layout");
_Static_assert(VMCB_OFF(ctl.insn_bytes) == 0x0D1, "VMCB layout");
_Static_assert(VMCB_OFF(save.es) == 0x400, "VMCB layout");
_Static_assert(VMCB_OFF(save.tr) == 0x490, "VMCB layout");
_Static_assert(VMCB_OFF(save.cpl) == 0x4CB, "VMCB layout");
_Static_assert(VMCB_OFF(save.efer) == 0x4D0, "VMCB layout");
_Static_assert(VMCB_OFF(save.cr4) == 0x548, "VMCB layout");
_Static_assert(VMCB_OFF(save.rip) == 0x578, "VMCB layout");
_Static_assert(VMCB_OFF(save.rsp) == 0x5D8, "VMCB layout");
_Static_assert(VMCB_OFF(save.rax) == 0x5F8, "VMCB layout");
_Static_assert(VMCB_OFF(save.cr2) == 0x640, "VMCB layout");
_Static_assert(VMCB_OFF(save.g_pat) == 0x668, "VMCB layout");

/* CR intercepts (offset 0x000): reads of CRn in bit n, writes in bit 16 + n. */
#define SVM_INTERCEPT_CR_READ(n) BIT(n)
#define SVM_INTERCEPT_CR_WRITE(n) BIT(16 + (n))

/* Intercept vector 3 (offset 0x00C) and 4 (0x010). */
#define SVM_INTERCEPT_INTR BIT(0)
#define SVM_INTERCEPT_NMI BIT(1)
#define SVM_INTERCEPT_CPUID BIT(18)
#define SVM_INTERCEPT_HLT BIT(24)
#define SVM_INTERCEPT_INVLPG BIT(25)
#define SVM_INTERCEPT_INVLPGA BIT(26)
#define SVM_INTERCEPT_IOIO BIT(27)
#define SVM_INTERCEPT_MSR BIT(28)
#define SVM_INTERCEPT_SHUTDOWN BIT(31)
#define SVM_INTERCEPT_VMRUN BIT(0)
#define SVM_INTERCEPT_VMMCALL BIT(1)
#define SVM_INTERCEPT_VMLOAD BIT(2)
#define SVM_INTERCEPT_VMSAVE BIT(3)
#define SVM_INTERCEPT_STGI BIT(4)
#define SVM_INTERCEPT_CLGI BIT(5)
#define SVM_INTERCEPT_SKINIT BIT(6)
#define SVM_INTERCEPT_RDTSCP BIT(7)
#define SVM_INTERCEPT_MONITOR BIT(10)
#define SVM_INTERCEPT_MWAIT BIT(11)
#define SVM_INTERCEPT_MWAIT_COND BIT(12)
#define SVM_INTERCEPT_XSETBV BIT(13)
#define SVM_INTERCEPT_INVD BIT(22)
#define SVM_INTERCEPT_EXC_DB BIT(1)
#define SVM_INTERCEPT_EXC_PF BIT(14)
#define SVM_INTERCEPT_EXC_AC BIT(17)
#define SVM_INTERCEPT_EXC_MC BIT(18)

#define SVM_VINTR_TPR GENMASK(3, 0) /* V_TPR: the guest's task priority (CR8) */
#define SVM_VINTR_MASKING BIT(24)
#define SVM_NP_ENABLE BIT(0)
#define SVM_TLB_FLUSH_ALL 1
#define SVM_TLB_FLUSH_ASID 3

/* EVENTINJ (APM 15.20). */
#define SVM_EVTINJ_VECTOR GENMASK(7, 0)
#define SVM_EVTINJ_TYPE GENMASK(10, 8)
#define SVM_EVTINJ_TYPE_EXC 3
#define SVM_EVTINJ_EV BIT(11)
#define SVM_EVTINJ_VALID BIT(31)
#define SVM_EVTINJ_ERROR GENMASK(63, 32)

/* Exit codes. */
#define SVM_EXIT_READ_CR0 0x000	 /* + n: MOV from CRn (and SMSW for CR0) */
#define SVM_EXIT_WRITE_CR0 0x010 /* + n: MOV to CRn (and LMSW, CLTS for CR0) */
#define SVM_EXIT_WRITE_CR15 0x01F
#define SVM_EXIT_CR_NUM GENMASK(3, 0)
#define SVM_EXIT_EXC_BASE 0x040
#define SVM_EXIT_INTR 0x060
#define SVM_EXIT_NMI 0x061
#define SVM_EXIT_CPUID 0x072
#define SVM_EXIT_INVD 0x076
#define SVM_EXIT_HLT 0x078
#define SVM_EXIT_INVLPG 0x079
#define SVM_EXIT_IOIO 0x07B
#define SVM_EXIT_MSR 0x07C
#define SVM_EXIT_SHUTDOWN 0x07F
#define SVM_EXIT_VMRUN 0x080
#define SVM_EXIT_VMMCALL 0x081
#define SVM_EXIT_INVLPGA 0x07A
#define SVM_EXIT_VMLOAD 0x082
#define SVM_EXIT_VMSAVE 0x083
#define SVM_EXIT_STGI 0x084
#define SVM_EXIT_CLGI 0x085
#define SVM_EXIT_SKINIT 0x086
#define SVM_EXIT_RDTSCP 0x087
#define SVM_EXIT_MONITOR 0x08A
#define SVM_EXIT_MWAIT 0x08B
#define SVM_EXIT_MWAIT_COND 0x08C
#define SVM_EXIT_XSETBV 0x08D
#define SVM_EXIT_NPF 0x400
#define SVM_EXIT_INVALID ((u64)-1)

/* IOIO EXITINFO1. */
#define SVM_IOIO_IN BIT(0)
#define SVM_IOIO_STR BIT(2)
#define SVM_IOIO_REP BIT(3)
#define SVM_IOIO_SIZE GENMASK(6, 4)
#define SVM_IOIO_PORT GENMASK(31, 16)

/* CR access EXITINFO1 with decode assists (APM 15.8.1): MOV CR names its GPR. */
#define SVM_CR_INFO_MOV BIT(63)
#define SVM_CR_INFO_GPR GENMASK(3, 0)

/* NPF EXITINFO1: the nested page-fault error code. */
#define SVM_NPF_PRESENT BIT(0)
#define SVM_NPF_WRITE BIT(1)
#define SVM_NPF_FETCH BIT(4)
#define SVM_NPF_FINAL_GPA BIT(32)  /* the fault was on the access's own address */
#define SVM_NPF_TABLE_WALK BIT(33) /* the fault was on the guest's page-table walk */

/* VMCB clean bits (APM 15.15.3). */
#define SVM_CLEAN_INTERCEPTS BIT(0)
#define SVM_CLEAN_IOPM BIT(1)
#define SVM_CLEAN_ASID BIT(2)
#define SVM_CLEAN_TPR BIT(3)
#define SVM_CLEAN_NP BIT(4)
#define SVM_CLEAN_CRX BIT(5)
#define SVM_CLEAN_DRX BIT(6)
#define SVM_CLEAN_DT BIT(7)
#define SVM_CLEAN_SEG BIT(8)
#define SVM_CLEAN_CR2 BIT(9)
#define SVM_CLEAN_LBR BIT(10)
#define SVM_CLEAN_AVIC BIT(11)
#define SVM_CLEAN_ALL GENMASK(11, 0)

/* Segment attributes in the VMCB's compressed form. */
#define SVM_ATTR_CODE32 0xC9B /* present, DPL 0, execute/read accessed, D, G */
#define SVM_ATTR_DATA32 0xC93 /* present, DPL 0, read/write accessed, B, G */
#define SVM_ATTR_CODE64 0xA9B /* present, DPL 0, execute/read accessed, L, G */
#define SVM_ATTR_TSS 0x08B    /* present, busy 32/64-bit TSS */
#define SVM_ATTR_LDT 0x082    /* present, LDT */
#define SVM_ATTR_L BIT(9)     /* descriptor bit 53 */
#define SVM_ATTR_DB BIT(10)   /* descriptor bit 54 */

struct vcpu;
/* The world switch (svm_entry.S): enter the guest, call svm_exit(v) (svm.c)
 * after every exit, and return when the slice ends. The host state VMLOAD
 * moves is saved to host_vmcb once and loaded back after every exit. */
void svm_guest_loop(struct vcpu *v, u64 *gprs, u64 vmcb_pa, u64 host_vmcb_pa);
/* Called by svm_guest_loop; they return SVM_LOOP_* (entry_gprs.h). */
int svm_exit(struct vcpu *v);
int svm_exit_all(struct vcpu *v);

#endif
