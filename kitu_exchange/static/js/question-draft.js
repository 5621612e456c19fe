// The draft of a question is kept in this browser (localStorage, under a key of the
// signed-in person) while it is typed, so that leaving the ask page by accident loses
// nothing. An empty ask page restores it with a notice and a "Verwerfen" button; the
// question page shown after posting clears it.
(function () {
  "use strict";
  var storage;
  try { storage = window.localStorage; } catch (error) { return; }
  if (!storage) { return; }

  var done = document.querySelector("[data-clear-draft]");
  if (done) { storage.removeItem(done.getAttribute("data-clear-draft")); return; }

  var form = document.getElementById("frage-formular");
  if (!form || !form.hasAttribute("data-draft-key")) { return; }
  var key = form.getAttribute("data-draft-key");
  var notice = document.getElementById("entwurf-hinweis");
  var discard = document.getElementById("entwurf-verwerfen");
  var title = form.elements.namedItem("title");
  var body = form.elements.namedItem("body");
  var tags = form.elements.namedItem("tags");
  var topics = Array.prototype.slice.call(form.querySelectorAll("input[name='topics']"));
  var timer = null;

  function read() {
    try { return JSON.parse(storage.getItem(key) || "null"); } catch (error) { return null; }
  }

  function save() {
    var draft = {
      title: title.value, body: body.value, tags: tags ? tags.value : "",
      topics: topics.filter(function (box) { return box.checked; })
        .map(function (box) { return box.value; })
    };
    if (!draft.title.trim() && !draft.body.trim()) { storage.removeItem(key); return; }
    try { storage.setItem(key, JSON.stringify(draft)); } catch (error) { /* full: skip */ }
  }

  function changed() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 300);
  }

  var draft = read();
  var untouched = !title.value && !body.value;
  if (draft && untouched && (draft.title || draft.body)) {
    title.value = draft.title || "";
    body.value = draft.body || "";
    if (tags) { tags.value = draft.tags || ""; }
    topics.forEach(function (box) { box.checked = (draft.topics || []).indexOf(box.value) >= 0; });
    [title, body].forEach(function (field) {
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
    if (notice && discard) {
      notice.hidden = false;
      discard.addEventListener("click", function () {
        storage.removeItem(key);
        form.reset();
        title.value = "";
        body.value = "";
        if (tags) { tags.value = ""; }
        topics.forEach(function (box) { box.checked = false; });
        notice.hidden = true;
        title.focus();
      });
    }
  }
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
})();
