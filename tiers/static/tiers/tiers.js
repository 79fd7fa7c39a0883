/* Support pages: show times in the reader's zone, and suggest answers while a ticket is typed. */
(function () {
  "use strict";

  function localiseTimes() {
    var nodes = document.querySelectorAll("time.local-time[datetime]");
    nodes.forEach(function (node) {
      var when = new Date(node.getAttribute("datetime"));
      if (isNaN(when.getTime())) { return; }
      /* The site's one date style, "3 Dec 2026, 02:00 CET" (resourcecenter wording |when). */
      var options = {
        day: "numeric", month: "short", year: "numeric",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
      };
      var zone = node.getAttribute("data-zone");
      if (zone) { options.timeZone = zone; }
      try {
        node.textContent = new Intl.DateTimeFormat("en-GB", options).format(when);
        node.title = when.toISOString();
      } catch (err) {
        /* Unknown zone: keep the server's rendering. */
      }
    });
  }

  function setupSuggestions() {
    var box = document.getElementById("ticket-suggestions");
    var input = document.getElementById("id_subject");
    if (!box || !input || !window.fetch) { return; }
    var list = box.querySelector("ul");
    var url = box.getAttribute("data-suggest-url");
    var timer = null;
    var lastQuery = "";
    var disabled = false;

    function render(results) {
      list.textContent = "";
      results.slice(0, 6).forEach(function (item) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = item.url;
        link.textContent = item.title;
        link.target = "_blank";
        link.rel = "noopener";
        li.appendChild(link);
        var tags = [];
        if (item.kind_label || item.kind) {
          tags.push(item.kind_label || (item.kind === "thread" ? "Community thread" : "Article"));
        }
        if (item.solved) { tags.push("solved"); }
        if (item.staff_answered) { tags.push("answered by support"); }
        if (tags.length) {
          var meta = document.createElement("span");
          meta.className = "helptext";
          meta.textContent = " (" + tags.join(", ") + ")";
          li.appendChild(meta);
        }
        if (item.snippet) {
          var p = document.createElement("p");
          p.className = "helptext";
          p.textContent = item.snippet;
          li.appendChild(p);
        }
        list.appendChild(li);
      });
      box.hidden = results.length === 0;
    }

    function lookup() {
      var query = input.value.trim();
      if (disabled || query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < 3) { render([]); return; }
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (response) {
        if (response.status === 404) { disabled = true; return null; }
        if (!response.ok) { return null; }
        return response.json();
      }).then(function (data) {
        if (data && Array.isArray(data.results) && input.value.trim() === query) {
          render(data.results);
        }
      }).catch(function () { /* Suggestions are a nicety: never block the form. */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, 300);
    });
  }

  /* Organisations on different plans may use different severity schemes: show only the
     levels of the organisation chosen (the others are hidden and disabled, so they are not
     submitted). Without JavaScript every scheme stays visible, labelled with its
     organisations, and the server checks the choice against the organisation's plan. */
  function setupSeveritySwitch() {
    var select = document.getElementById("id_organisation");
    var groups = document.querySelectorAll("[data-tiers-severity-for]");
    if (!select || groups.length < 2) { return; }
    function update() {
      groups.forEach(function (group) {
        var ids = group.getAttribute("data-tiers-severity-for").split(" ");
        var active = ids.indexOf(select.value) !== -1;
        group.hidden = !active;
        group.querySelectorAll("input").forEach(function (input) {
          input.disabled = !active;
          if (!active) { input.checked = false; }
        });
      });
    }
    select.addEventListener("change", update);
    update();
  }

  function init() { localiseTimes(); setupSuggestions(); setupSeveritySwitch(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
