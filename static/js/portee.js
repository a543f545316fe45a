// Portée — progressive enhancement only; every page works without this file.
// - After a failed form submission, move focus to the error summary so it is read first.
// - After an htmx swap (boosted navigation), move focus to the new page's main heading.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
  document.addEventListener("htmx:afterSettle", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    var h1 = document.querySelector("main h1");
    if (h1) {
      h1.setAttribute("tabindex", "-1");
      h1.focus();
    }
  });
})();
