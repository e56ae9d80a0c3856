/* hostile.h: the arm64 hostile guest's check groups. */
#ifndef GUEST_HOSTILE_H
#define GUEST_HOSTILE_H

#include "guest.h"

void check_el2_registers(void);
void check_impdef_registers(void);
void check_debug_pmu_registers(void);
void check_memory(void);
void check_boot_info_writes(void);
void check_calls(void);
void check_console_write(void);
/* After everything: HC_VERSION still answers and stage 2 is still in force. */
void check_el2_state_intact(void);

/* A check that the last TRY raised an Undefined Instruction exception (EC 0x00). */
bool check_undef(const char *name, bool faulted);

#endif
