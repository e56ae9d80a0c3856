/* fake_log.h: the host tests' stand-in for the console log, which records messages. */
#ifndef UMBRA_FAKE_LOG_H
#define UMBRA_FAKE_LOG_H

#include <stdbool.h>

#include "core/log.h"

void fake_log_reset(void);
/* Number of messages at exactly this level since the last reset. */
int fake_log_count(enum log_level lvl);
/* True when some message since the last reset contains needle. */
bool fake_log_contains(const char *needle);
/* All messages since the last reset, one per line. */
const char *fake_log_text(void);

#endif
