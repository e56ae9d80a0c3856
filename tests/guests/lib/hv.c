/* hv.c: finding umbra (CPUID leaf 0x40000000), hypercalls and fw_cfg reads. */
#include "guest.h"

bool under_umbra(void)
{
	static int known = -1;
	struct cpuid_regs r;

	if (known < 0) {
		r = cpuid(0x40000000, 0);
		known = (cpuid(1, 0).ecx & (1u << 31)) && r.ebx == 0x72626d75 /* "umbr" */ &&
			r.ecx == 0x626d7561 /* "aumb" */ && r.edx == 0x6d756172 /* "raum" */;
	}
	return known;
}

bool cpu_is_amd(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	return (r.ebx == 0x68747541 && r.edx == 0x69746e65 && r.ecx == 0x444d4163) || /* AMD */
	       (r.ebx == 0x6f677948 && r.edx == 0x6e65476e && r.ecx == 0x656e6975);   /* Hygon */
}

u64 hypercall(u32 nr, u32 a1, u32 a2, u32 a3)
{
	u32 eax, edx;

	if (cpu_is_amd())
		__asm__ volatile("vmmcall"
				 : "=a"(eax), "=d"(edx)
				 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
				 : "memory");
	else
		__asm__ volatile("vmcall"
				 : "=a"(eax), "=d"(edx)
				 : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
				 : "memory");
	return (u64)edx << 32 | eax;
}

s32 hcall(u32 nr, u32 a1, u32 a2, u32 a3)
{
	return (s32)(u32)hypercall(nr, a1, a2, a3);
}

void fwcfg_read(u16 sel, void *buf, u32 len)
{
	u8 *p = buf;

	outw(FW_CFG_SEL, sel);
	for (u32 i = 0; i < len; i++)
		p[i] = inb(FW_CFG_DATA);
}
