// A class sign-in sheet's QR code carries the user ID and the pass after "#": the fragment never
// leaves the browser, so neither reaches a server log. Fill the form from it, then drop it from
// the address bar and the history.
(function () {
  var form = document.querySelector("[data-pass-form]");
  if (!form || !window.location.hash) return;
  var params = new URLSearchParams(window.location.hash.slice(1));
  var user = params.get("user"), pass = params.get("pass");
  if (user) form.elements["user_id"].value = user;
  if (pass) form.elements["pass_code"].value = pass;
  history.replaceState(null, "", window.location.pathname);
  var button = form.querySelector("button[type=submit]");
  if (user && pass && button) button.focus();
})();
