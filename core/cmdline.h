/* cmdline.h: the hypervisor's command-line options and module options. */
#ifndef UMBRA_CMDLINE_H
#define UMBRA_CMDLINE_H

#include "core/log.h"
#include "types.h"

enum console_kind {
	CONSOLE_NONE = 0,
	CONSOLE_COM1,
	CONSOLE_COM2,
	CONSOLE_COM3,
	CONSOLE_COM4,
};

enum exit_mode {
	EXIT_AUTO = 0, /* detect QEMU or Bochs and leave through their exit device; else halt */
	EXIT_QEMU,
	EXIT_BOCHS,
	EXIT_HALT,
};

enum selftest_kind {
	SELFTEST_NONE = 0,
	SELFTEST_PAGEFAULT, /* deliberately touch an unmapped page */
};

struct umbra_config {
	enum console_kind console;
	enum log_level log_level;
	bool tdp; /* use nested paging when the CPU has it; tdp=off forces shadow paging */
	enum exit_mode exit;
	enum selftest_kind selftest;
};

/* The defaults: console=com1 log=info tdp=on exit=auto, no selftest. */
void cmdline_defaults(struct umbra_config *cfg);

/*
 * Parse a hypervisor command line into cfg. The first word is skipped when it
 * is the image path a loader puts there (no '=' in it). Every unknown option
 * and every bad value is reported by name with pr_warn and leaves that field
 * at its previous value. Returns the number of problems reported (0 = clean).
 */
int cmdline_parse(const char *cmdline, struct umbra_config *cfg);

/* A module's tdp= (nested paging on or off for that guest). */
enum module_tdp { TDP_DEFAULT = 0, TDP_ON = 1, TDP_OFF = 2 };

/* Options of one guest module: "path name=<n> mem=<size>". */
#define MODULE_NAME_MAX 32
#define MODULE_OPTS_MAX 256 /* bytes of a module's options part kept (as boot_info keeps) */
struct module_opts {
	char name[MODULE_NAME_MAX]; /* name=, else the path's base name */
	u64 mem;		    /* bytes, mem= with K/M/G suffix, default 64M */
	u32 ipa_bits;		    /* ipa= (arm64 stage-2 input width, 32..52); 0: the default */
	u64 slices;		    /* slices=: time slices before umbra ends it; 0: no limit */
	u8 tdp;			   /* tdp=on|off (enum module_tdp); TDP_DEFAULT: umbra's own tdp= */
	u32 shadow_pages;	   /* shadow_pages=: shadow page budget (x86); 0: the default */
	const char *guest_cmdline; /* module_cmdline_parse: what follows "--" ("" if none) */
};

/*
 * A module's command line is "<image> [umbra options] [-- guest command line]".
 * Split it at the first word "--": opts gets what comes before (cut to fit
 * opts_len, NUL-terminated), *guest points at what follows, leading blanks
 * skipped ("" when there is no "--").
 */
void module_cmdline_split(const char *line, char *opts, size_t opts_len, const char **guest);

/* Split a whole module command line at "--" and parse its options part.
 * out->guest_cmdline points into cmdline. Returns the problems reported. */
int module_cmdline_parse(const char *cmdline, struct module_opts *out);

/* Parse a module's command line; unknown options are reported but options
 * meant for later issues (tdp=, ipa=, ...) may be listed in a known set.
 * Returns the number of problems reported. */
int module_opts_parse(const char *cmdline, struct module_opts *out);

/* Parse a size: decimal or 0x hex digits with an optional K/M/G/T suffix (either
 * case); false on bad input or overflow. */
bool parse_size(const char *s, size_t len, u64 *out);

#endif
