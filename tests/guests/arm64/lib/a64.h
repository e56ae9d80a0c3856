/* a64.h: arm64 constants and inline helpers shared by the arm64 test guests (C and assembly). */
#ifndef GUEST_A64_H
#define GUEST_A64_H

/* The exception frame lib/vectors.S builds: x0-x30, ELR, SPSR, ESR, FAR (and padding). */
#define FRAME_X30 240
#define FRAME_ELR 248
#define FRAME_SPSR 256
#define FRAME_ESR 264
#define FRAME_FAR 272
#define FRAME_SIZE 288

/* What lib/entry.S records at _start: x0-x30, SP, CurrentEL, DAIF, SCTLR_EL1. */
#define ENTRY_SP 248
#define ENTRY_CURRENTEL 256
#define ENTRY_DAIF 264
#define ENTRY_SCTLR 272
#define ENTRY_SIZE 280

#define STACK_SIZE 0x8000

#ifndef __ASSEMBLY__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;
typedef short s16;
typedef int s32;
typedef long long s64;

#define BIT(n) (1ull << (n))
/* Bits hi..lo of x, shifted down. */
#define BITS(x, hi, lo) (((u64)(x) >> (lo)) & ((2ull << ((hi) - (lo))) - 1))

#define read_sysreg(r)                                                    \
	({                                                                \
		u64 __v;                                                  \
		__asm__ volatile("mrs %0, " #r : "=r"(__v) : : "memory"); \
		__v;                                                      \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((u64)(v)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" : : : "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" : : : "memory");
}

static inline void dsb_ish(void)
{
	__asm__ volatile("dsb ish" : : : "memory");
}

static inline void dsb_ishst(void)
{
	__asm__ volatile("dsb ishst" : : : "memory");
}

/* ESR_ELx: exception class, instruction length, the data/instruction abort fields. */
#define ESR_EC(esr) BITS(esr, 31, 26)
#define ESR_IL BIT(25)
#define ESR_FSC(esr) BITS(esr, 5, 0)
#define ESR_WNR BIT(6)
#define ESR_FNV BIT(10)

#define EC_UNKNOWN 0x00 /* includes UNDEFINED instructions */
#define EC_WFX 0x01
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR 0x2f
#define EC_BRK64 0x3c

/* Fault status codes (DFSC/IFSC). */
#define FSC_ADDR_SIZE(level) (0x00 + (level))
#define FSC_TRANSLATION(level) (0x04 + (level))
#define FSC_ACCESS(level) (0x08 + (level))
#define FSC_PERMISSION(level) (0x0c + (level))
#define FSC_SEA 0x10 /* synchronous external abort, not on a table walk */
#define FSC_ALIGNMENT 0x21

#define SCTLR_M BIT(0)
#define SCTLR_A BIT(1)
#define SCTLR_C BIT(2)
#define SCTLR_SA BIT(3)
#define SCTLR_I BIT(12)
#define SCTLR_WXN BIT(19)

#define DAIF_ALL (0xfull << 6)

/* ID_AA64MMFR0_EL1: physical address range and 4 KiB granule support. */
#define MMFR0_PARANGE(v) BITS(v, 3, 0)
#define MMFR0_TGRAN4(v) BITS(v, 31, 28)

/* MPIDR_EL1 affinity fields Aff3 (39:32) and Aff2..Aff0 (23:0). */
#define MPIDR_AFF_MASK 0xff00ffffffull

#endif /* !__ASSEMBLY__ */
#endif
