// The case map: Leaflet with no tile layer. The basemap (country outlines) and the case's
// sites and placed claims are GeoJSON from the API; claims are circle markers coloured by
// credibility, with a popup holding the quote and the grade (built as DOM, never as HTML).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var status = document.getElementById("map-status");
  var caseBase = el.getAttribute("data-case-base");

  var STYLE = {
    high: { fillColor: "#1f3b57", color: "#ffffff", fillOpacity: 0.95 },
    medium: { fillColor: "#8fb3d9", color: "#1f3b57", fillOpacity: 0.95 },
    low: { fillColor: "#ffffff", color: "#6e6e6e", fillOpacity: 0.95 },
    ungraded: { fillColor: "#ffffff", color: "#9a9a9a", fillOpacity: 0.95, dashArray: "2 2" }
  };
  var AREA = /^(A\.PCL|L\.(RGN|CONT|AREA)|T\.PEN)/;
  var SITE = { color: "#a33a2b", weight: 2, fillColor: "#a33a2b", fillOpacity: 0.14 };

  function credClass(c) {
    if (typeof c !== "number") { return "ungraded"; }
    return c <= 2 ? "high" : (c === 3 ? "medium" : "low");
  }

  function el_(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function claimEntry(p) {
    var item = el_("div", "popup-claim");
    var head = el_("div", "popup-head");
    head.appendChild(el_("span", "grade cred-" + credClass(p.credibility), p.rating || "—"));
    head.appendChild(document.createTextNode(" " + (p.outlet || "") + (p.published ? " · " + p.published : "")));
    item.appendChild(head);
    item.appendChild(el_("blockquote", "quote small", p.quote));
    var link = el_("a", "small", (p.modality || "").replace(/_/g, " ") +
      (p.event_type ? " · " + p.event_type.replace(/_/g, " ") : "") + " — read it in the document");
    link.href = caseBase + "/documents/" + encodeURIComponent(p.document_id) + "?claim=" + encodeURIComponent(p.claim_id);
    item.appendChild(link);
    return item;
  }

  function placePopup(group) {
    var box = el_("div", "map-popup");
    var first = group[0];
    box.appendChild(el_("strong", null, (first.place || "place") + (first.site ? " (site " + first.site + ")" : "")));
    box.appendChild(el_("div", "muted small", group.length + " claim(s) name this place"));
    group.forEach(function (p) { box.appendChild(claimEntry(p)); });
    return box;
  }

  function sitePopup(p) {
    var box = el_("div", "map-popup");
    box.appendChild(el_("strong", null, p.name));
    box.appendChild(el_("div", "muted small", [p.site_kind, p.country].filter(Boolean).join(" · ")));
    if (p.notes) { box.appendChild(el_("div", "small", p.notes)); }
    return box;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(url + " answered " + r.status); }
        return r.json();
      });
  }

  var map = L.map(el, { zoomSnap: 0.25 });
  // Leaflet's default prefix links to its website: no link out of the workbench.
  map.attributionControl.setPrefix("Leaflet");
  var bbox = (el.getAttribute("data-bbox") || "").split(",").map(Number);
  if (bbox.length === 4 && bbox.every(isFinite)) {
    map.fitBounds([[bbox[1], bbox[0]], [bbox[3], bbox[2]]]);
  } else {
    map.setView([20, 0], 2);
  }

  Promise.all([getJSON(el.getAttribute("data-basemap")), getJSON(el.getAttribute("data-features"))])
    .then(function (results) {
      var basemap = results[0], features = results[1];
      L.geoJSON(basemap, {
        style: { color: "#6f8496", weight: 0.8, fillColor: "#fbfaf6", fillOpacity: 1 },
        interactive: false
      }).addTo(map);
      if (basemap.attribution) { map.attributionControl.addAttribution(basemap.attribution); }
      var sites = L.geoJSON(features, {
        filter: function (f) { return f.properties && f.properties.kind === "site"; },
        style: function (f) { return f.geometry.type === "Point" ? {} : SITE; },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: "#ffffff", weight: 2, fillColor: "#a33a2b", fillOpacity: 1 });
        },
        onEachFeature: function (f, layer) {
          layer.bindPopup(sitePopup(f.properties));
          layer.bindTooltip(f.properties.name, { permanent: true, direction: "right", className: "site-label" });
        }
      }).addTo(map);
      // One marker per place, drawn in the class of its most credible claim. A country or
      // region is not a point: a dot at its centre would invent a location (as in the brief).
      var groups = {}, order = [], areas = 0;
      features.features.forEach(function (f) {
        var p = f.properties || {};
        if (p.kind !== "claim" || !f.geometry || f.geometry.type !== "Point") { return; }
        if (AREA.test(p.place_feature || "")) { areas += 1; return; }
        var c = f.geometry.coordinates, key = c[1].toFixed(4) + "," + c[0].toFixed(4);
        if (!groups[key]) { groups[key] = []; order.push(key); }
        groups[key].push(p);
      });
      var claims = L.featureGroup().addTo(map);
      order.forEach(function (key) {
        var group = groups[key].sort(function (a, b) {
          return (a.credibility || 9) - (b.credibility || 9);
        });
        var best = group[0].credibility;
        var ll = key.split(",").map(Number);
        var marker = L.circleMarker(ll, Object.assign(
          { radius: Math.min(5 + 1.5 * Math.sqrt(group.length), 12), weight: 1.5 },
          STYLE[credClass(best)]
        ));
        marker.bindPopup(placePopup(group), { maxWidth: 380, maxHeight: 320 });
        marker.bindTooltip(group[0].place + " · " + group.length + " claim(s)");
        claims.addLayer(marker);
      });
      var n = order.reduce(function (sum, key) { return sum + groups[key].length; }, 0);
      if (status) {
        status.textContent = sites.getLayers().length + " site(s); " + n + " claim place(s) at " +
          order.length + " point(s)" + (areas ? "; " + areas + " naming only a country or region, not drawn." : ".");
      }
      el.setAttribute("data-ready", "true");
    })
    .catch(function (err) {
      if (status) { status.textContent = "The map data could not be loaded: " + err.message; }
      el.setAttribute("data-ready", "error");
    });
})();
