/* trap.c: the EL1 exception handler, expected faults, probes, unexpected exception reports. */
#include "guest.h"

struct fault g_fault;
static volatile bool armed;
static volatile enum resume resume_how;

static const char *const kind_names[4] = { "EL1t", "EL1h", "EL0 AArch64", "EL0 AArch32" };
static const char *const type_names[4] = { "sync", "IRQ", "FIQ", "SError" };

const char *ec_name(u64 ec)
{
	switch (ec) {
	case EC_UNKNOWN:
		return "unknown/UNDEFINED";
	case EC_WFX:
		return "WFI/WFE";
	case EC_SVC64:
		return "SVC";
	case EC_HVC64:
		return "HVC";
	case EC_SMC64:
		return "SMC";
	case EC_SYSREG:
		return "MSR/MRS trap";
	case EC_IABT_LOW:
	case EC_IABT_CUR:
		return "instruction abort";
	case EC_PC_ALIGN:
		return "PC alignment";
	case EC_DABT_LOW:
	case EC_DABT_CUR:
		return "data abort";
	case EC_SP_ALIGN:
		return "SP alignment";
	case EC_SERROR:
		return "SError";
	case EC_BRK64:
		return "BRK";
	default:
		return "other";
	}
}

void fault_expect(enum resume how)
{
	g_fault = (struct fault){ 0 };
	resume_how = how;
	armed = true;
	__asm__ volatile("" : : : "memory");
}

bool fault_taken(void)
{
	__asm__ volatile("" : : : "memory");
	armed = false;
	return g_fault.taken;
}

static __noreturn void unexpected(const struct frame *f, u64 kind)
{
	static bool nested;

	if (nested)
		guest_exit(0xff);
	nested = true;
	check(false, "unexpected_exception",
	      "%s %s from %s: EC 0x%llx (%s) ESR 0x%llx FAR 0x%llx ELR 0x%llx SPSR 0x%llx",
	      guest_name, type_names[kind % 4], kind_names[kind / 4], ESR_EC(f->esr),
	      ec_name(ESR_EC(f->esr)), f->esr, f->far, f->elr, f->spsr);
	guest_finish();
}

/* Called by lib/vectors.S for every exception; kind is the vector index (0-15). */
void trap_entry(struct frame *f, u64 kind)
{
	/* Only synchronous exceptions at EL1 on SP_EL1 (kind 4) can be expected. */
	if (kind != 4 || !armed)
		unexpected(f, kind);
	armed = false;
	g_fault.taken = true;
	g_fault.esr = f->esr;
	g_fault.far = f->far;
	g_fault.elr = f->elr;
	if (resume_how == RESUME_LR)
		f->elr = f->x[30];
	else
		f->elr += 4;
}

bool try_load(u64 addr, unsigned size, u64 *val)
{
	u64 v = PROBE_POISON;

	fault_expect(RESUME_NEXT);
	switch (size) {
	case 1:
		__asm__ volatile("ldrb %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
		break;
	case 2:
		__asm__ volatile("ldrh %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
		break;
	case 4:
		__asm__ volatile("ldr %w0, [%1]" : "+r"(v) : "r"(addr) : "memory");
		break;
	default:
		__asm__ volatile("ldr %0, [%1]" : "+r"(v) : "r"(addr) : "memory");
		break;
	}
	*val = v;
	return fault_taken();
}

bool try_store(u64 addr, unsigned size, u64 val)
{
	fault_expect(RESUME_NEXT);
	switch (size) {
	case 1:
		__asm__ volatile("strb %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
		break;
	case 2:
		__asm__ volatile("strh %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
		break;
	case 4:
		__asm__ volatile("str %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
		break;
	default:
		__asm__ volatile("str %0, [%1]" : : "r"(val), "r"(addr) : "memory");
		break;
	}
	return fault_taken();
}

/*
 * The code at addr is not meant to run: an instruction abort there resumes
 * at x30, right after the blr. Should it run anyway, it runs as a call that
 * may clobber any caller-saved register.
 */
bool try_exec(u64 addr)
{
	register u64 target __asm__("x16") = addr;

	fault_expect(RESUME_LR);
	__asm__ volatile("blr %0"
			 : "+r"(target)
			 :
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x17", "x18", "x30", "memory", "cc");
	return fault_taken();
}

u64 mmio_read(u64 addr, unsigned size)
{
	u64 v;

	switch (size) {
	case 1:
		__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	case 2:
		__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	case 4:
		__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	default:
		__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
		break;
	}
	return v;
}

void mmio_write(u64 addr, unsigned size, u64 val)
{
	switch (size) {
	case 1:
		__asm__ volatile("strb %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
		break;
	case 2:
		__asm__ volatile("strh %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
		break;
	case 4:
		__asm__ volatile("str %w0, [%1]" : : "r"(val), "r"(addr) : "memory");
		break;
	default:
		__asm__ volatile("str %0, [%1]" : : "r"(val), "r"(addr) : "memory");
		break;
	}
}

bool check_abort(const char *name, bool faulted, u64 ec, u64 fsc, bool check_far, u64 far)
{
	u64 esr = g_fault.esr;
	bool far_ok = !check_far || (!(esr & ESR_FNV) && g_fault.far == far);

	if (!faulted)
		return check(false, name, "no exception (want EC 0x%llx FSC 0x%llx)", ec, fsc);
	return check(ESR_EC(esr) == ec && ESR_FSC(esr) == fsc && far_ok, name,
		     "EC 0x%llx (%s) FSC 0x%llx FAR 0x%llx%s ESR 0x%llx, want EC 0x%llx FSC 0x%llx"
		     " FAR 0x%llx",
		     ESR_EC(esr), ec_name(ESR_EC(esr)), ESR_FSC(esr), g_fault.far,
		     (esr & ESR_FNV) ? " (not valid)" : "", esr, ec, fsc, far);
}
