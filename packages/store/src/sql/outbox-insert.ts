import { type SQL, sql } from "drizzle-orm";
import type { NotificationEventType } from "../statuses.js";

/**
 * A CTE (`, <name> as (insert into almanac.notification_outbox …)`) that writes one outbox row
 * per subscribed notification for each row of `events` (a CTE or subquery of the same
 * statement exposing a jsonb column `payload`), or nothing when no notification subscribes: the
 * outbox then costs the statement nothing. Writing it inside the statement that records the
 * event is what makes the event and its notifications commit (or roll back) together.
 *
 * @param notifications - names of the notifications subscribed to `eventType` (almanac.yml order).
 */
export function outboxInsert(
  name: string,
  notifications: readonly string[] | undefined,
  eventType: NotificationEventType,
  events: SQL,
): SQL {
  if (notifications === undefined || notifications.length === 0) return sql``;
  return sql`, ${sql.identifier(name)} as (
      insert into almanac.notification_outbox (notification, event_type, payload)
      select n.name, ${eventType}, e.payload
      from ${events} as e, unnest(${sql.param([...notifications])}::text[]) with ordinality as n(name, position)
      order by n.position
    )`;
}
