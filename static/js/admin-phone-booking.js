// The admin's "Add booking" page (a job taken by phone): as the dispatcher types, ask the
// server for the day's start times with their seats left, and for the caller's earlier
// bookings. The form works without this script; the server renders both when it is sent back.
"use strict";
// The admin puts form scripts in the page's head, before the form exists.
document.addEventListener("DOMContentLoaded", function () {
  const shop = document.getElementById("id_shop");
  const date = document.getElementById("id_scheduled_date");
  const slot = document.getElementById("id_time_slot");
  const phone = document.getElementById("id_phone");
  const earlier = document.getElementById("earlier-bookings");
  if (!shop || !slot || !phone || !earlier) {
    return;
  }

  function ask(url, params) {
    const query = new URLSearchParams(params);
    return fetch(`${url}?${query}`, {credentials: "same-origin", headers: {Accept: "*/*"}})
      .then((response) => (response.ok ? response : Promise.reject(response.status)));
  }

  function refreshTimes() {
    if (!shop.value) {
      return;
    }
    ask(slot.dataset.url, {shop: shop.value, date: date.value}).then((r) => r.json()).then((day) => {
      const picked = slot.value;
      slot.replaceChildren(...day.choices.map(([value, label]) => new Option(label, value)));
      slot.value = day.choices.some(([value]) => value === picked) ? picked : "";
      const note = document.getElementById("id_time_slot_helptext");
      if (note) {
        note.textContent = day.note;
      }
    }).catch(() => {});
  }

  let typing = null;
  let asked = "";
  function refreshEarlier() {
    const digits = phone.value.replace(/\D/g, "");
    if (!shop.value || `${shop.value}:${digits}` === asked) {
      return;
    }
    asked = `${shop.value}:${digits}`;
    ask(phone.dataset.url, {shop: shop.value, phone: phone.value}).then((r) => r.text()).then((html) => {
      earlier.innerHTML = html;
    }).catch(() => {});
  }

  shop.addEventListener("change", () => { refreshTimes(); asked = ""; refreshEarlier(); });
  date.addEventListener("change", refreshTimes);
  phone.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(refreshEarlier, 300);
  });
});
