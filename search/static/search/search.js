/* Type-ahead for the header search box (#site-search): an ARIA 1.2 combobox with a listbox.
   Progressive enhancement: without JavaScript the form simply submits to /search/. */
(function () {
  "use strict";

  var input = document.getElementById("site-search");
  if (!input || !window.fetch) { return; }
  var form = input.form;
  var endpoint = "/search/suggest/";
  var listbox = document.createElement("ul");
  var status = document.createElement("div");
  var timer = null;
  var controller = null;
  var options = [];
  var active = -1;
  var lastQuery = "";

  listbox.id = "site-search-listbox";
  listbox.className = "search-suggest";
  listbox.setAttribute("role", "listbox");
  listbox.setAttribute("aria-label", "Suggestions");
  listbox.hidden = true;
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listbox.id);
  input.insertAdjacentElement("afterend", listbox);
  form.appendChild(status);

  function close() {
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    if (!options.length) { return; }
    if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
    active = (index + options.length) % options.length;
    var option = options[active];
    option.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }

  function option(id, url) {
    var li = document.createElement("li");
    li.id = id;
    li.setAttribute("role", "option");
    li.setAttribute("aria-selected", "false");
    li.dataset.url = url;
    li.addEventListener("mousedown", function (event) { event.preventDefault(); });
    li.addEventListener("click", function () { window.location.assign(url); });
    return li;
  }

  function span(className, text) {
    var s = document.createElement("span");
    s.className = className;
    s.textContent = text;
    return s;
  }

  function render(data) {
    listbox.textContent = "";
    options = [];
    active = -1;
    (data.results || []).forEach(function (result, i) {
      var li = option("site-search-option-" + i, result.url);
      li.appendChild(span("suggest-title", result.title));
      var meta = [result.kind_label || result.kind];
      if (result.solved) { meta.push("Solved"); }
      if (result.staff_answered) { meta.push("Staff answer"); }
      li.appendChild(span("suggest-meta", meta.join(" · ")));
      listbox.appendChild(li);
      options.push(li);
    });
    if (data.did_you_mean) {
      var dym = option("site-search-option-dym", endpointFor("/search/", data.did_you_mean));
      dym.className = "suggest-dym";
      dym.textContent = "Did you mean: " + data.did_you_mean + "?";
      listbox.appendChild(dym);
      options.push(dym);
    }
    var all = option("site-search-option-all", endpointFor("/search/", data.query));
    all.className = "suggest-all";
    all.textContent = "See all results for “" + data.query + "”";
    listbox.appendChild(all);
    options.push(all);

    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    var n = (data.results || []).length;
    status.textContent = n ? n + " suggestion" + (n === 1 ? "" : "s") + "; use the arrow keys to choose."
      : "No suggestions; press Enter to search.";
  }

  function endpointFor(path, q) {
    return path + "?q=" + encodeURIComponent(q);
  }

  function lookup() {
    var q = input.value.trim();
    if (q.length < 2) { lastQuery = q; close(); return; }
    if (q === lastQuery && !listbox.hidden) { return; }
    lastQuery = q;
    if (controller) { controller.abort(); }
    controller = window.AbortController ? new AbortController() : null;
    fetch(endpointFor(endpoint, q), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error("suggest failed"); }
      return response.json();
    }).then(function (data) {
      if (data.query === input.value.trim().replace(/\s+/g, " ") || q === input.value.trim()) { render(data); }
    }).catch(function () { /* the form still works without suggestions */ });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(lookup, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (listbox.hidden) { lastQuery = ""; lookup(); } else { setActive(active + 1); }
    } else if (event.key === "ArrowUp") {
      if (!listbox.hidden) { event.preventDefault(); setActive(active - 1); }
    } else if (event.key === "Escape") {
      if (!listbox.hidden) { event.preventDefault(); close(); }
    } else if (event.key === "Enter") {
      if (!listbox.hidden && active >= 0 && options[active]) {
        event.preventDefault();
        window.location.assign(options[active].dataset.url);
      }
    } else if (event.key === "Home" || event.key === "End") {
      if (!listbox.hidden) { active = -1; }
    }
  });
  input.addEventListener("blur", function () { window.setTimeout(close, 120); });
}());
