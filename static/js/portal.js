/* Behaviour of the officials' pages. Loaded as a file (strict CSP: no inline script, no eval). */
(function () {
  "use strict";

  function closingsFor(opening, input) {
    try {
      var table = JSON.parse(input.getAttribute("data-closings") || "{}");
      return table[opening] || [];
    } catch (e) {
      return [];
    }
  }

  // The salutation table behind the opening: choosing an opening offers its closing, unless the closing
  // already typed is one that goes with it (นมัสการ has three).
  document.addEventListener("change", function (ev) {
    var input = ev.target;
    if (!input.matches || !input.matches("input[data-closings]")) return;
    var closing = document.getElementById("id_closing");
    if (!closing) return;
    var allowed = closingsFor(input.value.trim(), input);
    var suggested = allowed[0] || "";
    if (suggested && allowed.indexOf(closing.value.trim()) === -1) {
      closing.value = suggested;
      closing.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });

  // Print buttons and confirmations, declared with data attributes.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-print]") : null;
    if (el) {
      ev.preventDefault();
      window.print();
    }
  });
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var text = form.getAttribute && form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) ev.preventDefault();
  }, true);

  // Phrase buttons put a Thai phrase into the field named by data-target.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-phrase]") : null;
    if (!el) return;
    ev.preventDefault();
    var field = document.getElementById(el.getAttribute("data-target"));
    if (field) {
      field.value = el.getAttribute("data-phrase");
      field.focus();
    }
  });
})();
