// Portée — progressive enhancement only; every page works without this file.
// - After a failed form submission, move focus to the error summary so it is read first.
// - After boosted navigation (htmx), move focus to the new page's main heading.
// - After a partial update (the history search), announce the new result count politely
//   and leave focus where the user is typing.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  }
  function ready() {
    announcer();
    focusSummary();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
  function announcer() {
    var live = document.getElementById("annonce-portee");
    if (!live) {
      live = document.createElement("p");
      live.id = "annonce-portee";
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      document.body.appendChild(live);
    }
    return live;
  }
  document.addEventListener("htmx:afterSettle", function (evt) {
    var detail = evt.detail || {};
    var boosted = detail.boosted || (detail.requestConfig && detail.requestConfig.boosted);
    if (!boosted) {
      var count = document.querySelector(".result-count");
      if (count) { announcer().textContent = count.textContent; }
      return;
    }
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    var h1 = document.querySelector("main h1");
    if (h1) {
      h1.setAttribute("tabindex", "-1");
      h1.focus();
    }
  });
})();
