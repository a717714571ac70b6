/* TowerWatch maps: Leaflet, optional tiles, region boundaries, clustered building markers. */
(function () {
  "use strict";
  var COLOURS = { class1: "#c62828", class2: "#ef6c00", none: "#607d8b" };

  function baseMap(el, tiles, attribution) {
    var map = L.map(el, { preferCanvas: true, maxZoom: 19, minZoom: 5 });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: attribution || "" }).addTo(map);
    }
    return map;
  }

  function dot(lat, lon, cls) {
    return L.circleMarker([lat, lon], {
      radius: 6, color: "#fff", weight: 1, fillColor: COLOURS[cls] || COLOURS.none, fillOpacity: 0.9,
    });
  }

  // A building's own map tab.
  var mini = document.getElementById("tw-building-map");
  if (mini) {
    var shown = false;
    var show = function () {
      if (shown) { return; }
      shown = true;
      var lat = parseFloat(mini.dataset.lat), lon = parseFloat(mini.dataset.lon);
      var map = baseMap(mini, mini.dataset.tiles, "");
      map.setView([lat, lon], 16);
      dot(lat, lon, "class1").addTo(map);
      L.circle([lat, lon], { radius: 150, color: "#c62828", weight: 1, fill: false }).addTo(map);
    };
    var tab = document.getElementById("tw-map-tab");
    if (tab) { tab.addEventListener("shown.bs.tab", show); }
    if (mini.offsetParent !== null) { show(); }
  }

  // The buildings map page.
  var el = document.getElementById("tw-map");
  if (!el) { return; }
  var map = baseMap(el, el.dataset.tiles, el.dataset.attribution);
  map.setView([29.29, 106.26], 11);
  var status = document.getElementById("tw-map-status");

  fetch(el.dataset.regions, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
    var layer = L.geoJSON(geo, {
      style: function (f) {
        return { color: f.properties.kind === "district" ? "#37474f" : "#78909c", weight: f.properties.kind === "district" ? 2 : 1,
                 fillOpacity: 0.04, dashArray: f.properties.approximate ? "4 3" : null };
      },
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { sticky: true }); },
    }).addTo(map);
    if (layer.getLayers().length) { map.fitBounds(layer.getBounds()); }
  });

  fetch(el.dataset.points, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 50 });
    var markers = data.points.map(function (p) {
      var m = dot(p[1], p[2], p[3]);
      m.bindPopup(function () {
        var box = document.createElement("div");
        box.textContent = "…";
        fetch(el.dataset.card.replace("/0/", "/" + p[0] + "/"), { credentials: "same-origin" })
          .then(function (r) { return r.text(); }).then(function (html) { box.innerHTML = html; });
        return box;
      });
      return m;
    });
    cluster.addLayers(markers);
    map.addLayer(cluster);
    if (status) { status.textContent = status.dataset.template.replace("N", data.points.length); }
    // Bounds from the data: with chunked loading the cluster layer fills in after this line.
    if (data.points.length) {
      map.fitBounds(L.latLngBounds(data.points.map(function (p) { return [p[1], p[2]]; })), { maxZoom: 15 });
    }
  });
})();
