// Suggestions for @mentions while typing in a text field marked data-mentions: after
// "@" and a letter or two, the server's list of matching people appears below the field
// as a listbox. Arrow keys move through it, Enter or Tab takes the highlighted person,
// Escape closes it; a live region says how many suggestions there are. Without
// JavaScript (or when the request fails) typing @name by hand works the same.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  var TOKEN = /(^|[^\w@\/.\-])@([A-Za-z0-9\-]{1,40})$/;
  var counter = 0;

  function enhance(field) {
    var url = field.getAttribute("data-mentions");
    var id = "erwaehnung-" + (++counter);
    var list = document.createElement("ul");
    list.id = id + "-liste";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Personen erwähnen");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    field.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    var people = [], active = -1, timer = null, controller = null, lastQuery = "";

    function close() {
      people = []; active = -1; lastQuery = "";
      list.hidden = true;
      list.innerHTML = "";
      field.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) { field.setAttribute("aria-activedescendant", id + "-" + index); }
      else { field.removeAttribute("aria-activedescendant"); }
    }

    function choose(index) {
      var person = people[index];
      if (!person) { return; }
      var before = field.value.slice(0, field.selectionStart);
      var after = field.value.slice(field.selectionEnd);
      var match = TOKEN.exec(before);
      if (!match) { close(); return; }
      var start = before.length - match[2].length;
      var insert = person.handle + " ";
      field.value = before.slice(0, start) + insert + after;
      var caret = start + insert.length;
      field.setSelectionRange(caret, caret);
      close();
      status.textContent = "@" + person.handle + " eingefügt.";
    }

    function show(found) {
      people = found;
      list.innerHTML = "";
      if (!found.length) { close(); status.textContent = ""; return; }
      found.forEach(function (person, index) {
        var item = document.createElement("li");
        item.id = id + "-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = person.name + " (" + person.authority + ") @" + person.handle;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the field
          choose(index);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      highlight(0);
      status.textContent = found.length === 1 ? "1 Vorschlag, Eingabetaste übernimmt."
        : found.length + " Vorschläge, mit Pfeiltasten wählen, Eingabetaste übernimmt.";
    }

    function lookUp() {
      var match = TOKEN.exec(field.value.slice(0, field.selectionStart));
      if (!match) { close(); return; }
      var query = match[2];
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin", headers: { "Accept": "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(show).catch(function () { /* typing on works without suggestions */ });
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 200);
    });
    field.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault(); highlight((active + 1) % people.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault(); highlight((active - 1 + people.length) % people.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (active >= 0) { event.preventDefault(); choose(active); }
      } else if (event.key === "Escape") {
        event.preventDefault(); close();
      }
    });
    field.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mentions]"), enhance);
})();
