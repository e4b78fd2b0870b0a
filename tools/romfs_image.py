"""A ROMFS image whose files' data start on an aligned address.

    romfs_image.py SRC_DIR OUT.romfs [--align 16]
    mpremote romfs deploy OUT.romfs

MicroPython's ROMFS (extmod/vfs_rom.c) maps file data in place, and tflm
uses a model from it with no copy when the model's bytes are 8-byte aligned
(the core reads weights and shapes through typed pointers). `mpremote romfs
deploy <folder>` places each file's data wherever its record's header ends,
so a model there is aligned or not by chance (by its name's length and the
records before it) and a misaligned one is copied into RAM once. This
writer builds the same filesystem with every file's data aligned to
`--align` bytes from the image's start; the partitions of our QEMU boards
start 16-byte aligned (ports/qemu/boards/common/board_vfs.c), a real
board's flash partition at least that.

The format (extmod/vfs_rom.c): records of varuint kind, varuint payload
length, payload; a varuint is big-endian base 128 with the high bit set on
all but its last byte, and may be padded with leading 0x80 bytes. Here
directory and file records carry their length as a fixed 4-byte varuint, so
every position is known while writing, and each file's data-length varuint
is padded until the data lands aligned. The image's size must be even (a
3-byte padding record at the end makes it so). Standard library only.
"""
import argparse
import os
import sys

HEADER = b"\xd2\xcd\x31"  # the filesystem record's kind, 0x14a6b1
KIND_PADDING = 1
KIND_DATA = 2
KIND_DIR = 4
KIND_FILE = 5
LEN_WIDTH = 4  # fixed length varuints: up to 2**28 - 1 bytes


def varuint(value, width=0):
    """Big-endian base-128, padded with 0x80 bytes to at least `width`."""
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.extend([0x80] * (width - len(out)))
    return bytes(reversed(out))


def _fixed(value):
    if value >= 1 << (7 * LEN_WIDTH):
        raise ValueError("record of %d bytes is too long" % value)
    return varuint(value, LEN_WIDTH)


def _record(out, kind, write_payload):
    """Appends a record whose payload write_payload(out) appends."""
    out += varuint(kind)
    at = len(out)
    out += bytes(LEN_WIDTH)
    write_payload(out)
    out[at:at + LEN_WIDTH] = _fixed(len(out) - at - LEN_WIDTH)


def _data(out, data, align):
    out += varuint(KIND_DATA)
    n = varuint(len(data))
    pad = -(len(out) + len(n)) % align
    out += varuint(len(data), len(n) + pad)
    out += data


def _entries(out, folder, align):
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        encoded = name.encode()

        def payload(o, path=path, encoded=encoded):
            o += varuint(len(encoded)) + encoded
            if os.path.isdir(path):
                _entries(o, path, align)
            else:
                with open(path, "rb") as f:
                    _data(o, f.read(), align)

        _record(out, KIND_DIR if os.path.isdir(path) else KIND_FILE, payload)


def build(folder, align=16):
    """The image (bytes) of `folder`'s files and subfolders."""
    out = bytearray(HEADER)
    at = len(out)
    out += bytes(LEN_WIDTH)
    _entries(out, folder, align)
    if len(out) % 2:
        out += varuint(KIND_PADDING) + varuint(1) + b"\0"
    out[at:at + LEN_WIDTH] = _fixed(len(out) - at - LEN_WIDTH)
    return bytes(out)


def hostfs_deploy_code(path, size, piece=1024):
    """MicroPython code that writes the image file `path` (on the host, of
    `size` bytes) into an emulated board's ROMFS partition through
    vfs.rom_ioctl, `piece` bytes at a time read through hostfs
    (ports/qemu/boards/common/modhostfs.c). For the micro:bit: mpremote's
    romfs deploy sends 4 KiB chunks and decodes each on the board, more than
    its 16 KiB of RAM can hold. Writes are padded to whole words (flash)."""
    return ("import vfs, hostfs\n"
            "if vfs.rom_ioctl(3, 0, %d) < 0:\n raise OSError('prepare')\n"
            "for i in range(0, %d, %d):\n"
            " b = hostfs.read(%r, i, %d)\n"
            " if vfs.rom_ioctl(4, 0, i, b + bytes(-len(b) %% 4)) < 0:\n  raise OSError('write')\n"
            "vfs.rom_ioctl(5, 0)\nprint('ROMFS image deployed')\n" % (size, size, piece, path, piece))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("src", help="folder to put in the image")
    ap.add_argument("out", help="image file (.romfs, for mpremote romfs deploy)")
    ap.add_argument("--align", type=int, default=16, help="alignment of file data (default 16)")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.src):
        ap.error("%s is not a folder" % args.src)
    image = build(args.src, args.align)
    with open(args.out, "wb") as f:
        f.write(image)
    print("%s: %d bytes, file data aligned to %d" % (args.out, len(image), args.align))
    return 0


if __name__ == "__main__":
    sys.exit(main())
