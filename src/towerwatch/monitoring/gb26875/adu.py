"""GB/T 26875.3-2011 application data units: 应用数据单元 (Fig. 5, §8.1; Table 3, §8.3).

An ADU is ``类型标志 (1) | 信息对象数目 (1) | n × 信息对象``. Each information object has the
fixed per-type layout of Table 3; only types 1, 2, 3, 4, 21 and 24 end with a per-object time
label (doc §2). Objects are parsed one by one with their own layout, never by splitting the
ADU into equal parts (doc §5.1 item 7).

Every layout is declared once, as a tuple of (field, kind) pairs, and one generic reader and
writer serve all types, so decode and encode cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import functools
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, IntEnum
from typing import Any, ClassVar, NamedTuple

from towerwatch.monitoring.gb26875.frame import (
    DEFAULT_PROFILE,
    CodecError,
    Command,
    EncodeError,
    Frame,
    Profile,
    TimeLabel,
    as_time_label,
)

DESCRIPTION_LENGTH = 31  # 部件说明: 31 bytes of GB 18030 text
TEXT_ENCODING = "gb18030"


class AduError(CodecError):
    """An ADU whose bytes do not match the layout of its type (Table 3)."""


class DataType(IntEnum):
    """类型标志, Table 3 (the types TowerWatch reads and writes)."""

    SYSTEM_STATUS = 1
    COMPONENT_STATUS = 2
    COMPONENT_ANALOG = 3
    SYSTEM_OPERATION = 4
    SYSTEM_SOFTWARE_VERSION = 5
    SYSTEM_CONFIGURATION = 6
    COMPONENT_CONFIGURATION = 7
    SYSTEM_TIME = 8
    DEVICE_STATUS = 21
    DEVICE_OPERATION = 24
    DEVICE_SOFTWARE_VERSION = 25
    DEVICE_CONFIGURATION = 26
    DEVICE_TIME = 28
    READ_SYSTEM_STATUS = 61
    READ_COMPONENT_STATUS = 62
    READ_COMPONENT_ANALOG = 63
    READ_SYSTEM_OPERATIONS = 64
    READ_SYSTEM_SOFTWARE_VERSION = 65
    READ_SYSTEM_CONFIGURATION = 66
    READ_COMPONENT_CONFIGURATION = 67
    READ_SYSTEM_TIME = 68
    READ_DEVICE_STATUS = 81
    READ_DEVICE_OPERATIONS = 84
    READ_DEVICE_SOFTWARE_VERSION = 85
    READ_DEVICE_CONFIGURATION = 86
    READ_DEVICE_TIME = 88
    INITIALIZE_DEVICE = 89
    SYNC_DEVICE_CLOCK = 90
    DUTY_CHECK = 91


# Status and operation bit names, bit 0 first (doc §2.1). Bit 0 of a status word is 1 for
# 正常运行/正常监视 and 0 for 测试 in the standard, but real fire alarms arrive with bit 0 = 0
# (doc §5.1 item 5): "normal" is informational only and its absence never means "test".
SYSTEM_STATUS_FLAGS = (  # Fig. 6
    "normal",
    "fire_alarm",
    "fault",
    "disabled",
    "supervisory",
    "started",
    "feedback",
    "delayed",
    "main_power_fault",
    "backup_power_fault",
    "bus_fault",
    "manual_mode",
    "configuration_changed",
    "reset",
    "reserved_14",
    "reserved_15",
)
COMPONENT_STATUS_FLAGS = (  # Fig. 7: bits 0–7 as Fig. 6, bit 8 电源故障
    *SYSTEM_STATUS_FLAGS[:8],
    "power_fault",
    *(f"reserved_{bit}" for bit in range(9, 16)),
)
DEVICE_STATUS_FLAGS = (  # Fig. 13
    "normal",
    "fire_alarm",
    "fault",
    "main_power_fault",
    "backup_power_fault",
    "centre_link_fault",
    "monitoring_line_fault",
    "reserved_7",
)
SYSTEM_OPERATION_FLAGS = (  # Fig. 9
    "reset",
    "silence",
    "manual_alarm",
    "alarm_cleared",
    "self_test",
    "acknowledge",
    "test",
    "reserved_7",
)
DEVICE_OPERATION_FLAGS = (  # Fig. 14: bit 5 is 查岗应答, the answer to a duty check
    *SYSTEM_OPERATION_FLAGS[:5],
    "duty_check_answer",
    *SYSTEM_OPERATION_FLAGS[6:],
)


_FLAG_NAMES: dict[tuple[tuple[str, ...], int], tuple[str, ...]] = {}


def flag_names(value: int, names: tuple[str, ...]) -> tuple[str, ...]:
    """Names of the bits set in ``value``, lowest bit first (memoised: words repeat)."""
    key = (names, value)
    found = _FLAG_NAMES.get(key)
    if found is None:
        found = tuple(name for bit, name in enumerate(names) if value >> bit & 1)
        if len(_FLAG_NAMES) < 4096:
            _FLAG_NAMES[key] = found
    return found


class AnalogType(NamedTuple):
    """One row of Table 6 (模拟量类型): raw value = physical value × ``divisor``."""

    name: str
    unit: str
    divisor: int


ANALOG_TYPES: dict[int, AnalogType] = {
    1: AnalogType("event_count", "events", 1),
    2: AnalogType("height", "m", 100),
    3: AnalogType("temperature", "°C", 10),
    4: AnalogType("pressure", "MPa", 10),
    5: AnalogType("pressure", "kPa", 10),
    6: AnalogType("gas_concentration", "%LEL", 10),
    7: AnalogType("time", "s", 1),
    8: AnalogType("voltage", "V", 10),
    9: AnalogType("current", "A", 10),
    10: AnalogType("flow", "L/s", 10),
    11: AnalogType("air_volume", "m³/min", 10),
    12: AnalogType("wind_speed", "m/s", 1),
}


class Kind(Enum):
    """How one field of an information object sits on the wire."""

    U8 = "u8"
    STATUS16 = "status16"  # 16-bit status word, LE ("低字节先传输"); BE only by profile
    I16 = "i16"  # 模拟量值: signed, LE
    ADDRESS = "address"  # 部件地址: 4 raw bytes, wire order (doc §5.1 item 1)
    DESCRIPTION = "description"  # 31 bytes GB 18030, padded
    TEXT = "text"  # 1-byte length L, then L bytes GB 18030
    TIME = "time"  # 6-byte time label (§8.2.2)


_FIXED_SIZES = {
    Kind.U8: 1,
    Kind.STATUS16: 2,
    Kind.I16: 2,
    Kind.ADDRESS: 4,
    Kind.DESCRIPTION: DESCRIPTION_LENGTH,
    Kind.TIME: 6,
}


class InfoObject:
    """Base of the information objects (信息对象) of Table 3.

    ``LAYOUT`` lists the fields in wire order; ``FLAGS`` names the bits of the field
    ``FLAG_FIELD`` (a status or operation word) when the type has one.
    """

    __slots__ = ()
    LAYOUT: ClassVar[tuple[tuple[str, Kind], ...]] = ()
    FLAG_FIELD: ClassVar[str] = ""
    FLAGS: ClassVar[tuple[str, ...]] = ()

    @property
    def flags(self) -> tuple[str, ...]:
        """English names of the bits set in the status or operation word (doc §2.1)."""
        if not self.FLAG_FIELD:
            return ()
        return flag_names(getattr(self, self.FLAG_FIELD), self.FLAGS)

    @classmethod
    def size(cls) -> int | None:
        """Bytes per object, or None for a variable-length layout (types 6 and 26)."""
        if cls in _SIZES:
            return _SIZES[cls]
        size = (
            None
            if any(kind is Kind.TEXT for _, kind in cls.LAYOUT)
            else sum(_FIXED_SIZES[kind] for _, kind in cls.LAYOUT)
        )
        _SIZES[cls] = size
        return size


_SIZES: dict[type[InfoObject], int | None] = {}


_SYSTEM = (("system_type", Kind.U8), ("system_address", Kind.U8))
_COMPONENT = (("component_type", Kind.U8), ("component_address", Kind.ADDRESS))


@dataclass(frozen=True, slots=True)
class SystemStatus(InfoObject):
    """Type 1, 建筑消防设施系统状态: 10 bytes, status word of Fig. 6."""

    LAYOUT = (*_SYSTEM, ("status", Kind.STATUS16), ("at", Kind.TIME))
    FLAG_FIELD, FLAGS = "status", SYSTEM_STATUS_FLAGS
    system_type: int
    system_address: int
    status: int
    at: TimeLabel


@dataclass(frozen=True, slots=True)
class ComponentStatus(InfoObject):
    """Type 2, 建筑消防设施部件运行状态: 46 bytes, status word of Fig. 7."""

    LAYOUT = (
        *_SYSTEM,
        *_COMPONENT,
        ("status", Kind.STATUS16),
        ("description", Kind.DESCRIPTION),
        ("at", Kind.TIME),
    )
    FLAG_FIELD, FLAGS = "status", COMPONENT_STATUS_FLAGS
    system_type: int
    system_address: int
    component_type: int
    component_address: bytes
    status: int
    description: str
    at: TimeLabel


@dataclass(frozen=True, slots=True)
class ComponentAnalog(InfoObject):
    """Type 3, 建筑消防设施部件模拟量值: 16 bytes; ``value`` is raw, scaled per Table 6."""

    LAYOUT = (
        *_SYSTEM,
        *_COMPONENT,
        ("analog_type", Kind.U8),
        ("value", Kind.I16),
        ("at", Kind.TIME),
    )
    system_type: int
    system_address: int
    component_type: int
    component_address: bytes
    analog_type: int
    value: int
    at: TimeLabel

    @property
    def unit(self) -> str | None:
        """The unit of Table 6, None for reserved and user-defined analog types."""
        known = ANALOG_TYPES.get(self.analog_type)
        return known.unit if known else None

    @property
    def scaled_value(self) -> float | None:
        """The physical value (raw ÷ 最小计量单元, Table 6), None when the type is not known."""
        known = ANALOG_TYPES.get(self.analog_type)
        return self.value / known.divisor if known else None


@dataclass(frozen=True, slots=True)
class SystemOperation(InfoObject):
    """Type 4, 建筑消防设施操作信息: 10 bytes, operation flags of Fig. 9."""

    LAYOUT = (*_SYSTEM, ("operation", Kind.U8), ("operator", Kind.U8), ("at", Kind.TIME))
    FLAG_FIELD, FLAGS = "operation", SYSTEM_OPERATION_FLAGS
    system_type: int
    system_address: int
    operation: int
    operator: int
    at: TimeLabel


@dataclass(frozen=True, slots=True)
class SystemSoftwareVersion(InfoObject):
    """Type 5, 建筑消防设施软件版本: 4 bytes, no time label."""

    LAYOUT = (*_SYSTEM, ("major", Kind.U8), ("minor", Kind.U8))
    system_type: int
    system_address: int
    major: int
    minor: int


@dataclass(frozen=True, slots=True)
class SystemConfiguration(InfoObject):
    """Type 6, 建筑消防设施系统配置情况: variable length (L, then L bytes), no time label."""

    LAYOUT = (*_SYSTEM, ("configuration", Kind.TEXT))
    system_type: int
    system_address: int
    configuration: str


@dataclass(frozen=True, slots=True)
class ComponentConfiguration(InfoObject):
    """Type 7, 建筑消防设施部件配置情况: 38 bytes, no time label."""

    LAYOUT = (*_SYSTEM, *_COMPONENT, ("description", Kind.DESCRIPTION))
    system_type: int
    system_address: int
    component_type: int
    component_address: bytes
    description: str


@dataclass(frozen=True, slots=True)
class SystemTime(InfoObject):
    """Type 8, 建筑消防设施系统时间: 8 bytes; the time is the content, not a label."""

    LAYOUT = (*_SYSTEM, ("time", Kind.TIME))
    system_type: int
    system_address: int
    time: TimeLabel


@dataclass(frozen=True, slots=True)
class DeviceStatus(InfoObject):
    """Type 21, 用户信息传输装置运行状态: 7 bytes, 1-byte status of Fig. 13."""

    LAYOUT = (("status", Kind.U8), ("at", Kind.TIME))
    FLAG_FIELD, FLAGS = "status", DEVICE_STATUS_FLAGS
    status: int
    at: TimeLabel


@dataclass(frozen=True, slots=True)
class DeviceOperation(InfoObject):
    """Type 24, 用户信息传输装置操作信息: 8 bytes, operation flags of Fig. 14."""

    LAYOUT = (("operation", Kind.U8), ("operator", Kind.U8), ("at", Kind.TIME))
    FLAG_FIELD, FLAGS = "operation", DEVICE_OPERATION_FLAGS
    operation: int
    operator: int
    at: TimeLabel


@dataclass(frozen=True, slots=True)
class DeviceSoftwareVersion(InfoObject):
    """Type 25, 用户信息传输装置软件版本: 2 bytes."""

    LAYOUT = (("major", Kind.U8), ("minor", Kind.U8))
    major: int
    minor: int


@dataclass(frozen=True, slots=True)
class DeviceConfiguration(InfoObject):
    """Type 26, 用户信息传输装置配置情况: L, then L bytes of text."""

    LAYOUT = (("configuration", Kind.TEXT),)
    configuration: str


@dataclass(frozen=True, slots=True)
class DeviceTime(InfoObject):
    """Type 28, 用户信息传输装置系统时间: the device clock."""

    LAYOUT = (("time", Kind.TIME),)
    time: TimeLabel


@dataclass(frozen=True, slots=True)
class SystemQuery(InfoObject):
    """Types 61, 65, 66 and 68: read something of one system (system type and address)."""

    LAYOUT = _SYSTEM
    system_type: int
    system_address: int


@dataclass(frozen=True, slots=True)
class ComponentQuery(InfoObject):
    """Types 62, 63 and 67: read one component. Table 3 gives no component type here."""

    LAYOUT = (*_SYSTEM, ("component_address", Kind.ADDRESS))
    system_type: int
    system_address: int
    component_address: bytes


@dataclass(frozen=True, slots=True)
class SystemOperationQuery(InfoObject):
    """Type 64: read up to ``record_count`` (≤102) operation records from ``start``."""

    LAYOUT = (*_SYSTEM, ("record_count", Kind.U8), ("start", Kind.TIME))
    system_type: int
    system_address: int
    record_count: int
    start: TimeLabel


@dataclass(frozen=True, slots=True)
class DeviceCommand(InfoObject):
    """Types 81, 85, 86, 88 (reads) and 89 (initialise): one reserved byte, 0."""

    LAYOUT = (("reserved", Kind.U8),)
    reserved: int = 0


@dataclass(frozen=True, slots=True)
class DeviceOperationQuery(InfoObject):
    """Type 84: read up to ``record_count`` (≤102) UITD operation records from ``start``."""

    LAYOUT = (("record_count", Kind.U8), ("start", Kind.TIME))
    record_count: int
    start: TimeLabel


@dataclass(frozen=True, slots=True)
class ClockSync(InfoObject):
    """Type 90, 同步用户信息传输装置时钟: the centre's time (中心系统时间)."""

    LAYOUT = (("time", Kind.TIME),)
    time: TimeLabel


@dataclass(frozen=True, slots=True)
class DutyCheck(InfoObject):
    """Type 91, 查岗命令: answer timeout in minutes; the answer is a type 24 upload (bit 5)."""

    LAYOUT = (("timeout_minutes", Kind.U8),)
    timeout_minutes: int


class TypeSpec(NamedTuple):
    """How one 类型标志 is laid out: its object class and Table 3's limit on n."""

    object_class: type[InfoObject]
    max_count: int


T = DataType
TYPES: dict[int, TypeSpec] = {
    T.SYSTEM_STATUS: TypeSpec(SystemStatus, 102),
    T.COMPONENT_STATUS: TypeSpec(ComponentStatus, 22),
    T.COMPONENT_ANALOG: TypeSpec(ComponentAnalog, 63),
    T.SYSTEM_OPERATION: TypeSpec(SystemOperation, 102),
    T.SYSTEM_SOFTWARE_VERSION: TypeSpec(SystemSoftwareVersion, 1),
    T.SYSTEM_CONFIGURATION: TypeSpec(SystemConfiguration, 3),
    T.COMPONENT_CONFIGURATION: TypeSpec(ComponentConfiguration, 26),
    T.SYSTEM_TIME: TypeSpec(SystemTime, 1),
    T.DEVICE_STATUS: TypeSpec(DeviceStatus, 1),
    T.DEVICE_OPERATION: TypeSpec(DeviceOperation, 127),
    T.DEVICE_SOFTWARE_VERSION: TypeSpec(DeviceSoftwareVersion, 1),
    T.DEVICE_CONFIGURATION: TypeSpec(DeviceConfiguration, 1),
    T.DEVICE_TIME: TypeSpec(DeviceTime, 1),
    T.READ_SYSTEM_STATUS: TypeSpec(SystemQuery, 102),
    T.READ_COMPONENT_STATUS: TypeSpec(ComponentQuery, 22),
    T.READ_COMPONENT_ANALOG: TypeSpec(ComponentQuery, 63),
    T.READ_SYSTEM_OPERATIONS: TypeSpec(SystemOperationQuery, 1),
    T.READ_SYSTEM_SOFTWARE_VERSION: TypeSpec(SystemQuery, 1),
    T.READ_SYSTEM_CONFIGURATION: TypeSpec(SystemQuery, 3),
    T.READ_COMPONENT_CONFIGURATION: TypeSpec(ComponentQuery, 26),
    T.READ_SYSTEM_TIME: TypeSpec(SystemQuery, 1),
    T.READ_DEVICE_STATUS: TypeSpec(DeviceCommand, 1),
    T.READ_DEVICE_OPERATIONS: TypeSpec(DeviceOperationQuery, 1),
    T.READ_DEVICE_SOFTWARE_VERSION: TypeSpec(DeviceCommand, 1),
    T.READ_DEVICE_CONFIGURATION: TypeSpec(DeviceCommand, 1),
    T.READ_DEVICE_TIME: TypeSpec(DeviceCommand, 1),
    T.INITIALIZE_DEVICE: TypeSpec(DeviceCommand, 1),
    T.SYNC_DEVICE_CLOCK: TypeSpec(ClockSync, 1),
    T.DUTY_CHECK: TypeSpec(DutyCheck, 1),
}
del T

# 富贝 terminals may send type 2 objects of 15 bytes, without the description (doc §5).
# The sizes never coincide with the standard's for the same n, so this needs no profile.
_SHORT_COMPONENT_STATUS = tuple(
    (name, kind) for name, kind in ComponentStatus.LAYOUT if kind is not Kind.DESCRIPTION
)


@dataclass(frozen=True, slots=True)
class Adu:
    """A decoded ADU: its 类型标志 and its information objects, in wire order."""

    type: int
    objects: tuple[InfoObject, ...]


@dataclass(frozen=True, slots=True)
class RawAdu:
    """An ADU of a type this codec does not lay out (reserved or user-defined, 128–254).

    The bytes are kept as sent so that a vendor profile can interpret them later.
    """

    type: int
    count: int
    data: bytes


def decode_adu(data: bytes, *, profile: Profile = DEFAULT_PROFILE) -> Adu | RawAdu | None:
    """Decode an ADU; None when it is empty (确认, 否认, some heartbeats)."""
    if not data:
        return None
    if len(data) < 2:
        raise AduError("an ADU has at least a type byte and a count byte")
    adu_type, count, body = data[0], data[1], data[2:]
    spec = TYPES.get(adu_type)
    if spec is None:
        return RawAdu(type=adu_type, count=count, data=bytes(body))
    layout = spec.object_class.LAYOUT
    size = spec.object_class.size()
    if size is not None and len(body) != count * size:
        if adu_type == DataType.COMPONENT_STATUS and len(body) == count * (
            size - DESCRIPTION_LENGTH
        ):
            layout = _SHORT_COMPONENT_STATUS
        else:
            raise AduError(
                f"type {adu_type}: {count} object(s) of {size} bytes need {count * size} bytes,"
                f" got {len(body)}"
            )
    short = layout is _SHORT_COMPONENT_STATUS
    plan = _plan(spec.object_class, short, profile.big_endian_status, profile.bcd_time)
    if plan is not None:  # fixed layout, length checked above: one struct call per object
        unpack, converters, names, positional = plan
        object_class = spec.object_class
        fast = []
        for values in unpack.iter_unpack(body):
            if converters:
                values = list(values)  # type: ignore[assignment]
                for index, convert in converters:
                    values[index] = convert(values[index])  # type: ignore[index]
            fast.append(
                object_class(*values)
                if positional
                else _make_object(object_class, dict(zip(names, values, strict=True)))
            )
        return Adu(type=adu_type, objects=tuple(fast))
    objects = []
    position = 0
    for _ in range(count):
        values, position = _read_object(layout, body, position, profile)
        objects.append(_make_object(spec.object_class, values))
    if position != len(body):
        raise AduError(f"type {adu_type}: {len(body) - position} byte(s) after the last object")
    return Adu(type=adu_type, objects=tuple(objects))


def encode_adu(adu: Adu | RawAdu, *, profile: Profile = DEFAULT_PROFILE) -> bytes:
    """The bytes of an ADU, checked against Table 3 (object class and maximum n)."""
    if not 0 <= adu.type <= 0xFF:
        raise EncodeError(f"type {adu.type} does not fit one byte")
    if isinstance(adu, RawAdu):
        if not 0 <= adu.count <= 0xFF:
            raise EncodeError(f"count {adu.count} does not fit one byte")
        return bytes((adu.type, adu.count)) + adu.data
    spec = TYPES.get(adu.type)
    if spec is None:
        raise EncodeError(f"type {adu.type} has no layout here; send it as a RawAdu")
    if len(adu.objects) > spec.max_count:
        raise EncodeError(
            f"type {adu.type} carries at most {spec.max_count} object(s) (Table 3),"
            f" got {len(adu.objects)}"
        )
    out = bytearray((adu.type, len(adu.objects)))
    for obj in adu.objects:
        if type(obj) is not spec.object_class:
            raise EncodeError(
                f"type {adu.type} carries {spec.object_class.__name__}, not {type(obj).__name__}"
            )
        for name, kind in obj.LAYOUT:
            out += _write_field(kind, getattr(obj, name), name, profile)
    return bytes(out)


_STRUCT_CODES = {
    Kind.U8: "B",
    Kind.STATUS16: "H",
    Kind.I16: "h",
    Kind.ADDRESS: "4s",
    Kind.DESCRIPTION: f"{DESCRIPTION_LENGTH}s",
    Kind.TIME: "6s",
}


@functools.cache
def _plan(
    object_class: type[InfoObject], short: bool, big_endian_status: bool, bcd_time: bool
) -> (
    tuple[struct.Struct, tuple[tuple[int, Callable[[Any], Any]], ...], tuple[str, ...], bool] | None
):
    """A compiled reader for a fixed layout (None for variable-length ones): the struct, the
    fields that need converting after unpacking, the names, and whether they are positional.
    ``short``: the type 2 layout without the description (富贝)."""
    layout = _SHORT_COMPONENT_STATUS if short else object_class.LAYOUT
    if any(kind is Kind.TEXT for _, kind in layout):
        return None
    codes = []
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for index, (_name, kind) in enumerate(layout):
        if kind is Kind.STATUS16 and big_endian_status:
            codes.append("2s")
            converters.append((index, lambda raw: int.from_bytes(raw, "big")))
            continue
        codes.append(_STRUCT_CODES[kind])
        if kind is Kind.DESCRIPTION:
            converters.append((index, decode_text))
        elif kind is Kind.TIME:
            converters.append((index, functools.partial(TimeLabel.decode, bcd=bcd_time)))
    names = tuple(name for name, _ in layout)
    positional = names == tuple(f.name for f in dataclasses.fields(object_class))  # type: ignore[arg-type]
    return struct.Struct("<" + "".join(codes)), tuple(converters), names, positional


def _make_object(object_class: type[InfoObject], values: dict[str, Any]) -> InfoObject:
    if object_class is ComponentStatus:
        values.setdefault("description", "")
    return object_class(**values)


def _read_object(
    layout: tuple[tuple[str, Kind], ...], body: bytes, position: int, profile: Profile
) -> tuple[dict[str, Any], int]:
    """Read one object's fields from ``body`` at ``position``; return them and the new position."""
    values: dict[str, Any] = {}
    for name, kind in layout:
        if kind is Kind.TEXT:
            length = _take(body, position, 1)[0]
            raw = _take(body, position + 1, length)
            values[name] = decode_text(raw)
            position += 1 + length
            continue
        size = _FIXED_SIZES[kind]
        raw = _take(body, position, size)
        values[name] = _read_field(kind, raw, profile)
        position += size
    return values, position


def _take(body: bytes, position: int, size: int) -> bytes:
    if position + size > len(body):
        raise AduError(f"object truncated: {size} byte(s) needed at offset {position}")
    return body[position : position + size]


def _read_field(kind: Kind, raw: bytes, profile: Profile) -> Any:
    match kind:
        case Kind.U8:
            return raw[0]
        case Kind.STATUS16:
            return int.from_bytes(raw, "big" if profile.big_endian_status else "little")
        case Kind.I16:
            return int.from_bytes(raw, "little", signed=True)
        case Kind.ADDRESS:
            return bytes(raw)
        case Kind.DESCRIPTION:
            return decode_text(raw)
        case Kind.TIME:
            return TimeLabel.decode(raw, bcd=profile.bcd_time)
    raise AssertionError(kind)  # pragma: no cover


def _write_field(kind: Kind, value: Any, name: str, profile: Profile) -> bytes:
    try:
        match kind:
            case Kind.U8:
                return bytes((value,))
            case Kind.STATUS16:
                return int.to_bytes(value, 2, "big" if profile.big_endian_status else "little")
            case Kind.I16:
                return int.to_bytes(value, 2, "little", signed=True)
            case Kind.ADDRESS:
                if len(value) != 4:
                    raise EncodeError(f"{name}: a component address is 4 bytes")
                return bytes(value)
            case Kind.DESCRIPTION:
                return encode_text(value, name, DESCRIPTION_LENGTH).ljust(DESCRIPTION_LENGTH, b"\0")
            case Kind.TEXT:
                raw = encode_text(value, name, 0xFF)
                return bytes((len(raw),)) + raw
            case Kind.TIME:
                return TimeLabel.encode(value, bcd=profile.bcd_time)
    except (AttributeError, OverflowError, TypeError, ValueError) as exc:
        if isinstance(exc, EncodeError):
            raise
        raise EncodeError(f"{name}: {value!r} does not fit the field: {exc}") from None
    raise AssertionError(kind)  # pragma: no cover


def decode_text(raw: bytes) -> str:
    """GB 18030 text, cut at the first NUL and stripped of trailing spaces (doc §5.1 item 8).

    No GB 18030 multi-byte sequence contains 0x00 or ends with 0x20, so cutting at the
    first NUL and stripping spaces byte-wise never splits a character; bytes after the NUL are
    often left-over buffer contents.
    """
    text = raw.split(b"\0", 1)[0].rstrip(b" ")
    return text.decode(TEXT_ENCODING, errors="replace")


def encode_text(value: str, name: str, limit: int) -> bytes:
    """GB 18030 bytes of ``value``, refusing text that would not read back the same."""
    raw = value.encode(TEXT_ENCODING)
    if len(raw) > limit:
        raise EncodeError(f"{name}: {len(raw)} bytes of GB 18030 exceed {limit}")
    if b"\0" in raw or raw.endswith(b" "):
        raise EncodeError(f"{name}: NULs and trailing spaces are padding on the wire")
    return raw


def command_for(adu_type: int, profile: Profile = DEFAULT_PROFILE) -> int:
    """The command byte that carries ``adu_type`` (Table 2, doc §5.1 item 9).

    Uploads (1–60) travel as 发送数据, reads (61–88) as 请求, and initialise, clock sync and
    duty check (89–91) as the profile's control command (控制命令 by default).
    """
    if 1 <= adu_type <= 60:
        return Command.SEND
    if 61 <= adu_type <= 88:
        return Command.REQUEST
    if 89 <= adu_type <= 91:
        return profile.control_command
    raise EncodeError(f"type {adu_type} has no standard command byte; pass one explicitly")


def adu_frame(
    adu: Adu | RawAdu,
    *,
    serial: int,
    source: bytes,
    destination: bytes,
    sent_at: TimeLabel | datetime,
    command: int | None = None,
    profile: Profile = DEFAULT_PROFILE,
) -> Frame:
    """A frame carrying ``adu``, with the command byte of `command_for` unless one is given."""
    return Frame(
        serial=serial,
        command=command_for(adu.type, profile) if command is None else command,
        source=source,
        destination=destination,
        sent_at=as_time_label(sent_at, profile),
        adu=encode_adu(adu, profile=profile),
        version=profile.version,
    )
