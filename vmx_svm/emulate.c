/* emulate.c: the x86 MOV decoder for MMIO exits and the register semantics of its results. */
#include "vmx_svm/emulate.h"

#include "compiler.h"
#include "core/kstring.h"

/*
 * An instruction is decoded front to back, one byte at a time through
 * fetch(), which is the only place that reads the guest's bytes:
 *
 *   [legacy prefixes] [REX] opcode [0F opcode] ModRM [SIB] [disp] [imm]
 *                                   \__ or A0-A3: moffs (address-size wide)
 */

/* Legacy prefixes. */
#define PFX_OPSIZE 0x66
#define PFX_ADSIZE 0x67
#define PFX_LOCK 0xF0
#define PFX_REPNE 0xF2
#define PFX_REP 0xF3
#define PFX_SEG_ES 0x26
#define PFX_SEG_CS 0x2E
#define PFX_SEG_SS 0x36
#define PFX_SEG_DS 0x3E
#define PFX_SEG_FS 0x64
#define PFX_SEG_GS 0x65
#define PFX_SEG_CLASSIC GENMASK(4, 3) /* 26 2E 36 3E: bits 4:3 are the segment */

/* REX (64-bit mode): 0100WRXB. */
#define REX_MASK GENMASK(7, 4)
#define REX_PREFIX 0x40
#define REX_W BIT(3)
#define REX_R BIT(2)
#define REX_X BIT(1)
#define REX_B BIT(0)

/* ModRM and SIB fields. */
#define MODRM_MOD GENMASK(7, 6)
#define MODRM_REG GENMASK(5, 3)
#define MODRM_RM GENMASK(2, 0)
#define SIB_SCALE GENMASK(7, 6)
#define SIB_INDEX GENMASK(5, 3)
#define SIB_BASE GENMASK(2, 0)
#define MOD_INDIRECT 0 /* no displacement (except the special cases) */
#define MOD_DISP8 1
#define MOD_DISP16_32 2
#define MOD_REGISTER 3
#define RM_SIB 4       /* 32/64-bit addressing: a SIB byte follows */
#define RM_DISP32 5    /* with mod 00: disp32 (RIP-relative in 64-bit mode) */
#define SIB_NO_INDEX 4 /* index 100 without REX.X */
#define SIB_NO_BASE 5  /* base 101 with mod 00: disp32, no base */
#define RM16_DISP16 6  /* 16-bit addressing, mod 00: disp16, no base */

/* Opcodes. */
#define OP_MOV_RM8_R8 0x88
#define OP_MOV_RM_R 0x89
#define OP_MOV_R8_RM8 0x8A
#define OP_MOV_R_RM 0x8B
#define OP_MOV_RM8_IMM8 0xC6
#define OP_MOV_RM_IMM 0xC7
#define OP_MOV_AL_MOFFS 0xA0
#define OP_MOV_RAX_MOFFS 0xA1
#define OP_MOV_MOFFS_AL 0xA2
#define OP_MOV_MOFFS_RAX 0xA3
#define OP_MOVSXD 0x63
#define OP_TWO_BYTE 0x0F
#define OP2_MOVZX_8 0xB6
#define OP2_MOVZX_16 0xB7
#define OP2_MOVSX_8 0xBE
#define OP2_MOVSX_16 0xBF

/* Registers by encoding number. */
#define R_AX 0
#define R_BX 3
#define R_SP 4
#define R_BP 5
#define R_SI 6
#define R_DI 7
#define NR_GPRS 16
#define HIGH_BYTE_FIRST 4 /* without REX, 8-bit registers 4..7 are AH CH DH BH */

struct dec {
	const u8 *bytes;
	size_t avail;
	size_t pos;
	unsigned mode;
	bool has_rex;
	u8 rex;
	bool opsize_pfx;
	bool adsize_pfx;
	s8 seg; /* override, or -1 */
	struct emul_insn *out;
};

static int fail(struct dec *d, int err, const char *why)
{
	d->out->why = why;
	return -err;
}

/* The one reader of guest bytes: bounded by avail and by the 15-byte limit. */
static int fetch(struct dec *d, u8 *v)
{
	if (d->pos >= EMUL_MAX_LEN)
		return fail(d, EMUL_ERR_UNSUPPORTED, "longer than 15 bytes");
	if (d->pos >= d->avail)
		return fail(d, EMUL_ERR_TRUNCATED, "truncated");
	*v = d->bytes[d->pos++];
	return 0;
}

/* n little-endian bytes (n <= 8), sign-extended to 64 bits when sign. */
static int fetch_le(struct dec *d, unsigned n, bool sign, u64 *v)
{
	u64 x = 0;

	for (unsigned i = 0; i < n; i++) {
		u8 b;
		int rc = fetch(d, &b);
		if (rc)
			return rc;
		x |= (u64)b << (8 * i);
	}
	if (sign && n && n < 8) {
		u64 bit = BIT(8 * n - 1);
		x = (x ^ bit) - bit;
	}
	*v = x;
	return 0;
}

static u64 size_mask(unsigned size)
{
	if (size == 0)
		return 0;
	return size >= 8 ? ~0ULL : GENMASK(8 * size - 1, 0);
}

/* One legacy prefix: 1 when c is one (and recorded), 0 when it is not, or an error. */
static int legacy_prefix(struct dec *d, u8 c)
{
	switch (c) {
	case PFX_OPSIZE:
		d->opsize_pfx = true;
		return 1;
	case PFX_ADSIZE:
		d->adsize_pfx = true;
		return 1;
	case PFX_SEG_ES:
	case PFX_SEG_CS:
	case PFX_SEG_SS:
	case PFX_SEG_DS:
		d->seg = (s8)FIELD_GET(PFX_SEG_CLASSIC, c);
		return 1;
	case PFX_SEG_FS:
		d->seg = EMUL_SEG_FS;
		return 1;
	case PFX_SEG_GS:
		d->seg = EMUL_SEG_GS;
		return 1;
	case PFX_LOCK:
		return fail(d, EMUL_ERR_UNSUPPORTED, "LOCK prefix");
	case PFX_REPNE:
	case PFX_REP:
		return fail(d, EMUL_ERR_UNSUPPORTED, "REP/REPNE prefix");
	default:
		return 0;
	}
}

/* Legacy prefixes and REX, up to the opcode byte. */
static int parse_prefixes(struct dec *d, u8 *op)
{
	for (;;) {
		u8 c;
		int rc = fetch(d, &c);
		if (rc)
			return rc;
		if (d->mode == 64 && (c & REX_MASK) == REX_PREFIX) {
			d->has_rex = true;
			d->rex = c;
			continue;
		}
		rc = legacy_prefix(d, c);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			*op = c;
			return 0;
		}
		/* A REX only counts right before the opcode. */
		d->has_rex = false;
		d->rex = 0;
	}
}

static u8 operand_size(const struct dec *d)
{
	if (d->rex & REX_W)
		return 8;
	return d->opsize_pfx ? 2 : 4;
}

static u8 address_size(const struct dec *d)
{
	if (d->mode == 64)
		return d->adsize_pfx ? 4 : 8;
	if (d->mode == 16)
		return d->adsize_pfx ? 4 : 2;
	return d->adsize_pfx ? 2 : 4;
}

static u8 rex_bit(const struct dec *d, u8 bit)
{
	return (d->rex & bit) ? 8 : 0;
}

/* 16-bit addressing (32-bit mode with 67): fixed base/index pairs, no SIB. */
static int modrm_16(struct dec *d, u8 mod, u8 rm)
{
	static const u8 base16[8] = { R_BX,	     R_BX,	    R_BP, R_BP,
				      EMUL_REG_NONE, EMUL_REG_NONE, R_BP, R_BX };
	static const u8 index16[8] = { R_SI, R_DI, R_SI,	  R_DI,
				       R_SI, R_DI, EMUL_REG_NONE, EMUL_REG_NONE };
	struct emul_mem *m = &d->out->mem;
	unsigned disp_len = mod == MOD_DISP8 ? 1 : mod == MOD_DISP16_32 ? 2 : 0;

	m->base = base16[rm];
	m->index = index16[rm];
	if (mod == MOD_INDIRECT && rm == RM16_DISP16) {
		m->base = EMUL_REG_NONE;
		disp_len = 2;
	}
	return fetch_le(d, disp_len, true, &m->disp);
}

/* 32- and 64-bit addressing: ModRM r/m, optional SIB, disp8/disp32, RIP-relative. */
static int modrm_32_64(struct dec *d, u8 mod, u8 rm)
{
	struct emul_mem *m = &d->out->mem;
	unsigned disp_len = mod == MOD_DISP8 ? 1 : mod == MOD_DISP16_32 ? 4 : 0;

	if (rm == RM_SIB) {
		u8 sib;
		int rc = fetch(d, &sib);
		if (rc)
			return rc;
		u8 index = (u8)(FIELD_GET(SIB_INDEX, sib) | rex_bit(d, REX_X));
		u8 base = (u8)FIELD_GET(SIB_BASE, sib);
		if (index != SIB_NO_INDEX) {
			m->index = index;
			m->scale = (u8)(1u << FIELD_GET(SIB_SCALE, sib));
		}
		if (base == SIB_NO_BASE && mod == MOD_INDIRECT)
			disp_len = 4;
		else
			m->base = (u8)(base | rex_bit(d, REX_B));
	} else if (rm == RM_DISP32 && mod == MOD_INDIRECT) {
		disp_len = 4;
		m->rip_rel = d->mode == 64;
	} else {
		m->base = (u8)(rm | rex_bit(d, REX_B));
	}
	return fetch_le(d, disp_len, true, &m->disp);
}

/* The memory operand a ModRM byte (mod != 3) names, with its SIB and displacement. */
static int parse_mem(struct dec *d, u8 modrm)
{
	u8 mod = (u8)FIELD_GET(MODRM_MOD, modrm);
	u8 rm = (u8)FIELD_GET(MODRM_RM, modrm);

	if (address_size(d) == 2)
		return modrm_16(d, mod, rm);
	return modrm_32_64(d, mod, rm);
}

/* ModRM with a memory operand; *reg gets the reg field extended by REX.R. */
static int parse_modrm(struct dec *d, u8 *reg)
{
	u8 modrm;
	int rc = fetch(d, &modrm);
	if (rc)
		return rc;
	if (FIELD_GET(MODRM_MOD, modrm) == MOD_REGISTER)
		return fail(d, EMUL_ERR_UNSUPPORTED, "register operand (no memory access)");
	*reg = (u8)(FIELD_GET(MODRM_REG, modrm) | rex_bit(d, REX_R));
	return parse_mem(d, modrm);
}

/* The register operand of an 8-bit MOV: without REX, 4..7 are AH CH DH BH. */
static void set_reg8(struct dec *d, u8 reg)
{
	struct emul_insn *o = d->out;

	o->reg = reg;
	if (!d->has_rex && reg >= HIGH_BYTE_FIRST && reg < 8) {
		o->reg = (u8)(reg - HIGH_BYTE_FIRST);
		o->high_byte = true;
	}
}

/* 88 89 8A 8B: MOV between a register and memory. */
static int dec_mov_reg(struct dec *d, u8 size, bool write)
{
	struct emul_insn *o = d->out;
	u8 reg;
	int rc = parse_modrm(d, &reg);
	if (rc)
		return rc;
	o->size = size;
	o->dst_size = size;
	o->write = write;
	if (size == 1)
		set_reg8(d, reg);
	else
		o->reg = reg;
	return 0;
}

/* C6 /0 ib, C7 /0 iw/id: MOV memory, immediate. */
static int dec_mov_imm(struct dec *d, u8 size)
{
	struct emul_insn *o = d->out;
	u8 reg;
	int rc = parse_modrm(d, &reg);
	if (rc)
		return rc;
	if ((reg & 7) != 0)
		return fail(d, EMUL_ERR_UNSUPPORTED, "C6/C7 with reg field other than /0");
	/* A 64-bit store takes a sign-extended imm32. */
	rc = fetch_le(d, size == 8 ? 4 : size, true, &o->imm);
	if (rc)
		return rc;
	o->imm &= size_mask(size);
	o->size = size;
	o->dst_size = size;
	o->write = true;
	o->has_imm = true;
	return 0;
}

/* A0-A3: MOV AL/rAX to or from an absolute offset as wide as the address size. */
static int dec_mov_moffs(struct dec *d, u8 size, bool write)
{
	struct emul_insn *o = d->out;
	int rc = fetch_le(d, address_size(d), false, &o->mem.disp);
	if (rc)
		return rc;
	o->size = size;
	o->dst_size = size;
	o->write = write;
	o->reg = R_AX;
	return 0;
}

/* MOVZX, MOVSX and MOVSXD: a load of src bytes extended into a dst-byte register. */
static int dec_mov_ext(struct dec *d, u8 src, u8 dst, u8 ext)
{
	struct emul_insn *o = d->out;
	u8 reg;
	int rc = parse_modrm(d, &reg);
	if (rc)
		return rc;
	o->reg = reg;
	o->size = src;
	o->dst_size = dst;
	o->ext = src < dst ? ext : EMUL_EXT_NONE;
	o->write = false;
	return 0;
}

static int dec_two_byte(struct dec *d)
{
	u8 op;
	int rc = fetch(d, &op);
	if (rc)
		return rc;
	d->out->opcode = op;
	d->out->two_byte = true;
	switch (op) {
	case OP2_MOVZX_8:
		return dec_mov_ext(d, 1, operand_size(d), EMUL_EXT_ZERO);
	case OP2_MOVZX_16:
		return dec_mov_ext(d, 2, operand_size(d), EMUL_EXT_ZERO);
	case OP2_MOVSX_8:
		return dec_mov_ext(d, 1, operand_size(d), EMUL_EXT_SIGN);
	case OP2_MOVSX_16:
		return dec_mov_ext(d, 2, operand_size(d), EMUL_EXT_SIGN);
	default:
		return fail(d, EMUL_ERR_UNSUPPORTED, "two-byte opcode not emulated");
	}
}

static int dec_opcode(struct dec *d, u8 op)
{
	u8 osz = operand_size(d);

	d->out->opcode = op;
	switch (op) {
	case OP_MOV_RM8_R8:
		return dec_mov_reg(d, 1, true);
	case OP_MOV_RM_R:
		return dec_mov_reg(d, osz, true);
	case OP_MOV_R8_RM8:
		return dec_mov_reg(d, 1, false);
	case OP_MOV_R_RM:
		return dec_mov_reg(d, osz, false);
	case OP_MOV_RM8_IMM8:
		return dec_mov_imm(d, 1);
	case OP_MOV_RM_IMM:
		return dec_mov_imm(d, osz);
	case OP_MOV_AL_MOFFS:
		return dec_mov_moffs(d, 1, false);
	case OP_MOV_RAX_MOFFS:
		return dec_mov_moffs(d, osz, false);
	case OP_MOV_MOFFS_AL:
		return dec_mov_moffs(d, 1, true);
	case OP_MOV_MOFFS_RAX:
		return dec_mov_moffs(d, osz, true);
	case OP_MOVSXD:
		/* ARPL outside 64-bit mode. */
		if (d->mode != 64)
			return fail(d, EMUL_ERR_UNSUPPORTED, "opcode not emulated");
		return dec_mov_ext(d, osz == 8 ? 4 : osz, osz, EMUL_EXT_SIGN);
	case OP_TWO_BYTE:
		return dec_two_byte(d);
	default:
		return fail(d, EMUL_ERR_UNSUPPORTED, "opcode not emulated");
	}
}

/* The segment: an override (only FS and GS count in 64-bit mode), else DS or SS. */
static u8 effective_seg(const struct dec *d)
{
	const struct emul_mem *m = &d->out->mem;

	if (d->seg >= 0 && (d->mode != 64 || d->seg >= EMUL_SEG_FS))
		return (u8)d->seg;
	if (m->base == R_SP || m->base == R_BP)
		return EMUL_SEG_SS;
	return EMUL_SEG_DS;
}

int emul_decode(const u8 *bytes, size_t avail, unsigned mode_bits, struct emul_insn *out)
{
	struct dec d = { .bytes = bytes, .avail = avail, .mode = mode_bits, .seg = -1, .out = out };
	u8 op;
	int rc;

	memset(out, 0, sizeof(*out));
	out->mode_bits = (u8)mode_bits;
	out->mem.base = EMUL_REG_NONE;
	out->mem.index = EMUL_REG_NONE;
	out->mem.scale = 1;
	if (mode_bits != 32 && mode_bits != 64)
		return fail(&d, EMUL_ERR_UNSUPPORTED, "CPU mode not emulated");
	rc = parse_prefixes(&d, &op);
	if (!rc)
		rc = dec_opcode(&d, op);
	if (rc)
		return rc;
	out->len = (u8)d.pos;
	out->mem.addr_size = address_size(&d);
	out->mem.seg = effective_seg(&d);
	return 0;
}

u64 emul_store_value(const u64 gpr[16], const struct emul_insn *in)
{
	u64 v;

	if (in->has_imm)
		v = in->imm;
	else if (in->high_byte)
		v = gpr[in->reg % NR_GPRS] >> 8;
	else
		v = gpr[in->reg % NR_GPRS];
	return v & size_mask(in->size);
}

static u64 merge(u64 old, u64 v, u64 mask)
{
	return (old & ~mask) | (v & mask);
}

void emul_load_apply(u64 gpr[16], const struct emul_insn *in, u64 value)
{
	u64 *dst = &gpr[in->reg % NR_GPRS];
	u64 v = value & size_mask(in->size);

	if (in->ext == EMUL_EXT_SIGN && in->size && in->size < 8) {
		u64 bit = BIT(8 * in->size - 1);
		v = (v ^ bit) - bit;
	}
	switch (in->dst_size) {
	case 1:
		if (in->high_byte)
			*dst = merge(*dst, v << 8, GENMASK(15, 8));
		else
			*dst = merge(*dst, v, GENMASK(7, 0));
		break;
	case 2:
		*dst = merge(*dst, v, GENMASK(15, 0));
		break;
	case 4:
		/* 32-bit results zero-extend into the whole register. */
		*dst = v & GENMASK(31, 0);
		break;
	default:
		*dst = v;
		break;
	}
}

static u64 mem_offset(const u64 gpr[16], const struct emul_mem *m, u64 next_rip)
{
	u64 off = m->disp;

	if (m->base != EMUL_REG_NONE)
		off += gpr[m->base % NR_GPRS];
	if (m->index != EMUL_REG_NONE)
		off += gpr[m->index % NR_GPRS] * m->scale;
	if (m->rip_rel)
		off += next_rip;
	return off & size_mask(m->addr_size);
}

u64 emul_mem_offset(const u64 gpr[16], const struct emul_insn *in, u64 rip)
{
	return mem_offset(gpr, &in->mem, rip + in->len);
}

/* ---------------------------------------------------------------- system instructions */

/*
 * The control-register instructions a shadow-paged SVM guest exits on
 * without the CPU saying which form or register it was (no decode assists):
 *
 *   0F 20 /r  MOV r, CRn      0F 22 /r  MOV CRn, r     (reg = CR, r/m = GPR,
 *                                                        mod ignored: always
 *                                                        a register operand)
 *   0F 06     CLTS            0F 01 /4  SMSW r/m       0F 01 /6  LMSW r/m16
 *   0F 01 /7  INVLPG m        (mod = 3 there is SWAPGS, RDTSCP, ...: refused)
 */
#define OP2_GROUP7 0x01
#define OP2_CLTS 0x06
#define OP2_MOV_FROM_CR 0x20
#define OP2_MOV_TO_CR 0x22
#define GRP7_SMSW 4
#define GRP7_LMSW 6
#define GRP7_INVLPG 7

/* Register operands are as wide as the operand size; 16-bit code's default is 16. */
static u8 sys_operand_size(const struct dec *d)
{
	if (d->mode == 16)
		return d->opsize_pfx ? 4 : 2;
	return operand_size(d);
}

/* 0F 01 /4, /6, /7: the reg field picks the instruction, r/m is its operand. */
static int dec_group7(struct dec *d, struct emul_sys *s)
{
	u8 modrm;
	int rc = fetch(d, &modrm);
	if (rc)
		return rc;
	bool mem = FIELD_GET(MODRM_MOD, modrm) != MOD_REGISTER;

	switch (FIELD_GET(MODRM_REG, modrm)) {
	case GRP7_SMSW:
		s->op = EMUL_SYS_SMSW;
		s->size = mem ? 2 : sys_operand_size(d); /* memory: always a word */
		break;
	case GRP7_LMSW:
		s->op = EMUL_SYS_LMSW;
		s->size = 2;
		break;
	case GRP7_INVLPG:
		if (!mem)
			return fail(d, EMUL_ERR_UNSUPPORTED,
				    "0F 01 /7 with a register is not INVLPG");
		s->op = EMUL_SYS_INVLPG;
		s->size = 1;
		break;
	default:
		return fail(d, EMUL_ERR_UNSUPPORTED, "0F 01 form not decoded");
	}
	s->mem_op = mem;
	if (!mem) {
		s->reg = (u8)(FIELD_GET(MODRM_RM, modrm) | rex_bit(d, REX_B));
		return 0;
	}
	return parse_mem(d, modrm);
}

/* 0F 20 / 0F 22: MOV to or from a control register; 32 bits wide, 64 in 64-bit mode. */
static int dec_mov_cr(struct dec *d, struct emul_sys *s, bool to_cr)
{
	u8 modrm;
	int rc = fetch(d, &modrm);
	if (rc)
		return rc;
	s->op = to_cr ? EMUL_SYS_MOV_TO_CR : EMUL_SYS_MOV_FROM_CR;
	s->cr = (u8)(FIELD_GET(MODRM_REG, modrm) | rex_bit(d, REX_R));
	s->reg = (u8)(FIELD_GET(MODRM_RM, modrm) | rex_bit(d, REX_B));
	s->size = d->mode == 64 ? 8 : 4;
	return 0;
}

static int dec_sys(struct dec *d, u8 op, struct emul_sys *s)
{
	u8 op2;
	int rc;

	if (op != OP_TWO_BYTE)
		return fail(d, EMUL_ERR_UNSUPPORTED, "not a control-register instruction");
	rc = fetch(d, &op2);
	if (rc)
		return rc;
	switch (op2) {
	case OP2_CLTS:
		s->op = EMUL_SYS_CLTS;
		return 0;
	case OP2_MOV_FROM_CR:
	case OP2_MOV_TO_CR:
		return dec_mov_cr(d, s, op2 == OP2_MOV_TO_CR);
	case OP2_GROUP7:
		return dec_group7(d, s);
	default:
		return fail(d, EMUL_ERR_UNSUPPORTED, "not a control-register instruction");
	}
}

int emul_decode_sys(const u8 *bytes, size_t avail, unsigned mode_bits, struct emul_sys *out)
{
	/* The shared ModRM code fills an emul_insn; its mem part is copied out. */
	struct emul_insn scratch;
	struct dec d = {
		.bytes = bytes, .avail = avail, .mode = mode_bits, .seg = -1, .out = &scratch
	};
	u8 op = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&scratch, 0, sizeof(scratch));
	scratch.mem.base = EMUL_REG_NONE;
	scratch.mem.index = EMUL_REG_NONE;
	scratch.mem.scale = 1;
	if (mode_bits != 16 && mode_bits != 32 && mode_bits != 64)
		rc = fail(&d, EMUL_ERR_UNSUPPORTED, "CPU mode not emulated");
	else
		rc = parse_prefixes(&d, &op);
	if (!rc)
		rc = dec_sys(&d, op, out);
	out->why = scratch.why;
	if (rc)
		return rc;
	out->len = (u8)d.pos;
	out->mode_bits = (u8)mode_bits;
	scratch.mem.addr_size = address_size(&d);
	scratch.mem.seg = effective_seg(&d);
	out->mem = scratch.mem;
	return 0;
}

u64 emul_sys_mem_offset(const u64 gpr[16], const struct emul_sys *s, u64 rip)
{
	return mem_offset(gpr, &s->mem, rip + s->len);
}

size_t emul_format_bytes(const u8 *bytes, size_t n, char *buf, size_t buflen)
{
	static const char hex[] = "0123456789abcdef";
	size_t pos = 0;

	if (!buflen)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t need = i ? 3 : 2;
		if (pos + need + 1 > buflen)
			break;
		if (i)
			buf[pos++] = ' ';
		buf[pos++] = hex[bytes[i] >> 4];
		buf[pos++] = hex[bytes[i] & 0xF];
	}
	buf[pos] = '\0';
	return pos;
}

const char *emul_strerror(int err)
{
	if (err == 0)
		return "ok";
	if (err == -EMUL_ERR_TRUNCATED)
		return "truncated";
	return "unsupported";
}
