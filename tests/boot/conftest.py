"""Fixtures for the boot tests: the built artifacts, each required, none skipped.

A missing image is a failure that says which make target builds it. The ISO
is (re)built with `make iso` when it is missing or older than the image or
the guest it carries. UMBRA_BUILD=DIR points the tests at other artifacts
(DIR/umbra.elf, DIR/umbra.iso, DIR/guests/hello.elf); then nothing is built.
"""
import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bootlib  # noqa: E402


def require(path, how):
    if not Path(path).is_file():
        pytest.fail("%s is missing: run `%s` in %s first" % (path, how, bootlib.REPO),
                    pytrace=False)
    return Path(path)


@pytest.fixture(scope="session")
def umbra_elf():
    """build/x86_64/umbra.elf, the hypervisor (Multiboot1 + Multiboot2, 32-bit ELF)."""
    return require(bootlib.UMBRA_ELF, "make")


@pytest.fixture(scope="session")
def hello_guest():
    """The hello test guest, loaded as a module with HELLO_CMDLINE."""
    return require(bootlib.HELLO_ELF, "make")


@pytest.fixture(scope="session")
def umbra_iso(umbra_elf, hello_guest):
    """build/x86_64/umbra.iso (GRUB, BIOS + UEFI), rebuilt by `make iso` if stale."""
    iso = bootlib.UMBRA_ISO
    newest_input = max(umbra_elf.stat().st_mtime, hello_guest.stat().st_mtime)
    own_build = "UMBRA_BUILD" not in os.environ  # make builds the repo's build/ only
    if own_build and (not iso.is_file() or iso.stat().st_mtime < newest_input):
        r = subprocess.run(["make", "-C", str(bootlib.REPO), "iso"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
        if r.returncode != 0:
            pytest.fail("`make iso` failed (status %d):\n%s"
                        % (r.returncode, r.stdout.decode("utf-8", "replace")), pytrace=False)
    return require(iso, "make iso")


@pytest.fixture
def boot():
    """bootlib.boot(emulator, kernel=|iso=, ...) -> (status, serial, elapsed)."""
    return bootlib.boot


@pytest.fixture
def boot_bochs(umbra_elf, tmp_path):
    """bootlib.boot_bochs(modules, append, ...) with umbra.elf, working in this
    test's tmp_path: the ISO, bochsrc, bochs.log and com1.log stay there."""
    return functools.partial(bootlib.boot_bochs, kernel=umbra_elf, workdir=tmp_path)
