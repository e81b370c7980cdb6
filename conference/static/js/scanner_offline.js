/* The scanner as an installable, offline-first app: registers its service worker (scope
 * /scanner), asks it to keep this page, and mirrors the queue of scans into IndexedDB, where
 * the worker can upload it by Background Sync even with the page closed. The page's own copy
 * stays in localStorage (synchronous, what scanner.js decides with); the server applies each
 * nonce once, so the page and the worker uploading the same scan record it once. */
(function () {
  "use strict";

  var link = document.querySelector('link[rel="manifest"][data-sw]');
  var DB_NAME = "checkin-scanner";
  var SYNC_TAG = "checkin-queue";
  var supported = !!(link && "serviceWorker" in navigator);
  var dbPromise = null;

  function openDb() {
    if (!window.indexedDB) return Promise.reject(new Error("no IndexedDB"));
    dbPromise = dbPromise || new Promise(function (resolve, reject) {
      var request = window.indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        var db = request.result;
        db.createObjectStore("queue", { keyPath: "nonce" });
        db.createObjectStore("sent", { keyPath: "nonce" });
        db.createObjectStore("meta");
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
    return dbPromise;
  }

  function run(store, mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(store, mode);
        var request = action(tx.objectStore(store));
        tx.oncomplete = function () { resolve(request ? request.result : undefined); };
        tx.onerror = function () { reject(tx.error); };
      });
    });
  }

  function quiet(promise) {
    return promise.catch(function () { return null; }); // storage blocked: the page still works
  }

  var registration = supported
    ? navigator.serviceWorker.register(link.dataset.sw, { scope: link.dataset.scope })
        .then(function () { return navigator.serviceWorker.ready; })
        .then(function (reg) {
          // This page was loaded before the worker (or past it): keep its current copy.
          if (reg.active) reg.active.postMessage({ type: "keep-page", url: window.location.pathname });
          return reg;
        })
        .catch(function () { return null; })
    : Promise.resolve(null);

  var listeners = [];
  if (supported) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "queue-uploaded") {
        listeners.forEach(function (fn) { fn(event.data); });
      }
    });
  }

  window.scannerOffline = {
    registration: registration,
    /** A scan waits: keep a copy the worker can upload, and ask for a Background Sync. */
    put: function (nonce, body, csrf) {
      return quiet(run("meta", "readwrite", function (s) { return s.put(csrf, "csrf"); })
        .then(function () {
          return run("queue", "readwrite", function (s) { return s.put({ nonce: nonce, body: body }); });
        })
        .then(function () { return registration; })
        .then(function (reg) {
          if (reg && reg.sync) return reg.sync.register(SYNC_TAG);
          return null;
        }));
    },
    /** The scan reached the server (from the page): the worker need not send it. */
    remove: function (nonce) {
      return quiet(run("queue", "readwrite", function (s) { return s.delete(nonce); }));
    },
    /** Nonces the worker uploaded while the page was not looking; forgets them once read. */
    takeSent: function () {
      return quiet(run("sent", "readonly", function (s) { return s.getAllKeys(); }).then(function (keys) {
        keys = keys || [];
        return Promise.all(keys.map(function (k) {
          return run("sent", "readwrite", function (s) { return s.delete(k); });
        })).then(function () { return keys; });
      })).then(function (keys) { return keys || []; });
    },
    /** Ask the worker to upload now (what Background Sync does where the browser has it). */
    upload: function () {
      return registration.then(function (reg) {
        if (reg && reg.active) reg.active.postMessage({ type: "upload-queue" });
      });
    },
    onUploaded: function (fn) { listeners.push(fn); }
  };
})();
