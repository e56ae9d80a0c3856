/* exits.c: port I/O, MMIO and unbacked guest-physical accesses, and hypercalls. */
#include "vmx_svm/exits.h"

#include "core/log.h"
#include "core/vm.h"
#include "mm/gwalk.h"
#include "vmx_svm/emulate.h"

/* ---------------------------------------------------------------- port I/O */

void handle_io(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	u32 mask = e->io.size == 4 ? 0xFFFFFFFF : (1u << (8 * e->io.size)) - 1;
	u32 val = (u32)v->gpr[GPR_RAX] & mask;

	if (e->io.string) {
		vm_end(vm, false, 0, "string port I/O (INS/OUTS) on port 0x%x is not emulated",
		       e->io.port);
		return;
	}
	if (vplat_pio(&vm->plat, e->io.port, e->io.size, e->io.in, &val) == VPLAT_UNBACKED)
		vm_note_unbacked(vm, "port", e->io.port, !e->io.in);
	if (e->io.in) {
		if (e->io.size == 4)
			v->gpr[GPR_RAX] = val; /* a 32-bit result clears bits 63:32 */
		else
			v->gpr[GPR_RAX] = (v->gpr[GPR_RAX] & ~(u64)mask) | (val & mask);
	}
	v->rip = e->next_rip;
	if (vm->plat.exit_requested)
		vm_end(vm, vm->plat.exit_status == 0, vm->plat.exit_status,
		       "the guest wrote %u to the debug-exit port", vm->plat.exit_status);
}

/* Up to max bytes of the instruction at the guest's RIP; stops at an unmapped page. */
static size_t fetch_insn(struct vcpu *v, const struct vcpu_paging *p, u8 *buf, size_t max)
{
	struct gwalk_regs regs = { .cr0 = p->cr0, .cr3 = p->cr3, .cr4 = p->cr4, .efer = p->efer };
	size_t got = 0;

	while (got < max) {
		u64 va = p->cs_base + v->rip + got, pa;
		size_t n = MIN(max - got, PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		if (!gwalk_translate(&v->vm->mem, &regs, va, &pa) ||
		    gmem_read(&v->vm->mem, gpa(pa), buf + got, n))
			break;
		got += n;
	}
	return got;
}

size_t vcpu_fetch_insn(struct vcpu *v, u8 *buf, size_t max)
{
	struct vcpu_paging p;

	vendor->paging(v, &p);
	return fetch_insn(v, &p, buf, max);
}

/* ---------------------------------------------------------------- MMIO and unbacked addresses */

int vcpu_decode_at_rip(struct vcpu *v, struct emul_insn *in, bool end_on_failure)
{
	struct vcpu_paging p;
	u8 bytes[EMUL_MAX_LEN];
	char shown[3 * EMUL_MAX_LEN + 1];
	size_t n;

	vendor->paging(v, &p);
	if (p.mode_bits != 32 && p.mode_bits != 64) {
		if (end_on_failure)
			vm_end(v->vm, false, 0,
			       "MMIO from %u-bit code is not emulated (rip 0x%llx)", p.mode_bits,
			       (unsigned long long)v->rip);
		return -ERR_INVAL;
	}
	n = fetch_insn(v, &p, bytes, sizeof(bytes));
	if (emul_decode(bytes, n, p.mode_bits, in) == 0)
		return 0;
	if (end_on_failure) {
		emul_format_bytes(bytes, n, shown, sizeof(shown));
		vm_end(v->vm, false, 0, "cannot emulate the instruction at rip 0x%llx [%s]: %s",
		       (unsigned long long)v->rip, shown, in->why ? in->why : "unreadable");
	}
	return -ERR_INVAL;
}

void handle_mmio(struct vcpu *v, u64 addr)
{
	struct vm *vm = v->vm;
	struct emul_insn in;
	u64 val = 0;

	if (vcpu_decode_at_rip(v, &in, true))
		return;
	if (in.write)
		val = emul_store_value(v->gpr, &in);
	if (vplat_mmio(&vm->plat, addr, in.size, in.write, &val) == VPLAT_UNBACKED)
		vm_note_unbacked(vm, "address", addr, in.write);
	if (!in.write)
		emul_load_apply(v->gpr, &in, val);
	v->rip += in.len;
}

void handle_not_ram(struct vcpu *v, u64 addr, bool during_event, bool fetch)
{
	if (during_event) {
		vm_end(v->vm, false, 0,
		       "delivering an exception or interrupt touched 0x%llx, which is not RAM "
		       "(IDT, GDT, TSS or stack outside memory)",
		       (unsigned long long)addr);
		return;
	}
	if (fetch) {
		vm_end(v->vm, false, 0, "executed from guest-physical 0x%llx, which is not RAM",
		       (unsigned long long)addr);
		return;
	}
	handle_mmio(v, addr);
}

void handle_tdp_fault(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;
	u64 addr = e->tdp.gpa;

	if (e->tdp.table_walk) {
		vm_end(vm, false, 0,
		       "its page tables reach guest-physical 0x%llx, which is not RAM",
		       (unsigned long long)addr);
		return;
	}
	if (gmem_contains(&vm->mem, gpa(addr))) {
		vm_end(vm, false, 0, "nested page fault inside RAM at 0x%llx (umbra bug?)",
		       (unsigned long long)addr);
		return;
	}
	handle_not_ram(v, addr, e->tdp.during_event, e->tdp.fetch);
}

/* ---------------------------------------------------------------- hypercalls */

void handle_hypercall(struct vcpu *v, const struct vm_exit *e)
{
	u64 mask = e->hc.bits == 64 ? ~0ULL : 0xFFFFFFFFULL;
	u64 nr, a1, a2, ret;

	nr = v->gpr[GPR_RAX] & mask;
	a1 = v->gpr[GPR_RDI] & mask;
	a2 = v->gpr[GPR_RSI] & mask;
	v->rip = e->next_rip;
	if (e->hc.cpl == 3) {
		v->gpr[GPR_RAX] = (u64)-HC_EPERM;
		return;
	}
	switch (nr) {
	case HC_VERSION:
		ret = HC_INTERFACE_VERSION;
		break;
	case HC_CONSOLE_WRITE:
		ret = vm_console_write(v->vm, a1, a2);
		break;
	case HC_EXIT:
		vm_end(v->vm, a1 == 0, (u32)a1, "the guest exited by hypercall with status %llu",
		       (unsigned long long)a1);
		return;
	case HC_TIMESTAMP:
		if (!vendor->msr_read(v, MSR_IA32_TSC, &ret))
			ret = rdtsc();
		v->gpr[GPR_RDX] = ret >> 32;
		break;
	default:
		ret = (u64)-HC_ENOSYS;
		break;
	}
	v->gpr[GPR_RAX] = ret & mask;
}
