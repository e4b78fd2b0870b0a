"""Minimal, dependency-free reader for the parts of a .tflite flatbuffer we
care about when checking the project's models: operator codes and versions,
the operator list of subgraph 0, and tensor types/shapes/quantization.

Only the standard library is used so this works both in the TensorFlow
virtualenv (train.py) and with a plain host Python (check_models.py).
Usage: python3 tflite_info.py [-v] model.tflite [...]  (-v: one line per operator)
"""

import os
import re
import struct
import sys

# tflite::BuiltinOperator names, read from the runtime's generated header
# (modtflm/core/schema/opcodes.h, made from the TFLite schema) so there is one
# table in the project; codes it does not name print as BUILTIN_<code>.
OPCODES_H = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "modtflm", "core", "schema", "opcodes.h")
CUSTOM_CODE = 32


def _builtin_names(path=OPCODES_H):
    names = {}
    try:
        with open(path) as f:
            for m in re.finditer(r"#define TFLM_OP_(\w+) \((\d+)\)", f.read()):
                names[int(m.group(2))] = m.group(1)
    except OSError:
        pass
    return names


BUILTIN_NAMES = _builtin_names()

# tflite::TensorType
TENSOR_TYPES = {
    0: "float32", 1: "float16", 2: "int32", 3: "uint8", 4: "int64",
    5: "string", 6: "bool", 7: "int16", 8: "complex64", 9: "int8",
    10: "float64", 11: "complex128", 12: "uint64", 13: "resource",
    14: "variant", 15: "uint32", 16: "uint16", 17: "int4",
}


class _Table:
    """A flatbuffer table: position of the table plus its vtable."""

    def __init__(self, buf, pos):
        self.buf = buf
        self.pos = pos
        vt = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vt = vt
        self.vt_len = struct.unpack_from("<H", buf, vt)[0]

    def _field(self, index):
        off = 4 + 2 * index
        if off >= self.vt_len:
            return 0
        rel = struct.unpack_from("<H", self.buf, self.vt + off)[0]
        return self.pos + rel if rel else 0

    def scalar(self, index, fmt, default=0):
        p = self._field(index)
        return struct.unpack_from("<" + fmt, self.buf, p)[0] if p else default

    def _indirect(self, index):
        p = self._field(index)
        if not p:
            return 0
        return p + struct.unpack_from("<I", self.buf, p)[0]

    def table(self, index):
        p = self._indirect(index)
        return _Table(self.buf, p) if p else None

    def vector(self, index, fmt):
        """Vector of scalars with struct format `fmt` (e.g. 'i', 'f', 'q')."""
        p = self._indirect(index)
        if not p:
            return []
        n = struct.unpack_from("<I", self.buf, p)[0]
        return list(struct.unpack_from("<%d%s" % (n, fmt), self.buf, p + 4))

    def tables(self, index):
        p = self._indirect(index)
        if not p:
            return []
        n = struct.unpack_from("<I", self.buf, p)[0]
        out = []
        for i in range(n):
            e = p + 4 + 4 * i
            out.append(_Table(self.buf, e + struct.unpack_from("<I", self.buf, e)[0]))
        return out

    def string(self, index):
        p = self._indirect(index)
        if not p:
            return None
        n = struct.unpack_from("<I", self.buf, p)[0]
        return bytes(self.buf[p + 4:p + 4 + n]).decode("utf-8", "replace")


def parse(data):
    """Return a dict describing the model (subgraph 0 only)."""
    data = bytes(data)
    model = _Table(data, struct.unpack_from("<I", data, 0)[0])
    opcodes = []
    for oc in model.tables(1):  # Model.operator_codes
        deprecated = oc.scalar(0, "b", 0)  # OperatorCode.deprecated_builtin_code
        builtin = oc.scalar(3, "i", 0)  # OperatorCode.builtin_code
        code = max(deprecated, builtin)
        opcodes.append({
            "code": code,
            "name": (oc.string(1) or "CUSTOM") if code == CUSTOM_CODE
                    else BUILTIN_NAMES.get(code, "BUILTIN_%d" % code),
            "custom": oc.string(1),
            "version": oc.scalar(2, "i", 1),
        })
    subgraph = model.tables(2)[0]  # Model.subgraphs[0]
    tensors = []
    for t in subgraph.tables(0):  # SubGraph.tensors
        q = t.table(4)  # Tensor.quantization
        tensors.append({
            "name": t.string(3),
            "shape": t.vector(0, "i"),
            "type": TENSOR_TYPES.get(t.scalar(1, "b", 0), "?"),
            "scale": q.vector(2, "f") if q else [],
            "zero_point": q.vector(3, "q") if q else [],
            "quantized_dimension": q.scalar(6, "i", 0) if q else 0,
        })
    ops = []
    for op in subgraph.tables(3):  # SubGraph.operators
        oc = opcodes[op.scalar(0, "I", 0)]
        ops.append({
            "name": oc["name"],
            "version": oc["version"],
            "inputs": op.vector(1, "i"),
            "outputs": op.vector(2, "i"),
        })
    return {
        "schema_version": model.scalar(0, "I", 0),
        "description": model.string(3),
        "opcodes": opcodes,
        "tensors": tensors,
        "inputs": subgraph.vector(1, "i"),
        "outputs": subgraph.vector(2, "i"),
        "operators": ops,
    }


def _tensor_str(t):
    s = "%s%s" % (t["type"], t["shape"])
    if t["scale"]:
        if len(t["scale"]) == 1:
            s += " scale=%.6g zp=%d" % (t["scale"][0], t["zero_point"][0])
        else:
            s += " per-channel(%d scales, axis %d)" % (
                len(t["scale"]), t["quantized_dimension"])
    return s


def _tensor_brief(tens, i):
    if i < 0:
        return "-"
    return "%s[%s]" % (tens[i]["type"], ",".join(str(d) for d in tens[i]["shape"]))


def describe(data, label="", verbose=False):
    """Human-readable summary lines for a model; `verbose` adds one line per
    operator with its input and output types and shapes."""
    info = parse(data)
    lines = ["%s: %d bytes, schema v%d" % (label or "model", len(data),
                                            info["schema_version"])]
    lines.append("  op codes: " + ", ".join(
        "%s v%d" % (oc["name"], oc["version"]) for oc in info["opcodes"]))
    lines.append("  graph: " + " -> ".join(op["name"] for op in info["operators"]))
    tens = info["tensors"]
    for i in info["inputs"]:
        lines.append("  input  %s" % _tensor_str(tens[i]))
    for i in info["outputs"]:
        lines.append("  output %s" % _tensor_str(tens[i]))
    if verbose:
        for n, op in enumerate(info["operators"]):
            lines.append("  op %d %s v%d: %s -> %s" % (
                n, op["name"], op["version"],
                ", ".join(_tensor_brief(tens, i) for i in op["inputs"]),
                ", ".join(_tensor_brief(tens, i) for i in op["outputs"])))
    for n, op in enumerate(info["operators"]):
        if op["name"] == "FULLY_CONNECTED":
            filt = tens[op["inputs"][1]]
            units = filt["shape"][0] if filt["shape"] else 0
            nscale = len(filt["scale"])
            if not nscale:
                kind = "not quantized"
            elif nscale > 1:
                kind = "per-channel (axis %d)" % filt["quantized_dimension"]
            elif units == 1:
                kind = "1 unit: per-tensor == per-channel"
            else:
                kind = "per-tensor"
            lines.append("  op %d FULLY_CONNECTED v%d filter %s%s, "
                         "filter scale count %d: %s" % (
                             n, op["version"], filt["type"], filt["shape"],
                             nscale, kind))
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    verbose = "-v" in args
    for path in (a for a in args if a != "-v"):
        with open(path, "rb") as f:
            print(describe(f.read(), path, verbose=verbose))
