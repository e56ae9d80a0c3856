/* emulate.h: decoding the x86 MOV forms a guest uses for MMIO, and applying their results. */
#ifndef UMBRA_EMULATE_H
#define UMBRA_EMULATE_H

#include "err.h"
#include "types.h"

/*
 * When a guest access to an emulated or unbacked guest-physical address
 * traps, the exit names the address but not the access. emul_decode()
 * reads the instruction at the guest's RIP (bytes the caller fetched) and
 * says how long it is, which way it goes, how wide the access is and which
 * register or immediate takes part. All input is guest-controlled: the
 * decoder never reads past avail and refuses anything it does not know.
 *
 * Supported (Intel SDM vol. 2; the memory operand must be memory, mod != 3):
 *   88 /r  MOV r/m8, r8          89 /r  MOV r/m16/32/64, r
 *   8A /r  MOV r8, r/m8          8B /r  MOV r16/32/64, r/m
 *   C6 /0 ib  MOV r/m8, imm8     C7 /0 iw/id  MOV r/m, imm (REX.W: imm32 sign-extended)
 *   A0-A3  MOV AL/rAX <-> moffs (offset as wide as the address size)
 *   0F B6/B7 /r  MOVZX r, r/m8 / r/m16   0F BE/BF /r  MOVSX r, r/m8 / r/m16
 *   63 /r  MOVSXD r, r/m32 (64-bit mode only)
 * Prefixes: 66 (operand size), 67 (address size; 16-bit addressing in 32-bit
 * mode), segment overrides 26 2E 36 3E 64 65, REX 40-4F in 64-bit mode (a
 * REX followed by another prefix is ignored, as the CPU does). Refused:
 * LOCK (F0, #UD on MOV), REP/REPNE (F2/F3), register operands, instructions
 * longer than 15 bytes, every other opcode.
 *
 * Registers are numbered in encoding order, which is also the order of the
 * gpr[16] arrays below: rax rcx rdx rbx rsp rbp rsi rdi r8 .. r15.
 */

#define EMUL_MAX_LEN 15 /* the architectural limit of an x86 instruction */

/* Errors emul_decode() returns (negated). */
#define EMUL_ERR_TRUNCATED ERR_RANGE   /* the instruction goes past avail */
#define EMUL_ERR_UNSUPPORTED ERR_INVAL /* not a form this decoder emulates, or invalid */

/* How a load's value reaches a register wider than the access. */
enum emul_ext {
	EMUL_EXT_NONE = 0, /* plain MOV: dst_size == size */
	EMUL_EXT_ZERO = 1, /* MOVZX */
	EMUL_EXT_SIGN = 2, /* MOVSX, MOVSXD */
};

/* Segment registers in encoding order (ES CS SS DS FS GS). */
enum emul_seg {
	EMUL_SEG_ES = 0,
	EMUL_SEG_CS = 1,
	EMUL_SEG_SS = 2,
	EMUL_SEG_DS = 3,
	EMUL_SEG_FS = 4,
	EMUL_SEG_GS = 5,
};

#define EMUL_REG_NONE 0xFF /* no base or no index register */

/*
 * The memory operand, for callers that need its linear address (shadow page
 * table writes); MMIO callers already know the guest-physical address.
 * offset = base + index * scale + disp (+ the next instruction's RIP when
 * rip_rel), truncated to addr_size bytes; see emul_mem_offset().
 */
struct emul_mem {
	u8 base;      /* register number or EMUL_REG_NONE */
	u8 index;     /* register number or EMUL_REG_NONE */
	u8 scale;     /* 1, 2, 4 or 8 */
	u8 addr_size; /* 2, 4 or 8 bytes */
	u8 seg;	      /* enum emul_seg: the override, else DS (SS for an rSP/rBP base) */
	bool rip_rel; /* 64-bit mode mod=00 r/m=101: relative to the next instruction */
	u64 disp;     /* sign-extended displacement, or the moffs offset */
};

struct emul_insn {
	u8 len;		/* bytes, prefixes included (1..15) */
	u8 size;	/* memory access size: 1, 2, 4 or 8 */
	bool write;	/* true: the instruction stores to memory; false: it loads */
	u8 reg;		/* register source (store without imm) or destination (load) */
	bool high_byte; /* reg 0..3 means AH CH DH BH (an 8-bit register without REX) */
	bool has_imm;	/* store of imm rather than of reg */
	u64 imm;	/* the stored immediate, already extended and truncated to size */
	u8 ext;		/* enum emul_ext (loads) */
	u8 dst_size;	/* loads: width of the register written (1, 2, 4 or 8) */
	u8 mode_bits;	/* 32 or 64, as passed to emul_decode() */
	u8 opcode;	/* the opcode byte (after 0F for two-byte opcodes) */
	bool two_byte;	/* opcode came after 0F */
	struct emul_mem mem;
	const char *why; /* on error: a short reason, e.g. "LOCK prefix" */
};

/*
 * Decode the instruction at bytes[0..avail) for a guest in 32-bit protected
 * mode (mode_bits 32, default operand and address size 32) or 64-bit mode
 * (mode_bits 64). Returns 0 and fills out, or -EMUL_ERR_TRUNCATED when the
 * instruction needs bytes past avail (the caller may fetch more and retry),
 * or -EMUL_ERR_UNSUPPORTED for anything else it does not emulate (including
 * a mode other than 32 or 64). On error out->why says why.
 */
int emul_decode(const u8 *bytes, size_t avail, unsigned mode_bits, struct emul_insn *out);

/* The value a store writes: the immediate or the source register, truncated to size. */
u64 emul_store_value(const u64 gpr[16], const struct emul_insn *in);

/*
 * Write a load's value (the low in->size bytes of value count) into the
 * destination register as the CPU would: extended per in->ext to dst_size;
 * 8- and 16-bit writes keep the register's other bits (AH..BH write bits
 * 15:8); 32-bit writes zero bits 63:32 (as in 64-bit mode; in 32-bit mode
 * those bits are not visible to the guest).
 */
void emul_load_apply(u64 gpr[16], const struct emul_insn *in, u64 value);

/* The memory operand's offset within its segment (before the segment base). */
u64 emul_mem_offset(const u64 gpr[16], const struct emul_insn *in, u64 rip);

/*
 * The control-register instructions a shadow-paged guest exits on (the
 * CR0/CR3/CR4 and INVLPG intercepts of SVM, whose exits without decode
 * assists name neither the form nor the register): MOV r, CRn (0F 20 /r);
 * MOV CRn, r (0F 22 /r); CLTS (0F 06); SMSW r/m (0F 01 /4); LMSW r/m16
 * (0F 01 /6); INVLPG m (0F 01 /7). Prefixes as emul_decode() takes them
 * (LOCK and REP refused); REX.R selects CR8-CR15, REX.B the upper
 * registers. MOV CR ignores ModRM.mod: its r/m is always a register.
 */
enum emul_sys_op {
	EMUL_SYS_MOV_FROM_CR = 1, /* MOV r, CRn: reg = CRn */
	EMUL_SYS_MOV_TO_CR,	  /* MOV CRn, r */
	EMUL_SYS_CLTS,
	EMUL_SYS_SMSW,
	EMUL_SYS_LMSW,
	EMUL_SYS_INVLPG,
};

struct emul_sys {
	u8 op;		     /* enum emul_sys_op */
	u8 len;		     /* bytes, prefixes included (1..15) */
	u8 cr;		     /* MOV CR: the control register number (0..15) */
	u8 reg;		     /* MOV CR, and SMSW/LMSW without mem_op: the general register */
	bool mem_op;	     /* SMSW/LMSW/INVLPG: the operand is memory, described by mem */
	u8 size;	     /* operand bytes: MOV CR 4 or 8; SMSW 2, 4 or 8 (memory: 2); LMSW 2 */
	u8 mode_bits;	     /* 16, 32 or 64, as passed */
	struct emul_mem mem; /* valid when mem_op */
	const char *why;     /* on error: a short reason */
};

/*
 * Decode one of the instructions above at bytes[0..avail) for code whose
 * default operand and address size is mode_bits (16, 32; 64 for 64-bit
 * mode). Returns 0, -EMUL_ERR_TRUNCATED or -EMUL_ERR_UNSUPPORTED (any
 * other instruction), as emul_decode() does.
 */
int emul_decode_sys(const u8 *bytes, size_t avail, unsigned mode_bits, struct emul_sys *out);

/* The memory operand's offset within its segment (mem_op), as emul_mem_offset(). */
u64 emul_sys_mem_offset(const u64 gpr[16], const struct emul_sys *s, u64 rip);

/*
 * Print n instruction bytes as "c7 05 00 00 b0 fe" into buf (always
 * NUL-terminated when buflen > 0; bytes that do not fit are left out).
 * Returns the length of the string written.
 */
size_t emul_format_bytes(const u8 *bytes, size_t n, char *buf, size_t buflen);

/* A word for an emul_decode() result: "ok", "truncated", "unsupported". */
const char *emul_strerror(int err);

#endif
