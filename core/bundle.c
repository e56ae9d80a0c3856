/* bundle.c: expanding guest bundles (cpio archive + manifest) into one boot module per guest. */
#include "core/bundle.h"

#include "compiler.h"
#include "core/cpio.h"
#include "core/kstring.h"
#include "core/log.h"
#include "mm/phys.h"

#define SHOW_MAX 64    /* longest word quoted whole in a message */
#define REASON_MAX 192 /* room for cpio_reason() */

/*
 * The modules as the loader gave them, while bi->mods is rebuilt from them.
 * Static: 4 KiB is a lot for the boot stack, and this runs once, on one CPU.
 */
static struct boot_module given[BOOT_MAX_MODULES];

/* One bundle being expanded. */
struct bundle {
	struct boot_info *bi;
	const struct boot_module *mod;
	const char *label; /* its module's first word, for messages */
	struct cpio_reader r;
	u32 guests; /* modules made from it */
	int problems;
};

/* One line of the manifest, without its line end and the blanks around it. */
struct line {
	const char *s;
	size_t len;
	u32 no; /* from 1 */
};

bool bundle_is_archive(const void *data, u64 len)
{
	return cpio_has_magic(data, len);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* s[0..len) made printable for a message, cut with "..." when it is long. */
static const char *show(const char *s, size_t len, char *buf, size_t size)
{
	bool cut = len > size - 1;
	size_t n = cut ? size - 1 : len;

	for (size_t i = 0; i < n; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (cut)
		buf[n - 3] = buf[n - 2] = buf[n - 1] = '.';
	buf[n] = '\0';
	return buf;
}

/*
 * A module's name in messages: its command line's first word, else
 * "module <i>". A long path keeps its end, where the file's name is.
 */
static const char *module_label(const struct boot_module *m, u32 idx, char *buf, size_t size)
{
	const char *s = m->cmdline;
	size_t n = 0;

	while (is_blank(*s))
		s++;
	while (s[n] && !is_blank(s[n]))
		n++;
	if (!n) {
		ksnprintf(buf, size, "module %u", idx);
		return buf;
	}
	if (n <= size - 1)
		return show(s, n, buf, size);
	show(s + n - (size - 4), size - 4, buf + 3, size - 3);
	buf[0] = buf[1] = buf[2] = '.';
	return buf;
}

/* Append a module; false when bi->mods is full. */
static bool add_module(struct boot_info *bi, u64 start, u64 end, const char *cmdline, size_t len)
{
	struct boot_module *m;

	if (bi->nr_mods >= BOOT_MAX_MODULES)
		return false;
	m = &bi->mods[bi->nr_mods++];
	m->start = start;
	m->end = end;
	memcpy(m->cmdline, cmdline, len);
	m->cmdline[len] = '\0';
	return true;
}

/* The line's first character that no command line should hold; len if none. */
static size_t find_control(const struct line *l)
{
	size_t i;

	for (i = 0; i < l->len; i++) {
		u8 c = (u8)l->s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			break;
	}
	return i;
}

/* The checks that need no archive; false (reported) when the line is refused. */
static bool line_ok(struct bundle *b, const struct line *l)
{
	size_t ctl = find_control(l);

	if (l->len > BOOT_MOD_CMDLINE_MAX - 1) {
		pr_err("bundle %s: %s line %u: %zu bytes long, more than a module command line "
		       "holds (%u); guest dropped",
		       b->label, BUNDLE_MANIFEST, l->no, l->len, BOOT_MOD_CMDLINE_MAX - 1);
		return false;
	}
	if (ctl < l->len) {
		pr_err("bundle %s: %s line %u: control character 0x%02x at column %zu; guest "
		       "dropped",
		       b->label, BUNDLE_MANIFEST, l->no, (u8)l->s[ctl], ctl + 1);
		return false;
	}
	return true;
}

/* Find the line's image in the archive; false (reported) when it is missing or empty. */
static bool find_image(struct bundle *b, const struct line *l, struct cpio_entry *e)
{
	char shown[SHOW_MAX], why[REASON_MAX];
	size_t n = 0;
	int ret;

	while (n < l->len && !is_blank(l->s[n]))
		n++;
	show(l->s, n, shown, sizeof(shown));
	ret = cpio_find(&b->r, l->s, n, e);
	if (ret == CPIO_ERR_NOT_FOUND) {
		pr_err("bundle %s: %s line %u: no file '%s' in the archive; guest dropped",
		       b->label, BUNDLE_MANIFEST, l->no, shown);
		return false;
	}
	if (ret != CPIO_OK) {
		pr_err("bundle %s: %s line %u: image '%s': %s; guest dropped", b->label,
		       BUNDLE_MANIFEST, l->no, shown, cpio_reason(&b->r, why, sizeof(why)));
		return false;
	}
	if (!e->size) {
		pr_err("bundle %s: %s line %u: image '%s' is empty; guest dropped", b->label,
		       BUNDLE_MANIFEST, l->no, shown);
		return false;
	}
	return true;
}

/* One guest line: a module for its image, or a message saying why not. */
static void add_guest(struct bundle *b, const struct line *l)
{
	struct cpio_entry e;
	char shown[SHOW_MAX];
	u64 start;

	if (!line_ok(b, l) || !find_image(b, l, &e)) {
		b->problems++;
		return;
	}
	start = b->mod->start + e.offset;
	if (add_module(b->bi, start, start + e.size, l->s, l->len)) {
		b->guests++;
		return;
	}
	pr_err("bundle %s: %s line %u: more than %u modules, guest '%s' dropped", b->label,
	       BUNDLE_MANIFEST, l->no, BOOT_MAX_MODULES,
	       show(e.name, strlen(e.name), shown, sizeof(shown)));
	b->problems++;
}

/* Drop the blanks around a line and its '\r' (a "\r\n" line end). */
static void trim(struct line *l)
{
	while (l->len && (is_blank(l->s[l->len - 1]) || l->s[l->len - 1] == '\r'))
		l->len--;
	while (l->len && is_blank(l->s[0])) {
		l->s++;
		l->len--;
	}
}

/* Every guest line of the manifest; returns the number of them. */
static u32 read_manifest(struct bundle *b, const char *text, u64 size)
{
	struct line l = { .no = 0 };
	u64 pos = 0, end;
	u32 lines = 0;

	while (pos < size) {
		for (end = pos; end < size && text[end] != '\n'; end++)
			;
		l.s = text + pos;
		l.len = end - pos;
		l.no++;
		pos = end + 1;
		trim(&l);
		if (!l.len || l.s[0] == '#')
			continue;
		lines++;
		add_guest(b, &l);
	}
	return lines;
}

/* Replace the bundle b->mod by its guests; the problems are counted in b. */
static void expand_bundle(struct bundle *b, const void *data, u64 len)
{
	char why[REASON_MAX];
	struct cpio_entry manifest;
	int ret;

	cpio_open(&b->r, data, len);
	ret = cpio_check(&b->r, NULL);
	if (ret == CPIO_OK)
		ret = cpio_find(&b->r, BUNDLE_MANIFEST, sizeof(BUNDLE_MANIFEST) - 1, &manifest);
	if (ret == CPIO_ERR_NOT_FOUND) {
		pr_err("bundle %s: no %s in the archive; bundle dropped", b->label,
		       BUNDLE_MANIFEST);
		b->problems++;
		return;
	}
	if (ret != CPIO_OK) {
		pr_err("bundle %s: malformed archive: %s; bundle dropped", b->label,
		       cpio_reason(&b->r, why, sizeof(why)));
		b->problems++;
		return;
	}
	if (!read_manifest(b, (const char *)manifest.data, manifest.size)) {
		pr_err("bundle %s: %s names no guests", b->label, BUNDLE_MANIFEST);
		b->problems++;
		return;
	}
	pr_info("bundle %s: %u guest%s", b->label, b->guests, b->guests == 1 ? "" : "s");
}

int bundle_expand_modules(struct boot_info *bi)
{
	u32 nr = MIN(bi->nr_mods, (u32)BOOT_MAX_MODULES);
	char label[SHOW_MAX];
	int problems = 0;

	memcpy(given, bi->mods, nr * sizeof(given[0]));
	bi->nr_mods = 0;
	for (u32 i = 0; i < nr; i++) {
		const struct boot_module *m = &given[i];
		const void *data = phys_to_virt(hpa(m->start));
		u64 len = m->end > m->start ? m->end - m->start : 0;

		module_label(m, i, label, sizeof(label));
		if (bundle_is_archive(data, len)) {
			struct bundle b = { .bi = bi, .mod = m, .label = label };

			expand_bundle(&b, data, len);
			problems += b.problems;
		} else if (!add_module(bi, m->start, m->end, m->cmdline,
				       strnlen(m->cmdline, BOOT_MOD_CMDLINE_MAX - 1))) {
			pr_err("module %s: more than %u modules once bundles are expanded; "
			       "dropped",
			       label, BOOT_MAX_MODULES);
			problems++;
		}
	}
	return problems;
}
