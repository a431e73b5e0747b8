// Bytes to and from base64url (RFC 4648, section 5, without padding): how WebAuthn's and the
// authenticator app's binary values travel in JSON. Loaded before passkey.js and app/app.js.
(function () {
  "use strict";
  window.ssprBase64url = {
    toBytes: function (base64url) {
      var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
      var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
      var bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return bytes;
    },
    fromBytes: function (buffer) {
      var bytes = new Uint8Array(buffer);
      var binary = "";
      for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
      return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    },
  };
})();
