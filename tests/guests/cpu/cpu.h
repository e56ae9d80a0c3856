/* cpu.h: the cpu guest's check groups. */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "guest.h"

/* An MSR number no x86 CPU implements: reading it must raise #GP anywhere. */
#define MSR_BOGUS 0x12345678

void check_cpuid(void);
void check_msrs(void);
void check_ports(void);
void check_fwcfg(void);
void check_hypercalls(void);
void check_long_mode(void);

#endif
