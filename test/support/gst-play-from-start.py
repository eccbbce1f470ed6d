#!/usr/bin/python3
"""Plays an HLS stream with GStreamer from its first sample to its end, as a
GStreamer application would: a live (growing) playlist makes hlsdemux2 start
near its live edge and it ignores EXT-X-START, so the player seeks to 0 once
the pipeline has prerolled. Writes the audio as 48 kHz mono s16le to OUT.

Usage: gst-play-from-start.py URL OUT
Exits 0 at end-of-stream, 1 on an error or after 150 s.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

Gst.init(None)
url, out = sys.argv[1], sys.argv[2]

pipeline = Gst.Pipeline.new("player")
elements = [
    Gst.ElementFactory.make("uridecodebin3"),
    Gst.ElementFactory.make("audioconvert"),
    Gst.ElementFactory.make("audioresample"),
    Gst.ElementFactory.make("capsfilter"),
    Gst.ElementFactory.make("filesink"),
]
source, convert, resample, caps, sink = elements
source.set_property("uri", url)
caps.set_property("caps", Gst.Caps.from_string("audio/x-raw,format=S16LE,channels=1,rate=48000"))
sink.set_property("location", out)
for element in elements:
    pipeline.add(element)
convert.link(resample)
resample.link(caps)
caps.link(sink)
source.connect("pad-added", lambda _source, pad: pad.link(convert.get_static_pad("sink")))

bus = pipeline.get_bus()


def wait_for(kinds, seconds):
    message = bus.timed_pop_filtered(seconds * Gst.SECOND, kinds | Gst.MessageType.ERROR)
    if message is None:
        sys.exit(f"nothing happened within {seconds} s")
    if message.type == Gst.MessageType.ERROR:
        error, debug = message.parse_error()
        sys.exit(f"error: {error.message} ({debug})")
    return message


pipeline.set_state(Gst.State.PAUSED)
wait_for(Gst.MessageType.ASYNC_DONE, 30)
if not pipeline.seek_simple(Gst.Format.TIME, Gst.SeekFlags.FLUSH | Gst.SeekFlags.KEY_UNIT, 0):
    sys.exit("the seek to the start was refused")
pipeline.set_state(Gst.State.PLAYING)
wait_for(Gst.MessageType.EOS, 120)
pipeline.set_state(Gst.State.NULL)
