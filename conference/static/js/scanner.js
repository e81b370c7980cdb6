/* The check-in scanner: continuous QR scanning with jsQR, a full-screen verdict, and an
 * offline mode that decides with the checkpoint's list on this device and uploads the queued
 * scans (forced, idempotent by nonce) when the network returns. No dependencies but jsQR. */
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root) return;

  var config = JSON.parse(document.getElementById("scanner-config").textContent);
  var T = JSON.parse(document.getElementById("scanner-messages").textContent);
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var checkpoint = config.checkpoint;
  var cpKey = checkpoint.key;

  var SLOW_MS = 400; // a server slower than this: decide locally, so the verdict shows in < 0.5 s
  var SYNC_MS = 20000; // incremental list refresh
  var FULL_SYNC_MS = 300000; // a full list now and then (freed seats show only there)
  var FLUSH_MS = 10000;
  var SCAN_INTERVAL_MS = 100;
  var REPEAT_MS = 2500; // the same code again within this time after a verdict is ignored
  var OPEN_CHECK_MS = 30000; // how often the "closed now" warning is brought up to date
  var SECRET_RE = /^[A-Za-z0-9_-]{16,64}$/;

  var AGE_MS = 30000; // how often "the list is N minutes old" is brought up to date
  // The offline app (scanner_offline.js): the service worker and the queue's IndexedDB copy.
  var offline = window.scannerOffline || {
    put: function () {}, remove: function () {}, upload: function () {},
    takeSent: function () { return Promise.resolve([]); }, onUploaded: function () {}
  };

  var LIST_KEY = "checkin:list:" + cpKey;
  var QUEUE_KEY = "checkin:queue";
  var DEVICE_KEY = "checkin:device";

  var el = {
    netStatus: document.getElementById("net-status"),
    netState: document.getElementById("net-state"),
    queueCount: document.getElementById("queue-count"),
    video: document.getElementById("camera-video"),
    canvas: document.getElementById("camera-canvas"),
    cameraStatus: document.getElementById("camera-status"),
    cameraStart: document.getElementById("camera-start"),
    verdict: document.getElementById("verdict"),
    verdictTitle: document.getElementById("verdict-title"),
    verdictName: document.getElementById("verdict-name"),
    verdictDetail: document.getElementById("verdict-detail"),
    verdictNote: document.getElementById("verdict-note"),
    verdictNext: document.getElementById("verdict-next"),
    verdictNextText: document.getElementById("verdict-next-text"),
    verdictClose: document.getElementById("verdict-close"),
    closedNow: document.getElementById("closed-now"),
    searchForm: document.getElementById("search-form"),
    searchResults: document.getElementById("search-results"),
    listInfo: document.getElementById("list-info"),
    queueInfo: document.getElementById("queue-info")
  };

  // --- storage ------------------------------------------------------------------------------

  function load(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function save(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (e) {
      /* storage full or blocked: the scanner still works online */
    }
  }

  function randomHex(bytes) {
    var a = new Uint8Array(bytes);
    window.crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function newNonce() {
    return window.crypto.randomUUID ? window.crypto.randomUUID() : randomHex(16);
  }

  var device = load(DEVICE_KEY, null);
  if (!device) {
    device = "dev-" + randomHex(6);
    save(DEVICE_KEY, device);
  }

  var state = {
    list: load(LIST_KEY, null), // {version, fullAt, syncedAt, key, entries: {hash: entry}}
    queue: load(QUEUE_KEY, []),
    serverDown: false,
    busy: false,
    lastText: null,
    lastSeenAt: 0,
    frames: 0,
    flushing: false,
    hmacKey: null,
    hmacKeyHex: null
  };

  var metrics = { samples: [], last: null };

  // --- secrets and hashes -------------------------------------------------------------------

  function extractSecret(text) {
    if (typeof text !== "string") return null;
    text = text.trim();
    if (text.indexOf("/") >= 0) {
      var path;
      try {
        path = new URL(text, window.location.origin).pathname.replace(/\/+$/, "");
      } catch (e) {
        return null;
      }
      var parts = path.split("/");
      if (parts.length < 2 || parts[parts.length - 2] !== "t") return null;
      text = decodeURIComponent(parts[parts.length - 1]);
    }
    return SECRET_RE.test(text) ? text : null;
  }

  function hexToBytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
    return out;
  }

  function hashSecret(secret) {
    var list = state.list;
    if (!list || !list.key || !window.crypto.subtle) return Promise.resolve(null);
    var keyPromise;
    if (state.hmacKey && state.hmacKeyHex === list.key) {
      keyPromise = Promise.resolve(state.hmacKey);
    } else {
      keyPromise = window.crypto.subtle
        .importKey("raw", hexToBytes(list.key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
        .then(function (key) {
          state.hmacKey = key;
          state.hmacKeyHex = list.key;
          return key;
        });
    }
    return keyPromise
      .then(function (key) {
        return window.crypto.subtle.sign("HMAC", key, new TextEncoder().encode(secret));
      })
      .then(function (sig) {
        var hex = Array.prototype.map
          .call(new Uint8Array(sig), function (b) { return ("0" + b.toString(16)).slice(-2); })
          .join("");
        return hex.slice(0, list.length || 32);
      });
  }

  // --- status line --------------------------------------------------------------------------

  function isOnline() {
    return navigator.onLine && !state.serverDown;
  }

  function timeText(iso) {
    if (!iso) return "";
    try {
      return new Date(iso).toLocaleTimeString(config.lang === "en" ? "en-GB" : "nl-BE", {
        hour: "2-digit", minute: "2-digit", timeZone: "Europe/Brussels"
      });
    } catch (e) {
      return iso.slice(11, 16);
    }
  }

  function renderStatus() {
    var online = isOnline();
    el.netState.textContent = online ? T.online : T.offline;
    el.netStatus.classList.toggle("is-offline", !online);
    var n = state.queue.length;
    el.queueCount.hidden = n === 0;
    el.queueCount.textContent = T.queue.replace("{n}", n);
    el.queueCount.setAttribute("data-count", String(n));
    var waiting = n === 0 ? T.queue_none : n === 1 ? T.queue_one : T.queue_many.replace("{n}", n);
    if (el.queueInfo.textContent !== waiting) el.queueInfo.textContent = waiting;
    el.queueInfo.setAttribute("data-count", String(n));
    renderListAge();
  }

  // How old the list on this device is, in whole minutes (changes at most once a minute).
  function renderListAge() {
    var text = T.list_missing;
    if (state.list && state.list.entries) {
      var minutes = Math.max(0, Math.floor((Date.now() - state.list.syncedAt) / 60000));
      var age = minutes < 1 ? T.list_age_now : minutes === 1 ? T.list_age_one
        : T.list_age_many.replace("{n}", minutes);
      text = T.list_loaded
        .replace("{n}", Object.keys(state.list.entries).length)
        .replace("{time}", timeText(new Date(state.list.syncedAt).toISOString())) + " " + age;
      el.listInfo.setAttribute("data-age-minutes", String(minutes));
    }
    if (el.listInfo.textContent !== text) el.listInfo.textContent = text;
  }

  // --- network ------------------------------------------------------------------------------

  function apiUrl(base, params) {
    var url = new URL(base, window.location.origin);
    Object.keys(params || {}).forEach(function (k) {
      if (params[k] !== null && params[k] !== undefined) url.searchParams.set(k, params[k]);
    });
    url.searchParams.set("lang", config.lang);
    return url.toString();
  }

  function postJson(url, body) {
    return fetch(apiUrl(url), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(
        function (data) { return { http: response.status, body: data }; },
        function () { return { http: response.status, body: null }; }
      );
    });
  }

  function getJson(url, params, timeoutMs) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs || 8000) : null;
    return fetch(apiUrl(url, params), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) clearTimeout(timer);
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }, function (err) {
      if (timer) clearTimeout(timer);
      throw err;
    });
  }

  function markDown() {
    if (!state.serverDown) {
      state.serverDown = true;
      renderStatus();
    }
  }

  function markUp() {
    if (state.serverDown) {
      state.serverDown = false;
      renderStatus();
    }
  }

  // --- the list on this device --------------------------------------------------------------

  function applyQueueToList() {
    // Scans not yet uploaded win over what the server knows.
    if (!state.list) return;
    state.queue.forEach(function (item) {
      var entry = item.h && state.list.entries[item.h];
      if (!entry) return;
      if (item.type === "exit") {
        entry.inside = false;
      } else {
        entry.inside = true;
        entry.last_entry_at = item.scanned_at;
      }
    });
  }

  function sync(forceFull) {
    if (!navigator.onLine) return Promise.resolve(false);
    var list = state.list;
    var full = forceFull || !list || !list.fullAt || Date.now() - list.fullAt > FULL_SYNC_MS;
    var params = { checkpoint: cpKey, since: full ? null : list.version };
    return getJson(config.listUrl, params, 15000).then(
      function (data) {
        markUp();
        var entries = full || !list ? {} : list.entries;
        data.entries.forEach(function (entry) { entries[entry.h] = entry; });
        state.list = {
          version: data.version,
          fullAt: data.full ? Date.now() : list.fullAt,
          syncedAt: Date.now(),
          key: data.hash.key,
          length: data.hash.length,
          entries: entries
        };
        applyQueueToList();
        save(LIST_KEY, state.list);
        renderStatus();
        return true;
      },
      function () {
        markDown();
        return false;
      }
    );
  }

  function findEntryById(registrationId) {
    if (!state.list) return null;
    var entries = state.list.entries;
    var best = null;
    Object.keys(entries).forEach(function (h) {
      var e = entries[h];
      if (e.registration_id === registrationId && (!best || e.status === "ok")) best = e;
    });
    return best;
  }

  function rememberAnswer(h, type, body) {
    if (!h || !state.list || !state.list.entries[h]) return;
    var entry = state.list.entries[h];
    if (body.status === "ok") {
      entry.inside = type !== "exit";
      if (type !== "exit") entry.last_entry_at = body.scanned_at;
    } else if (body.reason === "already_redeemed") {
      entry.inside = true;
      entry.last_entry_at = body.first_scan_at || entry.last_entry_at;
    }
    save(LIST_KEY, state.list);
  }

  // --- the queue of offline scans -----------------------------------------------------------

  function enqueue(item) {
    state.queue.push(item);
    save(QUEUE_KEY, state.queue);
    offline.put(item.nonce, uploadBody(item), csrf);
    renderStatus();
  }

  function dequeue(nonce) {
    state.queue = state.queue.filter(function (item) { return item.nonce !== nonce; });
    save(QUEUE_KEY, state.queue);
    offline.remove(nonce);
    renderStatus();
  }

  // Scans the service worker uploaded (Background Sync) leave this page's queue too.
  function forgetSent() {
    return offline.takeSent().then(function (nonces) {
      nonces.forEach(function (nonce) {
        if (state.queue.some(function (item) { return item.nonce === nonce; })) dequeue(nonce);
      });
    });
  }

  function uploadBody(item) {
    var body = {
      checkpoint: item.checkpoint,
      type: item.type,
      nonce: item.nonce,
      scanned_at: item.scanned_at,
      force: true,
      device: device
    };
    if (item.secret) body.secret = item.secret;
    else body.registration_id = item.registration_id;
    return body;
  }

  function isFinal(answer) {
    var csrfError = answer.body && answer.body.error === "csrf";
    return answer.http !== 401 && answer.http !== 403 && answer.http < 500 && !csrfError;
  }

  // The token of this page as the server renders it now (the kept copy may be older).
  function refreshCsrf() {
    return fetch(window.location.pathname, { credentials: "same-origin" })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : ""; })
      .then(function (html) {
        var meta = new DOMParser().parseFromString(html, "text/html").querySelector('meta[name="csrf-token"]');
        if (meta && meta.content) csrf = meta.content;
      }, function () { /* offline again: the next flush tries */ });
  }

  function flush() {
    if (state.flushing || !state.queue.length || !navigator.onLine) return Promise.resolve(0);
    state.flushing = true;
    var sent = 0;
    var items = state.queue.slice();
    function next(i) {
      if (i >= items.length) return Promise.resolve();
      var item = items[i];
      return postJson(config.redeemUrl, uploadBody(item)).then(
        function (answer) {
          markUp();
          // Any answer but an auth, token or server failure is final (the nonce makes a repeat
          // harmless). A page kept from an earlier session has an old token: fetch a fresh one.
          if (isFinal(answer)) {
            dequeue(item.nonce);
            sent += 1;
          } else if (answer.body && answer.body.error === "csrf") {
            return refreshCsrf();
          }
          return next(i + 1);
        },
        function () {
          markDown();
        }
      );
    }
    return next(0).then(function () {
      state.flushing = false;
      return sent;
    }, function () {
      state.flushing = false;
      return sent;
    });
  }

  // --- verdicts -----------------------------------------------------------------------------

  var audio = null;

  function beep(kind) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return;
      audio = audio || new Ctx();
      if (audio.state === "suspended") audio.resume();
      var tones = kind === "ok" ? [[880, 0, 0.12]] : kind === "warn" ? [[520, 0, 0.15], [520, 0.22, 0.15]]
        : [[220, 0, 0.25], [180, 0.3, 0.35]];
      tones.forEach(function (t) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = t[0];
        osc.type = kind === "ok" ? "sine" : "square";
        gain.gain.value = 0.15;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + t[1]);
        osc.stop(audio.currentTime + t[1] + t[2]);
      });
    } catch (e) {
      /* no sound on this device */
    }
  }

  function vibrate(kind) {
    if (navigator.vibrate) {
      try {
        navigator.vibrate(kind === "ok" ? 120 : kind === "warn" ? [150, 100, 150] : [400, 120, 400]);
      } catch (e) {
        /* not allowed */
      }
    }
  }

  function seatText(seats) {
    if (!seats || !seats.length) return "";
    return seats.map(function (s) {
      return timeText(s.starts_at) + " " + s.title + (s.location ? " (" + s.location + ")" : "");
    }).join(" · ");
  }

  // What the volunteer does next after a refusal (by detail where it says more, else by reason).
  function nextStep(reason, detail) {
    return T.next[detail] || T.next[reason] || T.next["default"];
  }

  // A verdict stays until the next scan replaces it or the volunteer taps it away: a glance
  // at the screen a few seconds later still shows what happened. `next`: what to do now.
  function showVerdict(kind, title, name, detail, note, started, next) {
    el.verdict.className = "verdict verdict-" + kind;
    el.verdictTitle.textContent = title || "";
    el.verdictName.textContent = name || "";
    el.verdictDetail.textContent = detail || "";
    el.verdictNote.textContent = note || "";
    el.verdictNextText.textContent = next || "";
    el.verdictNext.hidden = !next;
    el.verdict.hidden = false;
    el.verdict.setAttribute("data-kind", kind);
    var domMs = started ? performance.now() - started : null;
    if (started) {
      // The next frame is when the verdict is on screen.
      window.requestAnimationFrame(function () {
        var sample = { dom_ms: domMs, paint_ms: performance.now() - started, kind: kind };
        metrics.last = sample;
        metrics.samples.push(sample);
        try {
          performance.mark("verdict-shown");
          performance.measure("decode-to-verdict", "qr-decoded", "verdict-shown");
        } catch (e) {
          /* marks are a nicety */
        }
      });
    }
    beep(kind);
    vibrate(kind);
  }

  function hideVerdict() {
    el.verdict.hidden = true;
  }

  function profileText(participant) {
    if (!participant) return "";
    var parts = [T.profiles[participant.profile] || participant.profile];
    var seats = seatText(participant.seats);
    if (seats && cpKey === "entrance") parts.push(seats);
    return parts.join(" · ");
  }

  function showServerAnswer(type, body, started) {
    if (body.status === "ok") {
      var note = body.flagged ? T.forced_flagged : "";
      showVerdict("ok", type === "exit" ? T.exit_ok : T.ok, body.participant && body.participant.name,
        profileText(body.participant), note, started);
      return;
    }
    var kind = body.reason === "already_redeemed" ? "warn" : "error";
    var name = body.participant ? body.participant.name : "";
    showVerdict(kind, T.titles[body.reason] || body.reason, name, body.message || T.reasons[body.reason] || "",
      "", started, nextStep(body.reason, body.detail));
  }

  function localReason(reason, detail) {
    return (detail && T.details[detail]) || T.reasons[reason] || reason;
  }

  function checkpointOpen(now) {
    var opens = Date.parse(checkpoint.opens_at);
    var closes = Date.parse(checkpoint.closes_at);
    return !(now < opens || now >= closes);
  }

  // Decide with the list on this device; queue what let someone in (or out), forced.
  function decideLocally(entry, h, scan, started) {
    var now = Date.now();
    if (!state.list) {
      showVerdict("warn", T.titles.invalid, "", T.list_missing, "", started, nextStep());
      return;
    }
    if (!entry) {
      showVerdict("error", T.titles.invalid, "", T.reasons.invalid, T.offline_decided, started,
        nextStep("invalid"));
      return;
    }
    var queueItem = {
      nonce: scan.nonce,
      secret: scan.secret || null,
      registration_id: scan.secret ? null : entry.registration_id,
      h: h,
      checkpoint: cpKey,
      type: scan.type,
      scanned_at: scan.scanned_at
    };
    if (scan.type === "exit") {
      entry.inside = false;
      save(LIST_KEY, state.list);
      enqueue(queueItem);
      showVerdict("ok", T.exit_ok, entry.name, profileText(entry), T.offline_decided, started);
      return;
    }
    if (entry.status !== "ok") {
      var detail = scan.type === "standby" && entry.detail === "no_seat" ? "standby_offline" : entry.detail;
      showVerdict("error", T.titles[entry.status] || entry.status, entry.name,
        localReason(entry.status, detail), T.offline_decided, started, nextStep(entry.status, detail));
      return;
    }
    if (!checkpointOpen(now)) {
      showVerdict("error", T.titles.invalid_time, entry.name, T.reasons.invalid_time, T.offline_decided, started,
        nextStep("invalid_time"));
      return;
    }
    if (entry.inside) {
      showVerdict("warn", T.titles.already_redeemed, entry.name,
        entry.last_entry_at ? T.reasons.already_at.replace("{time}", timeText(entry.last_entry_at))
          : T.reasons.already_redeemed, T.offline_decided, started, nextStep("already_redeemed"));
      return;
    }
    entry.inside = true;
    entry.last_entry_at = scan.scanned_at;
    save(LIST_KEY, state.list);
    enqueue(queueItem);
    showVerdict("ok", T.ok, entry.name, profileText(entry), T.offline_decided, started);
  }

  function currentType() {
    var checked = root.querySelector('input[name="scan-type"]:checked');
    return checked ? checked.value : "entry";
  }

  // Ask the server; null when it cannot be reached or is slower than SLOW_MS.
  function askServer(body, onLate) {
    if (!isOnline()) return Promise.resolve(null);
    var settled = false;
    var request = postJson(config.redeemUrl, body).then(
      function (answer) {
        markUp();
        if (settled && onLate) onLate(answer);
        settled = true;
        return answer;
      },
      function () {
        markDown();
        settled = true;
        return null;
      }
    );
    var timeout = new Promise(function (resolve) {
      setTimeout(function () {
        if (!settled) {
          settled = true;
          resolve(null);
        }
      }, SLOW_MS);
    });
    return Promise.race([request, timeout]);
  }

  function redeem(scan, started) {
    var body = {
      checkpoint: cpKey, type: scan.type, nonce: scan.nonce, scanned_at: scan.scanned_at, device: device
    };
    if (scan.secret) body.secret = scan.secret;
    else body.registration_id = scan.registration_id;
    var hashPromise = scan.secret ? hashSecret(scan.secret) : Promise.resolve(null);
    return askServer(body, function (late) {
      // The server answered after we decided locally: the queued copy is no longer needed.
      if (late && isFinal(late)) dequeue(scan.nonce);
    }).then(function (answer) {
      if (answer && answer.body && (answer.http === 201 || answer.http === 400 || answer.http === 404)) {
        showServerAnswer(scan.type, answer.body, started);
        return hashPromise.then(function (h) { rememberAnswer(h, scan.type, answer.body); });
      }
      return hashPromise.then(function (h) {
        var entry = h && state.list ? state.list.entries[h] : null;
        if (!scan.secret) entry = findEntryById(scan.registration_id);
        decideLocally(entry, h, scan, started);
      });
    });
  }

  // The scan handler: a decoded QR text (from the camera, or fed by a test).
  function handleDecoded(text) {
    var started = performance.now();
    try {
      performance.clearMarks("qr-decoded");
      performance.mark("qr-decoded");
    } catch (e) {
      /* marks are a nicety */
    }
    var secret = extractSecret(text);
    if (!secret) {
      showVerdict("error", T.titles.invalid, "", T.reasons.invalid, "", started, nextStep("invalid"));
      return Promise.resolve();
    }
    state.busy = true;
    var scan = { secret: secret, type: currentType(), nonce: newNonce(), scanned_at: new Date().toISOString() };
    return redeem(scan, started).then(
      function () { state.busy = false; },
      function () { state.busy = false; }
    );
  }

  function checkInRegistration(registrationId) {
    var started = performance.now();
    var scan = {
      registration_id: registrationId, type: currentType(), nonce: newNonce(),
      scanned_at: new Date().toISOString()
    };
    return redeem(scan, started);
  }

  // --- the camera ---------------------------------------------------------------------------

  var ctx = null;

  // A code that stays in view is scanned once: it must leave the camera for REPEAT_MS first.
  // A new code is read while a verdict is up, and its verdict replaces the old one.
  function scanFrame() {
    var video = el.video;
    if (video.readyState >= 2 && video.videoWidth) {
      var scale = Math.min(1, 640 / video.videoWidth);
      var w = Math.round(video.videoWidth * scale);
      var h = Math.round(video.videoHeight * scale);
      if (el.canvas.width !== w) el.canvas.width = w;
      if (el.canvas.height !== h) el.canvas.height = h;
      ctx = ctx || el.canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, w, h);
      var image = ctx.getImageData(0, 0, w, h);
      var code = window.jsQR(image.data, w, h, { inversionAttempts: "dontInvert" });
      state.frames += 1;
      var now = Date.now();
      if (code && code.data) {
        var repeat = code.data === state.lastText && now - state.lastSeenAt < REPEAT_MS;
        state.lastSeenAt = now;
        if (!repeat && !state.busy) {
          state.lastText = code.data;
          handleDecoded(code.data);
        } else if (!repeat) {
          state.lastText = null; // a new code while busy: take it at the next frame
        }
      }
    }
    setTimeout(scanFrame, SCAN_INTERVAL_MS);
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !window.jsQR) {
      el.cameraStatus.textContent = T.camera_error;
      return;
    }
    el.cameraStart.hidden = true;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 } }, audio: false })
      .then(function (stream) {
        el.video.srcObject = stream;
        return el.video.play();
      })
      .then(function () {
        el.cameraStatus.textContent = T.camera_on;
        root.setAttribute("data-camera", "on");
        scanFrame();
      })
      .catch(function () {
        el.cameraStatus.textContent = T.camera_error;
        el.cameraStart.hidden = false;
      });
  }

  // --- manual search ------------------------------------------------------------------------

  function renderResults(results) {
    el.searchResults.textContent = "";
    if (!results.length) {
      var p = document.createElement("p");
      p.textContent = T.no_results;
      el.searchResults.appendChild(p);
      return;
    }
    var ul = document.createElement("ul");
    ul.className = "search-results";
    results.forEach(function (r) {
      var li = document.createElement("li");
      var text = document.createElement("span");
      text.textContent = r.name + (r.email ? " · " + r.email : "") + " · " +
        (T.profiles[r.profile] || r.profile) + (r.inside ? " · " + T.inside : "");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-primary";
      button.textContent = T.check_in;
      button.setAttribute("aria-label", T.check_in + ": " + r.name);
      button.addEventListener("click", function () { checkInRegistration(r.registration_id); });
      li.appendChild(text);
      li.appendChild(button);
      ul.appendChild(li);
    });
    el.searchResults.appendChild(ul);
  }

  function localSearch(q) {
    if (!state.list) return [];
    q = q.toLowerCase();
    var seen = {};
    var out = [];
    Object.keys(state.list.entries).forEach(function (h) {
      var e = state.list.entries[h];
      if (e.name.toLowerCase().indexOf(q) >= 0 && !seen[e.registration_id]) {
        seen[e.registration_id] = true;
        out.push({ registration_id: e.registration_id, name: e.name, profile: e.profile, inside: e.inside });
      }
    });
    return out.slice(0, 20);
  }

  if (el.searchForm) {
    el.searchForm.addEventListener("submit", function (event) {
      var q = el.searchForm.elements.q.value.trim();
      if (q.length < 2) return;
      event.preventDefault();
      if (!isOnline()) {
        renderResults(localSearch(q));
        return;
      }
      getJson(config.searchUrl, { checkpoint: cpKey, q: q }, 4000).then(
        function (data) { renderResults(data.results); },
        function () {
          markDown();
          renderResults(localSearch(q));
        }
      );
    });
  }

  // --- wiring -------------------------------------------------------------------------------

  el.verdict.addEventListener("click", hideVerdict);
  el.verdictClose.addEventListener("click", function (event) {
    event.stopPropagation();
    hideVerdict();
  });
  document.addEventListener("keydown", function (event) {
    if (!el.verdict.hidden && (event.key === "Escape" || event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      hideVerdict();
    }
  });
  el.cameraStart.addEventListener("click", startCamera);
  window.addEventListener("online", function () {
    state.serverDown = false;
    renderStatus();
    flush().then(function () { return sync(false); });
  });
  window.addEventListener("offline", renderStatus);
  offline.onUploaded(forgetSent);
  setInterval(renderListAge, AGE_MS);

  // Logging out clears this device (Clear-Site-Data): scans still waiting would be lost.
  document.querySelectorAll('form[data-logout]').forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!state.queue.length || form.dataset.confirmed) return;
      event.preventDefault();
      flush().then(function () {
        if (!state.queue.length || window.confirm(T.logout_queue.replace("{n}", state.queue.length))) {
          form.dataset.confirmed = "1";
          form.submit();
        }
      });
    });
  });

  setInterval(function () {
    flush().then(function () { return sync(false); });
  }, SYNC_MS);
  setInterval(function () { if (state.queue.length) flush(); }, FLUSH_MS);

  window.scanner = {
    handleDecoded: handleDecoded,
    checkInRegistration: checkInRegistration,
    flush: flush,
    forgetSent: forgetSent,
    sync: sync,
    state: state,
    metrics: metrics,
    extractSecret: extractSecret,
    hashSecret: hashSecret,
    ready: null
  };

  // The warning that the checkpoint is closed now, kept current on a page left open.
  function renderOpen() {
    if (el.closedNow) el.closedNow.hidden = checkpointOpen(Date.now());
  }
  setInterval(renderOpen, OPEN_CHECK_MS);

  // Scans queued before this page kept a copy for the worker (an older version): copy them now.
  state.queue.forEach(function (item) { offline.put(item.nonce, uploadBody(item), csrf); });
  renderStatus();
  renderOpen();
  window.scanner.ready = forgetSent().then(flush).then(function () { return sync(false); }).then(function (ok) {
    root.setAttribute("data-list", ok || state.list ? "ready" : "missing");
    return ok;
  });
  startCamera();
})();
