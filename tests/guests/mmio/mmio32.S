/* mmio32.S: MMIO accesses to the umbra test device with many 32-bit MOV encodings. */

/*
 * Each function takes u32 *out, uses its own scratch register(s) of the
 * device at DEV (0xFEB00000: the device under umbra, RAM mapped there
 * otherwise) and stores what it read back in out[]; mmio/main.c holds the
 * expected values. Register n of the device is at DEV + 8 * n.
 */
#define DEV 0xfeb00000

	.text
	.code32

.macro PROLOGUE
	push %ebx
	push %esi
	push %edi
	push %ebp
	mov 20(%esp), %edi
	mov $DEV, %ebx
.endm

.macro EPILOGUE
	pop %ebp
	pop %edi
	pop %esi
	pop %ebx
	ret
.endm

/* 89/8B with a base register, disp8, a bare disp32 and a scaled index. */
	.globl mmio32_mov
mmio32_mov:
	PROLOGUE
	mov $0x11111111, %eax
	mov %eax, (%ebx)		/* 89 03: register 0 */
	mov (%ebx), %ecx		/* 8b 0b */
	mov %ecx, 0(%edi)
	mov $0x22222222, %edx
	mov %edx, 8(%ebx)		/* 89 53 08: register 1 */
	mov 8(%ebx), %esi
	mov %esi, 4(%edi)
	mov $0x33333333, %esi
	mov %esi, DEV + 0x10		/* 89 35 disp32: register 2 */
	mov DEV + 0x10, %edx		/* 8b 15 disp32 */
	mov %edx, 8(%edi)
	mov $3, %ecx
	mov $0x44444444, %eax
	mov %eax, (%ebx,%ecx,8)		/* 89 04 cb: register 3 */
	mov %ebx, %ebp
	mov 0x18(%ebp), %eax		/* 8b 45 18: EBP base */
	mov %eax, 12(%edi)
	EPILOGUE

/* 88/8A, including AH/DH; the rest of the destination register must survive. */
	.globl mmio32_mov8
mmio32_mov8:
	PROLOGUE
	mov $0x5a, %al
	mov %al, 0x20(%ebx)		/* 88 43 20: register 4 */
	mov $0x12345678, %ecx
	mov 0x20(%ebx), %cl		/* 8a 4b 20 */
	mov %ecx, 0(%edi)
	mov $0xa500, %eax
	mov %ah, 0x28(%ebx)		/* 88 63 28: register 5 */
	mov $0x12345678, %edx
	mov 0x28(%ebx), %dh		/* 8a 73 28 */
	mov %edx, 4(%edi)
	EPILOGUE

/* 66 89/8B: a 16-bit load leaves the upper half of the register alone. */
	.globl mmio32_mov16
mmio32_mov16:
	PROLOGUE
	mov $0xbeef, %ax
	mov %ax, 0x30(%ebx)		/* 66 89 43 30: register 6 */
	mov $0x12345678, %edx
	mov 0x30(%ebx), %dx		/* 66 8b 53 30 */
	mov %edx, 0(%edi)
	EPILOGUE

/* C6/C7: immediates of each size. */
	.globl mmio32_imm
mmio32_imm:
	PROLOGUE
	movb $0x5a, 0x38(%ebx)		/* c6 43 38 5a: register 7 */
	movzbl 0x38(%ebx), %eax
	mov %eax, 0(%edi)
	movw $0x1234, 0x40(%ebx)	/* 66 c7 43 40 ...: register 8 */
	movzwl 0x40(%ebx), %eax
	mov %eax, 4(%edi)
	movl $0x89abcdef, 0x48(%ebx)	/* c7 43 48 ...: register 9 */
	mov 0x48(%ebx), %eax
	mov %eax, 8(%edi)
	EPILOGUE

/* 0F B6/B7/BE/BF: zero and sign extension from bytes and words. */
	.globl mmio32_ext
mmio32_ext:
	PROLOGUE
	movl $0x80f08081, 0x50(%ebx)	/* register 10 */
	movzbl 0x50(%ebx), %eax
	mov %eax, 0(%edi)
	movzwl 0x50(%ebx), %eax
	mov %eax, 4(%edi)
	movsbl 0x50(%ebx), %eax
	mov %eax, 8(%edi)
	movswl 0x50(%ebx), %eax
	mov %eax, 12(%edi)
	mov $0x12345678, %edx
	movsbw 0x50(%ebx), %dx		/* 66 0f be: only DX changes */
	mov %edx, 16(%edi)
	EPILOGUE

/* A0-A3: the moffs forms (absolute address in the instruction, AL/AX/EAX). */
	.globl mmio32_moffs
mmio32_moffs:
	PROLOGUE
	mov $0xcafef00d, %eax
	mov %eax, DEV + 0x58		/* a3: register 11 */
	xor %eax, %eax
	mov DEV + 0x58, %eax		/* a1 */
	mov %eax, 0(%edi)
	mov $0x7e, %al
	mov %al, DEV + 0x60		/* a2: register 12 */
	mov $0x12345678, %eax
	mov DEV + 0x60, %al		/* a0 */
	mov %eax, 4(%edi)
	mov $0xd00d, %ax
	mov %ax, DEV + 0x68		/* 66 a3: register 13 */
	mov $0x12345678, %eax
	mov DEV + 0x68, %ax		/* 66 a1 */
	mov %eax, 8(%edi)
	EPILOGUE

/* Narrow accesses inside one 64-bit register (register 14) merge like memory. */
	.globl mmio32_subword
mmio32_subword:
	PROLOGUE
	movl $0x11223344, 0x70(%ebx)
	movl $0x55667788, 0x74(%ebx)
	movb $0xaa, 0x71(%ebx)
	movw $0xbbcc, 0x76(%ebx)
	mov 0x70(%ebx), %eax
	mov %eax, 0(%edi)
	mov 0x74(%ebx), %eax
	mov %eax, 4(%edi)
	movzbl 0x73(%ebx), %eax
	mov %eax, 8(%edi)
	movzwl 0x74(%ebx), %eax
	mov %eax, 12(%edi)
	EPILOGUE
