/* entry_gprs.h: where svm_entry.S and vmx_entry.S find each register in the vCPU's gprs[] (enum gpr in vcpu.h). */
#ifndef UMBRA_ENTRY_GPRS_H
#define UMBRA_ENTRY_GPRS_H

/* Byte offset of register n (x86 encoding order; the RSP slot, 4, unused here). */
#define GPR(n) (8 * (n))
#define RAX 0
#define RCX 1
#define RDX 2
#define RBX 3
#define RBP 5
#define RSI 6
#define RDI 7

#endif
