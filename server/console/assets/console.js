// Switchboard console: draws each chart's data block with uPlot (served from the package,
// /console/assets/uplot.js). Everything else works without this script: the pages are
// server-rendered, and every chart has its numbers in a table next to it.
(function () {
  'use strict';
  // Colours with at least 4.5:1 contrast on white; dashes tell series apart without colour.
  var COLORS = ['#0b5cad', '#b35900', '#1a7f37', '#a4262c', '#6f42c1', '#4d5560', '#00727a'];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 2], [8, 8], [4, 2, 1, 2]];

  function utc(ts) {
    return window.uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
  }

  function draw(figure) {
    var block = document.getElementById(figure.getAttribute('data-chart'));
    var plot = figure.querySelector('.plot');
    if (!block || !plot || !window.uPlot) return;
    var data;
    try {
      data = JSON.parse(block.textContent);
    } catch (e) {
      return;
    }
    if (!data.series.length) {
      plot.textContent = 'No data in this window.';
      plot.classList.add('plot-empty');
      return;
    }
    var series = [{ label: 'time (UTC)' }];
    data.series.forEach(function (s, i) {
      series.push({
        label: s.label,
        stroke: COLORS[i % COLORS.length],
        dash: DASHES[i % DASHES.length],
        width: 2,
        points: { show: data.kind === 'run' },
        spanGaps: data.kind === 'run',
        value: function (u, v) { return v == null ? '-' : Math.round(v * 100) / 100 + ' ' + data.unit; },
      });
    });
    var first = Math.min.apply(null, data.x);
    var last = Math.max.apply(null, data.x);
    var rows = [data.x].concat(data.series.map(function (s) { return s.values; }));
    var width = Math.max(240, plot.clientWidth);
    var chart = new window.uPlot(
      {
        width: width,
        height: 200,
        tzDate: utc,
        // One point (a single run or day) would stretch the axis over years: give it 6 hours each side.
        scales: {
          x: { time: true, range: function (u, min, max) { return last - first < 3600 ? [first - 21600, last + 21600] : [min, max]; } },
          y: data.unit === '%' ? { range: [0, 100] } : {},
        },
        series: series,
        axes: [{ stroke: '#30363d' }, { stroke: '#30363d', label: data.unit, size: 60 }],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      rows,
      plot,
    );
    figure.__chart = chart;
  }

  function resize() {
    document.querySelectorAll('figure.chart').forEach(function (figure) {
      var plot = figure.querySelector('.plot');
      if (figure.__chart && plot) figure.__chart.setSize({ width: Math.max(240, plot.clientWidth), height: 200 });
    });
  }

  function start() {
    document.querySelectorAll('figure.chart').forEach(draw);
    var pending = null;
    window.addEventListener('resize', function () {
      clearTimeout(pending);
      pending = setTimeout(resize, 150);
    });
    document.documentElement.classList.add('charts-ready');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
