/* The Q&A without reloads: ask, vote and moderate through the JSON API, and refresh the list
   (an HTML fragment rendered by the server, with an ETag) as soon as the live stream says it
   changed (live.js), or every few seconds where there is no stream. On an attendee's panel the
   stream pushes the approved questions that changed (drawn once by the server for everyone);
   the panel puts them in and keeps its own part: its votes, its waiting questions, its form
   token. The plain forms keep working without this script. */
(function () {
  "use strict";

  var MODERATION = {
    approve: { status: "approved" },
    hide: { status: "hidden" },
    pending: { status: "pending" },
    pin: { pinned: true },
    unpin: { pinned: false },
    answer: { answered: true },
    unanswer: { answered: false }
  };

  function csrfToken(form) {
    var input = form && form.querySelector('input[name="csrf_token"]');
    if (input && input.value) return input.value;
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function send(method, url, body, token) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }

  function each(nodes, fn) { Array.prototype.forEach.call(nodes, fn); }

  function idUrl(template, id) {
    return template.replace(/\/0(\/|$)/, "/" + id + "$1");
  }

  function initQa(root) {
    var list = root.querySelector("[data-qa-list]");
    var status = root.querySelector("[data-qa-status]");
    var mode = root.getAttribute("data-mode");
    var poll = parseInt(root.getAttribute("data-poll") || "5000", 10);
    // Attendees' panels slow down while nothing changes (5 s, 7.5 s, … up to 12 s) and speed up
    // again on a change: a quiet Q&A with a thousand viewers then costs the server half as much.
    // Moderators and the room screen keep their steady pace.
    var slowest = mode === "attendee" ? Math.max(poll, 12000) : poll;
    var delay = poll;
    var etag = null;
    var busy = false;
    var again = false;
    var lastFetch = Date.now();
    // While the live stream is open a change is heard at once; a poll a minute stays as a net.
    var LIVE_POLL_MS = 60000;
    var topic = mode === "attendee" ? root.getAttribute("data-qa-topic") : null;
    var follow = topic && window.swcLive ? window.swcLive.follow(root, topic, apply, refresh) : null;
    var live = follow ? follow.hub
      : window.swcLive ? window.swcLive.listen(root, function () { refresh(); }) : null;

    // Put the pushed questions in order, keeping this person's votes, waiting questions, token.
    function apply(data) {
      var ol = list.querySelector("ol.qa-list");
      if (!ol) return false;
      var have = {}, voted = {}, inOrder = {}, items = [];
      each(ol.children, function (li) { if (li.id) have[li.id.slice(6)] = li; });
      each(ol.querySelectorAll("[data-vote-done]:not([hidden])"), function (button) {
        voted[button.form.getAttribute("data-question-id")] = true;
      });
      for (var i = 0; i < data.order.length; i++) {
        var id = String(data.order[i]);
        var li = data.items[id] !== undefined ? window.swcLive.element(data.items[id]) : have[id];
        if (!li || !li.classList.contains("qa-approved")) return false;  // missed a change
        inOrder[id] = true;
        items.push(li);
      }
      each(ol.children, function (li) {
        if (li.id && !inOrder[li.id.slice(6)] && li.classList.contains("qa-pending")) items.push(li);
      });
      if (!items.length) items.push(window.swcLive.element(data.empty));
      var ask = root.querySelector("form[data-qa-ask]");
      var next = ask && ask.querySelector('input[name="next"]');
      var token = csrfToken(ask);
      items.forEach(function (li) {
        var form = li.querySelector("form[data-qa-vote]");
        if (!form) return;
        var mine = !!voted[form.getAttribute("data-question-id")];
        form.querySelector("[data-vote-done]").hidden = !mine;
        form.querySelector("[data-vote-open]").hidden = mine;
        form.querySelector('input[name="csrf_token"]').value = token;
        if (next) form.querySelector('input[name="next"]').value = next.value;
      });
      keepingFocus(function () {
        while (ol.firstChild) ol.removeChild(ol.firstChild);
        items.forEach(function (li) { ol.appendChild(li); });
      });
      return true;
    }

    function keepingFocus(change) {
      var focused = document.activeElement;
      var key = focused && list.contains(focused) ? focused.getAttribute("data-focus-key") : null;
      change();
      if (key) {
        var again = list.querySelector('[data-focus-key="' + key + '"]');
        if (again) again.focus();
      }
    }

    // A message under the form; an error looks like one (red, a capital, a full stop), since the
    // API words its field errors in lower case for programs.
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
      if (busy) { again = true; return Promise.resolve(); }
      busy = true;
      again = false;
      lastFetch = Date.now();
      var headers = { "Accept": "text/html" };
      if (etag) headers["If-None-Match"] = etag;
      return fetch(root.getAttribute("data-fragment-url"), {
        credentials: "same-origin", cache: "no-store", headers: headers
      })
        .then(function (r) {
          if (r.status !== 200) return null;
          var at = r.headers.get("X-Live-Version");
          // A pushed change newer than this answer was put in meanwhile: keep it.
          if (follow && follow.stale(at)) return null;
          etag = r.headers.get("ETag");
          if (follow) follow.fetched(at);
          return r.text();
        })
        .then(function (html) {
          delay = html === null ? Math.min(delay * 1.5, slowest) : poll;
          if (html === null) return;
          keepingFocus(function () { list.innerHTML = html; });
        })
        .catch(function () {})
        .then(function () {
          busy = false;
          // A change heard while this fetch ran may not be in its answer: fetch once more.
          if (again) return refresh();
        });
    }

    root.addEventListener("submit", function (event) {
      var form = event.target;
      var token = csrfToken(form);
      if (form.hasAttribute("data-qa-ask")) {
        event.preventDefault();
        var box = form.querySelector("textarea");
        send("POST", root.getAttribute("data-ask-url"), { text: box.value }, token)
          .then(function (r) {
            return r.json().then(function (data) { return { ok: r.ok, data: data }; });
          })
          .then(function (res) {
            if (res.ok) {
              box.value = "";
              box.removeAttribute("aria-invalid");
              say(res.data.status === "approved" ? root.getAttribute("data-msg-shown")
                                                 : root.getAttribute("data-msg-sent"));
              etag = null;
              refresh();
            } else {
              say((res.data.fields && res.data.fields.text) || res.data.message, true);
              box.setAttribute("aria-invalid", "true");
              box.focus();
            }
          })
          .catch(function () { say(root.getAttribute("data-msg-error"), true); });
      } else if (form.hasAttribute("data-qa-vote")) {
        event.preventDefault();
        var id = form.getAttribute("data-question-id");
        send("POST", idUrl(root.getAttribute("data-vote-url"), id), undefined, token)
          .then(function (r) {
            if (!r.ok) throw new Error(String(r.status));
            say(root.getAttribute("data-msg-voted"));
            return refresh();
          })
          .catch(function () { say(root.getAttribute("data-msg-error"), true); });
      } else if (form.hasAttribute("data-qa-moderate")) {
        event.preventDefault();
        var action = form.querySelector('input[name="action"]').value;
        var qid = form.getAttribute("action").split("/").pop();
        send("PATCH", idUrl(root.getAttribute("data-moderate-url"), qid), MODERATION[action], token)
          .then(function (r) {
            if (!r.ok) throw new Error(String(r.status));
            say("");
            return refresh();
          })
          .catch(function () { say(root.getAttribute("data-msg-error"), true); });
      }
    });

    function tick() {
      var next = function () { window.setTimeout(tick, delay); };
      if (mode !== "screen" && document.visibilityState === "hidden") return next();
      if (live && live.open && Date.now() - lastFetch < LIVE_POLL_MS) return next();
      refresh().then(next);
    }
    window.setTimeout(tick, delay);
  }

  function start() {
    var roots = document.querySelectorAll("[data-qa]");
    for (var i = 0; i < roots.length; i++) initQa(roots[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
