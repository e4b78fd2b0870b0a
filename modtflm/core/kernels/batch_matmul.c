// BATCH_MATMUL: float32, int8 and int16 (all operands the same type), ranks
// 2 to 5, broadcasting of the batch dimensions, adj_x / adj_y, constant or
// computed operands.
//
// out[..., a, c] = sum over k of lhs[..., a, k] * rhs[..., k, c] (with adj_x
// lhs is stored [..., k, a], with adj_y rhs is stored [..., c, k]). Operands
// are read in place with strides, so no transposed copies are needed; the
// sum runs over k in order as TFLM's reference does, so float results are
// bit-exact. int8: int32 sum of (lhs - lhs_zp) * (rhs - rhs_zp), 32-bit
// MultiplyByQuantizedMultiplier, + out_zp, clamp. int16: zero points must be
// 0; int64 sum and the 64-bit MultiplyByQuantizedMultiplier. The multiplier
// is (double)lhs_scale * (double)rhs_scale / out_scale. No fused activation.
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_BATCH_MATMUL
#include "../kernel.h"
#include "../support/quant.h"
#include "../support/elements.h"

// BatchMatMulOptions fields.
enum { BMM_ADJ_X = 0, BMM_ADJ_Y = 1 };

#define BMM_BATCH_DIMS 3 // rank 5 = 3 batch dims + the matrix

typedef struct {
    int32_t batch[BMM_BATCH_DIMS];    // output batch dims (leading ones are 1)
    int32_t lhs_step[BMM_BATCH_DIMS]; // elements per batch index, 0 when broadcast
    int32_t rhs_step[BMM_BATCH_DIMS];
    int32_t rows;  // A
    int32_t depth; // B
    int32_t cols;  // C
    int32_t lhs_row_stride, lhs_k_stride;
    int32_t rhs_col_stride, rhs_k_stride;
    int32_t lhs_zp, rhs_zp, out_zp;
    int32_t multiplier;
    int32_t shift;
    int32_t act_min, act_max; // the output type's range (output zero point included)
    uint8_t type;
} bmm_data_t;

static tflm_status_t bmm_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    tflm_status_t s;
    bmm_data_t *d = node->op_data;
    const tflm_tensor_t *lhs = tflm_node_input(ip, node, 0), *rhs = tflm_node_input(ip, node, 1);
    const tflm_tensor_t *out = tflm_node_output(ip, node, 0);
    bool adj_x = tflm_opt_i8(node, BMM_ADJ_X, 0) != 0;
    bool adj_y = tflm_opt_i8(node, BMM_ADJ_Y, 0) != 0;

    if (lhs->type != TFLM_FLOAT32 && lhs->type != TFLM_INT8 && lhs->type != TFLM_INT16) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "input type %s", tflm_type_name(lhs->type));
    }
    if (rhs->type != lhs->type) {
        if (lhs->type == TFLM_FLOAT32 && rhs->type == TFLM_INT8) {
            return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "hybrid float32 x int8");
        }
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "inputs are %s and %s",
            tflm_type_name(lhs->type), tflm_type_name(rhs->type));
    }
    if (out->type != lhs->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output is %s, inputs %s",
            tflm_type_name(out->type), tflm_type_name(lhs->type));
    }
    d->type = lhs->type;

    // Shapes, right-aligned to rank 5.
    if (lhs->rank < 2 || rhs->rank < 2) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "inputs must be at least 2-D");
    }
    if (lhs->rank > 5 || rhs->rank > 5) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "inputs of more than 5 dimensions");
    }
    int32_t ld[5], rd[5];
    for (int i = 0; i < 5; i++) {
        int li = i - (5 - lhs->rank), ri = i - (5 - rhs->rank);
        ld[i] = li >= 0 ? lhs->dims[li] : 1;
        rd[i] = ri >= 0 ? rhs->dims[ri] : 1;
    }
    int out_rank = lhs->rank > rhs->rank ? lhs->rank : rhs->rank;
    d->rows = adj_x ? ld[4] : ld[3];
    d->depth = adj_x ? ld[3] : ld[4];
    d->cols = adj_y ? rd[3] : rd[4];
    int32_t rhs_depth = adj_y ? rd[4] : rd[3];
    if (rhs_depth != d->depth) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "lhs depth %d does not match rhs depth %d",
            (int)d->depth, (int)rhs_depth);
    }
    d->lhs_row_stride = adj_x ? 1 : ld[4];
    d->lhs_k_stride = adj_x ? ld[4] : 1;
    d->rhs_col_stride = adj_y ? rd[4] : 1;
    d->rhs_k_stride = adj_y ? 1 : rd[4];
    int32_t lsize = ld[3] * ld[4], rsize = rd[3] * rd[4];
    for (int i = BMM_BATCH_DIMS - 1; i >= 0; i--) {
        if (ld[i] != rd[i] && ld[i] != 1 && rd[i] != 1) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "batch dims %d and %d do not broadcast",
                (int)ld[i], (int)rd[i]);
        }
        d->batch[i] = ld[i] == 1 ? rd[i] : ld[i];
        d->lhs_step[i] = ld[i] == 1 ? 0 : lsize;
        d->rhs_step[i] = rd[i] == 1 ? 0 : rsize;
        lsize *= ld[i];
        rsize *= rd[i];
    }
    bool shape_ok = out->rank == out_rank && out->dims[out_rank - 2] == d->rows
        && out->dims[out_rank - 1] == d->cols;
    for (int i = 0; shape_ok && i < out_rank - 2; i++) {
        shape_ok = out->dims[i] == d->batch[BMM_BATCH_DIMS - (out_rank - 2) + i];
    }
    if (!shape_ok) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output shape does not match the product's");
    }
    if (d->type == TFLM_FLOAT32) {
        return TFLM_OK;
    }

    if ((s = tflm_check_quantized(ip, node, lhs, "lhs")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, rhs, "rhs")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if ((lhs->flags | rhs->flags | out->flags) & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantization");
    }
    if (d->type == TFLM_INT16 && (lhs->zero_point != 0 || rhs->zero_point != 0 || out->zero_point != 0)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "int16 zero points must be 0");
    }
    d->lhs_zp = lhs->zero_point;
    d->rhs_zp = rhs->zero_point;
    d->out_zp = out->zero_point;
    tflm_type_range(d->type, &d->act_min, &d->act_max);
    int shift;
    // The scales' product in double (checked against the oracle at rounding
    // boundaries; older TFLite sources multiply them in float).
    tflm_quantize_multiplier((double)lhs->scale * (double)rhs->scale / (double)out->scale, &d->multiplier, &shift);
    // The 64-bit rescale (int16) needs a right shift of at least one bit
    // (tflm_quantize_multiplier saturates at shift 30).
    if (d->type == TFLM_INT16 && shift > 14) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "output scale too small for the inputs' scales");
    }
    d->shift = shift;
    return TFLM_OK;
}

// One matrix product: out[a][c] for a < rows, c < cols, for one element type
// (a constant): float32 sums in float; int8 sums the offset products in
// wrapping int32 and rescales with the 32-bit multiplier; int16 (zero points
// 0) sums in int64 and rescales with the 64-bit one.
TFLM_INLINE_LOOP void matmul_run(const bmm_data_t *d, const void *l, const void *r, void *out, const int type) {
    const int32_t depth = d->depth, lks = d->lhs_k_stride, rks = d->rhs_k_stride;
    const int32_t lzp = d->lhs_zp, rzp = d->rhs_zp;
    const float *lf = l, *rf = r;
    float *of = out;
    size_t o = 0;
    for (size_t la = 0, a = 0; a < (size_t)d->rows; a++, la += (size_t)d->lhs_row_stride) {
        for (size_t rc = 0, c = 0; c < (size_t)d->cols; c++, rc += (size_t)d->rhs_col_stride, o++) {
            float total = 0.0f;
            uint32_t acc32 = 0;
            int64_t acc64 = 0;
            for (size_t lp = la, rp = rc, k = 0; k < (size_t)depth; k++, lp += (size_t)lks, rp += (size_t)rks) {
                if (type == TFLM_FLOAT32) {
                    total += lf[lp] * rf[rp];
                } else if (type == TFLM_INT8) {
                    acc32 += (uint32_t)((tflm_load_int(l, lp, type) - lzp) * (tflm_load_int(r, rp, type) - rzp));
                } else {
                    acc64 += tflm_load_int(l, lp, type) * tflm_load_int(r, rp, type);
                }
            }
            if (type == TFLM_FLOAT32) {
                of[o] = total;
            } else {
                int32_t v = type == TFLM_INT8
                    ? (int32_t)((uint32_t)tflm_mul_by_quant_mul((int32_t)acc32, d->multiplier, d->shift)
                        + (uint32_t)d->out_zp)
                    : tflm_mul_by_quant_mul_64(acc64, d->multiplier, d->shift);
                tflm_store_int(out, o, tflm_clamp_i32(v, d->act_min, d->act_max), type);
            }
        }
    }
}

static tflm_status_t bmm_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const bmm_data_t *d = node->op_data;
    const uint8_t *lhs = tflm_node_input(ip, node, 0)->data;
    const uint8_t *rhs = tflm_node_input(ip, node, 1)->data;
    uint8_t *out = tflm_node_output(ip, node, 0)->data;
    const size_t esize = tflm_type_size(d->type);
    const size_t out_step = (size_t)d->rows * (size_t)d->cols * esize;
    for (int32_t b0 = 0; b0 < d->batch[0]; b0++) {
        for (int32_t b1 = 0; b1 < d->batch[1]; b1++) {
            for (int32_t b2 = 0; b2 < d->batch[2]; b2++) {
                size_t lo = (size_t)(b0 * d->lhs_step[0] + b1 * d->lhs_step[1] + b2 * d->lhs_step[2]) * esize;
                size_t ro = (size_t)(b0 * d->rhs_step[0] + b1 * d->rhs_step[1] + b2 * d->rhs_step[2]) * esize;
                if (d->type == TFLM_FLOAT32) {
                    matmul_run(d, lhs + lo, rhs + ro, out, TFLM_FLOAT32);
                } else if (d->type == TFLM_INT8) {
                    matmul_run(d, lhs + lo, rhs + ro, out, TFLM_INT8);
                } else {
                    matmul_run(d, lhs + lo, rhs + ro, out, TFLM_INT16);
                }
                out += out_step;
            }
        }
    }
    return TFLM_OK;
}

TFLM_KERNEL(batch_matmul, BATCH_MATMUL, 3, BatchMatMulOptions, 2, 2, 1,
    sizeof(bmm_data_t), bmm_prepare, bmm_eval);

#endif // MICROPY_TFLM_OP_BATCH_MATMUL
