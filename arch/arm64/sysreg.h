/* sysreg.h: arm64 system-register access and the EL2 register fields umbra uses. */
#ifndef UMBRA_ARM64_SYSREG_H
#define UMBRA_ARM64_SYSREG_H

#include "compiler.h"
#include "types.h"

#define read_sysreg(r)                                                 \
	({                                                             \
		u64 __v;                                               \
		__asm__ volatile("mrs %0, " #r : "=r"(__v)::"memory"); \
		__v;                                                   \
	})
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" ::"r"((u64)(v)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

static inline void dsb_ish(void)
{
	__asm__ volatile("dsb ish" ::: "memory");
}

static inline void dsb_sy(void)
{
	__asm__ volatile("dsb sy" ::: "memory");
}

/* CurrentEL.EL */
#define CURRENTEL_EL GENMASK(3, 2)

/* SCTLR_EL2 (non-VHE layout). */
#define SCTLR_EL2_M BIT(0)
#define SCTLR_EL2_A BIT(1)
#define SCTLR_EL2_C BIT(2)
#define SCTLR_EL2_SA BIT(3)
#define SCTLR_EL2_I BIT(12)
#define SCTLR_EL2_WXN BIT(19)
#define SCTLR_EL2_RES1 0x30C50830ULL

/* SCTLR_EL1 at reset for a guest: only its RES1 bits (ARMv8.0), MMU and caches off. */
#define SCTLR_EL1_RES1 0x30D00800ULL

/* HCR_EL2 */
#define HCR_VM BIT(0)
#define HCR_SWIO BIT(1)
#define HCR_FMO BIT(3)
#define HCR_IMO BIT(4)
#define HCR_AMO BIT(5)
#define HCR_FB BIT(9)
#define HCR_BSU_IS (1ULL << 10)
#define HCR_TWI BIT(13)
#define HCR_TWE BIT(14)
#define HCR_TSC BIT(19)
#define HCR_TIDCP BIT(20)
#define HCR_TACR BIT(21)
#define HCR_RW BIT(31)
#define HCR_APK BIT(40)
#define HCR_API BIT(41)
#define HCR_E2H BIT(34)

/* TCR_EL2 (non-VHE) */
#define TCR_EL2_T0SZ GENMASK(5, 0)
#define TCR_EL2_IRGN0 GENMASK(9, 8)
#define TCR_EL2_ORGN0 GENMASK(11, 10)
#define TCR_EL2_SH0 GENMASK(13, 12)
#define TCR_EL2_PS GENMASK(18, 16)
#define TCR_EL2_RES1 (BIT(31) | BIT(23))

/* VTTBR_EL2 */
#define VTTBR_VMID GENMASK(63, 48)
#define VTTBR_BADDR GENMASK(47, 1)
/* VTCR_EL2.VS: 16-bit VMIDs */
#define VTCR_EL2_VS BIT(19)

/* CPTR_EL2 (non-VHE): RES1 bits, with TZ (SVE) and TSM (SME) set to trap and TFP clear. */
#define CPTR_EL2_RES1_TRAP_SVE_SME 0x33FFULL

/* CNTHCTL_EL2 (non-VHE): EL1 may read the physical counter and use its timer. */
#define CNTHCTL_EL1PCTEN BIT(0)
#define CNTHCTL_EL1PCEN BIT(1)

/* MDCR_EL2: the guest's debug and performance-monitor registers trap (and
 * are refused), so no guest reaches another's breakpoints or counters. */
#define MDCR_EL2_HPMN GENMASK(4, 0)
#define MDCR_EL2_TPMCR BIT(5)
#define MDCR_EL2_TPM BIT(6)
#define MDCR_EL2_TDA BIT(9)
#define MDCR_EL2_TDOSA BIT(10)
#define MDCR_EL2_TDRA BIT(11)
#define PMCR_EL0_N GENMASK(15, 11)

/* ID registers */
#define ID_AA64DFR0_PMUVER GENMASK(11, 8)
#define ID_AA64ISAR1_PAUTH (GENMASK(11, 4) | GENMASK(31, 24)) /* APA, API, GPA, GPI */
#define ID_AA64ISAR2_PAUTH GENMASK(15, 8)		      /* GPA3, APA3 */
#define ID_AA64MMFR0_PARANGE GENMASK(3, 0)
#define ID_AA64MMFR1_VMIDBITS GENMASK(7, 4)
#define ID_AA64MMFR1_VH GENMASK(11, 8)
#define ID_AA64PFR0_GIC GENMASK(27, 24)

/* ESR_ELx */
#define ESR_EC GENMASK(31, 26)
#define ESR_IL BIT(25)
#define ESR_ISS GENMASK(24, 0)
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_CP15_32 0x03
#define EC_CP15_64 0x04
#define EC_CP14_MR 0x05
#define EC_CP14_LS 0x06
#define EC_CP14_64 0x0C
#define EC_FP 0x07
#define EC_ILLEGAL 0x0E
#define EC_SVC64 0x15
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYS64 0x18
#define EC_SVE 0x19
#define EC_SME 0x1D
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR 0x2F
#define EC_BRK64 0x3C

/* Data/instruction abort ISS */
#define ISS_ISV BIT(24)
#define ISS_SAS GENMASK(23, 22)
#define ISS_SSE BIT(21)
#define ISS_SRT GENMASK(20, 16)
#define ISS_SF BIT(15)
#define ISS_S1PTW BIT(7)
#define ISS_WNR BIT(6)
#define ISS_FSC GENMASK(5, 0)
#define FSC_ADDR_SIZE_L0 0x00
#define FSC_SYNC_EXT 0x10
#define FSC_TYPE GENMASK(5, 2)
#define FSC_TYPE_ADDR_SIZE 0x0
#define FSC_TYPE_TRANSLATION 0x1
#define FSC_TYPE_PERMISSION 0x3

/* HPFAR_EL2.FIPA: IPA bits 51:12 in bits 43:4. */
#define HPFAR_FIPA GENMASK(43, 4)

/* SPSR / PSTATE */
#define PSR_MODE GENMASK(3, 0)
#define PSR_MODE_EL0T 0x0
#define PSR_MODE_EL1T 0x4
#define PSR_MODE_EL1H 0x5
#define PSR_DAIF (0xFULL << 6)
#define PSR_NZCV GENMASK(31, 28)
#define PSR_DIT BIT(24)
#define PSR_PAN BIT(22)
#define PSR_SSBS BIT(12)
#define SCTLR_EL1_SPAN BIT(23)
#define SCTLR_EL1_DSSBS BIT(44)

#endif
