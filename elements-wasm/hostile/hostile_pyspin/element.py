"""hostile_pyspin: a Python guest that never returns from its third buffer, to show that
the per-call deadline stops an interpreter loop like compiled code."""

from wit_world import exports
from wit_world.exports import element
from wit_world.imports import types

import parallax_copy as px


class Element(exports.Element):
    def describe(self) -> types.ElementInfo:
        return types.ElementInfo(
            "hostilepyspin",
            "Generic",
            "Test guest: loops forever in Python on its third buffer",
            "0.1.0",
            [px.pad("sink", True, "ANY"), px.pad("src", False, "ANY")],
            [],
            types.Hints(cpu_bound=True, rt_safe=False),
            types.DataPath.COPY,
        )

    def reserve_window(self, bytes: int) -> int:
        return px.no_window(bytes)


class Instance(px.CopyInstance, element.Instance):
    def __init__(self) -> None:
        self.seen = 0

    @classmethod
    def create(cls, properties):
        return cls()

    def process_copy(self, pad: int, data: bytes, meta):
        self.seen += 1
        while self.seen >= 3:
            pass
        return [types.CopiedOutput(0, data, meta)]
