/* Small behaviours shared by the staff pages. Loaded as a file (the Content-Security-Policy
   refuses inline scripts); every page works without it. */
(function () {
  "use strict";

  // Forms that do something hard to undo (discard, reject, archive) ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
