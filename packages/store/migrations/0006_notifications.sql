CREATE TABLE "almanac"."notification_outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notification" text NOT NULL,
	"event_type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "notification_outbox_status_check" CHECK ("status" in ('pending', 'delivered', 'failed')),
	CONSTRAINT "notification_outbox_event_type_check" CHECK ("event_type" in ('run_failed', 'backfill_completed', 'check_failed', 'asset_overdue'))
);
--> statement-breakpoint
CREATE TABLE "almanac"."overdue_partitions" (
	"asset_key" text NOT NULL,
	"partition_key" text NOT NULL,
	"deadline" timestamp with time zone NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "overdue_partitions_pkey" PRIMARY KEY("asset_key","partition_key")
);
--> statement-breakpoint
CREATE INDEX "notification_outbox_due_idx" ON "almanac"."notification_outbox" USING btree ("next_attempt_at","id") WHERE "status" = 'pending';--> statement-breakpoint
CREATE INDEX "notification_outbox_created_at_idx" ON "almanac"."notification_outbox" USING btree ("created_at","id");--> statement-breakpoint
-- Servers LISTEN on almanac_notifications: a new outbox row wakes them when its transaction commits.
CREATE FUNCTION "almanac"."notify_notifications"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('almanac_notifications', '');
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "notification_outbox_notify" AFTER INSERT ON "almanac"."notification_outbox"
	FOR EACH STATEMENT EXECUTE FUNCTION "almanac"."notify_notifications"();
