// The optimized kernels' scalar requantization in 32-bit steps (CPUs
// without a saturating doubling multiply): a general form and a
// one-multiply shortcut for the usual shifts. For multipliers in [0, 2^31)
// both equal tflm_requant (modtflm/host/test_quant.c checks them).
#ifndef TFLM_CORE_KERNELS_OPT_REQUANT_H
#define TFLM_CORE_KERNELS_OPT_REQUANT_H

#include <stdbool.h>
#include <stdint.h>

// tflm_requant in 32-bit steps after the 64-bit product, for a multiplier
// in [0, 2^31). The rounding divide by 2^r (half away from zero) is
// floor((hm - neg + 2^(r-1)) / 2^r) = ((hm - neg) >> (r - 1)) + 1) >> 1 for
// r >= 1 (neg: hm < 0); no step overflows since |hm| < 2^31 - 1.
static inline int32_t opt_requant(int32_t x, int32_t mult, int32_t shift) {
    // Branch-free max(shift, 0) and max(-shift, 0).
    int32_t left = (int32_t)((uint32_t)shift & ~(uint32_t)(shift >> 31));
    int32_t right = left - shift;
    // (p + 2^30) >> 31 from the halves of p.
    uint64_t p = (uint64_t)((int64_t)(int32_t)((uint32_t)x << left) * mult + (1ll << 30));
    int32_t hm = (int32_t)(((uint32_t)(p >> 32) << 1) | ((uint32_t)p >> 31));
    if (right == 0) {
        return hm;
    }
    return (((hm - (hm < 0)) >> (right - 1)) + 1) >> 1;
}

// The same plus the output offset, for a multiplier m >= 0, a right shift
// r in [2, 21] (no left shift) and |off| <= 2^8 (opt_r2_ok), in one
// multiply-accumulate and one shift; khi from opt_r2_khi, rm1 = r - 1. With p = x * m and hm = floor((p + 2^30) / 2^31), the
// result is floor((hm + 2^(r-1) - [hm < 0]) / 2^r) + off
//   = floor((p + 2^30 + 2^(30+r) - [hm < 0] * 2^31 + off * 2^(31+r)) / 2^(31+r))
// (floor((floor(y / A) + c) / B) = floor((y + c * A) / (A * B)) for integers
// y, c and A, B > 0). [hm < 0] may be replaced by [x < 0]: they differ only
// for x < 0 with hm = 0 (p in [-2^30, 0]), where both forms give off as
// r >= 1. The constant added to p is (khi - [x < 0]) * 2^32 + lo with
// khi = 2^(r-2) + off * 2^(r-1) (|khi| <= 2^19 + 2^28) and lo = 2^30 ^ (x & 2^31);
// the sum q is below 2^63 in magnitude (|p| < 2^62, the rest below 2^62),
// so its top word is floor(q / 2^32) exactly and the result is that
// shifted right by r - 1. No int32 wrap: |result - off| < 2^30.
// k31, k30: the constants 2^31 and 2^30, as arguments so that a caller can
// hold them in registers (RISC-V: gcc materializes a constant again at each
// use, two instructions an output).
static inline int32_t opt_requant_r2k(uint32_t x, int32_t m, uint32_t khi, int32_t rm1, uint32_t k31, uint32_t k30) {
    uint32_t lo = (x & k31) ^ k30;
    uint32_t hi = khi + (uint32_t)((int32_t)x >> 31);
    uint64_t q = (((uint64_t)hi << 32) | lo) + (uint64_t)((int64_t)(int32_t)x * m);
    return (int32_t)(uint32_t)(q >> 32) >> rm1;
}

static inline int32_t opt_requant_r2(uint32_t x, int32_t m, uint32_t khi, int32_t rm1) {
    return opt_requant_r2k(x, m, khi, rm1, 0x80000000u, 0x40000000u);
}

// 2^31 and 2^30 for opt_requant_r2k. On RISC-V opaque to the compiler (an
// empty asm statement), so kept in registers; elsewhere plain constants
// (Arm encodes them in the instruction).
typedef struct {
    uint32_t k31, k30;
} opt_r2_consts_t;

static inline opt_r2_consts_t opt_r2_consts(void) {
    opt_r2_consts_t c = { 0x80000000u, 0x40000000u };
    #if defined(__riscv)
    __asm__ ("" : "+r" (c.k31), "+r" (c.k30));
    #endif
    return c;
}

// The same (plus the output offset) for an accumulator |x| < 2^29, in one
// high multiply and three adds: with p = x * m, t = floor(4x * m / 2^32) =
// floor(p / 2^30) (4x fits int32), hm = floor((p + 2^30) / 2^31) =
// floor((t + 1) / 2), so (as in opt_requant_r2, [x < 0] for [hm < 0])
//   floor((hm + 2^(r-1) - [x < 0]) / 2^r) + off
//     = floor((t + 1 + 2^r - 2 [x < 0] + off * 2^(r+1)) / 2^(r+1)),
// k2 = 1 + 2^r + off * 2^(r+1) from opt_r3_k2, r1 = r + 1. For m in
// [0, 2^31), r in [2, 21], |off| <= 2^8 (opt_r2_ok): |t| < 2^30 and
// |k2| < 2^30, no int32 wrap.
static inline int32_t opt_requant_r3(int32_t x, int32_t m, int32_t k2, int32_t r1) {
    const int32_t t = (int32_t)(((int64_t)(int32_t)((uint32_t)x << 2) * m) >> 32);
    const int32_t s = x >> 31;
    return (int32_t)((uint32_t)t + (uint32_t)k2 + ((uint32_t)s << 1)) >> r1;
}

static inline int32_t opt_r3_k2(int32_t shift, int32_t off) {
    return (int32_t)(1u + (1u << ((-shift) & 31)) + ((uint32_t)off << ((1 - shift) & 31)));
}

// Whether a channel's multiplier and shift take opt_requant_r2.
static inline bool opt_r2_ok(int32_t m, int32_t shift) {
    return m >= 0 && shift <= -2 && shift >= -21;
}

// opt_requant_r2's khi for a shift that takes it and the output offset
// (any shift: the shift counts are kept in range).
static inline uint32_t opt_r2_khi(int32_t shift, int32_t off) {
    return (1u << ((-shift - 2) & 31)) + ((uint32_t)off << ((-shift - 1) & 31));
}

#endif // TFLM_CORE_KERNELS_OPT_REQUANT_H
