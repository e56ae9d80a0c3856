/* gdt.c: the host GDT and TSS, with separate stacks for double fault, NMI and machine check. */
#include "arch/x86/trap.h"
#include "compiler.h"
#include "core/kstring.h"

/* Segment descriptor fields (Intel SDM vol. 3, 3.4.5). */
#define SEG_ACCESSED BIT(40)
#define SEG_RW BIT(41)
#define SEG_EXEC BIT(43)
#define SEG_CODE_DATA BIT(44)
#define SEG_PRESENT BIT(47)
#define SEG_LONG BIT(53)
#define SEG_DB BIT(54)
#define SEG_GRAN BIT(55)
#define SEG_LIMIT_LO GENMASK(15, 0)
#define SEG_LIMIT_HI GENMASK(51, 48)
#define SEG_BASE_LO GENMASK(39, 16)
#define SEG_BASE_HI GENMASK(63, 56)
#define SEG_TYPE GENMASK(43, 40)
#define SEG_TYPE_TSS_AVAIL 0x9

#define IST_STACK_SIZE 8192
#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MCE 3

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;
_Static_assert(sizeof(struct tss64) == 104, "TSS layout");
_Static_assert(__builtin_offsetof(struct tss64, ist) == 36, "TSS layout");

struct gdt_ptr {
	u16 limit;
	u64 base;
} __packed;

static u64 gdt[5] __aligned(16);
static struct tss64 tss __aligned(16);
static u8 ist_stacks[3][IST_STACK_SIZE] __aligned(16);

u64 gdt_tss_base(void)
{
	return (u64)(uintptr_t)&tss;
}

static void tss_descriptor(u64 *slot)
{
	u64 base = (u64)(uintptr_t)&tss;
	u64 limit = sizeof(tss) - 1;

	slot[0] = FIELD_PREP(SEG_LIMIT_LO, limit) | FIELD_PREP(SEG_BASE_LO, base & 0xFFFFFF) |
		  FIELD_PREP(SEG_TYPE, SEG_TYPE_TSS_AVAIL) | SEG_PRESENT |
		  FIELD_PREP(SEG_BASE_HI, (base >> 24) & 0xFF);
	slot[1] = base >> 32;
}

void gdt_init(void)
{
	struct gdt_ptr ptr;

	gdt[0] = 0;
	gdt[GDT_KERNEL_CS / 8] = SEG_ACCESSED | SEG_RW | SEG_EXEC | SEG_CODE_DATA | SEG_PRESENT |
				 SEG_LONG | SEG_GRAN | SEG_LIMIT_LO | SEG_LIMIT_HI;
	gdt[GDT_KERNEL_DS / 8] = SEG_ACCESSED | SEG_RW | SEG_CODE_DATA | SEG_PRESENT | SEG_DB |
				 SEG_GRAN | SEG_LIMIT_LO | SEG_LIMIT_HI;
	tss_descriptor(&gdt[GDT_TSS / 8]);

	memset(&tss, 0, sizeof(tss));
	tss.ist[IST_DOUBLE_FAULT - 1] = (u64)(uintptr_t)(ist_stacks[0] + IST_STACK_SIZE);
	tss.ist[IST_NMI - 1] = (u64)(uintptr_t)(ist_stacks[1] + IST_STACK_SIZE);
	tss.ist[IST_MCE - 1] = (u64)(uintptr_t)(ist_stacks[2] + IST_STACK_SIZE);
	tss.iomap_base = sizeof(tss); /* no I/O bitmap */

	ptr.limit = sizeof(gdt) - 1;
	ptr.base = (u64)(uintptr_t)gdt;
	/* Load the table, reload CS with a far return, then the data segments and TR. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(ptr), "i"(GDT_KERNEL_CS), "r"(GDT_KERNEL_DS), "r"(GDT_TSS)
			 : "rax", "memory");
}

unsigned gdt_ist_for_vector(unsigned vector)
{
	switch (vector) {
	case 8:
		return IST_DOUBLE_FAULT;
	case 2:
		return IST_NMI;
	case 18:
		return IST_MCE;
	default:
		return 0;
	}
}
