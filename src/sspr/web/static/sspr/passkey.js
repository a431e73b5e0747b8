// Passkeys: hand the server's WebAuthn options (JSON, with binary values in base64url) to
// navigator.credentials, put the browser's answer back into JSON in the hidden "credential"
// field, and send the form. Every check happens on the server; this only carries the bytes.
(function () {
  "use strict";
  var box = document.querySelector("[data-passkey]");
  var optionsElement = document.getElementById("passkey-options");
  if (!box || !optionsElement) return;
  var form = box.closest("form");
  var field = form.querySelector("input[name='credential']");
  var status = form.querySelector("[data-passkey-status]");
  var creating = box.dataset.passkey === "create";
  var busy = false;

  function say(message) {
    status.textContent = message || "";
  }

  function toBytes(base64url) {
    var base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptor(item) {
    return Object.assign({}, item, { id: toBytes(item.id) });
  }

  function creationOptions(json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      user: Object.assign({}, json.user, { id: toBytes(json.user.id) }),
      excludeCredentials: (json.excludeCredentials || []).map(descriptor),
    });
  }

  function requestOptions(json) {
    return Object.assign({}, json, {
      challenge: toBytes(json.challenge),
      allowCredentials: (json.allowCredentials || []).map(descriptor),
    });
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    };
  }

  function registrationJSON(credential) {
    var response = credential.response;
    return Object.assign(common(credential), {
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        attestationObject: toBase64url(response.attestationObject),
        transports: typeof response.getTransports === "function" ? response.getTransports() : [],
      },
    });
  }

  function authenticationJSON(credential) {
    var response = credential.response;
    return Object.assign(common(credential), {
      response: {
        clientDataJSON: toBase64url(response.clientDataJSON),
        authenticatorData: toBase64url(response.authenticatorData),
        signature: toBase64url(response.signature),
        userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
      },
    });
  }

  // What the browser's refusal means, in the page's words (data-* attributes of the box):
  // NotAllowedError is a dismissed or timed-out prompt, or a device that said no (or, signing in,
  // has no passkey for this account); SecurityError is an address the passkey cannot belong to
  // (the portal opened at another address than its own); InvalidStateError, creating, is a device
  // that already holds one of this person's passkeys.
  function explain(name) {
    var data = box.dataset;
    if (name === "NotAllowedError" || name === "AbortError") return data.cancelled;
    if (name === "SecurityError") return data.security;
    if (name === "InvalidStateError" && data.registered) return data.registered;
    if (name === "NotSupportedError") return data.unsupported;
    return data.failed;
  }

  // An answer is good for one sending only: never keep one a browser restored into the form.
  field.value = "";
  window.addEventListener("pageshow", function () { field.value = ""; busy = false; });

  if (!window.PublicKeyCredential || !navigator.credentials) {
    say(box.dataset.unsupported);
    return;
  }

  form.addEventListener("submit", function (event) {
    if (field.value) return; // the browser's answer is in: send it
    if (creating) {
      // Without a name the server only asks for one; no passkey is made that would then be lost.
      var name = form.querySelector("input[name='name']");
      if (name && !name.value.trim()) return;
    }
    event.preventDefault();
    if (busy) return;
    busy = true;
    say("");
    var json = JSON.parse(optionsElement.textContent);
    var ceremony = creating
      ? navigator.credentials.create({ publicKey: creationOptions(json) }).then(registrationJSON)
      : navigator.credentials.get({ publicKey: requestOptions(json) }).then(authenticationJSON);
    ceremony
      .then(function (answer) {
        field.value = JSON.stringify(answer);
        // The prototype's submit: a field named "submit" or "action" cannot shadow it, and it
        // does not fire this handler again.
        HTMLFormElement.prototype.submit.call(form);
      })
      .catch(function (error) {
        busy = false;
        say(explain(error && error.name));
      });
  });
})();
