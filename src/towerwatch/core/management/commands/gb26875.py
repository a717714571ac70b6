"""`towerwatch gb26875`: decode and build GB/T 26875.3-2011 frames from the command line.

``decode`` prints one frame as JSON (the keys of issue #3, see ``docs/gb26875.md``); ``encode``
builds a frame for tests and the simulator and prints it as hex. Neither touches the database.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from towerwatch.monitoring.gb26875 import (
    CHINA_TIME,
    TYPES,
    Adu,
    AduError,
    ChecksumError,
    CodecError,
    DataType,
    DutyCheck,
    Frame,
    FrameError,
    Profile,
    TimeLabel,
    adu_frame,
    decode_frame,
    encode_frame,
    frame_to_dict,
)
from towerwatch.monitoring.gb26875.adu import InfoObject, Kind
from towerwatch.monitoring.gb26875.frame import Command as FrameCommand

DESCRIPTION = """\
Decode or build GB/T 26875.3-2011 frames (user information transmission device protocol).

  towerwatch gb26875 decode 40400100...2323
  towerwatch gb26875 encode --type 2 --system-type 1 --system-address 1 \\
      --component-type 40 --component-address 01000000 --status 3 --description 三楼烟感
  towerwatch gb26875 encode --confirm 17 --source 000000000000 --destination 0a0000000000
  towerwatch gb26875 encode --duty-check 10

Run `towerwatch gb26875 decode --help` or `towerwatch gb26875 encode --help` for the options.
"""

# One CLI option per information-object field (Table 3); `--type` says which fields apply.
FIELD_HELP = {
    "system_type": "system type (Table 4), e.g. 1 = fire alarm system",
    "system_address": "system address, 0-255",
    "component_type": "component (point) type (Table 5), e.g. 40 = smoke detector",
    "component_address": "component (point) address: 4 bytes as hex, wire order",
    "status": "status word, e.g. 3 or 0x0003 (Fig. 6, Fig. 7; 1 byte for type 21, Fig. 13)",
    "description": "component description, at most 31 bytes of GB 18030 (default empty)",
    "analog_type": "analog type (Table 6), e.g. 3 = temperature in 0.1 degrees C",
    "value": "raw analog value, signed 16-bit",
    "operation": "operation flags, e.g. 0x20 (Fig. 9; Fig. 14 for type 24)",
    "operator": "operator number, 0-255",
    "major": "software major version",
    "minor": "software minor version",
    "configuration": "configuration text, at most 255 bytes of GB 18030 (default empty)",
    "at": "per-object time label, ISO 8601 (default: --sent-at)",
    "time": "clock value for types 8, 28 and 90, ISO 8601 (default: --sent-at)",
    "record_count": "number of operation records to read (types 64 and 84, at most 102)",
    "start": "first record time for types 64 and 84, ISO 8601 (default: --sent-at)",
    "timeout_minutes": "duty-check answer timeout in minutes (type 91)",
    "reserved": "reserved byte of types 81, 85, 86, 88 and 89 (default 0)",
}


def _integer(text: str) -> int:
    """Decimal, or hex/octal/binary with a 0x/0o/0b prefix."""
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None


def _hex_bytes(size: int) -> Any:
    def parse(text: str) -> bytes:
        try:
            value = bytes.fromhex(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not hex: {text!r}") from None
        if len(value) != size:
            raise argparse.ArgumentTypeError(f"{text!r} is not {size} bytes")
        return value

    return parse


def _moment(text: str) -> datetime:
    """An ISO 8601 datetime; without an offset it is China local time (doc §1, time label)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 datetime: {text!r}") from None
    return value if value.tzinfo else value.replace(tzinfo=CHINA_TIME)


def _version(text: str) -> tuple[int, int]:
    main, _, user = text.partition(".")
    try:
        return int(main), int(user or 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not MAIN.USER: {text!r}") from None


def _field_options() -> dict[str, Kind]:
    """Every object field name with its wire kind, in first-seen order."""
    fields: dict[str, Kind] = {}
    for spec in TYPES.values():
        for name, kind in spec.object_class.LAYOUT:
            fields.setdefault(name, kind)
    return fields


_OPTION_TYPES: dict[Kind, tuple[Any, str]] = {
    Kind.ADDRESS: (_hex_bytes(4), "HEX"),
    Kind.TIME: (_moment, "ISO"),
    Kind.DESCRIPTION: (str, "TEXT"),
    Kind.TEXT: (str, "TEXT"),
}


def _add_profile_options(parser: CommandParser) -> None:
    group = parser.add_argument_group("vendor profile (docs/gb26875.md)")
    group.add_argument("--bcd-time", action="store_true", help="time labels are BCD")
    group.add_argument(
        "--big-endian-status", action="store_true", help="16-bit status words are big-endian"
    )
    group.add_argument(
        "--control-command",
        type=_integer,
        default=FrameCommand.CONTROL,
        help="command byte for types 89-91 (default 1, control; some vendors use 4)",
    )


class Command(BaseCommand):
    help = DESCRIPTION
    requires_system_checks: list[str] = []  # a pure codec tool: no models, no database

    def add_arguments(self, parser: CommandParser) -> None:
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        actions = parser.add_subparsers(dest="action", required=True, metavar="{decode,encode}")
        decode = actions.add_parser(
            "decode",
            help="print one frame as JSON",
            description="Print one frame as JSON. Exit status 1 on a malformed frame; a frame "
            "with a bad checksum is printed with checksum_ok false and also exits 1.",
        )
        decode.add_argument("hex", nargs="+", help="the frame as hex; spaces are ignored")
        _add_profile_options(decode)
        encode = actions.add_parser(
            "encode",
            help="build one frame and print it as hex",
            description=ENCODE_DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        self._add_encode_arguments(encode)

    def _add_encode_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--type", type=_integer, help="ADU type (Table 3) with one object")
        what.add_argument(
            "--confirm", type=_integer, metavar="SERIAL", help="a confirm (command 3)"
        )
        what.add_argument("--deny", type=_integer, metavar="SERIAL", help="a deny (command 6)")
        what.add_argument(
            "--duty-check", type=_integer, metavar="MINUTES", help="a duty check (type 91)"
        )
        frame = parser.add_argument_group("frame (Table 1)")
        frame.add_argument("--serial", type=_integer, default=0, help="serial (default 0)")
        frame.add_argument("--command", type=_integer, help="command byte (default from type)")
        address = _hex_bytes(6)
        zero = bytes(6)
        for name in ("source", "destination"):
            frame.add_argument(
                f"--{name}", type=address, default=zero, metavar="HEX", help="6 bytes, wire order"
            )
        frame.add_argument(
            "--sent-at", type=_moment, metavar="ISO", help="time label, ISO 8601 (default now)"
        )
        frame.add_argument(
            "--protocol-version",
            type=_version,
            default=(1, 0),
            metavar="MAIN.USER",
            help="protocol version bytes 5-6 (default 1.0)",
        )
        objects = parser.add_argument_group("information object (Table 3)")
        for name, kind in _field_options().items():
            parse, metavar = _OPTION_TYPES.get(kind, (_integer, "N"))
            objects.add_argument(
                "--" + name.replace("_", "-"), type=parse, metavar=metavar, help=FIELD_HELP[name]
            )
        _add_profile_options(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        profile = Profile(
            name="cli",
            bcd_time=options["bcd_time"],
            big_endian_status=options["big_endian_status"],
            control_command=options["control_command"],
            version=options.get("protocol_version") or (1, 0),
        )
        if options["action"] == "decode":
            self._decode("".join(options["hex"]), profile)
        else:
            self.stdout.write(encode_frame(self._build(options, profile), profile=profile).hex())

    def _decode(self, text: str, profile: Profile) -> None:
        try:
            data = bytes.fromhex(text)
        except ValueError as exc:
            raise CommandError(f"not hex: {exc}") from None
        checksum_error: ChecksumError | None = None
        try:
            frame = decode_frame(data, profile=profile)
        except ChecksumError as exc:
            frame, checksum_error = exc.frame, exc
        except FrameError as exc:
            raise CommandError(f"malformed frame: {exc}") from None
        try:
            described = frame_to_dict(frame, profile=profile, checksum_ok=checksum_error is None)
        except AduError as exc:
            raise CommandError(f"malformed application data unit: {exc}") from None
        self.stdout.write(json.dumps(described, ensure_ascii=False, indent=2))
        if checksum_error is not None:
            raise CommandError(f"malformed frame: {checksum_error}")

    def _build(self, options: dict[str, Any], profile: Profile) -> Frame:
        sent_at = options["sent_at"] or datetime.now(tz=profile.time_zone)
        header: dict[str, Any] = {
            "source": options["source"],
            "destination": options["destination"],
            "sent_at": sent_at,
            "profile": profile,
        }
        try:
            for answer, command in (("confirm", FrameCommand.CONFIRM), ("deny", FrameCommand.DENY)):
                if options[answer] is not None:
                    return Frame(
                        serial=options[answer],
                        command=options["command"] if options["command"] is not None else command,
                        source=header["source"],
                        destination=header["destination"],
                        sent_at=TimeLabel.from_datetime(sent_at, profile.time_zone),
                        version=profile.version,
                    )
            if options["duty_check"] is not None:
                adu = Adu(DataType.DUTY_CHECK, (DutyCheck(options["duty_check"]),))
            else:
                adu = Adu(options["type"], (_object(options["type"], options, sent_at),))
            return adu_frame(adu, serial=options["serial"], command=options["command"], **header)
        except CodecError as exc:
            raise CommandError(str(exc)) from None


def _object(adu_type: int, options: dict[str, Any], sent_at: datetime) -> InfoObject:
    """The one information object of ``--type``, from the field options."""
    spec = TYPES.get(adu_type)
    if spec is None:
        known = ", ".join(str(number) for number in TYPES)
        raise CommandError(f"type {adu_type} is not one this codec lays out ({known})")
    layout = dict(spec.object_class.LAYOUT)
    stray = [
        name for name in _field_options() if name not in layout and options.get(name) is not None
    ]
    if stray:
        raise CommandError(f"type {adu_type} does not take {_flags(stray)}")
    values: dict[str, Any] = {}
    missing = []
    for name, kind in layout.items():
        value = options.get(name)
        if value is None:
            value = _default(name, kind, sent_at)
        if value is None:
            missing.append(name)
        elif kind is Kind.TIME:
            value = TimeLabel.from_datetime(value, CHINA_TIME)
        values[name] = value
    if missing:
        raise CommandError(f"type {adu_type} needs {_flags(missing)}")
    return spec.object_class(**values)


def _default(name: str, kind: Kind, sent_at: datetime) -> Any:
    if kind is Kind.TIME:
        return sent_at
    if kind in (Kind.DESCRIPTION, Kind.TEXT):
        return ""
    return 0 if name == "reserved" else None


def _flags(names: list[str]) -> str:
    return ", ".join("--" + name.replace("_", "-") for name in names)


ENCODE_DESCRIPTION = """\
Build one frame and print it as hex. Exactly one of --type, --confirm, --deny, --duty-check.

--type N builds an ADU of type N with one information object; the object options that type
needs (Table 3) are required, the others are refused. Time options default to --sent-at,
texts to empty. The command byte defaults to 2 for uploads (types 1-28), 4 for reads
(61-88) and --control-command (1) for 89-91.

Examples:
  encode --type 2 --system-type 1 --system-address 1 --component-type 40 \\
         --component-address 01000000 --status 3 --description 三楼烟感
  encode --type 1 --system-type 1 --system-address 1 --status 0x0002 --sent-at 2024-05-06T07:08:09
  encode --type 21 --status 1
  encode --type 62 --system-type 1 --system-address 1 --component-address 03001100
  encode --type 90 --time 2024-05-06T07:08:09
  encode --confirm 17 --source 000000000000 --destination 0a0000000000
  encode --duty-check 10
"""
