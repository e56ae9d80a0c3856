/* trap.c: what happens when the hypervisor itself takes an exception: a full report, then stop. */
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/trap.h"
#include "core/console.h"
#include "core/platform.h"

static const char *const exception_names[NR_EXCEPTIONS] = {
	"divide error (#DE)",
	"debug (#DB)",
	"non-maskable interrupt (NMI)",
	"breakpoint (#BP)",
	"overflow (#OF)",
	"bound range exceeded (#BR)",
	"invalid opcode (#UD)",
	"device not available (#NM)",
	"double fault (#DF)",
	"coprocessor segment overrun",
	"invalid TSS (#TS)",
	"segment not present (#NP)",
	"stack-segment fault (#SS)",
	"general protection (#GP)",
	"page fault (#PF)",
	"reserved (15)",
	"x87 floating-point error (#MF)",
	"alignment check (#AC)",
	"machine check (#MC)",
	"SIMD floating-point (#XM)",
	"virtualization exception (#VE)",
	"control protection (#CP)",
	"reserved (22)",
	"reserved (23)",
	"reserved (24)",
	"reserved (25)",
	"reserved (26)",
	"reserved (27)",
	"hypervisor injection (#HV)",
	"VMM communication (#VC)",
	"security exception (#SX)",
	"reserved (31)",
};

static u64 breakpoints;

const char *trap_name(u64 vector)
{
	return vector < NR_EXCEPTIONS ? exception_names[vector] : "unknown vector";
}

u64 trap_breakpoint_count(void)
{
	return breakpoints;
}

/* Page-fault error code bits, spelled out in the report. */
static void report_pf_error(u64 err)
{
	kprintf("  page fault: %s, %s access, %s mode%s%s\n",
		(err & BIT(0)) ? "protection violation" : "page not present",
		(err & BIT(4))	 ? "instruction fetch"
		: (err & BIT(1)) ? "write"
				 : "read",
		(err & BIT(2)) ? "user" : "supervisor", (err & BIT(3)) ? ", reserved bit set" : "",
		(err & BIT(5)) ? ", protection key" : "");
}

static void report(const struct trap_frame *f)
{
	kprintf("\nEXCEPTION in umbra: %s vector=%llu error=0x%llx\n", trap_name(f->vector),
		(unsigned long long)f->vector, (unsigned long long)f->error);
	kprintf("  rip=0x%016llx cs=0x%llx rflags=0x%llx rsp=0x%016llx ss=0x%llx\n",
		(unsigned long long)f->rip, (unsigned long long)f->cs,
		(unsigned long long)f->rflags, (unsigned long long)f->rsp,
		(unsigned long long)f->ss);
	kprintf("  cr0=0x%llx cr2=0x%016llx cr3=0x%llx cr4=0x%llx\n",
		(unsigned long long)read_cr0(), (unsigned long long)read_cr2(),
		(unsigned long long)read_cr3(), (unsigned long long)read_cr4());
	kprintf("  rax=0x%016llx rbx=0x%016llx rcx=0x%016llx rdx=0x%016llx\n",
		(unsigned long long)f->rax, (unsigned long long)f->rbx, (unsigned long long)f->rcx,
		(unsigned long long)f->rdx);
	kprintf("  rsi=0x%016llx rdi=0x%016llx rbp=0x%016llx\n", (unsigned long long)f->rsi,
		(unsigned long long)f->rdi, (unsigned long long)f->rbp);
	kprintf("  r8=0x%016llx r9=0x%016llx r10=0x%016llx r11=0x%016llx\n",
		(unsigned long long)f->r8, (unsigned long long)f->r9, (unsigned long long)f->r10,
		(unsigned long long)f->r11);
	kprintf("  r12=0x%016llx r13=0x%016llx r14=0x%016llx r15=0x%016llx\n",
		(unsigned long long)f->r12, (unsigned long long)f->r13, (unsigned long long)f->r14,
		(unsigned long long)f->r15);
	if (f->vector == VEC_PAGE_FAULT)
		report_pf_error(f->error);
}

void trap_dispatch(struct trap_frame *f)
{
	/* A breakpoint is the one exception umbra resumes from: the self-check uses it. */
	if (f->vector == VEC_BREAKPOINT) {
		breakpoints++;
		return;
	}
	if (f->vector == VEC_TIMER) {
		lapic_timer_irq();
		return;
	}
	if (f->vector == VEC_SPURIOUS)
		return; /* no EOI for a spurious interrupt */
	report(f);
	kprintf("umbra: stopping: an exception in the hypervisor is a bug in umbra\n");
	platform_exit(false);
}
