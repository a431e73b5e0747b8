// The live checklist: after each pause in typing, ask the server's own policy check and mark
// each rule met or not. Without JavaScript the same rules are checked when the form is sent.
(function () {
  "use strict";
  var form = document.querySelector("form[data-password-rules]");
  if (!form) return;
  var input = form.querySelector("input[autocomplete='new-password']");
  var list = document.getElementById("password-rules");
  var token = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  var timer = null;
  var latest = 0;

  function show(rules) {
    list.innerHTML = "";
    rules.forEach(function (rule) {
      var item = document.createElement("li");
      item.dataset.rule = rule.rule;
      item.className = "rule " + (rule.passed ? "rule--met" : "rule--unmet");
      var state = document.createElement("span");
      state.className = "visually-hidden";
      state.textContent = rule.passed ? list.dataset.met : list.dataset.unmet;
      item.appendChild(state);
      item.appendChild(document.createTextNode(rule.message));
      list.appendChild(item);
    });
  }

  function check() {
    var request = ++latest;
    var body = new URLSearchParams({ password: input.value });
    fetch(form.dataset.passwordRules, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      body: body,
      credentials: "same-origin",
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data && request === latest) show(data.rules); })
      .catch(function () { /* the server checks again on submit */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  });

  var idea = document.querySelector("[data-password-idea]");
  var ideaOutput = document.querySelector("[data-password-idea-output]");
  if (idea && ideaOutput) {
    idea.addEventListener("click", function (event) {
      event.preventDefault();
      fetch(idea.href + "?format=json", { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { ideaOutput.textContent = data.idea; });
    });
  }
})();
