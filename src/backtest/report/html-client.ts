/**
 * The script that draws the HTML report's charts in the browser, from the JSON the page embeds
 * (chart-data.ts), with ECharts. Plain ES2017 in a string: it runs in the viewer's browser, not in Node.
 * It records each chart in `window.reportCharts` and sets `data-charts-ready` on <body> when all are drawn,
 * which is what the browser test waits for.
 */
export const CLIENT_SCRIPT = `
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var GREEN = "#1a9850", RED = "#d73027", BLUE = "#4575b4", GREY = "#888888";
  var OUTCOME_COLORS = ["#1a9850", "#fc8d59", "#91bfdb", "#984ea3", "#a65628", "#999999", "#e7298a", "#66a61e"];
  var charts = {};
  window.reportCharts = charts;

  function money(x) { return (x < 0 ? "-$" : "$") + Math.abs(x).toFixed(2); }
  function base(extra) {
    var option = { animation: false, useUTC: true, textStyle: { fontFamily: "sans-serif" } };
    for (var k in extra) option[k] = extra[k];
    return option;
  }
  function draw(id, option, empty) {
    var el = document.getElementById(id);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    if (empty) option.title = { text: empty, left: "center", top: "middle", textStyle: { color: GREY } };
    chart.setOption(option);
    charts[id] = chart;
  }
  function timeAxis(gridIndex) { return { type: "time", gridIndex: gridIndex || 0 }; }

  draw("chart-equity", base({
    tooltip: { trigger: "axis" },
    axisPointer: { link: [{ xAxisIndex: "all" }] },
    legend: { top: 0, right: 30, data: ["equity", "drawdown %"] },
    grid: [{ left: 70, right: 30, top: 40, height: "50%" }, { left: 70, right: 30, top: "68%", bottom: 60 }],
    xAxis: [timeAxis(0), timeAxis(1)],
    yAxis: [{ scale: true, name: "equity" }, { gridIndex: 1, name: "drawdown %", max: 0 }],
    dataZoom: [{ type: "inside", xAxisIndex: [0, 1] }, { type: "slider", xAxisIndex: [0, 1], bottom: 10 }],
    series: [
      { name: "equity", type: "line", showSymbol: false, data: data.equity, lineStyle: { color: BLUE },
        itemStyle: { color: BLUE } },
      { name: "drawdown %", type: "line", xAxisIndex: 1, yAxisIndex: 1, showSymbol: false, data: data.drawdown,
        lineStyle: { color: RED }, itemStyle: { color: RED }, areaStyle: { color: "rgba(215,48,39,0.25)" } }
    ]
  }), data.equity.length > 1 ? "" : "no equity samples");

  data.laggers.forEach(function (lagger, i) {
    function markers(points) { return points.map(function (p) { return { value: [p.t, p.price], label: p.label }; }); }
    var tooltip = { trigger: "item", formatter: function (p) {
      return p.data.label ? p.data.label + " @ " + p.data.value[1] : p.seriesName + " " + p.value[1];
    } };
    draw("chart-price-" + i, base({
      tooltip: tooltip,
      legend: { top: 0, right: 30, data: ["mid", "entry buy", "entry sell", "exit"] },
      grid: { left: 70, right: 30, top: 40, bottom: 60 },
      xAxis: timeAxis(0),
      yAxis: { scale: true, name: lagger.symbol },
      dataZoom: [{ type: "inside" }, { type: "slider", bottom: 10 }],
      series: [
        { name: "mid", type: "line", showSymbol: false, data: lagger.mid, lineStyle: { color: GREY, width: 1 },
          itemStyle: { color: GREY } },
        { name: "entry buy", type: "scatter", symbol: "triangle", symbolSize: 11, data: markers(lagger.buys),
          itemStyle: { color: GREEN } },
        { name: "entry sell", type: "scatter", symbol: "triangle", symbolRotate: 180, symbolSize: 11,
          data: markers(lagger.sells), itemStyle: { color: RED } },
        { name: "exit", type: "scatter", symbol: "diamond", symbolSize: 9, data: markers(lagger.exits),
          itemStyle: { color: "#000000" } }
      ]
    }), lagger.mid.length > 0 || lagger.exits.length > 0 ? "" : "no prices recorded");
  });

  var outcomes = Object.keys(data.scans);
  var scanSeries = [];
  outcomes.forEach(function (outcome, i) {
    var color = OUTCOME_COLORS[i % OUTCOME_COLORS.length];
    var points = data.scans[outcome];
    function pick(column) { return points.map(function (p) { return [p[0], p[column], p[3]]; }); }
    scanSeries.push({ name: outcome, type: "scatter", symbolSize: 6, data: pick(1), itemStyle: { color: color } });
    scanSeries.push({ name: outcome, type: "scatter", symbolSize: 6, xAxisIndex: 1, yAxisIndex: 1, data: pick(2),
      itemStyle: { color: color } });
  });
  draw("chart-scans", base({
    tooltip: { trigger: "item", formatter: function (p) {
      return p.seriesName + " " + data.pairs[p.value[2]] + ": " + p.value[1];
    } },
    legend: { top: 0, right: 30, data: outcomes },
    axisPointer: { link: [{ xAxisIndex: "all" }] },
    grid: [{ left: 70, right: 30, top: 40, height: "33%" }, { left: 70, right: 30, top: "58%", bottom: 60 }],
    xAxis: [timeAxis(0), timeAxis(1)],
    yAxis: [{ name: "rho*", scale: true }, { gridIndex: 1, name: "tau* (s)", scale: true }],
    dataZoom: [{ type: "inside", xAxisIndex: [0, 1] }, { type: "slider", xAxisIndex: [0, 1], bottom: 10 }],
    series: scanSeries
  }), outcomes.length > 0 ? "" : "no decisions");

  function bars(id, categories, values, labels, empty) {
    draw(id, base({
      tooltip: { trigger: "axis", formatter: function (ps) {
        return ps[0].name + ": " + money(ps[0].value) + (labels ? " (" + labels[ps[0].dataIndex] + ")" : "");
      } },
      grid: { left: 70, right: 30, top: 30, bottom: 40 },
      xAxis: { type: "category", data: categories },
      yAxis: { type: "value", name: "net PnL" },
      series: [{ type: "bar", data: values.map(function (v) {
        return { value: v, itemStyle: { color: v < 0 ? RED : GREEN } };
      }) }]
    }), empty);
  }
  var traded = data.exitReasons.some(function (r) { return r.trades > 0; });
  bars("chart-exits", data.exitReasons.map(function (r) { return r.reason; }),
    data.exitReasons.map(function (r) { return r.netPnl; }),
    data.exitReasons.map(function (r) { return r.trades + " trades"; }), traded ? "" : "no trades");
  bars("chart-hours", data.pnlByHour.map(function (_, h) { return (h < 10 ? "0" : "") + h + ":00"; }),
    data.pnlByHour, null, traded ? "" : "no trades");

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
  document.body.setAttribute("data-charts-ready", String(Object.keys(charts).length));
})();
`;
