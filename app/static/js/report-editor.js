// The report editor, enhanced: rich-text areas with a toolbar, and decision points that can be
// added, removed and moved. Without this script the form works as it is: the rich text is edited
// as simple HTML in the textareas, and there are empty rows for new decision points.
(function () {
  "use strict";
  var form = document.getElementById("report-editor");
  if (!form) { return; }

  // --- rich text: the same tags and attributes the server keeps ---------------------------
  var ALLOWED = { P: "p", H3: "h3", BR: "br", STRONG: "strong", B: "strong", EM: "em", I: "em", UL: "ul", OL: "ol", LI: "li", A: "a" };
  var BLOCKS = { DIV: true, BLOCKQUOTE: true };
  // a heading of any other level (pasted from Word or a web page) becomes a subheading, as on the server
  var HEADINGS = { H1: true, H2: true, H4: true, H5: true, H6: true };
  var DROPPED = { SCRIPT: true, STYLE: true, TEMPLATE: true, IFRAME: true, OBJECT: true, EMBED: true, SVG: true, MATH: true, HEAD: true, TITLE: true, META: true };
  var SAFE_URL = /^(https?:|mailto:)/i;

  // Copy the allowed part of `source` into `target`, building new nodes (never parsed HTML).
  function copyClean(source, target) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        target.appendChild(document.createTextNode(node.nodeValue));
        return;
      }
      if (node.nodeType !== Node.ELEMENT_NODE || DROPPED[node.nodeName]) { return; }
      var tag = ALLOWED[node.nodeName] || (HEADINGS[node.nodeName] ? "h3" : (BLOCKS[node.nodeName] ? "p" : null));
      if (!tag) { copyClean(node, target); return; }  // unknown wrapper (span, font …): keep its text
      var copy = document.createElement(tag);
      if (tag === "a") {
        var href = (node.getAttribute("href") || "").trim();
        if (!SAFE_URL.test(href)) { copyClean(node, target); return; }
        copy.setAttribute("href", href);
      }
      copyClean(node, copy);
      target.appendChild(copy);
    });
  }

  // Parse HTML in an inert document (no scripts run, nothing loads) and return it cleaned.
  function cleanFragment(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var fragment = document.createDocumentFragment();
    copyClean(parsed.body, fragment);
    return fragment;
  }

  // Return the area's content as clean HTML, loose text and inline marks gathered into paragraphs.
  function cleanHtml(element) {
    var holder = document.createElement("div");
    copyClean(element, holder);
    var paragraph = null;
    Array.prototype.slice.call(holder.childNodes).forEach(function (node) {
      if (/^(P|H3|UL|OL)$/.test(node.nodeName)) { paragraph = null; return; }
      if (!paragraph) {
        if (node.nodeType === Node.TEXT_NODE && !node.nodeValue.trim()) { holder.removeChild(node); return; }
        paragraph = document.createElement("p");
        holder.insertBefore(paragraph, node);
      }
      paragraph.appendChild(node);
    });
    return holder.innerHTML;
  }

  var TOOLS = [
    ["Fet", "bold"], ["Kursiv", "italic"], ["Underrubrik", "subheading"], ["Punktlista", "insertUnorderedList"],
    ["Numrerad lista", "insertOrderedList"], ["Länk", "createLink"]
  ];

  function enhanceRichText(textarea) {
    var label = form.querySelector('label[for="' + textarea.id + '"]');
    var hint = document.getElementById(textarea.id + "-hint");
    var area = document.createElement("div");
    area.className = "rich-editor__area field__input";
    area.contentEditable = "true";
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (label) {
      label.id = label.id || textarea.id + "-label";
      area.setAttribute("aria-labelledby", label.id);
      label.addEventListener("click", function () { area.focus(); });
    }
    if (textarea.getAttribute("aria-describedby")) { area.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby")); }
    if (textarea.getAttribute("aria-invalid")) { area.setAttribute("aria-invalid", "true"); }
    if (textarea.required) { area.setAttribute("aria-required", "true"); }
    area.appendChild(cleanFragment(textarea.value));

    var toolbar = document.createElement("div");
    toolbar.className = "rich-editor__toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatering" + (label ? ": " + label.textContent.trim() : ""));
    TOOLS.forEach(function (tool) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button--small button--secondary";
      button.textContent = tool[0];
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the selection
      button.addEventListener("click", function () {
        area.focus();
        if (tool[1] === "createLink") {
          var url = window.prompt("Länkens adress (https://…)", "https://");
          if (!url || !SAFE_URL.test(url.trim())) { return; }
          document.execCommand("createLink", false, url.trim());
        } else if (tool[1] === "subheading") {  // the line becomes a subheading (h3), or a paragraph again
          var current = String(document.queryCommandValue("formatBlock") || "").toLowerCase();
          document.execCommand("formatBlock", false, current === "h3" ? "p" : "h3");
        } else {
          document.execCommand(tool[1], false, null);
        }
      });
      button.tabIndex = toolbar.children.length ? -1 : 0;  // one Tab stop per toolbar; arrows move inside it
      toolbar.appendChild(button);
    });
    toolbar.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(toolbar.children);
      var index = buttons.indexOf(document.activeElement);
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (index < 0 || next === undefined) { return; }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      buttons.forEach(function (b, i) { b.tabIndex = i === next ? 0 : -1; });
      buttons[next].focus();
    });

    var wrapper = document.createElement("div");
    wrapper.className = "rich-editor";
    wrapper.appendChild(toolbar);
    wrapper.appendChild(area);
    textarea.parentNode.insertBefore(wrapper, textarea);
    textarea.hidden = true;
    if (hint) { hint.textContent = "Formatera med knapparna: fet, kursiv, underrubrik, listor och länkar. Annan formatering tas bort när du sparar."; }
    form.addEventListener("submit", function () { textarea.value = cleanHtml(area); });
  }

  try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* older browsers */ }
  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-rich-text]"), enhanceRichText);

  // --- decision points ------------------------------------------------------------------------
  var list = document.getElementById("proposal-list");
  var status = document.getElementById("proposal-status");
  if (!list) { return; }
  var max = parseInt(list.getAttribute("data-max"), 10) || 30;

  function rows() { return Array.prototype.slice.call(list.children); }

  // Number the rows 1..n again: names, ids, labels and references to them.
  function renumber() {
    rows().forEach(function (row, index) {
      var n = index + 1;
      Array.prototype.forEach.call(row.querySelectorAll("[id],[for],[name],[aria-describedby]"), function (el) {
        ["id", "for", "name", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/(proposal|adjusted)_\d+/g, "$1_" + n)); }
        });
      });
      var label = row.querySelector("label.field__label");
      if (label) { label.textContent = "Beslutspunkt " + n; }
      var number = row.querySelector("[data-row-number]");
      if (number) { number.textContent = " (beslutspunkt " + n + ")"; }
      Array.prototype.forEach.call(row.querySelectorAll("[data-row-tool]"), function (button) {
        button.querySelector(".visually-hidden").textContent = " beslutspunkt " + n;
        var tool = button.getAttribute("data-row-tool");
        button.disabled = (tool === "up" && n === 1) || (tool === "down" && n === rows().length);
      });
    });
    addButton.disabled = rows().length >= max;
  }

  function announce(text) { status.textContent = text; }

  function tool(row, name, text, action) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--small button--secondary";
    button.setAttribute("data-row-tool", name);
    button.appendChild(document.createTextNode(text));
    var hidden = document.createElement("span");
    hidden.className = "visually-hidden";
    button.appendChild(hidden);
    button.addEventListener("click", function () { action(row, button); });
    return button;
  }

  function move(row, button, up) {
    var other = up ? row.previousElementSibling : row.nextElementSibling;
    if (!other) { return; }
    list.insertBefore(row, up ? other : other.nextElementSibling);
    renumber();
    (button.disabled ? row.querySelector("textarea") : button).focus();
    announce("Beslutspunkten är nu nummer " + (rows().indexOf(row) + 1) + ".");
  }

  function remove(row) {
    var next = row.nextElementSibling || row.previousElementSibling;
    if (!next) {  // the last row is emptied instead
      row.querySelector("textarea").value = "";
      row.querySelector("input[type=checkbox]").checked = false;
      row.querySelector("textarea").focus();
      return;
    }
    list.removeChild(row);
    renumber();
    next.querySelector("textarea").focus();
    announce("Beslutspunkten är borttagen.");
  }

  function addTools(row) {
    var tools = document.createElement("div");
    tools.className = "proposal-row__tools";
    tools.appendChild(tool(row, "up", "Flytta upp", function (r, b) { move(r, b, true); }));
    tools.appendChild(tool(row, "down", "Flytta ned", function (r, b) { move(r, b, false); }));
    tools.appendChild(tool(row, "remove", "Ta bort", remove));
    row.appendChild(tools);
  }

  function addRow() {
    var template = rows()[rows().length - 1];
    var row = template.cloneNode(true);
    row.querySelector("textarea").value = "";
    row.querySelector("input[type=checkbox]").checked = false;
    Array.prototype.forEach.call(row.querySelectorAll(".field__error, .proposal-row__tools"), function (el) { el.remove(); });
    Array.prototype.forEach.call(row.querySelectorAll(".field--error"), function (el) { el.classList.remove("field--error"); });
    Array.prototype.forEach.call(row.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
    list.appendChild(row);
    addTools(row);
    renumber();
    row.querySelector("textarea").focus();
    announce("Beslutspunkt " + rows().length + " är tillagd.");
  }

  var addButton = document.createElement("button");
  addButton.type = "button";
  addButton.className = "button button--secondary";
  addButton.textContent = "Lägg till beslutspunkt";
  addButton.addEventListener("click", addRow);
  list.parentNode.insertBefore(addButton, list.nextSibling);
  rows().forEach(addTools);
  renumber();
})();
