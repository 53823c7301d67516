// The place on the waiting list, kept up to date without reloading the page. The page works without it:
// the server renders the same fragment in the page; this asks for it again every minute while the tab is
// visible, and stops once the file has left the waiting list. The region around it is aria-live="polite",
// so screen readers announce a new place.
(function () {
  "use strict";
  var EVERY_MS = 60000;
  var region = document.querySelector("[data-receipt-url]");
  if (!region) {
    return;
  }
  var url = region.getAttribute("data-receipt-url");
  var timer = null;

  function live() {
    var content = region.querySelector("[data-receipt-live]");
    return content !== null && content.getAttribute("data-receipt-live") === "true";
  }

  function refresh() {
    if (document.visibilityState !== "visible") {
      return;
    }
    fetch(url, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) {
          return;
        }
        var next = new DOMParser().parseFromString(html, "text/html").querySelector("[data-receipt-live]");
        var current = region.querySelector("[data-receipt-live]");
        if (next && current && next.textContent.replace(/\s+/g, " ") !== current.textContent.replace(/\s+/g, " ")) {
          current.replaceWith(document.importNode(next, true));
        }
        if (!live()) {
          window.clearInterval(timer);
        }
      })
      .catch(function () { /* Offline for a moment: the next turn tries again. */ });
  }

  if (live()) {
    timer = window.setInterval(refresh, EVERY_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && live()) {
        refresh();
      }
    });
  }
})();
