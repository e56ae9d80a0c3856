/* vcpu.h: the vendor-neutral virtual CPU: registers, the exit record, and the back-end interface. */
#ifndef UMBRA_VCPU_H
#define UMBRA_VCPU_H

#include "core/loader.h"
#include "types.h"

struct vm;

/* General registers in the x86 encoding order (ModRM reg numbers). */
enum gpr {
	GPR_RAX,
	GPR_RCX,
	GPR_RDX,
	GPR_RBX,
	GPR_RSP,
	GPR_RBP,
	GPR_RSI,
	GPR_RDI,
	GPR_R8,
	GPR_R9,
	GPR_R10,
	GPR_R11,
	GPR_R12,
	GPR_R13,
	GPR_R14,
	GPR_R15,
	NR_GPRS,
};
/* vmx_svm/entry_gprs.h gives the assembly the same numbers: GPR_RSI = 6, GPR_RDI = 7. */
_Static_assert(GPR_RBP == 5 && GPR_RSI == 6 && GPR_RDI == 7 && GPR_R15 == 15, "gpr order");

/* Why the guest stopped, in words both back ends use. */
enum exit_reason {
	EXIT_CPUID,
	EXIT_MSR,
	EXIT_IO,
	EXIT_TDP_FAULT, /* nested/extended page fault: MMIO or outside the guest's memory */
	EXIT_HLT,
	EXIT_HYPERCALL,
	EXIT_EXCEPTION,
	EXIT_SHUTDOWN, /* triple fault */
	EXIT_INTR,
	EXIT_INVALID,	  /* the CPU refused the guest state */
	EXIT_UNDEFINED,	  /* an instruction the guest's CPU model lacks (SVM/VMX, XSETBV): #UD */
	EXIT_CACHE_FLUSH, /* INVD or WBINVD: done as WBINVD, never as a discard */
	EXIT_CR_ACCESS,	  /* MOV to or from a control register the back end keeps a shadow of */
	EXIT_PAGE_FAULT,  /* shadow paging: #PF on umbra's shadow tables */
	EXIT_INVLPG,	  /* shadow paging: the guest invalidated a translation */
	EXIT_OTHER,	  /* an intercept umbra did not ask for */
	NR_EXIT_REASONS,
};

/* The guest's operand size and privilege: what a hypercall's arguments depend on. */
struct vcpu_mode {
	u8 bits; /* 16, 32 or 64: the code segment's default size */
	u8 cpl;
};

struct vm_exit {
	enum exit_reason reason;
	u64 code;	 /* the back end's raw exit code, for messages */
	u64 next_rip;	 /* RIP after the exiting instruction; 0 when the CPU did not say */
	const char *why; /* the back end's words for an invalid or unexpected exit, or NULL */
	union {
		struct {
			u16 port;
			u8 size; /* 1, 2 or 4 */
			bool in;
			bool string;
			bool rep;
		} io;
		struct {
			u32 index;
			bool write;
		} msr;
		struct vcpu_mode hc; /* the hypercall's operand size depends on it */
		struct {
			u64 gpa;
			bool write;
			bool fetch;
			bool present;	   /* the nested entry was present: a permission fault */
			bool table_walk;   /* on the guest's own page-table walk */
			bool during_event; /* while delivering an exception or interrupt */
		} tdp;
		struct {
			u8 vector;
			bool has_error;
			bool after_insn; /* ICEBP's #DB: delivered past the instruction */
			u32 error;
		} exc;
		struct {
			u64 gva;	   /* the faulting linear address (CR2) */
			u32 error;	   /* the hardware's error code (PF_* in mm/gwalk.h) */
			bool during_event; /* while delivering an exception or interrupt */
		} pf;
		struct {
			u64 gva;	/* the address INVLPG names */
			bool gva_known; /* false: the CPU did not say (SVM without decode assists) */
		} invlpg;
		struct {
			u8 cr;	      /* 0, 3, 4 or 8 */
			u8 gpr;	      /* enum gpr: the register moved to or from */
			bool write;   /* MOV to CR (or LMSW/CLTS, with value) */
			bool has_val; /* LMSW/CLTS: value is the new CR0, gpr unused */
			u64 value;
		} cr;
	};
};

/* The guest's paging state, for walking its tables. */
struct vcpu_paging {
	u64 cr0, cr3, cr4, efer;
	unsigned mode_bits; /* 16, 32 or 64: the code segment's default size */
	u64 cs_base;	    /* code segment base (0 in 64-bit mode) */
	unsigned cpl;
};

struct vcpu {
	struct vm *vm;
	/* RSP included: back ends move it (and rflags) to and from their own
	 * area, SVM only for the exits that can read them (svm.c). */
	u64 gpr[NR_GPRS];
	u64 rip;
	u64 rflags;
	u64 tsc_aux;
	/* State the CPU does not switch on entry and exit: x87/SSE (FXSAVE
	 * layout) and DR0-DR3. vcpu.c swaps them when another vCPU runs. */
	u8 fx[512] __attribute__((aligned(16)));
	u64 dr[4];
	u64 dr6;
	bool fx_ready;
	bool preempted; /* the time slice ended (a host interrupt exit) */
	void *vendor;	/* the back end's per-vCPU state (VMCB, VMCS) */
};

/*
 * What a back end (svm.c, vmx.c) provides. The loop in vcpu.c calls
 * run() and handles the neutral exit; only state that lives in the back
 * end's own structures (control registers, segment state, the MSRs kept
 * there) is reached through these calls.
 */
struct vendor_ops {
	const char *name;     /* "svm", "vmx" */
	const char *tdp_name; /* "npt", "ept" */
	const char *tag_name; /* "asid", "vpid": vm->asid's name; 0 means none */
	/* Once per VM: its TDP root and address-space tag (ASID/VPID). */
	int (*vm_init)(struct vm *vm);
	void (*vm_free)(struct vm *vm);
	/* Fills err (one phrase) on failure: out of memory, a start state the CPU cannot run. */
	int (*vcpu_init)(struct vcpu *v, const struct guest_start *s, char *err, size_t errlen);
	void (*vcpu_free)(struct vcpu *v);
	/* Run a time slice: enter the guest, hand each exit to vcpu_exit()
	 * (vcpu_exit.h), and
	 * enter again until it says stop (the slice or the VM ended). */
	void (*run)(struct vcpu *v);
	void (*inject_exception)(struct vcpu *v, u8 vector, bool has_error, u32 error);
	void (*paging)(struct vcpu *v, struct vcpu_paging *out);
	/* MSRs whose value lives in the back end; false: not one of them or a bad value. */
	bool (*msr_read)(struct vcpu *v, u32 index, u64 *val);
	bool (*msr_write)(struct vcpu *v, u32 index, u64 val);
	/* Control registers as the guest sees them. cr_write gets a value vcpu.c
	 * has checked against the architecture's rules and returns CR_OK, CR_GP
	 * (the CPU would fault: the model lacks that bit) or CR_ENDED (the back
	 * end ended the VM: a mode this CPU cannot run). */
	u64 (*cr_read)(struct vcpu *v, unsigned cr);
	int (*cr_write)(struct vcpu *v, unsigned cr, u64 val);
	/* The guest's CR2 (set before injecting a #PF the shadow MMU reflects). */
	void (*set_cr2)(struct vcpu *v, u64 cr2);
};

enum { CR_OK, CR_GP, CR_ENDED };

/* The back end this CPU uses, chosen at boot; NULL if none. */
extern const struct vendor_ops *vendor;

/* Run a vCPU until its VM ends or its time slice does (v->preempted). */
void vcpu_run(struct vcpu *v);
/* The loader's start state in the neutral registers (back ends' vcpu_init). */
void vcpu_set_start(struct vcpu *v, const struct guest_start *g);
/* The vCPU is gone: its FPU/debug state no longer needs saving. */
void vcpu_forget(struct vcpu *v);

/* RFLAGS with only its always-one bit, as after reset. */
#define RFLAGS_FIXED 0x2

/* Vector numbers the handlers inject. */
#define VEC_DE 0
#define VEC_UD 6
#define VEC_DF 8
#define VEC_TS 10
#define VEC_GP 13
#define VEC_PF 14

/* #DE, #TS, #NP, #SS, #GP: the "contributory" exceptions. */
static inline bool exc_contributory(u8 vector)
{
	return vector == VEC_DE || (vector >= VEC_TS && vector <= VEC_GP);
}

/*
 * A hardware exception raised while the CPU delivers an earlier one (an
 * exit interrupted that delivery; the handler now injects `second`). The
 * rule of SDM vol. 3 6.15 ("Interrupt 8") and APM vol. 2 8.2.9: a
 * contributory exception during a contributory one, or a #PF or
 * contributory one during a #PF, becomes #DF; either during a #DF shuts the
 * CPU down; any other pair is delivered one after the other, the second
 * first. Returns the vector to deliver, or -1 for the shutdown.
 */
static inline int exc_during_delivery(u8 first, u8 second)
{
	bool serious = second == VEC_PF || exc_contributory(second);

	if (first == VEC_DF && serious)
		return -1;
	if ((exc_contributory(first) && exc_contributory(second)) || (first == VEC_PF && serious))
		return VEC_DF;
	return second;
}

#endif
