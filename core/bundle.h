/* bundle.h: guest bundles, newc cpio archives of guest images and a manifest naming them. */
#ifndef UMBRA_BUNDLE_H
#define UMBRA_BUNDLE_H

#include "boot/boot_info.h"
#include "types.h"

/*
 * A bundle is a newc cpio archive (scripts/mkbundle makes one) that holds
 * guest images and the manifest BUNDLE_MANIFEST, a text file with one guest
 * per line, the same line a boot module's command line would be:
 *
 *   # comment
 *   hello.elf name=hello mem=64M -- greetings from the bundle
 *   cpu.elf name=cpu
 *
 * IMAGE (the first word) names a file in the archive ("./" optional); the
 * rest is left to module_cmdline_parse(). Blank lines and lines whose first
 * non-blank character is '#' are skipped; "\r\n" line ends are accepted and
 * blanks around a line dropped. It is the initrd on arm64 and may be any
 * boot module on x86.
 */
#define BUNDLE_MANIFEST "umbra-bundle.txt"

/* data (len bytes) starts with a newc cpio magic (070701 or 070702). */
bool bundle_is_archive(const void *data, u64 len);

/*
 * Replace every boot module that is a bundle, in place and in order, by one
 * module per manifest line: its range is the image's data inside the
 * archive (physical addresses), its command line the manifest line.
 * Other modules stay as they are. Each problem is reported with pr_err
 * naming the bundle (its module's first word) and the manifest line: a
 * malformed archive or one without a manifest is dropped whole, a bad line
 * (image not in the archive or empty, line too long for a module command
 * line, control characters) drops its guest, and guests or modules beyond
 * BOOT_MAX_MODULES are dropped by name. Prints "bundle <name>: N guests"
 * for each bundle expanded. Returns the number of problems (0 = clean);
 * bi->nr_problems is left to the caller.
 */
int bundle_expand_modules(struct boot_info *bi);

#endif
