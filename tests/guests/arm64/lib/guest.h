/* guest.h: the arm64 test guests' library: exit, start state, boot info, traps and probes, calls. */
#ifndef GUEST_H
#define GUEST_H

#include "a64.h"
#include "common.h" /* output, checks, summary, strings (tests/guests/common/) */

#define KiB(x) ((u64)(x) << 10)
#define MiB(x) ((u64)(x) << 20)
#define PAGE_SIZE 4096ull

/* ---------------------------------------------------------------- exit */
/* Under umbra HC_EXIT(status); elsewhere (or if that returns) PSCI SYSTEM_OFF. */
__noreturn void guest_exit(u64 status);

/* ---------------------------------------------------------------- start state */
/* Registers and state as _start found them (lib/entry.S). */
struct entry_state {
	u64 x[31];
	u64 sp, currentel, daif, sctlr;
};
extern struct entry_state g_entry;

/* The boot information page (docs/arm64.md), copied when it is there. */
#define BOOTINFO_IPA 0x3ffff000ull
#define BOOTINFO_MAGIC 0x666e696172626d75ull /* "umbrainf" */
#define BOOTINFO_CMDLINE 0x100
#define RAM_BASE 0x40000000ull

struct boot_info {
	bool valid; /* x0 pointed at the page and the magic matched */
	u64 magic, ram_base, ram_size, ipa_bits;
	char cmdline[256];
};
extern struct boot_info g_boot;

/* RAM base, size and IPA width: from the boot info, else QEMU virt's base, 0 and PARange. */
u64 ram_base(void);
u64 ram_size(void);
unsigned ipa_bits(void);
/* The CPU's physical address range in bits (ID_AA64MMFR0_EL1.PARange). */
unsigned pa_range_bits(void);

/* ---------------------------------------------------------------- traps */
/* The exception frame of lib/vectors.S. */
struct frame {
	u64 x[31];
	u64 elr, spsr, esr, far, pad;
};
_Static_assert(sizeof(struct frame) == FRAME_SIZE, "struct frame matches vectors.S");
_Static_assert(__builtin_offsetof(struct frame, far) == FRAME_FAR, "FRAME_FAR");

/* Where an expected exception resumes: after the faulting instruction, or at x30 (a call). */
enum resume { RESUME_NEXT, RESUME_LR };

/* The last exception an armed probe caught. */
struct fault {
	bool taken;
	u64 esr, far, elr;
};
extern struct fault g_fault;

/*
 * fault_expect(how) arms the handler for the next synchronous exception at
 * EL1: it is recorded in g_fault instead of ending the guest, and execution
 * resumes as `how` says. fault_taken() disarms and says whether one came.
 */
void fault_expect(enum resume how);
bool fault_taken(void);
void trap_entry(struct frame *f, u64 kind);
/* Point VBAR_EL1 at lib/vectors.S's table. */
void vectors_install(void);
const char *ec_name(u64 ec);

/* Run statement s with the handler armed; evaluates to true if it faulted. */
#define TRY(s) (fault_expect(RESUME_NEXT), (void)({ s; }), fault_taken())
/* mrs/msr of a register named in the source, under TRY. */
#define TRY_MRS(reg, out) TRY(__asm__ volatile("mrs %0, " #reg : "+r"(out) : : "memory"))
#define TRY_MSR(reg, v) TRY(__asm__ volatile("msr " #reg ", %0" : : "r"((u64)(v)) : "memory"))

/*
 * Single loads and stores of 1, 2, 4 or 8 bytes (ldrb/ldrh/ldr w/ldr x and
 * the matching stores) at a physical or virtual address. They return true
 * if the access faulted (see g_fault); a load that faulted leaves
 * *val = PROBE_POISON (the destination register is never written).
 */
#define PROBE_POISON 0x5a5a5a5a5a5a5a5aull
bool try_load(u64 addr, unsigned size, u64 *val);
bool try_store(u64 addr, unsigned size, u64 val);
/* Branch with link to addr; true if that raised an exception (e.g. an instruction abort). */
bool try_exec(u64 addr);
/* Plain accesses (an unexpected fault ends the guest). */
u64 mmio_read(u64 addr, unsigned size);
void mmio_write(u64 addr, unsigned size, u64 val);
/* A check that an armed access faulted with this EC and fault status (and FAR, if check_far). */
bool check_abort(const char *name, bool faulted, u64 ec, u64 fsc, bool check_far, u64 far);

/* ---------------------------------------------------------------- calls */
enum conduit { CONDUIT_HVC, CONDUIT_SMC };
/* What smccc() returns when the HVC or SMC itself raised an exception (e.g. UNDEFINED). */
#define SMCCC_TRAPPED ((s64)0x8000000000000000ull)
#define SMCCC_NOT_SUPPORTED (-1)
/* An SMC Calling Convention call (#0): function ID in w0, x1-x3 arguments, result x0. */
s64 smccc(enum conduit c, u32 fid, u64 a1, u64 a2, u64 a3);
/* The same with immediate #1 (x2, x3 zero), which umbra must refuse with -1. */
s64 smccc_imm1(enum conduit c, u32 fid, u64 a1);
/* A call with all 64 bits of x0 chosen by the caller (SMCCC reads only w0). */
s64 smccc_x0(enum conduit c, u64 x0);
const char *conduit_name(enum conduit c);

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_CPU_ON64 0xc4000003u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au
#define SMCCC_VERSION 0x80000000u
#define PSCI_VERSION_1_0 0x00010000
#define SMCCC_VERSION_1_1 0x00010001
#define PSCI_E_INVALID_PARAMETERS (-2)
#define PSCI_E_ALREADY_ON (-4)

/* umbra's own calls (SMCCC vendor-specific hypervisor range, 64-bit). */
#define HC_VERSION 0xc6000000u
#define HC_CONSOLE_WRITE 0xc6000001u
#define HC_EXIT 0xc6000002u
#define HC_TIMESTAMP 0xc6000003u
#define HC_VERSION_1_0 0x00010000
#define HC_EINVAL (-22)

/* A call to umbra through HVC. */
s64 hcall(u32 fid, u64 a1, u64 a2, u64 a3);
/* Read the boot info page and ask HC_VERSION (once, at start). */
void umbra_detect(void);
/* True when the boot info page is valid and HC_VERSION answers 1.0. */
bool under_umbra(void);
/* What HC_VERSION returned at start (SMCCC_TRAPPED if HVC raised an exception). */
s64 hc_version_at_start(void);

/* ---------------------------------------------------------------- devices */
#define PL011_BASE 0x09000000ull
#define PL011_DR 0x000
#define PL011_FR 0x018
#define PL011_FR_BUSY BIT(3)
#define PL011_FR_RXFE BIT(4)
#define PL011_FR_TXFF BIT(5)
#define PL011_FR_TXFE BIT(7)
#define UMBRA_DEV 0xfeb00000ull
#define UMBRA_DEV_ID_OFF 0x80
#define UMBRA_DEV_ID 0x6172626d75ull

#endif
