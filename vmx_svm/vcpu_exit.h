/* vcpu_exit.h: vcpu_exit(), where each back end's loop hands every exit to its handler. */
#ifndef UMBRA_VCPU_EXIT_H
#define UMBRA_VCPU_EXIT_H

#include "core/vm.h"
#include "vmx_svm/vcpu.h"

typedef void (*exit_handler)(struct vcpu *v, const struct vm_exit *e);

/* One handler per neutral exit reason (vcpu.c). */
extern const exit_handler exit_handlers[NR_EXIT_REASONS];

/*
 * Count the exit, handle it, and say whether to enter the guest again
 * (false: the VM ended, or the time slice did). Inline: it runs once per
 * exit, inside the back end's loop (svm_exit, vmx_run).
 */
static __always_inline bool vcpu_exit(struct vcpu *v, const struct vm_exit *e)
{
	struct vm *vm = v->vm;

	vm->exits[e->reason]++;
	exit_handlers[e->reason](v, e);
	return vm->state == VM_RUNNING && !v->preempted;
}

#endif
