"""What umbra measures about itself: the boot cost line and the memory lines.

umbra reads a counter among its first instructions (x86: the TSC; arm64: the
PMU cycle counter) and again just before the first guest entry, and prints

  boot: first guest entry after N <counter> (<what it counts>)

Just before each VM's first entry and at its end it prints what it holds
for that VM, from the page allocator's owner records, and once the pages
shared by all VMs (core/vm.c, docs/architecture.md):

  memory: shared by all VMs: umbra owns P pages (hv H, host tables T); ...
  vm I NAME: memory at first entry|end: umbra owns P pages (state S, tdp T,
    shadow X, info F) + B bytes of static metadata; guest RAM G pages

Cases, each with the hello guest and mem=64M under QEMU -icount shift=0:
  x86 SVM + NPT   two boots: the boot count is positive and the same both
                  times; NPT tables >= 3 (PML4, PDPT, PD for 2 MiB pages)
  x86 SVM shadow  tdp=off: shadow pages, no NPT
  arm64           one boot (-cpu max): stage-2 tables at least the root and
                  one table per level down to 2 MiB blocks, one info page
Every case: the parts add up to the total, guest RAM is 64 MiB of 4 KiB
pages, and nothing is left held once the VM has ended. No figure's size
is asserted beyond that: `make bench` reports them.

  /usr/bin/python3 -m pytest tests/boot/test_measure.py -v
"""
import re

import bootlib
from bootlib import PASS, check_guest_passed, expect_status, guest

TIMEOUT = 120
ICOUNT = ("-icount", "shift=0,sleep=off")
MEM_MIB = 64
GUEST_PAGES = MEM_MIB * 1024 * 1024 // 4096

BOOT_RE = re.compile(r"^boot: first guest entry after (\d+) (.+)$", re.M)
SHARED_RE = re.compile(
    r"^memory: shared by all VMs: umbra owns (?P<total>\d+) pages \(hv (?P<hv>\d+), "
    r"host tables (?P<host>\d+)\); static metadata (?P<bytes>\d+) bytes per VM slot, "
    r"(?P<slots>\d+) slots$", re.M)
VM_MEM_RE = re.compile(
    r"^vm (?P<id>\d+) (?P<name>\S+): memory at (?P<when>first entry|end): umbra owns "
    r"(?P<total>\d+) pages \(state (?P<state>\d+), tdp (?P<tdp>\d+), shadow (?P<shadow>\d+), "
    r"info (?P<info>\d+)\) \+ (?P<bytes>\d+) bytes of static metadata; guest RAM "
    r"(?P<guest>\d+) pages$", re.M)
LEFT_RE = re.compile(r"^(?:warning: )?vm \d+ \S+: .* still held after its end$", re.M)


def boot_count(serial, counter):
    """The boot line's count; it names the counter and what it counts."""
    lines = BOOT_RE.findall(serial)
    assert len(lines) == 1, "want one 'boot: first guest entry after N' line, got %s" % lines
    n, what = lines[0]
    assert int(n) > 0, "boot count %s is not positive" % n
    assert what.startswith(counter) and "instructions under QEMU -icount shift=0" in what, what
    return int(n)


def shared_memory(serial):
    lines = [{k: int(v) for k, v in m.groupdict().items()} for m in SHARED_RE.finditer(serial)]
    assert len(lines) == 1, "want one 'memory: shared by all VMs' line, got %d" % len(lines)
    s = lines[0]
    assert s["total"] == s["hv"] + s["host"] and s["host"] >= 1, s
    assert s["bytes"] > 0 and s["slots"] >= 1, s
    return s


def vm_memory(serial, name):
    """{'first entry': fields, 'end': fields} of VM name, each checked for sense."""
    lines = {}
    for m in VM_MEM_RE.finditer(serial):
        if m.group("name") != name:
            continue
        assert m.group("when") not in lines, "two '%s' memory lines" % m.group("when")
        d = {k: int(v) for k, v in m.groupdict().items() if k not in ("name", "when")}
        assert d["total"] == d["state"] + d["tdp"] + d["shadow"] + d["info"], d
        assert d["guest"] == GUEST_PAGES, "guest RAM %d pages for mem=%dM" % (d["guest"],
                                                                             MEM_MIB)
        assert d["bytes"] > 0, d
        lines[m.group("when")] = d
    assert sorted(lines) == ["end", "first entry"], "memory lines of %s: %s" % (name, lines)
    assert lines["first entry"]["bytes"] == lines["end"]["bytes"]
    assert not LEFT_RE.search(serial), LEFT_RE.findall(serial)
    return lines


def ordered(serial, *patterns):
    """Each pattern's first match comes after the previous one's."""
    at = 0
    for p in patterns:
        m = re.compile(p, re.M).search(serial, at)
        assert m, "%r not found after offset %d" % (p, at)
        at = m.end()


def boot_x86(umbra_elf, opts=""):
    r = bootlib.boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT, extra=ICOUNT,
                     modules=[(guest("hello"), "name=hello mem=%dM%s" % (MEM_MIB, opts))])
    expect_status(r, PASS)
    check_guest_passed(r.serial, "hello")
    return r.serial


def test_x86_npt_boot_and_memory(umbra_elf):
    first = boot_x86(umbra_elf)
    assert re.search(r"^vm 0 hello: created: svm npt ", first, re.M), "not on NPT"
    ordered(first, r"^vm 0 hello: created:", r"^boot: first guest entry",
            r"^memory: shared by all VMs", r"^vm 0 hello: memory at first entry",
            r"^vm 0 hello: running$", r"^\[hello\] ", r"^vm 0 hello: ended:",
            r"^vm 0 hello: memory at end")
    n = boot_count(first, "TSC ticks")
    shared = shared_memory(first)
    assert shared["hv"] >= 1, "SVM keeps a host save area and permission maps: %s" % shared
    for when, d in vm_memory(first, "hello").items():
        assert d["tdp"] >= 3, "%s: NPT for 64 MiB needs PML4, PDPT, PD: %s" % (when, d)
        assert d["state"] >= 1, "%s: no VMCB counted: %s" % (when, d)
        assert d["shadow"] == 0 and d["info"] == 0, d

    again = boot_count(boot_x86(umbra_elf), "TSC ticks")
    assert again == n, "boot count differs between two -icount boots: %d then %d" % (n, again)


def test_x86_shadow_memory(umbra_elf):
    serial = boot_x86(umbra_elf, " tdp=off")
    assert re.search(r"^vm 0 hello: created: svm shadow ", serial, re.M), "not on shadow paging"
    boot_count(serial, "TSC ticks")
    shared_memory(serial)
    for when, d in vm_memory(serial, "hello").items():
        assert d["shadow"] >= 1 and d["tdp"] == 0, "%s: %s" % (when, d)
        assert d["state"] >= 1, d


def test_arm64_boot_and_memory(tmp_path):
    image = bootlib.ARM64_IMAGE
    hello = bootlib.arm64_guest("hello")
    for path in (image, hello):
        assert path.is_file(), "%s is missing: run `make ARCH=arm64`" % path
    bundle = bootlib.make_bundle(tmp_path / "hello.cpio",
                                 ["%s name=hello mem=%dM" % (hello, MEM_MIB)])
    r = bootlib.boot_arm64(initrd=bundle, timeout=TIMEOUT, extra=ICOUNT)
    expect_status(r, PASS)
    ordered(r.serial, r"^vm 0 hello: created:", r"^boot: first guest entry",
            r"^memory: shared by all VMs", r"^vm 0 hello: memory at first entry",
            r"^vm 0 hello: running$", r"^vm 0 hello: ended:", r"^vm 0 hello: memory at end")
    boot_count(r.serial, "PMU cycles")
    shared_memory(r.serial)
    s2 = bootlib.stage2_lines(r.serial)
    assert len(s2) == 1, s2
    # The root (concat pages at the start level) and one table for each
    # level below it down to level 2, where 2 MiB blocks map the RAM.
    least = s2[0]["concat"] + s2[0]["levels"] - 2
    for when, d in vm_memory(r.serial, "hello").items():
        assert d["tdp"] >= least, "%s: stage-2 tables %d, want >= %d: %s" % (
            when, d["tdp"], least, d)
        assert d["info"] == 1 and d["shadow"] == 0, d
