/* The draft editor: live Markdown preview, adding / moving / removing sections and references,
   and a guard against leaving with unsaved changes.

   Everything here is an enhancement of a form that works without JavaScript: the "Preview"
   button renders previews on the server, and the position / number fields and "Remove"
   boxes that the buttons below set are the same ones a person can fill in by hand. */
(function () {
  "use strict";

  var form = document.getElementById("draft-form");
  if (!form) {
    return;
  }
  var csrfInput = form.querySelector("input[name=csrfmiddlewaretoken]");
  var csrfToken = csrfInput ? csrfInput.value : "";
  var previewUrl = form.dataset.previewUrl;
  var PREVIEW_DELAY_MS = 400;

  /* --- unsaved changes --------------------------------------------------------------------- */

  var dirty = false;
  var status = form.querySelector("[data-unsaved-status]");

  function markDirty() {
    if (!dirty) {
      dirty = true;
      if (status) {
        status.textContent = "You have unsaved changes.";
      }
    }
  }

  form.addEventListener("input", markDirty);
  form.addEventListener("change", markDirty);
  form.addEventListener("submit", function () {
    dirty = false; // saving or previewing is leaving on purpose
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need a value to show their prompt
    }
  });

  /* --- live preview ------------------------------------------------------------------------ */

  function previewBoxFor(textarea) {
    var holders = form.querySelectorAll("[data-preview-for]");
    for (var i = 0; i < holders.length; i++) {
      if (holders[i].dataset.previewFor === textarea.id) {
        return holders[i].querySelector(".preview__body");
      }
    }
    return null;
  }

  function attachPreview(textarea) {
    var box = previewBoxFor(textarea);
    if (!box || !previewUrl || textarea.dataset.previewAttached) {
      return;
    }
    textarea.dataset.previewAttached = "1";
    var timer = null;
    var controller = null;

    function render() {
      if (controller) {
        controller.abort();
      }
      controller = new AbortController();
      var body = new FormData();
      body.append("body", textarea.value);
      fetch(previewUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken },
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("preview " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          // The server's HTML is sanitised (markdown-it js-default + nh3), never the raw text.
          box.innerHTML = html;
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            box.textContent = "The preview could not be loaded; use the Preview button instead.";
          }
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(render, PREVIEW_DELAY_MS);
    });
  }

  /* --- sections and references ------------------------------------------------------------- */

  function makeButton(text, label, className) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button--secondary button--small " + (className || "");
    button.textContent = text;
    button.setAttribute("aria-label", label);
    return button;
  }

  function setupFormset(fieldset) {
    var prefix = fieldset.dataset.formset;
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var maxForms = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var rows = fieldset.querySelector(".formset__rows");
    var template = fieldset.querySelector("template[data-formset-template]");
    var isReferences = fieldset.hasAttribute("data-renumber");
    if (!total || !rows || !template) {
      return;
    }
    fieldset.classList.add("js-formset");

    function visibleRows() {
      return Array.prototype.filter.call(rows.children, function (row) {
        return !row.hidden;
      });
    }

    function orderOf(row) {
      var order = row.querySelector(".formset-order");
      return order ? parseInt(order.value, 10) || 0 : 0;
    }

    function describe(row, position) {
      var legend = row.querySelector("legend");
      var name = isReferences ? "reference [" + position + "]" : "section " + position;
      if (legend) {
        legend.textContent = isReferences ? "Reference [" + position + "]" : "Section " + position;
      }
      row.querySelectorAll("[data-row-tool]").forEach(function (button) {
        var verb = button.dataset.rowTool;
        var text = verb === "up" ? "Move up" : verb === "down" ? "Move down" : "Remove";
        button.setAttribute("aria-label", text + ": " + name);
      });
    }

    function setOrder(row, position) {
      var order = row.querySelector(".formset-order");
      if (order) {
        order.value = String(position);
      }
      describe(row, position);
    }

    // Sections: positions simply follow the order on the page.
    function renumberSections() {
      visibleRows().forEach(function (row, index) {
        setOrder(row, index + 1);
      });
    }

    // References: a number is what the text cites, so it never changes behind the editor's back.
    // Moving swaps two numbers; removing leaves a gap that the draft check reports.
    function swap(row, other) {
      var mine = orderOf(row);
      var theirs = orderOf(other);
      if (mine && theirs) {
        setOrder(row, theirs);
        setOrder(other, mine);
      }
    }

    function moved(row, other) {
      if (isReferences) {
        swap(row, other);
      } else {
        renumberSections();
      }
      markDirty();
    }

    function addTools(row) {
      var tools = document.createElement("div");
      tools.className = "formset-tools";
      var up = makeButton("Move up", "Move up");
      var down = makeButton("Move down", "Move down");
      var remove = makeButton("Remove", "Remove", "button--danger");
      up.dataset.rowTool = "up";
      down.dataset.rowTool = "down";
      remove.dataset.rowTool = "remove";
      tools.appendChild(up);
      tools.appendChild(down);
      tools.appendChild(remove);
      var subform = row.querySelector(".subform") || row;
      subform.appendChild(tools);

      up.addEventListener("click", function () {
        var visible = visibleRows();
        var index = visible.indexOf(row);
        if (index > 0) {
          rows.insertBefore(row, visible[index - 1]);
          moved(row, visible[index - 1]);
          up.focus();
        }
      });
      down.addEventListener("click", function () {
        var visible = visibleRows();
        var index = visible.indexOf(row);
        if (index >= 0 && index < visible.length - 1) {
          rows.insertBefore(visible[index + 1], row);
          moved(row, visible[index + 1]);
          down.focus();
        }
      });
      remove.addEventListener("click", function () {
        var box = row.querySelector(".formset-delete");
        if (box) {
          box.checked = true;
        }
        var visible = visibleRows();
        var next = visible[visible.indexOf(row) + 1] || visible[visible.indexOf(row) - 1];
        row.hidden = true;
        if (!isReferences) {
          renumberSections();
        }
        markDirty();
        var focusTarget = next ? next.querySelector("input, textarea, select") : addButton;
        if (focusTarget) {
          focusTarget.focus();
        }
      });
    }

    var addButton = makeButton(fieldset.dataset.addLabel || "Add", fieldset.dataset.addLabel || "Add");
    addButton.classList.add("formset-add");
    addButton.addEventListener("click", function () {
      var count = parseInt(total.value, 10);
      var limit = maxForms ? parseInt(maxForms.value, 10) : Infinity;
      if (count >= limit) {
        addButton.disabled = true;
        return;
      }
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(count));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(count + 1);
      addTools(row);
      row.querySelectorAll("textarea.markdown-input").forEach(attachPreview);
      var last = visibleRows().slice(0, -1).reduce(function (highest, other) {
        return Math.max(highest, isReferences ? orderOf(other) : 0);
      }, 0);
      setOrder(row, isReferences ? last + 1 : visibleRows().length);
      markDirty();
      var first = row.querySelector("select, input:not([type=hidden]), textarea");
      if (first) {
        first.focus();
      }
    });
    fieldset.appendChild(addButton);

    Array.prototype.forEach.call(rows.children, function (row, index) {
      var box = row.querySelector(".formset-delete");
      if (box && box.checked) {
        row.hidden = true; // ticked for removal in a form sent back with errors
      }
      addTools(row);
      var label = row.querySelector("legend");
      var position = orderOf(row) || index + 1;
      row.querySelectorAll("[data-row-tool]").forEach(function (button) {
        button.setAttribute("aria-label", button.textContent + ": " + (label ? label.textContent : position));
      });
    });
  }

  form.querySelectorAll("[data-formset]").forEach(setupFormset);
  form.querySelectorAll("textarea.markdown-input").forEach(attachPreview);
})();
