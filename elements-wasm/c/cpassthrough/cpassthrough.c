/* cpassthrough: forwards every buffer unchanged without touching its bytes (zero copy).
 * The C counterpart of the Rust `passthrough`, for the per-buffer cost benchmark. */
#include <stdlib.h>

#include "parallax_element.h"

struct exports_parallax_element_element_instance_t {
    int unused;
};

void exports_parallax_element_element_describe(px_info_t *ret) {
    ret->name = px_string("cpassthrough");
    ret->classification = px_string("Generic");
    ret->description = px_string("Forwards every buffer unchanged (written in C)");
    ret->version = px_string("0.1.0");
    ret->pads.len = 2;
    ret->pads.ptr = malloc(2 * sizeof(px_pad_t));
    if (ret->pads.ptr == NULL) {
        __builtin_trap(); /* out of memory before any instance exists */
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
    exports_parallax_element_element_instance_t *self = malloc(sizeof *self);
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
    (void)self;
    (void)pad;
    (void)input;
    (void)output;
    (void)err;
    px_forward_input(ret, meta);
    return true;
}
