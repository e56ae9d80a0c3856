/* trap.c: the 32-bit and 64-bit IDTs, the fixup lookup and the report of unexpected exceptions. */
#include "guest.h"

struct gate32 {
	u16 off_lo, sel;
	u8 zero, type;
	u16 off_hi;
};

struct gate64 {
	u16 off_lo, sel;
	u8 ist, type;
	u16 off_mid;
	u32 off_hi, zero;
};

struct __attribute__((packed)) idtr32 {
	u16 limit;
	u32 base;
};

struct __attribute__((packed)) idtr64 {
	u16 limit;
	u64 base;
};

struct fixup {
	u32 ip, to;
};

#define GATE_INTR 0x8e /* present, DPL 0, interrupt gate */

extern const u32 isr32_stubs[32], isr64_stubs[32];
extern const struct fixup __fixup_start[], __fixup_end[];

struct fault g_fault;
bool (*g_trap_hook)(struct frame32 *f);
static struct gate32 idt32[32] __attribute__((aligned(8)));
static struct gate64 idt64[32] __attribute__((aligned(16)));
struct idtr64 idt64_desc; /* loaded by lib/long.S */

static const char *const names[32] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
				       "#DF", "CSO", "#TS", "#NP", "#SS", "#GP", "#PF", "15",
				       "#MF", "#AC", "#MC", "#XM", "#VE", "#CP", "22",	"23",
				       "24",  "25",  "26",  "27",  "28",  "#VC", "#SX", "31" };

const char *vector_name(u32 vector)
{
	return vector < 32 ? names[vector] : "?";
}

void idt32_init(void)
{
	struct idtr32 d = { sizeof(idt32) - 1, (u32)(size_t)idt32 };

	for (u32 v = 0; v < 32; v++) {
		u32 off = isr32_stubs[v];
		idt32[v] = (struct gate32){ (u16)off, SEL_CODE32, 0, GATE_INTR, (u16)(off >> 16) };
		off = isr64_stubs[v];
		idt64[v] = (struct gate64){ (u16)off,	      SEL_CODE64, 0, GATE_INTR,
					    (u16)(off >> 16), 0,	  0 };
	}
	idt64_desc.limit = sizeof(idt64) - 1;
	idt64_desc.base = (u32)(size_t)idt64;
	__asm__ volatile("lidt %0" : : "m"(d));
}

static u32 fixup_lookup(u32 ip)
{
	if (g_dyn_fixup_ip && g_dyn_fixup_ip == ip)
		return g_dyn_fixup_to;
	for (const struct fixup *f = __fixup_start; f < __fixup_end; f++) {
		if (f->ip == ip)
			return f->to;
	}
	return 0;
}

/* An exception nobody expected: report it as a FAIL and end the guest. */
static __noreturn void unexpected(const struct frame32 *f)
{
	static bool nested;

	if (nested)
		guest_exit(0xff);
	nested = true;
	check(false, "unexpected_exception", "%s (vector %u) error=0x%x eip=0x%x cr2=0x%x cr0=0x%x",
	      vector_name(f->vector), f->vector, f->error, f->eip, read_cr2(), read_cr0());
	guest_finish();
}

void trap32(struct frame32 *f)
{
	u32 to;

	g_fault.vector = f->vector;
	g_fault.error = f->error;
	g_fault.cr2 = read_cr2();
	g_fault.ip = f->eip;
	if (g_trap_hook && g_trap_hook(f))
		return;
	to = fixup_lookup(f->eip);
	if (!to)
		unexpected(f);
	f->eip = to;
}
