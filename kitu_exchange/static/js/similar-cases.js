// Similar cases while a question is typed: asks the server for the panel's list after a
// short pause in typing and replaces it (the draft goes in a POST body with the form's
// CSRF token, not in the address, which would end up in access logs); the panel is an aria-live region, so screen
// readers hear the new count. Without JavaScript the "Ähnliche Fälle prüfen" button
// does the same with a page reload.
(function () {
  "use strict";
  var panel = document.getElementById("aehnliche-liste");
  var title = document.getElementById("title");
  var body = document.getElementById("body");
  var token = document.querySelector("#frage-formular input[name='csrf_token']");
  if (!panel || !title || !body || !token || !window.fetch) { return; }
  var timer = null;
  var lastText = "";
  var controller = null;

  function update() {
    var text = (title.value + "\n" + body.value).trim();
    if (text.length < 8 || text === lastText) { return; }
    lastText = text;
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(panel.getAttribute("data-url"), {
      method: "POST",
      body: new URLSearchParams({ titel: title.value, text: body.value, csrf_token: token.value }),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.text();
    }).then(function (html) {
      panel.innerHTML = html;
      panel.setAttribute("aria-busy", "false");
    }).catch(function () { /* keep the last list; the button still works */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(update, 400);
  }

  title.addEventListener("input", schedule);
  body.addEventListener("input", schedule);
})();
