"""framestats: a sink that posts statistics of every buffer's bytes (size, mean, min,
max) on the pipeline bus as `framestats/frame` element messages every `interval`
buffers, and a `framestats/summary` at end of stream (copying path). Put it on a branch
of a `tee` to watch a stream.

A sink on purpose: componentize-py 0.25.1 does not free the bytes a `process-copy` call
returns, so a Python filter leaks its output (docs/writing-elements-python.md); a sink
returns nothing and runs in constant memory.
"""

from componentize_py_types import Err
from wit_world import exports
from wit_world.exports import element
from wit_world.imports import host, types

import parallax_copy as px

DEFAULT_INTERVAL = 1
MAX_INTERVAL = 1_000_000


class Element(exports.Element):
    def describe(self) -> types.ElementInfo:
        interval = types.PropSpec(
            "interval",
            types.PropKind_Integer((1, MAX_INTERVAL)),
            str(DEFAULT_INTERVAL),
            "Post a framestats/frame message every N buffers",
            True,
        )
        return types.ElementInfo(
            "framestats",
            "Sink/Analyzer",
            "Posts per-buffer byte statistics as element messages (written in Python)",
            "0.1.0",
            [px.pad("sink", True, "ANY")],
            [interval],
            types.Hints(cpu_bound=True, rt_safe=False),
            types.DataPath.COPY,
        )

    def reserve_window(self, bytes: int) -> int:
        return px.no_window(bytes)


def frame_message(index: int, data: bytes) -> str:
    size = len(data)
    if size == 0:
        mean, low, high = 0.0, 0, 0
    else:
        # sum/min/max over `bytes` run in C inside the interpreter, not per byte in Python.
        mean, low, high = sum(data) / size, min(data), max(data)
    return (
        f"framestats/frame, index=(int){index}, size=(int){size}, "
        f"mean=(double){mean!r}, min=(int){low}, max=(int){high}"
    )


class Instance(px.CopyInstance, element.Instance):
    def __init__(self) -> None:
        self.interval = DEFAULT_INTERVAL
        self.frames = 0
        self.bytes = 0

    @classmethod
    def create(cls, properties):
        self = cls()
        for name, value in properties:
            self.set_property(name, value)
        return self

    def set_property(self, name: str, value: str) -> None:
        if name != "interval":
            raise Err(f"no property {name}")
        try:
            interval = int(value)
        except ValueError:
            raise Err(f"interval: not an integer: {value}")
        if not 1 <= interval <= MAX_INTERVAL:
            raise Err(f"interval: {interval} out of range")
        self.interval = interval

    def get_property(self, name: str):
        return str(self.interval) if name == "interval" else None

    def process_copy(self, pad: int, data: bytes, meta):
        index = self.frames
        self.frames += 1
        self.bytes += len(data)
        if index % self.interval == 0:
            host.post_message(frame_message(index, data))
        return []

    def drain(self):
        host.post_message(
            f"framestats/summary, frames=(int){self.frames}, bytes=(int){self.bytes}"
        )
        return []

    def flush(self) -> None:
        self.frames = 0
        self.bytes = 0
