"""Guest bundles on x86: scripts/mkbundle's archive, and umbra taking one as a
Multiboot module (QEMU -kernel) and running one guest per manifest line."""
import re
import subprocess
import sys

import pytest

import bootlib
from bootlib import FAIL, PASS
from test_guests import check_guest_passed, expect_status, guest

TIMEOUT = 180
HELLO_LINE = "name=hello mem=64M -- greetings from a bundle"


def newc_entries(data):
    """[(name, mode, ino, mtime, bytes)] of a newc archive, read here without
    scripts/mkbundle's code; asserts the layout (magic, 4-byte padding, trailer)."""
    out, off = [], 0
    while True:
        hdr = data[off:off + 110]
        assert len(hdr) == 110 and hdr[:6] == b"070701", "bad header at %d" % off
        f = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        namesize, size = f[11], f[6]
        name = data[off + 110:off + 110 + namesize]
        assert name.endswith(b"\0") and b"\0" not in name[:-1]
        start = (off + 110 + namesize + 3) & ~3
        assert data[off + 110 + namesize:start] == b"\0" * (start - off - 110 - namesize)
        if name[:-1] == b"TRAILER!!!":
            assert start == len(data), "bytes after the trailer"
            return out
        out.append((name[:-1].decode(), f[1], f[0], f[5], data[start:start + size]))
        off = (start + size + 3) & ~3


def mkbundle(*args):
    return subprocess.run([sys.executable, str(bootlib.MKBUNDLE)] + [str(a) for a in args],
                          cwd=str(bootlib.REPO), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# ---------------------------------------------------------------- scripts/mkbundle

def test_mkbundle_layout_and_same_bytes_each_time(tmp_path):
    hello, cpu = guest("hello"), guest("cpu")
    args = ["%s %s" % (hello, HELLO_LINE), "%s name=cpu" % cpu, "  %s\tname=again  " % hello]
    one, two = tmp_path / "one.cpio", tmp_path / "two.cpio"
    for out in (one, two):
        r = mkbundle(out, *args)
        assert r.returncode == 0, r.stderr.decode()
    data = one.read_bytes()
    assert data == two.read_bytes(), "the same inputs gave different bytes"
    entries = newc_entries(data)
    assert [e[0] for e in entries] == [bootlib.BUNDLE_MANIFEST, "hello.elf", "cpu.elf"]
    assert [e[2] for e in entries] == [1, 2, 3], "inode numbers are fixed"
    assert all(e[1] == 0o100644 and e[3] == 0 for e in entries), "regular files, mtime 0"
    assert entries[0][4].decode() == ("hello.elf %s\ncpu.elf name=cpu\nhello.elf name=again\n"
                                      % HELLO_LINE)
    assert entries[1][4] == hello.read_bytes()
    assert entries[2][4] == cpu.read_bytes()


def test_mkbundle_help():
    r = mkbundle("--help")
    assert r.returncode == 0
    assert b"usage: scripts/mkbundle OUT.cpio 'IMAGE [options] [-- guest command line]'" \
        in r.stdout


@pytest.mark.parametrize("case", ["missing", "same_name", "empty", "too_long", "manifest_name",
                                  "newline", "no_guests"])
def test_mkbundle_refuses(tmp_path, case):
    hello = guest("hello")
    other = tmp_path / "other"
    other.mkdir()
    (other / "hello.elf").write_bytes(b"another file")
    (tmp_path / "empty.elf").write_bytes(b"")
    (tmp_path / bootlib.BUNDLE_MANIFEST).write_bytes(b"x")
    args, want = {
        "missing": ([tmp_path / "nothere.elf"], "nothere.elf: no such file"),
        "same_name": ([hello, other / "hello.elf"], "two different images named hello.elf"),
        "empty": ([tmp_path / "empty.elf"], "empty.elf is empty"),
        "too_long": (["%s -- %s" % (hello, "x" * 250)], "263 bytes long, more than the 255"),
        "manifest_name": ([tmp_path / bootlib.BUNDLE_MANIFEST], "the manifest's own name"),
        "newline": (["%s -- a\nb" % hello], "control character"),
        "no_guests": ([], "at least one guest"),
    }[case]
    out = tmp_path / "out.cpio"
    r = mkbundle(out, *args)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert want in r.stderr.decode(), r.stderr.decode()
    assert not out.exists()


# ---------------------------------------------------------------- booting bundles

def test_bundle_as_a_multiboot_module(boot, umbra_elf, tmp_path):
    hello, cpu = guest("hello"), guest("cpu")
    bundle = bootlib.make_bundle(tmp_path / "guests.cpio",
                                 ["%s %s" % (hello, HELLO_LINE), "%s name=cpu" % cpu])
    r = boot("qemu", kernel=umbra_elf, modules=[(bundle, "")], cpu="max", timeout=TIMEOUT)
    expect_status(r, PASS)
    s = r.serial
    assert re.search(r"^bundle \S*guests\.cpio: 2 guests$", s, re.M)
    mods = {m["name"]: m for m in bootlib.modules(s)}
    assert mods["hello"]["cmdline"] == "hello.elf " + HELLO_LINE
    assert mods["hello"]["size"] == hello.stat().st_size, "the module is the image's bytes"
    assert mods["cpu"]["cmdline"] == "cpu.elf name=cpu"
    assert mods["cpu"]["size"] == cpu.stat().st_size
    assert re.search(r"^vm 0 hello: created: ", s, re.M)
    assert re.search(r"^vm 1 cpu: created: ", s, re.M)
    assert "command line 'greetings from a bundle'" in s
    check_guest_passed(s, "hello")
    check_guest_passed(s, "cpu")
    assert re.search(r"^umbra: guests: 2 passed, 0 failed$", s, re.M)
    assert "problem(s) with guest bundles" not in s
    assert "error:" not in s


def test_bundles_next_to_plain_modules_and_their_problems(boot, umbra_elf, tmp_path):
    """A plain module, a bundle with one line naming a missing image, and a
    truncated bundle: the good guests run in module order, each problem is
    named, the broken bundle is dropped whole, and the run fails because
    guests that were asked for did not run."""
    cpu = guest("cpu").read_bytes()
    partial = bootlib.write_cpio(tmp_path / "partial.cpio", [
        (bootlib.BUNDLE_MANIFEST, b"# two guests\ncpu.elf name=cpu\nghost.elf name=ghost\n"),
        ("cpu.elf", cpu)])
    whole = bootlib.cpio_newc([(bootlib.BUNDLE_MANIFEST, b"hello.elf\n"),
                               ("hello.elf", guest("hello").read_bytes())])
    broken = tmp_path / "broken.cpio"
    broken.write_bytes(whole[:len(whole) // 2])
    r = boot("qemu", kernel=umbra_elf, cpu="max", timeout=TIMEOUT,
             modules=[(guest("hello64"), "name=first -- long live"), (partial, ""),
                      (broken, "")])
    expect_status(r, FAIL)
    s = r.serial
    assert re.search(r"^error: bundle \S*partial\.cpio: umbra-bundle\.txt line 3: no file "
                     r"'ghost\.elf' in the archive; guest dropped$", s, re.M)
    assert re.search(r"^bundle \S*partial\.cpio: 1 guest$", s, re.M)
    assert re.search(r"^error: bundle \S*broken\.cpio: malformed archive: .*run past the "
                     r"archive's end .*; bundle dropped$", s, re.M)
    assert re.search(r"^vm 0 first: created: ", s, re.M)
    assert re.search(r"^vm 1 cpu: created: ", s, re.M)
    check_guest_passed(s, "first")
    check_guest_passed(s, "cpu")
    assert re.search(r"^umbra: guests: 2 passed, 0 failed$", s, re.M)
    assert re.search(r"^umbra: 2 problem\(s\) with guest bundles \(above\): .*the run "
                     r"fails$", s, re.M)
