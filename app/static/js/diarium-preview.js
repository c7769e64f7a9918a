/* Live preview of a diarium's next number: as the series code or the format is typed, the server's
   preview (the same code that registers cases) is asked and its number or Swedish error is shown.
   Without this script the Förhandsgranska button shows the same after a round trip. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-diarium-preview]").forEach(function (form) {
    var url = form.getAttribute("data-diarium-preview");
    var series = form.querySelector("[name=series]");
    var format = form.querySelector("[name=number_format]");
    var number = form.querySelector("[data-preview-number]");
    var note = form.querySelector("[data-preview-note]");
    if (!series || !format || !number || !note) { return; }
    var timer = null;
    var asked = 0;

    function show(data) {
      var errors = data.errors || {};
      var messages = Object.keys(errors).map(function (key) { return errors[key]; });
      number.textContent = messages.length ? "" : (data.number || "");
      note.textContent = messages.length ? messages.join(" ") : "";
    }

    function ask() {
      var mine = ++asked;
      var query = "series=" + encodeURIComponent(series.value) + "&number_format=" + encodeURIComponent(format.value);
      fetch(url + (url.indexOf("?") >= 0 ? "&" : "?") + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { if (mine === asked) { show(data); } })
        .catch(function () { /* the button still previews */ });
    }

    [series, format].forEach(function (input) {
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(ask, 250);
      });
    });
  });
})();
