/* trap.c: umbra's own exceptions at EL2: a register dump that ends the run, and the few that resume. */
#include "arch/arm64/arm64.h"
#include "arch/arm64/sysreg.h"
#include "core/console.h"
#include "core/log.h"
#include "core/platform.h"

/* The frame vectors.S saves (FRAME_SIZE bytes below the stack pointer at the exception). */
#define FRAME_SIZE 288
struct el2_frame {
	u64 x[31];
	u64 elr, spsr, esr, far;
};

void el2_trap(u64 kind, struct el2_frame *f);

#define HLT_SEMIHOST 0xd45e0000U /* hlt #0xf000 */
#define BRK_SELFTEST 0x55

extern bool semihosting_absent;
static u64 breakpoints;

u64 trap_breakpoint_count(void)
{
	return breakpoints;
}

static const char *const kind_names[] = { "synchronous", "IRQ", "FIQ", "SError" };

static void dump(u64 kind, const struct el2_frame *f)
{
	u64 sp = (u64)(uintptr_t)f;

	sp += FRAME_SIZE;
	kprintf("\numbra: unexpected %s exception at EL2\n", kind_names[kind & 3]);
	kprintf("  ESR_EL2=0x%016llx (EC=0x%02llx ISS=0x%07llx) FAR_EL2=0x%016llx\n",
		(unsigned long long)f->esr, (unsigned long long)FIELD_GET(ESR_EC, f->esr),
		(unsigned long long)FIELD_GET(ESR_ISS, f->esr), (unsigned long long)f->far);
	kprintf("  ELR_EL2=0x%016llx SPSR_EL2=0x%016llx SP=0x%016llx\n", (unsigned long long)f->elr,
		(unsigned long long)f->spsr, (unsigned long long)sp);
	for (int i = 0; i < 31; i += 2) {
		if (i == 30)
			kprintf("  x30=0x%016llx\n", (unsigned long long)f->x[30]);
		else
			kprintf("  x%-2d=0x%016llx x%-2d=0x%016llx\n", i,
				(unsigned long long)f->x[i], i + 1,
				(unsigned long long)f->x[i + 1]);
	}
}

void el2_trap(u64 kind, struct el2_frame *f)
{
	u64 ec = FIELD_GET(ESR_EC, f->esr);

	if (kind == 0 && ec == EC_BRK64 && (f->esr & 0xFFFF) == BRK_SELFTEST) {
		breakpoints++;
		f->elr += 4;
		return;
	}
	if (kind == 0 && ec == EC_UNKNOWN && *(const u32 *)(uintptr_t)f->elr == HLT_SEMIHOST) {
		semihosting_absent = true; /* QEMU without -semihosting: platform.c goes on */
		f->elr += 4;
		return;
	}
	dump(kind, f);
	panic("unexpected exception at EL2");
}
