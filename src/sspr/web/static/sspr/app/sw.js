// The authenticator app's service worker: the app opens without a connection (its page and
// files from the cache, refreshed whenever the network answers), and a push from the portal
// shows a notification that opens the app. It never answers a request itself: only the page,
// with the person's number, can.
"use strict";
var CACHE = "sspr-authenticator-v1";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.add("/app/"); }).catch(function () {}));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.cache) || [];
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) { return cache.add(url).catch(function () {}); }));
  }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/app/api/") === 0) {
    return;
  }
  if (url.pathname.indexOf("/app/") !== 0 && url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreSearch: url.pathname === "/app/" }).then(function (cached) {
      return cached || caches.match("/app/");
    });
  }));
});

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {}; }
  event.waitUntil(self.registration.showNotification(data.title || "Sign-in request", {
    body: data.body || "", tag: data.request || "sspr-request", requireInteraction: true,
    icon: "/static/sspr/app/icon.svg",
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.matchAll({ type: "window" }).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if (new URL(windows[i].url).pathname === "/app/") return windows[i].focus();
    }
    return self.clients.openWindow("/app/");
  }));
});
