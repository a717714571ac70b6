"""Properties of the GB/T 26875.3 codec, checked with hypothesis.

- Random bytes never raise anything but the codec's own errors (`CodecError`).
- Whatever `encode_frame` / `encode_adu` produce decodes back to the same value.
- The stream reader finds every frame however the stream is chunked, and stays bounded.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from towerwatch.monitoring.gb26875 import (
    TYPES,
    Adu,
    CodecError,
    Frame,
    FrameReader,
    Profile,
    RawAdu,
    TimeLabel,
    decode_adu,
    decode_frame,
    encode_adu,
    encode_frame,
    frame_to_dict,
)
from towerwatch.monitoring.gb26875.adu import Kind

PROFILES = st.sampled_from(
    [
        Profile(),
        Profile(bcd_time=True),
        Profile(ascii_hex=True),
        Profile(big_endian_status=True),
        Profile(max_adu_length=64),
    ]
)
BINARY_LABELS = st.builds(TimeLabel, *[st.integers(0, 255)] * 6)
BCD_LABELS = st.builds(TimeLabel, *[st.integers(0, 99)] * 6)


def gb18030_text(limit: int) -> st.SearchStrategy[str]:
    """Text that survives the wire: fits ``limit`` bytes, no NUL, no trailing space."""
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=limit).filter(
        lambda text: (
            "\0" not in text and not text.endswith(" ") and len(text.encode("gb18030")) <= limit
        )
    )


def field_strategy(kind: Kind, labels: st.SearchStrategy[TimeLabel]) -> st.SearchStrategy[Any]:
    return {
        Kind.U8: st.integers(0, 0xFF),
        Kind.STATUS16: st.integers(0, 0xFFFF),
        Kind.I16: st.integers(-0x8000, 0x7FFF),
        Kind.ADDRESS: st.binary(min_size=4, max_size=4),
        Kind.DESCRIPTION: gb18030_text(31),
        Kind.TEXT: gb18030_text(255),
        Kind.TIME: labels,
    }[kind]


@st.composite
def adus(draw: st.DrawFn, labels: st.SearchStrategy[TimeLabel] = BINARY_LABELS) -> Adu:
    adu_type = draw(st.sampled_from(sorted(TYPES)))
    spec = TYPES[adu_type]
    fields = {name: field_strategy(kind, labels) for name, kind in spec.object_class.LAYOUT}
    objects = draw(st.lists(st.fixed_dictionaries(fields), max_size=min(spec.max_count, 3)))
    return Adu(adu_type, tuple(spec.object_class(**values) for values in objects))


def frames(profile: Profile) -> st.SearchStrategy[Frame]:
    return st.builds(
        Frame,
        serial=st.integers(0, 0xFFFF),
        command=st.integers(0, 0xFF),
        source=st.binary(min_size=6, max_size=6),
        destination=st.binary(min_size=6, max_size=6),
        sent_at=BCD_LABELS if profile.bcd_time else BINARY_LABELS,
        adu=st.binary(max_size=profile.max_adu_length),
        version=st.tuples(st.integers(0, 255), st.integers(0, 255)),
    )


@given(data=st.binary(max_size=1200), profile=PROFILES)
def test_random_bytes_raise_only_codec_errors(data, profile):
    for decode in (decode_frame, decode_adu):
        try:
            decode(data, profile=profile)
        except CodecError:
            pass


@given(
    head=st.binary(min_size=25, max_size=25),
    adu=st.binary(max_size=300),
    tail=st.binary(min_size=3, max_size=3),
)
def test_random_frames_with_a_valid_start_raise_only_codec_errors(head, adu, tail):
    """Random bodies behind '@@' reach the deeper checks (length, end, checksum, ADU)."""
    data = b"@@" + head[:22] + len(adu).to_bytes(2, "little") + head[24:] + adu + tail
    try:
        frame_to_dict(decode_frame(data))
    except CodecError:
        pass


@given(data=st.binary(max_size=4000), chunk=st.integers(1, 700), profile=PROFILES)
def test_reader_never_raises_and_stays_bounded(data, chunk, profile):
    reader = FrameReader(profile)
    for position in range(0, len(data), chunk):
        reader.feed(data[position : position + chunk])
        assert reader.buffered <= reader.max_buffered


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_encoded_frame_decodes_identically(data):
    profile = data.draw(PROFILES)
    frame = data.draw(frames(profile))
    assert decode_frame(encode_frame(frame, profile=profile), profile=profile) == frame


@given(adu=adus())
def test_any_encoded_adu_decodes_identically(adu):
    assert decode_adu(encode_adu(adu)) == adu


@given(adu=adus(labels=BCD_LABELS))
def test_any_encoded_adu_decodes_identically_with_a_vendor_profile(adu):
    profile = Profile(bcd_time=True, big_endian_status=True)
    assert decode_adu(encode_adu(adu, profile=profile), profile=profile) == adu


@given(adu_type=st.integers(0, 255).filter(lambda t: t not in TYPES), data=st.binary())
def test_unknown_types_round_trip_raw(adu_type, data):
    raw = RawAdu(adu_type, 1, data)
    assert decode_adu(encode_adu(raw)) == raw


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=50)
@given(
    data=st.data(),
    garbage=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"@", b"")), max_size=6),
)
def test_reader_recovers_every_frame_between_garbage(data, garbage):
    """Garbage without '@' between frames: every frame is found, in order, whatever the chunks."""
    profile = Profile()
    sent = data.draw(st.lists(frames(profile), min_size=1, max_size=5))
    stream = b"".join(
        junk + encode_frame(frame) for junk, frame in zip(garbage + [b""] * 5, sent, strict=False)
    )
    reader, received, position = FrameReader(profile), [], 0
    while position < len(stream):
        size = data.draw(st.integers(1, 200))
        received += [
            e for e in reader.feed(stream[position : position + size]) if isinstance(e, Frame)
        ]
        position += size
    assert received == sent
