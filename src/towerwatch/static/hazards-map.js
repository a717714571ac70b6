/* TowerWatch hazard map: one marker per building with open hazards, coloured by the worst. */
(function () {
  "use strict";
  var el = document.getElementById("tw-hazard-map");
  if (!el) { return; }
  var map = L.map(el, { preferCanvas: true, maxZoom: 19, minZoom: 5 });
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  map.setView([29.29, 106.26], 11);
  var status = document.getElementById("tw-map-status");

  function colour(p) {  // [id, lat, lon, open, major, overdue, name]
    if (p[5] > 0) { return "#b71c1c"; }
    if (p[4] > 0) { return "#6a1b9a"; }
    return "#ef6c00";
  }

  function popup(p) {
    var box = document.createElement("div");
    var title = document.createElement("a");
    title.href = el.dataset.list + "?building=" + p[0] + "&is_open=true";
    title.textContent = p[6];
    title.className = "fw-semibold";
    box.appendChild(title);
    var line = document.createElement("div");
    line.className = "small";
    line.textContent = el.dataset.labelOpen + " " + p[3] + " · " + el.dataset.labelMajor + " " + p[4] +
      " · " + el.dataset.labelOverdue + " " + p[5];
    box.appendChild(line);
    return box;
  }

  fetch(el.dataset.regions, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
    L.geoJSON(geo, {
      style: function (f) {
        return { color: "#78909c", weight: f.properties.kind === "district" ? 2 : 1, fillOpacity: 0.03,
                 dashArray: f.properties.approximate ? "4 3" : null };
      },
      onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { sticky: true }); },
    }).addTo(map);
  });

  fetch(el.dataset.points, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 40 });
    var markers = data.points.map(function (p) {
      var m = L.circleMarker([p[1], p[2]], {
        radius: 5 + Math.min(6, p[3]), color: "#fff", weight: 1, fillColor: colour(p), fillOpacity: 0.9,
      });
      m.bindPopup(function () { return popup(p); });
      return m;
    });
    cluster.addLayers(markers);
    map.addLayer(cluster);
    if (status) { status.textContent = status.dataset.template.replace("N", data.points.length); }
    if (data.points.length) {
      map.fitBounds(L.latLngBounds(data.points.map(function (p) { return [p[1], p[2]]; })), { maxZoom: 15 });
    }
  });
})();
