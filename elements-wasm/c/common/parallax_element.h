/* Helpers for C elements on top of the generated bindings (element_world.h): strings
 * for results, the zero-copy window, slot checks, property text, and default exports.
 *
 * A key design decision: the host is not trusted to pass sane slots. px_reserve_window
 * grows linear memory itself (so malloc never owns those pages) and records the window;
 * px_slots checks that both slots of a call lie inside it, that len <= capacity and that
 * they do not overlap, before any pointer is formed (as the Rust SDK's window.rs does).
 *
 * Memory rules of wit-bindgen's C bindings: arguments passed to an export (strings,
 * lists) belong to the export, which frees them; everything an export returns is freed
 * by the bindings after the call, so returned strings must be malloc'ed (px_string). */
#ifndef PARALLAX_ELEMENT_H
#define PARALLAX_ELEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "element_world.h"

typedef element_world_string_t px_string_t;
typedef exports_parallax_element_element_slot_t px_slot_t;
typedef exports_parallax_element_element_flow_error_t px_flow_error_t;
typedef exports_parallax_element_element_produced_t px_produced_t;
typedef exports_parallax_element_element_meta_flat_t px_meta_flat_t;
typedef exports_parallax_element_element_element_info_t px_info_t;
typedef parallax_element_types_pad_template_t px_pad_t;
typedef parallax_element_types_prop_spec_t px_prop_t;

/* A malloc'ed copy of a C string, for values an export returns. */
px_string_t px_string(const char *s);

/* True when the WIT string equals the C string. */
bool px_string_eq(const px_string_t *s, const char *c);

/* Copies a WIT string into buf as a C string; false when it does not fit. */
bool px_string_to_c(const px_string_t *s, char *buf, size_t size);

/* Sets *err to flow-error::error(message) and returns false, for `return px_fail(...)`. */
bool px_fail(px_flow_error_t *err, const char *message);

/* The two slots of a `process` call as pointers, after checking them (see above).
 * Returns false with *err set when the host passed slots outside the window, with
 * len > capacity, or overlapping. */
bool px_slots(const px_slot_t *input, const px_slot_t *output, const uint8_t **in,
              uint8_t **out, px_flow_error_t *err);

/* `one(output-flat)` forwarding the input unchanged (zero copy). */
void px_forward_input(px_produced_t *ret, const px_meta_flat_t *meta);

/* `one(output-flat)` for `len` bytes written into the output slot. */
void px_written(px_produced_t *ret, uint32_t len, const px_meta_flat_t *meta);

/* Pad templates and property specs for describe(): malloc'ed, filled from C strings. */
px_pad_t px_pad(const char *name, bool sink, const char *caps);
px_prop_t px_prop_double(const char *name, double min, double max, const char *def,
                         const char *doc, bool mutable_while_running);
px_prop_t px_prop_int(const char *name, int64_t min, int64_t max, const char *def,
                      const char *doc, bool mutable_while_running);

#endif
