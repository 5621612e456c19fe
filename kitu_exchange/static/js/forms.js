// Small enhancements of forms that work without it (loaded on every page):
// - text areas grow with their text where CSS `field-sizing` is not supported;
// - the "Vorschau" button of a Markdown field shows the server's rendering without a
//   reload and keeps it current while typing (without JavaScript the button sends the
//   form back and the page shows the preview, with everything typed kept).
(function () {
  "use strict";

  function grow(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }

  if (!(window.CSS && CSS.supports && CSS.supports("field-sizing", "content"))) {
    document.querySelectorAll("textarea").forEach(function (area) {
      var minimum = area.offsetHeight;
      area.addEventListener("input", function () {
        grow(area);
        if (area.offsetHeight < minimum) { area.style.height = minimum + "px"; }
      });
    });
  }

  function setUpPreview(box) {
    var area = box.querySelector("textarea");
    var button = box.querySelector(".markdown-field__toggle");
    var panel = box.querySelector(".markdown-preview");
    var target = box.querySelector(".markdown-preview__body");
    var form = box.closest("form");
    var token = form && form.querySelector("input[name='csrf_token']");
    if (!area || !button || !panel || !target || !token || !window.fetch) { return; }
    var timer = null;
    var shown = null;

    function render() {
      if (area.value === shown) { return; }
      shown = area.value;
      fetch(box.getAttribute("data-preview-url"), {
        method: "POST",
        body: new URLSearchParams({ text: area.value, csrf_token: token.value }),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      }).then(function (html) {
        target.innerHTML = html;
      }).catch(function () { shown = null; });
    }

    button.setAttribute("aria-expanded", panel.hidden ? "false" : "true");
    if (!panel.hidden) { shown = area.value; }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var open = panel.hidden;
      panel.hidden = !open;
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) { render(); }
    });
    area.addEventListener("input", function () {
      if (panel.hidden) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(render, 400);
    });
  }

  document.querySelectorAll(".markdown-field").forEach(setUpPreview);

  // Tag suggestions: the WAI-ARIA APG combobox with list autocomplete and manual
  // selection. Arrow keys move through the list (aria-activedescendant, focus stays in
  // the field), Enter takes the suggestion for the part after the last comma, Escape
  // closes the list. Suggestions keep the case they were written in.
  function setUpTags(box, index) {
    var input = box.querySelector("input");
    if (!input || !window.fetch) { return; }
    var listId = input.id + "-vorschlaege";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "tag-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Vorschläge");
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    var active = -1;
    var items = [];
    var timer = null;
    var asked = null;

    function current() {
      var parts = input.value.split(",");
      return parts[parts.length - 1].trim();
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      active = position;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === position ? "true" : "false");
      });
      if (position >= 0) {
        input.setAttribute("aria-activedescendant", items[position].id);
        items[position].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(label) {
      var parts = input.value.split(",");
      parts[parts.length - 1] = (parts.length > 1 ? " " : "") + label;
      input.value = parts.join(",") + ", ";
      close();
      asked = null;
      input.focus();
    }

    function show(tags) {
      list.innerHTML = "";
      var taken = input.value.toLowerCase().split(",").map(function (part) { return part.trim(); });
      items = tags.filter(function (tag) {
        return taken.slice(0, -1).indexOf(tag.name) < 0;
      }).map(function (tag, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = tag.label;
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { choose(tag.label); });
        list.appendChild(item);
        return item;
      });
      active = -1;
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = items.length === 1 ? "1 Vorschlag" : items.length + " Vorschläge";
      } else {
        close();
        status.textContent = "";
      }
    }

    function ask() {
      var text = current();
      if (text === asked) { return; }
      asked = text;
      if (!text) { show([]); return; }
      fetch(box.getAttribute("data-suggest-url") + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (tags) {
        if (current() === text) { show(tags); }
      }).catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        if (list.hidden) { asked = null; ask(); return; }
        event.preventDefault();
        highlight(active + 1 < items.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp" && !list.hidden) {
        event.preventDefault();
        highlight(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(items[active].textContent);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.querySelectorAll(".tag-field").forEach(setUpTags);
})();
