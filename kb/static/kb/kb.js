/* Resource Center pages: progressive enhancement only (the links work without JavaScript).
   - the "#" link beside a heading also copies the heading's address and says so;
   - the table of contents marks the section being read. */
(function () {
  "use strict";

  function announce(text) {
    var region = document.getElementById("kb-announcer");
    if (!region) {
      region = document.createElement("div");
      region.id = "kb-announcer";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return Promise.reject(new Error("no clipboard"));
  }

  /* --- Copy a link to a heading -------------------------------------------------------- */
  document.querySelectorAll("a.heading-anchor").forEach(function (anchor) {
    anchor.setAttribute("title", "Copy a link to this section");
    anchor.addEventListener("click", function () {
      // The browser still follows the link (the address bar shows it); we also copy it.
      var url = anchor.href;
      copy(url).then(function () {
        anchor.classList.add("is-copied");
        anchor.setAttribute("data-copied", "Link copied");
        announce("Link to this section copied");
        window.setTimeout(function () {
          anchor.classList.remove("is-copied");
          anchor.removeAttribute("data-copied");
        }, 2000);
      }, function () { /* no clipboard: following the link is enough */ });
    });
  });

  /* --- Table of contents: where am I? -------------------------------------------------- */
  var toc = document.querySelector("nav.toc");
  if (toc && "IntersectionObserver" in window) {
    var links = {};
    toc.querySelectorAll("a[href^='#']").forEach(function (link) {
      links[decodeURIComponent(link.getAttribute("href").slice(1))] = link;
    });
    var headings = Array.prototype.filter.call(
      document.querySelectorAll(".resource-body .anchored-heading[id]"),
      function (heading) { return links[heading.id]; }
    );
    var visible = {};
    var mark = function () {
      var current = null;
      headings.forEach(function (heading) {
        if (visible[heading.id]) { current = current || heading; }
      });
      if (!current) { return; }
      Object.keys(links).forEach(function (id) {
        if (id === current.id) {
          links[id].setAttribute("aria-current", "location");
        } else {
          links[id].removeAttribute("aria-current");
        }
      });
    };
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
      mark();
    }, { rootMargin: "0px 0px -60% 0px" });
    headings.forEach(function (heading) { observer.observe(heading); });
  }
})();
