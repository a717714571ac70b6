"""`towerwatch gb26875 decode|encode`: JSON output, hex output and exit on malformed frames."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.monitoring.test_gb26875_frame import DOC_FRAME
from towerwatch.monitoring.gb26875 import Frame, TimeLabel, encode_frame

ISSUE_EXAMPLE = [
    "--type", "2", "--system-type", "1", "--system-address", "1", "--component-type", "40",
    "--component-address", "01000000", "--status", "3", "--description", "三楼烟感",
    "--sent-at", "2024-05-06T07:08:09",
]  # fmt: skip


def run(*args: str) -> str:
    out = StringIO()
    call_command("gb26875", *args, stdout=out)
    return out.getvalue()


def decode(hex_text: str) -> dict:
    return json.loads(run("decode", hex_text))


def test_decode_prints_the_issue_json_for_the_doc_example():
    assert decode(DOC_FRAME.hex()) == {
        "serial": 1,
        "version": [1, 0],
        "sent_at": "2024-05-06T07:08:09+08:00",
        "source": "010203040506",
        "destination": "000000000000",
        "command": 2,
        "checksum_ok": True,
        "adu": {
            "type": 1,
            "objects": [
                {
                    "system_type": 1,
                    "system_address": 1,
                    "status": 3,
                    "flags": ["normal", "fire_alarm"],
                    "at": "2024-05-06T07:08:09+08:00",
                }
            ],
        },
    }


def test_decode_keys_come_in_the_issue_order():
    described = decode(DOC_FRAME.hex())
    assert list(described) == [
        "serial", "version", "sent_at", "source", "destination", "command", "checksum_ok", "adu",
    ]  # fmt: skip
    assert list(described["adu"]["objects"][0]) == [
        "system_type", "system_address", "status", "flags", "at",
    ]  # fmt: skip


def test_decode_accepts_spaced_hex_in_several_arguments():
    out = StringIO()
    call_command(
        "gb26875", "decode", *DOC_FRAME.hex(" ").split(" ")[:5], DOC_FRAME[5:].hex(" "), stdout=out
    )
    assert json.loads(out.getvalue())["serial"] == 1


def test_decode_bad_checksum_prints_the_frame_and_fails():
    wire = bytearray(DOC_FRAME)
    wire[-3] ^= 0x01
    out = StringIO()
    with pytest.raises(CommandError, match="checksum"):
        call_command("gb26875", "decode", wire.hex(), stdout=out)
    assert json.loads(out.getvalue())["checksum_ok"] is False


def _frame_with_adu(adu: bytes) -> bytes:
    return encode_frame(Frame(1, 2, bytes(6), bytes(6), TimeLabel(9, 8, 7, 6, 5, 24), adu=adu))


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (DOC_FRAME[:-1].hex(), "malformed frame"),
        ("2323" + DOC_FRAME[2:].hex(), "malformed frame"),
        ("40 40 zz", "not hex"),
        # a valid frame whose type 1 ADU is one byte short
        (
            _frame_with_adu(bytes.fromhex("01 01 01 01 03 00 09 08 07 06 05")).hex(),
            "application data",
        ),
    ],
)
def test_decode_malformed_input_exits_with_a_message(wire, message):
    with pytest.raises(CommandError, match=message):
        run("decode", wire)


def test_encode_the_issue_example_and_decode_it_back():
    described = decode(run("encode", *ISSUE_EXAMPLE))
    assert described["command"] == 2
    assert described["sent_at"] == "2024-05-06T07:08:09+08:00"
    assert described["adu"] == {
        "type": 2,
        "objects": [
            {
                "system_type": 1,
                "system_address": 1,
                "component_type": 40,
                "component_address": "01000000",
                "status": 3,
                "flags": ["normal", "fire_alarm"],
                "description": "三楼烟感",
                "at": "2024-05-06T07:08:09+08:00",
            }
        ],
    }


@pytest.mark.parametrize(("option", "command"), [("--confirm", 3), ("--deny", 6)])
def test_encode_confirm_and_deny(option, command):
    wire = bytes.fromhex(
        run(
            "encode",
            option,
            "17",
            "--destination",
            "0a0000000000",
            "--sent-at",
            "2024-05-06T07:08:09",
        )
    )
    assert len(wire) == 30
    described = decode(wire.hex())
    assert (described["serial"], described["command"], described["adu"]) == (17, command, None)
    assert described["destination"] == "0a0000000000"


def test_encode_duty_check():
    described = decode(run("encode", "--duty-check", "10", "--serial", "4"))
    assert described["command"] == 1
    assert described["adu"] == {"type": 91, "objects": [{"timeout_minutes": 10}]}


def test_encode_duty_check_with_a_vendor_control_command():
    described = decode(run("encode", "--duty-check", "10", "--control-command", "4"))
    assert described["command"] == 4


def test_encode_hex_and_defaults():
    described = decode(
        run("encode", "--type", "1", "--system-type", "1", "--system-address", "1",
            "--status", "0x0002", "--sent-at", "2024-05-06T07:08:09", "--at", "2024-05-06T07:08:00")
    )  # fmt: skip
    (obj,) = described["adu"]["objects"]
    assert obj["flags"] == ["fire_alarm"]
    assert obj["at"] == "2024-05-06T07:08:00+08:00"


def test_encode_read_command_uses_request():
    described = decode(
        run("encode", "--type", "62", "--system-type", "1", "--system-address", "1",
            "--component-address", "03001100")
    )  # fmt: skip
    assert described["command"] == 4
    assert described["adu"]["objects"] == [
        {"system_type": 1, "system_address": 1, "component_address": "03001100"}
    ]


def test_encode_bcd_profile_round_trips():
    wire = run("encode", "--type", "28", "--sent-at", "2024-05-06T07:08:09", "--bcd-time")
    assert wire[12:24] == "090807060524"  # BCD: 09 s … year 24
    described = json.loads(run("decode", wire, "--bcd-time"))
    assert described["adu"]["objects"][0]["time"] == "2024-05-06T07:08:09+08:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "1", "--system-type", "1"], "needs --system-address, --status"),
        (["--type", "7", "--status", "3"], "does not take --status"),
        (["--type", "200"], "not one this codec lays out"),
        (["--type", "2", *ISSUE_EXAMPLE[2:12], "--description", "一" * 16], "exceed 31"),
        (["--type", "21", "--status", "256"], "does not fit"),
    ],
)
def test_encode_refuses_bad_options(args, message):
    with pytest.raises(CommandError, match=message):
        run("encode", *args)
