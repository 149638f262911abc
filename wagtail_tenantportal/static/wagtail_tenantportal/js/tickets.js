/* Damage report form: show the emergency number as soon as an urgent kind of damage is chosen.
   Progressive enhancement only: without JavaScript the emergency box above the form lists the
   urgent kinds and the number. */
(function () {
  "use strict";
  function update(select) {
    var alert = document.getElementById("tp-urgent-alert");
    if (!alert) {
      return;
    }
    var option = select.options[select.selectedIndex];
    alert.hidden = !(option && option.getAttribute("data-urgent") === "true");
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "damage_kind") {
      update(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector(".tp-ticket-form select[name='damage_kind']");
    if (select) {
      update(select);
    }
  });
})();
