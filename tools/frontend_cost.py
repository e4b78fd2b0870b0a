"""Instructions tflm.AudioFrontend takes on an emulated board (QEMU runs with
-icount shift=0, so time.ticks_cpu counts instructions): per 20 ms frame
(micro_speech's settings: 30 ms window, FFT 512, 40 channels; one 320-sample
chunk per call, int8 features into a buffer), for the constructor, and for
an empty call. Needs the board's test firmware (make firmware TARGET=qemu
BOARD=...) and ../shared/models/testdata/yes_1000ms.wav.

    deps/venv/bin/python tools/frontend_cost.py qemu-m4 [qemu-rv32 ...]
"""
import os
import sys
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "python_tests"))
from tables import SHARED_MODELS  # noqa: E402
from targets import QEMU_TARGETS, SerialTarget  # noqa: E402

SCRIPT = """
import tflm, array, time
tc, diff = time.ticks_cpu, time.ticks_diff
t0 = tc(); fe = tflm.AudioFrontend(); t1 = tc()
construct = diff(t1, t0)
pcm = open('yes.pcm', 'rb').read()
buf = array.array('b', bytes(fe.channels))
mv = memoryview(pcm)
costs = []
for i in range(0, len(pcm), 640):
    chunk = mv[i:i + 640]
    t0 = tc()
    n = fe.process(chunk, into=buf)
    t1 = tc()
    if n:
        costs.append(diff(t1, t0))
costs.sort()
t0 = tc(); fe.process(b''); t1 = tc()
print('frames', len(costs), 'per frame median', costs[len(costs) // 2], 'min', costs[0], 'max', costs[-1],
      'constructor', construct, 'empty call', diff(t1, t0))
"""


def main(names):
    with wave.open(os.path.join(SHARED_MODELS, "testdata", "yes_1000ms.wav")) as w:
        pcm = w.readframes(w.getnframes())
    for name in names:
        q = QEMU_TARGETS[name]
        t = SerialTarget(name, board=q.board, ram=q.ram,
                         firmware=os.path.join(ROOT, "build", f"qemu-{q.board}", "firmware.elf"))
        try:
            print(name, t.run(SCRIPT, files={"yes.pcm": pcm}).strip())
        finally:
            t.close()


if __name__ == "__main__":
    main(sys.argv[1:] or ["qemu-m4"])
