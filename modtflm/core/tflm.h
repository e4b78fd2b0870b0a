// tflm runtime core: public interface.
//
// Portable C99, no MicroPython includes. The caller owns all memory: the model
// bytes (read in place, never copied) and one arena. Nothing here allocates.
//
//   tflm_interp_init(ip, model, len, arena, arena_size)
//       verify -> build tensor/op tables -> prepare every op -> plan the arena
//   tflm_interp_invoke(ip)     run every op in order; no allocation, no checks
//                              that prepare could do
//
// Every failure fills ip->err (status, message, and for an arena that is too
// small the exact size needed) and returns its status.
#ifndef TFLM_CORE_TFLM_H
#define TFLM_CORE_TFLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TFLM_VERSION_STRING "0.1.0"

// Kernels handle up to this many dimensions; deeper tensors are refused.
#define TFLM_MAX_RANK (6)
// Bounds the model may not exceed: tensor and op indices are stored in 16 bits.
#define TFLM_MAX_TENSORS (8191)
#define TFLM_MAX_OPS (8191)
#define TFLM_MAX_OP_IO (1024)
#define TFLM_MAX_SUBGRAPHS (1024)
// Subgraph calls (IF, WHILE, CALL_ONCE) nest at most this deep below
// subgraph 0; deeper nesting and recursion are refused (ValueError). Invoke
// recurses in C once per level, so this also bounds the stack invoke takes.
#ifndef TFLM_MAX_CALL_DEPTH
#define TFLM_MAX_CALL_DEPTH (8)
#endif
#define TFLM_ERR_MSG_LEN (120)

typedef enum {
    TFLM_OK = 0,
    TFLM_ERR_MODEL,       // malformed model (ValueError)
    TFLM_ERR_UNSUPPORTED, // valid model we cannot run (NotImplementedError)
    TFLM_ERR_ARENA,       // arena too small (MemoryError), err.needed set
    TFLM_ERR_INDEX,       // index out of range (IndexError)
    TFLM_ERR_VALUE,       // bad argument or runtime data (ValueError)
    TFLM_ERR_STATE,       // call out of sequence (RuntimeError)
} tflm_status_t;

// The last failure. Its message is formatted into one buffer shared by all
// interpreters (errors are reported to the user as soon as they happen), so
// a loaded model does not keep a message buffer of its own.
typedef struct {
    tflm_status_t status;
    size_t needed;   // TFLM_ERR_ARENA: bytes the arena needs, 0 if not yet known
    const char *msg; // set with status
} tflm_error_t;

// Values are the TFLite schema's TensorType.
typedef enum {
    TFLM_FLOAT32 = 0,
    TFLM_FLOAT16 = 1,
    TFLM_INT32 = 2,
    TFLM_UINT8 = 3,
    TFLM_INT64 = 4,
    TFLM_STRING = 5,
    TFLM_BOOL = 6,
    TFLM_INT16 = 7,
    TFLM_INT8 = 9,
    TFLM_FLOAT64 = 10,
    TFLM_UINT64 = 12,
    TFLM_RESOURCE = 13, // a resource variable's handle: its int32 id
    TFLM_UINT32 = 15,
} tflm_type_t;

// Tensor flags.
#define TFLM_T_CONST (0x01)    // data lives in the model
#define TFLM_T_VARIABLE (0x02) // state kept across invokes
#define TFLM_T_INPUT (0x04)    // graph input
#define TFLM_T_OUTPUT (0x08)   // graph output
#define TFLM_T_QUANT (0x10)    // has scale/zero point
#define TFLM_T_PER_CHANNEL (0x20)
#define TFLM_T_PRODUCED (0x40) // written by an op (graph checks in init)

#define TFLM_NO_OP (0xffff)

// One per tensor, in the arena: kept small (20 bytes on 32-bit targets).
typedef struct {
    union {
        uint8_t *data;
        uint32_t life;   // while planning: first and last op using it (plan.c)
    };
    const int32_t *dims; // `rank` entries, in the model's verified shape vector
    float scale;         // per-tensor (first channel's when per-channel)
    int32_t zero_point;
    uint8_t rank;
    uint8_t type;        // tflm_type_t
    uint8_t flags;
    uint8_t quant_dim;   // per-channel quantized dimension
} tflm_tensor_t;

struct tflm_interp;
struct tflm_node;
struct tflm_graph; // kernel.h

typedef tflm_status_t (*tflm_prepare_fn)(struct tflm_interp *ip, struct tflm_node *node);
// eval only fails on runtime data (e.g. a gather index out of range).
typedef tflm_status_t (*tflm_eval_fn)(struct tflm_interp *ip, const struct tflm_node *node);

// A kernel's input or output count that may be anything.
#define TFLM_IO_ANY (0xff)

typedef struct tflm_kernel {
    uint16_t builtin;      // BuiltinOperator code (TFLM_OP_CUSTOM for a custom op)
    uint8_t max_version;
    uint8_t options_type;  // schema BuiltinOptions type the op takes (0: none)
    uint16_t op_data_size; // bytes of persistent op data, zeroed before prepare
    // Inputs (min_inputs to max_inputs, the first min_inputs present) and
    // outputs the op takes, checked before prepare (TFLM_IO_ANY: any count).
    uint8_t min_inputs;
    uint8_t max_inputs;
    uint8_t n_outputs;
    tflm_prepare_fn prepare;
    tflm_eval_fn eval;
    const char *custom;    // a custom op's name (matched with the model's), else NULL
} tflm_kernel_t;

typedef struct tflm_node {
    const tflm_kernel_t *kernel;
    void *op_data;
    const int16_t *inputs;  // tensor indices, -1 for an omitted optional input;
                            // the outputs' indices follow the inputs'
    uint16_t n_inputs;
    uint16_t n_outputs;
    uint16_t builtin;
    uint8_t version;
    uint8_t options_type;
    uint32_t scratch_size;  // requested by prepare, placed by the planner
    union {
        const uint8_t *options; // builtin options table in the model, or for a
                                // custom op its custom_options vector (prepare only)
        uint8_t *scratch;       // scratch buffer (eval only)
        uint32_t span;          // while planning: its first and last position (plan.c)
    };
} tflm_node_t;

typedef uint32_t (*tflm_ticks_fn)(void);

typedef struct tflm_interp {
    const uint8_t *model;
    size_t model_len;
    uint8_t *arena;
    size_t arena_size;
    size_t persistent_used; // tables and op data at the front of the arena
    size_t arena_used;      // persistent + planned activations and scratch;
                            // during init, what the persistent data needs
                            // (more than written while only measuring)
    // Every subgraph's tensors and ops in one table each, subgraph 0's
    // first (their indices are the model's); inputs and outputs are
    // subgraph 0's, the model's.
    tflm_tensor_t *tensors;
    tflm_node_t *nodes;
    const int16_t *inputs;
    const int16_t *outputs;
    const uint8_t *model_tensors; // subgraph 0's tensor vector (details on demand)
    uint16_t n_tensors;
    uint16_t n_nodes;
    uint16_t n_inputs;
    uint16_t n_outputs;
    uint16_t n_main_nodes;        // subgraph 0's: what invoke runs
    bool ready;
    // Several subgraphs, resource variables (in the arena); NULL for a model
    // with one subgraph and no variables.
    struct tflm_graph *graph;
    // Ops' state that reset() zeroes (tflm_alloc_state), a chain in the
    // arena; NULL when no op keeps any.
    struct tflm_state *states;
    // Optional per-op profiling: when ticks and profile are set, invoke
    // stores the ticks each op took in profile[op].
    tflm_ticks_fn ticks;
    uint32_t *profile;
    tflm_error_t err;
} tflm_interp_t;

// Verifies the whole model (flatbuffer and structure) and keeps the verified
// view in ip. Returns TFLM_OK or the first problem found (ip->err filled).
tflm_status_t tflm_interp_open(tflm_interp_t *ip, const uint8_t *model, size_t len);

// After open: `measure` bytes of arena are enough for init to report the
// exact size (tables, one op's data at a time, the planner's workspace; an
// op with over 2 KB of per-channel data or tables may need more), and
// `upper` bytes are, as a rule, enough to load the model (every activation
// end to end plus slack: a bound, not a promise).
void tflm_interp_arena_bounds(const tflm_interp_t *ip, size_t *measure, size_t *upper);

// After open: builds the interpreter in `arena`. On TFLM_ERR_ARENA,
// ip->err.needed is the exact size, or 0 when the arena could not even hold
// what measuring needs. May be called again (with another arena) after a
// failure or tflm_interp_release.
tflm_status_t tflm_interp_init(tflm_interp_t *ip, uint8_t *arena, size_t arena_size);
// Forgets every pointer into the arena (before the caller frees it); the
// verified model stays for another init.
void tflm_interp_release(tflm_interp_t *ip);
tflm_status_t tflm_interp_invoke(tflm_interp_t *ip);
// Zeroes variable tensors and ops' state (tflm_alloc_state), and activations.
tflm_status_t tflm_interp_reset(tflm_interp_t *ip);

tflm_tensor_t *tflm_input(tflm_interp_t *ip, int index);
// Name of tensor `index` from the model (not NUL-terminated: use *len).
const char *tflm_tensor_name(tflm_interp_t *ip, int index, size_t *len);
tflm_tensor_t *tflm_output(tflm_interp_t *ip, int index);

size_t tflm_type_size(int type);
// Bytes of a tensor's data (shape x element size; verified to fit 31 bits).
uint32_t tflm_tensor_bytes(const tflm_tensor_t *t);
const char *tflm_type_name(int type);
// Value range of an integer (or bool) type; false for other types.
bool tflm_type_limits(int type, int64_t *lo, int64_t *hi);
// Stores integer v as element i of an integer tensor; false (nothing stored)
// when v is outside the type's range or the type is not an integer.
bool tflm_set_int(const tflm_tensor_t *t, size_t i, int64_t v);
// v quantized with the tensor's scale and zero point: rounded half away from
// zero, clamped to the type's range.
int32_t tflm_quantize_value(const tflm_tensor_t *t, float v);
// Element i as a real number (scale * (q - zero point); 1 and 0 when the
// tensor is not quantized); false for types with no such reading.
bool tflm_dequantize_value(const tflm_tensor_t *t, size_t i, float *out);
// Name of a builtin op code, or NULL when unknown.
const char *tflm_op_name(int builtin);
// The kernels built in, for listing.
size_t tflm_kernel_count(void);
const tflm_kernel_t *tflm_kernel_at(size_t i);
// A kernel's op name: the custom name of a custom op, else the builtin's.
const char *tflm_kernel_name(const tflm_kernel_t *k);

#endif // TFLM_CORE_TFLM_H
