CREATE TABLE "almanac"."automation_claims" (
	"asset_key" text NOT NULL,
	"partition_key" text NOT NULL,
	"cause_at" timestamp with time zone NOT NULL,
	"run_id" uuid NOT NULL,
	"claimed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "automation_claims_pkey" PRIMARY KEY("asset_key","partition_key")
);
--> statement-breakpoint
CREATE TABLE "almanac"."automation_updates" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"asset_key" text NOT NULL,
	"partition_from" text,
	"partition_to" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "almanac"."runs" DROP CONSTRAINT "runs_trigger_check";--> statement-breakpoint
ALTER TABLE "almanac"."runs" ADD COLUMN "cause" jsonb;--> statement-breakpoint
CREATE INDEX "automation_claims_run_id_idx" ON "almanac"."automation_claims" USING btree ("run_id");--> statement-breakpoint
ALTER TABLE "almanac"."runs" ADD CONSTRAINT "runs_trigger_check" CHECK ("trigger" in ('cli', 'api', 'backfill', 'schedule', 'automation'));--> statement-breakpoint
-- Servers LISTEN on almanac_automation: an update wakes them when its transaction commits.
CREATE FUNCTION "almanac"."notify_automation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('almanac_automation', '');
	RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "automation_updates_notify" AFTER INSERT ON "almanac"."automation_updates"
	FOR EACH STATEMENT EXECUTE FUNCTION "almanac"."notify_automation"();
