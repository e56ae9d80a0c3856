/* cmdline.c: the hypervisor's command-line options, guest module options and sizes. */
#include "core/cmdline.h"

#include "compiler.h"
#include "mm/shadow.h" /* SHADOW_MIN_BUDGET */

#define SHOW_MAX 64 /* longest word quoted whole in a message */
#define MODULE_MEM_DEFAULT MiB(64)
#define MODULE_NAME_DEFAULT "guest"	 /* when the path gives no usable name */
#define MODULE_SHADOW_PAGES_MAX 1048576u /* shadow_pages=: 4 GiB of shadow tables */

/* A word of the line: not NUL-terminated. */
struct word {
	const char *s;
	size_t len;
};

/* Walks "path key=value key=value ..." one word at a time. */
struct opt_iter {
	const char *pos;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next word at or after it->pos; false at the end of the line. */
static bool next_word(struct opt_iter *it, struct word *w)
{
	const char *p = it->pos;

	while (*p && is_space(*p))
		p++;
	w->s = p;
	while (*p && !is_space(*p))
		p++;
	w->len = (size_t)(p - w->s);
	it->pos = p;
	return w->len != 0;
}

/* Index of the first c in w, or w->len. */
static size_t word_find(const struct word *w, char c)
{
	size_t i;

	for (i = 0; i < w->len && w->s[i] != c; i++)
		;
	return i;
}

static bool word_is(const struct word *w, const char *lit)
{
	size_t i;

	for (i = 0; i < w->len && lit[i]; i++) {
		if (w->s[i] != lit[i])
			return false;
	}
	return i == w->len && !lit[i];
}

/*
 * Start on a line: the first word is the image path when it holds no '='.
 * *path gets that word, or an empty word when there is none.
 */
static void opt_begin(struct opt_iter *it, const char *line, struct word *path)
{
	struct opt_iter peek;

	it->pos = line ? line : "";
	peek = *it;
	if (next_word(&peek, path) && word_find(path, '=') == path->len)
		*it = peek;
	else
		path->len = 0;
}

/*
 * The next option: *whole is the word, *key and *val its halves around the
 * first '='. Returns false at the end; *has_eq is false for a bare word.
 */
static bool opt_next(struct opt_iter *it, struct word *whole, struct word *key, struct word *val,
		     bool *has_eq)
{
	size_t eq;

	if (!next_word(it, whole))
		return false;
	eq = word_find(whole, '=');
	*has_eq = eq < whole->len;
	key->s = whole->s;
	key->len = eq;
	val->s = whole->s + eq + *has_eq;
	val->len = whole->len - key->len - *has_eq;
	return true;
}

/* A word made printable for a message, cut with "..." when it is long. */
static const char *show(const struct word *w, char *buf, size_t size)
{
	bool cut = w->len > size - 1;
	size_t n = cut ? size - 1 : w->len, i;

	for (i = 0; i < n; i++)
		buf[i] = w->s[i] >= 0x20 && w->s[i] < 0x7f ? w->s[i] : '?';
	if (cut && n >= 3) {
		buf[n - 3] = '.';
		buf[n - 2] = '.';
		buf[n - 1] = '.';
	}
	buf[n] = '\0';
	return buf;
}

/* ------------------------------------------------------------ hypervisor */

struct choice {
	const char *word;
	int val;
};

struct option {
	const char *name;
	const struct choice *choices;
	size_t nr_choices;
	void (*set)(struct umbra_config *cfg, int val);
};

static const struct choice console_choices[] = {
	{ "com1", CONSOLE_COM1 }, { "com2", CONSOLE_COM2 }, { "com3", CONSOLE_COM3 },
	{ "com4", CONSOLE_COM4 }, { "none", CONSOLE_NONE },
};
static const struct choice log_choices[] = {
	{ "error", LOG_ERROR },
	{ "warn", LOG_WARN },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
};
static const struct choice tdp_choices[] = { { "on", 1 }, { "off", 0 } };
static const struct choice exit_choices[] = {
	{ "auto", EXIT_AUTO },
	{ "qemu", EXIT_QEMU },
	{ "bochs", EXIT_BOCHS },
	{ "halt", EXIT_HALT },
};
static const struct choice selftest_choices[] = {
	{ "pagefault", SELFTEST_PAGEFAULT },
	{ "none", SELFTEST_NONE },
};

static void set_console(struct umbra_config *cfg, int val)
{
	cfg->console = (enum console_kind)val;
}

static void set_log(struct umbra_config *cfg, int val)
{
	cfg->log_level = (enum log_level)val;
}

static void set_tdp(struct umbra_config *cfg, int val)
{
	cfg->tdp = val != 0;
}

static void set_exit(struct umbra_config *cfg, int val)
{
	cfg->exit = (enum exit_mode)val;
}

static void set_selftest(struct umbra_config *cfg, int val)
{
	cfg->selftest = (enum selftest_kind)val;
}

static const struct option options[] = {
	{ "console", console_choices, ARRAY_SIZE(console_choices), set_console },
	{ "log", log_choices, ARRAY_SIZE(log_choices), set_log },
	{ "tdp", tdp_choices, ARRAY_SIZE(tdp_choices), set_tdp },
	{ "exit", exit_choices, ARRAY_SIZE(exit_choices), set_exit },
	{ "selftest", selftest_choices, ARRAY_SIZE(selftest_choices), set_selftest },
};

void cmdline_defaults(struct umbra_config *cfg)
{
	cfg->console = CONSOLE_COM1;
	cfg->log_level = LOG_INFO;
	cfg->tdp = true;
	cfg->exit = EXIT_AUTO;
	cfg->selftest = SELFTEST_NONE;
}

/* "a|b|c" from an option's choices, for the bad-value message. */
static const char *choices_text(const struct option *opt, char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < opt->nr_choices; i++) {
		for (const char *p = opt->choices[i].word; *p && n + 1 < size; p++)
			buf[n++] = *p;
		if (i + 1 < opt->nr_choices && n + 1 < size)
			buf[n++] = '|';
	}
	buf[n] = '\0';
	return buf;
}

/* Apply one known option; returns the number of problems (0 or 1). */
static int apply_option(const struct option *opt, const struct word *val, struct umbra_config *cfg)
{
	char shown[SHOW_MAX], accepted[64];

	for (size_t i = 0; i < opt->nr_choices; i++) {
		if (word_is(val, opt->choices[i].word)) {
			opt->set(cfg, opt->choices[i].val);
			return 0;
		}
	}
	pr_warn("cmdline: bad value '%s' for %s= (use %s)", show(val, shown, sizeof(shown)),
		opt->name, choices_text(opt, accepted, sizeof(accepted)));
	return 1;
}

static const struct option *find_option(const struct word *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		if (word_is(key, options[i].name))
			return &options[i];
	}
	return NULL;
}

int cmdline_parse(const char *cmdline, struct umbra_config *cfg)
{
	struct opt_iter it;
	struct word path, whole, key, val;
	char shown[SHOW_MAX];
	bool has_eq;
	int problems = 0;

	opt_begin(&it, cmdline, &path);
	while (opt_next(&it, &whole, &key, &val, &has_eq)) {
		const struct option *opt = has_eq ? find_option(&key) : NULL;
		if (opt) {
			problems += apply_option(opt, &val, cfg);
			continue;
		}
		pr_warn("cmdline: unknown option '%s' ignored", show(&whole, shown, sizeof(shown)));
		problems++;
	}
	return problems;
}

/* ------------------------------------------------------------ modules */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.';
}

static bool name_valid(const struct word *w)
{
	if (w->len == 0 || w->len >= MODULE_NAME_MAX)
		return false;
	for (size_t i = 0; i < w->len; i++) {
		if (!name_char(w->s[i]))
			return false;
	}
	return true;
}

/* Copy a name that fits, replacing characters a name may not hold with '_'. */
static void set_name(char *name, const struct word *w)
{
	size_t n = w->len < MODULE_NAME_MAX ? w->len : MODULE_NAME_MAX - 1;

	for (size_t i = 0; i < n; i++)
		name[i] = name_char(w->s[i]) ? w->s[i] : '_';
	name[n] = '\0';
}

/* The path's base name without its extension: "/guests/hello.elf" -> "hello". */
static void default_name(const struct word *path, char *name)
{
	struct word base = *path;
	size_t dot = 0;

	for (size_t i = 0; i < path->len; i++) {
		if (path->s[i] == '/') {
			base.s = path->s + i + 1;
			base.len = path->len - i - 1;
		}
	}
	for (size_t i = 1; i < base.len; i++) {
		if (base.s[i] == '.')
			dot = i;
	}
	if (dot)
		base.len = dot;
	if (base.len) {
		set_name(name, &base);
		return;
	}
	set_name(name, &(struct word){ MODULE_NAME_DEFAULT, sizeof(MODULE_NAME_DEFAULT) - 1 });
}

static bool mem_valid(const struct word *w, u64 *mem)
{
	return parse_size(w->s, w->len, mem) && *mem >= MiB(1) && IS_ALIGNED(*mem, KiB(4)) &&
	       *mem <= GiB(1024);
}

/* Options other issues will give meaning to; accepted without a word now. */
static bool module_reserved(const struct word *key)
{
	return word_is(key, "cpus");
}

/* Each module option's parser: applies a good value, reports a bad one by
 * name and returns the number of problems (0 or 1). */
static int mod_name(struct module_opts *out, const struct word *val)
{
	char shown[SHOW_MAX];

	if (name_valid(val)) {
		set_name(out->name, val);
		return 0;
	}
	pr_warn("module %s: bad value '%s' for name= (use 1 to %d of A-Z a-z 0-9 _ - .)", out->name,
		show(val, shown, sizeof(shown)), MODULE_NAME_MAX - 1);
	return 1;
}

static int mod_mem(struct module_opts *out, const struct word *val)
{
	char shown[SHOW_MAX];
	u64 mem;

	if (mem_valid(val, &mem)) {
		out->mem = mem;
		return 0;
	}
	pr_warn("module %s: bad value '%s' for mem= (use 1M to 1T in 4K steps, like 64M)",
		out->name, show(val, shown, sizeof(shown)));
	return 1;
}

static int mod_slices(struct module_opts *out, const struct word *val)
{
	char shown[SHOW_MAX];
	u64 n;

	if (parse_size(val->s, val->len, &n) && n >= 1 && n <= 1000000000) {
		out->slices = n;
		return 0;
	}
	pr_warn("module %s: bad value '%s' for slices= (use 1 to 1000000000)", out->name,
		show(val, shown, sizeof(shown)));
	return 1;
}

static int mod_ipa(struct module_opts *out, const struct word *val)
{
	char shown[SHOW_MAX];
	u64 bits;

	if (parse_size(val->s, val->len, &bits) && bits >= 32 && bits <= 52) {
		out->ipa_bits = (u32)bits;
		return 0;
	}
	pr_warn("module %s: bad value '%s' for ipa= (use 32 to 52 bits)", out->name,
		show(val, shown, sizeof(shown)));
	return 1;
}

static int mod_tdp(struct module_opts *out, const struct word *val)
{
	char shown[SHOW_MAX];

	if (word_is(val, "on") || word_is(val, "off")) {
		out->tdp = word_is(val, "on") ? TDP_ON : TDP_OFF;
		return 0;
	}
	pr_warn("module %s: bad value '%s' for tdp= (use on|off)", out->name,
		show(val, shown, sizeof(shown)));
	return 1;
}

/* A decimal number of at most 9 digits (no sign, suffix or 0x: a page count). */
static bool parse_decimal(const struct word *w, u64 *out)
{
	u64 val = 0;

	if (w->len == 0 || w->len > 9)
		return false;
	for (size_t i = 0; i < w->len; i++) {
		if (w->s[i] < '0' || w->s[i] > '9')
			return false;
		val = val * 10 + (u64)(w->s[i] - '0');
	}
	*out = val;
	return true;
}

static int mod_shadow_pages(struct module_opts *out, const struct word *val)
{
	char shown[SHOW_MAX];
	u64 n;

	if (parse_decimal(val, &n) && n >= SHADOW_MIN_BUDGET && n <= MODULE_SHADOW_PAGES_MAX) {
		out->shadow_pages = (u32)n;
		return 0;
	}
	pr_warn("module %s: bad value '%s' for shadow_pages= (use %u to %u pages, in decimal)",
		out->name, show(val, shown, sizeof(shown)), (unsigned)SHADOW_MIN_BUDGET,
		(unsigned)MODULE_SHADOW_PAGES_MAX);
	return 1;
}

static const struct {
	const char *key;
	int (*apply)(struct module_opts *out, const struct word *val);
} module_keys[] = {
	{ "name", mod_name }, { "mem", mod_mem }, { "slices", mod_slices },
	{ "ipa", mod_ipa },   { "tdp", mod_tdp }, { "shadow_pages", mod_shadow_pages },
};

/* Apply one module option; returns the number of problems (0 or 1). */
static int module_option(struct module_opts *out, const struct word *whole, const struct word *key,
			 const struct word *val, bool has_eq)
{
	char shown[SHOW_MAX];

	for (size_t i = 0; has_eq && i < ARRAY_SIZE(module_keys); i++) {
		if (word_is(key, module_keys[i].key))
			return module_keys[i].apply(out, val);
	}
	if (has_eq && module_reserved(key))
		return 0;
	pr_warn("module %s: unknown option '%s' ignored", out->name,
		show(whole, shown, sizeof(shown)));
	return 1;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

void module_cmdline_split(const char *line, char *opts, size_t opts_len, const char **guest)
{
	const char *p = line;
	size_t n;

	*guest = "";
	for (; *p; p++) {
		bool start = p == line || blank(p[-1]);
		if (start && p[0] == '-' && p[1] == '-' && (blank(p[2]) || !p[2])) {
			*guest = p[2] ? p + 3 : p + 2;
			break;
		}
	}
	n = (size_t)(p - line);
	if (opts_len) {
		n = n < opts_len - 1 ? n : opts_len - 1;
		for (size_t i = 0; i < n; i++)
			opts[i] = line[i];
		opts[n] = '\0';
	}
	while (blank(**guest))
		(*guest)++;
}

int module_cmdline_parse(const char *cmdline, struct module_opts *out)
{
	char opts[MODULE_OPTS_MAX];
	const char *guest;
	int problems;

	module_cmdline_split(cmdline, opts, sizeof(opts), &guest);
	problems = module_opts_parse(opts, out);
	out->guest_cmdline = guest;
	return problems;
}

int module_opts_parse(const char *cmdline, struct module_opts *out)
{
	struct opt_iter it;
	struct word path, whole, key, val;
	bool has_eq;
	int problems = 0;

	opt_begin(&it, cmdline, &path);
	default_name(&path, out->name);
	out->mem = MODULE_MEM_DEFAULT;
	out->ipa_bits = 0;
	out->slices = 0;
	out->tdp = TDP_DEFAULT;
	out->shadow_pages = 0;
	out->guest_cmdline = "";
	while (opt_next(&it, &whole, &key, &val, &has_eq))
		problems += module_option(out, &whole, &key, &val, has_eq);
	return problems;
}

/* ------------------------------------------------------------ sizes */

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Shift of a K/M/G/T suffix (any case), 0 for anything else. */
static u32 suffix_shift(char c)
{
	switch (c | 0x20) {
	case 'k':
		return 10;
	case 'm':
		return 20;
	case 'g':
		return 30;
	case 't':
		return 40;
	default:
		return 0;
	}
}

bool parse_size(const char *s, size_t len, u64 *out)
{
	u64 val = 0, base = 10;
	size_t i = 0, start;

	if (!s || !out)
		return false;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (start = i; i < len; i++) {
		int d = digit_value(s[i]);

		if (d < 0 || (u64)d >= base)
			break;
		if (val > (~0ULL - (u64)d) / base)
			return false;
		val = val * base + (u64)d;
	}
	if (i == start)
		return false;
	if (i < len) {
		u32 shift = suffix_shift(s[i]);

		if (!shift || i + 1 != len || val > (~0ULL >> shift))
			return false;
		val <<= shift;
	}
	*out = val;
	return true;
}
