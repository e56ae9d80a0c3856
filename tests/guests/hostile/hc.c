/* hc.c: hypercalls with bad arguments: out-of-range lengths and addresses must give -22. */
#include "hostile.h"

struct hc64 {
	u64 nr, a1, a2, result;
};

void hc64_run(struct hc64 *calls);

/* 64 lines of 64 bytes: exactly the largest console write. */
static char max_buf[4096];

static void fill_max_buf(void)
{
	static const char line[] =
		"hostile: HC_CONSOLE_WRITE of exactly 4096 bytes, line xx ......\n";
	const u32 nn = sizeof("hostile: HC_CONSOLE_WRITE of exactly 4096 bytes, line ") - 1;

	for (u32 i = 0; i < 64; i++) {
		memcpy(max_buf + i * 64, line, 64);
		max_buf[i * 64 + nn] = (char)('0' + i / 10);
		max_buf[i * 64 + nn + 1] = (char)('0' + i % 10);
	}
}

static void check_console_args(u64 ram)
{
	static const char msg[] = "hostile: a console write of 16\n";
	u32 r = (u32)ram, buf = (u32)(size_t)msg;
	const struct {
		const char *check;
		u32 addr, len;
	} bad[] = {
		{ "hostile.hc_console_len_4097", buf, 4097 },
		{ "hostile.hc_console_len_huge", buf, 0xffffffff },
		{ "hostile.hc_console_past_ram", r, 16 },
		{ "hostile.hc_console_straddles_ram_end", r - 8, 16 },
		{ "hostile.hc_console_mmio", UMBRA_DEV, 16 },
		{ "hostile.hc_console_wraps_4g", 0xfffffff0, 0x20 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		s32 got = hcall(HC_CONSOLE_WRITE, bad[i].addr, bad[i].len, 0);
		check(got == HC_EINVAL, bad[i].check, "address 0x%x length %u returned %d, want %d",
		      bad[i].addr, bad[i].len, got, HC_EINVAL);
	}
	fill_max_buf();
	check(hcall(HC_CONSOLE_WRITE, (u32)(size_t)max_buf, 4096, 0) == 4096,
	      "hostile.hc_console_len_4096", "the largest allowed write was refused");
}

/* The same from 64-bit code, where the upper halves of RDI and RSI count. */
static void check_console_args64(void)
{
	static struct hc64 calls[5];
	static const char msg[] = "hostile: 64-bit console write\n";
	u32 cr3 = (u32)(size_t)lm_identity();

	calls[0] = (struct hc64){ HC_CONSOLE_WRITE, 1ull << 32, 16, cpu_is_amd() ? 1 : 2 };
	calls[1] = (struct hc64){ HC_CONSOLE_WRITE, ~0ull - 7, 16, 0 };
	calls[2] = (struct hc64){ HC_CONSOLE_WRITE, (u32)(size_t)msg, (1ull << 32) | 16, 0 };
	calls[3] = (struct hc64){ HC_CONSOLE_WRITE, (u32)(size_t)msg, sizeof(msg) - 1, 0 };
	calls[4] = (struct hc64){ ~0ull, 0, 0, 0 };
	if (!cpu_has_long_mode() || !lm_run("hypercalls", (void (*)(void *))hc64_run, calls, cr3))
		return;
	check((s64)calls[0].result == HC_EINVAL, "hostile.hc64_console_at_4g",
	      "address 4 GiB returned %lld", (s64)calls[0].result);
	check((s64)calls[1].result == HC_EINVAL, "hostile.hc64_console_wraps",
	      "address 2^64-8 returned %lld", (s64)calls[1].result);
	check((s64)calls[2].result == HC_EINVAL, "hostile.hc64_console_len_high_bits",
	      "length 2^32+16 returned %lld", (s64)calls[2].result);
	check(calls[3].result == sizeof(msg) - 1, "hostile.hc64_console_ok",
	      "a good write from 64-bit code returned %lld", (s64)calls[3].result);
}

void check_bad_hypercalls(void)
{
	u64 ram = ram_size();

	if (skip_unless_umbra("hostile.bad_hypercalls"))
		return;
	check_console_args(ram);
	check_console_args64();
}
