/* Community: live Markdown preview, similar-thread suggestions while asking, helpful votes.
   Progressive enhancement only: every form works without this file. No inline code (CSP). */
(function () {
  "use strict";

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      var args = arguments, self = this;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { fn.apply(self, args); }, wait);
    };
  }

  function csrfToken(element) {
    var form = element.closest("form");
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) { return input.value; }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  /* --- Live Markdown preview ------------------------------------------------------------- */
  function setupPreview(container) {
    var textarea = container.querySelector("textarea");
    var panel = container.querySelector("[data-preview-panel]");
    var output = container.querySelector("[data-preview-output]");
    var url = container.getAttribute("data-preview-url");
    if (!textarea || !panel || !output || !url || !window.fetch) { return; }
    var lastSent = null;

    var update = debounce(function () {
      var text = textarea.value;
      if (text === lastSent) { return; }
      lastSent = text;
      if (!text.trim()) { panel.hidden = true; output.innerHTML = ""; return; }
      var body = new FormData();
      body.append("body", text);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(container), "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        panel.hidden = false;
        if (!result.ok) {
          output.textContent = result.data.error || "Preview is not available.";
          return;
        }
        /* The server returns HTML sanitised by the same policy as stored posts. */
        output.innerHTML = result.data.html;
      }).catch(function () { /* offline or server error: the form still works */ });
    }, 400);

    textarea.addEventListener("input", update);
    if (textarea.value.trim()) { update(); }
  }

  /* --- Similar threads and articles while typing a title ----------------------------------- */
  function setupSimilar(container) {
    var input = container.querySelector("[data-similar-input]");
    var panel = container.querySelector("[data-similar-panel]");
    var list = container.querySelector("[data-similar-list]");
    var suggestUrl = container.getAttribute("data-suggest-url");
    var fallbackUrl = container.getAttribute("data-similar-url");
    if (!input || !panel || !list || !window.fetch) { return; }
    var useSuggest = Boolean(suggestUrl);
    var lastQuery = null;

    function getJSON(url, query) {
      return fetch(url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        if (!response.ok) { throw new Error("status " + response.status); }
        return response.json();
      });
    }

    function fetchResults(query) {
      if (useSuggest) {
        return getJSON(suggestUrl, query).catch(function () {
          useSuggest = false; /* the search app's suggest API is not there: use the forum's */
          return getJSON(fallbackUrl, query);
        });
      }
      return getJSON(fallbackUrl, query);
    }

    function badge(text, className) {
      var span = document.createElement("span");
      span.className = "badge " + className;
      span.textContent = text;
      return span;
    }

    function render(results) {
      list.textContent = "";
      if (!results || !results.length) { panel.hidden = true; return; }
      results.slice(0, 8).forEach(function (item) {
        var li = document.createElement("li");
        li.className = "similar-item";
        var link = document.createElement("a");
        link.href = item.url;
        link.textContent = item.title;
        link.target = "_blank";
        link.rel = "noopener";
        li.appendChild(link);
        if (item.kind && item.kind !== "thread") { li.appendChild(badge(item.kind.replace(/_/g, " "), "badge-kind")); }
        if (item.solved) { li.appendChild(badge("Solved", "badge-solved")); }
        if (item.staff_answered) { li.appendChild(badge("Staff replied", "badge-staff-replied")); }
        if (item.snippet) {
          var p = document.createElement("p");
          p.className = "similar-snippet";
          p.textContent = item.snippet;
          li.appendChild(p);
        }
        list.appendChild(li);
      });
      panel.hidden = false;
    }

    var update = debounce(function () {
      var query = input.value.trim();
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < 4) { render([]); return; }
      fetchResults(query).then(function (data) {
        if (input.value.trim() === query) { render(data.results || []); }
      }).catch(function () { render([]); });
    }, 300);

    input.addEventListener("input", update);
    if (input.value.trim()) { update(); }
  }

  /* --- Helpful votes without a page reload -------------------------------------------------- */
  function setupVote(form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }
      event.preventDefault();
      var button = form.querySelector("button");
      var count = form.querySelector("[data-vote-count]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "Accept": "application/json" }
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (result.ok) {
          button.setAttribute("aria-pressed", result.data.voted ? "true" : "false");
          if (count) { count.textContent = String(result.data.helpful_count); }
        } else {
          window.alert(result.data.error || "That did not work.");
        }
      }).catch(function () { form.submit(); })
        .then(function () { button.disabled = false; });
    });
  }

  document.querySelectorAll("[data-markdown-field]").forEach(setupPreview);
  document.querySelectorAll("[data-similar]").forEach(setupSimilar);
  document.querySelectorAll("[data-vote-form]").forEach(setupVote);
}());
