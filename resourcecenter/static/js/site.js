/* Progressive enhancement only; the site works without JavaScript.
   No framework, no inline scripts (the site's CSP is script-src 'self'). */
(function () {
  "use strict";

  var LANG_KEY = "rc.codeLanguage";

  function storageGet(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode */ }
  }

  /* One polite live region for short announcements ("Copied"). */
  var announcer = null;
  function announce(text) {
    if (!announcer) {
      announcer = document.createElement("div");
      announcer.className = "visually-hidden";
      announcer.setAttribute("aria-live", "polite");
      announcer.setAttribute("role", "status");
      announcer.id = "site-announcer";
      document.body.appendChild(announcer);
    }
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  /* --- Copy buttons on code blocks ------------------------------------------------------- */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      try {
        if (document.execCommand("copy")) { resolve(); } else { reject(new Error("copy failed")); }
      } catch (err) { reject(err); } finally { document.body.removeChild(area); }
    });
  }

  function enhanceCodeBlock(block) {
    if (block.querySelector("button.copy-code")) { return; }
    var code = block.querySelector("pre code") || block.querySelector("pre");
    if (!code) { return; }
    var bar = block.querySelector(".code-block-bar") || block;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-code";
    var label = block.querySelector(".code-filename");
    button.setAttribute("aria-label", "Copy code" + (label ? " from " + label.textContent : ""));
    button.textContent = "Copy";
    button.addEventListener("click", function () {
      // No trailing newline: pasted into a terminal, it would run the command at once.
      copyText(code.textContent.replace(/\s+$/, "")).then(function () {
        button.textContent = "Copied";
        button.classList.add("is-copied");
        announce("Copied");
        window.setTimeout(function () {
          button.textContent = "Copy";
          button.classList.remove("is-copied");
        }, 2000);
      }, function () {
        button.textContent = "Press Ctrl+C";
        announce("Copying is blocked by the browser; select the code and press Ctrl+C");
      });
    });
    bar.appendChild(button);
  }

  /* --- Code tabs: an accessible tablist; the chosen language is remembered --------------- */
  var tabGroups = [];
  var tabCounter = 0;

  function selectTab(group, index, focus) {
    group.tabs.forEach(function (tab, i) {
      var selected = i === index;
      tab.setAttribute("aria-selected", selected ? "true" : "false");
      tab.tabIndex = selected ? 0 : -1;
      group.panels[i].hidden = !selected;
    });
    if (focus) { group.tabs[index].focus(); }
  }

  function selectLanguage(language, except) {
    tabGroups.forEach(function (group) {
      if (group === except) { return; }
      var index = group.languages.indexOf(language);
      if (index >= 0) { selectTab(group, index, false); }
    });
  }

  function enhanceCodeTabs(container) {
    var panels = Array.prototype.slice.call(container.querySelectorAll(":scope > .code-tab-panel"));
    if (panels.length < 2) { return; }
    tabCounter += 1;
    var groupId = "code-tabs-" + tabCounter;
    var tablist = document.createElement("div");
    tablist.className = "code-tablist";
    tablist.setAttribute("role", "tablist");
    var title = container.querySelector(".code-tabs-title");
    tablist.setAttribute("aria-label", title ? title.textContent : "Code language");
    var group = { tabs: [], panels: panels, languages: [] };
    panels.forEach(function (panel, i) {
      var tab = document.createElement("button");
      tab.type = "button";
      tab.className = "code-tab";
      tab.setAttribute("role", "tab");
      tab.id = groupId + "-tab-" + i;
      panel.id = panel.id || groupId + "-panel-" + i;
      tab.setAttribute("aria-controls", panel.id);
      tab.textContent = panel.getAttribute("data-label") || ("Tab " + (i + 1));
      panel.setAttribute("role", "tabpanel");
      panel.setAttribute("aria-labelledby", tab.id);
      panel.tabIndex = 0;
      var heading = panel.querySelector(".code-tab-label");
      if (heading) { heading.classList.add("visually-hidden"); }
      tab.addEventListener("click", function () {
        selectTab(group, i, false);
        var language = group.languages[i];
        storageSet(LANG_KEY, language);
        selectLanguage(language, group);
      });
      tab.addEventListener("keydown", function (event) {
        var next = null;
        if (event.key === "ArrowRight") { next = (i + 1) % panels.length; }
        else if (event.key === "ArrowLeft") { next = (i - 1 + panels.length) % panels.length; }
        else if (event.key === "Home") { next = 0; }
        else if (event.key === "End") { next = panels.length - 1; }
        if (next !== null) {
          event.preventDefault();
          selectTab(group, next, true);
          storageSet(LANG_KEY, group.languages[next]);
          selectLanguage(group.languages[next], group);
        }
      });
      group.tabs.push(tab);
      group.languages.push(panel.getAttribute("data-language") || "");
      tablist.appendChild(tab);
    });
    container.insertBefore(tablist, panels[0]);
    container.classList.add("is-enhanced");
    var preferred = storageGet(LANG_KEY);
    var start = preferred ? group.languages.indexOf(preferred) : -1;
    selectTab(group, start >= 0 ? start : 0, false);
    tabGroups.push(group);
  }

  /* --- "Was this helpful?" without a page reload ----------------------------------------- */
  function enhanceFeedback(form) {
    var status = form.querySelector("[data-feedback-status]");
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!window.fetch || !window.FormData || !submitter) { return; } // plain POST instead
      event.preventDefault();
      var data = new FormData(form);
      data.set(submitter.name, submitter.value);
      var buttons = form.querySelectorAll("button[name=helpful]");
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        status.textContent = result.body.message || (result.ok ? "Thanks!" : "Sorry, that did not work.");
        status.classList.toggle("is-error", !result.ok);
        if (result.ok) {
          form.classList.add("is-done");
          buttons.forEach(function (b) {
            b.setAttribute("aria-pressed", b.value === result.body.helpful ? "true" : "false");
          });
          var current = form.querySelector(".feedback-current");
          if (current) { current.hidden = true; }
        }
      }).catch(function () {
        status.textContent = "Sorry, your answer could not be sent. Please try again.";
        status.classList.add("is-error");
      }).then(function () {
        buttons.forEach(function (b) { b.disabled = false; });
      });
    });
  }

  /* --- The header's menu button (small screens; see site.css) ---------------------------- */
  function enhanceHeaderMenu(header) {
    var toggle = header.querySelector(".menu-toggle");
    if (!toggle) { return; }
    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.classList.toggle("menu-open", open);
    }
    header.classList.add("has-menu");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    header.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("menu-open")) {
        setOpen(false);
        toggle.focus();
      }
    });
  }

  /* --- Code in people's posts: reachable by keyboard when it scrolls sideways ------------ */
  function makeScrollableFocusable(pre) {
    if (pre.hasAttribute("tabindex")) { return; }
    pre.setAttribute("tabindex", "0");
    pre.setAttribute("role", "region");
    pre.setAttribute("aria-label", "Code");
  }

  /* --- The reader's time zone, for the server to show local times (ReaderTimeZoneMiddleware) */
  function rememberTimeZone() {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    if (!zone || document.cookie.indexOf("tz=" + encodeURIComponent(zone)) !== -1) { return; }
    document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=31536000; samesite=lax";
  }

  function init() {
    rememberTimeZone();
    document.querySelectorAll(".site-header").forEach(enhanceHeaderMenu);
    document.querySelectorAll("main pre").forEach(makeScrollableFocusable);
    document.querySelectorAll("[data-code-tabs]").forEach(enhanceCodeTabs);
    document.querySelectorAll("[data-code-block]").forEach(enhanceCodeBlock);
    document.querySelectorAll("form.article-feedback").forEach(enhanceFeedback);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
