// site.js: small enhancements; every page works without it. Favorites toggle without a reload.
(function () {
  "use strict";
  function toggle(form) {
    var button = form.querySelector("button");
    button.disabled = true;
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) { throw new Error("status " + r.status); }
      return r.json();
    }).then(function (data) {
      var id = data.movie_id;
      form.action = data.favorite ? "/favorites/" + id + "/delete" : "/favorites/" + id;
      button.textContent = data.favorite ? "\u2605 In your favorites \u2014 remove" : "\u2606 Add to favorites";
      button.setAttribute("aria-pressed", data.favorite ? "true" : "false");
      var badge = document.getElementById("nav-favorites-count");
      if (badge && typeof data.count === "number") { badge.textContent = String(data.count); }
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      if (token && data.csrf_token) { token.value = data.csrf_token; }
      button.disabled = false;
    }).catch(function () {
      form.submit();  // fall back to the plain form post
    });
  }
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.classList && form.classList.contains("js-favorite") && window.fetch) {
      e.preventDefault();
      toggle(form);
    }
  });
})();
