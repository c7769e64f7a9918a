// The agenda builder, enhanced. Without this script every form posts and the page comes back; with it:
// - the forms marked data-agenda-change (adding items, the ready cases, "Handlingen är klar", "Ångra") are sent
//   in the background and the parts of the page that changed are put in from the answer;
// - "Ändra" opens the item's form in a dialog and "Ta bort" asks in a dialog; a removal's message (with
//   "Ångra") stands in the live region above the list;
// - a row is moved by dragging its number, or with "Flytta" in its menu and the arrow keys (Enter or Space
//   drops it, Escape cancels); the new order is saved at once and the numbers change. The move form each row
//   has without the script (a place number, "Flytta upp", "Flytta ned") is hidden.
(function () {
  "use strict";
  var status = document.getElementById("agenda-status");
  var list = document.getElementById("agenda-list");
  if (!status || !list || !window.fetch || !window.FormData || !window.DOMParser) { return; }

  var table = null;
  var tbody = null;
  var orderForm = null;
  var firstNumber = 1;  // the committee's first number (0 or 1): an item's number is its place counted from it
  var columns = 4;
  var busy = false;
  var lifted = null;  // {row, button, before: [ids]} while a row is picked up with the keyboard
  var dragged = null; // {row, button, before: [ids], target, after} while a row is dragged
  var dialogs = {};

  function csrfToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function itemRows() { return tbody ? Array.prototype.slice.call(tbody.querySelectorAll("tr[data-item-id]")) : []; }
  function ids() { return itemRows().map(function (row) { return row.getAttribute("data-item-id"); }); }
  function titleOf(row) { return "”" + (row.getAttribute("data-title") || "") + "”"; }
  function placeOf(row) { return itemRows().indexOf(row) + firstNumber; }
  function same(a, b) { return a.join(",") === b.join(","); }

  // --- the live region above the list -----------------------------------------------------------

  // Say ``text`` in the live region; with ``undo`` ({removal}) an "Ångra" button follows it.
  function announce(text, isError, offerReload, undo) {
    status.className = "agenda-status" + (isError ? " agenda-status--error" : "");
    status.textContent = "";
    window.setTimeout(function () {
      status.textContent = text;
      if (offerReload) {
        var reload = document.createElement("button");
        reload.type = "button";
        reload.className = "button button--small agenda-status__reload";
        reload.textContent = "Ladda om sidan";
        reload.addEventListener("click", function () { window.location.reload(); });
        status.appendChild(document.createTextNode(" "));
        status.appendChild(reload);
      }
      if (undo) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "button button--small agenda-status__undo";
        button.textContent = "Ångra";
        button.addEventListener("click", function () {
          var data = new FormData();
          data.append("csrf_token", csrfToken());
          data.append("removal", String(undo.removal));
          send(status.getAttribute("data-undo-url"), data, null);
        });
        status.appendChild(document.createTextNode(" "));
        status.appendChild(button);
        button.focus();  // the removed row's menu is gone: the next thing to do is here
      }
    }, 50);
  }

  // --- sending a change and putting in what changed ------------------------------------------------

  function send(url, data, form, onDone) {
    busy = true;
    list.setAttribute("aria-busy", "true");
    return fetch(url, { method: "POST", body: data, credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      })
      .then(function (result) {
        if (onDone) { onDone(result); }
        if (result.ok) {
          apply(result.body, form);
        } else if (result.status === 422 && form) {
          // the server shows what to correct beside each field: send the form as it is
          form.setAttribute("data-plain", "true");
          form.submit();
        } else {
          var message = (result.body && result.body.error && result.body.error.message) ||
            "Ändringen kunde inte sparas. Ladda om sidan och försök igen.";
          if (result.status === 409 && message.indexOf("Ladda om") === -1) { message += " Ladda om sidan."; }
          announce(message, true, result.status === 409);
        }
      })
      .catch(function () {
        announce("Ändringen kunde inte sparas: servern svarade inte. Försök igen.", true);
      })
      .then(function () {
        busy = false;
        list.removeAttribute("aria-busy");
      });
  }

  function apply(body, form) {
    var fragments = body.fragments || {};
    Object.keys(fragments).forEach(function (id) {
      var element = document.getElementById(id);
      if (element) { element.innerHTML = fragments[id]; }
    });
    setVersion(body.version);
    bindList();
    bindReady();
    pruneCaseChoices();
    if (form && form.hasAttribute("data-reset")) { form.reset(); }
    announce(body.message || "Föredragningslistan är sparad.", false, false, body.undo);
    var active = document.activeElement;
    if (body.focus) {
      var row = document.getElementById(body.focus);
      var toggle = row && row.querySelector(".row-menu__toggle");
      if (toggle) { toggle.focus(); }
    } else if (!body.undo && (!active || active === document.body || active.offsetParent === null)) {
      // the control that was used is gone (the last ready case added): go on at the list
      var heading = document.getElementById("dagordning");
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
    }
  }

  function setVersion(version) {
    if (version === undefined || version === null) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("input[name=version]"), function (input) {
      input.value = String(version);
    });
  }

  // The single case form offers no case that is on the agenda now.
  function pruneCaseChoices() {
    var onAgenda = {};
    itemRows().forEach(function (row) {
      var id = row.getAttribute("data-case-id");
      if (id) { onAgenda[id] = true; }
    });
    Array.prototype.forEach.call(document.querySelectorAll("select[name=case] option"), function (option) {
      if (option.value && onAgenda[option.value]) { option.remove(); }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-agenda-change") || form.hasAttribute("data-plain")) { return; }
    event.preventDefault();
    if (busy) { return; }
    var data = new FormData(form);
    if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value); }
    var dialog = form.closest("dialog");
    send(form.action, data, form, function (result) {
      if (dialog && result.status !== 422) { dialog.close(); }
    });
  });

  // --- dialogs: confirm a removal, edit an item ----------------------------------------------------

  function dialog(name) {
    if (dialogs[name]) { return dialogs[name]; }
    var element = document.createElement("dialog");
    element.className = "agenda-dialog";
    element.id = "agenda-dialog-" + name;
    element.setAttribute("aria-labelledby", element.id + "-title");
    document.body.appendChild(element);
    dialogs[name] = element;
    return element;
  }

  function openRemove(link) {
    var row = link.closest("tr[data-item-id]");
    var toggle = row.querySelector(".row-menu__toggle");
    var box = dialog("remove");
    box.innerHTML = "";
    var heading = document.createElement("h2");
    heading.id = box.id + "-title";
    heading.textContent = "Ta bort punkt " + placeOf(row) + "?";
    var text = document.createElement("p");
    text.textContent = titleOf(row) + " tas bort från föredragningslistan och övriga punkter numreras om. " +
      "Du kan ångra borttagningen en stund efteråt.";
    var actions = document.createElement("p");
    actions.className = "actions";
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "button button--danger";
    remove.textContent = "Ta bort punkten";
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button button--secondary";
    cancel.textContent = "Avbryt";
    actions.appendChild(remove);
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(cancel);
    box.appendChild(heading);
    box.appendChild(text);
    box.appendChild(actions);
    cancel.addEventListener("click", function () { box.close(); });
    box.onclose = function () { if (document.body.contains(toggle)) { toggle.focus(); } };
    remove.addEventListener("click", function () {
      if (busy) { return; }
      box.onclose = null;
      box.close();
      var data = new FormData();
      data.append("csrf_token", csrfToken());
      send(link.href, data, null);
    });
    box.showModal();
    cancel.focus();
  }

  function openEdit(link) {
    var row = link.closest("tr[data-item-id]");
    var toggle = row.querySelector(".row-menu__toggle");
    fetch(link.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var form = page.querySelector("main form[method=post]");
        var title = page.querySelector("main h1");
        if (!form || !title) { window.location.href = link.href; return; }
        var box = dialog("edit");
        box.innerHTML = "";
        var heading = document.createElement("h2");
        heading.id = box.id + "-title";
        heading.textContent = title.textContent;
        box.appendChild(heading);
        var adopted = document.importNode(form, true);
        adopted.setAttribute("data-agenda-change", "");
        var cancel = adopted.querySelector(".actions a");
        if (cancel) {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "button button--secondary";
          button.textContent = "Avbryt";
          button.addEventListener("click", function () { box.close(); });
          cancel.replaceWith(button);
        }
        box.appendChild(adopted);
        box.onclose = function () { if (document.body.contains(toggle)) { toggle.focus(); } };
        box.showModal();
        var first = adopted.querySelector("input:not([type=hidden]), textarea, select");
        if (first) { first.focus(); }
      })
      .catch(function () { window.location.href = link.href; });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-remove-item], a[data-edit-item]") : null;
    if (!link || busy) { return; }
    event.preventDefault();
    if (link.hasAttribute("data-remove-item")) { openRemove(link); } else { openEdit(link); }
  });

  // --- the ready cases: tick all at once -----------------------------------------------------------

  function bindReady() {
    var holder = document.getElementById("ready-cases");
    if (!holder) { return; }
    var boxes = Array.prototype.slice.call(holder.querySelectorAll("input[type=checkbox][name=case]"));
    var submit = holder.parentNode.querySelector(".actions");
    if (submit) { submit.hidden = boxes.length === 0; }
    if (boxes.length < 2) { return; }
    var wrapper = document.createElement("div");
    wrapper.className = "checkbox ready-all";
    var all = document.createElement("input");
    all.type = "checkbox";
    all.id = "klara-alla";
    var label = document.createElement("label");
    label.htmlFor = all.id;
    label.textContent = "Markera alla " + boxes.length + " klara ärenden";
    wrapper.appendChild(all);
    wrapper.appendChild(label);
    holder.insertBefore(wrapper, holder.firstChild);
    function sync() {
      var checked = boxes.filter(function (box) { return box.checked; }).length;
      all.checked = checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  }

  // --- the list: menus, moving by keyboard and by dragging -------------------------------------------

  // Put a section's heading (a named section, or the closed part for the confidential items) before each run of
  // items in it, as the server does.
  function placeSections() {
    Array.prototype.forEach.call(tbody.querySelectorAll("tr.agenda-section"), function (row) { row.remove(); });
    var previous = "";
    itemRows().forEach(function (row) {
      var section = row.getAttribute("data-section-name") || "";
      if (section && section !== previous) {
        var heading = document.createElement("tr");
        heading.className = "agenda-section";
        heading.setAttribute("data-section", "true");
        var cell = document.createElement("th");
        cell.scope = "row";
        cell.colSpan = columns;
        cell.textContent = section;
        heading.appendChild(cell);
        tbody.insertBefore(heading, row);
      }
      previous = section;
    });
  }

  // Show the numbers of the rows' places (the number cell, the hidden texts).
  function renumber() {
    itemRows().forEach(function (row, index) {
      var number = String(index + firstNumber);
      var cell = row.querySelector(".agenda-number__value");
      if (cell) { cell.textContent = number; }
      Array.prototype.forEach.call(row.querySelectorAll(".js-number"), function (span) { span.textContent = number; });
    });
  }

  function arrange(order) {
    var byId = {};
    itemRows().forEach(function (row) { byId[row.getAttribute("data-item-id")] = row; });
    order.forEach(function (id) { if (byId[id]) { tbody.appendChild(byId[id]); } });
    placeSections();
    renumber();
  }

  // Send the order shown now; on a refusal put the rows back and say why.
  function save(before, row, focus) {
    var data = new FormData(orderForm);
    data.set("order", ids().join(","));
    busy = true;
    table.setAttribute("aria-busy", "true");
    fetch(orderForm.action, { method: "POST", body: data, credentials: "same-origin",
                              headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { ok: response.ok, status: response.status, body: body };
        });
      })
      .then(function (result) {
        if (result.ok) {
          setVersion(result.body.version);
          renumber();
          announce(titleOf(row) + " är nu punkt " + placeOf(row) + ". Föredragningslistan är sparad.");
        } else {
          arrange(before);
          var message = (result.body && result.body.error && result.body.error.message) ||
            "Ordningen kunde inte sparas. Ladda om sidan och försök igen.";
          if (result.status === 409 && message.indexOf("Ladda om") === -1) { message += " Ladda om sidan."; }
          announce(message, true, result.status === 409);
        }
      })
      .catch(function () {
        arrange(before);
        announce("Ordningen kunde inte sparas: servern svarade inte. Försök igen.", true);
      })
      .then(function () {
        busy = false;
        table.removeAttribute("aria-busy");
        if (focus) { focus.focus(); }
      });
  }

  function pickUp(row, button) {
    lifted = { row: row, button: button, before: ids() };
    row.classList.add("is-lifted");
    button.setAttribute("aria-pressed", "true");
    announce(titleOf(row) + ", punkt " + placeOf(row) + ", är upplyft. Flytta med pil upp och pil ned, " +
      "släpp med Enter och avbryt med Escape.");
  }

  function putDown(cancel) {
    var current = lifted;
    lifted = null;
    current.row.classList.remove("is-lifted");
    current.button.setAttribute("aria-pressed", "false");
    if (cancel) {
      arrange(current.before);
      current.button.focus();
      announce("Flyttningen avbröts. " + titleOf(current.row) + " är kvar på plats " + placeOf(current.row) + ".");
    } else if (same(current.before, ids())) {
      announce(titleOf(current.row) + " ligger kvar på plats " + placeOf(current.row) + ".");
    } else {
      save(current.before, current.row, current.button);
    }
  }

  function step(direction) {
    var rows = itemRows();
    var index = rows.indexOf(lifted.row);
    var target = rows[index + direction];
    if (!target) {
      announce(titleOf(lifted.row) + " är redan " + (direction < 0 ? "först." : "sist."));
      return;
    }
    tbody.insertBefore(lifted.row, direction < 0 ? target : target.nextSibling);
    placeSections();
    renumber();
    lifted.button.focus();
    announce(titleOf(lifted.row) + ": plats " + placeOf(lifted.row) + " av " + rows.length + ".");
  }

  function enhanceRow(row) {
    var cell = row.querySelector(".agenda-number");
    var menu = row.querySelector(".row-menu");
    var panel = row.querySelector(".row-menu__panel");
    var number = cell.textContent.trim();
    var value = document.createElement("span");
    value.className = "agenda-number__value";
    value.textContent = number;
    var grip = document.createElement("span");
    grip.className = "agenda-grip";
    grip.setAttribute("aria-hidden", "true");
    grip.title = "Dra för att flytta";
    grip.textContent = "⠿";
    cell.textContent = "";
    cell.appendChild(grip);
    cell.appendChild(value);
    if (!panel) { return; }
    var moveForm = panel.querySelector(".move-form");
    if (moveForm) { moveForm.hidden = true; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--small button--secondary agenda-handle";
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-describedby", "agenda-help");
    button.innerHTML = "Flytta<span class=\"visually-hidden\"> punkt <span class=\"js-number\"></span></span>";
    button.querySelector(".js-number").textContent = number;
    panel.insertBefore(button, panel.firstChild);

    menu.addEventListener("toggle", function () {
      if (!menu.open) { return; }
      Array.prototype.forEach.call(tbody.querySelectorAll(".row-menu[open]"), function (other) {
        if (other !== menu) { other.open = false; }
      });
    });
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !lifted && menu.open) {
        event.preventDefault();
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    button.addEventListener("click", function () {
      if (busy) { return; }
      if (lifted && lifted.row === row) { putDown(false); return; }
      if (lifted) { putDown(true); }
      pickUp(row, button);
    });
    button.addEventListener("keydown", function (event) {
      if (!lifted || lifted.row !== row) { return; }
      if (event.key === "ArrowUp" || event.key === "ArrowDown") {
        event.preventDefault();
        step(event.key === "ArrowUp" ? -1 : 1);
      } else if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        putDown(true);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        putDown(false);
      } else if (event.key === "Tab") {
        putDown(true);
      }
    });

    // drag and drop: by the grip or the number, so the row's fields stay usable
    [grip, value].forEach(function (handle) {
      handle.addEventListener("pointerdown", function () { if (!busy) { row.draggable = true; } });
      handle.addEventListener("pointerup", function () { if (!dragged) { row.draggable = false; } });
    });
    row.addEventListener("dragstart", function (event) {
      if (!row.draggable || busy || lifted) { event.preventDefault(); return; }
      dragged = { row: row, button: button, before: ids(), target: null, after: false };
      row.classList.add("is-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.getAttribute("data-item-id"));
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("is-dragging");
      row.draggable = false;
      clearMarks();
      dragged = null;
    });
  }

  // While dragging only a line shows where the row would go; it moves when it is dropped.
  function clearMarks() {
    Array.prototype.forEach.call(tbody.querySelectorAll(".drop-before, .drop-after"), function (row) {
      row.classList.remove("drop-before", "drop-after");
    });
  }

  function onDragOver(event) {
    if (!dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    var target = event.target.closest ? event.target.closest("tr[data-item-id]") : null;
    if (!target) { return; }
    var box = target.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    if (target !== dragged.target || after !== dragged.after) {
      clearMarks();
      dragged.target = target;
      dragged.after = after;
      if (target !== dragged.row) { target.classList.add(after ? "drop-after" : "drop-before"); }
    }
  }

  function onDrop(event) {
    if (!dragged) { return; }
    event.preventDefault();
    var current = dragged;
    clearMarks();
    if (!current.target || current.target === current.row) { return; }
    tbody.insertBefore(current.row, current.after ? current.target.nextSibling : current.target);
    placeSections();
    renumber();
    if (!same(current.before, ids())) { save(current.before, current.row, current.button); }
  }

  function bindList() {
    table = document.getElementById("agenda-table");
    orderForm = document.getElementById("agenda-order");
    lifted = null;
    dragged = null;
    tbody = table ? table.tBodies[0] : null;
    if (!table || !orderForm) { return; }
    firstNumber = parseInt(table.getAttribute("data-first-number") || "1", 10);
    columns = table.tHead ? table.tHead.rows[0].cells.length : 3;
    itemRows().forEach(enhanceRow);
    tbody.addEventListener("dragover", onDragOver);
    tbody.addEventListener("drop", onDrop);
  }

  bindList();
  bindReady();
}());
