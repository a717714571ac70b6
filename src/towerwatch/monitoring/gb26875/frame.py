"""GB/T 26875.3-2011 frame layer: the 数据包 of Table 1 (§6.6).

Pure bytes in, bytes out: no sockets, no database. Byte numbers in comments are 1-based, as in
the standard. A frame is always ``30 + len`` bytes::

    1–2 "@@" | 3–4 serial (LE) | 5 main version | 6 user version | 7–12 time label |
    13–18 source | 19–24 destination | 25–26 ADU length (LE) | 27 command |
    28… ADU | 28+len checksum | 29+len–30+len "##"

Frames are cut from a stream by the length field, never by searching for ``##`` (those bytes
may occur inside the ADU). Invalid frames are *reported* as typed errors (`FrameError`
subclasses) so that a server can answer 否认 or close the connection (§6.2–6.5).
"""

from __future__ import annotations

import binascii
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from enum import IntEnum

START = b"@@"
END = b"##"
HEADER_LENGTH = 27  # bytes 1–27: start, the 25-byte control unit, the command byte
FRAME_OVERHEAD = 30  # header + checksum + end
MAX_ADU_LENGTH = 1024  # Table 1: "长度不应大于1024"
ADDRESS_LENGTH = 6
CHINA_TIME = timezone(timedelta(hours=8), "UTC+08:00")
"""The standard defines no time zone; real devices send China local time (doc §1, time label)."""

# Bytes 3–27: serial, main/user version, time label, source, destination, ADU length, command.
_CONTROL_UNIT = struct.Struct("<HBB6s6s6sHB")
_HEX_WHITESPACE = b" \t\r\n"


class Command(IntEnum):
    """命令字节, Table 2. Values 0 and 7–127 are reserved; 128–255 are user-defined."""

    CONTROL = 1  # 控制命令 (时间同步)
    SEND = 2  # 发送数据
    CONFIRM = 3  # 确认
    REQUEST = 4  # 请求
    RESPONSE = 5  # 应答
    DENY = 6  # 否认


@dataclass(frozen=True, slots=True)
class Profile:
    """Per-vendor tolerances (doc §5.1). The default profile follows the standard exactly.

    - ``bcd_time``: time labels in BCD (Dahua v1.03 and others, §5.1 item 3). A label that is
      not valid BCD is read as binary, so a wrong profile never loses a frame.
    - ``ascii_hex``: frames travel as ASCII-hex text (some DTUs, §5.1 item 13); whitespace
      between hex digits is ignored and `encode_frame` writes upper-case hex.
    - ``big_endian_status``: 16-bit status words sent high byte first (§5.1 item 6).
    - ``max_adu_length``: longest ADU accepted or written (Table 1: 1024).
    - ``time_zone``: zone of every time label (China local time by default).
    - ``version``: (main, user) protocol version written by the centre. Never checked on input
      (§5.1 item 2).
    - ``control_command``: command byte sent with types 89–91 (§5.1 item 9).
    """

    name: str = "standard"
    bcd_time: bool = False
    ascii_hex: bool = False
    big_endian_status: bool = False
    max_adu_length: int = MAX_ADU_LENGTH
    time_zone: tzinfo = CHINA_TIME
    version: tuple[int, int] = (1, 0)
    control_command: int = Command.CONTROL

    def __post_init__(self) -> None:
        if not 0 <= self.max_adu_length <= 0xFFFF:
            raise ValueError("max_adu_length must fit the 2-byte length field (0–65535)")


DEFAULT_PROFILE = Profile()


class CodecError(Exception):
    """Base of every error the GB/T 26875.3 codec raises or reports."""


class EncodeError(CodecError, ValueError):
    """A value cannot be written to the wire (out of range, too long, naive datetime)."""


class FrameError(CodecError):
    """Bytes that are not a valid frame (Table 1).

    ``header`` is the parsed control unit when it could be read, so that a server can address
    a 否认 to the sender by echoing its serial (§6.2–6.5).
    """

    def __init__(self, message: str, *, header: FrameHeader | None = None) -> None:
        super().__init__(message)
        self.header = header


class GarbageError(FrameError):
    """Bytes skipped while looking for a start marker ``@@`` (``skipped`` counts wire units)."""

    def __init__(self, skipped: int) -> None:
        super().__init__(f"skipped {skipped} byte(s) before a start marker")
        self.skipped = skipped


class BadStartError(FrameError):
    """Bytes 1–2 are not ``@@``."""


class TruncatedFrameError(FrameError):
    """Fewer bytes than the header and its length field promise."""


class TrailingBytesError(FrameError):
    """More bytes than one frame (only `decode_frame`, which expects exactly one frame)."""


class OversizedFrameError(FrameError):
    """The ADU length field exceeds the limit (Table 1: "长度不应大于1024")."""

    def __init__(self, header: FrameHeader, limit: int) -> None:
        super().__init__(
            f"ADU length {header.adu_length} exceeds the limit of {limit}", header=header
        )
        self.length = header.adu_length
        self.limit = limit


class BadEndError(FrameError):
    """Bytes 29+len and 30+len are not ``##``."""


class ChecksumError(FrameError):
    """Byte 28+len is not the sum of bytes 3 … 27+len mod 256 (Table 1).

    ``frame`` holds the frame as received, for diagnostics and for the 否认 answer.
    """

    def __init__(self, frame: Frame, header: FrameHeader, *, expected: int, actual: int) -> None:
        super().__init__(
            f"checksum mismatch: frame says 0x{actual:02x}, bytes sum to 0x{expected:02x}",
            header=header,
        )
        self.frame = frame
        self.expected = expected
        self.actual = actual


@dataclass(frozen=True, slots=True)
class TimeLabel:
    """时间标签 (§8.2.2, Fig. 17): six 1-byte fields as sent, seconds first, year 0–99 (+2000).

    The raw fields are kept so that a label a device got wrong (month 0, say) survives a
    round trip; `to_datetime` returns None for such a label.
    """

    second: int
    minute: int
    hour: int
    day: int
    month: int
    year: int

    def __post_init__(self) -> None:
        for value in self.fields():
            if not 0 <= value <= 0xFF:
                raise EncodeError(f"time label field {value} does not fit one byte")

    def fields(self) -> tuple[int, int, int, int, int, int]:
        """The six fields in wire order."""
        return (self.second, self.minute, self.hour, self.day, self.month, self.year)

    @classmethod
    def from_datetime(cls, value: datetime, time_zone: tzinfo = CHINA_TIME) -> TimeLabel:
        """The label of an aware datetime, expressed in ``time_zone``."""
        if value.tzinfo is None or value.utcoffset() is None:
            raise EncodeError("time labels are built from aware datetimes only")
        local = value.astimezone(time_zone)
        if not 2000 <= local.year <= 2099:
            raise EncodeError(f"year {local.year} does not fit a two-digit time label")
        return cls(
            local.second, local.minute, local.hour, local.day, local.month, local.year - 2000
        )

    def to_datetime(self, time_zone: tzinfo = CHINA_TIME) -> datetime | None:
        """The aware datetime this label names, or None if it names no valid instant."""
        try:
            return datetime(
                2000 + self.year,
                self.month,
                self.day,
                self.hour,
                self.minute,
                self.second,
                tzinfo=time_zone,
            )
        except ValueError:
            return None

    def encode(self, *, bcd: bool = False) -> bytes:
        """Six wire bytes: binary (the standard) or BCD (a vendor profile)."""
        if not bcd:
            return bytes(self.fields())
        if any(value > 99 for value in self.fields()):
            raise EncodeError(f"{self} cannot be written in BCD")
        return bytes((value // 10) << 4 | value % 10 for value in self.fields())

    @classmethod
    def decode(cls, data: bytes, *, bcd: bool = False) -> TimeLabel:
        """Read six wire bytes; with ``bcd``, a label that is not valid BCD is read as binary."""
        if len(data) != 6:
            raise ValueError("a time label is 6 bytes")
        if bcd and all(byte >> 4 <= 9 and byte & 0x0F <= 9 for byte in data):
            return cls(*((byte >> 4) * 10 + (byte & 0x0F) for byte in data))
        # Six bytes are six valid fields: skip the range checks of __post_init__.
        label = object.__new__(cls)
        for name, value in zip(_LABEL_FIELDS, data, strict=True):
            object.__setattr__(label, name, value)
        return label


_LABEL_FIELDS = ("second", "minute", "hour", "day", "month", "year")


def as_time_label(value: TimeLabel | datetime, profile: Profile = DEFAULT_PROFILE) -> TimeLabel:
    """Accept either a label or an aware datetime (converted to the profile's zone)."""
    if isinstance(value, TimeLabel):
        return value
    return TimeLabel.from_datetime(value, profile.time_zone)


@dataclass(frozen=True, slots=True)
class FrameHeader:
    """Bytes 3–27: the control unit (§6.6) and the command byte."""

    serial: int
    version: tuple[int, int]
    sent_at: TimeLabel
    source: bytes
    destination: bytes
    adu_length: int
    command: int


@dataclass(frozen=True, slots=True)
class Frame:
    """One 数据包 (Table 1). ``adu`` is the raw application data unit; see `adu.decode_adu`.

    ``source`` and ``destination`` are the 6 address bytes in wire order (§5.1 item 12: vendors
    fill them differently, so they are never reinterpreted here).
    """

    serial: int
    command: int
    source: bytes
    destination: bytes
    sent_at: TimeLabel
    adu: bytes = b""
    version: tuple[int, int] = (1, 0)

    def __post_init__(self) -> None:
        if not 0 <= self.serial <= 0xFFFF:
            raise EncodeError(f"serial {self.serial} does not fit 2 bytes")
        if not 0 <= self.command <= 0xFF:
            raise EncodeError(f"command {self.command} does not fit 1 byte")
        for name in ("source", "destination"):
            if len(getattr(self, name)) != ADDRESS_LENGTH:
                raise EncodeError(f"{name} address must be {ADDRESS_LENGTH} bytes")
        if len(self.version) != 2 or not all(0 <= part <= 0xFF for part in self.version):
            raise EncodeError(f"version {self.version} must be two bytes (main, user)")
        if len(self.adu) > 0xFFFF:
            raise EncodeError("the ADU does not fit the 2-byte length field")


def checksum(body: bytes | bytearray | memoryview) -> int:
    """Arithmetic sum of bytes 3 … 27+len, carries above 8 bits dropped (Table 1)."""
    return sum(body) & 0xFF


def encode_frame(frame: Frame, *, profile: Profile = DEFAULT_PROFILE) -> bytes:
    """The wire bytes of ``frame`` (ASCII hex when the profile says so)."""
    if len(frame.adu) > profile.max_adu_length:
        raise EncodeError(
            f"ADU of {len(frame.adu)} bytes exceeds the limit of {profile.max_adu_length}"
        )
    body = (
        _CONTROL_UNIT.pack(
            frame.serial,
            frame.version[0],
            frame.version[1],
            frame.sent_at.encode(bcd=profile.bcd_time),
            frame.source,
            frame.destination,
            len(frame.adu),
            frame.command,
        )
        + frame.adu
    )
    wire = START + body + bytes((checksum(body),)) + END
    return wire.hex().upper().encode("ascii") if profile.ascii_hex else wire


def decode_frame(data: bytes, *, profile: Profile = DEFAULT_PROFILE) -> Frame:
    """Decode exactly one frame, raising a `FrameError` subclass if it is not valid."""
    raw = _from_wire(data.translate(None, _HEX_WHITESPACE)) if profile.ascii_hex else data
    if len(raw) < len(START) or raw[: len(START)] != START:
        raise BadStartError("a frame starts with @@ (40 40)")
    if len(raw) < HEADER_LENGTH:
        raise TruncatedFrameError(f"{len(raw)} bytes is shorter than the 27-byte header")
    header = parse_header(raw[:HEADER_LENGTH], profile=profile)
    if header.adu_length > profile.max_adu_length:
        raise OversizedFrameError(header, profile.max_adu_length)
    total = FRAME_OVERHEAD + header.adu_length
    if len(raw) < total:
        raise TruncatedFrameError(
            f"the length field promises {total} bytes, got {len(raw)}", header=header
        )
    if len(raw) > total:
        raise TrailingBytesError(
            f"{len(raw) - total} byte(s) after the end of the frame", header=header
        )
    return _complete_frame(raw, header)


def parse_header(raw: bytes, *, profile: Profile = DEFAULT_PROFILE) -> FrameHeader:
    """Read bytes 3–27 of the first 27 bytes of a frame (the start marker is not checked)."""
    serial, main, user, time, source, destination, length, command = _CONTROL_UNIT.unpack_from(
        raw, len(START)
    )
    return FrameHeader(
        serial=serial,
        version=(main, user),
        sent_at=TimeLabel.decode(time, bcd=profile.bcd_time),
        source=source,
        destination=destination,
        adu_length=length,
        command=command,
    )


def _complete_frame(raw: bytes, header: FrameHeader) -> Frame:
    """Check the end marker and the checksum of a frame of exactly the right length."""
    length = header.adu_length
    if raw[-len(END) :] != END:
        raise BadEndError("a frame ends with ## (23 23)", header=header)
    # Every field read from the wire fits by construction: skip the checks of __post_init__.
    frame = object.__new__(Frame)
    for name, value in (
        ("serial", header.serial),
        ("command", header.command),
        ("source", header.source),
        ("destination", header.destination),
        ("sent_at", header.sent_at),
        ("adu", raw[HEADER_LENGTH : HEADER_LENGTH + length]),
        ("version", header.version),
    ):
        object.__setattr__(frame, name, value)
    expected = checksum(memoryview(raw)[len(START) : HEADER_LENGTH + length])
    actual = raw[HEADER_LENGTH + length]
    if expected != actual:
        raise ChecksumError(frame, header, expected=expected, actual=actual)
    return frame


def _from_wire(text: bytes | bytearray) -> bytes:
    """Binary bytes of ASCII-hex text, or a `FrameError`."""
    try:
        return binascii.a2b_hex(text)
    except (binascii.Error, ValueError) as exc:
        raise FrameError(f"not ASCII hex: {exc}") from None


def reply(
    to: Frame | FrameHeader,
    command: int,
    *,
    sent_at: TimeLabel | datetime,
    profile: Profile = DEFAULT_PROFILE,
    adu: bytes = b"",
) -> Frame:
    """An answer to ``to``: its serial echoed, source and destination swapped (§5.1 item 11)."""
    return Frame(
        serial=to.serial,
        command=command,
        source=to.destination,
        destination=to.source,
        sent_at=as_time_label(sent_at, profile),
        adu=adu,
        version=profile.version,
    )


def confirm(
    to: Frame | FrameHeader, *, sent_at: TimeLabel | datetime, profile: Profile = DEFAULT_PROFILE
) -> Frame:
    """The 确认 (command 3, empty ADU) answering ``to`` (§6.2–6.5)."""
    return reply(to, Command.CONFIRM, sent_at=sent_at, profile=profile)


def deny(
    to: Frame | FrameHeader, *, sent_at: TimeLabel | datetime, profile: Profile = DEFAULT_PROFILE
) -> Frame:
    """The 否认 (command 6, empty ADU) answering ``to`` (§6.2–6.5)."""
    return reply(to, Command.DENY, sent_at=sent_at, profile=profile)


_HEADER_FIELDS = struct.Struct("<H2B6s6s6sHB")  # bytes 3–27
_FRAME_SLOTS = tuple(
    getattr(Frame, name).__set__
    for name in ("serial", "command", "source", "destination", "sent_at", "adu", "version")
)
_LABELS: dict[tuple[bytes, bool], TimeLabel] = {}  # labels repeat: every device, every second


def _label(data: bytes, bcd: bool) -> TimeLabel:
    """`TimeLabel.decode`, remembered (labels are immutable and shared by many frames)."""
    label = _LABELS.get((data, bcd))
    if label is None:
        if len(_LABELS) >= 4096:
            _LABELS.clear()
        label = _LABELS[(data, bcd)] = TimeLabel.decode(data, bcd=bcd)
    return label


def _whole_frames(
    data: bytes, profile: Profile, events: list[tuple[Frame, bytes] | FrameError]
) -> int:
    """Read the valid binary frames ``data`` begins with; return how many bytes they take.

    Stops, without reporting anything, at the first byte that is not the start of a complete,
    valid frame: the general path of `FrameReader` reads on from there (and reports).
    """
    offset, size, limit, bcd = 0, len(data), profile.max_adu_length, profile.bcd_time
    unpack, new = _HEADER_FIELDS.unpack_from, object.__new__
    # Frame is frozen: a new one's slots are written once, through their descriptors.
    set_serial, set_command, set_source, set_destination, set_sent_at, set_adu, set_version = (
        _FRAME_SLOTS
    )
    while size - offset >= FRAME_OVERHEAD and data[offset : offset + 2] == START:
        length = data[offset + 24] | data[offset + 25] << 8
        end = offset + FRAME_OVERHEAD + length
        if (
            length > limit
            or end > size
            or data[end - 2 : end] != END
            or sum(data[offset + 2 : end - 3]) & 0xFF != data[end - 3]
        ):
            break
        serial, main, user, time, source, destination, _length, command = unpack(data, offset + 2)
        frame = new(Frame)
        set_serial(frame, serial)
        set_command(frame, command)
        set_source(frame, source)
        set_destination(frame, destination)
        set_sent_at(frame, _label(time, bcd))
        set_adu(frame, data[offset + HEADER_LENGTH : end - 3])
        set_version(frame, (main, user))
        events.append((frame, data if offset == 0 and end == size else data[offset:end]))
        offset = end
    return offset


class FrameReader:
    """Cut frames out of a byte stream by their length field (doc §1, "stream framing").

    `feed` returns, in stream order, every complete `Frame` and every `FrameError` found.
    After an invalid candidate the reader skips one byte and resynchronises on the next
    ``@@``. The buffer never holds more than `max_buffered` wire units, however the stream is
    chunked. With an ASCII-hex profile the units are hex characters.
    """

    def __init__(self, profile: Profile = DEFAULT_PROFILE) -> None:
        self.profile = profile
        self._unit = 2 if profile.ascii_hex else 1
        self._start = START.hex().encode("ascii") if profile.ascii_hex else START
        self._max_frame = (FRAME_OVERHEAD + profile.max_adu_length) * self._unit
        self._buffer = bytearray()

    @property
    def buffered(self) -> int:
        """Wire units waiting for the rest of a frame."""
        return len(self._buffer)

    @property
    def max_buffered(self) -> int:
        """The bound on `buffered`: two maximal frames."""
        return 2 * self._max_frame

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        """Add bytes from the stream; return the frames and errors they complete."""
        return [e[0] if isinstance(e, tuple) else e for e in self.feed_raw(data)]

    def feed_raw(self, data: bytes) -> list[tuple[Frame, bytes] | FrameError]:
        """As `feed`, with each frame's bytes as received (binary, even for ASCII hex)."""
        events: list[tuple[Frame, bytes] | FrameError] = []
        if not self._buffer and not self.profile.ascii_hex:
            # The usual case: the bytes begin with whole, valid frames (a device sends one
            # frame and waits). Those are read at once; anything else takes the general path.
            done = _whole_frames(data, self.profile, events)
            if done == len(data):
                return events
            data = data[done:]
        if len(data) <= self._max_frame and not self.profile.ascii_hex:
            self._buffer += data
            self._drain(events)
            return events
        for offset in range(0, len(data), self._max_frame):
            chunk = data[offset : offset + self._max_frame]
            if self.profile.ascii_hex:
                chunk = chunk.translate(None, _HEX_WHITESPACE)
            self._buffer += chunk
            self._drain(events)
        return events

    def _drain(self, events: list[tuple[Frame, bytes] | FrameError]) -> None:
        buffer, unit = self._buffer, self._unit
        while True:
            start = buffer.find(self._start)
            if start < 0:
                self._discard_garbage(events)
                return
            if start:
                events.append(GarbageError(start))
                del buffer[:start]
            if len(buffer) < HEADER_LENGTH * unit:
                return
            try:
                header = parse_header(self._units(HEADER_LENGTH), profile=self.profile)
                if header.adu_length > self.profile.max_adu_length:
                    raise OversizedFrameError(header, self.profile.max_adu_length)
                total = FRAME_OVERHEAD + header.adu_length
                if len(buffer) < total * unit:
                    return
                raw = self._units(total)
                events.append((_complete_frame(raw, header), raw))
                del buffer[: total * unit]
            except FrameError as error:
                events.append(error)
                del buffer[:1]

    def _units(self, count: int) -> bytes:
        """The first ``count`` frame bytes of the buffer, unhexed if need be."""
        chunk = bytes(self._buffer[: count * self._unit])
        return _from_wire(chunk) if self.profile.ascii_hex else chunk

    def _discard_garbage(self, events: list[tuple[Frame, bytes] | FrameError]) -> None:
        """Drop everything but a tail that may be the beginning of a start marker."""
        if not self._buffer:
            return
        keep = 0
        for size in range(len(self._start) - 1, 0, -1):
            if self._buffer.endswith(self._start[:size]):
                keep = size
                break
        drop = len(self._buffer) - keep
        if drop:
            events.append(GarbageError(drop))
            del self._buffer[:drop]
