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
  function setUpTags(box) {
    var input = box.querySelector("input");
    if (!input || !window.fetch || !window.KituSuggestions) { return; }
    input.setAttribute("autocomplete", "off");
    var timer = null;
    var asked = null;
    var list = window.KituSuggestions(input, {
      id: input.id + "-vorschlaege", className: "tag-suggestions", label: "Vorschläge",
      combobox: true, highlightFirst: false,
      text: function (tag) { return tag.label; },
      choose: function (tag) { choose(tag.label); },
      announce: function (count) { return count === 1 ? "1 Vorschlag" : count + " Vorschläge"; }
    });

    function current() {
      var parts = input.value.split(",");
      return parts[parts.length - 1].trim();
    }

    function choose(label) {
      var parts = input.value.split(",");
      parts[parts.length - 1] = (parts.length > 1 ? " " : "") + label;
      input.value = parts.join(",") + ", ";
      list.close();
      asked = null;
      input.focus();
    }

    function show(tags) {
      var taken = input.value.toLowerCase().split(",").map(function (part) { return part.trim(); });
      list.show(tags.filter(function (tag) {
        return taken.slice(0, -1).indexOf(tag.name) < 0;
      }));
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
      }).catch(function () { list.close(); });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        if (!list.isOpen()) { asked = null; ask(); return; }
        event.preventDefault();
        list.move(1);
      } else if (event.key === "ArrowUp" && list.isOpen()) {
        event.preventDefault();
        list.move(-1);
      } else if (event.key === "Enter" && list.isOpen()) {
        if (list.chooseActive()) { event.preventDefault(); }
      } else if (event.key === "Escape" && list.isOpen()) {
        event.preventDefault();
        list.close();
      }
    });
    input.addEventListener("blur", list.close);
  }

  document.querySelectorAll(".tag-field").forEach(setUpTags);
})();
