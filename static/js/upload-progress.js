// Progress for an upload that takes more than a second: the share of the file sent, then
// "Checking the rows…" while the server reads it; the answer replaces the page as a normal
// submit would. Without JavaScript (or XMLHttpRequest) the form submits as usual.
(function () {
  "use strict";
  function attach(form) {
    var panel = form.querySelector("[data-upload-progress-panel]");
    var bar = form.querySelector("[data-upload-progress-bar]");
    var label = form.querySelector("[data-upload-progress-label]");
    if (!panel || !bar || !window.XMLHttpRequest || !window.FormData) return;
    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (!file || !file.files || !file.files.length) return; // the server says what is missing
      event.preventDefault();
      var request = new XMLHttpRequest();
      var shown = window.setTimeout(function () { panel.hidden = false; }, 1000);
      request.upload.addEventListener("progress", function (progress) {
        if (progress.lengthComputable) {
          bar.value = Math.round((progress.loaded / progress.total) * 100);
          label.textContent = "Sending the file… " + bar.value + "%";
        }
      });
      request.upload.addEventListener("load", function () {
        bar.removeAttribute("value"); // indeterminate: the server is reading the rows
        label.textContent = "Checking the rows…";
      });
      request.addEventListener("load", function () {
        window.clearTimeout(shown);
        var target = request.responseURL || window.location.href;
        if (target !== window.location.href) window.history.pushState({}, "", target);
        document.open();
        document.write(request.responseText);
        document.close();
      });
      request.addEventListener("error", function () {
        window.clearTimeout(shown);
        form.submit(); // let the browser try, and show whatever it gets
      });
      request.open(form.method || "POST", form.action || window.location.href);
      request.send(new FormData(form));
      form.querySelector("button[type=submit]").disabled = true;
    });
  }
  var forms = document.querySelectorAll("form[data-upload-progress]");
  for (var i = 0; i < forms.length; i += 1) attach(forms[i]);
})();
