// Model check for tools/tflm_check.py: the runtime core, built with
// TFLM_CHECK_ALL_OPS=1, loads the model as the binding would and reports
// every op with its types and whether this build can run it, then the exact
// arena the model needs (the build's word size decides the tables' sizes:
// the Makefile builds it for the host and, with -m32, for 32-bit boards).
//
//   tflm_check model.tflite
//
// Output, one record a line:
//   model <subgraphs> <ops> <tensors>
//   op <subgraph> <index> <name> <version> <input types> <output types> ok
//   op ... missing <message>           no kernel for the op (or its version)
//   op ... failed <status> <message>   its checks or prepare refused it
//   arena <bytes> persistent <bytes>   all ops can run
//   error <status> <message>           what the runtime raises otherwise (op
//                                      lines precede it when the ops were read)
// Types are comma-separated names ("none": an omitted optional input; "-":
// no tensors). Exit status 0 when the model can run, 2 when not, 1 on a
// usage or file error.
#include <string.h>
#include "../core/model.h"
#include "host_load.h"

// Per op (index in ip->nodes): the status that stopped it and why.
static uint8_t op_status[TFLM_MAX_OPS];
static char *op_message[TFLM_MAX_OPS];
static bool op_missing[TFLM_MAX_OPS];

static void record(tflm_interp_t *ip, unsigned node, bool missing) {
    op_status[node] = (uint8_t)ip->err.status;
    op_missing[node] = missing;
    free(op_message[node]);
    op_message[node] = strdup(ip->err.msg ? ip->err.msg : "");
}

static tflm_status_t stub_prepare(tflm_interp_t *ip, tflm_node_t *node) {
    (void)ip;
    (void)node;
    return TFLM_OK;
}

// Stand-ins for ops without a kernel, one per options type (build_subgraph
// checks that an op's options are of its kernel's type).
static tflm_kernel_t stubs[TFLM_OPTIONS_MAX + 1];

const tflm_kernel_t *tflm_check_stub(tflm_interp_t *ip, unsigned node, tflm_status_t status, unsigned options_type) {
    (void)status; // ip->err.status
    record(ip, node, true);
    tflm_kernel_t *k = &stubs[options_type <= TFLM_OPTIONS_MAX ? options_type : 0];
    *k = (tflm_kernel_t){.builtin = TFLM_OP_CUSTOM, .max_version = 255, .options_type = (uint8_t)options_type,
        .min_inputs = 0, .max_inputs = TFLM_IO_ANY, .n_outputs = TFLM_IO_ANY, .prepare = stub_prepare};
    return k;
}

void tflm_check_failed(tflm_interp_t *ip, unsigned node) {
    record(ip, node, false);
}

// The op the runtime stops at: kernels are looked up for every op before
// any op is prepared, so the first op without one, else the first refused.
static int first_failed(const tflm_interp_t *ip) {
    int first = -1;
    for (unsigned i = 0; i < ip->n_nodes; i++) {
        if (op_status[i] != TFLM_OK && op_missing[i]) {
            return (int)i;
        }
        if (op_status[i] != TFLM_OK && first < 0) {
            first = (int)i;
        }
    }
    return first;
}

tflm_status_t tflm_check_result(const tflm_interp_t *ip) {
    int i = first_failed(ip);
    return i < 0 ? TFLM_OK : op_status[i];
}

static void print_types(const tflm_interp_t *ip, const int16_t *idx, unsigned n) {
    printf(" ");
    for (unsigned j = 0; j < n; j++) {
        printf("%s%s", j ? "," : "", idx[j] < 0 ? "none" : tflm_type_name(ip->tensors[idx[j]].type));
    }
    printf("%s", n ? "" : "-");
}

// One line per op, every subgraph's in order.
static void print_ops(const tflm_interp_t *ip) {
    tflm_model_t m;
    tflm_model_view(&m, ip->model, ip->model_len);
    unsigned node = 0;
    for (uint32_t s = 0; s < tflm_model_subgraphs(&m); s++) {
        tflm_model_select(&m, s);
        for (uint32_t i = 0; i < m.n_ops; i++, node++) {
            const char *custom;
            int version;
            int32_t code = tflm_model_op_code(&m, tflm_model_op(&m, i), &custom, &version);
            const char *name = code == TFLM_OP_CUSTOM ? custom : tflm_op_name(code);
            const tflm_node_t *n = &ip->nodes[node];
            printf("op %u %u %s %d", (unsigned)s, (unsigned)i, name ? name : "UNKNOWN", version);
            print_types(ip, n->inputs, n->n_inputs);
            print_types(ip, n->inputs + n->n_inputs, n->n_outputs);
            if (op_status[node] == TFLM_OK) {
                printf(" ok\n");
            } else if (op_missing[node]) {
                printf(" missing %s\n", op_message[node]);
            } else {
                printf(" failed %d %s\n", op_status[node], op_message[node]);
            }
        }
    }
}

int main(int argc, char **argv) {
    size_t len;
    uint8_t *model = read_model_arg(argc == 2, argv, "model.tflite", &len);
    if (!model) {
        return 1;
    }
    static tflm_interp_t ip;
    uint8_t *arena = NULL;
    int s = init_sized(&ip, model, len, &arena);
    // The tables are whole when init passed, or failed only on ops (the
    // first op's status is what init returned).
    bool tables = s == TFLM_OK || (ip.n_nodes && s == (int)tflm_check_result(&ip));
    if (tables) {
        unsigned n_sub = ip.graph && ip.graph->subgraphs ? ip.graph->n_subgraphs : 1;
        printf("model %u %u %u\n", n_sub, (unsigned)ip.n_nodes, (unsigned)ip.n_tensors);
        print_ops(&ip);
    }
    if (s == TFLM_OK) {
        printf("arena %u persistent %u\n", (unsigned)ip.arena_used, (unsigned)ip.persistent_used);
    } else {
        // What the runtime raises. When a graph check failed past an op
        // without a kernel (its inputs and outputs checked as the
        // stand-in's), the runtime stops at that op first.
        int i = first_failed(&ip);
        bool at_op = i >= 0 && (tables || op_missing[i]);
        printf("error %d %s\n", at_op ? op_status[i] : s, at_op ? op_message[i] : ip.err.msg ? ip.err.msg : "");
    }
    free(arena);
    free(model);
    return s == TFLM_OK ? 0 : 2;
}
