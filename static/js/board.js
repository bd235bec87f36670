// The dispatch board's drag and drop: dropping a card on a lane posts the card's own reassign
// form (technician, date, start time), the same one its Reassign link opens without a script.
// The server decides; a refusal comes back on that form, in words.
(function () {
  "use strict";
  const board = document.querySelector(".board");
  const form = document.getElementById("board-drop");
  if (!board || !form) return;
  const perMinute = Number(board.dataset.pxPerMinute);
  const starts = board.dataset.startMinutes.split(" ").filter(Boolean).map(Number);
  const [firstHour, firstMinute] = board.dataset.first.split(":").map(Number);
  let dragged = null;
  let grabbedAt = 0;
  const line = document.createElement("div");
  line.className = "board-drop-line";
  line.appendChild(document.createElement("span"));

  const pad = (n) => String(n).padStart(2, "0");

  // The start `minutes` down the board, as the form posts it to the server: "14:00".
  function clock(minutes) {
    const total = firstHour * 60 + firstMinute + minutes;
    return pad(Math.floor(total / 60)) + ":" + pad(total % 60);
  }

  // The same start as the cards and the rest of the admin say it (Django's "g:i A"): "2:00 PM".
  function spoken(minutes) {
    const total = firstHour * 60 + firstMinute + minutes;
    const hour = Math.floor(total / 60);
    return (hour % 12 || 12) + ":" + pad(total % 60) + (hour < 12 ? " AM" : " PM");
  }

  function nearestStart(body, clientY) {
    const top = (clientY - grabbedAt - body.getBoundingClientRect().top) / perMinute;
    return starts.reduce((best, s) => (Math.abs(s - top) < Math.abs(best - top) ? s : best), starts[0]);
  }

  function laneOf(event) {
    const lane = event.target.closest && event.target.closest(".board-lane");
    return lane ? [lane, lane.querySelector(".board-lane-body")] : [null, null];
  }

  function clear() {
    line.remove();
    board.querySelectorAll(".is-drop-target").forEach((lane) => lane.classList.remove("is-drop-target"));
  }

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest(".board-card[draggable=true]");
    if (!card) return;
    dragged = card;
    grabbedAt = event.clientY - card.getBoundingClientRect().top;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.reassign);
  });

  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    clear();
  });

  board.addEventListener("dragover", (event) => {
    const [lane, body] = laneOf(event);
    if (!dragged || !lane || !starts.length) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const start = nearestStart(body, event.clientY);
    if (!lane.classList.contains("is-drop-target")) {
      clear();
      lane.classList.add("is-drop-target");
    }
    line.style.top = start * perMinute + "px";
    line.firstChild.textContent = spoken(start);
    if (line.parentNode !== body) body.appendChild(line);
  });

  board.addEventListener("drop", (event) => {
    const [lane, body] = laneOf(event);
    if (!dragged || !lane || !starts.length) return;
    event.preventDefault();
    form.action = dragged.dataset.reassign;
    form.elements.technician.value = lane.dataset.technician;
    form.elements.date.value = board.dataset.date;
    form.elements.time.value = clock(nearestStart(body, event.clientY)) + ":00";
    clear();
    form.submit();
  });
})();
