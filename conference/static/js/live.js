/* Live events: one EventSource per page tells the page's scripts at once that a topic changed
   (Q&A, stream status, arrival figures). A version event carries only the topic and its new
   version; the script then fetches what it already polls. A content event carries what changed
   of a list that is the same for everyone (the Q&A's approved questions). Where the stream cannot be opened (an old
   browser, a server that answers 503, a proxy that cuts it) the scripts keep polling.
   Usage: var live = swcLive.listen(element, function (topic) { refresh(); });
          live && live.open  -> the stream is open now: poll rarely. */
(function () {
  "use strict";
  var hubs = {};

  function connect(host) {
    var url = host.getAttribute("data-live-url");
    if (hubs[url]) return hubs[url];
    var known = {};
    try { known = JSON.parse(host.getAttribute("data-live-versions") || "{}"); } catch (e) {}
    var hub = hubs[url] = { open: false, known: known, listeners: {}, events: 0 };
    var source = new EventSource(url);
    host.setAttribute("data-live-state", "connecting");
    source.addEventListener("open", function () {
      hub.open = true;
      host.setAttribute("data-live-state", "open");
    });
    source.addEventListener("error", function () {
      // CONNECTING: the browser retries by itself (after the server's retry hint); CLOSED: the
      // server refused (503 on a sync worker, 403 after the grant expired), so poll for good.
      hub.open = false;
      host.setAttribute("data-live-state", source.readyState === 2 ? "closed" : "connecting");
    });
    // On every (re)connect the server sends the current versions: only a real change, or one
    // missed while away, counts.
    function heard(data) {
      if (known[data.topic] === data.version) return false;
      known[data.topic] = data.version;
      hub.events += 1;
      host.setAttribute("data-live-events", String(hub.events));
      return true;
    }
    source.addEventListener("version", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (!heard(data)) return;
      (hub.listeners[data.topic] || []).forEach(function (l) { l.change(data.topic, data.version); });
    });
    // A topic that carries content (the Q&A's approved questions, the polls' counts): what
    // changed, pushed to every page, so the page need not fetch it (see follow). It also stands
    // for the version: a script that does not take the content (the moderator's list) fetches.
    source.addEventListener("content", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      var fresh = heard(data);
      (hub.listeners[data.topic] || []).forEach(function (l) {
        if (l.content) l.content(data);
        else if (fresh) l.change(data.topic, data.version);
      });
    });
    return hub;
  }

  // Whether a stamp ("epoch.count") comes after another; a new epoch counts as newer.
  function newer(version, than) {
    if (!than) return true;
    if (!version) return false;
    var a = version.lastIndexOf("."), b = than.lastIndexOf(".");
    if (version.slice(0, a) !== than.slice(0, b)) return true;
    return parseInt(version.slice(a + 1), 10) > parseInt(than.slice(b + 1), 10);
  }

  // After a version event, how long a list waits for its pushed content before fetching, plus
  // a part of its own of the spread: thousands of pages then do not all fetch in one second.
  var CONTENT_WAIT_MS = 1500, CONTENT_SPREAD_MS = 3000;

  window.swcLive = {
    newer: newer,

    /* One pushed item (a list item or a block of counts) as an element. */
    element: function (html) {
      var box = document.createElement("template");
      box.innerHTML = html;
      return box.content.firstElementChild;
    },

    /* Keep a list that `topic` pushes content for: `apply(data)` puts a change in and says
       whether it could; otherwise, and when a version's content does not come, `refresh()`
       fetches the whole list (its other topics too). The tracker knows the version shown:
       tell it what a fetch gave (`fetched`), and ask whether a fetch is older (`stale`). */
    follow: function (element, topic, apply, refresh) {
      var shown = null;
      var host = element.closest("[data-live-versions]");
      try { shown = JSON.parse(host.getAttribute("data-live-versions"))[topic] || null; } catch (e) {}
      var tracker = {
        fetched: function (version) { if (version) shown = version; },
        stale: function (version) { return !!(version && shown && newer(shown, version)); }
      };
      tracker.hub = this.listen(element, function (changed, version) {
        if (changed !== topic) return refresh();
        if (!newer(version, shown)) return;
        var wait = CONTENT_WAIT_MS + Math.random() * CONTENT_SPREAD_MS;
        window.setTimeout(function () { if (newer(version, shown)) refresh(); }, wait);
      }, null, function (data) {
        if (data.topic !== topic || !newer(data.version, shown)) return;
        // A change holds every item that moved after its base, so it applies on whatever the
        // page shows from that base on (a fetch meanwhile gave a version between two pushes);
        // only an item that moved and moved back since the base keeps its fetched value until
        // it moves again. A page behind the base fetches, once (the lists' own guard).
        var holds = data.full || (shown !== null && !newer(data.base, shown));
        if (holds && apply(data)) shown = data.version;
        else refresh();
      });
      return tracker;
    },

    /* Call `onChange(topic, version)` when one of the topics of `element` (data-live-topics, or
       of the nearest element that has them) changes, and `onContent(data)` when one pushes its
       content; null when the page has no live stream. */
    listen: function (element, onChange, topics, onContent) {
      if (!window.EventSource || !element || !element.closest) return null;
      var host = element.closest("[data-live-url]");
      if (!host) return null;
      var hub = connect(host);
      var own = element.getAttribute("data-live-topics") || host.getAttribute("data-live-topics") || "";
      (topics || own.split(" ")).forEach(function (topic) {
        if (!topic) return;
        var listener = { change: onChange, content: onContent || null };
        (hub.listeners[topic] = hub.listeners[topic] || []).push(listener);
      });
      return hub;
    }
  };
})();
