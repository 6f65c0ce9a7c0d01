"""pypassthrough: returns every buffer unchanged through the copying path. The Python
counterpart of the Rust `passthrough`, for the per-buffer cost benchmark."""

from wit_world import exports
from wit_world.exports import element
from wit_world.imports import types

import parallax_copy as px


class Element(exports.Element):
    def describe(self) -> types.ElementInfo:
        return types.ElementInfo(
            "pypassthrough",
            "Generic",
            "Returns every buffer unchanged (written in Python, copying path)",
            "0.1.0",
            [px.pad("sink", True, "ANY"), px.pad("src", False, "ANY")],
            [],
            types.Hints(cpu_bound=False, rt_safe=False),
            types.DataPath.COPY,
        )

    def reserve_window(self, bytes: int) -> int:
        return px.no_window(bytes)


class Instance(px.CopyInstance, element.Instance):
    @classmethod
    def create(cls, properties):
        return cls()

    def process_copy(self, pad: int, data: bytes, meta):
        return [types.CopiedOutput(0, data, meta)]
