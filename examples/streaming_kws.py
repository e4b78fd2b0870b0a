# Streaming keyword spotting: 20 ms chunks of 16 kHz audio, as machine.I2S
# delivers them (here read from WAV files), go through tflm.AudioFrontend
# straight into a streaming model's int8 input; the model keeps the last
# 200 ms in a resource variable and scores every 20 ms frame; a smoothed
# score above a threshold fires the keyword.
#   mpremote cp models/frontend/streaming_kws.tflite yes.wav silence.wav :
#   mpremote run examples/streaming_kws.py
# The model's weights are untrained (models/frontend/make_streaming_kws.py):
# its "keyword" is any loud sound. On a board, replace the WAV file with
#   i2s = machine.I2S(0, sck=..., ws=..., sd=..., mode=machine.I2S.RX,
#                     bits=16, format=machine.I2S.MONO, rate=16000, ibuf=4096)
# and i2s.readinto(chunk) in place of f.readinto(chunk).
import tflm

CHUNK = 320        # samples: 20 ms, one frame step
AVERAGE = 3        # frames averaged (60 ms)
THRESHOLD = 100    # on the keyword's int8 score (-128..127: probability 0.89)
REFRACTORY = 25    # frames (500 ms) before the keyword can fire again
KEYWORD = 2        # output index: silence, unknown, keyword


def wav_data(f):
    """Seeks f to the samples of a 16-bit mono PCM WAV file."""
    head = f.read(12)
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise ValueError("not a WAV file")
    while True:
        chunk = f.read(8)
        if len(chunk) < 8:
            raise ValueError("no data chunk")
        size = int.from_bytes(chunk[4:8], "little")
        if chunk[:4] == b"data":
            return
        f.read(size + (size & 1))


def listen(interp, frontend, path):
    interp.reset()                  # the model's window starts silent
    frontend.reset()
    inp = interp.input(0)
    out = memoryview(interp.output(0))  # int8 scores, read in place
    chunk = bytearray(2 * CHUNK)    # allocated once, as an I2S buffer
    recent = [-128] * AVERAGE
    frame = 0
    quiet_until = 0
    fired = []
    with open(path, "rb") as f:
        wav_data(f)
        while True:
            n = f.readinto(chunk)
            if not n:
                break
            # One frame completes per 20 ms chunk (after the first 30 ms):
            # its int8 features go straight into the model's input.
            if frontend.process(chunk if n == len(chunk) else memoryview(chunk)[:n], into=inp):
                interp.invoke()
                recent[frame % AVERAGE] = out[KEYWORD]
                score = sum(recent) // AVERAGE
                if score > THRESHOLD and frame >= quiet_until:
                    # A frame's features end at (frame * 20 + 30) ms.
                    fired.append(frame * 20 + 30)
                    print("{}: keyword at {} ms (score {})".format(path, frame * 20 + 30, score))
                    quiet_until = frame + REFRACTORY
                frame += 1
    print("{}: {} frames, fired {} times".format(path, frame, len(fired)))
    return fired


def main(paths=("yes.wav", "silence.wav")):
    interp = tflm.Interpreter("streaming_kws.tflite")
    frontend = tflm.AudioFrontend()   # micro_speech's: 30 ms windows every 20 ms, 40 channels
    for path in paths:
        listen(interp, frontend, path)


main()
