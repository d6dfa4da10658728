// "Print or save as PDF": shown only where JavaScript runs (the browser's own Print works anyway).
document.querySelectorAll('[data-module="app-print"]').forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
});
