/* The staff workspace: presence notices, macros in the composer, the composer's button label;
   and the satisfaction page's one-click rating. The pages work without it. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setupPresence() {
    var root = document.querySelector(".tiers-workspace[data-presence-url]");
    var notice = document.querySelector("[data-testid=presence]");
    if (!root || !notice || !window.fetch) { return; }
    var url = root.getAttribute("data-presence-url");
    var seconds = parseInt(root.getAttribute("data-poll-seconds"), 10) || 15;
    var body = document.getElementById("id_body");
    var typedAt = 0;
    if (body) {
      body.addEventListener("input", function () {
        var first = Date.now() - typedAt > 8000;
        typedAt = Date.now();
        if (first) { ping(); }
      });
    }
    function ping() {
      var data = new FormData();
      data.append("typing", Date.now() - typedAt < 10000 ? "1" : "0");
      fetch(url, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (result) {
        if (!result) { return; }
        notice.textContent = result.others.map(function (o) { return o.text; }).join("; ");
      }).catch(function () { /* offline: keep the last notice */ });
    }
    window.setInterval(ping, seconds * 1000);
  }

  function setupMacros() {
    var select = document.getElementById("id_macro");
    var body = document.getElementById("id_body");
    var source = document.getElementById("macro-texts");
    if (!select || !body || !source) { return; }
    var texts = JSON.parse(source.textContent);
    select.addEventListener("change", function () {
      var text = texts[select.value];
      if (text === undefined) { return; }
      if (body.value.trim() && !window.confirm("Replace the message with the macro's text?")) {
        return;
      }
      body.value = text;
      body.focus();
    });
  }

  function setupComposerLabel() {
    var form = document.getElementById("composer");
    if (!form) { return; }
    var button = form.querySelector("button[type=submit]");
    function update() {
      var note = form.querySelector("input[name=mode][value=note]");
      button.textContent = note && note.checked ? "Add internal note" : "Send reply";
      form.classList.toggle("tiers-composer-note", Boolean(note && note.checked));
    }
    form.addEventListener("change", update);
    update();
  }

  function autosubmitRating() {
    var form = document.querySelector("form[data-autosubmit]");
    if (form && form.requestSubmit) { form.requestSubmit(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupPresence();
    setupMacros();
    setupComposerLabel();
    autosubmitRating();
  });
})();
