"""WGS84 ↔ GCJ-02 coordinate conversion (the Chinese "Mars" offset).

Chinese commercial map tiles (AutoNavi/Gaode, Tencent and most others licensed in mainland
China) are drawn in GCJ-02, an obfuscated datum that shifts WGS84 positions by a few hundred
metres in a non-linear way.  A building surveyed with GPS (WGS84) must be converted before it
is placed on such tiles, and a point picked on such tiles must be converted back before it is
stored.

This is the standard, widely published algorithm on the Krasovsky 1940 ellipsoid
(a = 6378245.0 m, e² = 0.00669342162296594323), as found in the public-domain / permissively
licensed reference implementations:

* eviltransform — https://github.com/googollee/eviltransform (MIT)
* PRCoords — https://github.com/Artoria2e5/PRCoords (CC0)

The forward transform is exact with respect to that published algorithm (the real GCJ-02
encoder additionally adds a little pseudo-random noise, which nobody outside can reproduce).
The inverse has no closed form; :func:`gcj02_to_wgs84` solves it by fixed-point iteration
(the "Caijun 2014" method used by PRCoords), reaching millimetre accuracy in a few steps,
rather than the one-step approximation that can be off by a metre or more.

All functions take and return ``(lon, lat)`` in decimal degrees, matching GeoJSON and
Leaflet's ``[lng, lat]`` order used elsewhere in TowerWatch.
"""

from __future__ import annotations

import math

__all__ = ["gcj02_to_wgs84", "in_china_rough", "wgs84_to_gcj02"]

# Krasovsky 1940 ellipsoid, as used by GCJ-02.
_A = 6378245.0
_EE = 0.00669342162296594323  # first eccentricity squared: f = 1/298.3, e² = 2f − f²

# Iteration settings for the inverse: stop once the forward image of the estimate is within
# this many degrees (~1 mm) of the target, or after this many rounds.
_INVERSE_EPS_DEG = 1e-8
_INVERSE_MAX_ITER = 30


def in_china_rough(lon: float, lat: float) -> bool:
    """Return True if the point lies in the rough mainland-China bounding box.

    This is the customary rectangular test shared by eviltransform and PRCoords
    (lon 72.004…137.8347, lat 0.8293…55.8271).  It is deliberately crude: it also covers
    parts of neighbouring countries (and Hong Kong, Macau, Taiwan), which is what every
    GCJ-02 consumer expects, since tile providers apply the same test.
    """
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def _offset_m(x: float, y: float) -> tuple[float, float]:
    """Return the raw GCJ-02 distortion ``(d_lon, d_lat)`` in metres of arc.

    ``x`` and ``y`` are the longitude and latitude relative to the reference point
    (105°E, 35°N).
    """
    abs_x_sqrt = math.sqrt(abs(x))
    x_pi = x * math.pi
    y_pi = y * math.pi
    # Oscillating term shared by both axes.
    common = 20.0 * math.sin(6.0 * x_pi) + 20.0 * math.sin(2.0 * x_pi)

    d_lat = common
    d_lat += 20.0 * math.sin(y_pi) + 40.0 * math.sin(y_pi / 3.0)
    d_lat += 160.0 * math.sin(y_pi / 12.0) + 320.0 * math.sin(y_pi / 30.0)
    d_lat *= 2.0 / 3.0
    d_lat += -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs_x_sqrt

    d_lon = common
    d_lon += 20.0 * math.sin(x_pi) + 40.0 * math.sin(x_pi / 3.0)
    d_lon += 150.0 * math.sin(x_pi / 12.0) + 300.0 * math.sin(x_pi / 30.0)
    d_lon *= 2.0 / 3.0
    d_lon += 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs_x_sqrt

    return d_lon, d_lat


def _delta_deg(lon: float, lat: float) -> tuple[float, float]:
    """Return the GCJ-02 shift ``(d_lon, d_lat)`` in degrees at a WGS84 point.

    No in-China test is applied here; callers decide.
    """
    d_lon_m, d_lat_m = _offset_m(lon - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    # Length of one degree of latitude (meridional radius of curvature) and of longitude
    # (prime-vertical radius × cos φ) on the Krasovsky ellipsoid, in metres.
    lat_deg_len = math.radians(_A * (1.0 - _EE) / (magic * sqrt_magic))
    lon_deg_len = math.radians(_A / sqrt_magic * math.cos(rad_lat))
    return d_lon_m / lon_deg_len, d_lat_m / lat_deg_len


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """Convert a WGS84 ``(lon, lat)`` to GCJ-02.

    Points outside the rough China box (:func:`in_china_rough`) are returned unchanged,
    as GCJ-02 tiles do not shift them either.
    """
    if not in_china_rough(lon, lat):
        return lon, lat
    d_lon, d_lat = _delta_deg(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """Convert a GCJ-02 ``(lon, lat)`` back to WGS84, accurate to well under 0.5 m.

    Starts from the usual one-step approximation (subtract the shift evaluated at the GCJ
    point) and then refines by fixed-point iteration: move the estimate by however far its
    forward image misses the target.  The shift field varies slowly, so each round shrinks
    the error by a factor of ~10⁴ and two or three rounds reach millimetres.

    Points outside the rough China box are returned unchanged, mirroring
    :func:`wgs84_to_gcj02`.
    """
    if not in_china_rough(lon, lat):
        return lon, lat
    d_lon, d_lat = _delta_deg(lon, lat)
    est_lon, est_lat = lon - d_lon, lat - d_lat
    for _ in range(_INVERSE_MAX_ITER):
        # Forward-transform the estimate without the in-China test, so points right at the
        # edge of the box still converge.
        d_lon, d_lat = _delta_deg(est_lon, est_lat)
        err_lon = est_lon + d_lon - lon
        err_lat = est_lat + d_lat - lat
        est_lon -= err_lon
        est_lat -= err_lat
        if abs(err_lon) < _INVERSE_EPS_DEG and abs(err_lat) < _INVERSE_EPS_DEG:
            break
    return est_lon, est_lat
