"""Bookings in the admin, one module a job.

- bookings: the BookingAdmin (list, actions, booking page); forms: its add/change/move forms;
  filters: the list's filters; paging: the list's capped count and date drill-down at a busy
  shop; csv_export: the CSV file.
- pages: the calendar, its JSON feed, a card's move page and the export, with their helpers;
  calendar_data: the calendar's grid; source_colours: a source's name and colour;
  shops: which shops a user's pages may show.
- board_pages: the dispatch board (the day of a shop with technicians) and a job's reassign form;
  board: the board's lanes, cards and shaded hours.
- email_log: the e-mail log (NotificationAdmin).
- test_bookings: partners' test bookings, apart from everything else (PartnerTestBookingAdmin).
- source_report: bookings by source, per week (a page of the BookingAdmin).

Django's admin autodiscovery imports this package; importing the admins registers them.
"""

from booking.admin.bookings import BookingAdmin
from booking.admin.email_log import NotificationAdmin
from booking.admin.test_bookings import PartnerTestBookingAdmin

__all__ = ["BookingAdmin", "NotificationAdmin", "PartnerTestBookingAdmin"]
