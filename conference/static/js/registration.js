// Registration pages work without this script; it only moves focus to the list of errors,
// so keyboard and screen-reader users land on what to fix.
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
})();
