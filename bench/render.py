"""The report: Markdown tables of the results, the targets met or not."""
import os

from codesize import KWS_KERNEL_FAMILIES
from common import BOARD_CPU, BOARDS, HOST_RUNS, SIZE_BOARD
from reference import (PIPELINE_CLS, PIPELINE_PRE, PIPELINE_WINDOWS, REF_CMSIS_M4, REF_CMSIS_M55,
                       REF_KWS_FLASH_CMSIS, REF_TFLM_ARENA32, REF_TFLM_ARENA64, REF_TFLM_REF_M4, REF_TFLM_REF_RV32,
                       TARGET_CORE_TEXT, TARGET_KWS_FLASH, TARGET_M3, TARGET_M4, TARGET_M55, TARGET_OVERHEAD,
                       TARGET_PIPELINE_M4, TARGET_RV32)

# The instruction-count targets: (column, board short name, reference
# figures, limit, what the check is called).
RATIOS = [
    ("M4 / CMSIS-NN M4 (<= 0.8)", "m4", REF_CMSIS_M4, TARGET_M4, "M4 instructions vs TFLM+CMSIS-NN M4"),
    ("M55 / CMSIS-NN M55 (<= 1.0)", "m55", REF_CMSIS_M55, TARGET_M55, "M55 instructions vs TFLM+CMSIS-NN M55"),
    ("M3 / TFLM ref M4 (<= 0.5)", "m3", REF_TFLM_REF_M4, TARGET_M3, "M3 instructions vs TFLM reference kernels M4"),
    ("RV32 / TFLM ref RV32 (<= 0.35)", "rv32", REF_TFLM_REF_RV32, TARGET_RV32,
     "RV32 instructions vs TFLM reference kernels RV32"),
]


def fmt(n):
    return "-" if n is None else "{:,}".format(int(round(n)))


def verdict(ok):
    return "met" if ok else "NOT met"


def ratio_cell(value, ref, target):
    if value is None or ref is None:
        return "-"
    r = value / ref
    return "%.2f %s" % (r, "met" if r <= target else "NOT met")


def get(boards_res, board, model, key="instructions"):
    r = boards_res.get(board, {}).get(model)
    if not r or "error" in r:
        return None
    return r.get(key)


def render_table(models, boards_res, host_res, size):
    """Main table (Markdown), then the one-line targets.  Returns (text, checks)."""
    checks = []
    ram_board = next((b for b in [SIZE_BOARD] + list(BOARDS.values())
                      if any(get(boards_res, b, m, "arena_used") is not None for m in models)), None)
    head = (["model"] + [s.upper() for s in BOARDS] + [r[0] for r in RATIOS]
            + ["arena", "other", "RAM / TFLM arena (<= 1.0)", "= TFLM"])
    rows = []
    for m in models:
        c = {s: get(boards_res, b, m) for s, b in BOARDS.items()}
        arena = get(boards_res, ram_board, m, "arena_used") if ram_board else None
        other = get(boards_res, ram_board, m, "other_ram") if ram_board else None
        ram = None if arena is None else arena + other
        same = []
        for b, rb in boards_res.items():
            r = rb.get(m)
            hr = host_res.get(m, {}) if host_res else {}
            if r and "error" not in r and hr.get("wheel_outputs") is not None:
                same.append(r["outputs"] == hr["wheel_outputs"])
        if host_res and m in host_res and "ours_outputs" in host_res[m]:
            same.append(host_res[m]["ours_outputs"] == host_res[m]["wheel_outputs"])
        row = ([m] + [fmt(c[s]) for s in BOARDS]
               + [ratio_cell(c[short], ref.get(m), tgt) for _, short, ref, tgt, _ in RATIOS]
               + [fmt(arena), fmt(other), ratio_cell(ram, REF_TFLM_ARENA32.get(m), 1.0),
                  "-" if not same else ("yes" if all(same) else "NO")])
        rows.append(row)
        for label, v, ref, tgt in ([(what, c[short], ref.get(m), tgt) for _, short, ref, tgt, what in RATIOS]
                                   + [("arena + other RAM vs TFLM arena (32-bit)", ram, REF_TFLM_ARENA32.get(m),
                                       1.0)]):
            if v is not None and ref is not None:
                checks.append({"model": m, "what": label, "value": v, "reference": ref,
                               "ratio": v / ref, "target": tgt, "met": v / ref <= tgt})
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join([":---"] + ["---:"] * (len(head) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    lines.append("")
    if ram_board:
        lines.append("RAM (arena, other) measured on %s." % ram_board)
    # Single-figure targets.
    lines.append("")
    lines.append("| target | ours | limit | reference | |")
    lines.append("|:---|---:|---:|---:|:---|")
    if size:
        ct = size["core"]["text"]
        checks.append({"what": "runtime core .text on M4", "value": ct, "target": TARGET_CORE_TEXT,
                       "met": ct <= TARGET_CORE_TEXT})
        lines.append("| flash: runtime core (verify, plan, interpret) .text (M4) | %s B | %s B (8 KiB) | "
                     "TFLM core ~12 KiB | %s |" % (fmt(ct), fmt(TARGET_CORE_TEXT), verdict(ct <= TARGET_CORE_TEXT)))
        k = size.get("kws_only_build")
        if k:
            kt = k["without_binding"]["text"]
            checks.append({"what": "core + kws kernels .text on M4 (kws-only int8 build)", "value": kt,
                           "target": TARGET_KWS_FLASH, "reference": REF_KWS_FLASH_CMSIS,
                           "met": kt <= TARGET_KWS_FLASH})
            lines.append("| flash: core + all kernels kws needs, optimized included, .text (M4, kws-only int8 "
                         "build) | %s B (+ %s B .rodata) | %s B (38 KiB) | TFLM+CMSIS-NN %s B (76.7 KiB) | %s |" % (
                             fmt(kt), fmt(k["without_binding"]["rodata"]), fmt(TARGET_KWS_FLASH),
                             fmt(REF_KWS_FLASH_CMSIS), verdict(kt <= TARGET_KWS_FLASH)))
        ks = size["kws_subset"]
        lines.append("| (info) same objects in the full build (all types): .text; .text+.rodata | %s B; %s B "
                     "| | | |" % (fmt(ks["text"]), fmt(ks["total"])))
    r = boards_res.get(SIZE_BOARD, {}).get("person_detect")
    if r and "error" not in r:
        frac = r["invoke_overhead"] / r["instructions"]
        checks.append({"what": "invoke() overhead, person_detect M4", "value": r["invoke_overhead"],
                       "ratio": frac, "target": TARGET_OVERHEAD, "met": frac <= TARGET_OVERHEAD})
        lines.append("| invoke() overhead outside the ops, person_detect M4 | %s instr (%.4f %%) | 2 %% | | %s |" % (
            fmt(r["invoke_overhead"]), 100 * frac, verdict(frac <= TARGET_OVERHEAD)))
    cons = [(m, get(boards_res, SIZE_BOARD, m, "construct")) for m in models]
    cons = [(m, c) for m, c in cons if c]
    if cons:
        lines.append("")
        lines.append("Instructions `tflm.Interpreter(model)` takes on %s (arena_size=0, exact arena found by "
                     "the constructor; the lower of two runs after gc.collect()):" % SIZE_BOARD)
        lines.append("")
        lines.append("| model | Interpreter() |")
        lines.append("|:---|---:|")
        lines += ["| %s | %s |" % (m, fmt(c)) for m, c in cons]
    return "\n".join(lines), checks


def render_pipeline(boards_res, host_arena=None):
    """micro_speech end to end per board: PIPELINE_WINDOWS preprocessor
    invokes + 1 classifier invoke (each measured once, on the bench's
    input), the preprocessor's per-op-type shares, and the two arenas
    together. `host_arena`: {model: arena_used} on the 64-bit unix build,
    compared with the wheel's (TFLM's 32-bit preprocessor figure is not on
    record). Returns (text, checks)."""
    lines, checks = [], []
    for board, rb in boards_res.items():
        pre, cls = rb.get(PIPELINE_PRE), rb.get(PIPELINE_CLS)
        if not pre or not cls or "error" in pre or "error" in cls:
            continue
        total = PIPELINE_WINDOWS * pre["instructions"] + cls["instructions"]
        line = "micro_speech pipeline on %s: %d x %s + %s = %s instructions per second of audio" % (
            board, PIPELINE_WINDOWS, fmt(pre["instructions"]), fmt(cls["instructions"]), fmt(total))
        if board == BOARDS.get("m4"):
            ok = total <= TARGET_PIPELINE_M4
            line += " (target <= %s: %s)" % (fmt(TARGET_PIPELINE_M4), verdict(ok))
            checks.append(("micro_speech pipeline M4 instructions", ok))
        lines.append(line)
        lines.append("  arena: preprocessor %s + classifier %s = %s bytes" % (
            fmt(pre["arena_used"]), fmt(cls["arena_used"]), fmt(pre["arena_used"] + cls["arena_used"])))
        ptotal = pre["profile_sum"]
        for n, (k, s) in sorted(pre["per_type"].items(), key=lambda kv: -kv[1][1]):
            lines.append("  %-36s %3d %10s %6.1f%%" % (n, k, fmt(s), 100.0 * s / ptotal if ptotal else 0))
    if host_arena and all(m in host_arena for m in REF_TFLM_ARENA64):
        ours = sum(host_arena[m] for m in REF_TFLM_ARENA64)
        ref = sum(REF_TFLM_ARENA64.values())
        ok = ours <= ref
        lines.append("pipeline arena on the 64-bit host: %s vs TFLM's %s (<= 1.0: %.2f %s)" % (
            fmt(ours), fmt(ref), ours / ref, verdict(ok)))
        checks.append(("micro_speech pipeline arena vs TFLM (64-bit)", ok))
    return "\n".join(lines), checks


def render_per_op(boards_res, top=8):
    out = []
    for board, rb in boards_res.items():
        for m, r in rb.items():
            if "error" in r:
                continue
            total = r["profile_sum"]
            out.append("")
            out.append("%s on %s: %s instructions in ops (sum of profile), %s for the "
                       "profiled invoke, %s outside the ops" % (
                           m, board, fmt(total), fmt(r["profiled_invoke"]), fmt(r["invoke_overhead"])))
            out.append("  %-22s %5s %14s %7s" % ("op type", "ops", "instructions", "share"))
            for n, (k, s) in sorted(r["per_type"].items(), key=lambda kv: -kv[1][1]):
                out.append("  %-22s %5d %14s %6.1f%%" % (n, k, fmt(s), 100.0 * s / total if total else 0))
            out.append("  top ops:")
            for i, n, c in sorted(r["profile"], key=lambda p: -p[2])[:top]:
                out.append("    #%-4d %-22s %14s %6.1f%%" % (i, n, fmt(c), 100.0 * c / total if total else 0))
    return "\n".join(out)


def render_size(size):
    if not size:
        return ""
    out = ["", "Code size on %s (%s), bytes kept in the image:" % (SIZE_BOARD, size["map"]),
           "  %-26s %8s %8s %8s" % ("", ".text", ".rodata", "total")]

    def row(label, d):
        out.append("  %-26s %8s %8s %8s" % (label, fmt(d["text"]), fmt(d["rodata"]), fmt(d["total"])))

    row("runtime core", size["core"])
    for n, d in size["core_objects"].items():
        row("  " + n, d)
    row("kernel support", size["support"])
    for n, d in size["support_objects"].items():
        row("  " + n, d)
    for n, d in size["kernels"].items():
        row("kernels/" + n + ".o", d)
    row("all kernels", size["kernels_total"])
    row("binding modtflm.o", size["binding"])
    row("everything under modtflm/", size["all"])
    row("core + kws kernels", size["kws_subset"])
    out.append("  (kws subset: core, kernel support and the kernels of the op families %s: %s)" % (
        ", ".join(KWS_KERNEL_FAMILIES),
        ", ".join(os.path.basename(o) for o in size["kws_subset_objects"] if o.startswith("core/kernels/"))))
    lh = size["library_helpers"]
    row("libgcc members for modtflm", lh)
    out.append("  (pulled in by modtflm objects, maybe shared with the rest: %s)" % ", ".join(lh["members"]))
    k = size.get("kws_only_build")
    if k:
        out.append("")
        out.append("  Build with only kws_ref_model's op families (%s):" % k["map"])
        row("runtime core", k["core"])
        row("kernel support", k["support"])
        for n, d in k["kernels"].items():
            row("kernels/" + n + ".o", d)
        row("core + kernels", k["without_binding"])
        row("binding modtflm.o", k["binding"])
        row("libgcc members for modtflm", k["library_helpers"])
    return "\n".join(out)


def render_cpu_sizes(sizes):
    """The module's code size on each board's CPU: {board: code_size()}."""
    if not sizes:
        return ""
    out = ["", "Code size of the module per CPU (bytes kept in each board's image; runtime core, kernel support, "
           "kernels, binding):",
           "  %-12s %-12s %9s %9s %9s %9s %9s %9s" % ("board", "cpu", "core", "support", "kernels", "binding",
                                                       ".text", "total")]
    for board, z in sizes.items():
        out.append("  %-12s %-12s %9s %9s %9s %9s %9s %9s" % (
            board, BOARD_CPU.get(board, "?"), fmt(z["core"]["total"]), fmt(z["support"]["total"]),
            fmt(z["kernels_total"]["total"]), fmt(z["binding"]["total"]), fmt(z["all"]["text"]),
            fmt(z["all"]["total"])))
    return "\n".join(out)


def render_host(host_res):
    if not host_res:
        return ""
    out = ["", "Host (x86-64), median of %d invokes, single run (noisy):" % HOST_RUNS,
           "  %-24s %12s %12s %7s %8s" % ("model", "ours (us)", "wheel (us)", "ratio", "= wheel")]
    for m, r in host_res.items():
        ours = r.get("ours_us")
        out.append("  %-24s %12s %12s %7s %8s" % (
            m, fmt(ours), fmt(r["wheel_us"]), "%.2f" % r["ratio"] if r.get("ratio") else "-",
            "-" if "ours_outputs" not in r else ("yes" if r["ours_outputs"] == r["wheel_outputs"] else "NO")))
    return "\n".join(out)
