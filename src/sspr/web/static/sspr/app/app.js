// The authenticator app: a P-256 key made on this phone that cannot leave it (WebCrypto,
// non-extractable, kept in IndexedDB), registered through the pairing link; then, while the app
// is open, it asks the portal every few seconds which requests wait for this phone (each
// question signed), shows one, and signs the answer: (request, number, decision). Every check
// is the portal's; nothing here is trusted by it beyond the signature. It also shows the
// time-based codes of an authenticator-app method added to it (below, "codes"), offline too.
(function () {
  "use strict";
  var root = document.querySelector("[data-app]");
  if (!root) return;
  var text = JSON.parse(document.getElementById("app-text").textContent);
  var statusBox = root.querySelector("[data-app-status]");
  var screens = {};
  root.querySelectorAll("[data-screen]").forEach(function (el) { screens[el.dataset.screen] = el; });
  var showing = null;   // the request on screen: {phone, request}
  var polling = null;

  function show(name) {
    Object.keys(screens).forEach(function (key) { screens[key].hidden = key !== name; });
  }

  function say(message) {
    statusBox.textContent = message || "";
    statusBox.hidden = !message;
  }

  if (!window.crypto || !window.crypto.subtle || !window.indexedDB || !window.fetch) {
    show("unsupported");
    return;
  }

  var toBytes = window.ssprBase64url.toBytes;
  var toBase64url = window.ssprBase64url.fromBytes;

  // -- the phones this app holds keys for (IndexedDB) -------------------------------------------
  function database() {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open("sspr-authenticator", 2);
      opening.onupgradeneeded = function (event) {
        if (event.oldVersion < 1) opening.result.createObjectStore("phones", { keyPath: "device" });
        if (event.oldVersion < 2) opening.result.createObjectStore("codes", { keyPath: "id" });
      };
      opening.onsuccess = function () { resolve(opening.result); };
      opening.onerror = function () { reject(opening.error); };
    });
  }

  function store(mode, work, name) {
    name = name || "phones";
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(name, mode);
        var result = work(transaction.objectStore(name));
        transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }

  function phones() { return store("readonly", function (s) { return s.getAll(); }).then(function (all) { return all || []; }); }
  function keep(phone) { return store("readwrite", function (s) { s.put(phone); }); }
  function forget(device) { return store("readwrite", function (s) { s.delete(device); }); }
  function codeEntries() {
    return store("readonly", function (s) { return s.getAll(); }, "codes").then(function (all) { return all || []; });
  }
  function keepCode(entry) { return store("readwrite", function (s) { s.put(entry); }, "codes"); }
  function forgetCode(id) { return store("readwrite", function (s) { s.delete(id); }, "codes"); }

  function sign(phone, message) {
    return crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, phone.keys.privateKey,
                              new TextEncoder().encode(message)).then(toBase64url);
  }

  function post(url, body) {
    return fetch(url, { method: "POST", credentials: "omit", headers: { "Content-Type": "application/json" },
                        body: JSON.stringify(body) })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          data.status = response.status;
          return data;
        });
      });
  }

  // -- the service worker: offline, and notifications -----------------------------------------
  var worker = null;
  if ("serviceWorker" in navigator) {
    worker = navigator.serviceWorker.register(root.dataset.workerUrl, { scope: "/app/" }).then(function (registration) {
      var assets = [window.location.pathname];
      document.querySelectorAll("link[rel=stylesheet], script[src], link[rel=manifest]").forEach(function (el) {
        assets.push(el.href || el.src);
      });
      var active = registration.active || registration.installing || registration.waiting;
      if (active) active.postMessage({ cache: assets });
      return registration;
    }).catch(function () { return null; });
  }

  function subscription() {
    var key = root.dataset.serverKey;
    if (!key || !worker || !("PushManager" in window)) return Promise.resolve(null);
    var giveUp = new Promise(function (resolve) { window.setTimeout(function () { resolve(null); }, 4000); });
    var asking = worker.then(function (registration) {
      if (!registration) return null;
      return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: toBytes(key) })
        .then(function (s) { return s.toJSON(); });
    }).catch(function () { return null; });
    return Promise.race([asking, giveUp]);
  }

  // -- pairing --------------------------------------------------------------------------------
  function pairingToken() {
    return (window.location.hash.match(/^#pair=([A-Za-z0-9_-]{20,100})$/) || [])[1];
  }
  var token = pairingToken();
  // A pairing link opened while the app is already open only changes the fragment.
  window.addEventListener("hashchange", function () {
    token = pairingToken();
    if (token && !showing) show("pair");
    var offer = codeToken();
    if (offer) takeCode(offer).then(home);
  });

  screens.pair.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    var button = event.target.querySelector("button");
    button.disabled = true;
    var name = event.target.elements.name.value.trim().slice(0, 60);
    var keys;
    crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])
      .then(function (made) {
        keys = made;
        return Promise.all([crypto.subtle.exportKey("raw", keys.publicKey), subscription()]);
      })
      .then(function (both) {
        return post(root.dataset.pairUrl, { token: token, public_key: toBase64url(both[0]), subscription: both[1],
                                            name: name, language: document.documentElement.lang });
      })
      .then(function (data) {
        history.replaceState(null, "", window.location.pathname);
        token = null;
        if (!data.device) {
          say(text.pair_failed);
          return home();
        }
        return keep({ device: data.device, keys: keys, name: name, org: data.org }).then(function () {
          say(text.added);
          return home();
        });
      })
      .catch(function () { say(text.error); })
      .then(function () { button.disabled = false; });
  });

  // -- codes (RFC 6238) ---------------------------------------------------------------------------
  // The key arrives once through the registration page's one-time link and is imported at once
  // as a non-extractable HMAC key: from then on not even this page can read it back, only use
  // it. A code is RFC 4226's dynamic truncation of HMAC-SHA-1 over the 30-second step; WebCrypto
  // does the HMAC.
  function codeToken() {
    return (window.location.hash.match(/^#code=([A-Za-z0-9_-]{20,100})$/) || [])[1];
  }

  function takeCode(offer) {
    history.replaceState(null, "", window.location.pathname);
    return post(root.dataset.codeUrl, { token: offer }).then(function (data) {
      if (!data.key) {
        say(text.code_failed);
        return null;
      }
      return crypto.subtle.importKey("raw", toBytes(data.key), { name: "HMAC", hash: "SHA-1" }, false, ["sign"])
        .then(function (key) {
          var id = toBase64url(crypto.getRandomValues(new Uint8Array(12)));
          return keepCode({ id: id, key: key, issuer: data.issuer, account: data.account,
                            digits: data.digits, period: data.period });
        })
        .then(function () { say(text.code_added); });
    }).catch(function () { say(text.error); });
  }

  function codeAt(entry, step) {
    var counter = new DataView(new ArrayBuffer(8));
    counter.setUint32(0, Math.floor(step / 4294967296));
    counter.setUint32(4, step >>> 0);
    return crypto.subtle.sign("HMAC", entry.key, counter.buffer).then(function (mac) {
      var bytes = new Uint8Array(mac), at = bytes[bytes.length - 1] & 15;
      var value = ((bytes[at] & 127) * 16777216) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) + bytes[at + 3];
      var code = String(value % Math.pow(10, entry.digits));
      while (code.length < entry.digits) code = "0" + code;
      return code;
    });
  }

  var codeList = screens.home.querySelector("[data-codes]");
  var codeTemplate = document.getElementById("code-template");
  var ticking = null;

  function showCodes() {
    return codeEntries().then(function (entries) {
      codeList.textContent = "";
      screens.home.querySelector("[data-codes-section]").hidden = entries.length === 0;
      entries.forEach(function (entry) {
        var item = codeTemplate.content.firstElementChild.cloneNode(true);
        var name = item.querySelector("[data-code-name]");
        name.textContent = entry.issuer + " (" + entry.account + ")";
        name.id = "code-" + entry.id;  // which codes a "Remove" button removes, for screen readers
        item.querySelector("[data-code-remove]").setAttribute("aria-describedby", name.id);
        item.querySelector("[data-code-remove]").addEventListener("click", function () {
          if (!window.confirm(text.confirm_remove.replace("{account}", entry.account))) return;
          forgetCode(entry.id).then(function () {
            say(text.code_removed);
            return showCodes();
          });
        });
        item.entry = entry;
        codeList.appendChild(item);
      });
      tick();
      return entries.length;
    });
  }

  function tick() {
    window.clearTimeout(ticking);
    var now = Date.now() / 1000;
    Array.prototype.forEach.call(codeList.children, function (item) {
      var entry = item.entry, step = Math.floor(now / entry.period);
      var left = Math.ceil(entry.period - (now % entry.period));
      item.querySelector("[data-code-seconds]").textContent = text.seconds_left.replace("{seconds}", left);
      if (item.step === step) return;
      item.step = step;
      codeAt(entry, step).then(function (code) {
        var half = Math.ceil(code.length / 2);
        item.querySelector("[data-code-digits]").textContent = code.slice(0, half) + " " + code.slice(half);
      });
    });
    if (codeList.children.length) ticking = window.setTimeout(tick, 1000);
  }

  // -- requests -------------------------------------------------------------------------------
  function home() {
    return Promise.all([phones(), showCodes()]).then(function (both) {
      var all = both[0];
      screens.home.querySelector("[data-home-none]").hidden = all.length > 0;
      screens.home.querySelector("[data-home-waiting]").hidden = all.length === 0;
      screens.home.querySelector("[data-home-phones]").textContent = all.length ? text.paired : "";
      if (!showing) show("home");
      if (all.length) poll();
    });
  }

  function poll() {
    window.clearTimeout(polling);
    if (showing || document.hidden || !navigator.onLine) {
      polling = window.setTimeout(poll, 3000);
      return;
    }
    phones().then(function (all) {
      return all.reduce(function (chain, phone) {
        return chain.then(function (found) {
          if (found) return found;
          var when = String(Math.floor(Date.now() / 1000));
          return sign(phone, "sspr-push-poll\n" + phone.device + "\n" + when).then(function (signature) {
            return post(root.dataset.requestsUrl, { device: phone.device, time: when, signature: signature });
          }).then(function (data) {
            if (data.error === "unknown_device") {
              say(text.removed);
              return forget(phone.device).then(function () { return null; });
            }
            var request = (data.requests || [])[0];
            return request ? { phone: phone, request: request } : null;
          });
        });
      }, Promise.resolve(null));
    }).then(function (found) {
      if (found && !showing) ask(found);
    }).catch(function () {}).then(function () {
      polling = window.setTimeout(poll, 3000);
    });
  }

  function ask(found) {
    showing = found;
    var request = found.request, heading = screens.request.querySelector("[data-request-heading]");
    heading.textContent = request.application === "pair" ? heading.dataset.pair : heading.dataset.signin;
    screens.request.querySelector("[data-request-application]").textContent =
      text.applications[request.application] || text.applications.signin;
    screens.request.querySelector("[data-request-time]").textContent =
      new Date(request.created).toLocaleTimeString(document.documentElement.lang, { hour: "numeric", minute: "2-digit" });
    var place = screens.request.querySelectorAll("[data-request-place]");
    place[1].textContent = request.place || "";
    place.forEach(function (el) { el.hidden = !request.place; });
    var number = screens.request.querySelector("input[name=number]");
    number.value = "";
    number.removeAttribute("aria-invalid");
    screens.request.querySelector("[data-number-error]").textContent = "";
    say("");
    show("request");
    heading.focus();
  }

  function answer(decision) {
    var found = showing, number = screens.request.querySelector("input[name=number]");
    var typed = decision === "approve" ? number.value.trim() : "";
    if (decision === "approve" && !/^[0-9]{2}$/.test(typed)) {
      screens.request.querySelector("[data-number-error]").textContent = text.number_needed;
      number.setAttribute("aria-invalid", "true");
      number.focus();
      return;
    }
    var message = "sspr-push-answer\n" + found.request.id + "\n" + typed + "\n" + decision;
    sign(found.phone, message).then(function (signature) {
      return post(root.dataset.answerUrl, { device: found.phone.device, request: found.request.id, number: typed,
                                            decision: decision, signature: signature });
    }).then(function (data) {
      var said = data.result || data.error;
      if (said === "approved" && found.request.application === "pair") said = "approved_pair";
      say(text[said] || text.error);
    }).catch(function () { say(text.error); }).then(function () {
      showing = null;
      home();
    });
  }

  screens.request.querySelector("form").addEventListener("submit", function (event) {
    event.preventDefault();
    answer("approve");
  });
  screens.request.querySelector("[data-deny]").addEventListener("click", function () { answer("deny"); });

  var offline = root.querySelector("[data-offline]");
  function connection() { offline.hidden = navigator.onLine; }
  window.addEventListener("online", connection);
  window.addEventListener("offline", connection);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) poll(); });
  connection();

  if (token) {
    show("pair");
  } else if (codeToken()) {
    takeCode(codeToken()).then(home);
  } else {
    home();
  }
})();
