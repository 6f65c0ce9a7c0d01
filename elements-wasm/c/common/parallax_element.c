/* See parallax_element.h. The exports defined here are weak defaults (passthrough caps,
 * no properties, no copying path, no source, nothing held back): an element defines
 * describe, reserve_window (px_reserve_window), create, the destructor and process, and
 * overrides whichever default it needs. */
#include "parallax_element.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 65536u

static uint64_t window_start;
static uint64_t window_end;

px_string_t px_string(const char *s) {
    px_string_t out = {0};
    size_t len = strlen(s);
    out.ptr = malloc(len ? len : 1);
    if (out.ptr == NULL) {
        /* Out of memory while describing ourselves: nothing sensible is left to do, and
         * a trap is reported by the host like any other. */
        __builtin_trap();
    }
    memcpy(out.ptr, s, len);
    out.len = len;
    return out;
}

bool px_string_eq(const px_string_t *s, const char *c) {
    size_t len = strlen(c);
    return s->len == len && memcmp(s->ptr, c, len) == 0;
}

bool px_string_to_c(const px_string_t *s, char *buf, size_t size) {
    if (s->len >= size) {
        return false;
    }
    memcpy(buf, s->ptr, s->len);
    buf[s->len] = '\0';
    return true;
}

bool px_fail(px_flow_error_t *err, const char *message) {
    err->tag = PARALLAX_ELEMENT_TYPES_FLOW_ERROR_ERROR;
    err->val.error = px_string(message);
    return false;
}

/* reserve-window: grow memory by whole pages that malloc never sees (wasi-libc's
 * allocator only uses memory it grew itself through sbrk), and remember them. */
bool exports_parallax_element_element_reserve_window(uint32_t bytes, uint32_t *ret,
                                                     px_string_t *err) {
    if (window_end != 0) {
        *err = px_string("the window is already reserved");
        return false;
    }
    if (bytes == 0) {
        *err = px_string("a window of 0 bytes was asked for");
        return false;
    }
    uint64_t pages = ((uint64_t)bytes + PAGE - 1) / PAGE;
    size_t old = __builtin_wasm_memory_grow(0, (size_t)pages);
    if (old == (size_t)-1) {
        *err = px_string("linear memory cannot grow for the window");
        return false;
    }
    uint64_t start = (uint64_t)old * PAGE;
    if (start == 0 || start > UINT32_MAX) {
        *err = px_string("the window would start at 0 or past 4 GiB");
        return false;
    }
    window_start = start;
    window_end = start + pages * PAGE;
    *ret = (uint32_t)start;
    return true;
}

static bool in_window(uint32_t offset, uint32_t len) {
    uint64_t start = offset;
    uint64_t end = start + len; /* both < 2^32: no overflow in 64 bits */
    return window_end != 0 && start >= window_start && end <= window_end;
}

bool px_slots(const px_slot_t *input, const px_slot_t *output, const uint8_t **in,
              uint8_t **out, px_flow_error_t *err) {
    if (input->len > input->capacity) {
        return px_fail(err, "host passed an input slot with len > capacity");
    }
    if (!in_window(input->offset, input->len) || !in_window(output->offset, output->capacity)) {
        return px_fail(err, "host passed a slot outside the window");
    }
    uint64_t a0 = input->offset, a1 = a0 + input->len;
    uint64_t b0 = output->offset, b1 = b0 + output->capacity;
    if (a0 < a1 && b0 < b1 && a0 < b1 && b0 < a1) {
        return px_fail(err, "host passed an output slot overlapping the input slot");
    }
    /* Offsets are linear-memory addresses on wasm32, checked above to lie in the window. */
    *in = (const uint8_t *)(uintptr_t)input->offset;
    *out = (uint8_t *)(uintptr_t)output->offset;
    return true;
}

void px_forward_input(px_produced_t *ret, const px_meta_flat_t *meta) {
    ret->tag = PARALLAX_ELEMENT_TYPES_PRODUCED_ONE;
    ret->val.one.pad = 0;
    ret->val.one.data.tag = PARALLAX_ELEMENT_TYPES_OUTPUT_DATA_INPUT;
    ret->val.one.meta = *meta;
}

void px_written(px_produced_t *ret, uint32_t len, const px_meta_flat_t *meta) {
    ret->tag = PARALLAX_ELEMENT_TYPES_PRODUCED_ONE;
    ret->val.one.pad = 0;
    ret->val.one.data.tag = PARALLAX_ELEMENT_TYPES_OUTPUT_DATA_WRITTEN;
    ret->val.one.data.val.written.f0 = 0;
    ret->val.one.data.val.written.f1 = len;
    ret->val.one.meta = *meta;
}

px_pad_t px_pad(const char *name, bool sink, const char *caps) {
    px_pad_t pad = {
        .name = px_string(name),
        .direction = sink ? PARALLAX_ELEMENT_TYPES_PAD_DIRECTION_SINK
                          : PARALLAX_ELEMENT_TYPES_PAD_DIRECTION_SRC,
        .presence = PARALLAX_ELEMENT_TYPES_PAD_PRESENCE_ALWAYS,
        .caps = px_string(caps),
    };
    return pad;
}

static px_prop_t prop(const char *name, const char *def, const char *doc, bool mutable_) {
    px_prop_t p = {
        .name = px_string(name),
        .default_ = px_string(def),
        .doc = px_string(doc),
        .mutable_while_running = mutable_,
    };
    return p;
}

px_prop_t px_prop_double(const char *name, double min, double max, const char *def,
                         const char *doc, bool mutable_while_running) {
    px_prop_t p = prop(name, def, doc, mutable_while_running);
    p.kind.tag = PARALLAX_ELEMENT_TYPES_PROP_KIND_DOUBLE;
    p.kind.val.double_.f0 = min;
    p.kind.val.double_.f1 = max;
    return p;
}

px_prop_t px_prop_int(const char *name, int64_t min, int64_t max, const char *def,
                      const char *doc, bool mutable_while_running) {
    px_prop_t p = prop(name, def, doc, mutable_while_running);
    p.kind.tag = PARALLAX_ELEMENT_TYPES_PROP_KIND_INTEGER;
    p.kind.val.integer.f0 = min;
    p.kind.val.integer.f1 = max;
    return p;
}

/* ---- weak defaults ---- */

typedef exports_parallax_element_element_borrow_instance_t px_self_t;

__attribute__((weak)) bool exports_parallax_element_element_method_instance_set_property(
    px_self_t self, px_string_t *name, px_string_t *value, px_string_t *err) {
    (void)self;
    element_world_string_free(name);
    element_world_string_free(value);
    *err = px_string("this element has no settable property");
    return false;
}

__attribute__((weak)) bool exports_parallax_element_element_method_instance_get_property(
    px_self_t self, px_string_t *name, px_string_t *ret) {
    (void)self;
    (void)ret;
    element_world_string_free(name);
    return false;
}

__attribute__((weak)) void exports_parallax_element_element_method_instance_transform_caps(
    px_self_t self, exports_parallax_element_element_pad_direction_t direction, px_string_t *caps,
    px_string_t *ret) {
    (void)self;
    (void)direction;
    *ret = *caps; /* passthrough: hand the argument back (ownership moves with it) */
}

__attribute__((weak)) bool exports_parallax_element_element_method_instance_set_caps(
    px_self_t self, element_world_list_string_t *sink, element_world_list_string_t *src,
    uint32_t *ret, px_string_t *err) {
    (void)self;
    (void)err;
    element_world_list_string_free(sink);
    element_world_list_string_free(src);
    *ret = 0; /* outputs are at most the input's size */
    return true;
}

__attribute__((weak)) bool exports_parallax_element_element_method_instance_generate(
    px_self_t self, px_slot_t *output, px_produced_t *ret, px_flow_error_t *err) {
    (void)self;
    (void)output;
    (void)ret;
    return px_fail(err, "not a source");
}

__attribute__((weak)) bool exports_parallax_element_element_method_instance_process_copy(
    px_self_t self, uint32_t pad, element_world_list_u8_t *data,
    exports_parallax_element_element_buffer_meta_t *meta,
    exports_parallax_element_element_list_copied_output_t *ret, px_flow_error_t *err) {
    (void)self;
    (void)pad;
    (void)meta;
    (void)ret;
    element_world_list_u8_free(data);
    return px_fail(err, "this element uses the zero-copy path");
}

__attribute__((weak)) bool exports_parallax_element_element_method_instance_drain(
    px_self_t self, exports_parallax_element_element_list_copied_output_t *ret,
    px_flow_error_t *err) {
    (void)self;
    (void)err;
    ret->ptr = NULL;
    ret->len = 0;
    return true;
}

__attribute__((weak)) void exports_parallax_element_element_method_instance_flush(px_self_t self) {
    (void)self;
}
