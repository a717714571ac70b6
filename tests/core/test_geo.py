"""WGS84 ↔ GCJ-02 conversion (towerwatch.core.geo)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from towerwatch.core.geo import gcj02_to_wgs84, in_china_rough, wgs84_to_gcj02

# Reference pairs from eviltransform's own test suite:
# https://github.com/googollee/eviltransform/blob/master/python/test.py (TESTS)
# Stored there as (wgsLat, wgsLng, gcjLat, gcjLng); rewritten here as (lon, lat) pairs.
EVILTRANSFORM_REFERENCE = [
    # (wgs lon, wgs lat), (gcj lon, gcj lat)
    pytest.param((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597), id="shanghai"),
    pytest.param((113.912316, 22.543847), (113.9171764808363, 22.540796131694766), id="shenzhen"),
    pytest.param((116.377817, 39.911954), (116.38404722455657, 39.91334545536069), id="beijing"),
]


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Haversine distance in metres between two (lon, lat) points (mean Earth radius)."""
    lon1, lat1 = map(math.radians, a)
    lon2, lat2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371008.8 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_REFERENCE)
def test_wgs84_to_gcj02_matches_reference(wgs, gcj):
    lon, lat = wgs84_to_gcj02(*wgs)
    # eviltransform asserts 6 decimal places; we match its values far more tightly.
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), EVILTRANSFORM_REFERENCE)
def test_gcj02_to_wgs84_matches_reference(wgs, gcj):
    # eviltransform's gcj2wgs_exact test requires < 0.5 m; ours is iterative too.
    assert distance_m(gcj02_to_wgs84(*gcj), wgs) < 0.5


def test_round_trip_grid_across_china():
    worst = 0.0
    for lon10 in range(735, 1350, 15):  # 73.5°E … 134.9°E
        for lat10 in range(185, 535, 10):  # 18.5°N … 53.4°N
            wgs = (lon10 / 10, lat10 / 10)
            assert in_china_rough(*wgs)
            back = gcj02_to_wgs84(*wgs84_to_gcj02(*wgs))
            worst = max(worst, distance_m(back, wgs))
    assert worst < 0.5


@settings(max_examples=300, deadline=None)
@given(
    lon=st.floats(min_value=73.0, max_value=135.0, allow_nan=False),
    lat=st.floats(min_value=18.0, max_value=53.5, allow_nan=False),
)
def test_round_trip_property(lon, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat))
    assert distance_m(back, (lon, lat)) < 0.5


def test_inverse_beats_one_step_approximation():
    # A GCJ point picked on a map converts back to a WGS84 point whose forward image is
    # the same GCJ point (to millimetres), which the one-step approximation does not reach.
    gcj = (106.5516, 29.5630)
    assert distance_m(wgs84_to_gcj02(*gcj02_to_wgs84(*gcj)), gcj) < 0.01
    shifted = wgs84_to_gcj02(*gcj)
    one_step = (2 * gcj[0] - shifted[0], 2 * gcj[1] - shifted[1])
    assert distance_m(wgs84_to_gcj02(*one_step), gcj) > 0.5


@pytest.mark.parametrize(
    "point",
    [
        pytest.param((-0.1276, 51.5072), id="london"),
        pytest.param((139.6917, 35.6895), id="tokyo"),
        pytest.param((-74.0060, 40.7128), id="new-york"),
        pytest.param((151.2093, -33.8688), id="sydney"),
        pytest.param((103.8198, 0.3521), id="south-of-box"),
        pytest.param((37.6173, 55.7558), id="moscow"),
    ],
)
def test_outside_china_unchanged(point):
    assert not in_china_rough(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_in_china_rough_box():
    assert in_china_rough(106.5516, 29.5630)  # Chongqing
    assert in_china_rough(72.004, 0.8293)  # corners are inclusive
    assert in_china_rough(137.8347, 55.8271)
    assert not in_china_rough(72.003, 30.0)
    assert not in_china_rough(110.0, 55.83)


def test_chongqing_offset_is_a_few_hundred_metres():
    # Jiefangbei, Yuzhong District, Chongqing (WGS84).
    wgs = (106.5775, 29.5574)
    offset = distance_m(wgs84_to_gcj02(*wgs), wgs)
    assert 300 < offset < 700
