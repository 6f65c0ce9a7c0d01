/* audiogain: multiplies S16LE samples by `gain` and clips them to [-limit, limit].
 * Zero-copy: reads the input slot in place and writes the output slot; with gain 1 and
 * no limit it forwards the input untouched. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parallax_element.h"

#define CAPS "audio/x-raw, format=S16LE"
#define DEFAULT_GAIN "1"
#define DEFAULT_LIMIT "32767"
#define MAX_LIMIT 32767

#define TEXT 32

struct exports_parallax_element_element_instance_t {
    double gain;
    int32_t limit;
    /* The values as the host gave them (canonical text), returned by get-property: no
     * number formatting, so no stdio is linked in (and no WASI import with it). */
    char gain_text[TEXT];
    char limit_text[TEXT];
};

void exports_parallax_element_element_describe(px_info_t *ret) {
    ret->name = px_string("audiogain");
    ret->classification = px_string("Filter/Effect/Audio");
    ret->description = px_string("Multiplies S16LE samples by a gain and clips them (written in C)");
    ret->version = px_string("0.1.0");
    ret->pads.len = 2;
    ret->pads.ptr = malloc(2 * sizeof(px_pad_t));
    ret->properties.len = 2;
    ret->properties.ptr = malloc(2 * sizeof(px_prop_t));
    if (ret->pads.ptr == NULL || ret->properties.ptr == NULL) {
        __builtin_trap(); /* out of memory before any instance exists */
    }
    ret->pads.ptr[0] = px_pad("sink", true, CAPS);
    ret->pads.ptr[1] = px_pad("src", false, CAPS);
    ret->properties.ptr[0] =
        px_prop_double("gain", 0.0, 16.0, DEFAULT_GAIN, "Factor applied to every sample", true);
    ret->properties.ptr[1] = px_prop_int("limit", 0, MAX_LIMIT, DEFAULT_LIMIT,
                                         "Samples are clipped to [-limit, limit]", true);
    ret->hints.cpu_bound = true;
    ret->hints.rt_safe = true;
    ret->data_path = PARALLAX_ELEMENT_TYPES_DATA_PATH_ZERO_COPY;
}

/* Parses a value the host already checked against the spec; false if it still is not
 * a number (then the element refuses it rather than guessing). */
static bool set(exports_parallax_element_element_instance_t *self, const px_string_t *name,
                const px_string_t *value) {
    char text[TEXT];
    char *end = NULL;
    if (!px_string_to_c(value, text, sizeof text)) {
        return false;
    }
    if (px_string_eq(name, "gain")) {
        double g = strtod(text, &end);
        if (end == text || *end != '\0' || !(g >= 0.0 && g <= 16.0)) {
            return false;
        }
        self->gain = g;
        memcpy(self->gain_text, text, sizeof text);
        return true;
    }
    if (px_string_eq(name, "limit")) {
        long l = strtol(text, &end, 10);
        if (end == text || *end != '\0' || l < 0 || l > MAX_LIMIT) {
            return false;
        }
        self->limit = (int32_t)l;
        memcpy(self->limit_text, text, sizeof text);
        return true;
    }
    return false;
}

bool exports_parallax_element_element_static_instance_create(
    element_world_list_tuple2_string_string_t *properties,
    exports_parallax_element_element_own_instance_t *ret, px_string_t *err) {
    exports_parallax_element_element_instance_t *self = malloc(sizeof *self);
    if (self == NULL) {
        element_world_list_tuple2_string_string_free(properties);
        *err = px_string("out of memory");
        return false;
    }
    self->gain = 1.0;
    self->limit = MAX_LIMIT;
    memcpy(self->gain_text, DEFAULT_GAIN, sizeof DEFAULT_GAIN);
    memcpy(self->limit_text, DEFAULT_LIMIT, sizeof DEFAULT_LIMIT);
    for (size_t i = 0; i < properties->len; i++) {
        if (!set(self, &properties->ptr[i].f0, &properties->ptr[i].f1)) {
            element_world_list_tuple2_string_string_free(properties);
            free(self);
            *err = px_string("invalid property value");
            return false;
        }
    }
    element_world_list_tuple2_string_string_free(properties);
    *ret = exports_parallax_element_element_instance_new(self);
    return true;
}

void exports_parallax_element_element_instance_destructor(
    exports_parallax_element_element_instance_t *self) {
    free(self);
}

bool exports_parallax_element_element_method_instance_set_property(
    exports_parallax_element_element_borrow_instance_t self, px_string_t *name, px_string_t *value,
    px_string_t *err) {
    bool ok = set(self, name, value);
    element_world_string_free(name);
    element_world_string_free(value);
    if (!ok) {
        *err = px_string("invalid property value");
    }
    return ok;
}

bool exports_parallax_element_element_method_instance_get_property(
    exports_parallax_element_element_borrow_instance_t self, px_string_t *name, px_string_t *ret) {
    const char *text = NULL;
    if (px_string_eq(name, "gain")) {
        text = self->gain_text;
    } else if (px_string_eq(name, "limit")) {
        text = self->limit_text;
    }
    element_world_string_free(name);
    if (text != NULL) {
        *ret = px_string(text);
    }
    return text != NULL;
}

/* One sample: scaled, rounded to nearest, clipped. */
static int16_t apply(int16_t s, float gain, int32_t limit) {
    float v = rintf((float)s * gain);
    if (v > (float)limit) {
        return (int16_t)limit;
    }
    if (v < (float)-limit) {
        return (int16_t)-limit;
    }
    return (int16_t)v;
}

bool exports_parallax_element_element_method_instance_process(
    exports_parallax_element_element_borrow_instance_t self, uint32_t pad, px_slot_t *input,
    px_meta_flat_t *meta, px_slot_t *output, px_produced_t *ret, px_flow_error_t *err) {
    (void)pad;
    if (self->gain == 1.0 && self->limit == MAX_LIMIT) {
        px_forward_input(ret, meta); /* unity: zero bytes touched */
        return true;
    }
    const uint8_t *in;
    uint8_t *out;
    if (!px_slots(input, output, &in, &out, err)) {
        return false;
    }
    if (output->capacity < input->len) {
        return px_fail(err, "output slot smaller than the input");
    }
    float gain = (float)self->gain;
    uint32_t n = input->len / 2;
    for (uint32_t i = 0; i < n; i++) {
        /* Little-endian bytes assembled by hand: slots carry no alignment promise. */
        int16_t s = (int16_t)(uint16_t)(in[2 * i] | (in[2 * i + 1] << 8));
        uint16_t r = (uint16_t)apply(s, gain, self->limit);
        out[2 * i] = (uint8_t)r;
        out[2 * i + 1] = (uint8_t)(r >> 8);
    }
    if (input->len % 2) {
        out[input->len - 1] = in[input->len - 1]; /* a stray byte passes unchanged */
    }
    px_written(ret, input->len, meta);
    return true;
}
