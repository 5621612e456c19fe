// Suggestions for @mentions while typing in a text field marked data-mentions: after
// "@" and a letter or two, the server's list of matching people appears below the field
// as a listbox. Arrow keys move through it, Enter or Tab takes the highlighted person,
// Escape closes it; a live region says how many suggestions there are. Without
// JavaScript (or when the request fails) typing @name by hand works the same.
(function () {
  "use strict";
  if (!window.fetch || !window.KituSuggestions) { return; }
  var TOKEN = /(^|[^\w@\/.\-])@([A-Za-z0-9\-]{1,40})$/;
  var counter = 0;

  function enhance(field) {
    var url = field.getAttribute("data-mentions");
    var timer = null, controller = null, lastQuery = "";
    var list = window.KituSuggestions(field, {
      id: "erwaehnung-" + (++counter), className: "mention-list",
      label: "Personen erwähnen", combobox: false, highlightFirst: true,
      text: function (person) {
        return person.name + " (" + person.authority + ") @" + person.handle;
      },
      choose: choose,
      announce: function (count) {
        return count === 1 ? "1 Vorschlag, Eingabetaste übernimmt."
          : count + " Vorschläge, mit Pfeiltasten wählen, Eingabetaste übernimmt.";
      }
    });

    function close() {
      lastQuery = "";
      list.close();
    }

    function choose(person) {
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
      list.say("@" + person.handle + " eingefügt.");
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
      }).then(list.show).catch(function () { /* typing on works without suggestions */ });
    }

    field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 200);
    });
    field.addEventListener("keydown", function (event) {
      if (!list.isOpen()) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault(); list.move(1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault(); list.move(-1);
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (list.chooseActive()) { event.preventDefault(); }
      } else if (event.key === "Escape") {
        event.preventDefault(); close();
      }
    });
    field.addEventListener("blur", function () { window.setTimeout(close, 150); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-mentions]"), enhance);
})();
