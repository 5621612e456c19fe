// A list of suggestions below a text field: the listbox of the WAI-ARIA combobox pattern
// with list autocomplete. The focus stays in the field (aria-activedescendant marks the
// highlighted option); a live region says how many suggestions there are. Shared by the
// tag field (forms.js) and @mentions in text areas (mentions.js).
//
// KituSuggestions(field, options) -> list
//   options.id          id of the list; options are id-0, id-1, ...
//   options.className   class of the list (its look)
//   options.label       accessible name of the list
//   options.combobox    true: the field gets role=combobox and aria-expanded
//   options.highlightFirst  true: the first option is highlighted when the list opens
//   options.text(entry) the text of an option
//   options.choose(entry)   what taking an option does
//   options.announce(count) what the live region says when the list opens
// list.show(entries), list.close(), list.move(+1|-1), list.chooseActive() -> bool,
// list.isOpen(), list.say(text)
(function () {
  "use strict";

  window.KituSuggestions = function (field, options) {
    var list = document.createElement("ul");
    list.id = options.id;
    list.className = options.className;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", options.label);
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    field.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    if (options.combobox) {
      field.setAttribute("role", "combobox");
      field.setAttribute("aria-expanded", "false");
    }
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", list.id);
    var entries = [];
    var items = [];
    var active = -1;

    function highlight(position) {
      active = position;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === position ? "true" : "false");
      });
      if (position >= 0) {
        field.setAttribute("aria-activedescendant", items[position].id);
        items[position].scrollIntoView({ block: "nearest" });
      } else {
        field.removeAttribute("aria-activedescendant");
      }
    }

    var api = {
      isOpen: function () { return !list.hidden; },
      say: function (text) { status.textContent = text; },
      close: function () {
        list.hidden = true;
        list.innerHTML = "";
        entries = [];
        items = [];
        active = -1;
        field.removeAttribute("aria-activedescendant");
        if (options.combobox) { field.setAttribute("aria-expanded", "false"); }
      },
      show: function (found) {
        api.close();
        if (!found.length) { api.say(""); return; }
        entries = found;
        items = found.map(function (entry, i) {
          var item = document.createElement("li");
          item.id = list.id + "-" + i;
          item.setAttribute("role", "option");
          item.setAttribute("aria-selected", "false");
          item.textContent = options.text(entry);
          // mousedown would move the focus out of the field (and close the list).
          item.addEventListener("mousedown", function (event) { event.preventDefault(); });
          item.addEventListener("click", function () { options.choose(entry); });
          list.appendChild(item);
          return item;
        });
        list.hidden = false;
        if (options.combobox) { field.setAttribute("aria-expanded", "true"); }
        if (options.highlightFirst) { highlight(0); }
        api.say(options.announce(found.length));
      },
      move: function (step) {
        var count = items.length;
        if (!count) { return; }
        highlight(step < 0 && active <= 0 ? count - 1 : (active + step) % count);
      },
      chooseActive: function () {
        if (active < 0 || !entries[active]) { return false; }
        options.choose(entries[active]);
        return true;
      }
    };
    return api;
  };
})();
