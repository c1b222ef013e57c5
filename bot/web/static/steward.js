/* Draws every chart on a Steward page with the plotly.js that Steward serves itself. Figures are plain
   JSON in <script type="application/json"> elements; colours follow the page's light or dark scheme. */
(function () {
  "use strict";

  function colours() {
    var style = getComputedStyle(document.body);
    return {fg: style.getPropertyValue("--fg").trim() || "#1f2328",
            grid: style.getPropertyValue("--grid").trim() || "#d0d7de"};
  }

  function axis(base, c) {
    return Object.assign({}, base || {}, {gridcolor: c.grid, zerolinecolor: c.grid, linecolor: c.grid});
  }

  function themed(layout) {
    var c = colours();
    return Object.assign({}, layout, {
      paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      font: {color: c.fg, family: "system-ui, -apple-system, 'Segoe UI', sans-serif", size: 13},
      xaxis: axis(layout.xaxis, c), yaxis: axis(layout.yaxis, c)
    });
  }

  function draw() {
    if (typeof Plotly === "undefined") { return; }
    document.querySelectorAll("[data-figure]").forEach(function (div) {
      var source = document.getElementById(div.getAttribute("data-figure"));
      if (!source) { return; }
      var spec = JSON.parse(source.textContent);
      Plotly.react(div, spec.data, themed(spec.layout),
                   {responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"]});
    });
  }

  draw();
  if (window.matchMedia) {
    var scheme = window.matchMedia("(prefers-color-scheme: dark)");
    if (scheme.addEventListener) { scheme.addEventListener("change", draw); }
  }
})();
