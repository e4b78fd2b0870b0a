"""Code size: the .text and .rodata input sections kept in a linked image
(--gc-sections), per object file under modtflm/, read from the linker map,
attributed to the parts of modtflm/sources.txt:

  runtime core     the `size` group's files directly under core/
  kernel support   the files under core/support/ and core/schema/
  kernels          the files under core/kernels/ (any depth)
  binding          the `binding` group

No object is named here: new files, or kernels split per CPU, are picked up
from sources.txt."""
import collections
import os
import re

from common import ROOT

MODTFLM = os.path.join(ROOT, "modtflm")
SOURCES = os.path.join(MODTFLM, "sources.txt")
SUPPORT_DIRS = ("core/support/", "core/schema/")
KERNELS_DIR = "core/kernels/"

# The op families kws_ref_model's ops need (CONV_2D, DEPTHWISE_CONV_2D,
# AVERAGE_POOL_2D, FULLY_CONNECTED, RESHAPE, SOFTMAX): a family is a kernel
# file stem (core/kernels/<family>.c) and its optimized variants
# (core/kernels/opt/<family>_*.c, any CPU). The kws subset is the runtime
# core, all kernel support and these kernels.
KWS_KERNEL_FAMILIES = ["conv", "dw", "pooling", "fully_connected", "fc", "reshape", "softmax"]

# A Cortex-M4 firmware with only those op families compiled in (the other
# MICROPY_TFLM_OP_* flags set to 0), for the real size of a kws-only build.
KWS_FAMILIES = {"FULLY_CONNECTED", "CONV", "POOLING", "SOFTMAX", "RESHAPE"}


def op_flags():
    """Every MICROPY_TFLM_OP_* flag, from the one place they are defined
    (core/tflm_config.h): families and the sub-family flags (TRANSPOSE_CONV,
    ...) whose default is their family's flag."""
    with open(os.path.join(MODTFLM, "core", "tflm_config.h")) as f:
        return re.findall(r"#define MICROPY_TFLM_OP_(\w+) \((?:1|MICROPY_TFLM_OP_\w+)\)", f.read())


# kws_ref_model is int8 throughout: the kws-only build also leaves out the
# float32 and int16 kernel variants (MICROPY_TFLM_TYPE_*) and the ops that
# share a kept family's file (TRANSPOSE_CONV, ...), and tflm.AudioFrontend,
# as a board built for it would.
KWS_ONLY_CFLAGS = " ".join(["-DMICROPY_TFLM_OP_%s=0" % f for f in op_flags() if f not in KWS_FAMILIES]
                           + ["-DMICROPY_TFLM_TYPE_FLOAT32=0", "-DMICROPY_TFLM_TYPE_INT16=0",
                              "-DMICROPY_TFLM_FRONTEND=0"])


def sources(path=SOURCES):
    """[(group, object path relative to modtflm/)] from sources.txt."""
    out = []
    with open(path) as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if len(fields) == 2:
                group, src = fields
                out.append((group, os.path.splitext(src)[0] + ".o"))
    return out


def parts(srcs=None):
    """{part: [object paths]} for the parts named in the module docstring."""
    srcs = sources() if srcs is None else srcs
    return {
        "core": [o for g, o in srcs if g == "size" and os.path.dirname(o) == "core"],
        "support": [o for _, o in srcs if o.startswith(SUPPORT_DIRS)],
        "kernels": [o for _, o in srcs if o.startswith(KERNELS_DIR)],
        "binding": [o for g, o in srcs if g == "binding"],
    }


def kernel_name(obj):
    """Kernel object -> its name below core/kernels/ without .o ("conv", "opt/conv_dsp")."""
    return obj[len(KERNELS_DIR):-2]


def in_families(obj, families):
    """Whether a kernel object belongs to one of the op families."""
    name = kernel_name(obj)
    stem = os.path.basename(name)
    if os.path.dirname(name) == "opt":
        return any(stem.startswith(f + "_") for f in families)
    return stem in families


def kws_kernels(srcs=None):
    """The kernel objects of kws_ref_model's op families."""
    return [o for o in parts(srcs)["kernels"] if in_families(o, KWS_KERNEL_FAMILIES)]


# ---------------------------------------------------------------- linker map

_SECTION_LINE = re.compile(r"^ (\.\S+)?\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s+(\S.*)$")


def kept_sections(path):
    """(section name, bytes, input file) of each input section kept in the
    image: the map's memory-map part, after --gc-sections (discarded
    sections are listed before it)."""
    with open(path) as f:
        text = f.read()
    start = text.find("Linker script and memory map")
    if start < 0:
        raise ValueError("%s: no memory map" % path)
    pending = None
    for line in text[start:].splitlines():
        if not line.startswith(" "):
            pending = None
            continue
        m = re.match(r"^ (\.\S+)\s*$", line)
        if m:  # long section name; address, size and file on the next line
            pending = m.group(1)
            continue
        m = _SECTION_LINE.match(line)
        name = None
        if m:
            name = m.group(1) or pending
        pending = None
        if name:
            yield name, int(m.group(3), 16), m.group(4).strip().replace("\\", "/")


def map_sizes(path):
    """{object path relative to modtflm/: {'text': n, 'rodata': n}} for the
    input sections kept in the image."""
    sizes = collections.defaultdict(lambda: {"text": 0, "rodata": 0})
    for name, size, key in kept_sections(path):
        i = key.rfind("/modtflm/")
        if i >= 0 and key.endswith(".o"):
            rel = key[i + len("/modtflm/"):]
        elif key.endswith(".o)") and "(" in key:  # archive member: lib.a(member.o)
            rel = "lib:" + os.path.basename(key)
        else:
            continue
        if name == ".text" or name.startswith(".text."):
            sizes[rel]["text"] += size
        elif name == ".rodata" or name.startswith(".rodata."):
            sizes[rel]["rodata"] += size
    return dict(sizes)


def library_members_for_modtflm(path):
    """Archive members (libgcc, libc, ...) the link pulled in for modtflm
    objects, directly or through other such members: "lib:<lib.a(member.o)>"."""
    with open(path) as f:
        text = f.read()
    end = text.find("Discarded input sections")
    lines = text[:end if end > 0 else 0].splitlines()
    wanted_by = {}
    member = None
    for line in lines:
        if line and not line.startswith(" ") and line.endswith(".o)"):
            member = "lib:" + os.path.basename(line.strip().replace("\\", "/"))
        elif member and line.startswith(" ") and line.strip():
            req = line.strip().rsplit(" (", 1)[0].replace("\\", "/")
            if "/modtflm/" in req:
                wanted_by[member] = "modtflm"
            elif req.endswith(".o)"):
                wanted_by[member] = "lib:" + os.path.basename(req)
            else:
                wanted_by[member] = req
            member = None
    ours = set()
    changed = True
    while changed:
        changed = False
        for m, r in wanted_by.items():
            if m not in ours and (r == "modtflm" or r in ours):
                ours.add(m)
                changed = True
    return sorted(ours)


def code_size(map_path):
    sizes = map_sizes(map_path)
    objs = {k: v for k, v in sizes.items() if not k.startswith("lib:")}
    libs = {k: sizes.get(k, {"text": 0, "rodata": 0}) for k in library_members_for_modtflm(map_path)}

    def total(names):
        t = sum(objs[n]["text"] for n in names if n in objs)
        r = sum(objs[n]["rodata"] for n in names if n in objs)
        return {"text": t, "rodata": r, "total": t + r}

    # The parts' objects present in this image, in sources.txt's order.
    p = {k: [o for o in v if o in objs] for k, v in parts().items()}
    kws = p["core"] + p["support"] + [o for o in kws_kernels() if o in objs]
    return {
        "map": os.path.relpath(map_path, ROOT),
        "objects": objs,
        "core": total(p["core"]),
        "core_objects": collections.OrderedDict((n, total([n])) for n in p["core"]),
        "support": total(p["support"]),
        "support_objects": collections.OrderedDict((n, total([n])) for n in p["support"]),
        "kernels": collections.OrderedDict((kernel_name(n), total([n])) for n in p["kernels"]),
        "kernels_total": total(p["kernels"]),
        "binding": total(p["binding"]),
        "all": total(list(objs)),
        "kws_subset": total(kws),
        "kws_subset_objects": kws,
        "library_helpers": {
            "text": sum(v["text"] for v in libs.values()),
            "rodata": sum(v["rodata"] for v in libs.values()),
            "total": sum(v["text"] + v["rodata"] for v in libs.values()),
            "members": sorted(k[4:] for k in libs),
        },
    }
