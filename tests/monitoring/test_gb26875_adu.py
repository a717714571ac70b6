"""GB/T 26875.3 application data units (Fig. 5, §8.1, Table 3): layouts, flags, tolerances."""

from __future__ import annotations

from datetime import datetime

import pytest

from towerwatch.monitoring.gb26875 import (
    CHINA_TIME,
    TYPES,
    Adu,
    AduError,
    ClockSync,
    Command,
    ComponentAnalog,
    ComponentConfiguration,
    ComponentQuery,
    ComponentStatus,
    DataType,
    DeviceCommand,
    DeviceConfiguration,
    DeviceOperation,
    DeviceOperationQuery,
    DeviceSoftwareVersion,
    DeviceStatus,
    DeviceTime,
    DutyCheck,
    EncodeError,
    InfoObject,
    Profile,
    RawAdu,
    SystemConfiguration,
    SystemOperation,
    SystemOperationQuery,
    SystemQuery,
    SystemSoftwareVersion,
    SystemStatus,
    SystemTime,
    TimeLabel,
    adu_frame,
    command_for,
    decode_adu,
    decode_frame,
    encode_adu,
    encode_frame,
)

AT = TimeLabel(9, 8, 7, 6, 5, 24)
POINT = bytes.fromhex("03001100")

SAMPLES: dict[int, InfoObject] = {
    1: SystemStatus(1, 1, 0x0003, AT),
    2: ComponentStatus(1, 1, 40, POINT, 0x0002, "三楼烟感", AT),
    3: ComponentAnalog(1, 1, 92, POINT, 3, -125, AT),
    4: SystemOperation(1, 1, 0x21, 7, AT),
    5: SystemSoftwareVersion(1, 1, 2, 13),
    6: SystemConfiguration(1, 1, "主机: JB-QB-5Ei, 2 回路"),
    7: ComponentConfiguration(1, 1, 23, POINT, "一楼大厅手报"),
    8: SystemTime(1, 1, AT),
    21: DeviceStatus(0x01, AT),
    24: DeviceOperation(0x20, 3, AT),
    25: DeviceSoftwareVersion(1, 4),
    26: DeviceConfiguration("UITD v1.4"),
    28: DeviceTime(AT),
    61: SystemQuery(1, 1),
    62: ComponentQuery(1, 1, POINT),
    63: ComponentQuery(1, 1, POINT),
    64: SystemOperationQuery(1, 1, 102, AT),
    65: SystemQuery(1, 1),
    66: SystemQuery(1, 1),
    67: ComponentQuery(1, 1, POINT),
    68: SystemQuery(1, 1),
    81: DeviceCommand(),
    84: DeviceOperationQuery(10, AT),
    85: DeviceCommand(),
    86: DeviceCommand(),
    88: DeviceCommand(),
    89: DeviceCommand(),
    90: ClockSync(AT),
    91: DutyCheck(10),
}


def test_every_type_the_issue_names_has_a_layout():
    uploads = {1, 2, 3, 4, 5, 6, 7, 8, 21, 24, 25, 26, 28}
    commands = {61, 62, 63, 64, 65, 66, 67, 68, 81, 84, 85, 86, 88, 89, 90, 91}
    assert set(TYPES) == uploads | commands == set(SAMPLES)


@pytest.mark.parametrize("adu_type", sorted(SAMPLES))
def test_round_trip_every_type(adu_type):
    adu = Adu(adu_type, (SAMPLES[adu_type],))
    assert decode_adu(encode_adu(adu)) == adu


@pytest.mark.parametrize("adu_type", sorted(SAMPLES))
def test_round_trip_every_type_in_a_frame(adu_type):
    adu = Adu(adu_type, (SAMPLES[adu_type],))
    frame = adu_frame(adu, serial=5, source=bytes(6), destination=bytes(6), sent_at=AT)
    assert decode_adu(decode_frame(encode_frame(frame)).adu) == adu


@pytest.mark.parametrize(
    ("object_class", "size"),
    [
        (SystemStatus, 10),
        (ComponentStatus, 46),
        (ComponentAnalog, 16),
        (SystemOperation, 10),
        (SystemSoftwareVersion, 4),
        (SystemConfiguration, None),
        (ComponentConfiguration, 38),
        (SystemTime, 8),
        (DeviceStatus, 7),
        (DeviceOperation, 8),
        (DeviceSoftwareVersion, 2),
        (DeviceConfiguration, None),
        (DeviceTime, 6),
        (SystemQuery, 2),
        (ComponentQuery, 6),
        (SystemOperationQuery, 9),
        (DeviceCommand, 1),
        (DeviceOperationQuery, 7),
        (ClockSync, 6),
        (DutyCheck, 1),
    ],
)
def test_object_sizes_match_table_3(object_class, size):
    assert object_class.size() == size


def test_largest_component_status_adu_fits_1024_bytes():
    """2 + 22 × 46 = 1014 (doc §2, Table 3)."""
    adu = Adu(2, (SAMPLES[2],) * 22)
    assert len(encode_adu(adu)) == 1014


class TestWorkedExample:
    def test_doc_adu_decodes_to_fire_alarm(self):
        """The illustrative ADU of doc §2.3."""
        adu = decode_adu(bytes.fromhex("01 01 01 01 03 00 09 08 07 06 05 18"))
        assert adu == Adu(1, (SystemStatus(1, 1, 3, AT),))
        (obj,) = adu.objects
        assert obj.flags == ("normal", "fire_alarm")
        assert obj.at.to_datetime() == datetime(2024, 5, 6, 7, 8, 9, tzinfo=CHINA_TIME)

    def test_component_status_layout_byte_by_byte(self):
        raw = encode_adu(Adu(2, (SAMPLES[2],)))
        assert raw[:2] == b"\x02\x01"
        assert raw[2:5] == bytes((1, 1, 40))  # system type, address, component type
        assert raw[5:9] == POINT  # component address, wire order
        assert raw[9:11] == b"\x02\x00"  # status, LE
        assert raw[11:42] == "三楼烟感".encode("gb18030").ljust(31, b"\0")
        assert raw[42:48] == bytes.fromhex("090807060518")

    def test_analog_value_is_signed_little_endian_and_scaled(self):
        raw = encode_adu(Adu(3, (SAMPLES[3],)))
        assert raw[2 + 8 : 2 + 10] == bytes.fromhex("83ff")  # -125
        obj = decode_adu(raw).objects[0]
        assert (obj.value, obj.unit, obj.scaled_value) == (-125, "°C", -12.5)

    def test_user_defined_analog_type_has_no_unit(self):
        obj = ComponentAnalog(1, 1, 128, POINT, 200, 42, AT)
        assert (obj.unit, obj.scaled_value) == (None, None)

    def test_component_address_is_kept_raw(self):
        """03 00 11 00 is 3/17 in halves or 1,114,115 as LE u32: the codec keeps the bytes."""
        obj = decode_adu(encode_adu(Adu(2, (SAMPLES[2],)))).objects[0]
        assert obj.component_address == POINT


class TestStatusFlags:
    def test_fire_alarm_with_bit0_clear_is_still_a_fire_alarm(self):
        """Real alarms send 0x0002 (doc §5.1 item 5); allbs-model issue #3 read it BE."""
        obj = decode_adu(bytes.fromhex("01 01 01 01 02 00 09 08 07 06 05 18")).objects[0]
        assert obj.status == 2
        assert obj.flags == ("fire_alarm",)

    def test_every_system_status_bit(self):
        obj = SystemStatus(1, 1, 0xFFFF, AT)
        assert obj.flags == (
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

    def test_component_bit8_is_power_fault(self):
        assert ComponentStatus(1, 1, 40, POINT, 0x0104, "", AT).flags == ("fault", "power_fault")

    def test_device_status_bits(self):
        assert DeviceStatus(0b0110_0010, AT).flags == (
            "fire_alarm",
            "centre_link_fault",
            "monitoring_line_fault",
        )

    def test_operation_bit5_differs_between_system_and_device(self):
        assert SystemOperation(1, 1, 0x20, 0, AT).flags == ("acknowledge",)
        assert DeviceOperation(0x20, 0, AT).flags == ("duty_check_answer",)

    def test_objects_without_a_status_have_no_flags(self):
        assert SystemSoftwareVersion(1, 1, 1, 0).flags == ()

    def test_big_endian_status_profile(self):
        profile = Profile(big_endian_status=True)
        raw = bytes.fromhex("01 01 01 01 00 02 09 08 07 06 05 18")
        assert decode_adu(raw, profile=profile).objects[0].flags == ("fire_alarm",)
        assert encode_adu(decode_adu(raw, profile=profile), profile=profile) == raw


class TestDescriptions:
    def _with_description(self, padded: bytes) -> bytes:
        raw = bytearray(encode_adu(Adu(2, (SAMPLES[2],))))
        raw[11:42] = padded.ljust(31, b"\0")
        return bytes(raw)

    @pytest.mark.parametrize(
        "padding", [b"", b"\0" * 5, b"    ", b"   \0\0\0", b"\0garbage after the NUL"]
    )
    def test_padding_is_trimmed(self, padding):
        raw = self._with_description("三楼烟感".encode("gb18030") + padding)
        assert decode_adu(raw).objects[0].description == "三楼烟感"

    def test_full_31_bytes_without_padding(self):
        text = "一" * 15 + "A"  # 30 + 1 bytes
        assert (
            decode_adu(self._with_description(text.encode("gb18030"))).objects[0].description
            == text
        )

    def test_invalid_gb18030_is_replaced_not_raised(self):
        description = decode_adu(self._with_description(b"\x81\x20abc")).objects[0].description
        assert description.endswith("abc")

    def test_too_long_description_is_refused(self):
        with pytest.raises(EncodeError):
            encode_adu(Adu(2, (ComponentStatus(1, 1, 40, POINT, 0, "一" * 16, AT),)))

    @pytest.mark.parametrize("text", ["trailing ", "nul\0inside"])
    def test_text_that_would_not_read_back_is_refused(self, text):
        with pytest.raises(EncodeError):
            encode_adu(Adu(7, (ComponentConfiguration(1, 1, 40, POINT, text),)))

    def test_variable_length_configurations(self):
        """Type 6 objects differ in length: they cannot be split evenly (doc §5.1 item 7)."""
        adu = Adu(
            6,
            (
                SystemConfiguration(1, 1, "A"),
                SystemConfiguration(1, 2, "火灾报警控制器 8 回路"),
                SystemConfiguration(11, 1, ""),
            ),
        )
        assert decode_adu(encode_adu(adu)) == adu


class TestVendorTolerance:
    def test_short_component_status_without_description(self):
        """15-byte type 2 objects (富贝, doc §5) decode with an empty description."""
        obj = b"\x01\x01\x28" + POINT + b"\x02\x00" + AT.encode()
        adu = decode_adu(b"\x02\x02" + obj + obj)
        assert adu == Adu(2, (ComponentStatus(1, 1, 40, POINT, 2, "", AT),) * 2)

    def test_bcd_object_time_labels(self):
        profile = Profile(bcd_time=True)
        raw = encode_adu(
            Adu(1, (SystemStatus(1, 1, 2, TimeLabel(59, 59, 23, 31, 12, 99)),)), profile=profile
        )
        assert raw[-6:] == bytes.fromhex("595923311299")
        assert decode_adu(raw, profile=profile).objects[0].at == TimeLabel(59, 59, 23, 31, 12, 99)

    def test_user_defined_type_is_kept_raw(self):
        assert decode_adu(bytes.fromhex("86 02 aabbcc")) == RawAdu(0x86, 2, bytes.fromhex("aabbcc"))
        assert encode_adu(RawAdu(0x86, 2, bytes.fromhex("aabbcc"))) == bytes.fromhex("8602aabbcc")

    def test_empty_adu_is_none(self):
        assert decode_adu(b"") is None


class TestMalformed:
    @pytest.mark.parametrize(
        "raw",
        [
            "01",  # no count
            "01 01 01 01 03 00 09 08 07 06 05",  # one byte short
            "01 01 01 01 03 00 09 08 07 06 05 18 00",  # one byte over
            "01 02 01 01 03 00 09 08 07 06 05 18",  # count says 2
            "06 01 01 01 05 41 42",  # text length 5, 2 bytes
            "06 01 01 01 01 41 42",  # a byte after the last object
        ],
    )
    def test_layout_mismatch_is_an_adu_error(self, raw):
        with pytest.raises(AduError):
            decode_adu(bytes.fromhex(raw))

    def test_wrong_object_class_is_refused(self):
        with pytest.raises(EncodeError):
            encode_adu(Adu(2, (SAMPLES[1],)))

    def test_more_objects_than_table_3_allows(self):
        with pytest.raises(EncodeError):
            encode_adu(Adu(5, (SAMPLES[5], SAMPLES[5])))

    @pytest.mark.parametrize(
        "obj",
        [
            SystemStatus(256, 1, 0, AT),
            SystemStatus(1, 1, 0x10000, AT),
            ComponentAnalog(1, 1, 1, POINT, 3, 40000, AT),
            ComponentQuery(1, 1, b"\x01"),
        ],
    )
    def test_out_of_range_values_are_refused(self, obj):
        with pytest.raises(EncodeError):
            encode_adu(
                Adu(next(t for t, s in TYPES.items() if s.object_class is type(obj)), (obj,))
            )


class TestCommandBytes:
    def test_uploads_reads_and_controls(self):
        assert command_for(DataType.COMPONENT_STATUS) == Command.SEND
        assert command_for(DataType.READ_SYSTEM_STATUS) == Command.REQUEST
        assert command_for(DataType.READ_DEVICE_TIME) == Command.REQUEST
        assert command_for(DataType.SYNC_DEVICE_CLOCK) == Command.CONTROL
        assert command_for(DataType.DUTY_CHECK) == Command.CONTROL

    def test_profile_chooses_the_control_command(self):
        """shootingfans sends type 89 with command 4 (doc §5.1 item 9)."""
        assert command_for(DataType.INITIALIZE_DEVICE, Profile(control_command=4)) == 4

    def test_user_types_need_an_explicit_command(self):
        with pytest.raises(EncodeError):
            command_for(200)
        frame = adu_frame(
            RawAdu(200, 0, b""),
            serial=1,
            source=bytes(6),
            destination=bytes(6),
            sent_at=AT,
            command=130,
        )
        assert frame.command == 130

    def test_duty_check_frame(self):
        moment = datetime(2024, 5, 6, 7, 8, 9, tzinfo=CHINA_TIME)
        frame = adu_frame(
            Adu(91, (DutyCheck(10),)),
            serial=3,
            source=bytes(6),
            destination=b"\x0a" + bytes(5),
            sent_at=moment,
        )
        assert (frame.command, frame.adu, frame.sent_at) == (1, bytes.fromhex("5b010a"), AT)
