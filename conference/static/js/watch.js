/* Watch pages: start the player (hls.js where the browser has no HLS of its own), follow the
   stream's status without a reload, and send a heartbeat every minute for attendance.
   The "now" page: refresh the status words. Everything here only enhances working HTML. */
(function () {
  "use strict";

  var HEARTBEAT_MS = 60000;
  var STATUS_MS = 10000;
  var LIVE_STATUS_MS = 300000;
  var CLOCK_SPREAD_MS = 5000;

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
    if (status === "live" && root.getAttribute("data-configured") === "0") {
      // No player yet: "live" would contradict the notice that the stream is not set up.
      el.textContent = root.getAttribute("data-label-unconfigured");
      el.className = "stream-status status-upcoming status-unconfigured";
      return;
    }
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

  function withAutoplay(provider, src) {
    if (provider !== "youtube" && provider !== "vimeo") return src;
    return src + (src.indexOf("?") >= 0 ? "&" : "?") + "autoplay=1";
  }

  /* A player from another website waits behind a still until the person taps start. */
  function waitForTap(player) {
    var start = player.querySelector("[data-player-start]");
    if (!start) return;
    start.addEventListener("click", function (event) {
      event.preventDefault();
      var provider = player.getAttribute("data-provider");
      buildPlayer(player, provider, player.getAttribute("data-src"), true);
      var iframe = player.querySelector("iframe");
      if (iframe) iframe.focus();
    });
  }

  function initPlayer(player) {
    var video = player.querySelector("video[data-hls-src]");
    if (video) startHls(video, video.getAttribute("data-hls-src"));
    waitForTap(player);
  }

  function buildStill(player, frame) {
    var root = player.closest("[data-watch]");
    var still = document.createElement("div");
    still.className = "player-still";
    var start = document.createElement("a");
    start.className = "player-start";
    start.href = "?speler=1";
    start.setAttribute("data-player-start", "");
    var play = document.createElement("span");
    play.className = "player-play";
    play.setAttribute("aria-hidden", "true");
    var label = document.createElement("span");
    label.className = "player-start-label";
    label.textContent = root ? root.getAttribute("data-label-start") : "";
    start.appendChild(play);
    start.appendChild(label);
    var consent = document.createElement("p");
    consent.className = "player-consent";
    var sites = { youtube: "YouTube", vimeo: "Vimeo" };
    var site = sites[player.getAttribute("data-provider")] ||
      (root ? root.getAttribute("data-label-other-site") : "");
    consent.textContent = player.getAttribute("data-player-consent") ||
      (root ? root.getAttribute("data-label-consent").split("{site}").join(site) : "");
    still.appendChild(start);
    still.appendChild(consent);
    frame.appendChild(still);
    player.appendChild(frame);
    waitForTap(player);
  }

  function buildPlayer(player, provider, src, tapped) {
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
      if (!tapped) {
        buildStill(player, frame);
        return;
      }
      var iframe = document.createElement("iframe");
      iframe.src = withAutoplay(provider, src);
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
            root.setAttribute("data-configured", "1");
            if (badge) setStatus(root, badge, current.split("-")[0], /-delayed$/.test(current));
          }
          if (holder.getAttribute("data-src") !== data.embed_url) {
            buildPlayer(holder, data.provider, data.embed_url);
          }
        })
        .catch(function () {});
    }

    // The status also follows the clock, but only at the stream's start and end. While the live
    // stream is open it brings each change of the stream's settings at once, so the page asks
    // only just after those two moments (each page a few seconds after, so thousands do not ask
    // at once) and every few minutes as a net; without the stream it polls as before.
    var live = window.swcLive ? window.swcLive.listen(root, function () { checkStatus(); },
      ["stream:" + root.getAttribute("data-activity-id"), "conference"]) : null;
    var lastCheck = Date.now();
    var spread = Math.random() * CLOCK_SPREAD_MS;
    var moments = [root.getAttribute("data-starts-at"), root.getAttribute("data-ends-at")]
      .map(function (text) { return Date.parse(text || "") + spread; })
      .filter(function (at) { return isFinite(at); });

    function clockMoved() {
      var now = Date.now();
      return moments.some(function (at) { return lastCheck < at && at <= now; });
    }

    function pollStatus() {
      if (live && live.open && Date.now() - lastCheck < LIVE_STATUS_MS && !clockMoved()) {
        window.setTimeout(pollStatus, jitter(statusEvery));
        return;
      }
      checkStatus().then(function () { window.setTimeout(pollStatus, jitter(statusEvery)); });
    }

    function checkStatus() {
      lastCheck = Date.now();
      return fetch(root.getAttribute("data-status-url"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data) return;
          var word = data.status + (data.delayed ? "-delayed" : "");
          if (word === current) return;
          current = word;
          if (badge) setStatus(root, badge, data.status, data.delayed);
          refreshPlayer();
        })
        .catch(function () {});
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
