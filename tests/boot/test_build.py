"""Build checks that make test also runs: the image builds clean with clang, and
make lint (clang-format, cppcheck, clang-tidy) is clean."""
import os
import subprocess

import bootlib


def make(*args, timeout=600):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(["make", "-C", str(bootlib.REPO)] + list(args), env=env,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout)


def test_clang_build_is_clean(tmp_path):
    r = make("CC=clang", "BUILD=%s" % tmp_path, "all")
    out = r.stdout.decode("utf-8", "replace")
    assert r.returncode == 0, "make CC=clang failed:\n" + out
    assert "warning:" not in out, "clang build printed warnings:\n" + out
    elf = tmp_path / "x86_64" / "umbra.elf"
    assert elf.is_file()
    # The 32-bit ELF that QEMU -kernel needs, with both Multiboot headers.
    assert elf.read_bytes()[4] == 1, "umbra.elf is not ELFCLASS32"
    for kind in ("--is-x86-multiboot", "--is-x86-multiboot2"):
        assert subprocess.run(["grub-file", kind, str(elf)]).returncode == 0, kind


def test_clang_image_boots(boot, tmp_path):
    r = make("CC=clang", "BUILD=%s" % tmp_path, "all")
    assert r.returncode == 0, r.stdout.decode("utf-8", "replace")
    res = boot("qemu", kernel=tmp_path / "x86_64" / "umbra.elf", cpu="max", timeout=120)
    assert res.status == bootlib.PASS, res.describe()
    assert bootlib.banner(res.serial)["boot"] == "multiboot1"


def test_lint_is_clean():
    r = make("lint")
    out = r.stdout.decode("utf-8", "replace")
    assert r.returncode == 0, "make lint failed:\n" + out
    assert "lint: clean" in out


def test_arm64_clang_build_boots(tmp_path):
    """make ARCH=arm64 CC=clang: clang --target=aarch64 and ld.lld build the
    image and the guests without warnings, and that image runs hello."""
    r = make("ARCH=arm64", "CC=clang", "BUILD=%s" % tmp_path, "all")
    out = r.stdout.decode("utf-8", "replace")
    assert r.returncode == 0, "make ARCH=arm64 CC=clang failed:\n" + out
    assert "warning:" not in out, "clang build printed warnings:\n" + out
    image = tmp_path / "arm64" / "umbra.bin"
    assert image.read_bytes()[56:60] == b"ARM\x64", "no arm64 Image magic"
    bundle = bootlib.make_bundle(tmp_path / "hello.cpio", [
        "%s name=hello -- built by clang" % (tmp_path / "arm64" / "guests" / "hello.elf")])
    res = bootlib.boot_arm64(kernel=image, initrd=bundle, timeout=120)
    assert res.status == bootlib.PASS, res.describe()
    assert "built by clang" in res.serial
    assert "umbra: guests: 1 passed, 0 failed" in res.serial
