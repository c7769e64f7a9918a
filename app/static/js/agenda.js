// The agenda builder, enhanced: a row can be dragged, or picked up with its "Flytta" button and
// moved with the arrow keys (Enter or Space drops it, Escape cancels). The new order is saved at
// once and the numbers change. Without this script every row keeps its own form to move it (a
// place number, "Flytta upp", "Flytta ned"), which works the same way.
(function () {
  "use strict";
  var table = document.getElementById("agenda-table");
  var orderForm = document.getElementById("agenda-order");
  var status = document.getElementById("agenda-status");
  if (!table || !orderForm || !status || !window.fetch || !window.FormData) { return; }
  var tbody = table.tBodies[0];
  // The committee's first number (0 or 1): an item's number is its place counted from it.
  var firstNumber = parseInt(table.getAttribute("data-first-number") || "1", 10);
  var columns = table.tHead ? table.tHead.rows[0].cells.length : 3;
  var busy = false;
  var lifted = null;  // {row, button, before: [ids]} while a row is picked up with the keyboard
  var dragged = null; // {row, button, before: [ids], target, after} while a row is dragged

  function itemRows() { return Array.prototype.slice.call(tbody.querySelectorAll("tr[data-item-id]")); }
  function ids() { return itemRows().map(function (row) { return row.getAttribute("data-item-id"); }); }
  function titleOf(row) { return "”" + (row.getAttribute("data-title") || "") + "”"; }
  function placeOf(row) { return itemRows().indexOf(row) + firstNumber; }

  function announce(text, isError, offerReload) {
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
    }, 50);
  }

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

  // Show the numbers of the rows' places (the number cell, the hidden texts, the move forms).
  function renumber() {
    var rows = itemRows();
    rows.forEach(function (row, index) {
      var number = String(index + firstNumber);
      var cell = row.querySelector(".agenda-number__value");
      if (cell) { cell.textContent = number; }
      Array.prototype.forEach.call(row.querySelectorAll(".js-number"), function (span) { span.textContent = number; });
      var input = row.querySelector("input[name=position]");
      if (input) { input.value = number; input.min = String(firstNumber); input.max = String(rows.length - 1 + firstNumber); }
      var up = row.querySelector("button[name=direction][value=up]");
      var down = row.querySelector("button[name=direction][value=down]");
      if (up) { up.hidden = index === 0; }
      if (down) { down.hidden = index === rows.length - 1; }
    });
  }

  function setVersion(version) {
    Array.prototype.forEach.call(document.querySelectorAll("#agenda-table input[name=version], #agenda-order input[name=version]"),
      function (input) { input.value = String(version); });
  }

  function arrange(order) {
    var byId = {};
    itemRows().forEach(function (row) { byId[row.getAttribute("data-item-id")] = row; });
    order.forEach(function (id) { if (byId[id]) { tbody.appendChild(byId[id]); } });
    placeSections();
    renumber();
  }

  function same(a, b) { return a.join(",") === b.join(","); }

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

  // --- the keyboard: pick up, move with the arrows, drop or cancel ---------------------------

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

  itemRows().forEach(function (row) {
    var cell = row.querySelector(".agenda-number");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--small button--secondary agenda-handle";
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-describedby", "agenda-help");
    button.innerHTML = "Flytta<span class=\"visually-hidden\"> punkt <span class=\"js-number\"></span></span>";
    button.querySelector(".js-number").textContent = cell.textContent.trim();
    var value = document.createElement("span");
    value.className = "agenda-number__value";
    value.textContent = cell.textContent.trim();
    var grip = document.createElement("span");
    grip.className = "agenda-grip";
    grip.setAttribute("aria-hidden", "true");
    grip.title = "Dra för att flytta";
    grip.textContent = "⠿";
    cell.textContent = "";
    cell.appendChild(grip);
    cell.appendChild(value);
    cell.appendChild(button);

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
        putDown(true);
      } else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        putDown(false);
      } else if (event.key === "Tab") {
        putDown(true);
      }
    });

    // --- drag and drop: by the grip or the number, so the row's fields stay usable -------------
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
  });

  // While dragging only a line shows where the row would go; it moves when it is dropped.
  function clearMarks() {
    Array.prototype.forEach.call(tbody.querySelectorAll(".drop-before, .drop-after"), function (row) {
      row.classList.remove("drop-before", "drop-after");
    });
  }

  tbody.addEventListener("dragover", function (event) {
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
  });
  tbody.addEventListener("drop", function (event) {
    if (!dragged) { return; }
    event.preventDefault();
    var current = dragged;
    clearMarks();
    if (!current.target || current.target === current.row) { return; }
    tbody.insertBefore(current.row, current.after ? current.target.nextSibling : current.target);
    placeSections();
    renumber();
    if (!same(current.before, ids())) { save(current.before, current.row, current.button); }
  });
}());
