"""The _shoal module exports PyInit__shoal alone (python/_shoal.map).

A std:: symbol in the module's dynamic symbol table takes the place of libstdc++.so's for
every library loaded in the module's scope (libzmq, CAF): on the H100 machine the module
carried libstdc++ code, libzmq's std::ostream calls ran it with the other library's locale
facets, and every driver that connected to a node cluster died with SIGSEGV in zmq's I/O
thread. Read from the ELF file itself (no binutils needed)."""
import struct
import sys

import pytest

from shoal import _shoal

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF modules only")

SHT_DYNSYM = 11
SHN_UNDEF = 0
STB_LOCAL = 0


def dynamic_definitions(path):
    """Names of the symbols the ELF64 little-endian shared object at `path` defines and
    exports (global or weak, not undefined) in .dynsym."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "expected an ELF64 little-endian file"
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names = set()
    for _, sh_type, _, _, off, size, link, _, _, entsize in sections:
        if sh_type != SHT_DYNSYM:
            continue
        str_off = sections[link][4]
        for k in range(size // entsize):
            st_name, st_info, _, st_shndx, _, _ = struct.unpack_from("<IBBHQQ", data, off + k * entsize)
            if st_shndx == SHN_UNDEF or (st_info >> 4) == STB_LOCAL or st_name == 0:
                continue
            end = data.index(b"\0", str_off + st_name)
            names.add(data[str_off + st_name:end].decode())
    return names


def test_the_module_exports_its_entry_point_alone():
    names = dynamic_definitions(_shoal.__file__)
    assert "PyInit__shoal" in names
    others = sorted(names - {"PyInit__shoal"})
    assert not others, f"{len(others)} other exported symbol(s), e.g. {others[:5]}"


def test_the_reader_sees_libraries_exports():
    # The check above means something only if the reader finds exports where they exist.
    import ctypes.util
    import os
    libc = ctypes.util.find_library("c")
    path = next((os.path.join(d, libc) for d in ("/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib",
                                                 "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu")
                 if libc and os.path.exists(os.path.join(d, libc))), None)
    if path is None:
        pytest.skip("libc not found on the usual paths")
    names = dynamic_definitions(path)
    assert {"malloc", "printf"} <= names
