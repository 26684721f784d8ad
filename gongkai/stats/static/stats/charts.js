// Draws each chart of /stats/ from the JSON printed next to it. The tables under the charts carry
// the same numbers, so nothing is lost when this script or ECharts does not run.
(function () {
  "use strict";
  function draw(el) {
    var source = document.getElementById("chart-" + el.getAttribute("data-chart"));
    if (!source || !window.echarts) { el.style.display = "none"; return; }
    var spec = JSON.parse(source.textContent);
    var option;
    if (spec.type === "pie") {
      option = {
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "65%", data: spec.categories.map(function (name, i) {
          return { name: name, value: spec.series[0].data[i] };
        }) }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 60, right: 20, top: 40, bottom: 60 },
        xAxis: { type: "category", data: spec.categories, axisLabel: { rotate: spec.categories.length > 12 ? 45 : 0 } },
        yAxis: { type: "value" },
        series: spec.series.map(function (s) { return { name: s.name, type: spec.type, data: s.data }; })
      };
    }
    option.aria = { enabled: true };
    // ECharts describes the chart to screen readers in the page's language, not the browser's.
    var locale = document.documentElement.lang.indexOf("zh") === 0 ? "ZH" : "EN";
    window.echarts.init(el, null, { renderer: "svg", locale: locale }).setOption(option);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var charts = document.querySelectorAll("[data-chart]");
    for (var i = 0; i < charts.length; i++) { draw(charts[i]); }
  });
})();
