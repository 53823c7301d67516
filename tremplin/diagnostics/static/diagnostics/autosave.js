// Saves the diagnostic screen as soon as an answer changes, so nothing is lost if the page is closed.
// Also keeps the exclusive answer of a question ("not kept digitally") apart from the other boxes.
(function () {
  "use strict";
  var form = document.getElementById("diagnostic-form");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  var status = document.getElementById("autosave-status");

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  function keepExclusive(input) {
    var group = input.dataset.exclusive || input.dataset.group;
    if (!group || !input.checked) {
      return;
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[name='" + group + "']"), function (other) {
      var otherIsExclusive = Boolean(other.dataset.exclusive);
      if (other !== input && otherIsExclusive !== Boolean(input.dataset.exclusive)) {
        other.checked = false;
      }
    });
  }

  function save() {
    var data = new FormData(form);
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
        var count = Object.keys(result.errors || {}).length;
        if (count) {
          say("Réponses enregistrées à " + result.saved_at + ". Une question n'est pas encore complète.");
        } else {
          say("Réponses enregistrées à " + result.saved_at + ".");
        }
      })
      .catch(function () {
        say("Enregistrement automatique impossible pour l'instant. Vos réponses restent à l'écran : cliquez sur « Étape suivante ».");
      });
  }

  form.addEventListener("change", function (event) {
    keepExclusive(event.target);
    save();
  });
})();
