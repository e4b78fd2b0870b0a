"""Reference figures and the project's targets the results are held against."""

# Reference figures (project issue tracker).  TFLM's instruction counts were
# made with a QEMU TCG plugin as (N - 0) / N on the same QEMU 7.2 machines.
REF_CMSIS_M4 = {
    "person_detect": 22933376, "vww_96_int8": 24116673, "kws_ref_model": 7698198,
    "pretrainedResnet_quant": 29863335, "ad01_int8": 583327, "micro_speech_quantized": 1496407,
}
REF_CMSIS_M55 = {
    "person_detect": 6513302, "vww_96_int8": 6573913, "kws_ref_model": 1814004,
    "pretrainedResnet_quant": 4911872, "ad01_int8": 150380, "micro_speech_quantized": 1009308,
}
REF_TFLM_REF_M4 = {"person_detect": 95.7e6, "kws_ref_model": 43.0e6}
# TFLM's reference kernels on the same emulated RISC-V core (project issue
# "Real boards"): qemu-system-riscv32 -machine virt, rv32imac, TFLM
# 90b983c2, gcc 12.2, framework -Os, kernels -O2, input bytes
# (i*37+11) % 256 copied before each invoke; executed instructions per invoke.
REF_TFLM_REF_RV32 = {
    "person_detect": 109449445, "vww_96_int8": 114259152, "kws_ref_model": 45610819,
    "pretrainedResnet_quant": 127095842, "ad01_int8": 2514813, "micro_speech_quantized": 8778934,
    "hello_world_int8": 7130,
}
REF_TFLM_ARENA32 = {
    "person_detect": 82292, "vww_96_int8": 100660, "kws_ref_model": 22772,
    "pretrainedResnet_quant": 54340, "ad01_int8": 2260, "micro_speech_quantized": 6788,
}
# micro_speech end to end on the M4 (project issue 12): 1 s of audio =
# PIPELINE_WINDOWS invokes of the audio preprocessor + 1 of the classifier.
PIPELINE_PRE, PIPELINE_CLS, PIPELINE_WINDOWS = "audio_preprocessor_int8", "micro_speech_quantized", 49
TARGET_PIPELINE_M4 = 10e6
# TFLM's arena for the preprocessor as the wheel's allocator reports it
# (64-bit host: tools/arena_table.py); its 32-bit figure is not on record.
REF_TFLM_ARENA64 = {"audio_preprocessor_int8": 10224, "micro_speech_quantized": 7584}
TARGET_M4 = 0.8
TARGET_M55 = 1.0
TARGET_M3 = 0.5
TARGET_RV32 = 0.35
TARGET_CORE_TEXT = 8 * 1024
TARGET_KWS_FLASH = 38 * 1024
REF_KWS_FLASH_CMSIS = 76.7 * 1024
TARGET_OVERHEAD = 0.02
