// Every page works without this script. It moves focus to a form's list of errors, so keyboard
// and screen-reader users land on what to fix.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
