"""The GB/T 26875.3 frame layer (Table 1, §6.6): worked examples, errors and stream framing."""

from __future__ import annotations

import random
from datetime import datetime

import pytest

from towerwatch.monitoring.gb26875 import (
    CHINA_TIME,
    BadEndError,
    BadStartError,
    ChecksumError,
    Command,
    EncodeError,
    Frame,
    FrameError,
    FrameReader,
    GarbageError,
    OversizedFrameError,
    Profile,
    TimeLabel,
    TrailingBytesError,
    TruncatedFrameError,
    confirm,
    decode_frame,
    deny,
    encode_frame,
)

# The illustrative ADU of doc §2.3: type 1, one object, 火灾报警系统 1 reports 正常运行 + 火警
# at 2024-05-06 07:08:09.
DOC_ADU = bytes.fromhex("01 01 01 01 03 00 09 08 07 06 05 18")

# The same ADU in a complete frame laid out by hand from Table 1: serial 1, version 1.0, sent at
# the same time, source 01…06, destination 0. Bytes 25–26 are 0c 00 (doc §2.3), the command
# is 2, and the checksum 0xa2 is the sum of bytes 3…39 mod 256:
# 01+00+01+00 + 09+08+07+06+05+18 + 01+02+03+04+05+06 + 0c+00+02 + 01+01+01+01+03+00+09+08+07+06+05+18
# = 0x1a2.
DOC_FRAME = bytes.fromhex(
    "40 40"  # 1–2 启动符
    "01 00"  # 3–4 业务流水号 1, LE
    "01 00"  # 5–6 version 1.0
    "09 08 07 06 05 18"  # 7–12 时间标签: 07:08:09, 2024-05-06, seconds first
    "01 02 03 04 05 06"  # 13–18 源地址
    "00 00 00 00 00 00"  # 19–24 目的地址
    "0c 00"  # 25–26 ADU length 12, LE
    "02"  # 27 发送数据
    "01 01 01 01 03 00 09 08 07 06 05 18"  # 28–39 the ADU of doc §2.3
    "a2"  # 40 = 28+len: 校验和
    "23 23"  # 41–42 结束符
)
LABEL = TimeLabel(second=9, minute=8, hour=7, day=6, month=5, year=24)
SOURCE = bytes.fromhex("010203040506")
CENTRE = bytes(6)


def doc_frame(**changes: object) -> Frame:
    fields: dict[str, object] = {
        "serial": 1,
        "command": Command.SEND,
        "source": SOURCE,
        "destination": CENTRE,
        "sent_at": LABEL,
        "adu": DOC_ADU,
        "version": (1, 0),
    }
    fields.update(changes)
    return Frame(**fields)  # type: ignore[arg-type]


class TestWorkedExamples:
    def test_doc_frame_decodes_to_documented_values(self):
        frame = decode_frame(DOC_FRAME)
        assert frame.serial == 1
        assert frame.version == (1, 0)
        assert frame.sent_at == LABEL
        assert frame.sent_at.to_datetime() == datetime(2024, 5, 6, 7, 8, 9, tzinfo=CHINA_TIME)
        assert frame.source == SOURCE
        assert frame.destination == CENTRE
        assert frame.command == Command.SEND
        assert frame.adu == DOC_ADU

    def test_doc_frame_encodes_byte_for_byte(self):
        assert encode_frame(doc_frame()) == DOC_FRAME

    def test_frame_is_thirty_bytes_plus_adu(self):
        assert len(DOC_FRAME) == 30 + len(DOC_ADU) == 42
        assert DOC_FRAME[24:26] == b"\x0c\x00"  # bytes 25–26, doc §2.3

    def test_checksum_is_sum_of_bytes_3_to_27_plus_len(self):
        assert DOC_FRAME[27 + 12] == sum(DOC_FRAME[2 : 27 + 12]) & 0xFF

    def test_serial_is_little_endian(self):
        wire = encode_frame(doc_frame(serial=0x1234))
        assert wire[2:4] == b"\x34\x12"

    def test_ack_layout_of_doc_section_1(self):
        """The illustrative 确认: 30 bytes, serial echoed, addresses swapped, empty ADU."""
        ack_at = TimeLabel(10, 8, 7, 6, 5, 24)
        wire = encode_frame(confirm(doc_frame(serial=0x0102), sent_at=ack_at))
        assert len(wire) == 30
        assert wire[0:2] == b"@@"
        assert wire[2:4] == b"\x02\x01"  # echoed serial, LE
        assert wire[4] == 1  # 主版本号
        assert wire[6:12] == bytes.fromhex("0a0807060518")  # the acker's own clock
        assert wire[12:18] == CENTRE  # 源地址 = the acknowledging side
        assert wire[18:24] == SOURCE  # 目的地址 = the original sender
        assert wire[24:26] == b"\x00\x00"
        assert wire[26] == 3
        assert wire[27] == sum(wire[2:27]) & 0xFF
        assert wire[28:30] == b"##"

    def test_deny_is_command_6(self):
        frame = deny(doc_frame(serial=7), sent_at=datetime(2024, 5, 6, 7, 8, 10, tzinfo=CHINA_TIME))
        assert (frame.command, frame.serial, frame.adu) == (Command.DENY, 7, b"")
        assert frame.sent_at == TimeLabel(10, 8, 7, 6, 5, 24)


class TestTimeLabel:
    def test_captured_binary_bytes_are_read_as_binary(self):
        """0x3A s, 0x3B min: impossible in BCD, seen in real frames (doc §1, time label)."""
        label = TimeLabel.decode(bytes((0x3A, 0x3B, 0x17, 0x1F, 0x0C, 0x19)))
        assert label.to_datetime() == datetime(2025, 12, 31, 23, 59, 58, tzinfo=CHINA_TIME)

    def test_bcd_profile_example(self):
        """A BCD vendor writes 2026-09-19 14:30:05 as 05 30 14 19 09 26 (doc §5)."""
        moment = datetime(2026, 9, 19, 14, 30, 5, tzinfo=CHINA_TIME)
        raw = TimeLabel.from_datetime(moment).encode(bcd=True)
        assert raw == bytes.fromhex("053014190926")
        assert TimeLabel.decode(raw, bcd=True).to_datetime() == moment

    def test_bcd_profile_falls_back_to_binary_on_impossible_bcd(self):
        raw = bytes((0x2D, 0x1E, 0x07, 0x06, 0x05, 0x18))  # 45 s, 30 min: not BCD
        assert TimeLabel.decode(raw, bcd=True) == TimeLabel(45, 30, 7, 6, 5, 24)

    def test_invalid_label_is_kept_and_names_no_instant(self):
        frame = decode_frame(encode_frame(doc_frame(sent_at=TimeLabel(0, 0, 0, 0, 0, 0))))
        assert frame.sent_at == TimeLabel(0, 0, 0, 0, 0, 0)
        assert frame.sent_at.to_datetime() is None

    def test_from_datetime_converts_to_china_time(self):
        utc_moment = datetime.fromisoformat("2024-05-05T23:08:09+00:00")
        assert TimeLabel.from_datetime(utc_moment) == LABEL

    def test_naive_datetime_is_refused(self):
        with pytest.raises(EncodeError):
            TimeLabel.from_datetime(datetime(2024, 5, 6))  # noqa: DTZ001  # the point of the test

    def test_bcd_cannot_hold_values_over_99(self):
        with pytest.raises(EncodeError):
            TimeLabel(0, 0, 0, 1, 1, 100).encode(bcd=True)


class TestFrameErrors:
    def test_bad_checksum_reports_frame_and_header(self):
        wire = bytearray(DOC_FRAME)
        wire[39] ^= 0xFF
        with pytest.raises(ChecksumError) as caught:
            decode_frame(bytes(wire))
        assert caught.value.frame == doc_frame()
        assert caught.value.header is not None and caught.value.header.serial == 1
        assert caught.value.expected == 0xA2
        assert caught.value.actual == 0xA2 ^ 0xFF

    def test_corrupted_payload_fails_the_checksum(self):
        wire = bytearray(DOC_FRAME)
        wire[31] = 0x02  # status 0x0003 → 0x0002
        with pytest.raises(ChecksumError):
            decode_frame(bytes(wire))

    def test_bad_start(self):
        with pytest.raises(BadStartError):
            decode_frame(b"@#" + DOC_FRAME[2:])

    def test_bad_end(self):
        with pytest.raises(BadEndError) as caught:
            decode_frame(DOC_FRAME[:-1] + b"$")
        assert caught.value.header is not None

    def test_truncated(self):
        with pytest.raises(TruncatedFrameError):
            decode_frame(DOC_FRAME[:-1])
        with pytest.raises(TruncatedFrameError):
            decode_frame(DOC_FRAME[:20])

    def test_trailing_bytes(self):
        with pytest.raises(TrailingBytesError):
            decode_frame(DOC_FRAME + b"\x00")

    def test_oversized_length_is_refused_with_header_for_the_deny(self):
        wire = bytearray(DOC_FRAME[:27])
        wire[24:26] = (1025).to_bytes(2, "little")
        with pytest.raises(OversizedFrameError) as caught:
            decode_frame(bytes(wire) + bytes(1025) + b"\x00##")
        assert (caught.value.length, caught.value.limit) == (1025, 1024)
        assert caught.value.header is not None and caught.value.header.source == SOURCE

    def test_maximum_adu_is_accepted(self):
        frame = doc_frame(adu=bytes(1024))
        assert decode_frame(encode_frame(frame)) == frame

    def test_limit_is_configurable(self):
        profile = Profile(max_adu_length=16)
        with pytest.raises(OversizedFrameError):
            decode_frame(encode_frame(doc_frame(adu=bytes(17))), profile=profile)
        with pytest.raises(EncodeError):
            encode_frame(doc_frame(adu=bytes(17)), profile=profile)

    def test_every_version_is_accepted(self):
        """Observed 1.0 … 1.3, 2.3 and 0.1 (doc §5.1 item 2): never reject on version."""
        for version in [(1, 1), (1, 3), (2, 3), (0, 1)]:
            frame = doc_frame(version=version)
            assert decode_frame(encode_frame(frame)).version == version

    def test_frame_fields_are_validated(self):
        with pytest.raises(EncodeError):
            doc_frame(serial=0x10000)
        with pytest.raises(EncodeError):
            doc_frame(source=b"\x01")
        with pytest.raises(EncodeError):
            doc_frame(version=(1, 256))


class TestAsciiHexProfile:
    PROFILE = Profile(ascii_hex=True)

    def test_round_trip_as_upper_case_hex(self):
        wire = encode_frame(doc_frame(), profile=self.PROFILE)
        assert wire == DOC_FRAME.hex().upper().encode()
        assert decode_frame(wire, profile=self.PROFILE) == doc_frame()

    def test_lower_case_and_whitespace_are_accepted(self):
        wire = DOC_FRAME.hex(" ").encode() + b"\r\n"
        assert decode_frame(wire, profile=self.PROFILE) == doc_frame()

    def test_non_hex_is_a_frame_error(self):
        with pytest.raises(FrameError):
            decode_frame(b"4040zz", profile=self.PROFILE)

    def test_reader_cuts_hex_frames_with_line_breaks_and_garbage(self):
        reader = FrameReader(self.PROFILE)
        one = encode_frame(doc_frame(serial=1), profile=self.PROFILE)
        two = encode_frame(doc_frame(serial=2), profile=self.PROFILE)
        events = []
        for byte in one + b"\r\nAT+OK\r\n" + two + b"\r\n":
            events += reader.feed(bytes((byte,)))
        assert [event.serial for event in events if isinstance(event, Frame)] == [1, 2]
        assert reader.buffered == 0


def frames_of(events: list[Frame | FrameError]) -> list[Frame]:
    return [event for event in events if isinstance(event, Frame)]


def errors_of(events: list[Frame | FrameError]) -> list[FrameError]:
    return [event for event in events if isinstance(event, FrameError)]


class TestFrameReader:
    FRAMES = [doc_frame(serial=n, adu=DOC_ADU * (n % 3)) for n in range(6)]
    STREAM = b"".join(encode_frame(frame) for frame in FRAMES)

    def test_whole_stream_at_once(self):
        events = FrameReader().feed(self.STREAM)
        assert events == self.FRAMES

    def test_byte_by_byte(self):
        reader = FrameReader()
        events = []
        for byte in self.STREAM:
            events += reader.feed(bytes((byte,)))
        assert events == self.FRAMES
        assert reader.buffered == 0

    def test_random_chunks(self):
        rng = random.Random(26875)
        for _ in range(50):
            reader, events, position = FrameReader(), [], 0
            while position < len(self.STREAM):
                size = rng.randint(1, 90)
                events += reader.feed(self.STREAM[position : position + size])
                position += size
            assert events == self.FRAMES

    def test_end_marker_inside_payload_does_not_split(self):
        """0x23 0x23 may occur in the ADU (doc §1): only the length field delimits."""
        frame = doc_frame(adu=bytes.fromhex("01 01 01 01 23 23 09 08 07 06 05 18"))
        assert FrameReader().feed(encode_frame(frame) + encode_frame(doc_frame())) == [
            frame,
            doc_frame(),
        ]

    def test_garbage_between_frames_is_reported_and_skipped(self):
        one, two = encode_frame(doc_frame(serial=1)), encode_frame(doc_frame(serial=2))
        events = FrameReader().feed(b"\x00\xff" + one + b"hello##" + two)
        assert [frame.serial for frame in frames_of(events)] == [1, 2]
        assert [error.skipped for error in errors_of(events)] == [2, 7]  # type: ignore[attr-defined]

    def test_false_start_in_garbage_resynchronises(self):
        """An '@@' inside garbage makes a bad candidate; the reader resumes at the next one."""
        one, two = encode_frame(doc_frame(serial=1)), encode_frame(doc_frame(serial=2))
        events = FrameReader().feed(b"x@@" + bytes(30) + one + two)
        assert [frame.serial for frame in frames_of(events)] == [1, 2]
        assert any(isinstance(error, BadEndError | ChecksumError) for error in errors_of(events))

    def test_bad_checksum_frame_is_reported_and_the_next_one_read(self):
        bad = bytearray(encode_frame(doc_frame(serial=1)))
        bad[-3] ^= 1
        events = FrameReader().feed(bytes(bad) + encode_frame(doc_frame(serial=2)))
        assert isinstance(events[0], ChecksumError) and events[0].frame.serial == 1
        assert frames_of(events) == [doc_frame(serial=2)]

    def test_oversized_length_is_an_error_not_a_wait(self):
        header = bytearray(encode_frame(doc_frame())[:27])
        header[24:26] = (0xFFFF).to_bytes(2, "little")
        reader = FrameReader()
        events = reader.feed(bytes(header))
        assert isinstance(events[0], OversizedFrameError)
        assert reader.buffered < 27  # the candidate was dropped, nothing waits for 64 KiB
        assert frames_of(reader.feed(encode_frame(doc_frame()))) == [doc_frame()]

    def test_buffer_stays_bounded_on_endless_garbage(self):
        reader = FrameReader()
        rng = random.Random(3)
        for _ in range(200):
            chunk = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 5000)))
            reader.feed(chunk.replace(b"@", b"@@"))
            assert reader.buffered <= reader.max_buffered
        # A false candidate may still be waiting for its length; once it fails, the reader
        # resumes one byte further on, so the frames that follow are all found.
        found = frames_of(reader.feed(self.STREAM * 10))
        assert found[-len(self.FRAMES) :] == self.FRAMES
        assert len(found) >= 5 * len(self.FRAMES)

    def test_one_huge_feed_is_processed_within_the_bound(self):
        reader = FrameReader(Profile(max_adu_length=64))
        events = reader.feed(self.STREAM * 200)
        assert frames_of(events) == self.FRAMES * 200
        assert reader.max_buffered == 2 * (30 + 64)

    def test_partial_start_marker_is_kept(self):
        reader = FrameReader()
        wire = encode_frame(doc_frame())
        events = reader.feed(b"garbage" + wire[:1])
        assert [(type(e), e.skipped) for e in events] == [(GarbageError, 7)]  # type: ignore[attr-defined]
        assert reader.buffered == 1
        assert reader.feed(wire[1:]) == [doc_frame()]
