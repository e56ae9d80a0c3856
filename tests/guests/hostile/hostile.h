/* hostile.h: the hostile guest's check groups. */
#ifndef GUEST_HOSTILE_H
#define GUEST_HOSTILE_H

#include "guest.h"

void check_vm_instructions(void);
void check_cr4_vmxe(void);
void check_forbidden_msrs(void);
void check_odd_ports(void);
void check_beyond_ram(void);
void check_ring3(void);
void check_bad_hypercalls(void);

/* RAM size from fw_cfg (0 if fw_cfg is missing). */
u64 ram_size(void);

#endif
