/* Agenda enhancements; every page works without this file.
   - follow/unfollow a stream without reloading (falls back to the plain form on any error),
   - a print button, and a button that copies the calendar link. */
(function () {
  "use strict";

  function enhanceFollow(form) {
    if (form.dataset.enhanced) return;
    form.dataset.enhanced = "1";
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector(".follow-status");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var action = form.elements.action.value;
      button.disabled = true;
      fetch(form.dataset.api, {
        method: action === "follow" ? "PUT" : "DELETE",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": form.elements.csrf_token.value }
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        var following = action === "follow";
        form.elements.action.value = following ? "unfollow" : "follow";
        button.textContent = following ? form.dataset.labelUnfollow : form.dataset.labelFollow;
        status.textContent = following ? form.dataset.msgFollowing : form.dataset.msgNotFollowing;
        button.disabled = false;
      }).catch(function () {
        form.submit();  // the server-rendered path still works
      });
    });
  }

  function enhancePrint(button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  function enhanceCopy(button) {
    var input = document.getElementById(button.dataset.copy);
    var status = button.parentNode.querySelector(".copy-status");
    if (!input) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      input.select();
      var done = function () { if (status) status.textContent = button.dataset.done; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          if (document.execCommand("copy")) done();
        });
      } else if (document.execCommand("copy")) {
        done();
      }
    });
  }

  function init() {
    document.querySelectorAll("form.follow-form[data-api]").forEach(enhanceFollow);
    document.querySelectorAll("[data-print]").forEach(enhancePrint);
    document.querySelectorAll("[data-copy]").forEach(enhanceCopy);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
