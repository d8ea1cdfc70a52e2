import { createHmac } from "node:crypto";
import path from "node:path";
import { copyProject, editFile, type ReceivedWebhook, repoRoot, type WebhookReceiver } from "@almanac/testing";

/** Daily models that succeed, fail, fail a check, and one overdue until it runs (see its almanac.yml). */
export const notifyFixture = path.join(repoRoot, "apps/cli/test/fixtures/notify");

/** The `ALMANAC_WEBHOOK_SECRET` the notification tests sign with. */
export const webhookSecret = "webhook-secret-for-tests";

/** A copy of the fixture with its notifications pointed at `receiver`. */
export async function notifyProject(receiver: WebhookReceiver): Promise<string> {
  const dir = await copyProject(notifyFixture);
  const file = path.join(dir, "almanac.yml");
  // Two notifications, two URLs on the same receiver.
  await editFile(file, "RECEIVER_URL", receiver.url);
  await editFile(file, "RECEIVER_URL", receiver.url);
  return dir;
}

/** The `X-Almanac-Signature` a receiver expects: HMAC-SHA256 of the raw bytes with the secret. */
export function signatureOf(request: ReceivedWebhook): string {
  return `sha256=${createHmac("sha256", webhookSecret).update(request.rawBody).digest("hex")}`;
}

/** Matches received webhooks of one event type whose body satisfies `where`. */
export function ofType(type: string, where: (body: Record<string, unknown>) => boolean = () => true) {
  return (request: ReceivedWebhook): boolean => request.body?.type === type && where(request.body);
}
