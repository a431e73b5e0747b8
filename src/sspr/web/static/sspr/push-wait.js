// A page waiting for a phone's answer (a sign-in, a phone being added): ask the page's own
// address "?progress" every two seconds and, once the phone has answered, send the page's form,
// as "I approved it, continue" would. The server judges the answer; this only saves a tap.
(function () {
  "use strict";
  var box = document.querySelector("[data-push-wait]");
  if (!box || !window.fetch) return;
  var form = box.closest("form");
  var status = box.querySelector("[data-push-status]");
  var url = window.location.pathname + (box.dataset.progressUrl || "?progress");
  var done = false;

  function later(ms) {
    if (!done) window.setTimeout(ask, ms);
  }

  function ask() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.progress === "answered") {
          done = true;
          if (status) status.textContent = box.dataset.answered;
          if (form.requestSubmit) form.requestSubmit(); else form.submit();
        } else {
          later(2000);
        }
      })
      .catch(function () { later(4000); });
  }

  later(1500);
})();
