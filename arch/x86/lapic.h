/* lapic.h: the host's local APIC, used for one thing so far: the timer that ends guests' time slices. */
#ifndef UMBRA_LAPIC_H
#define UMBRA_LAPIC_H

#include "types.h"

/* Map and enable the local APIC (xAPIC mode) and mask the legacy PICs;
 * false if there is no APIC. */
bool lapic_init(void);
/* One timer interrupt (VEC_TIMER) after about `ticks` bus ticks / 16. */
void lapic_timer_oneshot(u32 ticks);
void lapic_timer_stop(void);
void lapic_eoi(void);
/* The timer's interrupt handler (counts and acknowledges), and its count so far. */
void lapic_timer_irq(void);
u64 lapic_timer_irqs(void);

#endif
