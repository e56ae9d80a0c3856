/* vm.c: making VMs from boot modules, running them to their end, and the summary. */
#include "core/vm.h"

#include "core/arch.h"
#include "core/console.h"
#include "core/kstring.h"
#include "core/loader.h"
#include "core/log.h"
#include "mm/phys.h"

static struct vm vms[VM_MAX];
static u32 nr_vms;
static const struct palloc *vm_pa; /* where every VM's pages come from */

void vm_end(struct vm *vm, bool passed, u32 status, const char *fmt, ...)
{
	va_list ap;

	if (vm->state == VM_ENDED)
		return;
	vm->state = VM_ENDED;
	vm->passed = passed;
	vm->status = status;
	va_start(ap, fmt);
	kvsnprintf(vm->reason, sizeof(vm->reason), fmt, ap);
	va_end(ap);
}

static void guest_line(void *ctx, const char *vm_name, const char *line)
{
	kprintf("[%s] %s\n", vm_name, line);
}

u64 vm_console_write(struct vm *vm, u64 addr, u64 len)
{
	static char buf[VM_CONSOLE_WRITE_MAX];

	if (len > VM_CONSOLE_WRITE_MAX || gmem_read(&vm->mem, gpa(addr), buf, len))
		return (u64)-22;
	vplat_console_write(&vm->plat, buf, (size_t)len);
	return len;
}

void vm_note_unbacked(struct vm *vm, const char *what, u64 addr, bool write)
{
	u64 n = vm->plat.unbacked_pio + vm->plat.unbacked_mmio;

	if (n == 1 || log_get_level() >= LOG_DEBUG)
		pr_info("vm %u %s: %s %s 0x%llx: nothing there (reads all ones, writes "
			"dropped)%s\n",
			vm->id, vm->name, write ? "write to" : "read of", what,
			(unsigned long long)addr, n == 1 ? "; further ones are counted" : "");
}

int vm_tdp_map_ram(struct vm *vm, u8 perm)
{
	struct pt_attr attr = { perm, PT_MT_WB, 0 };
	struct pt_flush fl;

	pt_flush_init(&fl);
	for (u32 i = 0; i < vm->mem.nr; i++) {
		const struct gmem_chunk *c = &vm->mem.chunk[i];
		if (pt_map(&vm->tdp, c->gpa, c->hpa.val, c->size, attr, &fl))
			return -1;
	}
	pt_flush_done(&vm->tdp, &fl);
	return 0;
}

static void vm_free(struct vm *vm)
{
	arch_vm_free(vm);
	gmem_free(&vm->mem);
}

/* Build one VM; on failure say why and give everything back. */
static bool vm_create(struct vm *vm, const struct boot_module *mod, const struct module_opts *opts,
		      struct palloc *pa)
{
	char err[160], how[64];
	struct guest_start start;

	vm->opts = *opts;
	memcpy(vm->name, vm->opts.name, sizeof(vm->name));
	if (vm->opts.mem > GMEM_MAX_SIZE) {
		pr_err("vm %u %s: refused: mem=%llu MiB is above the 3 GiB umbra supports\n",
		       vm->id, vm->name, (unsigned long long)(vm->opts.mem >> 20));
		return false;
	}
	if (arch_guest_ram_base() + vm->opts.mem > GMEM_LIMIT) {
		pr_err("vm %u %s: refused: mem=%llu MiB does not fit between its RAM base 0x%llx "
		       "and the device window at 0x%llx\n",
		       vm->id, vm->name, (unsigned long long)(vm->opts.mem >> 20),
		       (unsigned long long)arch_guest_ram_base(), (unsigned long long)GMEM_LIMIT);
		return false;
	}
	if (gmem_alloc_at(&vm->mem, pa, arch_guest_ram_base(), vm->opts.mem, OWNER_GUEST(vm->id))) {
		pr_err("vm %u %s: refused: no %llu MiB of memory left for it\n", vm->id, vm->name,
		       (unsigned long long)(vm->opts.mem >> 20));
		return false;
	}
	if (loader_load(&vm->mem, phys_to_virt(hpa(mod->start)), mod->end - mod->start,
			vm->opts.guest_cmdline, &start, err, sizeof(err)) < 0) {
		pr_err("vm %u %s: refused: bad guest image: %s\n", vm->id, vm->name, err);
		vm_free(vm);
		return false;
	}
	vplat_init(&vm->plat, vm->name, vm->mem.size, 1, guest_line, vm);
	vm->vcpu.vm = vm;
	if (arch_vm_init(vm, &start, err, sizeof(err))) {
		pr_err("vm %u %s: refused: %s\n", vm->id, vm->name, err);
		vm_free(vm);
		return false;
	}
	arch_vm_describe(vm, how, sizeof(how));
	kprintf("vm %u %s: created: %s mem=%llu MiB entry=0x%llx mode=%s\n", vm->id, vm->name, how,
		(unsigned long long)(vm->mem.size >> 20), (unsigned long long)start.rip,
		loader_mode_name(start.mode));
	vm->state = VM_READY;
	return true;
}

u32 vm_create_all(const struct boot_info *bi, const struct module_opts *opts, struct palloc *pa)
{
	u32 made = 0;

	for (u32 i = 0; i < bi->nr_mods && i < VM_MAX; i++) {
		struct vm *vm = &vms[i];
		memset(vm, 0, sizeof(*vm));
		vm->id = i;
		vm->state = VM_ENDED;
		if (vm_create(vm, &bi->mods[i], &opts[i], pa)) {
			made++;
		} else {
			vm->passed = false;
			ksnprintf(vm->reason, sizeof(vm->reason), "not started: see above");
		}
	}
	vm_pa = pa;
	if (bi->nr_mods > VM_MAX)
		pr_warn("vm: only the first %u modules become VMs\n", VM_MAX);
	nr_vms = MIN(bi->nr_mods, (u32)VM_MAX);
	return made;
}

/* ---------------------------------------------------------------- measuring */

/*
 * Boot cost and memory, the figures `make bench` reads (docs/performance.md);
 * scripts parse these lines, so their wording is fixed:
 *   boot: first guest entry after N <counter> (<what it counts>)
 *   memory: shared by all VMs: umbra owns P pages (hv H, host tables T);
 *     static metadata B bytes per VM slot, S slots
 *   vm I NAME: memory at first entry|end: umbra owns P pages (state S,
 *     tdp T, shadow X, info F) + B bytes of static metadata; guest RAM G pages
 * The page counts come from the allocator's owner records (mm/palloc.h):
 * P = S + T + X + F, guest RAM apart. B is struct vm plus the VM's records
 * in the architecture's static per-VM arrays; device state lives in struct
 * vm. Everything is counted after the boot counter is read, so counting
 * costs the boot figure nothing.
 */
static bool booted; /* the first guest entry has been reported */

/* Read as the first thing at the first VM's first entry: what follows
 * (these lines, arming the slice timer, the back end's way into the guest)
 * is not in N. */
static void report_boot_cost(void)
{
	const char *what;
	u64 now = arch_boot_counter(&what);

	kprintf("boot: first guest entry after %llu %s\n",
		(unsigned long long)(now - boot_counter_start), what);
}

static u64 vm_static_bytes(void)
{
	return sizeof(struct vm) + arch_vm_static_bytes();
}

static void report_shared_memory(void)
{
	u64 n[OWNER_KIND_COUNT];

	palloc_count_id(vm_pa, 0, n);
	unsigned long long hv = n[OWNER_KIND_HV], host = n[OWNER_KIND_PGTABLE];
	kprintf("memory: shared by all VMs: umbra owns %llu pages (hv %llu, host tables %llu); "
		"static metadata %llu bytes per VM slot, %u slots\n",
		hv + host, hv, host, (unsigned long long)vm_static_bytes(), VM_MAX);
}

/* when: "first entry" (just before it) or "end" (before the pages go back). */
static void report_vm_memory(const struct vm *vm, const char *when)
{
	u64 n[OWNER_KIND_COUNT];

	palloc_count_id(vm_pa, vm->id, n);
	unsigned long long state = n[OWNER_KIND_VM_STATE], tdp = n[OWNER_KIND_VM_TDP],
			   shadow = n[OWNER_KIND_VM_SHADOW], info = n[OWNER_KIND_VM_INFO];
	kprintf("vm %u %s: memory at %s: umbra owns %llu pages (state %llu, tdp %llu, shadow "
		"%llu, info %llu) + %llu bytes of static metadata; guest RAM %llu pages\n",
		vm->id, vm->name, when, state + tdp + shadow + info, state, tdp, shadow, info,
		(unsigned long long)vm_static_bytes(), (unsigned long long)n[OWNER_KIND_GUEST]);
}

/* After vm_free: the owner records must show nothing left for the VM. */
static void check_vm_freed(const struct vm *vm)
{
	u64 n[OWNER_KIND_COUNT];

	palloc_count_id(vm_pa, vm->id, n);
	for (u32 k = OWNER_KIND_GUEST; k < OWNER_KIND_COUNT; k++) {
		if (k != OWNER_KIND_META && n[k])
			pr_warn("vm %u %s: %llu %s pages still held after its end\n", vm->id,
				vm->name, (unsigned long long)n[k], palloc_kind_name(k));
	}
}

/* Just before a VM's first entry: the boot figure (first VM only), then
 * what the VM holds. */
static void vm_first_entry(struct vm *vm)
{
	if (!booted) {
		booted = true;
		report_boot_cost();
		report_shared_memory();
	}
	report_vm_memory(vm, "first entry");
	kprintf("vm %u %s: running\n", vm->id, vm->name);
	vm->state = VM_RUNNING;
}

static void report_exits(const struct vm *vm)
{
	char line[256];
	u64 total = 0;
	int n;

	for (int r = 0; r < NR_EXIT_REASONS; r++)
		total += vm->exits[r];
	n = ksnprintf(line, sizeof(line), "vm %u %s: exits: total=%llu", vm->id, vm->name,
		      (unsigned long long)total);

	for (int r = 0; r < NR_EXIT_REASONS && n > 0 && (size_t)n < sizeof(line); r++) {
		if (vm->exits[r])
			n += ksnprintf(line + n, sizeof(line) - (size_t)n, " %s=%llu",
				       exit_reason_names[r], (unsigned long long)vm->exits[r]);
	}
	kprintf("%s\n", line);
}

static void vm_finish(struct vm *vm)
{
	vplat_flush(&vm->plat);
	kprintf("vm %u %s: ended: %s; status=%u result=%s\n", vm->id, vm->name, vm->reason,
		vm->status, vm->passed ? "pass" : "fail");
	report_exits(vm);
	arch_vm_report(vm);
	report_vm_memory(vm, "end");
	vm_free(vm);
	check_vm_freed(vm);
}

/* One time slice of one VM; returns false once the VM has ended. */
static bool vm_slice(struct vm *vm)
{
	if (vm->state == VM_READY)
		vm_first_entry(vm);
	arch_slice_start();
	vcpu_run(&vm->vcpu);
	arch_slice_stop();
	vm->slices++;
	if (vm->state == VM_RUNNING && vm->opts.slices && vm->slices >= vm->opts.slices)
		vm_end(vm, false, 0, "used up its %llu time slices (slices=)",
		       (unsigned long long)vm->opts.slices);
	if (vm->state != VM_ENDED)
		return true;
	vm_finish(vm);
	return false;
}

/*
 * Round robin on the boot CPU: each VM runs until its slice timer fires
 * (an INTR exit) or it ends, then the next one. A guest that spins without
 * ever exiting still gives the CPU back at the end of its slice.
 */
static void schedule(void)
{
	bool any = true;

	while (any) {
		any = false;
		for (u32 i = 0; i < nr_vms; i++) {
			struct vm *vm = &vms[i];
			if (vm->state != VM_ENDED)
				any |= vm_slice(vm);
		}
	}
}

bool vm_run_all(void)
{
	u32 passed = 0;

	schedule();
	kprintf("umbra: guest summary:\n");
	for (u32 i = 0; i < nr_vms; i++) {
		const struct vm *vm = &vms[i];
		kprintf("  vm %u %s: %s (%s)\n", vm->id, vm->name, vm->passed ? "pass" : "FAIL",
			vm->reason);
		passed += vm->passed;
	}
	kprintf("umbra: guests: %u passed, %u failed\n", passed, nr_vms - passed);
	return passed == nr_vms;
}
