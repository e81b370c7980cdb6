/* Live check-in figures: refresh the figures when the live stream says a scan came in (live.js),
   else every 15 seconds, with a pause button (WCAG 2.2.2). An unchanged refresh is a 304
   answered from the figures' stamp, before any query. */
(function () {
  "use strict";
  var box = document.getElementById("figures");
  var toggle = document.getElementById("figures-toggle");
  if (!box || !toggle) return;
  var paused = false;
  var etag = null;
  var lastFetch = Date.now();
  // The figures also follow the clock (per quarter hour, no-shows): a poll a minute stays.
  var LIVE_POLL_MS = 60000;
  var live = window.swcLive ? window.swcLive.listen(box, function () { refresh(); }) : null;
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    paused = !paused;
    toggle.setAttribute("aria-pressed", paused ? "true" : "false");
  });
  function refresh() {
    if (paused || document.hidden) return;
    lastFetch = Date.now();
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(box.getAttribute("data-refresh-url"), {
      credentials: "same-origin", cache: "no-store", headers: headers
    })
      .then(function (r) {
        if (r.status === 304) return null;
        if (!r.ok) throw new Error(String(r.status));
        etag = r.headers.get("ETag");
        return r.text();
      })
      .then(function (html) { if (html !== null) box.innerHTML = html; })
      .catch(function () { /* keep the last figures; try again at the next tick */ });
  }
  setInterval(function () {
    if (live && live.open && Date.now() - lastFetch < LIVE_POLL_MS) return;
    refresh();
  }, 15000);
})();
