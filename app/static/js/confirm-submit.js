// A form marked data-confirm asks before it is sent: the browser's dialog with the form's question.
// Without this script the page confirms in its own way (a box to tick, checked by the server).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
})();
