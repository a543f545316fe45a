// Portée — progressive enhancement only; every page works without this file.
// - After a failed form submission, move focus to the error summary so it is read first.
// - After boosted navigation (htmx), move focus to the new page's main heading.
// - After a partial update (the history search), announce the new result count politely
//   and leave focus where the user is typing.
// - Keyboard shortcuts Ctrl+Shift+digit follow the page's access keys (1 Accueil, 2 contenu,
//   3 plan du site, 4 Famille, 5 Élèves, 6 Facturation, 0 Accessibilité), never while typing
//   in a field, and not at all when turned off (<html data-raccourcis="off">).
// - A document upload (form#envoi) shows its progress and announces it every quarter; the
//   answer then replaces the page as a plain submission would.
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
  document.addEventListener("keydown", function (evt) {
    if (document.documentElement.getAttribute("data-raccourcis") === "off") { return; }
    if (!evt.ctrlKey || !evt.shiftKey || evt.altKey || evt.metaKey) { return; }
    var m = /^Digit([0-9])$/.exec(evt.code || "");
    if (!m) { return; }
    var t = evt.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var link = document.querySelector('a[accesskey="' + m[1] + '"]');
    if (!link) { return; }
    evt.preventDefault();
    if (m[1] === "2") {
      var main = document.getElementById("contenu");
      if (main) { main.focus(); }
      return;
    }
    link.click();
  });
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!form || form.id !== "envoi" || !window.XMLHttpRequest || !window.FormData) { return; }
    // The accessible mode keeps plain page loads.
    if (document.documentElement.classList.contains("mode-accessible")) { return; }
    var bar = document.getElementById("envoi-progression");
    if (!bar) { return; }
    evt.preventDefault();
    var live = announcer();
    var said = -1;
    bar.hidden = false;
    bar.value = 0;
    live.textContent = "Envoi du document commencé.";
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) { return; }
      var pct = Math.round((e.loaded / e.total) * 100);
      bar.value = pct;
      var quarter = Math.floor(pct / 25);
      if (quarter > said) {
        said = quarter;
        live.textContent = "Envoi : " + pct + " %";
      }
    });
    xhr.addEventListener("load", function () {
      if (xhr.status < 400 && xhr.responseURL) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // Refused: show the answer (its error summary) in place of the page.
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = doc.querySelector("main");
      if (main) {
        document.querySelector("main").innerHTML = main.innerHTML;
        document.title = doc.title;
        focusSummary();
      } else {
        form.submit();
      }
    });
    xhr.addEventListener("error", function () {
      live.textContent = "L'envoi a échoué ; vérifiez la connexion et recommencez.";
      bar.hidden = true;
    });
    xhr.send(new FormData(form));
  });
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
