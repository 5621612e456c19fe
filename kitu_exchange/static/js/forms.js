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
})();
