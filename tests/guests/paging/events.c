/* events.c: page faults the CPU takes while it delivers an exception (a #PF during #UD, a #PF during #PF). */
#include "paging.h"

/*
 * The guest's IDT is copied so that it straddles two 4 KiB pages of the
 * test region, and one of them is made not present: the CPU then faults
 * while it reads a gate. With nested paging the CPU does all of this
 * itself; with shadow paging every #PF exits, umbra finds the guest's own
 * walk fails, and must inject what the CPU would have delivered (SDM vol. 3
 * 6.15, "Interrupt 8"):
 *
 *   ud2, gate 6 not present  ->  #PF (a benign event, then a #PF: the #PF
 *                                 is delivered, CR2 = the gate's address)
 *   a not-present read, gate 14 not present  ->  #DF (a #PF during a #PF)
 *
 * 32-bit protected mode only (pg32 and PAE): the long-mode IDT is another
 * table, and lm_run's fixups do not reach it.
 */
#define IDT_PAGE 40  /* test-region pages IDT_PAGE and IDT_PAGE + 1 hold the copy */
#define DATA_PAGE 42 /* not present: the read that faults first */
#define GATE_SIZE 8
#define IDT_GATES 32

struct __attribute__((packed)) dtr32 {
	u16 limit;
	u32 base;
};

static struct dtr32 saved_idt;
static volatile bool armed;
static u32 resume_eip; /* where the hook sends the CPU back */
static struct {
	u32 vector, error, eip;
} got;
static u32 got_cr2;
static u32 *idt_pages[2];

/* Runs on the broken IDT's surviving gates: note the exception, put the
 * real IDT back, and resume after the instruction that faulted. */
static bool hook(struct frame32 *f)
{
	if (!armed)
		return false;
	armed = false;
	got.vector = f->vector;
	got.error = f->error;
	got.eip = f->eip;
	got_cr2 = read_cr2();
	__asm__ volatile("lidt %0" : : "m"(saved_idt));
	f->eip = resume_eip;
	return true;
}

/* Load idt, then run ud2 (ud) or read va; returns the EIP of that instruction.
 * got.vector stays 0xffffffff if nothing was raised. */
static u32 provoke(const struct dtr32 *idt, bool ud, u32 va)
{
	u32 at, dummy = 0;

	got.vector = 0xffffffffu;
	armed = true;
	if (ud)
		__asm__ volatile("movl $1f, %[r]\n\tmovl $2f, %[at]\n\tlidt %[idt]\n"
				 "2:\tud2\n1:"
				 : [r] "=m"(resume_eip), [at] "=&r"(at)
				 : [idt] "m"(*idt)
				 : "memory");
	else
		__asm__ volatile("movl $1f, %[r]\n\tmovl $2f, %[at]\n\tlidt %[idt]\n"
				 "2:\tmovl (%[va]), %[d]\n1:"
				 : [r] "=m"(resume_eip), [at] "=&r"(at), [d] "+r"(dummy)
				 : [idt] "m"(*idt), [va] "r"(va)
				 : "memory");
	armed = false;
	__asm__ volatile("lidt %0" : : "m"(saved_idt));
	return at;
}

/* An IDT copy whose gate `split` is the first on the second page; the page
 * holding gate `gone` is not present. Returns its descriptor. */
static struct dtr32 broken_idt(const struct mode *m, u32 split, u32 gone)
{
	u32 base = (u32)page_va(m, IDT_PAGE + 1) - split * GATE_SIZE;
	u32 second = gone >= split;

	for (u32 i = 0; i < 2; i++)
		set_pte(m, IDT_PAGE + i, pa_of(idt_pages[i]), i == second ? 0 : PTE_P | PTE_W);
	set_pte(m, DATA_PAGE, 0, 0);
	/* Fill through the physical pages: the gates of split.. go on the second. */
	memcpy((u8 *)idt_pages[0] + 4096 - split * GATE_SIZE, (void *)(size_t)saved_idt.base,
	       split * GATE_SIZE);
	memcpy(idt_pages[1], (u8 *)(size_t)saved_idt.base + split * GATE_SIZE,
	       (IDT_GATES - split) * GATE_SIZE);
	return (struct dtr32){ IDT_GATES * GATE_SIZE - 1, base };
}

void check_fault_in_delivery(const struct mode *m)
{
	struct dtr32 idt;
	u32 at, want_cr2;

	if (!idt_pages[0]) {
		idt_pages[0] = page_alloc();
		idt_pages[1] = page_alloc();
	}
	__asm__ volatile("sidt %0" : "=m"(saved_idt));
	g_trap_hook = hook;

	/* Gates 0-6 on the first page, which is not present. */
	idt = broken_idt(m, 7, 6);
	want_cr2 = idt.base + 6 * GATE_SIZE;
	paging_on(m->cr3, m->pae);
	at = provoke(&idt, true, 0);
	paging_off();
	check(got.vector == 14 && got.error == 0 && got_cr2 == want_cr2 && got.eip == at,
	      cname(m, "pf_during_ud"),
	      "vector %u error 0x%x cr2 0x%x eip 0x%x; want #PF (14) error 0 cr2 0x%x eip 0x%x",
	      got.vector, got.error, got_cr2, got.eip, want_cr2, at);

	/* Gates 0-13 on the first page, 14-31 on the second, not present. */
	idt = broken_idt(m, 14, 14);
	paging_on(m->cr3, m->pae);
	provoke(&idt, false, (u32)page_va(m, DATA_PAGE));
	paging_off();
	check(got.vector == 8 && got.error == 0, cname(m, "df_from_pf_during_pf"),
	      "vector %u error 0x%x cr2 0x%x; want #DF (8) error 0", got.vector, got.error,
	      got_cr2);

	g_trap_hook = NULL;
	write_cr0(read_cr0() & ~CR0_WP);
}
