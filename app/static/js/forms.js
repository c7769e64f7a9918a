/* Live validation: when the user leaves a field, its error shows where and as the server would show it
   (the field's own error line, tied to it with aria-describedby and aria-invalid); it goes away as soon
   as the value is right. Only the rules the page states are checked here (required, a clock time, a
   number's range, a date the browser could not read); the server checks everything, with or without
   this script. */
(function () {
  "use strict";

  var TIME = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/;
  var SKIP = { hidden: 1, checkbox: 1, radio: 1, file: 1, submit: 1, button: 1 };

  function labelOf(field) {
    var label = field.id && document.querySelector('label[for="' + field.id + '"]');
    var text = label ? label.textContent : (field.getAttribute("aria-label") || "Fältet");
    return text.replace(/\s+/g, " ").trim();
  }

  function problem(field) {
    var value = field.value.trim();
    if (field.validity && field.validity.badInput) {
      return field.type === "date" ? "Ange datumet som ÅÅÅÅ-MM-DD, till exempel 2017-02-23." : "Ange ett heltal.";
    }
    if (!value) { return field.required ? labelOf(field) + " måste fyllas i." : ""; }
    if (field.getAttribute("data-format") === "time" && !TIME.test(value)) {
      return "Ange klockslaget som TT:MM, till exempel 18:00.";
    }
    if (field.type === "number") {
      var number = Number(value);
      var min = field.getAttribute("min"), max = field.getAttribute("max");
      if (!Number.isInteger(number)) { return "Ange ett heltal."; }
      if ((min !== null && number < Number(min)) || (max !== null && number > Number(max))) {
        return "Ange ett helt antal från " + min + " till " + max + ".";
      }
    }
    return "";
  }

  function describedBy(field, id, present) {
    var ids = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) { return x && x !== id; });
    if (present) { ids.push(id); }
    if (ids.length) { field.setAttribute("aria-describedby", ids.join(" ")); } else { field.removeAttribute("aria-describedby"); }
  }

  function show(field, text) {
    var wrapper = field.closest(".field");
    if (!wrapper || !field.id) { return; }
    var id = field.id + "-error";
    var line = document.getElementById(id);
    if (text) {
      if (!line) {
        line = document.createElement("p");
        line.className = "field__error";
        line.id = id;
        wrapper.appendChild(line);
      }
      line.setAttribute("data-live", "");
      line.textContent = text;
      wrapper.classList.add("field--error");
      field.setAttribute("aria-invalid", "true");
      describedBy(field, id, true);
    } else if (line) {
      line.parentNode.removeChild(line);
      wrapper.classList.remove("field--error");
      field.removeAttribute("aria-invalid");
      describedBy(field, id, false);
    }
  }

  function changed(field) {
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return field.value !== field.defaultValue;
  }

  function checkable(target) {
    return target && target.closest && target.closest(".field") &&
      /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName) && !SKIP[target.type];
  }

  document.addEventListener("focusout", function (event) {
    var field = event.target;
    if (!checkable(field)) { return; }
    var text = problem(field);
    var line = document.getElementById(field.id + "-error");
    // A server's message about an unchanged value stays (it may say what no rule here knows).
    if (text || !line || line.hasAttribute("data-live") || changed(field)) { show(field, text); }
  });
  document.addEventListener("input", function (event) {
    var field = event.target;
    // While an error shows, the line follows the typing, so it disappears as soon as the value is right.
    if (checkable(field) && field.getAttribute("aria-invalid") === "true" && !problem(field)) { show(field, ""); }
  });
})();
