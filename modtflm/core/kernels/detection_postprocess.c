// The custom op TFLite_Detection_PostProcess: SSD box decoding against
// anchors, then non-max suppression (NMS), as TFLM's
// detection_postprocess.cc computes them.
//
// Inputs: box encodings [1, boxes, >= 4] (y, x, h, w first), class scores
// [1, boxes, classes (+ 1 background, skipped)], anchors [boxes, 4] (y, x,
// h, w); float32, or uint8/int8 quantized per tensor, dequantized as
// TFLite does ((float(q) - zero point) * scale; TFLM itself takes float32
// only). Outputs, float32: boxes (ymin, xmin, ymax, xmax), classes,
// scores, number of detections. Options from the custom options
// flexbuffer (see dp_options).
//
// Decoding is TFLM's arithmetic to the bit: centres and half sizes in
// double (exp in double, computed here: see exp_d), corners in float. NMS keeps the boxes scoring at
// least nms_score_threshold, takes them by decreasing score (ties: lower
// box first, as TFLM's stable sort), and drops every later box whose IoU
// with a taken one exceeds nms_iou_threshold.
//  - fast NMS: one NMS over each box's best class score; a detection
//    reports the box's top max_classes_per_detection classes (ties: lower
//    class first). With more than one class per detection, TFLM's output
//    layout is its own (detection i's class c at k*k*i + c*(k+1), k classes
//    per detection, num_detections = detections * k): kept as is.
//  - regular NMS: one NMS per class (at most detections_per_class each),
//    the best max_detections of all by score (ties: the earlier class, and
//    within a class the order NMS took them in).
// Entries past the detections found are left as they were (TFLM writes
// only what it found in fast NMS; regular NMS zeroes up to max_detections).
#include "../tflm_config.h"
#if MICROPY_TFLM_OP_DETECTION_POSTPROCESS
#include <math.h>
#include <stddef.h>
#include "../kernel.h"
#include "../support/flexbuffer.h"

enum { IN_BOXES = 0, IN_SCORES = 1, IN_ANCHORS = 2 };

typedef struct {
    // Options.
    int32_t max_detections;
    int32_t max_classes_per_detection;
    int32_t detections_per_class;
    int32_t num_classes;
    float score_threshold;
    float iou_threshold;
    float y_scale;
    float x_scale;
    float h_scale;
    float w_scale;
    bool regular;
    // From the shapes.
    int32_t num_boxes;
    int32_t box_stride;   // box encodings per box (the first 4 are used)
    int32_t classes_all;  // class scores per box, background included
    int32_t label_offset; // 1 when there is a background class
    int32_t per_anchor;   // fast NMS: classes per detection
    // Dequantization of each input (float32: scale unused).
    float scale[3];
    int32_t zero_point[3];
    uint8_t type[3];
    // Scratch layout, byte offsets.
    uint32_t at_scores;   // dequantized class scores (quantized input only)
    uint32_t at_nms;      // one score per box: fed to NMS
    uint32_t at_top;      // fast: each box's best classes
    uint32_t at_kept;     // boxes above the threshold, sorted
    uint32_t at_tmp;      // merge sort scratch
    uint32_t at_sel;      // fast: selected boxes; regular: merged detections
    uint32_t at_sel_score;
    uint32_t at_merge_idx;
    uint32_t at_merge_score;
    uint32_t at_active;   // a byte per kept box
} dp_data_t;

#define OPT(key, field, kind, def) { key, offsetof(dp_data_t, field), TFLM_FLEX_OPT_##kind, def }
// TFLM reads every option with AsInt32/AsFloat/AsBool (absent: 0), except
// detections_per_class (absent: 100) and use_regular_nms (absent: false).
static const tflm_flex_option_t dp_options[] = {
    OPT("max_detections", max_detections, I32, 0.0f),
    OPT("max_classes_per_detection", max_classes_per_detection, I32, 0.0f),
    OPT("detections_per_class", detections_per_class, I32, 100.0f),
    OPT("use_regular_nms", regular, BOOL, 0.0f),
    OPT("nms_score_threshold", score_threshold, F32, 0.0f),
    OPT("nms_iou_threshold", iou_threshold, F32, 0.0f),
    OPT("num_classes", num_classes, I32, 0.0f),
    OPT("y_scale", y_scale, F32, 0.0f),
    OPT("x_scale", x_scale, F32, 0.0f),
    OPT("h_scale", h_scale, F32, 0.0f),
    OPT("w_scale", w_scale, F32, 0.0f),
};
#undef OPT

static const char *const input_names[3] = {"box encodings", "class predictions", "anchors"};
static const char *const output_names[4] = {"detection boxes", "detection classes", "detection scores",
                                            "num detections"};

static tflm_status_t check_input_type(tflm_interp_t *ip, tflm_node_t *node, dp_data_t *d, int i) {
    const tflm_tensor_t *t = tflm_node_input(ip, node, i);
    d->type[i] = t->type;
    if (t->type == TFLM_FLOAT32) {
        return TFLM_OK;
    }
    if (t->type != TFLM_UINT8 && t->type != TFLM_INT8) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "%s of type %s", input_names[i],
            tflm_type_name(t->type));
    }
    tflm_status_t s = tflm_check_quantized(ip, node, t, input_names[i]);
    if (s != TFLM_OK) {
        return s;
    }
    if (t->flags & TFLM_T_PER_CHANNEL) {
        return tflm_op_fail(ip, node, TFLM_ERR_UNSUPPORTED, "per-channel quantized %s", input_names[i]);
    }
    d->scale[i] = t->scale;
    d->zero_point[i] = t->zero_point;
    return TFLM_OK;
}

static tflm_status_t check_options(tflm_interp_t *ip, tflm_node_t *node, const dp_data_t *d) {
    if (d->max_detections < 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "max_detections %d is negative", d->max_detections);
    }
    if (d->regular && d->detections_per_class < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "detections_per_class %d must be positive",
            d->detections_per_class);
    }
    if (!d->regular && d->max_classes_per_detection < 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "max_classes_per_detection %d must be positive",
            d->max_classes_per_detection);
    }
    if (!(d->iou_threshold > 0.0f && d->iou_threshold <= 1.0f)) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "nms_iou_threshold must be in (0, 1]");
    }
    // A zero or infinite scale makes every box empty or not a number.
    const float scales[4] = {d->y_scale, d->x_scale, d->h_scale, d->w_scale};
    static const char *const scale_names[4] = {"y_scale", "x_scale", "h_scale", "w_scale"};
    for (int i = 0; i < 4; i++) {
        if (!isfinite(scales[i]) || scales[i] == 0.0f) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s must be a finite nonzero number", scale_names[i]);
        }
    }
    return TFLM_OK;
}

// The outputs hold `need` detections (float32).
static tflm_status_t check_outputs(tflm_interp_t *ip, tflm_node_t *node, uint64_t need) {
    // No tensor holds more than INT32_MAX values: the cap keeps 4 * need exact.
    need = need > INT32_MAX ? (uint64_t)INT32_MAX + 1 : need;
    for (int i = 0; i < 4; i++) {
        const tflm_tensor_t *t = tflm_node_output(ip, node, i);
        if (t->type != TFLM_FLOAT32) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s output is %s, expected float32", output_names[i],
                tflm_type_name(t->type));
        }
        uint64_t want = i == 0 ? 4 * need : i == 3 ? 1 : need;
        if ((uint64_t)tflm_elem_count(t) < want) {
            return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "%s output holds %d values, the options need %u",
                output_names[i], tflm_elem_count(t), (uint32_t)(want > UINT32_MAX ? UINT32_MAX : want));
        }
    }
    return TFLM_OK;
}

// Reserves `bytes` (a multiple of 4) of scratch at *size; its offset.
static uint32_t reserve(uint64_t *size, uint64_t bytes) {
    uint64_t at = *size;
    *size += bytes;
    return at > UINT32_MAX ? 0 : (uint32_t)at;
}

static tflm_status_t dp_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    dp_data_t *d = node->op_data;
    tflm_status_t s = tflm_custom_options_read(ip, node, dp_options, sizeof(dp_options) / sizeof(dp_options[0]), d);
    if (s != TFLM_OK) {
        return s;
    }
    const tflm_tensor_t *boxes = tflm_node_input(ip, node, IN_BOXES);
    const tflm_tensor_t *scores = tflm_node_input(ip, node, IN_SCORES);
    const tflm_tensor_t *anchors = tflm_node_input(ip, node, IN_ANCHORS);
    if (boxes->rank != 3 || boxes->dims[0] != 1 || boxes->dims[2] < 4) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "box encodings must be [1, boxes, 4 or more]");
    }
    d->num_boxes = boxes->dims[1];
    d->box_stride = boxes->dims[2];
    if (scores->rank != 3 || scores->dims[0] != 1 || scores->dims[1] != d->num_boxes) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "class predictions must be [1, %d, classes]", d->num_boxes);
    }
    if (anchors->rank != 2 || anchors->dims[0] != d->num_boxes || anchors->dims[1] != 4) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "anchors must be [%d, 4]", d->num_boxes);
    }
    d->classes_all = scores->dims[2];
    // (num_classes first: any int32, the difference could overflow)
    if (d->num_classes < 1 || d->num_classes > d->classes_all || d->classes_all - d->num_classes > 1) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL,
            "num_classes %d but %d class scores per box (num_classes, or one more)",
            d->num_classes, d->classes_all);
    }
    d->label_offset = d->classes_all - d->num_classes;
    for (int i = 0; i < 3; i++) {
        if ((s = check_input_type(ip, node, d, i)) != TFLM_OK) {
            return s;
        }
    }
    if ((s = check_options(ip, node, d)) != TFLM_OK) {
        return s;
    }
    // What NMS can select and what the outputs must hold (64-bit: the
    // options are any int32).
    const uint64_t nb = (uint64_t)d->num_boxes;
    uint64_t selectable, need;
    if (d->regular) {
        d->per_anchor = 0;
        selectable = (uint64_t)d->detections_per_class < nb ? (uint64_t)d->detections_per_class : nb;
        need = (uint64_t)d->max_detections;
    } else {
        d->per_anchor = d->max_classes_per_detection < d->num_classes ? d->max_classes_per_detection
            : d->num_classes;
        selectable = (uint64_t)d->max_detections < nb ? (uint64_t)d->max_detections : nb;
        need = (uint64_t)d->per_anchor * (uint64_t)d->per_anchor * selectable;
    }
    if ((s = check_outputs(ip, node, need)) != TFLM_OK) {
        return s;
    }
    // Scratch, 4-byte entries first, then the candidate flags.
    uint64_t size = 4 * 4 * nb; // decoded boxes at 0
    d->at_scores = reserve(&size, d->type[IN_SCORES] == TFLM_FLOAT32 ? 0 : 4 * nb * (uint64_t)d->classes_all);
    d->at_nms = reserve(&size, 4 * nb);
    d->at_top = reserve(&size, 4 * nb * (uint64_t)d->per_anchor);
    d->at_kept = reserve(&size, 4 * nb);
    d->at_tmp = reserve(&size, 4 * nb);
    // Regular NMS merges the best so far with one class's selection.
    uint64_t cap = d->regular ? (uint64_t)d->max_detections + selectable : selectable;
    d->at_sel = reserve(&size, 4 * cap);
    d->at_sel_score = reserve(&size, d->regular ? 4 * cap : 0);
    d->at_merge_idx = reserve(&size, d->regular ? 4 * cap : 0);
    d->at_merge_score = reserve(&size, d->regular ? 4 * cap : 0);
    d->at_active = reserve(&size, nb);
    size += 4; // never empty: eval forms pointers into it
    if (size > UINT32_MAX) {
        return tflm_op_fail(ip, node, TFLM_ERR_MODEL, "needs over 4 GB of scratch memory");
    }
    node->scratch_size = (uint32_t)size;
    return TFLM_OK;
}

// A double from its bits (the build may read floating constants as float:
// -fsingle-precision-constant).
static inline double double_from_bits(uint64_t bits) {
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

// e^x in double. TFLM decodes with std::exp on doubles, and the C library
// of a board may have no double exp (MicroPython's libm is float only), so
// every target computes it here: x = k ln2 + r, |r| <= ln2 / 2 (ln2 in two
// parts, k * hi exact), e^r by its Taylor series to r^13 (the rest is below
// 2^-57 of it) in Horner form with 1 + r and r's rounding error carried
// apart, times 2^k. Against glibc's exp (modtflm/host/test_exp.c): 1.5%
// of results one ulp away, none further, and not one difference in 20
// million floats rounded from them as the decoding rounds them.
static double exp_d(double x) {
    if (x != x) {
        return x;
    }
    if (x > 710) {
        return double_from_bits(0x7ff0000000000000ull); // inf
    }
    if (x < -746) {
        return 0;
    }
    const double inv_ln2 = double_from_bits(0x3ff71547652b82feull);
    const double ln2_hi = double_from_bits(0x3fe62e42fee00000ull); // low bits zero
    const double ln2_lo = double_from_bits(0x3dea39ef35793c76ull);
    const double t = x * inv_ln2;
    const int k = (int)(t < 0 ? t - (double)0.5f : t + (double)0.5f);
    const double r_hi = x - k * ln2_hi, r_lo = -(k * ln2_lo);
    const double r = r_hi + r_lo;
    const double r_err = (r_hi - r) + r_lo; // what rounding r lost
    // 1/n! for n = 13 down to 2 (exact integers, one rounding each).
    static const double inv_fact[] = {
        (double)1 / 6227020800ll, (double)1 / 479001600, (double)1 / 39916800, (double)1 / 3628800,
        (double)1 / 362880, (double)1 / 40320, (double)1 / 5040, (double)1 / 720, (double)1 / 120, (double)1 / 24,
        (double)1 / 6, (double)1 / 2,
    };
    double p = inv_fact[0];
    for (size_t i = 1; i < sizeof(inv_fact) / sizeof(inv_fact[0]); i++) {
        p = p * r + inv_fact[i];
    }
    // 1 + r + r^2 p + r_err, with 1 + r kept exactly as s + s_err (|r| < 1).
    const double s = 1 + r;
    const double s_err = (1 - s) + r;
    p = s + (s_err + (r_err + (r * r) * p));
    // 2^k in two steps where it is outside the normal range.
    int k1 = k > 1023 ? 1023 : k < -1022 ? -1022 : k;
    int k2 = k - k1;
    p *= double_from_bits((uint64_t)(k1 + 1023) << 52);
    return k2 ? p * double_from_bits((uint64_t)(k2 + 1023) << 52) : p;
}

// Element i of an input as a real number.
static inline float real_at(const dp_data_t *d, int input, const void *p, size_t i) {
    switch (d->type[input]) {
        case TFLM_UINT8:
            return ((float)((const uint8_t *)p)[i] - (float)d->zero_point[input]) * d->scale[input];
        case TFLM_INT8:
            return ((float)((const int8_t *)p)[i] - (float)d->zero_point[input]) * d->scale[input];
        default:
            return ((const float *)p)[i];
    }
}

// Corners (ymin, xmin, ymax, xmax) of every box; the index of the first box
// that is empty or inverted, which TFLM refuses, or -1.
static int32_t decode(const dp_data_t *d, const void *enc, const void *anchors, float *out) {
    const double sy = (double)d->y_scale, sx = (double)d->x_scale;
    const double sh = (double)d->h_scale, sw = (double)d->w_scale;
    int32_t bad = -1;
    for (int32_t i = 0; i < d->num_boxes; i++, out += 4) {
        size_t e = (size_t)i * (size_t)d->box_stride, a = (size_t)i * 4;
        double ey = (double)real_at(d, IN_BOXES, enc, e), ex = (double)real_at(d, IN_BOXES, enc, e + 1);
        double eh = (double)real_at(d, IN_BOXES, enc, e + 2), ew = (double)real_at(d, IN_BOXES, enc, e + 3);
        double ay = (double)real_at(d, IN_ANCHORS, anchors, a), ax = (double)real_at(d, IN_ANCHORS, anchors, a + 1);
        double ah = (double)real_at(d, IN_ANCHORS, anchors, a + 2), aw = (double)real_at(d, IN_ANCHORS, anchors, a + 3);
        float yc = (float)(ey / sy * ah + ay);
        float xc = (float)(ex / sx * aw + ax);
        float half_h = (float)((double)0.5f * exp_d(eh / sh) * ah);
        float half_w = (float)((double)0.5f * exp_d(ew / sw) * aw);
        out[0] = yc - half_h;
        out[1] = xc - half_w;
        out[2] = yc + half_h;
        out[3] = xc + half_w;
        if (bad < 0 && (out[0] >= out[2] || out[1] >= out[3])) {
            bad = i;
        }
    }
    return bad;
}

// std::max and std::min as TFLM calls them (NaN and signed zeros included).
static inline float max_f(float a, float b) {
    return a < b ? b : a;
}

static inline float min_f(float a, float b) {
    return b < a ? b : a;
}

static float iou(const float *a, const float *b) {
    const float area_a = (a[2] - a[0]) * (a[3] - a[1]);
    const float area_b = (b[2] - b[0]) * (b[3] - b[1]);
    if (area_a <= 0.0f || area_b <= 0.0f) {
        return 0.0f;
    }
    const float inter = max_f(min_f(a[2], b[2]) - max_f(a[0], b[0]), 0.0f)
        * max_f(min_f(a[3], b[3]) - max_f(a[1], b[1]), 0.0f);
    return inter / (area_a + area_b - inter);
}

// Merges runs l[0..nl) and r[0..nr), each by decreasing values[], into out:
// on equal values the left run first, so the merge is stable.
static void merge_desc(const float *values, const int32_t *l, size_t nl, const int32_t *r, size_t nr, int32_t *out) {
    while (nl && nr) {
        if (values[*r] > values[*l]) {
            *out++ = *r++;
            nr--;
        } else {
            *out++ = *l++;
            nl--;
        }
    }
    memcpy(out, nl ? l : r, (nl ? nl : nr) * sizeof(int32_t));
}

// Sorts idx[0..n) by decreasing values[idx[]], stably (TFLM's
// DecreasingArgSort is a stable merge sort: equal scores keep box order).
static void sort_desc(const float *values, int32_t *idx, int32_t *tmp, size_t n) {
    const size_t run = 16;
    for (size_t lo = 0; lo < n; lo += run) {
        size_t hi = lo + run < n ? lo + run : n;
        for (size_t i = lo + 1; i < hi; i++) {
            int32_t v = idx[i];
            size_t j = i;
            for (; j > lo && values[v] > values[idx[j - 1]]; j--) {
                idx[j] = idx[j - 1];
            }
            idx[j] = v;
        }
    }
    int32_t *a = idx, *b = tmp;
    for (size_t w = run; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = mid + w < n ? mid + w : n;
            merge_desc(values, a + lo, mid - lo, a + mid, hi - mid, b + lo);
        }
        int32_t *t = a;
        a = b;
        b = t;
    }
    if (a != idx) {
        memcpy(idx, a, n * sizeof(int32_t));
    }
}

typedef struct {
    const dp_data_t *d;
    const float *boxes; // decoded corners
    int32_t *kept;
    int32_t *tmp;
    uint8_t *active;
} nms_t;

// NMS of one score per box, at most `limit` boxes, into sel; how many.
static int32_t nms(const nms_t *w, const float *scores, int32_t limit, int32_t *sel) {
    const dp_data_t *d = w->d;
    int32_t *kept = w->kept;
    int32_t n = 0;
    for (int32_t i = 0; i < d->num_boxes; i++) {
        if (scores[i] >= d->score_threshold) {
            kept[n++] = i;
        }
    }
    sort_desc(scores, kept, w->tmp, (size_t)n);
    const int32_t out_size = n < limit ? n : limit;
    uint8_t *active = w->active;
    memset(active, 1, (size_t)n);
    int32_t n_sel = 0;
    for (int32_t i = 0; i < n && n_sel < out_size; i++) {
        if (!active[i]) {
            continue;
        }
        const float *box = w->boxes + 4 * (size_t)kept[i];
        sel[n_sel++] = kept[i];
        if (n_sel == out_size) {
            break; // what it would suppress changes nothing returned
        }
        for (int32_t j = i + 1; j < n; j++) {
            if (active[j] && iou(box, w->boxes + 4 * (size_t)kept[j]) > d->iou_threshold) {
                active[j] = 0;
            }
        }
    }
    return n_sel;
}

// The k best of values[0..n) by decreasing value, equal values in index
// order (TFLM's DecreasingPartialArgSort), into top[0..k).
static void top_k(const float *values, int32_t n, int32_t k, int32_t *top) {
    int32_t m = 0;
    for (int32_t i = 0; i < n; i++) {
        float v = values[i];
        if (m == k && !(v > values[top[k - 1]])) {
            continue;
        }
        int32_t j = m < k ? m++ : k - 1;
        for (; j > 0 && v > values[top[j - 1]]; j--) {
            top[j] = top[j - 1];
        }
        top[j] = i;
    }
}

static void fast_nms(const nms_t *w, const float *scores, uint8_t *scratch, float *const out[4]) {
    const dp_data_t *d = w->d;
    const int32_t k = d->per_anchor, all = d->classes_all;
    float *best = (float *)(scratch + d->at_nms);
    int32_t *top = (int32_t *)(scratch + d->at_top);
    for (int32_t b = 0; b < d->num_boxes; b++) {
        const float *s = scores + (size_t)b * all + d->label_offset;
        int32_t *t = top + (size_t)b * k;
        top_k(s, d->num_classes, k, t);
        best[b] = s[t[0]];
    }
    int32_t *sel = (int32_t *)(scratch + d->at_sel);
    int32_t n = nms(w, best, d->max_detections, sel);
    // TFLM's layout: detection i's class c at k * (i * k + c) + c (prepare
    // checked the outputs hold k * k detections per selected box).
    for (int32_t i = 0; i < n; i++) {
        const int32_t b = sel[i];
        const float *s = scores + (size_t)b * all + d->label_offset;
        const int32_t *t = top + (size_t)b * k;
        for (int32_t c = 0; c < k; c++) {
            size_t at = (size_t)k * ((size_t)i * k + c) + c;
            memcpy(out[0] + 4 * at, w->boxes + 4 * (size_t)b, 4 * sizeof(float));
            out[1][at] = (float)t[c];
            out[2][at] = s[t[c]];
        }
    }
    out[3][0] = (float)(n * k);
}

static void regular_nms(const nms_t *w, const float *scores, uint8_t *scratch, float *const out[4]) {
    const dp_data_t *d = w->d;
    const int32_t all = d->classes_all;
    float *class_scores = (float *)(scratch + d->at_nms);
    // The detections so far (box * all + class + label offset, as TFLM
    // encodes them) by decreasing score, then one class's selection.
    int32_t *idx = (int32_t *)(scratch + d->at_sel);
    float *score = (float *)(scratch + d->at_sel_score);
    int32_t *merged_idx = (int32_t *)(scratch + d->at_merge_idx);
    float *merged_score = (float *)(scratch + d->at_merge_score);
    int32_t size = 0;
    for (int32_t c = 0; c < d->num_classes; c++) {
        const int32_t col = c + d->label_offset;
        for (int32_t b = 0; b < d->num_boxes; b++) {
            class_scores[b] = scores[(size_t)b * all + col];
        }
        int32_t n = nms(w, class_scores, d->detections_per_class, idx + size);
        for (int32_t i = size; i < size + n; i++) {
            score[i] = class_scores[idx[i]];
            idx[i] = idx[i] * all + col;
        }
        // Both runs are sorted (NMS selects by decreasing score): TFLM's
        // partial sort by (score, position) is their stable merge, cut at
        // max_detections.
        int32_t total = size + n, keep = total < d->max_detections ? total : d->max_detections;
        int32_t i = 0, j = size, o = 0;
        for (; o < keep; o++) {
            bool right = j < total && (i >= size || score[j] > score[i]);
            int32_t from = right ? j++ : i++;
            merged_idx[o] = idx[from];
            merged_score[o] = score[from];
        }
        memcpy(idx, merged_idx, (size_t)keep * sizeof(int32_t));
        memcpy(score, merged_score, (size_t)keep * sizeof(float));
        size = keep;
    }
    for (int32_t i = 0; i < d->max_detections; i++) {
        if (i < size) {
            const int32_t b = idx[i] / all;
            memcpy(out[0] + 4 * (size_t)i, w->boxes + 4 * (size_t)b, 4 * sizeof(float));
            out[1][i] = (float)(idx[i] - b * all - d->label_offset);
            out[2][i] = score[i];
        } else {
            memset(out[0] + 4 * (size_t)i, 0, 4 * sizeof(float));
            out[1][i] = 0.0f;
            out[2][i] = 0.0f;
        }
    }
    out[3][0] = (float)size;
}

static tflm_status_t dp_eval(tflm_interp_t *ip, const tflm_node_t *node) {
    const dp_data_t *d = node->op_data;
    uint8_t *scratch = node->scratch;
    float *boxes = (float *)scratch;
    int32_t bad = decode(d, tflm_node_input(ip, node, IN_BOXES)->data,
        tflm_node_input(ip, node, IN_ANCHORS)->data, boxes);
    if (bad >= 0) {
        return tflm_op_fail(ip, node, TFLM_ERR_VALUE, "decoded box %d is empty or inverted (ymin >= ymax or "
            "xmin >= xmax)", bad);
    }
    const tflm_tensor_t *in_scores = tflm_node_input(ip, node, IN_SCORES);
    const float *scores = (const float *)in_scores->data;
    if (d->type[IN_SCORES] != TFLM_FLOAT32) {
        float *deq = (float *)(scratch + d->at_scores);
        size_t n = (size_t)d->num_boxes * (size_t)d->classes_all;
        for (size_t i = 0; i < n; i++) {
            deq[i] = real_at(d, IN_SCORES, in_scores->data, i);
        }
        scores = deq;
    }
    float *const out[4] = {
        (float *)tflm_node_output(ip, node, 0)->data, (float *)tflm_node_output(ip, node, 1)->data,
        (float *)tflm_node_output(ip, node, 2)->data, (float *)tflm_node_output(ip, node, 3)->data,
    };
    const nms_t w = {
        d, boxes, (int32_t *)(scratch + d->at_kept), (int32_t *)(scratch + d->at_tmp), scratch + d->at_active,
    };
    if (d->regular) {
        regular_nms(&w, scores, scratch, out);
    } else {
        fast_nms(&w, scores, scratch, out);
    }
    return TFLM_OK;
}

TFLM_CUSTOM_KERNEL(detection_postprocess, "TFLite_Detection_PostProcess", 1, 3, 3, 4, sizeof(dp_data_t),
    dp_prepare, dp_eval);

#endif // MICROPY_TFLM_OP_DETECTION_POSTPROCESS
