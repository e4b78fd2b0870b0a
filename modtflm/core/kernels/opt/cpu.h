// The CPU family the optimized int8 kernels are built for. Decided here,
// once; the kernels test only these macros.
//
//   TFLM_CPU_MVE  Helium (Armv8.1-M: Cortex-M55, M85)         *_mve.c
//   TFLM_CPU_DSP  Armv7E-M DSP extension (Cortex-M4, M7, M33)  *_dsp.c
//                 or, with TFLM_EMULATE_DSP, any host: the DSP kernels
//                 with their instructions in plain C (dsp_emul.h), so that
//                 the sanitizer and fuzz builds exercise them
//   TFLM_CPU_RV   RISC-V (RV32IM): portable C laid out for a core with 31
//                 registers, no unaligned word loads and no SIMD  *_rv.c
//                 (TFLM_KERNELS_RV=1 builds them on any host, for the
//                 sanitizer and fuzz builds)
//   TFLM_CPU_C    none of these: portable C (Cortex-M3, M0, the host)  *_c.c
//
// Exactly one of them is 1. A Helium core also has the DSP instructions;
// it takes the Helium kernels. TFLM_CPU_SAT: the SSAT instruction exists
// (Armv7-M and later, including the Cortex-M3).
#ifndef TFLM_CORE_KERNELS_OPT_CPU_H
#define TFLM_CORE_KERNELS_OPT_CPU_H

#if defined(__ARM_FEATURE_MVE)
#define TFLM_CPU_MVE (1)
#define TFLM_CPU_DSP (0)
#define TFLM_DSP_EMULATED (0)
#elif defined(__ARM_FEATURE_DSP)
#define TFLM_CPU_MVE (0)
#define TFLM_CPU_DSP (1)
#define TFLM_DSP_EMULATED (0)
#elif defined(TFLM_EMULATE_DSP) && TFLM_EMULATE_DSP
#define TFLM_CPU_MVE (0)
#define TFLM_CPU_DSP (1)
#define TFLM_DSP_EMULATED (1)
#else
#define TFLM_CPU_MVE (0)
#define TFLM_CPU_DSP (0)
#define TFLM_DSP_EMULATED (0)
#endif

#if !TFLM_CPU_MVE && !TFLM_CPU_DSP && (defined(__riscv) || (defined(TFLM_KERNELS_RV) && TFLM_KERNELS_RV))
#define TFLM_CPU_RV (1)
#else
#define TFLM_CPU_RV (0)
#endif

#define TFLM_CPU_C (!TFLM_CPU_MVE && !TFLM_CPU_DSP && !TFLM_CPU_RV)

#if defined(__ARM_FEATURE_SAT)
#define TFLM_CPU_SAT (1)
#else
#define TFLM_CPU_SAT (0)
#endif

#define TFLM_ALWAYS_INLINE inline __attribute__((always_inline))

#endif // TFLM_CORE_KERNELS_OPT_CPU_H
