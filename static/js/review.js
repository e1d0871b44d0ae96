// The review page: a guard against losing unsent comments, and the signing note shown only
// when "Approve" is chosen. Without JavaScript the page works the same (the note stays visible).
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) {
    return;
  }
  var dirty = false;
  var submitting = false;
  form.addEventListener("input", function () {
    dirty = true;
  });
  form.addEventListener("change", function () {
    dirty = true;
  });
  form.addEventListener("submit", function () {
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = form.dataset.unsavedWarning || "";
    }
  });

  var note = document.getElementById("signing-note");
  var decisions = form.querySelectorAll('input[name="decision"]');
  function showNote() {
    var chosen = form.querySelector('input[name="decision"]:checked');
    if (note) {
      note.hidden = !chosen || chosen.value !== "approve";
    }
  }
  for (var i = 0; i < decisions.length; i += 1) {
    decisions[i].addEventListener("change", showNote);
  }
  showNote();
})();
