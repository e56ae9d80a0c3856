/* test_cmdline.c: unit tests of command-line, module option and size parsing (core/cmdline.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "compiler.h"
#include "core/cmdline.h"
#include "fake_log.h"

static void reset_log(void)
{
	fake_log_reset();
}

TestSuite(cmdline, .init = reset_log);
TestSuite(module_opts, .init = reset_log);
TestSuite(parse_size, .init = reset_log);

static void assert_defaults(const struct umbra_config *cfg)
{
	cr_assert_eq(cfg->console, CONSOLE_COM1);
	cr_assert_eq(cfg->log_level, LOG_INFO);
	cr_assert_eq(cfg->tdp, true);
	cr_assert_eq(cfg->exit, EXIT_AUTO);
	cr_assert_eq(cfg->selftest, SELFTEST_NONE);
}

/* Parse line over the defaults with a fresh log; asserts the number of problems. */
static struct umbra_config parse(const char *line, int problems)
{
	struct umbra_config cfg;

	fake_log_reset();
	cmdline_defaults(&cfg);
	cr_assert_eq(cmdline_parse(line, &cfg), problems, "'%s': log:\n%s", line, fake_log_text());
	cr_assert_eq(fake_log_count(LOG_WARN), problems, "'%s'", line);
	return cfg;
}

Test(cmdline, defaults)
{
	struct umbra_config cfg;

	memset(&cfg, 0x5a, sizeof(cfg));
	cmdline_defaults(&cfg);
	assert_defaults(&cfg);
}

Test(cmdline, empty_and_whitespace_lines)
{
	const char *lines[] = {
		"", " ", "\t", "  \t \t  ", "\r\n", "/boot/umbra.elf", "  /boot/umbra.elf  \t"
	};
	struct umbra_config cfg;

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		cfg = parse(lines[i], 0);
		assert_defaults(&cfg);
	}
	cmdline_defaults(&cfg);
	cr_assert_eq(cmdline_parse(NULL, &cfg), 0);
	assert_defaults(&cfg);
}

Test(cmdline, console_values)
{
	const struct {
		const char *line;
		enum console_kind want;
	} cases[] = {
		{ "console=com1", CONSOLE_COM1 }, { "console=com2", CONSOLE_COM2 },
		{ "console=com3", CONSOLE_COM3 }, { "console=com4", CONSOLE_COM4 },
		{ "console=none", CONSOLE_NONE },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		cr_assert_eq(parse(cases[i].line, 0).console, cases[i].want, "%s", cases[i].line);
}

Test(cmdline, log_values)
{
	cr_assert_eq(parse("log=error", 0).log_level, LOG_ERROR);
	cr_assert_eq(parse("log=warn", 0).log_level, LOG_WARN);
	cr_assert_eq(parse("log=info", 0).log_level, LOG_INFO);
	cr_assert_eq(parse("log=debug", 0).log_level, LOG_DEBUG);
}

Test(cmdline, tdp_exit_selftest_values)
{
	cr_assert_eq(parse("tdp=off", 0).tdp, false);
	cr_assert_eq(parse("tdp=off tdp=on", 0).tdp, true);
	cr_assert_eq(parse("exit=auto", 0).exit, EXIT_AUTO);
	cr_assert_eq(parse("exit=qemu", 0).exit, EXIT_QEMU);
	cr_assert_eq(parse("exit=bochs", 0).exit, EXIT_BOCHS);
	cr_assert_eq(parse("exit=halt", 0).exit, EXIT_HALT);
	cr_assert_eq(parse("selftest=pagefault", 0).selftest, SELFTEST_PAGEFAULT);
	cr_assert_eq(parse("selftest=pagefault selftest=none", 0).selftest, SELFTEST_NONE);
}

Test(cmdline, all_options_together)
{
	struct umbra_config cfg = parse(
		"/boot/umbra.elf\tconsole=com2  log=debug tdp=off\texit=bochs selftest=pagefault\n",
		0);

	cr_assert_eq(cfg.console, CONSOLE_COM2);
	cr_assert_eq(cfg.log_level, LOG_DEBUG);
	cr_assert_eq(cfg.tdp, false);
	cr_assert_eq(cfg.exit, EXIT_BOCHS);
	cr_assert_eq(cfg.selftest, SELFTEST_PAGEFAULT);
}

Test(cmdline, bad_values_named_with_choices)
{
	const struct {
		const char *line, *msg;
	} cases[] = {
		{ "tdp=maybe", "cmdline: bad value 'maybe' for tdp= (use on|off)" },
		{ "console=com5",
		  "cmdline: bad value 'com5' for console= (use com1|com2|com3|com4|none)" },
		{ "console=COM1",
		  "cmdline: bad value 'COM1' for console= (use com1|com2|com3|com4|none)" },
		{ "log=verbose",
		  "cmdline: bad value 'verbose' for log= (use error|warn|info|debug)" },
		{ "exit=", "cmdline: bad value '' for exit= (use auto|qemu|bochs|halt)" },
		{ "selftest=pagefaults",
		  "cmdline: bad value 'pagefaults' for selftest= (use pagefault|none)" },
		{ "tdp=on=off", "cmdline: bad value 'on=off' for tdp= (use on|off)" },
		{ "log=de", "cmdline: bad value 'de' for log=" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct umbra_config cfg;

		fake_log_reset();
		cfg = parse(cases[i].line, 1);
		assert_defaults(&cfg); /* a bad value leaves the field as it was */
		cr_assert(fake_log_contains(cases[i].msg), "want '%s', log:\n%s", cases[i].msg,
			  fake_log_text());
	}
}

Test(cmdline, bad_value_keeps_previous_setting)
{
	struct umbra_config cfg = parse("log=debug log=loud console=com3 console=", 2);

	cr_assert_eq(cfg.log_level, LOG_DEBUG);
	cr_assert_eq(cfg.console, CONSOLE_COM3);
}

Test(cmdline, unknown_options_reported_by_name)
{
	struct umbra_config cfg = parse("/boot/umbra.elf foo=bar log=warn quiet Tdp=on =x tdp", 5);

	cr_assert_eq(cfg.log_level, LOG_WARN);
	cr_assert(fake_log_contains("cmdline: unknown option 'foo=bar' ignored"), "%s",
		  fake_log_text());
	cr_assert(fake_log_contains("cmdline: unknown option 'quiet' ignored"));
	cr_assert(fake_log_contains("cmdline: unknown option 'Tdp=on' ignored"));
	cr_assert(fake_log_contains("cmdline: unknown option '=x' ignored"));
	cr_assert(fake_log_contains("cmdline: unknown option 'tdp' ignored"));
	cr_assert(!fake_log_contains("umbra.elf"));
}

Test(cmdline, first_word_skipped_only_without_equals)
{
	/* The first word is an option when it has '='. */
	cr_assert_eq(parse("log=debug", 0).log_level, LOG_DEBUG);
	cr_assert_eq(parse("  log=error  ", 0).log_level, LOG_ERROR);
	/* Only the first bare word is the path; the second is unknown. */
	parse("/boot/umbra.elf /boot/other.elf", 1);
	cr_assert(fake_log_contains("unknown option '/boot/other.elf'"));
	/* A path after an option is not skipped either. */
	fake_log_reset();
	parse("log=info /boot/umbra.elf", 1);
	cr_assert(fake_log_contains("unknown option '/boot/umbra.elf'"));
}

Test(cmdline, very_long_words)
{
	static char line[4096];
	struct umbra_config cfg;
	char prefix[40];
	size_t n = 0;

	n += (size_t)snprintf(line + n, sizeof(line) - n, "/");
	for (int i = 0; i < 1000; i++)
		line[n++] = 'p';
	line[n++] = ' ';
	for (int i = 0; i < 1000; i++)
		line[n++] = 'x';
	n += (size_t)snprintf(line + n, sizeof(line) - n, "=1 tdp=");
	for (int i = 0; i < 1000; i++)
		line[n++] = 'o';
	n += (size_t)snprintf(line + n, sizeof(line) - n, " log=debug");
	line[n] = '\0';

	cfg = parse(line, 2);
	cr_assert_eq(cfg.log_level, LOG_DEBUG);
	cr_assert_eq(cfg.tdp, true);
	memset(prefix, 'x', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	cr_assert(fake_log_contains(prefix), "%s", fake_log_text());
	cr_assert(fake_log_contains("...' ignored"), "%s", fake_log_text());
	cr_assert(fake_log_contains("...' for tdp= (use on|off)"), "%s", fake_log_text());
	cr_assert_lt(strlen(fake_log_text()), 400);
}

Test(cmdline, unprintable_bytes_not_echoed)
{
	parse("\x1b[2J=1", 1);
	cr_assert(fake_log_contains("unknown option '?[2J=1'"), "%s", fake_log_text());
}

/* ---------------------------------------------------------------- modules */

static struct module_opts mod(const char *line, int problems)
{
	struct module_opts m;

	fake_log_reset();
	memset(&m, 0x5a, sizeof(m));
	cr_assert_eq(module_opts_parse(line, &m), problems, "'%s': log:\n%s", line,
		     fake_log_text());
	cr_assert_eq(fake_log_count(LOG_WARN), problems, "'%s'", line);
	cr_assert_lt(strlen(m.name), MODULE_NAME_MAX);
	return m;
}

Test(module_opts, defaults_from_path)
{
	const struct {
		const char *line, *name;
	} cases[] = {
		{ "/guests/hello.elf", "hello" },
		{ "hello.elf", "hello" },
		{ "/guests/kernel", "kernel" },
		{ "/guests/bundle.tar.gz", "bundle.tar" },
		{ "/guests/.hidden", ".hidden" },
		{ "(hd0,msdos1)/boot/guest-2_a.bin", "guest-2_a" },
		{ "/g/my+guest.elf", "my_guest" },
		{ "/guests/", "guest" },
		{ "", "guest" },
		{ "   ", "guest" },
		{ "/a/0123456789012345678901234567890123456789.elf",
		  "0123456789012345678901234567890" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct module_opts m = mod(cases[i].line, 0);

		cr_assert_str_eq(m.name, cases[i].name, "'%s'", cases[i].line);
		cr_assert_eq(m.mem, MiB(64));
	}
	cr_assert_str_eq(mod(NULL, 0).name, "guest");
}

Test(module_opts, name_and_mem)
{
	struct module_opts m = mod("/guests/hello.elf name=web-1.a_B mem=128M", 0);

	cr_assert_str_eq(m.name, "web-1.a_B");
	cr_assert_eq(m.mem, MiB(128));
	cr_assert_eq(mod("/g/x name=abcdefghijklmnopqrstuvwxyz01234", 0).name[30], '4');
	cr_assert_eq(mod("/g/x mem=1M", 0).mem, MiB(1));
	cr_assert_eq(mod("/g/x mem=1T", 0).mem, GiB(1024));
	cr_assert_eq(mod("/g/x mem=2g", 0).mem, GiB(2));
	cr_assert_eq(mod("/g/x mem=0x100000", 0).mem, MiB(1));
	cr_assert_eq(mod("/g/x mem=1028K", 0).mem, KiB(1028));
	cr_assert_eq(mod("/g/x mem=8M mem=16M", 0).mem, MiB(16));
	/* No path: the first word is an option. */
	m = mod("name=solo mem=32M", 0);
	cr_assert_str_eq(m.name, "solo");
	cr_assert_eq(m.mem, MiB(32));
}

Test(module_opts, bad_names_fall_back)
{
	const char *bad[] = {
		"name=",    "name=has/slash", "name=sp@ce", "name=abcdefghijklmnopqrstuvwxyz012345",
		"name=a=b",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[128], want[128];
		struct module_opts m;

		fake_log_reset();
		snprintf(line, sizeof(line), "/guests/hello.elf %s mem=2M", bad[i]);
		m = mod(line, 1);
		cr_assert_str_eq(m.name, "hello", "%s", line);
		cr_assert_eq(m.mem, MiB(2));
		snprintf(want, sizeof(want), "module hello: bad value '%s' for name=", bad[i] + 5);
		cr_assert(fake_log_contains(want), "want '%s', log:\n%s", want, fake_log_text());
	}
	/* A bad name after a good one keeps the good one. */
	fake_log_reset();
	cr_assert_str_eq(mod("/g/x.elf name=ok name=n%t", 1).name, "ok");
}

Test(module_opts, bad_mem_keeps_default)
{
	const char *bad[] = { "abc",
			      "",
			      "512K",
			      "1025K",
			      "0",
			      "2T",
			      "1T1",
			      "0x1000800",
			      "64MB",
			      "-64M",
			      "99999999999999999999M",
			      "1048577K" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[128], want[128];
		struct module_opts m;

		fake_log_reset();
		snprintf(line, sizeof(line), "/guests/hello.elf mem=%s", bad[i]);
		m = mod(line, 1);
		cr_assert_eq(m.mem, MiB(64), "%s", line);
		snprintf(want, sizeof(want), "module hello: bad value '%s' for mem=", bad[i]);
		cr_assert(fake_log_contains(want), "want '%s', log:\n%s", want, fake_log_text());
	}
}

Test(module_opts, unknown_and_reserved_options)
{
	struct module_opts m =
		mod("/guests/hello.elf tdp=on ipa=40 cpus=2 foo=1 verbose mem=8M", 2);

	cr_assert_eq(m.mem, MiB(8));
	cr_assert(fake_log_contains("module hello: unknown option 'foo=1' ignored"), "%s",
		  fake_log_text());
	cr_assert(fake_log_contains("module hello: unknown option 'verbose' ignored"));
	cr_assert(!fake_log_contains("tdp"));
	/* A reserved name without '=' is still unknown. */
	fake_log_reset();
	mod("/guests/hello.elf cpus", 1);
	cr_assert(fake_log_contains("unknown option 'cpus'"));
}

Test(module_opts, whole_command_line_parse)
{
	struct module_opts m;
	const char *line = "/g/vm.elf name=vm mem=8M -- root=/dev/vda quiet";

	fake_log_reset();
	cr_assert_eq(module_cmdline_parse(line, &m), 0, "%s", fake_log_text());
	cr_assert_str_eq(m.name, "vm");
	cr_assert_eq(m.mem, MiB(8));
	cr_assert_str_eq(m.guest_cmdline, "root=/dev/vda quiet");
	cr_assert(m.guest_cmdline > line && m.guest_cmdline < line + strlen(line),
		  "the guest's part points into the module's line");
	cr_assert_eq(module_cmdline_parse("/g/vm.elf", &m), 0);
	cr_assert_str_eq(m.guest_cmdline, "");
	/* Words after "--" are the guest's: never reported as umbra options. */
	fake_log_reset();
	cr_assert_eq(module_cmdline_parse("/g/vm.elf -- bogus=1", &m), 0);
	cr_assert_eq(fake_log_count(LOG_WARN), 0, "%s", fake_log_text());
}

Test(module_opts, slices_budget)
{
	cr_assert_eq(mod("/g/x.elf", 0).slices, 0, "no limit by default");
	cr_assert_eq(mod("/g/x.elf slices=40", 0).slices, 40);
	fake_log_reset();
	cr_assert_eq(mod("/g/x.elf slices=40 slices=0", 1).slices, 40);
	cr_assert(fake_log_contains("module x: bad value '0' for slices="), "%s", fake_log_text());
	cr_assert_eq(mod("/g/x.elf slices=lots", 1).slices, 0);
}

Test(module_opts, ipa_width)
{
	const char *bad[] = { "31", "53", "0", "abc", "", "40K", "-40" };

	cr_assert_eq(mod("/guests/vm.img", 0).ipa_bits, 0, "no ipa=: the default");
	cr_assert_eq(mod("/guests/vm.img ipa=40", 0).ipa_bits, 40);
	cr_assert_eq(mod("/guests/vm.img ipa=32", 0).ipa_bits, 32);
	cr_assert_eq(mod("/guests/vm.img ipa=52", 0).ipa_bits, 52);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[64], want[96];
		fake_log_reset();
		snprintf(line, sizeof(line), "/guests/vm.img ipa=44 ipa=%s", bad[i]);
		cr_assert_eq(mod(line, 1).ipa_bits, 44, "%s: the good value stays", line);
		snprintf(want, sizeof(want),
			 "module vm: bad value '%s' for ipa= (use 32 to 52 bits)", bad[i]);
		cr_assert(fake_log_contains(want), "want '%s', log:\n%s", want, fake_log_text());
	}
}

Test(module_opts, tdp_on_off)
{
	const char *bad[] = { "", "ON", "yes", "1", "0", "onn", "o", "off,on" };
	struct module_opts m = mod("/g/x.elf", 0);

	cr_assert_eq(m.tdp, TDP_DEFAULT, "no tdp=: umbra's own tdp= decides");
	cr_assert_eq(m.shadow_pages, 0, "no shadow_pages=: the default budget");
	cr_assert_eq(mod("/g/x.elf tdp=on", 0).tdp, TDP_ON);
	cr_assert_eq(mod("/g/x.elf tdp=off", 0).tdp, TDP_OFF);
	cr_assert_eq(mod("/g/x.elf tdp=off tdp=on", 0).tdp, TDP_ON, "the last one wins");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[64], want[96];
		snprintf(line, sizeof(line), "/g/x.elf tdp=off tdp=%s", bad[i]);
		cr_assert_eq(mod(line, 1).tdp, TDP_OFF, "%s: the good value stays", line);
		snprintf(want, sizeof(want), "module x: bad value '%s' for tdp= (use on|off)",
			 bad[i]);
		cr_assert(fake_log_contains(want), "want '%s', log:\n%s", want, fake_log_text());
	}
	/* A bare "tdp" is no option. */
	mod("/g/x.elf tdp", 1);
	cr_assert(fake_log_contains("module x: unknown option 'tdp' ignored"), "%s",
		  fake_log_text());
}

Test(module_opts, shadow_page_budget)
{
	const char *bad[] = { "0",     "15",  "1048577", "-16",	       "",   "16K",
			      "0x100", "abc", "+32",	 "9999999999", "1e3" };

	cr_assert_eq(mod("/g/x.elf shadow_pages=16", 0).shadow_pages, 16, "SHADOW_MIN_BUDGET");
	cr_assert_eq(mod("/g/x.elf shadow_pages=4096", 0).shadow_pages, 4096);
	cr_assert_eq(mod("/g/x.elf shadow_pages=1048576", 0).shadow_pages, 1048576);
	cr_assert_eq(mod("/g/x.elf shadow_pages=0016", 0).shadow_pages, 16);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char line[80], want[128];
		snprintf(line, sizeof(line), "/g/vm.elf shadow_pages=64 shadow_pages=%s", bad[i]);
		cr_assert_eq(mod(line, 1).shadow_pages, 64, "%s: the good value stays", line);
		snprintf(want, sizeof(want),
			 "module vm: bad value '%s' for shadow_pages= (use 16 to 1048576 pages",
			 bad[i]);
		cr_assert(fake_log_contains(want), "want '%s', log:\n%s", want, fake_log_text());
	}
}

Test(module_opts, tdp_and_budget_reset_per_parse)
{
	struct module_opts m;

	fake_log_reset();
	cr_assert_eq(module_cmdline_parse("/g/a.elf tdp=off shadow_pages=32 -- x", &m), 0);
	cr_assert_eq(m.tdp, TDP_OFF);
	cr_assert_eq(m.shadow_pages, 32);
	cr_assert_eq(module_cmdline_parse("/g/b.elf -- tdp=on shadow_pages=99", &m), 0);
	cr_assert_eq(m.tdp, TDP_DEFAULT, "the guest's words are not umbra's options");
	cr_assert_eq(m.shadow_pages, 0);
}

Test(module_opts, split_at_double_dash)
{
	static const struct {
		const char *line, *opts, *guest;
	} cases[] = {
		{ "/g/hello.elf name=a -- hi there", "/g/hello.elf name=a ", "hi there" },
		{ "name=a mem=8M --   spaced  out ", "name=a mem=8M ", "spaced  out " },
		{ "/g/x.elf --", "/g/x.elf ", "" },
		{ "--", "", "" },
		{ "-- -- twice", "", "-- twice" },
		{ "/g/x.elf name=a--b --c", "/g/x.elf name=a--b --c", "" },
		{ "/g/x.elf name=a\t--\tx", "/g/x.elf name=a\t", "x" },
		{ "", "", "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char opts[64];
		const char *guest = NULL;
		module_cmdline_split(cases[i].line, opts, sizeof(opts), &guest);
		cr_assert_str_eq(opts, cases[i].opts, "case %zu", i);
		cr_assert_str_eq(guest, cases[i].guest, "case %zu", i);
	}
	/* A small buffer cuts the options but not the guest's part. */
	char tiny[5];
	const char *guest;
	module_cmdline_split("abcdefgh -- g", tiny, sizeof(tiny), &guest);
	cr_assert_str_eq(tiny, "abcd");
	cr_assert_str_eq(guest, "g");
}

/* ---------------------------------------------------------------- sizes */

static bool size_of(const char *s, u64 *out)
{
	return parse_size(s, strlen(s), out);
}

Test(parse_size, good_sizes)
{
	const struct {
		const char *s;
		u64 want;
	} cases[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "4K", KiB(4) },
		{ "4k", KiB(4) },
		{ "64M", MiB(64) },
		{ "64m", MiB(64) },
		{ "3G", GiB(3) },
		{ "1T", GiB(1024) },
		{ "2t", GiB(2048) },
		{ "0x1000", 0x1000 },
		{ "0X1000", 0x1000 },
		{ "0xABCdef", 0xabcdef },
		{ "0x10M", MiB(16) },
		{ "0x1g", GiB(1) },
		{ "00000000000000000000000000000042", 42 },
		{ "18446744073709551615", ~0ULL },
		{ "0xffffffffffffffff", ~0ULL },
		{ "0x000000000000000000ffffffffffffffff", ~0ULL },
		{ "17179869183G", 17179869183ULL << 30 },
		{ "16777215T", 16777215ULL << 40 },
		{ "0xfffffT", 0xfffffULL << 40 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		u64 v = 12345;

		cr_assert(size_of(cases[i].s, &v), "'%s'", cases[i].s);
		cr_assert_eq(v, cases[i].want, "'%s' gave %llu", cases[i].s, (unsigned long long)v);
	}
}

Test(parse_size, bad_sizes_and_overflow)
{
	const char *bad[] = {
		"",
		"K",
		"M",
		"0x",
		"0xK",
		"x10",
		"12Q",
		"1MM",
		"1KB",
		"-1",
		"+1",
		" 1",
		"1 ",
		"1.5M",
		"0x1.0",
		"10a",
		"0b101",
		"1e6",
		"18446744073709551616",
		"99999999999999999999999",
		"0x10000000000000000",
		"16777216T",
		"17179869184G",
		"17592186044416M",
		"18014398509481984K",
		"0x1000000T",
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		u64 v = 777;

		cr_assert(!size_of(bad[i], &v), "'%s' accepted as %llu", bad[i],
			  (unsigned long long)v);
		cr_assert_eq(v, 777, "'%s' changed the output", bad[i]);
	}
	cr_assert(!parse_size(NULL, 3, &(u64){ 0 }));
	cr_assert(!parse_size("1", 1, NULL));
}

Test(parse_size, length_bounds_the_input)
{
	u64 v;

	cr_assert(parse_size("64M mem=1", 3, &v));
	cr_assert_eq(v, MiB(64));
	cr_assert(parse_size("64M", 2, &v));
	cr_assert_eq(v, 64);
	cr_assert(!parse_size("64M", 0, &v));
	cr_assert(parse_size("0x", 1, &v));
	cr_assert_eq(v, 0);
	cr_assert(!parse_size("1\0", 2, &v));
}
