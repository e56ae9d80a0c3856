/* test_emulate_sys.c: host tests of the decoder for control-register instructions and INVLPG (shadow paging on SVM). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "compiler.h"
#include "emulate_testlib.h"
#include "vmx_svm/emulate.h"

#define MC EMUL_SYS_MOV_FROM_CR
#define TC EMUL_SYS_MOV_TO_CR
#define CLTS EMUL_SYS_CLTS
#define SMSW EMUL_SYS_SMSW
#define LMSW EMUL_SYS_LMSW
#define INVLPG EMUL_SYS_INVLPG
#define M 1 /* memory operand; R (RIP-relative) and A (67 prefix) as above */

struct sys_enc {
	unsigned mode;
	const char *text; /* what GNU as assembled (--64 with .code64/.code32/.code16) */
	const char *hex;
	u8 op, flags, cr, reg, size, base, index, scale, seg;
	u64 disp;
};

/* Encodings from the SDM's opcode tables (0F 20 /r, 0F 22 /r, 0F 06, 0F 01 /4 /6 /7),
 * assembled with GNU as and checked with objdump -d. */
static const struct sys_enc sys_table[] = {
	{ 64, "mov %cr0,%rax", "0f 20 c0", MC, 0, 0, RAX, 8, NO, NO, 1, DS, 0 },
	{ 64, "mov %rax,%cr3", "0f 22 d8", TC, 0, 3, RAX, 8, NO, NO, 1, DS, 0 },
	{ 64, "mov %r15,%cr4", "41 0f 22 e7", TC, 0, 4, R15, 8, NO, NO, 1, DS, 0 },
	{ 64, "mov %cr8,%rcx", "44 0f 20 c1", MC, 0, 8, RCX, 8, NO, NO, 1, DS, 0 },
	{ 64, "mov %r8,%cr8", "45 0f 22 c0", TC, 0, 8, R8, 8, NO, NO, 1, DS, 0 },
	{ 64, "mod 00 is a register too", "0f 22 02", TC, 0, 0, RDX, 8, NO, NO, 1, DS, 0 },
	{ 64, "mod 01: no disp8", "0f 22 5c", TC, 0, 3, RSP, 8, NO, NO, 1, DS, 0 },
	{ 64, "66 changes nothing", "66 0f 22 d8", TC, 0, 3, RAX, 8, NO, NO, 1, DS, 0 },
	{ 64, "clts", "0f 06", CLTS, 0, 0, 0, 0, NO, NO, 1, DS, 0 },
	{ 64, "lmsw %ax", "0f 01 f0", LMSW, 0, 0, RAX, 2, NO, NO, 1, DS, 0 },
	{ 64, "lmsw (%rdi)", "0f 01 37", LMSW, M, 0, 0, 2, RDI, NO, 1, DS, 0 },
	{ 64, "lmsw %r9w", "41 0f 01 f1", LMSW, 0, 0, R9, 2, NO, NO, 1, DS, 0 },
	{ 64, "smsw %eax", "0f 01 e0", SMSW, 0, 0, RAX, 4, NO, NO, 1, DS, 0 },
	{ 64, "smsw %rax", "48 0f 01 e0", SMSW, 0, 0, RAX, 8, NO, NO, 1, DS, 0 },
	{ 64, "smsw %ax", "66 0f 01 e0", SMSW, 0, 0, RAX, 2, NO, NO, 1, DS, 0 },
	{ 64, "smsw (%rax)", "0f 01 20", SMSW, M, 0, 0, 2, RAX, NO, 1, DS, 0 },
	{ 64, "smsw %r10d", "41 0f 01 e2", SMSW, 0, 0, R10, 4, NO, NO, 1, DS, 0 },
	{ 64, "invlpg (%rax)", "0f 01 38", INVLPG, M, 0, 0, 1, RAX, NO, 1, DS, 0 },
	{ 64, "invlpg 0x10(%rbx,%rcx,8)", "0f 01 7c cb 10", INVLPG, M, 0, 0, 1, RBX, RCX, 8, DS,
	  0x10 },
	{ 64, "invlpg %fs:(%rax)", "64 0f 01 38", INVLPG, M, 0, 0, 1, RAX, NO, 1, FS, 0 },
	{ 64, "invlpg 0x100(%rip)", "0f 01 3d 00 01 00 00", INVLPG, M | R, 0, 0, 1, NO, NO, 1, DS,
	  0x100 },
	{ 64, "invlpg -0x8(%rbp)", "0f 01 7d f8", INVLPG, M, 0, 0, 1, RBP, NO, 1, SS,
	  0xfffffffffffffff8ULL },
	{ 64, "invlpg 0x0(%r13)", "41 0f 01 7d 00", INVLPG, M, 0, 0, 1, R13, NO, 1, DS, 0 },
	{ 64, "addr32 invlpg (%eax)", "67 0f 01 38", INVLPG, M | A, 0, 0, 1, RAX, NO, 1, DS, 0 },
	{ 32, "mov %cr0,%eax", "0f 20 c0", MC, 0, 0, RAX, 4, NO, NO, 1, DS, 0 },
	{ 32, "mov %eax,%cr3", "0f 22 d8", TC, 0, 3, RAX, 4, NO, NO, 1, DS, 0 },
	{ 32, "mov %cr4,%edi", "0f 20 e7", MC, 0, 4, RDI, 4, NO, NO, 1, DS, 0 },
	{ 32, "invlpg (%eax)", "0f 01 38", INVLPG, M, 0, 0, 1, RAX, NO, 1, DS, 0 },
	{ 32, "invlpg 0x1000", "0f 01 3d 00 10 00 00", INVLPG, M, 0, 0, 1, NO, NO, 1, DS, 0x1000 },
	{ 32, "invlpg 0x4(%esp)", "0f 01 7c 24 04", INVLPG, M, 0, 0, 1, RSP, NO, 1, SS, 4 },
	{ 32, "a16 invlpg (%bx,%si)", "67 0f 01 38", INVLPG, M | A, 0, 0, 1, RBX, RSI, 1, DS, 0 },
	{ 32, "smsw %ax", "66 0f 01 e0", SMSW, 0, 0, RAX, 2, NO, NO, 1, DS, 0 },
	{ 32, "lmsw 0x10(%ebx)", "0f 01 73 10", LMSW, M, 0, 0, 2, RBX, NO, 1, DS, 0x10 },
	{ 16, "mov %cr0,%eax", "0f 20 c0", MC, 0, 0, RAX, 4, NO, NO, 1, DS, 0 },
	{ 16, "smsw %ax", "0f 01 e0", SMSW, 0, 0, RAX, 2, NO, NO, 1, DS, 0 },
	{ 16, "smsw %eax", "66 0f 01 e0", SMSW, 0, 0, RAX, 4, NO, NO, 1, DS, 0 },
	{ 16, "invlpg (%bx,%si)", "0f 01 38", INVLPG, M, 0, 0, 1, RBX, RSI, 1, DS, 0 },
	{ 16, "invlpg 0x8(%bp)", "0f 01 7e 08", INVLPG, M, 0, 0, 1, RBP, NO, 1, SS, 8 },
	{ 16, "addr32 invlpg (%eax)", "67 0f 01 38", INVLPG, M | A, 0, 0, 1, RAX, NO, 1, DS, 0 },
	{ 16, "lmsw %dx", "0f 01 f2", LMSW, 0, 0, RDX, 2, NO, NO, 1, DS, 0 },
};

static int decode_sys_exact(const u8 *bytes, size_t n, unsigned mode, struct emul_sys *out)
{
	u8 *copy = malloc(n ? n : 1);
	int rc;

	cr_assert(copy);
	memcpy(copy, bytes, n);
	rc = emul_decode_sys(copy, n, mode, out);
	free(copy);
	return rc;
}

static void check_sys(const struct sys_enc *e, const struct emul_sys *s, size_t n)
{
	/* 67 makes 64-bit mode's addresses 4 bytes, 32-bit mode's 2, 16-bit mode's 4. */
	u8 asz = !(e->flags & A) ? e->mode / 8 : e->mode == 16 ? 4 : e->mode / 16;

	cr_expect_eq(s->len, n, "%s: len %u, want %zu", e->text, s->len, n);
	cr_expect_eq(s->op, e->op, "%s: op %u", e->text, s->op);
	cr_expect_eq(s->mem_op, !!(e->flags & M), "%s: mem_op", e->text);
	cr_expect_eq(s->size, e->size, "%s: size %u", e->text, s->size);
	cr_expect_eq(s->mode_bits, e->mode, "%s: mode", e->text);
	if (e->op == MC || e->op == TC)
		cr_expect_eq(s->cr, e->cr, "%s: cr %u", e->text, s->cr);
	if (!(e->flags & M) && e->op != CLTS)
		cr_expect_eq(s->reg, e->reg, "%s: reg %u", e->text, s->reg);
	if (!(e->flags & M))
		return;
	cr_expect_eq(s->mem.base, e->base, "%s: base %u", e->text, s->mem.base);
	cr_expect_eq(s->mem.index, e->index, "%s: index %u", e->text, s->mem.index);
	if (e->index != NO)
		cr_expect_eq(s->mem.scale, e->scale, "%s: scale %u", e->text, s->mem.scale);
	cr_expect_eq(s->mem.disp, e->disp, "%s: disp %#llx", e->text,
		     (unsigned long long)s->mem.disp);
	cr_expect_eq(s->mem.rip_rel, !!(e->flags & R), "%s: rip_rel", e->text);
	cr_expect_eq(s->mem.seg, e->seg, "%s: seg %u", e->text, s->mem.seg);
	cr_expect_eq(s->mem.addr_size, asz, "%s: addr_size %u", e->text, s->mem.addr_size);
}

Test(emulate_sys, table_decodes)
{
	for (size_t i = 0; i < ARRAY_SIZE(sys_table); i++) {
		const struct sys_enc *e = &sys_table[i];
		u8 b[EMUL_MAX_LEN + 8];
		size_t n = parse_hex(e->hex, b);
		struct emul_sys s;
		int rc;

		rc = decode_sys_exact(b, n, e->mode, &s);
		cr_assert_eq(rc, 0, "%s (%s): rc %d (%s)", e->text, e->hex, rc, s.why);
		check_sys(e, &s, n);
		/* Trailing bytes change nothing; every shorter prefix is truncated. */
		memset(b + n, 0x0F, 8);
		cr_assert_eq(decode_sys_exact(b, n + 8, e->mode, &s), 0, "%s", e->text);
		check_sys(e, &s, n);
		for (size_t avail = 0; avail < n; avail++)
			cr_expect_eq(decode_sys_exact(b, avail, e->mode, &s), -EMUL_ERR_TRUNCATED,
				     "%s: %zu of %zu bytes", e->text, avail, n);
	}
}

static const struct bad sys_refused[] = {
	{ 64, "0f 01 f8", "register" }, /* swapgs: 0F 01 /7 mod 3 */
	{ 64, "0f 01 f9", "register" }, /* rdtscp */
	{ 64, "0f 01 00", "form" },	/* sgdt (%rax) */
	{ 64, "0f 01 d8", "form" },	/* vmrun */
	{ 64, "0f 01 c8", "form" },	/* monitor */
	{ 32, "0f 01 10", "form" },	/* lgdt (%eax) */
	{ 64, "f0 0f 20 c0", "LOCK" },	/* AMD's alternate CR8 encoding */
	{ 64, "f3 0f 22 d8", "REP" },
	{ 64, "0f 21 c0", "control-register" },	   /* mov %dr0,%rax */
	{ 64, "0f 23 c0", "control-register" },	   /* mov %rax,%dr0 */
	{ 64, "89 07", "control-register" },	   /* a plain MOV */
	{ 32, "40 0f 20 c0", "control-register" }, /* 40 is INC outside 64-bit mode */
	{ 64, "0f 20 c0", NULL },		   /* control: accepted */
};

Test(emulate_sys, refuses_other_instructions)
{
	for (size_t i = 0; i < ARRAY_SIZE(sys_refused); i++) {
		const struct bad *r = &sys_refused[i];
		u8 b[EMUL_MAX_LEN];
		size_t n = parse_hex(r->hex, b);
		struct emul_sys s;
		int rc = decode_sys_exact(b, n, r->mode, &s);
		if (!r->why) {
			cr_expect_eq(rc, 0, "%s", r->hex);
			continue;
		}
		cr_expect_eq(rc, -EMUL_ERR_UNSUPPORTED, "%s: rc %d", r->hex, rc);
		cr_expect(s.why && strstr(s.why, r->why), "%s: why '%s'", r->hex, s.why);
	}
	cr_expect_eq(emul_decode_sys((const u8 *)"\x0f\x06", 2, 8, &(struct emul_sys){ 0 }),
		     -EMUL_ERR_UNSUPPORTED);
}

Test(emulate_sys, memory_offsets)
{
	u64 g[16] = { 0 };
	u8 b[EMUL_MAX_LEN];
	struct emul_sys s;

	g[RBX] = 0x1000;
	g[RCX] = 2;
	g[RSI] = 0xFFF0;
	/* invlpg 0x10(%rbx,%rcx,8) */
	cr_assert_eq(decode_sys_exact(b, parse_hex("0f 01 7c cb 10", b), 64, &s), 0);
	cr_expect_eq(emul_sys_mem_offset(g, &s, 0), 0x1020);
	/* invlpg 0x100(%rip) at 0x400000, 7 bytes long */
	cr_assert_eq(decode_sys_exact(b, parse_hex("0f 01 3d 00 01 00 00", b), 64, &s), 0);
	cr_expect_eq(emul_sys_mem_offset(g, &s, 0x400000), 0x400107);
	/* 16-bit addressing wraps: (%bx,%si) = 0x1000 + 0xfff0 */
	cr_assert_eq(decode_sys_exact(b, parse_hex("0f 01 38", b), 16, &s), 0);
	cr_expect_eq(emul_sys_mem_offset(g, &s, 0), 0x0FF0);
}

/* Guest-controlled bytes: never a crash, a read past avail or a wild result. */
Test(emulate_sys, random_bytes_never_misbehave)
{
	static const unsigned modes[] = { 16, 32, 64 };
	u8 b[20];

	for (int iter = 0; iter < 200000; iter++) {
		struct emul_sys s, again;
		size_t n = 0;
		for (u64 np = rng() % 3; np; np--)
			b[n++] = (u8)(0x40 | (rng() & 0x2F)); /* REX or 66/67-ish noise */
		b[n++] = 0x0F;
		b[n++] = (u8[]){ 0x01, 0x06, 0x20, 0x22, 0x21 }[rng() % 5];
		while (n < sizeof(b))
			b[n++] = (u8)rng();
		unsigned mode = modes[rng() % 3];
		size_t avail = rng() % (sizeof(b) + 1);
		int rc = decode_sys_exact(b, avail, mode, &s);
		cr_assert(rc == 0 || rc == -EMUL_ERR_TRUNCATED || rc == -EMUL_ERR_UNSUPPORTED);
		if (rc) {
			cr_assert(s.why);
			continue;
		}
		cr_assert(s.len >= 2 && s.len <= avail && s.len <= EMUL_MAX_LEN);
		cr_assert(s.op >= MC && s.op <= INVLPG);
		cr_assert(s.reg < 16 && s.cr < 16);
		cr_assert(s.op != INVLPG || s.mem_op);
		cr_assert_eq(decode_sys_exact(b, s.len, mode, &again), 0);
		cr_assert(again.len == s.len && again.op == s.op && again.mem.disp == s.mem.disp);
	}
}
