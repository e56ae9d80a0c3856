/* entry_gprs.h: what the world-switch files share with C: each register's place in gprs[], svm_exit's answers. */
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

/* What svm_exit() and svm_exit_all() (svm.c) tell svm_guest_loop (svm_entry.S). */
#define SVM_LOOP_STOP 0	    /* the slice or the VM ended */
#define SVM_LOOP_ENTER 1    /* enter the guest again */
#define SVM_LOOP_ALL_REGS 2 /* store RBP, R12-R15 in gprs[] and call svm_exit_all */

#endif
