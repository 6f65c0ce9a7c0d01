"""Defaults for Python elements on the copying path (`process-copy`).

componentize-py cannot hand Python a view of raw linear memory, so Python elements take
and return buffers as `bytes` (the host copies them in and out). An element module
defines `Element` (`describe`) and `Instance` (the resource); this module supplies the
exports such an element does not need: no zero-copy window, no `process`/`generate`,
passthrough caps, outputs no larger than the input, nothing held back.
"""

from componentize_py_types import Err
from wit_world.imports import types


def flow_error(message: str) -> Err:
    """`flow-error::error(message)`, to `raise`."""
    return Err(types.FlowError_Error(message))


def no_window(_bytes: int) -> int:
    """`reserve-window` of a copying element: it has none."""
    raise Err("a copying-path element reserves no window")


def pad(name: str, sink: bool, caps: str) -> types.PadTemplate:
    """An always-present pad template."""
    direction = types.PadDirection.SINK if sink else types.PadDirection.SRC
    return types.PadTemplate(name, direction, types.PadPresence.ALWAYS, caps)


class CopyInstance:
    """Base class of an `Instance` that implements `process_copy`."""

    def set_property(self, name: str, value: str) -> None:
        raise Err(f"no property {name}")

    def get_property(self, name: str):
        return None

    def transform_caps(self, direction, caps: str) -> str:
        return caps

    def set_caps(self, sink, src) -> int:
        return 0

    def process(self, pad, input, meta, output):
        raise flow_error("copying-path element: process-copy only")

    def generate(self, output):
        raise flow_error("not a source")

    def drain(self):
        return []

    def flush(self) -> None:
        pass
