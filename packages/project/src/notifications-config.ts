import { didYouMean } from "./did-you-mean.js";
import { formatKeyPath, isMapping, rejectUnknownKeys, requiredString, type YamlFile } from "./yaml-file.js";

/** The events a notification can subscribe to (almanac.yml `notifications[].on`). */
export const notificationEvents = ["run_failed", "backfill_completed", "check_failed", "asset_overdue"] as const;
export type NotificationEvent = (typeof notificationEvents)[number];

/** One `notifications:` entry: POST a JSON body to `url` for each event listed in `on`. */
export interface NotificationConfig {
  /** Unique among notifications; recorded on each delivery (`GET /api/notifications/deliveries`). */
  readonly name: string;
  readonly on: readonly NotificationEvent[];
  /** An http(s) URL (a Slack incoming webhook, say); never shown by the API, it may hold a secret. */
  readonly url: string;
}

/** Notification names: like schedule names, they show in metrics labels and the API. */
const namePattern = /^[A-Za-z][A-Za-z0-9_.-]{0,99}$/;

/**
 * `notifications: [{name, on: [events], url}]`. An unknown event, a missing or non-http url, a
 * missing or repeated name are refused here, naming the key, so a typo never silently drops
 * alerts.
 */
export function parseNotifications(file: YamlFile, value: unknown): NotificationConfig[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw file.error(["notifications"], "notifications must be a list");
  const seen = new Set<string>();
  return value.map((entry, index): NotificationConfig => {
    const at = ["notifications", index];
    if (!isMapping(entry)) throw file.error(at, `notifications[${index}] must be a mapping with name, on and url`);
    rejectUnknownKeys(file, at, entry, ["name", "on", "url"]);
    const name = requiredString(file, [...at, "name"], entry.name);
    if (!namePattern.test(name)) {
      throw file.error(
        [...at, "name"],
        `notifications[${index}].name "${name}" must start with a letter and hold only letters, digits, _ . - (at most 100)`,
      );
    }
    if (seen.has(name)) throw file.error([...at, "name"], `notifications[${index}].name "${name}" is used twice`);
    seen.add(name);
    return { name, on: parseEvents(file, [...at, "on"], entry.on), url: parseUrl(file, [...at, "url"], entry.url) };
  });
}

function parseEvents(file: YamlFile, at: (string | number)[], value: unknown): NotificationEvent[] {
  const where = formatKeyPath(at);
  const allowed = notificationEvents.join(", ");
  if (!Array.isArray(value) || value.length === 0) {
    throw file.error(at, `${where} must be a non-empty list of events (${allowed})`);
  }
  const events = new Set<NotificationEvent>();
  value.forEach((event, i) => {
    if (!(notificationEvents as readonly unknown[]).includes(event)) {
      const hint = typeof event === "string" ? didYouMean(event, notificationEvents) : "";
      throw file.error(
        [...at, i],
        `${where}[${i}] ${JSON.stringify(event)} is not a notification event${hint} (events: ${allowed})`,
      );
    }
    events.add(event as NotificationEvent);
  });
  return [...events];
}

function parseUrl(file: YamlFile, at: (string | number)[], value: unknown): string {
  const text = requiredString(file, at, value);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    // The URL itself may hold a token (Slack webhooks do): the message does not repeat it.
    throw file.error(at, `${formatKeyPath(at)} must be an http:// or https:// URL`);
  }
  return text;
}

/** The names of the notifications that subscribe to `event`, in almanac.yml order. */
export function subscribersOf(notifications: readonly NotificationConfig[], event: NotificationEvent): string[] {
  return notifications.filter((notification) => notification.on.includes(event)).map(({ name }) => name);
}
