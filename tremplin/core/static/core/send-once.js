// A form is sent once: a second click (or Enter) while the first send is on its way does nothing.
// The server does each workflow form once anyway (tremplin.core.idempotency); this spares the second
// request and the page it would show. Back from the history, or after a download that left the page
// where it was, the form can be sent again.
(function () {
  "use strict";
  var RESET_AFTER_MS = 10000;

  function release(form) {
    delete form.dataset.sending;
    form.removeAttribute("aria-busy");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post" || event.defaultPrevented) {
      return;
    }
    if (form.dataset.sending) {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "true";
    form.setAttribute("aria-busy", "true");
    window.setTimeout(function () { release(form); }, RESET_AFTER_MS);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sending]").forEach(release);
  });
})();
