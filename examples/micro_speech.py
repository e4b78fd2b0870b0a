# micro_speech end to end on the device: a WAV file (16 kHz, mono, 16-bit
# PCM, 1 s) -> TFLM's audio preprocessor model (30 ms windows every 20 ms:
# 49 frames of 40 int8 features) -> the micro_speech classifier.
#   mpremote cp audio_preprocessor_int8.tflite micro_speech_quantized.tflite yes_1000ms.wav :
#   mpremote run examples/micro_speech.py
import tflm

LABELS = ("silence", "unknown", "yes", "no")
RATE = 16000
WINDOW = 480   # samples: 30 ms
HOP = 320      # samples: 20 ms
FRAMES = 49    # windows in 1 s
FEATURES = 40


class WavError(ValueError):
    pass


def read_wav(path):
    """The PCM bytes of a 16 kHz mono 16-bit WAV file (RIFF/WAVE with a
    'fmt ' and a 'data' chunk; other chunks are skipped)."""
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise WavError("{}: not a RIFF/WAVE file".format(path))
        fmt = None
        while True:
            chunk = f.read(8)
            if len(chunk) < 8:
                raise WavError("{}: no 'data' chunk".format(path))
            cid, size = chunk[:4], int.from_bytes(chunk[4:8], "little")
            if cid == b"data":
                if fmt is None:
                    raise WavError("{}: 'data' before 'fmt '".format(path))
                data = f.read(size)
                if len(data) < size:
                    raise WavError("{}: 'data' chunk truncated".format(path))
                return data
            if cid == b"fmt ":
                fmt = f.read(size)
                check_format(path, fmt)
                f.seek(size & 1, 1)              # chunks are padded to even sizes
            else:
                f.seek(size + (size & 1), 1)


def check_format(path, fmt):
    if len(fmt) < 16:
        raise WavError("{}: 'fmt ' chunk of {} bytes".format(path, len(fmt)))
    tag = int.from_bytes(fmt[0:2], "little")
    channels = int.from_bytes(fmt[2:4], "little")
    rate = int.from_bytes(fmt[4:8], "little")
    bits = int.from_bytes(fmt[14:16], "little")
    if tag != 1 or channels != 1 or bits != 16:
        raise WavError("{}: need 16-bit PCM mono, got format {}, {} channels, {} bits".format(
            path, tag, channels, bits))
    if rate != RATE:
        raise WavError("{}: need {} Hz, got {}".format(path, RATE, rate))


def features(pre, pcm):
    """49 x 40 int8 features: the preprocessor on each 30 ms window (the
    audio zero-padded to 1 s). Starts from a fresh noise estimate."""
    need = ((FRAMES - 1) * HOP + WINDOW) * 2
    if len(pcm) < need:
        pcm = pcm + bytes(need - len(pcm))
    out = bytearray(FRAMES * FEATURES)
    pre.reset()
    mv = memoryview(pcm)
    for k in range(FRAMES):
        pre.set_input(mv[k * HOP * 2:(k * HOP + WINDOW) * 2], 0)
        pre.invoke()
        out[k * FEATURES:(k + 1) * FEATURES] = bytes(pre.output(0))
    return out


def classify(cls, feats):
    cls.set_input(feats, 0)
    cls.invoke()
    scores = cls.output(0).dequantize()
    best = max(range(len(LABELS)), key=lambda i: scores[i])
    return LABELS[best], scores


def main(paths=("yes_1000ms.wav", "no_1000ms.wav")):
    pre = tflm.Interpreter("audio_preprocessor_int8.tflite")
    cls = tflm.Interpreter("micro_speech_quantized.tflite")
    print("arena: preprocessor {} + classifier {} bytes".format(pre.arena_used, cls.arena_used))
    for path in paths:
        label, scores = classify(cls, features(pre, read_wav(path)))
        print("{}: {}  ({})".format(path, label,
              ", ".join("{} {:.3f}".format(l, s) for l, s in zip(LABELS, scores))))


main()
