/* The scanner's service worker (served by registration/checkin/offline.py; scope /scanner).
 * It keeps the scanner's shell (its pages, CSS, scripts, the QR decoder) so the scanner opens
 * with no network after a reload or a restart, and uploads queued scans by Background Sync.
 * It caches nothing else: no other page, no API answer (the list lives in the page's storage).
 * Everything goes at logout: the logout answer carries Clear-Site-Data. */
"use strict";

var CONFIG = {{ config | tojson }};
var PREFIX = "scanner-";
var CACHE = PREFIX + CONFIG.version;
var NAV_TIMEOUT_MS = 4000; // a venue Wi-Fi that hangs: show the kept page instead of waiting
var DB_NAME = "checkin-scanner";
var SYNC_TAG = "checkin-queue";

// --- the shell ------------------------------------------------------------------------------

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(CONFIG.shell); })
      .then(function () { return self.skipWaiting(); })
  );
});

// A new deploy: keep the pages of the old cache (so the scanner still opens offline), drop the rest.
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      var old = keys.filter(function (k) { return k.indexOf(PREFIX) === 0 && k !== CACHE; });
      return Promise.all(old.map(function (name) {
        return carryPages(name).then(function () { return caches.delete(name); });
      }));
    }).then(function () { return self.clients.claim(); })
  );
});

function carryPages(name) {
  return Promise.all([caches.open(name), caches.open(CACHE)]).then(function (both) {
    return both[0].keys().then(function (requests) {
      return Promise.all(requests.filter(function (req) {
        return isScannerPage(new URL(req.url).pathname);
      }).map(function (req) {
        return both[0].match(req).then(function (res) { return res && both[1].put(req, res); });
      }));
    });
  });
}

// The chooser (/scanner) and a checkpoint's page (/scanner/<key>); not search results or tickets.
function isScannerPage(path) {
  if (path === CONFIG.scope) return true;
  if (path.indexOf(CONFIG.scope + "/") !== 0) return false;
  var rest = path.slice(CONFIG.scope.length + 1);
  return rest.length > 0 && rest.indexOf("/") < 0 && rest.indexOf(".") < 0;
}

function keep(path, response) {
  // Only a real page: not a redirect to the login page, not an error.
  if (!response || !response.ok || response.redirected || response.type !== "basic") return null;
  var copy = response.clone();
  return caches.open(CACHE).then(function (cache) { return cache.put(path, copy); });
}

function kept(url) {
  var path = url.pathname;
  var chosen = path === CONFIG.scope && url.searchParams.get("checkpoint");
  if (chosen) path = CONFIG.scope + "/" + encodeURIComponent(chosen);
  return caches.open(CACHE).then(function (cache) {
    return cache.match(path).then(function (res) { return res || cache.match(CONFIG.scope); });
  });
}

function offlinePage() {
  var html = "<!doctype html><html lang=\"nl\"><meta charset=\"utf-8\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Offline</title>" +
    "<main><h1>Geen netwerk</h1><p>Deze pagina is niet op dit toestel bewaard. " +
    "Open de scanner één keer met netwerk, dan werkt hij daarna ook zonder.</p>" +
    "<p lang=\"en\">No network, and this page is not kept on this device. Open the scanner " +
    "once with a network; after that it also works without.</p></main></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function page(event, url) {
  var network = fetch(event.request).then(function (response) {
    if (!url.search) event.waitUntil(Promise.resolve(keep(url.pathname, response)));
    return response;
  });
  var timeout = new Promise(function (resolve, reject) {
    setTimeout(function () { reject(new Error("slow")); }, NAV_TIMEOUT_MS);
  });
  return Promise.race([network, timeout]).catch(function () {
    return kept(url).then(function (res) {
      return res || network.catch(offlinePage);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === "navigate") {
    if (isScannerPage(url.pathname)) event.respondWith(page(event, url));
    return;
  }
  if (CONFIG.shell.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(url.pathname).then(function (res) { return res || fetch(req); }));
  }
});

// --- the page asks: keep this page; upload the queue now --------------------------------------

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "keep-page" && isScannerPage(new URL(data.url, self.location.origin).pathname)) {
    var path = new URL(data.url, self.location.origin).pathname;
    event.waitUntil(fetch(path, { credentials: "same-origin" })
      .then(function (res) { return keep(path, res); })
      .catch(function () { /* offline: the next visit keeps it */ }));
  } else if (data.type === "upload-queue") {
    event.waitUntil(uploadQueue().then(tellPages, function () { /* offline: Sync retries */ }));
  }
});

// --- queued scans: uploaded by nonce (the server applies a nonce once) --------------------------

self.addEventListener("sync", function (event) {
  if (event.tag === SYNC_TAG) event.waitUntil(uploadQueue().then(tellPages));
});

function tellPages(sent) {
  return self.clients.matchAll({ type: "window" }).then(function (pages) {
    pages.forEach(function (p) { p.postMessage({ type: "queue-uploaded", sent: sent }); });
  });
}

function openDb() {
  return new Promise(function (resolve, reject) {
    var request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = function () {
      var db = request.result;
      db.createObjectStore("queue", { keyPath: "nonce" });
      db.createObjectStore("sent", { keyPath: "nonce" });
      db.createObjectStore("meta");
    };
    request.onsuccess = function () { resolve(request.result); };
    request.onerror = function () { reject(request.error); };
  });
}

function run(db, store, mode, action) {
  return new Promise(function (resolve, reject) {
    var tx = db.transaction(store, mode);
    var request = action(tx.objectStore(store));
    tx.oncomplete = function () { resolve(request ? request.result : undefined); };
    tx.onerror = function () { reject(tx.error); };
  });
}

function uploadQueue() {
  return openDb().then(function (db) {
    return Promise.all([
      run(db, "queue", "readonly", function (s) { return s.getAll(); }),
      run(db, "meta", "readonly", function (s) { return s.get("csrf"); })
    ]).then(function (got) {
      var items = got[0] || [];
      var sent = 0;
      function next(i) {
        if (i >= items.length) return Promise.resolve(sent);
        return post(items[i], got[1]).then(function (final) {
          if (!final) return next(i + 1);
          sent += 1;
          return run(db, "sent", "readwrite", function (s) { return s.put({ nonce: items[i].nonce }); })
            .then(function () {
              return run(db, "queue", "readwrite", function (s) { return s.delete(items[i].nonce); });
            })
            .then(function () { return next(i + 1); });
        });
      }
      return next(0);
    }).then(function (sent) { db.close(); return sent; });
  });
}

// True when the answer is final (any but an auth, token or server failure); a network error rejects,
// so Background Sync tries again later.
function post(item, csrf) {
  return fetch(CONFIG.redeemUrl, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf || "" },
    body: JSON.stringify(item.body)
  }).then(function (response) {
    if (response.status === 401 || response.status === 403 || response.status >= 500) return false;
    // An old token (a page kept from an earlier session) is no answer: the page sends it later.
    return response.json().then(
      function (body) { return !(body && body.error === "csrf"); },
      function () { return true; }
    );
  });
}
