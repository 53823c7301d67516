// Saves the draft form in the background: every 20 seconds when something changed, and on each change.
// Files are left out: they are sent with the "Enregistrer le brouillon" button.
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");
  var dirty = false;
  var saving = false;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function save() {
    if (!dirty || saving) {
      return;
    }
    dirty = false;
    saving = true;
    var data = new FormData(form);
    Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) {
      data.delete(input.name);
    });
    data.set("_action", "save");
    fetch(form.dataset.autosave, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Autosave": "1" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (result) {
        var fields = Object.keys(result.errors || {});
        if (fields.length) {
          say("Brouillon enregistré à " + result.saved_at + ", sauf " + fields.length +
            " information(s) à corriger : cliquez sur « Enregistrer le brouillon » pour les voir.");
        } else {
          say("Brouillon enregistré à " + result.saved_at + ".");
        }
      })
      .catch(function () {
        dirty = true;
        say("Enregistrement automatique impossible pour l'instant. Vos informations sont toujours à l'écran.");
      })
      .finally(function () {
        saving = false;
      });
  }

  form.addEventListener("input", function () {
    dirty = true;
  });
  form.addEventListener("change", function (event) {
    if (event.target.type !== "file") {
      dirty = true;
      save();
    }
  });
  window.setInterval(save, 20000);
})();
