// A partner's booking script on a client generated from /api/schema: types from
// openapi-typescript (schema.d.ts, made by `make typescript-client`), calls by openapi-fetch.
// `tsc --noEmit` proves every call, body and answer below is typed; the suite also runs it:
//   node build/book.js <base URL> <slug> <YYYY-MM-DD> <partner key>
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Booking = components["schemas"]["PartnerBooking"];

const [baseUrl = "http://127.0.0.1:8000", slug = "done-right-appliance", day = "", key = ""] =
  process.argv.slice(2);
const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });

function fail(what: string, error: components["schemas"]["ApiError"]): never {
  throw new Error(`${what}: ${error.code} ${error.error}`);
}

const open = await api.GET("/api/booking/availability", {
  params: { query: { slug, date: day, days: 3 } },
});
if (open.error) fail("availability", open.error);
const firstDay = open.data.next_available_date ?? day;

const created = await api.POST("/api/booking/book", {
  params: { header: { "Idempotency-Key": crypto.randomUUID() } },
  body: {
    slug,
    name: "Jane Smith",
    phone: "+15551234567",
    address: "123 Main St, Lancaster CA 93534",
    appliance_type: "Refrigerator",
    scheduled_date: firstDay,
    time_slot: "AM",
    work_order_number: "TS-1",
  },
});
if (created.error) fail("create", created.error);
const bookingId: string = created.data.booking_id;
const replayed = created.response.headers.get("Idempotent-Replayed") === "true";

const read = await api.GET("/api/booking/{booking_id}", {
  params: { path: { booking_id: bookingId } },
});
if (read.error) fail("read", read.error);

const listed = await api.GET("/api/booking", {
  params: { query: { work_order_number: "TS-1", status: "scheduled" } },
});
if (listed.error) fail("list", listed.error);

const moved = await api.POST("/api/booking/{booking_id}/reschedule", {
  params: { path: { booking_id: bookingId } },
  body: { scheduled_date: firstDay, time_slot: "PM" },
});
if (moved.error) fail("reschedule", moved.error);

const cancelled = await api.POST("/api/booking/{booking_id}/cancel", {
  params: { path: { booking_id: bookingId } },
  body: { reason: "Fixed it himself." },
});
if (cancelled.error) fail("cancel", cancelled.error);

const wrongSlug = await api.POST("/api/booking/book", {
  body: {
    slug: "no-such-shop",
    name: "Jane Smith",
    phone: "+15551234567",
    address: "123 Main St, Lancaster CA 93534",
    appliance_type: "Refrigerator",
    scheduled_date: firstDay,
  },
});
const refused: string | undefined = wrongSlug.error?.code;

const summary: {
  booked: Booking["scheduled_date"];
  listed: number;
  moved: Booking["time_slot"];
  status: Booking["status"];
  replayed: boolean;
  refused: string | undefined;
} = {
  booked: read.data.scheduled_date,
  listed: listed.data.count,
  moved: moved.data.time_slot,
  status: cancelled.data.status,
  replayed,
  refused,
};
console.log(JSON.stringify(summary));
