/* emulate_testlib.h: what the two decoder test files share: register and segment names, the bytes parser, a PRNG. */
#ifndef UMBRA_EMULATE_TESTLIB_H
#define UMBRA_EMULATE_TESTLIB_H

#include <stdlib.h>

#include "compiler.h"
#include "vmx_svm/emulate.h"

/* Register numbers (encoding order) and short names for the table. */
enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };
#define NO EMUL_REG_NONE
#define ZX EMUL_EXT_ZERO
#define SX EMUL_EXT_SIGN
#define ES EMUL_SEG_ES
#define CS EMUL_SEG_CS
#define SS EMUL_SEG_SS
#define DS EMUL_SEG_DS
#define FS EMUL_SEG_FS
#define GS EMUL_SEG_GS
#define W 1  /* store */
#define H 2  /* AH..BH */
#define I 4  /* immediate */
#define R 8  /* RIP-relative */
#define A 16 /* 67: the mode's other address size */

struct bad {
	unsigned mode;
	const char *hex;
	const char *why; /* part of the reason */
};

/* "0f 20 c0" -> bytes; returns how many. */
static inline size_t parse_hex(const char *hex, u8 *out)
{
	size_t n = 0;

	while (*hex) {
		out[n++] = (u8)strtoul(hex, (char **)&hex, 16);
		while (*hex == ' ')
			hex++;
	}
	return n;
}

/* xorshift64: the same sequence on every run. */
static u64 rng_state = 0x9E3779B97F4A7C15ULL;

static inline u64 rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

#endif
