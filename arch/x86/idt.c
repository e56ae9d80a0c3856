/* idt.c: the host IDT: the 32 exception vectors, each to its stub in isr.S. */
#include "arch/x86/trap.h"
#include "compiler.h"

/* 64-bit interrupt gate (Intel SDM vol. 3, 6.14.1), as two quadwords. */
#define GATE_OFFSET_LO GENMASK(15, 0)
#define GATE_SELECTOR GENMASK(31, 16)
#define GATE_IST GENMASK(34, 32)
#define GATE_TYPE GENMASK(43, 40)
#define GATE_PRESENT BIT(47)
#define GATE_OFFSET_MID GENMASK(63, 48)
#define GATE_TYPE_INTERRUPT 0xE

struct idt_ptr {
	u16 limit;
	u64 base;
} __packed;

static u64 idt[256 * 2] __aligned(16);
extern const u64 isr_stubs[NR_EXCEPTIONS];
extern const u64 irq_stub_timer, irq_stub_spurious;

static void set_gate(unsigned vector, u64 handler, unsigned ist)
{
	idt[(size_t)vector * 2] = FIELD_PREP(GATE_OFFSET_LO, handler & 0xFFFF) |
				  FIELD_PREP(GATE_SELECTOR, GDT_KERNEL_CS) |
				  FIELD_PREP(GATE_IST, ist) |
				  FIELD_PREP(GATE_TYPE, GATE_TYPE_INTERRUPT) | GATE_PRESENT |
				  FIELD_PREP(GATE_OFFSET_MID, (handler >> 16) & 0xFFFF);
	idt[(size_t)vector * 2 + 1] = handler >> 32;
}

void idt_init(void)
{
	struct idt_ptr ptr;

	for (unsigned v = 0; v < NR_EXCEPTIONS; v++)
		set_gate(v, isr_stubs[v], gdt_ist_for_vector(v));
	set_gate(VEC_TIMER, irq_stub_timer, 0);
	set_gate(VEC_SPURIOUS, irq_stub_spurious, 0);
	ptr.limit = sizeof(idt) - 1;
	ptr.base = (u64)(uintptr_t)idt;
	__asm__ volatile("lidt %0" : : "m"(ptr) : "memory");
}
