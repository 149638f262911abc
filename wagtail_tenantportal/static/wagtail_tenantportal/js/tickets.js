/* Damage report form: as soon as an urgent kind of damage is chosen, the emergency box after
   the kind of damage says so (a live region), stands out and unfolds the list of urgent kinds.
   Progressive enhancement only: without JavaScript the box shows the emergency number in one
   line and the urgent kinds behind "Which damage is an emergency?". */
(function () {
  "use strict";
  function update(select) {
    var box = document.getElementById("tp-emergency");
    var alert = document.getElementById("tp-urgent-alert");
    if (!box || !alert) {
      return;
    }
    var option = select.options[select.selectedIndex];
    var urgent = Boolean(option && option.getAttribute("data-urgent") === "true");
    alert.hidden = !urgent;
    box.classList.toggle("tp-emergency--now", urgent);
    var kinds = document.getElementById("tp-emergency-kinds");
    if (kinds && urgent) {
      kinds.open = true;
    }
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
