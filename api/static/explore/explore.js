// The explorer: a zoomable map of who held each city and town on a day, the spread as a stacked
// area chart under the slider, the Constituent Assembly vote as a layer, a panel for the current
// selection (a place's control timeline, a party's places, a district's vote), a large network
// view and a search box; all fed by revgraph's public API (/graphql and /export/*), as any
// visualisation builder's app could be. The URL holds the view, so it can be shared, reloaded,
// and walked with back and forward.
(function () {
  "use strict";

  var $ = function (id) { return document.getElementById(id); };
  var QUERIES = JSON.parse($("queries").textContent);
  var SETTINGS = JSON.parse($("settings").textContent);
  var SVG_NS = "http://www.w3.org/2000/svg";

  // Okabe & Ito, "Color Universal Design" (2008): eight colours that readers with any common
  // colour-vision deficiency tell apart. One per side; places without data get no colour at
  // all (a grey cross), so they cannot be taken for a side.
  var OKABE_ITO = { black: "#000000", orange: "#E69F00", skyBlue: "#56B4E9",
                    bluishGreen: "#009E73", yellow: "#F0E442", blue: "#0072B2",
                    vermillion: "#D55E00", reddishPurple: "#CC79A7" };
  var SIDES = [
    { key: "RED", name: "Red (Soviet power)", colour: OKABE_ITO.vermillion },
    { key: "WHITE", name: "White", colour: OKABE_ITO.blue },
    { key: "NATIONAL", name: "National governments", colour: OKABE_ITO.skyBlue },
    { key: "FOREIGN", name: "Foreign powers", colour: OKABE_ITO.reddishPurple },
    { key: "GREEN", name: "Green (peasant armies, anarchists)", colour: OKABE_ITO.bluishGreen },
    { key: "PROVISIONAL", name: "Provisional Government", colour: OKABE_ITO.yellow },
    { key: "OTHER", name: "Other", colour: OKABE_ITO.orange },
    { key: "CONTESTED", name: "Several sides at once", colour: OKABE_ITO.black }
  ];
  var SIDE = {};
  SIDES.forEach(function (s) { SIDE[s.key] = s; });
  // The vote layer's lists, by their votes in the data: the same palette in another order,
  // drawn while the sides are faded; the rest are "other lists".
  var PARTY_COLOURS = [OKABE_ITO.bluishGreen, OKABE_ITO.vermillion, OKABE_ITO.blue,
                       OKABE_ITO.orange, OKABE_ITO.reddishPurple, OKABE_ITO.skyBlue];
  var OTHER_LISTS = "#bdbdbd";
  // The network's kinds: a colour and a shape each, so that colour is never the only cue.
  var TYPE_STYLE = {
    Place: [OKABE_ITO.bluishGreen, "ellipse"], Party: [OKABE_ITO.vermillion, "round-rectangle"],
    Person: [OKABE_ITO.orange, "ellipse"], Organization: [OKABE_ITO.blue, "round-rectangle"],
    Soviet: [OKABE_ITO.reddishPurple, "hexagon"], Event: [OKABE_ITO.skyBlue, "diamond"],
    Source: ["#8c8c8c", "rectangle"], Control: [OKABE_ITO.yellow, "round-triangle"],
    Composition: ["#d9d9d9", "round-triangle"], Role: ["#d9d9d9", "round-tag"],
    Participation: ["#d9d9d9", "round-tag"], Figure: ["#d9d9d9", "vee"],
    Claim: ["#595959", "star"], Vote: ["#d9d9d9", "vee"]
  };
  var SETTLEMENTS = {}, FACTS = {};  // the kinds of place the map draws; the kinds of fact
  SETTINGS.settlements.forEach(function (k) { SETTLEMENTS[k] = true; });
  SETTINGS.facts.forEach(function (k) { FACTS[k] = true; });

  // The slider's range: 1 February 1917 O.S. (14 February N.S.) to the end of 1922.
  var FIRST = "1917-02-14", LAST = "1922-12-31", DEFAULT_DAY = "1917-11-07";
  var DAY_MS = 86400000;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];

  var state = { day: DEFAULT_DAY, calendar: "julian", entity: null, info: null, network: false,
                depth: 2, votes: false, playing: null, hiddenKinds: {} };

  // -- dates ------------------------------------------------------------------------------
  function toDate(isoDay) { return new Date(isoDay + "T00:00:00Z"); }
  function iso(d) { return d.toISOString().slice(0, 10); }
  function addDays(isoDay, n) { return iso(new Date(toDate(isoDay).getTime() + n * DAY_MS)); }
  function daysBetween(a, b) { return Math.round((toDate(b) - toDate(a)) / DAY_MS); }
  // Between 1 March 1900 and 28 February 2100 the Julian calendar is exactly 13 days behind
  // the Gregorian, which covers the whole slider; the API does the general case itself.
  function julianOf(gregorian) { return addDays(gregorian, -13); }
  function gregorianOf(julian) { return addDays(julian, 13); }
  function words(isoDay) {
    var p = isoDay.split("-");
    return Number(p[2]) + " " + MONTHS[Number(p[1]) - 1] + " " + p[0];
  }
  function inCalendar(day, calendar) { return calendar === "julian" ? julianOf(day) : day; }
  function dayInCalendar() { return inCalendar(state.day, state.calendar); }
  function bothCalendars(day) {
    return words(julianOf(day)) + " O.S. (" + words(day) + " N.S.)";
  }
  function spoken(day) {
    return state.calendar === "julian" ? words(julianOf(day)) + " O.S." : words(day) + " N.S.";
  }
  function daysInMonth(y, m, calendar) {
    if (m !== 2) { return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]; }
    var leap = calendar === "julian" ? y % 4 === 0 : (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
    return leap ? 29 : 28;
  }
  var CAL_NAME = { julian: "Julian (Old Style)", gregorian: "Gregorian (New Style)" };
  // A date typed in the calendar the slider speaks: the Gregorian day, or what is wrong with it.
  function readDay(text, calendar) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec((text || "").trim());
    if (!m) { return { error: "Write the date as yyyy-mm-dd, for example 1917-10-25." }; }
    var y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
    if (mo < 1 || mo > 12) { return { error: text + " has no month " + m[2] + ": months run 01 to 12." }; }
    var most = daysInMonth(y, mo, calendar);
    if (d < 1 || d > most) {
      return { error: text + " does not exist: " + MONTHS[mo - 1] + " " + y + " has " + most +
               " days in the " + CAL_NAME[calendar] + " calendar." };
    }
    var day = calendar === "julian" ? gregorianOf(m[0]) : m[0];
    if (day < FIRST || day > LAST) {
      return { error: text + " is outside the slider: from " + words(julianOf(FIRST)) +
               " O.S. to " + words(LAST) + " N.S." };
    }
    return { day: day };
  }

  // -- the API ------------------------------------------------------------------------------
  // A busy API answers 503 with Retry-After: wait as it says (a few times), then give up.
  function fetchRetry(url, init, tries) {
    tries = tries == null ? 4 : tries;
    return fetch(url, init).then(function (r) {
      if (r.status !== 503 || tries <= 0) { return r; }
      var wait = Math.min(10, Number(r.headers.get("Retry-After")) || 2);
      $("status").textContent = "The API is busy; trying again in " + wait + " s…";
      return new Promise(function (resolve) { setTimeout(resolve, wait * 1000); })
        .then(function () { return fetchRetry(url, init, tries - 1); });
    });
  }
  function graphql(name, variables) {
    return fetchRetry("/graphql", {
      method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: QUERIES[name], variables: variables })
    }).then(function (r) { return r.json(); }).then(function (body) {
      if (body.errors) { throw new Error(body.errors.map(function (e) { return e.message; }).join("; ")); }
      return body.data;
    });
  }
  function playgroundLink(name, variables) {
    return "/graphql#query=" + encodeURIComponent(QUERIES[name]) +
           "&variables=" + encodeURIComponent(JSON.stringify(variables, null, 2));
  }
  function exportLink(file, params) {
    var q = new URLSearchParams();
    Object.keys(params).forEach(function (k) { if (params[k] != null) { q.set(k, params[k]); } });
    var s = q.toString();
    return "/export/" + file + (s ? "?" + s : "");
  }
  function dayParams() { return { on: dayInCalendar(), calendar: state.calendar }; }

  // -- the URL holds the view -----------------------------------------------------------------
  // on, calendar, entity, panel=network (with depth), layer=votes and zoom=k/lon/lat: a shared
  // or reloaded URL opens the same picture. Discrete steps (a selection, a panel, a typed date,
  // a click on the chart) are pushed, so back and forward walk them; the slider, play and the
  // zoom replace the current entry.
  var applying = false;
  function viewURL() {
    var q = new URLSearchParams();
    q.set("on", dayInCalendar());
    q.set("calendar", state.calendar);
    if (state.entity) { q.set("entity", state.entity); }
    if (state.network) {
      q.set("panel", "network");
      if (state.depth !== 2) { q.set("depth", String(state.depth)); }
    }
    if (state.votes) { q.set("layer", "votes"); }
    var z = zoomParam();
    if (z) { q.set("zoom", z); }
    return location.pathname + "?" + q.toString().replace(/%2F/g, "/");
  }
  function remember(how) {
    if (applying || !map.ready) { return; }
    var url = viewURL();
    if (url === location.pathname + location.search) { return; }
    if (how === "push") { history.pushState(null, "", url); } else { history.replaceState(null, "", url); }
  }
  function applyURL() {
    applying = true;
    try {
      var q = new URLSearchParams(location.search);
      setCalendar(q.get("calendar") === "gregorian" ? "gregorian" : "julian");
      var day = DEFAULT_DAY, error = null;
      if (q.get("on")) {
        var read = readDay(q.get("on"), state.calendar);
        if (read.error) { error = "The link's date: " + read.error; } else { day = read.day; }
      }
      var depth = Number(q.get("depth"));
      state.depth = depth >= 1 && depth <= 3 ? depth : 2;
      $("depth").value = String(state.depth);
      setVotes(q.get("layer") === "votes");
      setDay(day, {});
      if (error) { showDateError(error); }
      applyZoom(q.get("zoom"));
      var entity = q.get("entity") || null;
      if (entity !== state.entity) { if (entity) { select(entity, {}); } else { unselect(); } }
      if (q.get("panel") === "network" && state.entity) { openNetwork(); } else { closeNetwork(); }
    } finally {
      applying = false;
    }
  }

  // -- the map --------------------------------------------------------------------------------
  var map = { svg: $("map"), ready: false, t: d3.zoomIdentity, features: [], byId: {} };

  function holding(feature, day) {
    // Each period carries the days it may hold on, as the API decides them (docs/model.md,
    // "Time"): no rule of its own here.
    return feature.properties.control.filter(function (p) {
      return (!p.firstDay || p.firstDay <= day) && (!p.lastDay || p.lastDay >= day);
    });
  }
  function sideOf(periods) {
    var sides = Array.from(new Set(periods.map(function (p) { return p.alignment; })));
    if (sides.length === 0) { return null; }
    return sides.length === 1 ? sides[0] : "CONTESTED";
  }
  function svgEl(name, attrs, parent) {
    var el = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (k) { el.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(el); }
    return el;
  }
  var CROSS = "M-3.5,-3.5L3.5,3.5M-3.5,3.5L3.5,-3.5";

  function buildMap(world, places) {
    var box = map.svg.getBoundingClientRect();
    var width = Math.max(320, box.width), height = Math.max(240, box.height);
    map.width = width;
    map.height = height;
    map.svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    places.forEach(function (f) { map.byId[f.id] = f; });
    map.features = places.filter(function (f) { return SETTLEMENTS[f.properties.kind]; });
    var projection = d3.geoConicConformal().rotate([-70, 0]).parallels([45, 65]);
    projection.fitExtent([[30, 60], [width - 100, height - 20]], { type: "MultiPoint",
      coordinates: map.features.map(function (f) { return f.geometry.coordinates; }) });
    map.projection = projection;
    var path = d3.geoPath(projection);
    map.land = svgEl("g", { "class": "land" }, map.svg);
    topojson.feature(world, world.objects.countries).features.forEach(function (c) {
      svgEl("path", { "class": "country", d: path(c) || "" }, map.land);
    });
    map.votesLayer = svgEl("g", { "class": "votes" });
    var marks = svgEl("g", { "class": "places" }, map.svg);
    map.svg.appendChild(map.votesLayer);
    map.labels = svgEl("g", { "class": "labels", "aria-hidden": "true" }, map.svg);
    map.features.forEach(function (f) {
      f.xy = projection(f.geometry.coordinates);
      var g = svgEl("g", { "class": "place", role: "button", tabindex: "-1", "data-id": f.id,
                           "data-kind": f.properties.kind }, marks);
      var r = f.properties.kind === "city" ? 5 : 4;
      svgEl("circle", { "class": "halo", r: r + 5 }, g);
      svgEl("circle", { "class": "ring", r: r + 3 }, g);
      f.dot = svgEl("circle", { "class": "mark", r: r }, g);
      f.cross = svgEl("path", { "class": "none", d: CROSS }, g);
      f.title = svgEl("title", {}, g);
      g.addEventListener("click", function () { select(f.id, { record: true }); });
      g.addEventListener("focus", function () { rove(f); });
      f.g = g;
      f.label = svgEl("text", { "class": "label", visibility: "hidden", "data-id": f.id }, map.labels);
      f.label.textContent = f.properties.name;
    });
    map.features.forEach(function (f) { f.labelWidth = f.label.getComputedTextLength(); });
    // Which labels win where they would overlap: the selection, cities, then the places the
    // graph says most about.
    map.features.forEach(function (f) {
      f.rank = (f.properties.kind === "city" ? 1000 : 0) + f.properties.control.length * 10 +
               Math.min(f.properties.mentions || 0, 9);
    });
    map.byRank = map.features.slice().sort(function (a, b) { return b.rank - a.rank; });
    rove(map.byRank[0]);
    map.zoom = d3.zoom().scaleExtent([1, 48])
      .translateExtent([[-width * 0.25, -height * 0.25], [width * 1.25, height * 1.25]])
      .on("zoom", function (event) { map.t = event.transform; drawZoom(); })
      .on("end", function () { remember("replace"); });
    d3.select(map.svg).call(map.zoom);
    map.svg.addEventListener("keydown", mapKeys);
    drawZoom();
  }

  function drawZoom() {
    var t = map.t;
    map.land.setAttribute("transform", t.toString());
    var grow = Math.min(1.8, 1 + 0.22 * Math.log2(t.k));
    map.features.forEach(function (f) {
      f.sx = t.applyX(f.xy[0]);
      f.sy = t.applyY(f.xy[1]);
      f.g.setAttribute("transform", "translate(" + f.sx.toFixed(1) + "," + f.sy.toFixed(1) +
                       ") scale(" + grow.toFixed(3) + ")");
    });
    positionVotes();
    scheduleLabels();
  }
  var labelFrame = null;
  function scheduleLabels() {
    if (labelFrame) { return; }
    labelFrame = requestAnimationFrame(function () { labelFrame = null; placeLabels(); });
  }
  // Labels appear as you zoom: each is placed, best first, where it overlaps no other.
  function placeLabels() {
    var taken = [];
    var order = map.byRank.slice();
    var sel = state.entity && map.byId[state.entity];
    if (sel && sel.label) { order.unshift(sel); }
    var seen = {};
    order.forEach(function (f) {
      if (seen[f.id]) { return; }
      seen[f.id] = true;
      var x = f.sx + 8, y = f.sy + 4;
      var box = [x - 1, y - 10, x + f.labelWidth + 1, y + 3];
      var inside = f.sx > 0 && f.sx < map.width && f.sy > 0 && f.sy < map.height;
      var free = inside && !taken.some(function (b) {
        return box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1];
      });
      f.label.setAttribute("visibility", free ? "visible" : "hidden");
      f.label.classList.toggle("selected", f === sel);
      if (free) {
        f.label.setAttribute("x", x.toFixed(1));
        f.label.setAttribute("y", y.toFixed(1));
        taken.push(box);
      }
    });
    var shown = map.features.filter(function (f) { return f.label.getAttribute("visibility") === "visible"; });
    map.svg.dataset.labels = shown.length;
  }

  function zoomParam() {
    var t = map.t;
    if (!map.ready || t.k < 1.01) { return null; }
    var centre = map.projection.invert(t.invert([map.width / 2, map.height / 2]));
    return t.k.toFixed(2) + "/" + centre[0].toFixed(2) + "/" + centre[1].toFixed(2);
  }
  function transformAt(k, lonlat) {
    var xy = map.projection(lonlat);
    return d3.zoomIdentity.translate(map.width / 2, map.height / 2).scale(k)
      .translate(-xy[0], -xy[1]);
  }
  function applyZoom(param) {
    var parts = (param || "").split("/").map(Number);
    var t = parts.length === 3 && parts.every(isFinite) ?
      transformAt(Math.max(1, Math.min(48, parts[0])), [parts[1], parts[2]]) : d3.zoomIdentity;
    d3.select(map.svg).call(map.zoom.transform, t);
  }
  function zoomBy(factor) {
    d3.select(map.svg).transition().duration(250).call(map.zoom.scaleBy, factor);
  }
  function zoomTo(f) {
    var k = Math.max(map.t.k, 4);
    d3.select(map.svg).transition().duration(400)
      .call(map.zoom.transform, transformAt(k, f.geometry.coordinates));
  }

  // The places take one tab stop: arrow keys move to the nearest place that way, Enter selects.
  function rove(f) {
    if (map.focus && map.focus !== f) { map.focus.g.setAttribute("tabindex", "-1"); }
    map.focus = f;
    f.g.setAttribute("tabindex", "0");
  }
  var ARROWS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  function mapKeys(e) {
    var f = map.focus;
    if (ARROWS[e.key] && f) {
      var d = ARROWS[e.key], best = null, bestScore = Infinity;
      map.features.forEach(function (g) {
        var dx = g.sx - f.sx, dy = g.sy - f.sy;
        var along = dx * d[0] + dy * d[1], across = Math.abs(dx * d[1] - dy * d[0]);
        if (g === f || along <= 0 || across > along * 2) { return; }
        var score = along + across * 2;
        if (score < bestScore) { bestScore = score; best = g; }
      });
      if (best) {
        rove(best);
        best.g.focus();
        if (best.sx < 0 || best.sx > map.width || best.sy < 0 || best.sy > map.height) { zoomTo(best); }
      }
      e.preventDefault();
    } else if ((e.key === "Enter" || e.key === " ") && f && document.activeElement === f.g) {
      select(f.id, { record: true });
      e.preventDefault();
    } else if (e.key === "+" || e.key === "=") {
      zoomBy(1.6);
    } else if (e.key === "-" || e.key === "_") {
      zoomBy(1 / 1.6);
    }
  }

  function colourMap() {
    var counts = {};
    var held = state.held || {};
    map.features.forEach(function (f) {
      var periods = holding(f, state.day);
      var side = sideOf(periods);
      var disputed = periods.length > 1 || periods.some(function (p) { return p.disputed; });
      f.g.dataset.alignment = side || "NONE";
      f.dot.setAttribute("fill", side ? SIDE[side].colour : "none");
      f.dot.style.display = side ? "" : "none";
      f.cross.style.display = side ? "none" : "";
      f.g.classList.toggle("disputed", disputed);
      f.g.classList.toggle("selected", state.entity === f.id);
      f.g.classList.toggle("held-by-party", !!held[f.id]);
      var says = f.properties.name + ": " + (periods.length ?
        periods.map(function (p) {
          return (p.controller ? p.controller.name : "?") + " (" + SIDE[p.alignment].name + ")";
        }).join(" and ") + (disputed ? ", disputed" : "") : "no control data on this day");
      f.title.textContent = says;
      f.g.setAttribute("aria-label", says);
      var key = side || "NONE";
      counts[key] = (counts[key] || 0) + 1;
      if (disputed) { counts.disputed = (counts.disputed || 0) + 1; }
    });
    showLegend(counts);
  }

  function swatch(kind, colour) {
    var svg = svgEl("svg", { viewBox: "-7 -7 14 14", "aria-hidden": "true" });
    if (kind === "none") {
      svgEl("path", { d: CROSS, stroke: "#5c6470", "stroke-width": 1.6, fill: "none" }, svg);
    } else if (kind === "ring") {
      svgEl("circle", { r: 3, fill: "#fff", stroke: "#1a1a1a", "stroke-width": 0.9 }, svg);
      svgEl("circle", { r: 6, fill: "none", stroke: "#000", "stroke-width": 1.4,
                        "stroke-dasharray": "2.5 1.8" }, svg);
    } else if (kind === "square") {
      svgEl("rect", { x: -5, y: -5, width: 10, height: 10, fill: colour, stroke: "#333" }, svg);
    } else {
      svgEl("circle", { r: 5, fill: colour, stroke: "#1a1a1a", "stroke-width": 0.9 }, svg);
    }
    return svg;
  }
  function legendRow(list, id, icon, text, count) {
    var li = document.createElement("li");
    li.id = id;
    if (count != null) { li.dataset.count = count; }
    li.appendChild(icon);
    li.appendChild(document.createTextNode(text + (count != null ? ": " + count : "")));
    list.appendChild(li);
  }
  function showLegend(counts) {
    var list = $("legend-sides");
    list.textContent = "";
    SIDES.forEach(function (s) {
      legendRow(list, "count-" + s.key, swatch("dot", s.colour), s.name, counts[s.key] || 0);
    });
    legendRow(list, "count-NONE", swatch("none"), "No control data", counts.NONE || 0);
    legendRow(list, "count-disputed", swatch("ring"), "Disputed (dashed ring)", counts.disputed || 0);
  }

  // -- the spread as a picture: a stacked area chart under the slider -------------------------
  var chart = { svg: $("chart") };
  // The places each side held on every day of the slider, from the same periods as the map.
  function tally() {
    var n = daysBetween(FIRST, LAST) + 1;
    var rows = [];
    for (var i = 0; i < n; i++) {
      var row = { day: addDays(FIRST, i) };
      SIDES.forEach(function (s) { row[s.key] = 0; });
      rows.push(row);
    }
    map.features.forEach(function (f) {
      // Per day, which sides hold (each period's firstDay/lastDay as the API gives them).
      var sides = [];
      f.properties.control.forEach(function (p) {
        var lo = p.firstDay ? Math.max(0, daysBetween(FIRST, p.firstDay)) : 0;
        var hi = p.lastDay ? Math.min(n - 1, daysBetween(FIRST, p.lastDay)) : n - 1;
        for (var d = lo; d <= hi; d++) {
          if (!sides[d]) { sides[d] = p.alignment; } else if (sides[d] !== p.alignment) { sides[d] = "CONTESTED"; }
        }
      });
      sides.forEach(function (side, d) { if (side) { rows[d][side] += 1; } });
    });
    return rows;
  }
  function buildChart() {
    chart.rows = tally();
    chart.index = {};
    chart.rows.forEach(function (r, i) { chart.index[r.day] = i; });
    chart.series = d3.stack().keys(SIDES.map(function (s) { return s.key; }))(chart.rows);
    drawChart();
    chart.svg.addEventListener("click", function (e) {
      var day = dayAt(e);
      if (day) { setDay(day, { record: "push" }); }
    });
    chart.svg.addEventListener("mousemove", function (e) {
      var day = dayAt(e);
      if (!day) { return; }
      chart.hover.setAttribute("x1", chart.x(toDate(day)));
      chart.hover.setAttribute("x2", chart.x(toDate(day)));
      chart.hover.style.display = "";
      chart.tip.textContent = spoken(day) + ": " + countsText(chart.index[day]);
    });
    chart.svg.addEventListener("mouseleave", function () { chart.hover.style.display = "none"; });
  }
  function dayAt(e) {
    var box = chart.svg.getBoundingClientRect();
    var x = (e.clientX - box.left) * (chart.width / box.width);
    var day = iso(chart.x.invert(x));
    return day < FIRST ? FIRST : day > LAST ? LAST : day;
  }
  function drawChart() {
    var box = chart.svg.getBoundingClientRect();
    var width = Math.max(200, box.width), height = Math.max(60, box.height);
    chart.width = width;
    chart.svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    Array.from(chart.svg.querySelectorAll("g, line")).forEach(function (el) { el.remove(); });
    // The slider's thumb runs from about 8 px in at either end: the days line up with it.
    var x = d3.scaleUtc().domain([toDate(FIRST), toDate(LAST)]).range([8, width - 8]);
    var top = d3.max(chart.series[chart.series.length - 1], function (d) { return d[1]; }) || 1;
    var y = d3.scaleLinear().domain([0, top]).nice(4).range([height - 16, 4]);
    chart.x = x;
    var area = d3.area().curve(d3.curveStepAfter)
      .x(function (d) { return x(toDate(d.data.day)); })
      .y0(function (d) { return y(d[0]); }).y1(function (d) { return y(d[1]); });
    var layers = svgEl("g", { "class": "layers" }, chart.svg);
    chart.series.forEach(function (s) {
      var p = svgEl("path", { d: area(s), fill: SIDE[s.key].colour, "data-side": s.key }, layers);
      svgEl("title", {}, p).textContent = SIDE[s.key].name;
    });
    var axis = svgEl("g", { "class": "axis", transform: "translate(0," + (height - 16) + ")" }, chart.svg);
    d3.select(axis).call(d3.axisBottom(x).ticks(d3.utcYear.every(1)).tickSizeOuter(0));
    var left = svgEl("g", { "class": "axis", transform: "translate(8,0)" }, chart.svg);
    d3.select(left).call(d3.axisRight(y).ticks(3).tickSize(0));
    d3.select(left).select(".domain").remove();
    chart.marker = svgEl("line", { "class": "marker", y1: 0, y2: height - 16 }, chart.svg);
    chart.hover = svgEl("line", { "class": "hover", y1: 0, y2: height - 16 }, chart.svg);
    chart.hover.style.display = "none";
    chart.tip = svgEl("title", {}, chart.hover);
    markChart();
  }
  function countsText(i) {
    var row = chart.rows[i];
    return SIDES.filter(function (s) { return row[s.key]; })
      .map(function (s) { return SIDE[s.key].name + " " + row[s.key]; }).join(", ") || "no side holds any";
  }
  // The slider's day on the chart, and what the chart says of it (read from the stacked
  // series themselves).
  function markChart() {
    if (!chart.series) { return; }
    var x = chart.x(toDate(state.day));
    chart.marker.setAttribute("x1", x);
    chart.marker.setAttribute("x2", x);
    var i = chart.index[state.day];
    var out = $("chart-readout");
    out.textContent = "";
    out.dataset.day = state.day;
    chart.series.forEach(function (s) {
      var n = s[i][1] - s[i][0];
      var span = document.createElement("span");
      span.dataset.side = s.key;
      span.dataset.count = n;
      if (!n) { span.hidden = true; }
      var dot = document.createElement("i");
      dot.style.background = SIDE[s.key].colour;
      span.appendChild(dot);
      span.appendChild(document.createTextNode(SIDE[s.key].name + " " + n));
      out.appendChild(span);
    });
  }

  // -- the Constituent Assembly vote, by district -------------------------------------------
  var votes = { loaded: null, districts: [] };
  function loadVotes() {
    if (votes.loaded) { return votes.loaded; }
    var all = [];
    function page(after) {
      return graphql("votes", { election: SETTINGS.election, after: after }).then(function (data) {
        all = all.concat(data.votes.nodes);
        return data.votes.pageInfo.hasNextPage ? page(data.votes.pageInfo.endCursor) : all;
      });
    }
    votes.loaded = page(null).then(drawVotes).catch(function (e) {
      votes.loaded = null;
      $("status").textContent = "Could not load the vote: " + e.message;
    });
    return votes.loaded;
  }
  function drawVotes(nodes) {
    var totals = {}, names = {}, byDistrict = {};
    nodes.forEach(function (v) {
      totals[v.party.id] = (totals[v.party.id] || 0) + (v.votes || 0);
      names[v.party.id] = v.party.name;
      var d = byDistrict[v.district.id] || (byDistrict[v.district.id] =
        { id: v.district.id, name: v.district.name, lon: v.district.lon, lat: v.district.lat,
          of: 0, lists: [] });
      d.of = Math.max(d.of, v.of || 0);
      d.lists.push(v);
    });
    var parties = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a]; });
    var colour = {};
    parties.forEach(function (p, i) { colour[p] = PARTY_COLOURS[i] || OTHER_LISTS; });
    var districts = Object.keys(byDistrict).map(function (k) { return byDistrict[k]; })
      .filter(function (d) { return d.lon != null && d.lat != null; });
    districts.forEach(function (d) {
      var known = d3.sum(d.lists, function (v) { return v.votes || 0; });
      d.whole = Math.max(d.of, known);
    });
    var most = d3.max(districts, function (d) { return d.whole; }) || 1;
    var pie = d3.pie().sort(null).value(function (s) { return s.votes; });
    map.votesLayer.textContent = "";
    districts.sort(function (a, b) { return b.whole - a.whole; }).forEach(function (d) {
      d.r = 4 + 22 * Math.sqrt(d.whole / most);
      d.xy = map.projection([d.lon, d.lat]);
      var slices = {}, order = [];
      d.lists.forEach(function (v) {
        var key = colour[v.party.id] === OTHER_LISTS ? "other" : v.party.id;
        if (!(key in slices)) { slices[key] = 0; order.push(key); }
        slices[key] += v.votes || 0;
      });
      order.sort(function (a, b) { return (parties.indexOf(a) + 1 || 99) - (parties.indexOf(b) + 1 || 99); });
      var parts = order.map(function (k) { return { key: k, votes: slices[k] }; });
      var unknown = d.whole - d3.sum(parts, function (p) { return p.votes; });
      if (unknown > 0) { parts.push({ key: "unknown", votes: unknown }); }
      var arc = d3.arc().innerRadius(0).outerRadius(d.r);
      var g = svgEl("g", { "class": "pie", "data-id": d.id }, map.votesLayer);
      pie(parts).forEach(function (a) {
        var fill = a.data.key === "unknown" ? "#fff" : a.data.key === "other" ? OTHER_LISTS : colour[a.data.key];
        svgEl("path", { d: arc(a), fill: fill, "class": a.data.key === "unknown" ? "unknown" : "" }, g);
      });
      svgEl("title", {}, g).textContent = d.name + ": " + d.lists.map(function (v) {
        return v.party.name + " " + (v.votes || 0).toLocaleString("en") +
               (v.share != null ? " (" + Math.round(v.share * 1000) / 10 + "%)" : "");
      }).join("; ") + (d.of ? "; valid votes " + d.of.toLocaleString("en") : "") +
        (unknown > 0 ? "; white: votes of lists not in the data" : "");
      g.addEventListener("click", function () { select(d.id, { record: true }); });
      d.g = g;
    });
    votes.districts = districts;
    map.svg.dataset.districts = districts.length;
    var list = $("legend-parties");
    list.textContent = "";
    parties.slice(0, PARTY_COLOURS.length).forEach(function (p) {
      legendRow(list, "party-" + p, swatch("square", colour[p]), names[p]);
    });
    if (parties.length > PARTY_COLOURS.length) { legendRow(list, "party-other", swatch("square", OTHER_LISTS), "Other lists"); }
    legendRow(list, "party-unknown", swatch("square", "#fff"), "Lists not in the data");
    positionVotes();
  }
  function positionVotes() {
    var t = map.t;
    votes.districts.forEach(function (d) {
      d.g.setAttribute("transform", "translate(" + t.applyX(d.xy[0]).toFixed(1) + "," +
                       t.applyY(d.xy[1]).toFixed(1) + ")");
    });
  }
  function setVotes(on) {
    state.votes = on;
    $("votes-toggle").checked = on;
    $("legend-votes").hidden = !on;
    map.svg.classList.toggle("votes-on", on);
    if (map.votesLayer) { map.votesLayer.style.display = on ? "" : "none"; }
    if (on && map.ready) { loadVotes(); }
  }

  // -- the day ------------------------------------------------------------------------------
  function setCalendar(calendar) {
    state.calendar = calendar;
    Array.prototype.forEach.call(document.querySelectorAll("input[name=calendar]"), function (r) {
      r.checked = r.value === calendar;
    });
    $("date-format").textContent = "(yyyy-mm-dd, " + (calendar === "julian" ? "Julian" : "Gregorian") + ")";
  }
  function setDay(day, opts) {
    opts = opts || {};
    if (day < FIRST) { day = FIRST; }
    if (day > LAST) { day = LAST; }
    state.day = day;
    document.body.dataset.day = day;
    if (opts.from !== "slider") { $("day").value = daysBetween(FIRST, day); }
    $("day").setAttribute("aria-valuetext", bothCalendars(day));
    var j = julianOf(day);
    var first = state.calendar === "julian" ? [j, "O.S."] : [day, "N.S."];
    var second = state.calendar === "julian" ? [day, "N.S."] : [j, "O.S."];
    var label = $("date-label");
    label.textContent = "";
    var b = document.createElement("b");
    b.textContent = words(first[0]) + " " + first[1];
    label.appendChild(b);
    label.appendChild(document.createTextNode(" = " + words(second[0]) + " " + second[1]));
    if (opts.from !== "input") { $("date-input").value = dayInCalendar(); clearDateError(); }
    if (!map.ready) { return; }
    colourMap();
    markChart();
    updateLinks();
    showHeldLine();
    if (state.timeline) { state.timeline.setCustomTime(day, "day"); }
    if (!state.playing) {
      if (state.network) { scheduleNetwork(); }
      if (state.info && state.info.__typename === "Party") { scheduleHeld(); }
    }
    if (opts.record) { remember(opts.record); }
  }
  function showDateError(message) {
    $("date-error").textContent = message;
    $("date-input").setAttribute("aria-invalid", "true");
  }
  function clearDateError() {
    $("date-error").textContent = "";
    $("date-input").removeAttribute("aria-invalid");
  }

  function updateLinks() {
    var p = dayParams();
    $("map-query").href = playgroundLink("map", { day: p.on, calendar: p.calendar.toUpperCase() });
    $("dl-geojson").href = exportLink("places.geojson", p);
    $("dl-periods").href = exportLink("periods.geojson", {});
    $("dl-lpf").href = exportLink("places.lpf.json", p);
    if (state.entity) {
      var n = networkParams();
      ["cyjs", "gexf", "graphml"].forEach(function (ext) { $("dl-" + ext).href = exportLink("graph." + ext, n); });
      $("dl-nodes").href = exportLink("nodes.csv", n);
      $("dl-edges").href = exportLink("edges.csv", n);
      $("network-feed").href = exportLink("graph.cyjs", n);
    }
  }

  // -- the selection: every panel follows it ------------------------------------------------
  var selectToken = 0;
  function unselect() {
    state.entity = null;
    state.info = null;
    state.held = null;
    $("selection").hidden = true;
    $("help").hidden = false;
    closeNetwork();
    if (map.ready) { colourMap(); placeLabels(); }
  }
  function resetPanel(title) {
    $("selection").hidden = false;
    $("help").hidden = true;
    $("sel-title").textContent = title;
    $("sel-kind").textContent = "";
    $("sel-held").textContent = "";
    ["timeline", "party-places", "district-votes", "periods-box", "mentions-box"].forEach(function (id) {
      $(id).hidden = true;
    });
    $("dl-sel-csv").hidden = true;
    if (state.timeline) { state.timeline.destroy(); state.timeline = null; }
    state.held = null;
    state.periods = null;
  }
  function select(id, opts) {
    opts = opts || {};
    var token = ++selectToken;
    state.entity = id;
    state.info = null;
    var place = map.byId[id];
    resetPanel(place ? place.properties.name : "Loading…");
    $("sel-query").href = playgroundLink(place ? "timeline" : "entity", place ? { place: id } : { id: id });
    if (map.ready) {
      colourMap();
      placeLabels();
      if (place && place.g) { rove(place); if (opts.zoom) { zoomTo(place); } }
    }
    updateLinks();
    if (state.network) { drawNetwork(); }
    if (opts.record) { remember("push"); }
    var loaded = place ? loadPlace(id, token) : graphql("entity", { id: id }).then(function (data) {
      if (token !== selectToken) { return; }
      if (!data.node) { $("sel-title").textContent = "Nothing has the id " + id; return; }
      showEntity(data.node);
    });
    return loaded.catch(function (e) {
      if (token === selectToken) { $("sel-held").textContent = "Could not load: " + e.message; }
    });
  }
  function showEntity(node) {
    state.info = node;
    $("sel-title").textContent = node.name || node.id;
    $("network-title").textContent = node.name || node.id;
    $("sel-kind").textContent = node.__typename + (node.aliases && node.aliases.length ?
      " · also " + node.aliases.slice(0, 4).join(", ") : "");
    if (node.__typename === "Party") {
      $("party-places").hidden = false;
      loadHeld();
    }
  }

  // A party: the places it held on the slider's day, ringed on the map.
  var heldTimer = null;
  function scheduleHeld() {
    clearTimeout(heldTimer);
    heldTimer = setTimeout(loadHeld, 250);
  }
  function loadHeld() {
    var id = state.entity, day = dayInCalendar(), token = selectToken;
    return graphql("held", { party: id, day: day, calendar: state.calendar.toUpperCase() }).then(function (data) {
      if (token !== selectToken) { return; }
      var list = $("party-held");
      list.textContent = "";
      state.held = {};
      data.placesHeld.forEach(function (h) {
        state.held[h.place.id] = true;
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "linkish";
        b.textContent = h.place.name;
        b.addEventListener("click", function () { select(h.place.id, { record: true, zoom: true }); });
        li.appendChild(b);
        li.appendChild(document.createTextNode(h.majority ?
          " (a majority in " + h.control.controller.name + ")" : " (its own control)"));
        list.appendChild(li);
      });
      $("sel-held").textContent = data.placesHeld.length + " place" +
        (data.placesHeld.length === 1 ? "" : "s") + " held on " + spoken(state.day) + ", ringed in blue on the map.";
      colourMap();
    });
  }

  // A place: its control timeline, its periods with the sources' words, its mentions; for an
  // electoral district, its vote.
  function loadPlace(id, token) {
    $("dl-sel-csv").hidden = false;
    $("dl-sel-csv").href = exportLink("nodes.csv", { around: id, depth: 1, kind: "Control" });
    return graphql("timeline", { place: id }).then(function (data) {
      if (token !== selectToken) { return; }
      if (!data.place) { $("sel-title").textContent = "No place has the id " + id; return; }
      state.info = { __typename: "Place", id: id, name: data.place.name };
      var place = data.place;
      $("sel-title").textContent = place.name;
      $("network-title").textContent = place.name;
      $("sel-kind").textContent = place.kind.toLowerCase().replace(/_/g, " ") + (place.aliases.length ? " · also " + place.aliases.join(", ") : "") +
        " · " + data.controlOf.length + " control period" + (data.controlOf.length === 1 ? "" : "s");
      state.periods = data.controlOf;
      showHeldLine();
      if (data.controlOf.length) { showTimeline(data.controlOf); showPeriods(data.controlOf); }
      if (place.votes.length) { showVotes(place.votes); }
      showMentions(place.mentions);
    });
  }
  function showHeldLine() {
    var f = state.entity && map.byId[state.entity];
    if (!f || !state.info || state.info.__typename !== "Place") { return; }
    var periods = holding(f, state.day);
    $("sel-held").textContent = "On " + spoken(state.day) + ": " + (periods.length ?
      periods.map(function (p) {
        return "held by " + (p.controller ? p.controller.name : "?") + " (" + SIDE[p.alignment].name + ")";
      }).join("; ") + (periods.length > 1 || periods.some(function (p) { return p.disputed; }) ? ", disputed" : "")
      : "no control data for this day.");
  }
  function dateText(d) {
    if (!d) { return "beyond the data"; }
    return d.text + (d.precision === "DAY" ? " (" + (d.text.indexOf("O.S.") >= 0 ?
      words(d.gregorian) + " N.S." : words(d.julian) + " O.S.") + ")" : "");
  }
  function showTimeline(periods) {
    var dated = periods.filter(function (p) { return p.start; });
    if (!dated.length) { return; }
    var container = $("timeline");
    container.hidden = false;
    container.textContent = "";
    // One row per period, oldest first, its label above its bar: none runs into another.
    var groups = dated.map(function (p, i) { return { id: i, content: "", order: i }; });
    var items = dated.map(function (p, i) {
      var colour = SIDE[p.alignment].colour;
      return {
        id: p.id, group: i, start: p.start.gregorian, end: p.end ? p.end.gregorian : "1923-01-01",
        content: escapeHTML(p.controller ? p.controller.name : "?"),
        title: escapeHTML((p.controller ? p.controller.name : "?") + sideAfter(p) +
          ": from " + dateText(p.start) + " to " + dateText(p.end) +
          (p.disputed ? "; disputed" : "") + "; confidence " + p.confidence.toLowerCase()),
        className: "align-" + p.alignment + (p.disputed ? " disputed" : ""),
        style: "background-color:" + colour
      };
    });
    state.timeline = new vis.Timeline(container, items, groups, {
      stack: false, groupOrder: "order", min: "1916-06-01", max: "1924-01-01",
      start: "1917-01-01", end: "1923-01-01", zoomMin: 30 * DAY_MS, showCurrentTime: false,
      margin: { item: { vertical: 18 } }, groupHeightMode: "fixed",
      tooltip: { followMouse: true, overflowMethod: "flip" }
    });
    state.timeline.addCustomTime(state.day, "day");
    state.timeline.on("changed", labelsInside);
    state.timeline.on("click", function (props) {
      if (props.time && props.what !== "item") { setDay(iso(props.time), { record: "push" }); }
    });
    state.timeline.on("timechanged", function (props) { setDay(iso(props.time), { record: "push" }); });
  }
  function labelsInside() {
    var panel = $("timeline").querySelector(".vis-panel.vis-center");
    if (!panel) { return; }
    var edge = panel.getBoundingClientRect();
    Array.prototype.forEach.call($("timeline").querySelectorAll(".vis-item.vis-range .vis-item-content"), function (el) {
      el.style.marginLeft = "0px";
      var box = el.getBoundingClientRect();
      var shift = 0;
      if (box.right > edge.right) { shift = edge.right - box.right; }
      if (box.left + shift < edge.left) { shift = edge.left - box.left; }
      el.style.marginLeft = shift + "px";
    });
  }
  // " (Red (Soviet power))" after a controller's name; nothing when the side's name is the
  // controller's own ("Provisional Government (Provisional Government)" said it twice).
  function sideAfter(p) {
    var side = SIDE[p.alignment].name;
    return p.controller && p.controller.name === side ? "" : " (" + side + ")";
  }
  function escapeHTML(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML;
  }
  function showPeriods(periods) {
    $("periods-box").hidden = false;
    var list = $("periods");
    list.textContent = "";
    periods.forEach(function (p) {
      var li = document.createElement("li");
      var head = document.createElement("div");
      var who = document.createElement("b");
      who.textContent = p.controller ? p.controller.name : "?";
      head.appendChild(who);
      head.appendChild(document.createTextNode(sideAfter(p) + " from " +
        (p.start ? dateText(p.start) : "an unknown day") + " to " + dateText(p.end) +
        (p.disputed ? " — disputed" : "") + " · confidence " + p.confidence.toLowerCase()));
      li.appendChild(head);
      if (p.note) {
        var note = document.createElement("div");
        note.textContent = p.note;
        li.appendChild(note);
      }
      p.citations.forEach(function (c) {
        if (c.quote) {
          var q = document.createElement("blockquote");
          q.textContent = "“" + c.quote + "”";
          li.appendChild(q);
        }
        var src = document.createElement("div");
        src.className = "source";
        src.textContent = "— " + c.source.name + (c.locator ? ", " + c.locator : "");
        li.appendChild(src);
      });
      list.appendChild(li);
    });
  }
  function showVotes(rows) {
    $("district-votes").hidden = false;
    var body = $("district-rows");
    body.textContent = "";
    rows.slice().sort(function (a, b) { return (b.votes || 0) - (a.votes || 0); }).forEach(function (v) {
      var tr = document.createElement("tr");
      [v.party.name, v.votes != null ? v.votes.toLocaleString("en") : "",
       v.share != null ? (Math.round(v.share * 1000) / 10) + "%" : "", v.seats != null ? v.seats : ""]
        .forEach(function (text) {
          var td = document.createElement("td");
          td.textContent = text;
          tr.appendChild(td);
        });
      body.appendChild(tr);
    });
  }
  // The passages of the graph's documents that name the place, the words marked.
  function showMentions(mentions) {
    var total = mentions ? mentions.totalCount : 0;
    $("mentions-box").hidden = false;
    $("mentions-count").textContent = total ? total + " mention" + (total === 1 ? "" : "s") +
      " in the documents" + (total > mentions.nodes.length ? "; the first " + mentions.nodes.length + ":" : ":")
      : "No document the graph holds names it.";
    var list = $("mentions");
    list.textContent = "";
    (mentions ? mentions.nodes : []).forEach(function (m) {
      var li = document.createElement("li");
      li.className = "mention";
      var at = m.start - m.passage.start, text = m.passage.text;
      var from = Math.max(0, at - 160), to = Math.min(text.length, at + (m.end - m.start) + 160);
      li.appendChild(document.createTextNode((from > 0 ? "…" : "") + text.slice(from, at)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(at, at + (m.end - m.start));
      li.appendChild(mark);
      li.appendChild(document.createTextNode(text.slice(at + (m.end - m.start), to) + (to < text.length ? "…" : "")));
      var src = document.createElement("div");
      src.className = "source";
      src.textContent = "— " + m.passage.document.name;
      li.appendChild(src);
      list.appendChild(li);
    });
  }

  // -- the network: a large dialog ------------------------------------------------------------
  var networkTimer = null, networkToken = 0;
  function networkParams() {
    var p = dayParams();
    return { around: state.entity, depth: state.depth, on: p.on, calendar: p.calendar };
  }
  function openNetwork(record) {
    if (!state.entity) { return; }
    state.network = true;
    var dialog = $("network-dialog");
    if (!dialog.open) { dialog.showModal(); }
    $("network-query").href = playgroundLink("entity", { id: state.entity });
    updateLinks();
    drawNetwork();
    if (record) { remember("push"); }
  }
  function closeNetwork(record) {
    var was = state.network;
    state.network = false;
    if ($("network-dialog").open) { $("network-dialog").close(); }
    if (record && was) { remember("push"); }
  }
  function scheduleNetwork() {
    clearTimeout(networkTimer);
    networkTimer = setTimeout(drawNetwork, 300);
  }
  function networkStyle(centre) {
    var styles = [
      { selector: "node", style: { "background-color": "#999", width: 12, height: 12, label: "data(display)",
          "font-size": 11, "min-zoomed-font-size": 9, "text-valign": "bottom", "text-margin-y": 2,
          "text-background-color": "#fff", "text-background-opacity": 0.8, "text-background-padding": 1,
          "border-width": 1, "border-color": "#333" } },
      { selector: "edge", style: { width: 1, "line-color": "#b0b0b0", "curve-style": "straight",
          "target-arrow-shape": "triangle", "target-arrow-color": "#b0b0b0", "arrow-scale": 0.6 } },
      { selector: "node.Place, node.Party, node.Person, node.Organization, node.Soviet, node.Event",
        style: { width: 18, height: 18 } },
      { selector: "node.near", style: { "min-zoomed-font-size": 0 } },
      { selector: "node.faded, edge.faded", style: { opacity: 0.18 } },
      { selector: "node.hover", style: { "min-zoomed-font-size": 0, "font-weight": "bold", "z-index": 10 } },
      { selector: "edge.hover", style: { width: 2, "line-color": "#555", "target-arrow-color": "#555",
          label: "data(type)", "font-size": 9, "min-zoomed-font-size": 0, "text-rotation": "autorotate",
          "text-background-color": "#fff", "text-background-opacity": 0.8 } },
      { selector: "node.hidden, edge.hidden", style: { display: "none" } },
      { selector: "node[id = '" + centre.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "']",
        style: { width: 30, height: 30, "border-width": 4, "border-color": "#000", "font-size": 14,
                 "font-weight": "bold", "min-zoomed-font-size": 0 } }
    ];
    Object.keys(TYPE_STYLE).forEach(function (t) {
      styles.push({ selector: "node." + t, style: { "background-color": TYPE_STYLE[t][0], shape: TYPE_STYLE[t][1] } });
    });
    return styles;
  }
  function drawNetwork() {
    if (!state.network || !state.entity) { return Promise.resolve(); }
    var token = ++networkToken;
    var centre = state.entity;
    $("network-dialog").dataset.around = centre;
    delete $("network").dataset.nodes;
    $("network-count").textContent = "Loading…";
    $("network-title").textContent = (state.info && state.info.name) || (map.byId[centre] ? map.byId[centre].properties.name : centre);
    var url = exportLink("graph.cyjs", networkParams());
    return fetchRetry(url).then(function (r) {
      if (!r.ok) { return r.json().then(function (b) { throw new Error(b.error ? b.error.message || b.error : r.status); }); }
      return r.json();
    }).then(function (doc) {
      if (token !== networkToken || !state.network) { return; }
      if (state.cy) { state.cy.destroy(); }
      state.cy = cytoscape({ container: $("network"), elements: doc.elements, style: networkStyle(centre),
                             layout: { name: "null" }, minZoom: 0.05, maxZoom: 6 });
      var cy = state.cy;
      // A fact's label is its id: the picture names its kind (and side), the id shows on hover.
      cy.nodes().forEach(function (n) {
        var d = n.data();
        n.data("display", FACTS[d.type] ? d.type + (d.alignment ? " (" + SIDE[d.alignment].name + ")" : "") : d.label);
      });
      // Entities stay in a dated export even when every fact linking them is of another day;
      // on the picture of one day they would float unlinked, so the view leaves them out.
      var loose = cy.nodes().filter(function (n) { return n.degree(false) === 0 && n.id() !== centre; });
      loose.remove();
      cy.getElementById(centre).closedNeighborhood().nodes().addClass("near");
      applyKindFilter();
      cy.on("mouseover", "node", function (e) {
        var hood = e.target.closedNeighborhood();
        cy.elements().not(hood).addClass("faded");
        hood.addClass("hover");
      });
      cy.on("mouseout", "node", function () { cy.elements().removeClass("faded hover"); });
      cy.on("tap", "node", function (e) { select(e.target.id(), { record: true, zoom: true }); });
      var n = cy.nodes().length, m = cy.edges().length;
      $("network-count").textContent = n + " nodes, " + m + " relationships at depth " + state.depth +
        " on " + spoken(state.day) + (loose.length ? " (" + loose.length + " not linked on this day left out)" : "") +
        ". Labels show as you zoom in, and around the node under the pointer.";
      $("network").dataset.nodes = n;
      $("network").dataset.edges = m;
      $("network").dataset.around = centre;
      kindBoxes();
      jumpList();
    }).catch(function (e) {
      if (token === networkToken) { $("network-count").textContent = "Could not load: " + e.message; }
    });
  }
  function runLayout() {
    var cy = state.cy;
    var shown = cy.elements().not(".hidden");
    // fcose keeps clusters apart; packing places the components side by side.
    shown.layout({ name: "fcose", quality: "default", randomize: true, animate: false,
                   nodeSeparation: 90, idealEdgeLength: 70, nodeRepulsion: 9000,
                   packComponents: true, fit: true, padding: 30 }).run();
  }
  function applyKindFilter() {
    var cy = state.cy;
    cy.batch(function () {
      cy.nodes().forEach(function (n) { n.toggleClass("hidden", !!state.hiddenKinds[n.data("type")] && n.id() !== state.entity); });
      cy.edges().forEach(function (e) { e.toggleClass("hidden", e.source().hasClass("hidden") || e.target().hasClass("hidden")); });
    });
    $("network").dataset.shown = cy.nodes().not(".hidden").length;
    runLayout();
  }
  function kindBoxes() {
    var box = $("network-kinds");
    Array.from(box.querySelectorAll("label")).forEach(function (l) { l.remove(); });
    var counts = {};
    state.cy.nodes().forEach(function (n) { counts[n.data("type")] = (counts[n.data("type")] || 0) + 1; });
    Object.keys(counts).sort().forEach(function (t) {
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "checkbox";
      input.value = t;
      input.checked = !state.hiddenKinds[t];
      input.addEventListener("change", function () {
        if (input.checked) { delete state.hiddenKinds[t]; } else { state.hiddenKinds[t] = true; }
        applyKindFilter();
        jumpList();
      });
      var dot = document.createElement("i");
      dot.style.background = (TYPE_STYLE[t] || ["#999"])[0];
      label.appendChild(input);
      label.appendChild(dot);
      label.appendChild(document.createTextNode(t + " (" + counts[t] + ")"));
      box.appendChild(label);
    });
  }
  // Every node by keyboard: the "Go to" list selects it, as a tap does.
  function jumpList() {
    var select_ = $("network-jump");
    select_.length = 1;
    state.cy.nodes().not(".hidden").sort(function (a, b) {
      return String(a.data("label")).localeCompare(String(b.data("label")));
    }).forEach(function (n) {
      var o = document.createElement("option");
      o.value = n.id();
      o.textContent = n.data("label") + " (" + n.data("type") + ")";
      select_.appendChild(o);
    });
  }

  // -- search -------------------------------------------------------------------------------
  var searchTimer = null, searchActive = -1;
  function searchOptions() { return Array.from($("search-results").querySelectorAll("li")); }
  function closeSearch() {
    $("search-results").hidden = true;
    $("search").setAttribute("aria-expanded", "false");
    $("search").removeAttribute("aria-activedescendant");
    searchActive = -1;
  }
  function activate(i) {
    var opts = searchOptions();
    if (!opts.length) { return; }
    searchActive = (i + opts.length) % opts.length;
    opts.forEach(function (o, k) { o.setAttribute("aria-selected", k === searchActive ? "true" : "false"); });
    $("search").setAttribute("aria-activedescendant", opts[searchActive].id);
  }
  function choose(li) {
    closeSearch();
    $("search").value = li.dataset.name;
    select(li.dataset.id, { record: true, zoom: true });
  }
  function search(text) {
    var list = $("search-results");
    if (text.trim().length < 2) { closeSearch(); return; }
    graphql("search", { text: text }).then(function (data) {
      if ($("search").value !== text) { return; }
      list.textContent = "";
      data.search.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = "hit-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.dataset.id = hit.id;
        li.dataset.name = hit.name;
        li.textContent = hit.name + " ";
        var kind = document.createElement("small");
        kind.textContent = hit.__typename;
        li.appendChild(kind);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(li); });
        list.appendChild(li);
      });
      var any = data.search.length > 0;
      list.hidden = !any;
      $("search").setAttribute("aria-expanded", any ? "true" : "false");
      searchActive = -1;
    });
  }

  // -- wiring -------------------------------------------------------------------------------
  function play() {
    if (state.playing) {
      clearInterval(state.playing);
      state.playing = null;
      $("play").innerHTML = "&#9654;";
      $("play").setAttribute("aria-label", "Play");
      $("play").setAttribute("aria-pressed", "false");
      setDay(state.day, { record: "replace" });
      return;
    }
    $("play").innerHTML = "&#10074;&#10074;";
    $("play").setAttribute("aria-label", "Pause");
    $("play").setAttribute("aria-pressed", "true");
    state.playing = setInterval(function () {
      if (state.day >= LAST) { play(); return; }
      setDay(addDays(state.day, 2), {});
    }, 40);
  }

  function wire() {
    var slider = $("day");
    slider.max = daysBetween(FIRST, LAST);
    slider.addEventListener("input", function () {
      setDay(addDays(FIRST, Number(slider.value)), { from: "slider" });
    });
    slider.addEventListener("change", function () { remember("replace"); });
    $("play").addEventListener("click", play);
    $("date-input").addEventListener("change", function () {
      var read = readDay($("date-input").value, state.calendar);
      if (read.error) { showDateError(read.error); return; }
      clearDateError();
      setDay(read.day, { from: "input", record: "push" });
    });
    $("date-input").addEventListener("keydown", function (e) {
      if (e.key === "Enter") { $("date-input").dispatchEvent(new Event("change")); }
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=calendar]"), function (r) {
      r.addEventListener("change", function () {
        setCalendar(r.value);
        setDay(state.day, { record: "push" });
        if (state.info && state.info.__typename === "Place") { showHeldLine(); }
      });
    });
    $("zoom-in").addEventListener("click", function () { zoomBy(1.6); });
    $("zoom-out").addEventListener("click", function () { zoomBy(1 / 1.6); });
    $("zoom-reset").addEventListener("click", function () {
      d3.select(map.svg).transition().duration(300).call(map.zoom.transform, d3.zoomIdentity);
    });
    $("votes-toggle").addEventListener("change", function () {
      setVotes($("votes-toggle").checked);
      remember("push");
    });
    $("open-network").addEventListener("click", function () { openNetwork(true); });
    $("network-close").addEventListener("click", function () { closeNetwork(true); });
    $("network-dialog").addEventListener("close", function () {
      if (state.network) { state.network = false; remember("push"); }
    });
    $("network-fit").addEventListener("click", function () { if (state.cy) { state.cy.fit(undefined, 30); } });
    $("network-jump").addEventListener("change", function () {
      var id = $("network-jump").value;
      if (id) { select(id, { record: true, zoom: true }); }
    });
    $("depth").addEventListener("change", function () {
      state.depth = Number($("depth").value);
      updateLinks();
      drawNetwork();
      remember("push");
    });
    $("search").addEventListener("input", function () {
      clearTimeout(searchTimer);
      var text = $("search").value;
      searchTimer = setTimeout(function () { search(text); }, 200);
    });
    $("search").addEventListener("keydown", function (e) {
      var open = !$("search-results").hidden;
      if (e.key === "ArrowDown" && open) { activate(searchActive + 1); e.preventDefault(); }
      else if (e.key === "ArrowUp" && open) { activate(searchActive - 1); e.preventDefault(); }
      else if (e.key === "Enter" && open) {
        var opts = searchOptions();
        if (opts.length) { choose(opts[Math.max(0, searchActive)]); }
        e.preventDefault();
      } else if (e.key === "Escape") { closeSearch(); }
    });
    $("search").addEventListener("blur", function () { setTimeout(closeSearch, 150); });
    window.addEventListener("popstate", applyURL);
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { if (chart.series) { drawChart(); } }, 150);
    });
  }

  function start() {
    wire();
    setCalendar("julian");
    Promise.all([
      fetch("/static/explore/vendor/countries-50m.json").then(function (r) { return r.json(); }),
      fetchRetry("/export/places.geojson").then(function (r) {
        if (!r.ok) { throw new Error("/export/places.geojson answered " + r.status); }
        return r.json();
      })
    ]).then(function (got) {
      buildMap(got[0], got[1].features);
      buildChart();
      map.ready = true;
      applyURL();
      if (state.votes) { loadVotes(); }
      $("status").textContent = map.features.length + " cities and towns · data from /export/places.geojson";
      history.replaceState(null, "", viewURL());
      document.body.dataset.ready = "1";
    }).catch(function (e) {
      $("status").textContent = "Could not load the map: " + e.message;
      throw e;
    });
  }

  start();
})();
