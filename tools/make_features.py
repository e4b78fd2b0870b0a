"""Turn a 1 s, 16 kHz mono WAV into the 49 x 40 int8 feature array that
TFLM's micro_speech model takes, using TFLM's own audio preprocessor model
run by the tflite_micro wheel on the host (the oracle; on the device tflm
runs the same model: examples/micro_speech.py).

    python tools/make_features.py yes_1000ms.wav yes.features [--preprocessor path]

30 ms windows (480 samples) every 20 ms: 49 frames of 40 features.
"""
import argparse
import os
import sys
import wave

import numpy as np
from tflite_micro.python.tflite_micro import runtime

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_PRE = os.path.join(os.path.dirname(ROOT), "shared", "models", "tflm", "audio_preprocessor_int8.tflite")


def features(wav_path, preprocessor=DEFAULT_PRE):
    with wave.open(wav_path) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1 and w.getsampwidth() == 2
        audio = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    it = runtime.Interpreter.from_bytes(open(preprocessor, "rb").read(), arena_size=1 << 22)
    frames = []
    for start in range(0, 49 * 320, 320):
        window = audio[start:start + 480]
        window = np.pad(window, (0, 480 - len(window)))
        it.set_input(window.reshape(1, 480).astype(np.int16), 0)
        it.invoke()
        frames.append(np.array(it.get_output(0)).reshape(40))
    return np.stack(frames).astype(np.int8)  # [49, 40]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("wav")
    ap.add_argument("out")
    ap.add_argument("--preprocessor", default=DEFAULT_PRE)
    args = ap.parse_args()
    f = features(args.wav, args.preprocessor)
    with open(args.out, "wb") as fh:
        fh.write(f.tobytes())
    print(f"{args.out}: {f.size} int8 features")


if __name__ == "__main__":
    sys.exit(main())
