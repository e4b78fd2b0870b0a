// Prepare-time checks shared by the kernels.
#include "../kernel.h"
#include "checks.h"
#include "elements.h"

tflm_status_t tflm_check_io(tflm_interp_t *ip, const tflm_node_t *node, int min_in, int max_in, int n_out) {
    if (node->n_inputs < min_in || node->n_inputs > max_in) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%d inputs, expected %d to %d",
            (int)node->n_inputs, min_in, max_in);
    }
    if (node->n_outputs != n_out) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%d outputs, expected %d", (int)node->n_outputs, n_out);
    }
    for (int i = 0; i < min_in; i++) {
        if (node->inputs[i] < 0) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "required input %d is missing", i);
        }
    }
    return TFLM_OK;
}

tflm_status_t tflm_check_same_type(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    if (in->type != out->type) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "input is %s but output is %s",
            tflm_type_name(in->type), tflm_type_name(out->type));
    }
    return TFLM_OK;
}

tflm_status_t tflm_check_type(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *t,
    const char *what, int type) {
    if (t->type != type) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s is %s, expected %s",
            what, tflm_type_name(t->type), tflm_type_name(type));
    }
    return TFLM_OK;
}

tflm_status_t tflm_check_quantized(tflm_interp_t *ip, const tflm_node_t *node,
    const tflm_tensor_t *t, const char *what) {
    if (!(t->flags & TFLM_T_QUANT)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s tensor %d has no quantization parameters",
            what, (int)(t - ip->tensors));
    }
    return TFLM_OK;
}

tflm_status_t tflm_check_per_tensor_quant(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    tflm_status_t s;
    if ((s = tflm_check_quantized(ip, node, in, "input")) != TFLM_OK
        || (s = tflm_check_quantized(ip, node, out, "output")) != TFLM_OK) {
        return s;
    }
    if ((in->flags | out->flags) & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantized %s",
            in->flags & TFLM_T_PER_CHANNEL ? "input" : "output");
    }
    return TFLM_OK;
}


tflm_status_t tflm_check_type_built(tflm_interp_t *ip, const tflm_node_t *node, int type) {
    if (!tflm_type_built(type)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s kernels are not built in", tflm_type_name(type));
    }
    return TFLM_OK;
}

tflm_status_t tflm_check_plain_io(tflm_interp_t *ip, const tflm_node_t *node, const tflm_tensor_t *in,
    const tflm_tensor_t *out) {
    tflm_status_t s = tflm_check_same_type(ip, node, in, out);
    if (s != TFLM_OK) {
        return s;
    }
    if (!tflm_plain_type(in->type)) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "type %s", tflm_type_name(in->type));
    }
    return TFLM_OK;
}
