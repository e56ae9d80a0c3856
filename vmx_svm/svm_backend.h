/* svm_backend.h: what the SVM back end's files share, and how the rest of umbra finds it. */
#ifndef UMBRA_SVM_BACKEND_H
#define UMBRA_SVM_BACKEND_H

#include "mm/palloc.h"
#include "vmx_svm/svm.h"
#include "vmx_svm/vcpu.h"

extern const struct vendor_ops svm_ops;

/* SVM with NPT usable on this CPU: enable it and return the back end, else NULL. */
const struct vendor_ops *svm_probe(struct palloc *pa);

/* The VMCB of a vCPU (svm.c). */
struct vmcb *svm_vmcb(struct vcpu *v);

/* MSRs kept in the VMCB (svm_msr.c). */
bool svm_msr_read(struct vcpu *v, u32 index, u64 *val);
bool svm_msr_write(struct vcpu *v, u32 index, u64 val);

#endif
