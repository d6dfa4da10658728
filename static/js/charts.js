// Draw every chart on the page: <div data-chart="ID"> with its figure in <script id="ID" type="application/json">.
(function () {
  if (!window.Plotly) return;
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) return;
    var figure = JSON.parse(source.textContent);
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      displaylogo: false,
      responsive: true,
      modeBarButtonsToRemove: ["select2d", "lasso2d"]
    });
  });
})();
