/* Live check-in figures: reload the figures every 15 seconds, with a pause button (WCAG 2.2.2). */
(function () {
  "use strict";
  var box = document.getElementById("figures");
  var toggle = document.getElementById("figures-toggle");
  if (!box || !toggle) return;
  var paused = false;
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.setAttribute("aria-pressed", paused ? "true" : "false");
  });
  function refresh() {
    if (paused || document.hidden) return;
    fetch(box.getAttribute("data-refresh-url"), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) { box.innerHTML = html; })
      .catch(function () { /* keep the last figures; try again at the next tick */ });
  }
  setInterval(refresh, 15000);
})();
