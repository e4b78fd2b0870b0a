# Keyword spotting with TFLM's micro_speech model on a precomputed feature
# array: 49 frames x 40 int8 features for one second of 16 kHz audio (on a
# device they come from your audio front end; on a PC, tools/make_features.py
# makes them from a WAV file).
#   mpremote cp micro_speech_quantized.tflite yes.features :
#   mpremote run examples/keyword_spotting.py
import tflm

LABELS = ("silence", "unknown", "yes", "no")


def spot(interp, features_path):
    with open(features_path, "rb") as f:
        interp.set_input(f.read(), 0)        # 1960 bytes, int8
    interp.invoke()
    scores = interp.output(0).dequantize()   # probabilities
    best = max(range(len(LABELS)), key=lambda i: scores[i])
    return LABELS[best], scores


def main(paths=("yes.features", "no.features")):
    interp = tflm.Interpreter("micro_speech_quantized.tflite")
    for path in paths:
        label, scores = spot(interp, path)
        print("{}: {}  ({})".format(path, label,
              ", ".join("{} {:.2f}".format(l, s) for l, s in zip(LABELS, scores))))


main()
