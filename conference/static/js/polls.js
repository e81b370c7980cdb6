/* Live polls without reloads: vote through the JSON API and refresh the polls (an HTML fragment
   rendered by the server, with an ETag) every few seconds. When only the counts changed, only
   the counts are replaced, so a choice being made in a form is never lost. Where the page's live
   stream is open (live.js), an attendee's panel gets the counts pushed as they change (drawn
   once by the server for everyone) and fetches only when a poll opens or closes. The plain
   forms keep working without this script. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrf_token"]');
    if (input && input.value) return input.value;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function states(container) {
    var blocks = container.querySelectorAll("[data-poll-id]");
    var out = [];
    for (var i = 0; i < blocks.length; i++) {
      out.push(blocks[i].getAttribute("data-poll-id") + ":" + blocks[i].getAttribute("data-poll-state"));
    }
    return out.join(",");
  }

  // Replace the list; when the same polls are in the same state, replace only their counts.
  function merge(list, html) {
    var fresh = document.createElement("div");
    fresh.innerHTML = html;
    if (states(fresh) === states(list) && states(list) !== "") {
      var olds = list.querySelectorAll("[data-poll-results]");
      var news = fresh.querySelectorAll("[data-poll-results]");
      if (olds.length === news.length) {
        for (var i = 0; i < olds.length; i++) olds[i].replaceWith(news[i]);
        return;
      }
    }
    var focused = document.activeElement;
    var key = focused && list.contains(focused) ? focused.getAttribute("data-focus-key") : null;
    list.innerHTML = html;
    if (key) {
      var again = list.querySelector('[data-focus-key="' + key + '"]');
      if (again) again.focus();
    }
  }

  function ballot(form) {
    var checked = form.querySelectorAll("input:checked");
    if (form.getAttribute("data-kind") === "scale") {
      return checked.length ? { score: parseInt(checked[0].value, 10) } : {};
    }
    var options = [];
    for (var i = 0; i < checked.length; i++) options.push(parseInt(checked[i].value, 10));
    return { options: options };
  }

  function initPolls(root) {
    var list = root.querySelector("[data-polls-list]");
    var status = root.querySelector("[data-polls-status]");
    var poll = parseInt(root.getAttribute("data-poll") || "4000", 10);
    var mode = root.getAttribute("data-mode");
    // Attendees' panels slow down while nothing changes (up to 12 s) and speed up again on a
    // change, as the Q&A panel does; moderators and the room screen keep their steady pace.
    var slowest = mode === "attendee" ? Math.max(poll, 12000) : poll;
    var delay = poll;
    var etag = null;
    var busy = false;
    var lastFetch = Date.now();
    // While the live stream is open the counts come by themselves; a poll a minute stays as a net.
    var LIVE_POLL_MS = 60000;
    var topic = mode === "attendee" ? root.getAttribute("data-polls-topic") : null;
    var follow = topic && window.swcLive ? window.swcLive.follow(root, topic, apply, refresh) : null;
    var live = follow ? follow.hub : null;

    // New counts for the polls shown; false when a poll opened, closed or came (then fetch).
    function apply(data) {
      var blocks = list.querySelectorAll("article[data-poll-id]");
      if (blocks.length !== data.order.length) return false;
      for (var i = 0; i < blocks.length; i++) {
        var id = String(data.order[i]);
        var state = (blocks[i].getAttribute("data-poll-state") || "").split("-")[0];
        if (blocks[i].getAttribute("data-poll-id") !== id || state !== data.states[id]) return false;
      }
      for (var j = 0; j < blocks.length; j++) {
        var fresh = data.items[blocks[j].getAttribute("data-poll-id")];
        var old = blocks[j].querySelector("[data-poll-results]");
        if (fresh !== undefined && old) old.replaceWith(window.swcLive.element(fresh));
      }
      return true;
    }

    function say(text, isError) {
      if (!status) return;
      text = text || "";
      if (isError && text) {
        text = text.charAt(0).toUpperCase() + text.slice(1);
        if (!/[.!?]$/.test(text)) text += ".";
      }
      status.textContent = text;
      status.classList.toggle("is-error", !!isError);
    }

    function refresh() {
      if (busy) return Promise.resolve();
      busy = true;
      lastFetch = Date.now();
      var headers = { "Accept": "text/html" };
      if (etag) headers["If-None-Match"] = etag;
      return fetch(root.getAttribute("data-fragment-url"), {
        credentials: "same-origin", cache: "no-store", headers: headers
      })
        .then(function (r) {
          if (r.status !== 200) return null;
          var at = r.headers.get("X-Live-Version");
          // Counts newer than this answer were pushed meanwhile: keep them.
          if (follow && follow.stale(at)) return null;
          etag = r.headers.get("ETag");
          if (follow) follow.fetched(at);
          return r.text();
        })
        .then(function (html) {
          delay = html === null ? Math.min(delay * 1.5, slowest) : poll;
          if (html !== null) merge(list, html);
        })
        .catch(function () {})
        .then(function () { busy = false; });
    }

    root.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.hasAttribute("data-poll-vote") || !root.getAttribute("data-vote-url")) return;
      event.preventDefault();
      var url = root.getAttribute("data-vote-url").replace(/\/0\//, "/" + form.getAttribute("data-poll-id") + "/");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken(form) },
        body: JSON.stringify(ballot(form))
      })
        .then(function (r) {
          return r.json().then(function (data) { return { ok: r.ok, data: data }; });
        })
        .then(function (res) {
          if (res.ok) {
            say(root.getAttribute("data-msg-voted"));
            etag = null;
            return refresh();
          }
          var fields = res.data.fields || {};
          say(fields.options || fields.score || res.data.message, true);
        })
        .catch(function () { say(root.getAttribute("data-msg-error"), true); });
    });

    function tick() {
      var next = function () { window.setTimeout(tick, delay); };
      if (mode !== "screen" && document.visibilityState === "hidden") return next();
      if (live && live.open && Date.now() - lastFetch < LIVE_POLL_MS) return next();
      refresh().then(next);
    }
    window.setTimeout(tick, poll);
  }

  function start() {
    var roots = document.querySelectorAll("[data-polls]");
    for (var i = 0; i < roots.length; i++) initPolls(roots[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
