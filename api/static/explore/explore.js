// The explorer: a map, a place's control timeline, a network view and a search box, all fed
// by revgraph's public API (/graphql and /export/*), as any visualisation builder's app could.
(function () {
  "use strict";

  var QUERIES = JSON.parse(document.getElementById("queries").textContent);
  var ALIGNMENT_COLOURS = {
    RED: "#c62828", PROVISIONAL: "#f9a825", WHITE: "#ffffff", NATIONAL: "#1565c0",
    FOREIGN: "#6a1b9a", GREEN: "#2e7d32", OTHER: "#8d6e63", CONTESTED: "#ff6f00"
  };
  var TYPE_COLOURS = {
    Place: "#2a9d8f", Party: "#e63946", Person: "#f4a261", Organization: "#457b9d",
    Soviet: "#b5179e", Event: "#8338ec", Source: "#6c757d", Control: "#ffb703",
    Composition: "#fb8500", Role: "#90be6d", Participation: "#b5838d", Figure: "#adb5bd",
    Claim: "#264653"
  };
  // The slider's range: 1 February 1917 O.S. (14 February N.S.) to the end of 1922.
  var FIRST = "1917-02-14", LAST = "1922-12-31";
  var DAY_MS = 86400000;
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"];

  var state = { day: "1917-11-07", calendar: "julian", places: [], selected: null,
                network: null, playing: null };
  var $ = function (id) { return document.getElementById(id); };

  // -- dates ------------------------------------------------------------------------------
  function toDate(iso) { return new Date(iso + "T00:00:00Z"); }
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
  function dayInCalendar() { return state.calendar === "julian" ? julianOf(state.day) : state.day; }

  // -- the API ------------------------------------------------------------------------------
  function graphql(name, variables) {
    return fetch("/graphql", {
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

  // -- the map ------------------------------------------------------------------------------
  var svg = d3 && document.getElementById("map");
  var projection, path;

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

  function drawMap(world, places) {
    var box = svg.getBoundingClientRect();
    var width = box.width, height = box.height;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    projection = d3.geoConicConformal().rotate([-70, 0]).parallels([45, 65]);
    projection.fitExtent([[30, 30], [width - 30, height - 30]],
                         { type: "MultiPoint", coordinates: places.map(function (f) { return f.geometry.coordinates; }) });
    path = d3.geoPath(projection);
    var ns = "http://www.w3.org/2000/svg";
    var land = document.createElementNS(ns, "g");
    topojson.feature(world, world.objects.countries).features.forEach(function (c) {
      var el = document.createElementNS(ns, "path");
      el.setAttribute("class", "country");
      el.setAttribute("d", path(c) || "");
      land.appendChild(el);
    });
    svg.appendChild(land);
    var dots = document.createElementNS(ns, "g");
    var labels = document.createElementNS(ns, "g");
    // Big places first, so towns and cities sit on top of their provinces.
    var order = { country: 0, region: 1, province: 2, city: 3, town: 4 };
    places.slice().sort(function (a, b) { return order[a.properties.kind] - order[b.properties.kind]; })
      .forEach(function (f) {
        var xy = projection(f.geometry.coordinates);
        var c = document.createElementNS(ns, "circle");
        c.setAttribute("cx", xy[0].toFixed(1));
        c.setAttribute("cy", xy[1].toFixed(1));
        var city = f.properties.kind === "city" || f.properties.kind === "town";
        c.setAttribute("r", city ? 5 : 8);
        c.setAttribute("class", "place");
        c.dataset.id = f.id;
        c.dataset.kind = f.properties.kind;
        var title = document.createElementNS(ns, "title");
        c.appendChild(title);
        c.addEventListener("click", function () { selectPlace(f.id); });
        f.el = c;
        dots.appendChild(c);
        if (f.properties.kind === "city" && ["petrograd", "moscow", "kiev", "kursk", "helsingfors",
            "tiflis", "baku", "omsk", "kazan", "odessa", "riga", "tashkent", "irkutsk"].indexOf(f.id) >= 0) {
          var t = document.createElementNS(ns, "text");
          t.setAttribute("class", "place-label");
          t.setAttribute("x", (xy[0] + 7).toFixed(1));
          t.setAttribute("y", (xy[1] + 3).toFixed(1));
          t.textContent = f.properties.name;
          labels.appendChild(t);
        }
      });
    svg.appendChild(dots);
    svg.appendChild(labels);
  }

  function colourMap() {
    var counts = {};
    state.places.forEach(function (f) {
      var periods = holding(f, state.day);
      var side = sideOf(periods);
      var disputed = periods.length > 1 || periods.some(function (p) { return p.disputed; });
      var c = f.el;
      c.dataset.alignment = side || "";
      c.setAttribute("fill", side ? ALIGNMENT_COLOURS[side] : "#ffffff");
      c.classList.toggle("none", !side);
      c.classList.toggle("disputed", disputed);
      c.classList.toggle("selected", state.selected === f.id);
      c.firstChild.textContent = f.properties.name + ": " + (periods.length ?
        periods.map(function (p) { return (p.controller ? p.controller.name : "?") + " (" + p.alignment + ")"; }).join(" / ")
        : "no control data on this day");
      var key = side || "none";
      counts[key] = (counts[key] || 0) + 1;
    });
    var legend = $("legend");
    legend.textContent = "";
    Object.keys(ALIGNMENT_COLOURS).concat(["none"]).forEach(function (side) {
      var row = document.createElement("div");
      row.id = "count-" + side;
      row.dataset.count = counts[side] || 0;
      var dot = document.createElement("i");
      dot.style.background = ALIGNMENT_COLOURS[side] || "#fff";
      row.appendChild(dot);
      row.appendChild(document.createTextNode((side === "none" ? "no data" : side.toLowerCase()) + ": " + (counts[side] || 0)));
      legend.appendChild(row);
    });
  }

  // -- the day ------------------------------------------------------------------------------
  function setDay(day, from) {
    if (day < FIRST) { day = FIRST; }
    if (day > LAST) { day = LAST; }
    state.day = day;
    document.body.dataset.day = day;
    if (from !== "slider") { $("day").value = daysBetween(FIRST, day); }
    var j = julianOf(day);
    var first = state.calendar === "julian" ? [j, "O.S."] : [day, "N.S."];
    var second = state.calendar === "julian" ? [day, "N.S."] : [j, "O.S."];
    $("date-label").innerHTML = "<b>" + words(first[0]) + " " + first[1] + "</b> = " +
      words(second[0]) + " " + second[1];
    if (from !== "input") { $("date-input").value = dayInCalendar(); }
    colourMap();
    updateLinks();
    if (state.timeline) { state.timeline.setCustomTime(day, "day"); }
    if (state.network && !state.playing) { scheduleNetwork(); }
  }

  function updateLinks() {
    var p = dayParams();
    $("map-query").href = playgroundLink("map", { day: p.on, calendar: p.calendar.toUpperCase() });
    $("dl-geojson").href = exportLink("places.geojson", p);
    $("dl-lpf").href = exportLink("places.lpf.json", p);
    if (state.network) {
      var n = networkParams();
      ["cyjs", "gexf", "graphml"].forEach(function (ext) { $("dl-" + ext).href = exportLink("graph." + ext, n); });
      $("dl-nodes").href = exportLink("nodes.csv", n);
      $("dl-edges").href = exportLink("edges.csv", n);
      $("network-feed").href = exportLink("graph.cyjs", n);
    }
  }

  // -- a place's timeline -----------------------------------------------------------------
  function selectPlace(id) {
    state.selected = id;
    colourMap();
    $("place-panel").hidden = false;
    $("periods-panel").hidden = false;
    $("help").hidden = true;
    $("place-query").href = playgroundLink("timeline", { place: id });
    $("dl-place-csv").href = exportLink("nodes.csv", { around: id, depth: 1, kind: "Control" });
    return graphql("timeline", { place: id }).then(function (data) {
      showTimeline(data.place, data.controlOf);
    }).catch(function (e) { $("place-held").textContent = "Could not load: " + e.message; });
  }

  function showTimeline(place, periods) {
    $("place-title").textContent = place.name + (place.aliases.length ? " (" + place.aliases.join(", ") + ")" : "");
    $("place-held").textContent = periods.length + " control period" + (periods.length === 1 ? "" : "s") +
      (periods.some(function (p) { return p.disputed; }) ? "; overlapping or disputed ones are hatched." : ".");
    var items = periods.filter(function (p) { return p.start; }).map(function (p) {
      var colour = ALIGNMENT_COLOURS[p.alignment] || "#ccc";
      return {
        id: p.id, start: p.start.gregorian, end: p.end ? p.end.gregorian : "1923-01-01",
        content: (p.controller ? p.controller.name : "?"),
        title: p.alignment + ": " + p.start.text + " to " + (p.end ? p.end.text : "beyond the data"),
        className: "align-" + p.alignment + (p.disputed ? " disputed" : ""),
        style: "background-color:" + colour + ";border-color:#333;color:" +
               (p.alignment === "WHITE" || p.alignment === "PROVISIONAL" ? "#111" : "#fff")
      };
    });
    var container = $("timeline");
    if (state.timeline) { state.timeline.destroy(); }
    container.textContent = "";
    state.timeline = new vis.Timeline(container, items, {
      stack: true, min: "1916-06-01", max: "1924-01-01", start: "1917-01-01", end: "1922-06-01",
      zoomMin: 30 * DAY_MS, height: "200px", showCurrentTime: false, margin: { item: 4 }
    });
    state.timeline.addCustomTime(state.day, "day");
    state.timeline.on("click", function (props) {
      if (props.time) { setDay(iso(props.time)); }
    });
    var list = $("periods");
    list.textContent = "";
    periods.forEach(function (p) {
      var li = document.createElement("li");
      var head = document.createElement("div");
      var who = document.createElement("b");
      who.textContent = p.controller ? p.controller.name : "?";
      head.appendChild(who);
      head.appendChild(document.createTextNode(" (" + p.alignment.toLowerCase() + ") from " +
        (p.start ? p.start.text : "an unknown day") + " to " + (p.end ? p.end.text : "beyond the data") +
        (p.disputed ? " — disputed" : "") + " · confidence " + p.confidence));
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
    $("place-network").onclick = function () { openNetwork(place.id, place.name); };
    showMentions(place.mentions);
  }

  // The passages of the graph's documents that name the place, the words marked.
  function showMentions(mentions) {
    var total = mentions ? mentions.totalCount : 0;
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

  // -- the network --------------------------------------------------------------------------
  var networkTimer = null;
  function networkParams() {
    var p = dayParams();
    return { around: state.network.id, depth: $("depth").value, on: p.on, calendar: p.calendar };
  }
  function openNetwork(id, name) {
    state.network = { id: id, name: name };
    $("network-panel").hidden = false;
    $("network-title").textContent = name;
    $("network-query").href = playgroundLink("entity", { id: id });
    $("help").hidden = true;
    updateLinks();
    return drawNetwork().then(function () { $("network-panel").scrollIntoView({ block: "nearest" }); });
  }
  function scheduleNetwork() {
    clearTimeout(networkTimer);
    networkTimer = setTimeout(drawNetwork, 300);
  }
  function drawNetwork() {
    var url = exportLink("graph.cyjs", networkParams());
    return fetch(url).then(function (r) {
      if (!r.ok) { return r.json().then(function (b) { throw new Error(b.error); }); }
      return r.json();
    }).then(function (doc) {
      if (state.cy) { state.cy.destroy(); }
      var styles = [
        { selector: "node", style: { "background-color": "#999", label: "", width: 10, height: 10,
                                     "font-size": 9, "text-valign": "bottom", "text-margin-y": 2 } },
        { selector: "edge", style: { width: 1, "line-color": "#bbb", "curve-style": "straight",
                                     "target-arrow-shape": "triangle", "target-arrow-color": "#bbb",
                                     "arrow-scale": 0.6 } },
        { selector: "node.Place, node.Party, node.Person, node.Organization, node.Soviet, node.Event, node.Source",
          style: { label: "data(label)", width: 16, height: 16 } },
        { selector: "node[id = '" + state.network.id.replace(/'/g, "\\'") + "']",
          style: { width: 26, height: 26, "border-width": 3, "border-color": "#000" } }
      ];
      Object.keys(TYPE_COLOURS).forEach(function (t) {
        styles.push({ selector: "node." + t, style: { "background-color": TYPE_COLOURS[t] } });
      });
      state.cy = cytoscape({ container: $("network"), elements: doc.elements, style: styles,
                             layout: { name: "null" } });
      // Entities stay in a dated export even when every fact linking them is of another day;
      // on the map of one day they would float unlinked, so the view leaves them out.
      var centre = state.network.id;
      var loose = state.cy.nodes().filter(function (node) { return node.degree(false) === 0 && node.id() !== centre; });
      loose.remove();
      state.cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: 8000 }).run();
      // The side panel's scroll bar may have come or gone: let the timeline fit it at once.
      if (state.timeline) { state.timeline.redraw(); }
      var n = state.cy.nodes().length, e = state.cy.edges().length;
      $("network-count").textContent = n + " nodes, " + e + " relationships" +
        (loose.length ? " (" + loose.length + " not linked on this day left out)" : "");
      $("network").dataset.nodes = n;
      $("network").dataset.edges = e;
      var types = {};
      state.cy.nodes().forEach(function (node) { types[node.data("type")] = true; });
      var legend = $("network-legend");
      legend.textContent = "";
      Object.keys(types).sort().forEach(function (t) {
        var span = document.createElement("span");
        var dot = document.createElement("i");
        dot.style.background = TYPE_COLOURS[t] || "#999";
        span.appendChild(dot);
        span.appendChild(document.createTextNode(" " + t));
        legend.appendChild(span);
      });
      state.cy.on("tap", "node", function (evt) {
        var d = evt.target.data();
        if (d.type === "Place") { selectPlace(d.id); }
      });
    }).catch(function (e) { $("network-count").textContent = "Could not load: " + e.message; });
  }

  // -- search -------------------------------------------------------------------------------
  var searchTimer = null;
  function search(text) {
    var list = $("search-results");
    if (text.trim().length < 2) { list.hidden = true; return; }
    graphql("search", { text: text }).then(function (data) {
      list.textContent = "";
      data.search.forEach(function (hit) {
        var li = document.createElement("li");
        li.dataset.id = hit.id;
        li.textContent = hit.name + " ";
        var kind = document.createElement("small");
        kind.textContent = hit.__typename;
        li.appendChild(kind);
        li.addEventListener("click", function () {
          list.hidden = true;
          $("search").value = hit.name;
          if (hit.__typename === "Place") { selectPlace(hit.id); }
          openNetwork(hit.id, hit.name);
        });
        list.appendChild(li);
      });
      list.hidden = data.search.length === 0;
    });
  }

  // -- wiring -------------------------------------------------------------------------------
  function play() {
    if (state.playing) {
      clearInterval(state.playing);
      state.playing = null;
      $("play").innerHTML = "&#9654;";
      $("play").setAttribute("aria-label", "Play");
      if (state.network) { scheduleNetwork(); }
      return;
    }
    $("play").innerHTML = "&#10074;&#10074;";
    $("play").setAttribute("aria-label", "Pause");
    state.playing = setInterval(function () {
      if (state.day >= LAST) { play(); return; }
      setDay(addDays(state.day, 2));
    }, 40);
  }

  function wire() {
    var slider = $("day");
    slider.max = daysBetween(FIRST, LAST);
    slider.addEventListener("input", function () { setDay(addDays(FIRST, Number(slider.value)), "slider"); });
    $("play").addEventListener("click", play);
    $("date-input").addEventListener("change", function () {
      var v = $("date-input").value.trim();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) { $("date-input").value = dayInCalendar(); return; }
      setDay(state.calendar === "julian" ? gregorianOf(v) : v, "input");
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=calendar]"), function (r) {
      r.addEventListener("change", function () { state.calendar = r.value; setDay(state.day); });
    });
    $("depth").addEventListener("change", function () { if (state.network) { updateLinks(); drawNetwork(); } });
    $("search").addEventListener("input", function () {
      clearTimeout(searchTimer);
      var text = $("search").value;
      searchTimer = setTimeout(function () { search(text); }, 200);
    });
  }

  function start() {
    wire();
    Promise.all([
      fetch("/static/explore/vendor/countries-50m.json").then(function (r) { return r.json(); }),
      fetch("/export/places.geojson").then(function (r) { return r.json(); })
    ]).then(function (got) {
      state.places = got[1].features;
      drawMap(got[0], state.places);
      setDay(state.day);
      $("status").textContent = state.places.length + " places · data from /export/places.geojson";
      document.body.dataset.ready = "1";
    }).catch(function (e) { $("status").textContent = "Could not load the map: " + e.message; });
  }

  start();
})();
