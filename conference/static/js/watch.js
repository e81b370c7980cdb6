/* Watch pages: start the player (hls.js where the browser has no HLS of its own), follow the
   stream's status without a reload, and send a heartbeat every minute for attendance.
   The "now" page: refresh the status words. Everything here only enhances working HTML. */
(function () {
  "use strict";

  var HEARTBEAT_MS = 60000;
  var STATUS_MS = 10000;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function jitter(ms) {
    return ms + Math.floor(Math.random() * 2000);
  }

  function labelFor(root, status, delayed) {
    if (delayed) return root.getAttribute("data-label-delayed");
    return root.getAttribute("data-label-" + status) || status;
  }

  function setStatus(root, el, status, delayed) {
    el.textContent = labelFor(root, status, delayed);
    el.className = "stream-status status-" + status + (delayed ? " status-delayed" : "");
  }

  function sendBeat(url) {
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ client_time: new Date().toISOString() })
    }).catch(function () { /* the next heartbeat tries again */ });
  }

  /* The radio bar: listening counts for the radio while it plays, on any page. */
  function initRadio(audio) {
    var url = audio.getAttribute("data-heartbeat-url");
    var last = 0;
    function beat() {
      if (audio.paused || audio.ended) return;
      if (Date.now() - last < 20000) return;
      last = Date.now();
      sendBeat(url);
    }
    audio.addEventListener("playing", beat);
    window.setInterval(beat, HEARTBEAT_MS);
  }

  /* -- players ------------------------------------------------------------------------------ */

  var hlsInstance = null;
  var hlsScript = null;

  /* hls.js (about 110 KB compressed) is fetched only by browsers without HLS of their own. */
  function withHlsJs(callback) {
    if (window.Hls) { callback(); return; }
    var holder = document.querySelector("[data-hls-script]");
    if (!holder) return;
    if (!hlsScript) {
      hlsScript = document.createElement("script");
      hlsScript.src = holder.getAttribute("data-hls-script");
      document.head.appendChild(hlsScript);
    }
    hlsScript.addEventListener("load", callback);
  }

  function startHls(video, src) {
    if (hlsInstance) { hlsInstance.destroy(); hlsInstance = null; }
    if (video.canPlayType("application/vnd.apple.mpegurl")) {
      if (video.currentSrc !== src) { video.src = src; }
      return;
    }
    withHlsJs(function () {
      if (!window.Hls || !window.Hls.isSupported()) return;
      if (hlsInstance) { hlsInstance.destroy(); }
      hlsInstance = new window.Hls({ lowLatencyMode: true });
      hlsInstance.loadSource(src);
      hlsInstance.attachMedia(video);
      hlsInstance.on(window.Hls.Events.ERROR, function (_event, data) {
        if (!data.fatal) return;
        if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) hlsInstance.startLoad();
        else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) hlsInstance.recoverMediaError();
      });
    });
  }

  function initPlayer(player) {
    var video = player.querySelector("video[data-hls-src]");
    if (video) startHls(video, video.getAttribute("data-hls-src"));
  }

  function buildPlayer(player, provider, src) {
    var title = player.getAttribute("data-player-title") || "";
    player.setAttribute("data-provider", provider);
    player.setAttribute("data-src", src);
    player.textContent = "";
    if (provider === "hls") {
      var video = document.createElement("video");
      video.className = "player-video";
      video.controls = true;
      video.setAttribute("playsinline", "");
      video.setAttribute("aria-label", title);
      video.setAttribute("data-hls-src", src);
      player.appendChild(video);
      startHls(video, src);
    } else if (provider === "audio") {
      var audio = document.createElement("audio");
      audio.className = "player-audio";
      audio.controls = true;
      audio.preload = "none";
      audio.src = src;
      audio.setAttribute("aria-label", title);
      player.appendChild(audio);
    } else {
      var frame = document.createElement("div");
      frame.className = "player-frame";
      var iframe = document.createElement("iframe");
      iframe.src = src;
      iframe.title = title;
      iframe.allow = "autoplay; fullscreen; picture-in-picture; encrypted-media";
      iframe.setAttribute("allowfullscreen", "");
      iframe.referrerPolicy = "strict-origin-when-cross-origin";
      frame.appendChild(iframe);
      player.appendChild(frame);
    }
  }

  /* -- the watch page ----------------------------------------------------------------------- */

  function initWatch(root) {
    var player = root.querySelector("[data-player]");
    if (player) initPlayer(player);
    var badge = root.querySelector("[data-status-for]");
    var statusEvery = parseInt(root.getAttribute("data-status-poll") || "", 10) || STATUS_MS;
    var current = root.getAttribute("data-status");

    function mediaPlaying() {
      var media = root.querySelectorAll("[data-player] video, [data-player] audio");
      for (var i = 0; i < media.length; i++) {
        if (!media[i].paused && !media[i].ended) return true;
      }
      return false;
    }

    function beat() {
      var present = document.visibilityState === "visible" || mediaPlaying() ||
        root.getAttribute("data-background") === "1";
      if (!present) return;
      sendBeat(root.getAttribute("data-heartbeat-url"));
    }

    function refreshPlayer() {
      fetch(root.getAttribute("data-stream-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.embed_url) return;
          var holder = root.querySelector("[data-player]");
          if (!holder) {
            // The stream got a source while the page was open: make room for a player.
            var notice = root.querySelector(".watch-main .notice");
            holder = document.createElement("div");
            holder.className = "player";
            holder.setAttribute("data-player", "");
            holder.setAttribute("data-player-title", document.title);
            if (notice) notice.replaceWith(holder); else return;
          }
          if (holder.getAttribute("data-src") !== data.embed_url) {
            buildPlayer(holder, data.provider, data.embed_url);
          }
        })
        .catch(function () {});
    }

    function pollStatus() {
      fetch(root.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var word = data.status + (data.delayed ? "-delayed" : "");
          if (word === current) return;
          current = word;
          if (badge) setStatus(root, badge, data.status, data.delayed);
          refreshPlayer();
        })
        .catch(function () {})
        .then(function () { window.setTimeout(pollStatus, jitter(statusEvery)); });
    }

    beat();
    window.setInterval(beat, HEARTBEAT_MS);
    window.setTimeout(pollStatus, jitter(statusEvery));
    if (!player) window.setTimeout(refreshPlayer, 1000);
  }

  /* -- the "now" page ----------------------------------------------------------------------- */

  function initNow(root) {
    function poll() {
      fetch(root.getAttribute("data-streams-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (items) {
          (items || []).forEach(function (item) {
            var el = root.querySelector('[data-status-for="' + item.activity_id + '"]');
            if (!el) return;
            var word = item.status + (item.delayed ? "-delayed" : "");
            var match = el.className.match(/status-(upcoming|live|ended)/);
            var was = el.getAttribute("data-word") ||
              (match ? match[1] : "") + (el.classList.contains("status-delayed") ? "-delayed" : "");
            if (word !== was) {
              setStatus(root, el, item.status, item.delayed);
              el.setAttribute("data-word", word);
            }
          });
        })
        .catch(function () {})
        .then(function () { window.setTimeout(poll, jitter(30000)); });
    }
    window.setTimeout(poll, jitter(30000));
  }

  function start() {
    var watch = document.querySelector("[data-watch]");
    if (watch) initWatch(watch);
    var now = document.querySelector("[data-now]");
    if (now) initNow(now);
    var radio = document.querySelector("audio[data-radio][data-heartbeat-url]");
    if (radio) initRadio(radio);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
