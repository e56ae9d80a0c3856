/* hello.S: the smallest test guest: a 32-bit ELF that prints a line on COM1 and halts. */

/*
 * Started in 32-bit protected mode, flat segments, paging off, at its ELF
 * entry point. It needs only an emulated UART at 0x3F8 (transmit register
 * and line status), which is what umbra's guest support will give it.
 */
#define COM1 0x3F8

	.section .text
	.code32
	.globl _start
_start:
	mov $msg, %esi
1:	movb (%esi), %al
	test %al, %al
	jz 3f
	mov $COM1 + 5, %dx
2:	inb %dx, %al
	test $0x20, %al
	jz 2b
	mov $COM1, %dx
	movb (%esi), %al
	outb %al, %dx
	inc %esi
	jmp 1b
3:	cli
	hlt
	jmp 3b

	.section .rodata
msg:
	.asciz "hello: guest started\r\n"
