/* hostile_ctrap: a C guest that executes `unreachable` on every third buffer (what a
 * failed assert or abort() compiles to), to show that a C trap is reported and handled
 * by the failure policy like a Rust panic. Otherwise it forwards its input. */
#include <stdlib.h>

#include "parallax_element.h"

struct exports_parallax_element_element_instance_t {
    uint32_t seen;
};

void exports_parallax_element_element_describe(px_info_t *ret) {
    ret->name = px_string("hostilectrap");
    ret->classification = px_string("Generic");
    ret->description = px_string("Test guest: traps (unreachable) on every third buffer");
    ret->version = px_string("0.1.0");
    ret->pads.len = 2;
    ret->pads.ptr = malloc(2 * sizeof(px_pad_t));
    if (ret->pads.ptr == NULL) {
        __builtin_trap();
    }
    ret->pads.ptr[0] = px_pad("sink", true, "ANY");
    ret->pads.ptr[1] = px_pad("src", false, "ANY");
    ret->properties.len = 0;
    ret->properties.ptr = NULL;
    ret->hints.cpu_bound = false;
    ret->hints.rt_safe = true;
    ret->data_path = PARALLAX_ELEMENT_TYPES_DATA_PATH_ZERO_COPY;
}

bool exports_parallax_element_element_static_instance_create(
    element_world_list_tuple2_string_string_t *properties,
    exports_parallax_element_element_own_instance_t *ret, element_world_string_t *err) {
    element_world_list_tuple2_string_string_free(properties);
    exports_parallax_element_element_instance_t *self = calloc(1, sizeof *self);
    if (self == NULL) {
        *err = px_string("out of memory");
        return false;
    }
    *ret = exports_parallax_element_element_instance_new(self);
    return true;
}

void exports_parallax_element_element_instance_destructor(
    exports_parallax_element_element_instance_t *self) {
    free(self);
}

bool exports_parallax_element_element_method_instance_process(
    exports_parallax_element_element_borrow_instance_t self, uint32_t pad, px_slot_t *input,
    px_meta_flat_t *meta, px_slot_t *output, px_produced_t *ret, px_flow_error_t *err) {
    (void)pad;
    (void)input;
    (void)output;
    (void)err;
    self->seen += 1;
    if (self->seen % 3 == 0) {
        __builtin_trap();
    }
    px_forward_input(ret, meta);
    return true;
}
