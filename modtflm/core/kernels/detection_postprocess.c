// the custom op TFLite_Detection_PostProcess.
#include "../kernel.h"

#if MICROPY_TFLM_OP_DETECTION_POSTPROCESS

#endif // MICROPY_TFLM_OP_DETECTION_POSTPROCESS
