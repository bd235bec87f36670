// The booking page works without this file; it only keeps the window choices in step with the
// picked day (fresh from the server) and keeps an impatient double tap from booking twice.
(function () {
  "use strict";
  var form = document.querySelector(".booking-form");
  if (!form) return;
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  var url = form.getAttribute("data-availability-url");
  var notes = form.querySelectorAll(".room-note[data-window]");
  var request = 0;

  function windowInput(value) {
    return form.querySelector('input[name="time_slot"][value="' + value + '"]');
  }

  function show(room) {
    notes.forEach(function (note) {
      var value = note.getAttribute("data-window");
      var hasRoom = room[value];
      var input = windowInput(value);
      note.textContent = hasRoom ? "Room left on that day." : "Full on that day.";
      note.classList.toggle("full", !hasRoom);
      input.disabled = !hasRoom;
      input.closest(".choice").classList.toggle("disabled", !hasRoom);
      if (!hasRoom && input.checked) windowInput("").checked = true;
    });
  }

  function closeDay(input) {
    input.checked = false;
    input.disabled = true;
    var label = input.closest(".day");
    label.classList.add("closed");
    label.querySelector(".day-windows").textContent = "Full";
    notes.forEach(function (note) {
      note.textContent = "That day just filled up. Please pick another.";
      note.classList.add("full");
    });
  }

  function picked(input) {
    show({ am: input.getAttribute("data-am") === "1", pm: input.getAttribute("data-pm") === "1" });
    var mine = ++request;
    // Who can take the job may depend on the appliance: ask for it once one is picked.
    var appliance = form.querySelector('[name="appliance_type"]');
    var query = "?date=" + encodeURIComponent(input.value);
    if (appliance && appliance.value) query += "&appliance=" + encodeURIComponent(appliance.value);
    fetch(url + query, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (day) {
        if (!day || mine !== request) return;
        input.setAttribute("data-am", day.am ? "1" : "0");
        input.setAttribute("data-pm", day.pm ? "1" : "0");
        if (day.open) show(day);
        // Nobody for this appliance that day: another appliance may still find room.
        else if (appliance && appliance.value) show({ am: false, pm: false });
        else closeDay(input);
      })
      .catch(function () { /* the server-rendered availability still stands */ });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "scheduled_date") picked(event.target);
    if (event.target.name === "appliance_type") {
      var day = form.querySelector('input[name="scheduled_date"]:checked');
      if (day) picked(day);
    }
  });
  var checked = form.querySelector('input[name="scheduled_date"]:checked');
  if (checked) picked(checked);

  var button = form.querySelector('button[type="submit"]');
  var label = button.textContent;
  form.addEventListener("submit", function () {
    button.disabled = true;
    button.textContent = "Booking…";
  });
  // Back from the confirmation page, the browser may restore this page as it was left.
  window.addEventListener("pageshow", function () {
    button.disabled = false;
    button.textContent = label;
  });
})();
