# hello_world: a tiny model that learned y = sin(x), run with tflm.
# Copy the model to the board first (make run does it for you):
#   mpremote cp models/hello_world/hello_world_int8.tflite :
import math
import tflm

interp = tflm.Interpreter("hello_world_int8.tflite")
inp = interp.input(0)
out = interp.output(0)
print("model arena:", interp.arena_used, "bytes; ops:", tflm.ops())
print("     x   predicted   sin(x)")
for i in range(8):
    x = i * 2 * math.pi / 7
    inp.quantize([x])           # float -> int8 with the input's scale/zero point
    interp.invoke()
    y = out.dequantize()[0]     # int8 -> float
    print("{:6.3f}   {:8.4f}  {:8.4f}".format(x, y, math.sin(x)))
