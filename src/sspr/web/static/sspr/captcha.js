// Proof-of-work CAPTCHA ([reset] captcha = "pow"): find a number n such that
// SHA-256("<challenge>:<n>") starts with `difficulty` zero bits, put n in the hidden field, and
// let the form go. The server checks it with one hash (sspr.reset.captcha). The work runs in
// slices of a few milliseconds so the page stays responsive; a submit before it is done waits.
// The message is one 64-byte block at most, so SHA-256 is written out for a single block here
// (no secure context needed, unlike crypto.subtle, and far faster than a promise per try).
(function () {
  "use strict";
  var box = document.querySelector("[data-captcha-pow]");
  if (!box) return;
  var form = box.closest("form");
  var field = box.querySelector("input[type='hidden']");
  var status = box.querySelector("[data-captcha-status]");
  var challenge = box.dataset.challenge || "";
  var difficulty = parseInt(box.dataset.difficulty, 10);
  var submitter = null;
  var pending = false;

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  var H = new Int32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  var W = new Int32Array(64);
  var bytes = new Uint8Array(64);
  var digest = new Int32Array(8);

  // The block: "<challenge>:<digits>", 0x80, zeros, the length in bits (at most 55 bytes of message).
  function pad(length) {
    bytes.fill(0, length);
    bytes[length] = 0x80;
    bytes[62] = (length * 8) >>> 8;
    bytes[63] = (length * 8) & 0xff;
  }

  // SHA-256 of the block in bytes, into digest.
  function sha256() {
    var i;
    for (i = 0; i < 16; i++) {
      W[i] = (bytes[4 * i] << 24) | (bytes[4 * i + 1] << 16) | (bytes[4 * i + 2] << 8) | bytes[4 * i + 3];
    }
    for (i = 16; i < 64; i++) {
      var w15 = W[i - 15], w2 = W[i - 2];
      var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
    }
    var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
    for (i = 0; i < 64; i++) {
      var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      var t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
      var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      var t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    digest[0] = (H[0] + a) | 0; digest[1] = (H[1] + b) | 0; digest[2] = (H[2] + c) | 0; digest[3] = (H[3] + d) | 0;
    digest[4] = (H[4] + e) | 0; digest[5] = (H[5] + f) | 0; digest[6] = (H[6] + g) | 0; digest[7] = (H[7] + h) | 0;
  }

  function zeroBits() {
    var bits = 0;
    for (var i = 0; i < 8; i++) {
      var z = Math.clz32(digest[i]);
      bits += z;
      if (z < 32) break;
    }
    return bits;
  }

  function say(key) {
    status.textContent = box.dataset[key] || "";
  }

  var prefix = challenge + ":";
  if (!/^[0-9a-f]{1,34}$/.test(challenge) || !(difficulty > 0) || typeof Math.clz32 !== "function") {
    say("unsupported");
    return;
  }
  for (var p = 0; p < prefix.length; p++) bytes[p] = prefix.charCodeAt(p);

  // The number counts up in decimal right in the block, so no string is built per try.
  var end = prefix.length + 1;  // one past the last digit
  bytes[prefix.length] = 48;  // "0"
  pad(end);

  function increment() {
    var i = end - 1;
    while (i >= prefix.length && bytes[i] === 57) bytes[i--] = 48;
    if (i >= prefix.length) {
      bytes[i]++;
      return;
    }
    bytes[prefix.length] = 49;  // 99...9 + 1 = 100...0: one more digit
    bytes[end++] = 48;
    pad(end);
  }

  function digits() {
    return String.fromCharCode.apply(null, bytes.subarray(prefix.length, end));
  }

  function work() {
    var until = Date.now() + 40;
    while (Date.now() < until) {
      for (var n = 0; n < 4000; n++) {
        sha256();
        if (zeroBits() >= difficulty) {
          finish(digits());
          return;
        }
        increment();
      }
      if (end > 55) {
        say("unsupported");
        return;
      }
    }
    setTimeout(work, 0);
  }

  function finish(digits) {
    field.value = digits;
    box.dataset.solved = "true";
    say("done");
    if (pending) {
      if (typeof form.requestSubmit === "function") form.requestSubmit(submitter || undefined);
      else form.submit();
    }
  }

  form.addEventListener("submit", function (event) {
    if (field.value) return;
    event.preventDefault();
    pending = true;
    submitter = event.submitter || null;
    say("waiting");
  });

  say("working");
  setTimeout(work, 0);
})();
