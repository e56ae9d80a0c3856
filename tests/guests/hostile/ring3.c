/* ring3.c: ring-3 checks: privileged instructions fault there, and hypercalls from it get EPERM. */
#include "hostile.h"

enum ring3_op { R3_UD2, R3_VMMCALL, R3_VMCALL, R3_OUT, R3_HLT, R3_RDMSR, R3_MOV_CR3, R3_CLI };

struct tss32 {
	u32 link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	u32 eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap; /* iomap beyond the limit: no I/O permission bitmap */
};

extern u64 gdt[];
void ring3_run(u32 what);
void ring3_back(void);

static struct tss32 tss;
static u8 ring0_stack[4096] __attribute__((aligned(16)));
static u32 r3_vector, r3_eax;

/* An exception from ring 3: note it and resume at ring3_back in ring 0. */
static bool ring3_hook(struct frame32 *f)
{
	if ((f->cs & 3) != 3)
		return false;
	r3_vector = f->vector;
	r3_eax = f->eax;
	f->cs = SEL_CODE32;
	f->eip = (u32)(size_t)ring3_back;
	return true;
}

static void tss_init(void)
{
	u32 base = (u32)(size_t)&tss, limit = sizeof(tss) - 1;

	tss.esp0 = (u32)(size_t)(ring0_stack + sizeof(ring0_stack));
	tss.ss0 = SEL_DATA;
	tss.iomap = sizeof(tss);
	gdt[SEL_TSS / 8] = (limit & 0xffff) | (u64)(base & 0xffffff) << 16 | 0x89ull << 40 |
			   (u64)((limit >> 16) & 0xf) << 48 | (u64)(base >> 24) << 56;
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

/* Run op in ring 3; returns the vector it ended with (EAX in r3_eax). */
static u32 ring3(enum ring3_op op)
{
	r3_vector = ~0u;
	g_trap_hook = ring3_hook;
	ring3_run(op);
	g_trap_hook = 0;
	return r3_vector;
}

static const struct {
	const char *check;
	enum ring3_op op;
} privileged[] = {
	{ "hostile.ring3_out_gp", R3_OUT },	{ "hostile.ring3_hlt_gp", R3_HLT },
	{ "hostile.ring3_rdmsr_gp", R3_RDMSR }, { "hostile.ring3_mov_cr3_gp", R3_MOV_CR3 },
	{ "hostile.ring3_cli_gp", R3_CLI },
};

void check_ring3(void)
{
	u32 v;

	tss_init();
	v = ring3(R3_UD2);
	check(v == VEC_UD, "hostile.ring3_round_trip", "ring 3 UD2 came back as vector %d", (int)v);
	for (size_t i = 0; i < ARRAY_SIZE(privileged); i++) {
		v = ring3(privileged[i].op);
		check(v == VEC_GP, privileged[i].check, "came back as vector %d, want #GP", (int)v);
	}
	if (skip_unless_umbra("hostile.ring3_hypercall_eperm"))
		return;
	v = ring3(cpu_is_amd() ? R3_VMMCALL : R3_VMCALL);
	check(v == VEC_UD && (s32)r3_eax == HC_EPERM, "hostile.ring3_hypercall_eperm",
	      "HC_VERSION from ring 3 returned %d (then vector %d), want %d", (s32)r3_eax, (int)v,
	      HC_EPERM);
}
