# Person detection on a 96x96 grayscale image with TFLM's person_detect
# model. Reads an 8-bit grayscale BMP file.
#   mpremote cp person_detect.tflite person.bmp no_person.bmp :
#   mpremote run examples/person_detection.py
import tflm

LABELS = ("no person", "person")


def read_bmp_gray(path):
    # 8-bit grayscale BMP: pixel data at the offset in the header, rows
    # bottom-up and padded to 4 bytes. Returns 96*96 bytes, top row first.
    with open(path, "rb") as f:
        data = f.read()
    offset = int.from_bytes(data[10:14], "little")
    w = int.from_bytes(data[18:22], "little")
    h = int.from_bytes(data[22:26], "little")
    stride = (w + 3) & ~3
    rows = [data[offset + r * stride:offset + r * stride + w] for r in range(h)]
    return b"".join(reversed(rows))


def detect(interp, pixels, raw):
    inp = interp.input(0)
    if raw:
        # TFLM's test images store the model's int8 input bytes directly.
        interp.set_input(pixels, 0)
    else:
        # An ordinary grayscale photo: 0..255 -> -128..127.
        memoryview(inp)[:] = bytes((p - 128) & 0xFF for p in pixels)
    interp.invoke()
    scores = interp.output(0).dequantize()
    return LABELS[1] if scores[1] > scores[0] else LABELS[0], scores


def main(images=("person.bmp", "no_person.bmp"), raw=True):
    interp = tflm.Interpreter("person_detect.tflite")
    print("arena:", interp.arena_used, "bytes")
    for path in images:
        label, scores = detect(interp, read_bmp_gray(path), raw)
        print("{}: {} (no person {:.2f}, person {:.2f})".format(path, label, scores[0], scores[1]))


main()
