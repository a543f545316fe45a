// Portée — progressive enhancement only; every page works without this file.
// - After a failed form submission, move focus to the error summary so it is read first.
// - After boosted navigation (htmx: the menu's links get `main`'s content only), move focus
//   to the new page's main heading, and restart the session's warning.
// - After a partial update (the history search), announce the new result count politely
//   and leave focus where the user is typing.
// - Keyboard shortcuts Ctrl+Shift+digit follow the page's access keys (1 Accueil, 2 contenu,
//   3 plan du site, 4 Famille, 5 Élèves, 6 Facturation, 0 Accessibilité), never while typing
//   in a field, and not at all when turned off (<html data-raccourcis="off">).
// - Two minutes before the session expires (<html data-session-fin="seconds">), a warning
//   offers to extend it (POST /session/prolonger); focus moves to its button, and back to
//   where it was once extended. At expiry it says so and offers « Se reconnecter ».
// - A table's box that scrolls sideways becomes a named region and a Tab stop.
// - A field in error keeps its label, hint and message in view when reached from the error
//   summary or by Tab (its scroll margin is the height above it in its block).
// - A document upload (form#envoi) shows its progress and announces it every quarter; the
//   answer then replaces the page as a plain submission would.
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    // After a POST/redirect, the confirmation is the first thing read.
    var note = document.querySelector("main .notice");
    if (note) { note.setAttribute("tabindex", "-1"); note.focus(); }
  }
  // A table's box is a named region and a Tab stop only while it scrolls sideways.
  function scrollRegions() {
    var boxes = document.querySelectorAll(".table-scroll");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("role", "region");
        box.setAttribute("aria-labelledby", box.getAttribute("data-caption") || "");
        box.setAttribute("tabindex", "0");
      } else {
        box.removeAttribute("role");
        box.removeAttribute("aria-labelledby");
        box.removeAttribute("tabindex");
      }
    }
  }
  var resizing = null;
  window.addEventListener("resize", function () {
    if (resizing) { clearTimeout(resizing); }
    resizing = setTimeout(function () { scrollRegions(); keepLabelsInView(); }, 150);
  });
  // The label, hint and message above a field in error stay in view when it is reached;
  // when they do not fit with the field (a phone, 400 % zoom), as much of them as fits, the
  // field itself always (its message starts with the field's label).
  function keepLabelsInView() {
    var controls = document.querySelectorAll(".field-error input, .field-error select, .field-error textarea");
    for (var i = 0; i < controls.length; i++) {
      var c = controls[i];
      var block = c.closest(".field-error");
      var box = c.getBoundingClientRect();
      var above = box.top - block.getBoundingClientRect().top + 8;
      var room = window.innerHeight - box.height - 8;
      c.style.scrollMarginTop = Math.max(0, Math.ceil(Math.min(above, room))) + "px";
    }
  }
  function ready() {
    announcer();
    scrollRegions();
    keepLabelsInView();
    focusSummary();
    watchSession();
  }
  var WARN_BEFORE = 120;
  var sessionTimer = null;
  function watchSession() {
    var left = parseInt(document.documentElement.getAttribute("data-session-fin") || "", 10);
    if (!(left > 0) || !window.fetch) { return; }
    schedule(left);
  }
  function schedule(left) {
    if (sessionTimer) { clearTimeout(sessionTimer); }
    sessionTimer = setTimeout(function () { warn(left > WARN_BEFORE ? WARN_BEFORE : left); },
      Math.max(0, left - WARN_BEFORE) * 1000);
  }
  // Where focus was when the warning took it, to give it back.
  var focusedBefore = null;
  function loginPage() {
    return /^\/gestion(\/|$)/.test(window.location.pathname) ? "/gestion/connexion" : "/connexion";
  }
  function warn(seconds) {
    var box = document.getElementById("session-alerte");
    if (!box) {
      box = document.createElement("div");
      box.id = "session-alerte";
      box.className = "session-warning";
      box.setAttribute("role", "alertdialog");
      box.setAttribute("aria-labelledby", "session-alerte-titre");
      box.setAttribute("aria-describedby", "session-alerte-texte");
      box.innerHTML = '<h2 id="session-alerte-titre">Votre session va expirer</h2>' +
        '<p id="session-alerte-texte"></p>' +
        '<button type="button" id="session-prolonger">Prolonger la session</button>' +
        '<p id="session-reconnexion" hidden><a href="' + loginPage() + '">Se reconnecter</a></p>';
      document.body.insertBefore(box, document.body.firstChild);
      document.getElementById("session-prolonger").addEventListener("click", extend);
    }
    var minutes = Math.max(1, Math.round(seconds / 60));
    document.getElementById("session-alerte-texte").textContent =
      "Sans action de votre part, vous serez déconnecté dans " + minutes + " minute" + (minutes > 1 ? "s" : "") +
      ". Ce que vous avez saisi ne sera pas perdu : après une nouvelle connexion, vous pourrez le confirmer.";
    var button = document.getElementById("session-prolonger");
    if (document.activeElement && document.activeElement !== document.body && !box.contains(document.activeElement)) {
      focusedBefore = document.activeElement;
    }
    button.focus();
    sessionTimer = setTimeout(expired, seconds * 1000);
  }
  function expired() {
    var text = document.getElementById("session-alerte-texte");
    var title = document.getElementById("session-alerte-titre");
    if (!text || !title) { return; }
    title.textContent = "Votre session a expiré";
    text.textContent = "Reconnectez-vous pour continuer. Un formulaire envoyé maintenant sera conservé et vous sera proposé après la connexion.";
    var button = document.getElementById("session-prolonger");
    if (button) { button.hidden = true; }
    var again = document.getElementById("session-reconnexion");
    if (again) {
      again.hidden = false;
      // Focus on the link reads the dialog's new title and text: the expiry is announced.
      again.querySelector("a").focus();
    }
    announcer().textContent = "Votre session a expiré.";
  }
  function extend() {
    var token = document.querySelector('input[name="csrf_token"]');
    var body = "csrf_token=" + encodeURIComponent(token ? token.value : "");
    fetch("/session/prolonger", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body
    }).then(function (r) {
      var box = document.getElementById("session-alerte");
      if (r.status === 204) {
        if (box) { box.parentNode.removeChild(box); }
        announcer().textContent = "Session prolongée.";
        // Back to the field the user was in; else the page's heading.
        var back = focusedBefore && document.contains(focusedBefore) ? focusedBefore : document.querySelector("main h1");
        if (back) {
          if (back.tagName === "H1") { back.setAttribute("tabindex", "-1"); }
          back.focus();
        }
        focusedBefore = null;
        var left = parseInt(r.headers.get("X-Session-Fin") || "", 10);
        if (left > 0) { schedule(left); }
      } else {
        expired();
      }
    }, expired);
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
    scrollRegions();
    keepLabelsInView();
    var detail = evt.detail || {};
    var boosted = detail.boosted || (detail.requestConfig && detail.requestConfig.boosted);
    if (!boosted) {
      var count = document.querySelector(".result-count");
      if (count) { announcer().textContent = count.textContent; }
      return;
    }
    // A page swapped in by a menu link: the session was used, so its warning starts over.
    var xhr = detail.xhr;
    var left = xhr ? parseInt(xhr.getResponseHeader("X-Session-Fin") || "", 10) : NaN;
    if (left > 0) {
      var box = document.getElementById("session-alerte");
      if (box) { box.parentNode.removeChild(box); }
      schedule(left);
    }
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    // The new page's heading takes focus: a screen reader reads it once, as after a load.
    var h1 = document.querySelector("main h1");
    if (h1) {
      h1.setAttribute("tabindex", "-1");
      h1.focus();
    }
  });
  // The back button: htmx put a whole page back in place.
  document.addEventListener("htmx:historyRestore", function () {
    scrollRegions();
    keepLabelsInView();
  });
})();
