CREATE SCHEMA IF NOT EXISTS "almanac";
--> statement-breakpoint
CREATE TABLE "almanac"."asset_partitions" (
	"asset_key" text NOT NULL,
	"partition_key" text NOT NULL,
	"status" text NOT NULL,
	"run_id" uuid,
	"attempt" integer DEFAULT 0 NOT NULL,
	"code_version" text,
	"materialized_at" timestamp with time zone,
	"materialized_run_id" uuid,
	"materialization_count" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"failed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"error_code" text,
	"error_message" text,
	CONSTRAINT "asset_partitions_pkey" PRIMARY KEY("asset_key","partition_key"),
	CONSTRAINT "asset_partitions_status_check" CHECK ("status" in ('queued', 'running', 'materialized', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "almanac"."backfills" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"selection" text NOT NULL,
	"asset_keys" text[] DEFAULT '{}' NOT NULL,
	"partitions_def" text,
	"partition_from" text,
	"partition_to" text,
	"policy" text DEFAULT 'single_run' NOT NULL,
	"max_partitions_per_run" integer,
	"only_status" text,
	"status" text DEFAULT 'requested' NOT NULL,
	"parent_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"partition_count" integer DEFAULT 0 NOT NULL,
	"run_count" integer DEFAULT 0 NOT NULL,
	"error_code" text,
	"error_message" text,
	CONSTRAINT "backfills_status_check" CHECK ("status" in ('requested', 'running', 'completed', 'completed_with_failures', 'canceled')),
	CONSTRAINT "backfills_policy_check" CHECK ("policy" in ('single_run', 'multi_run')),
	CONSTRAINT "backfills_only_status_check" CHECK ("only_status" in ('missing', 'failed', 'missing_or_failed')),
	CONSTRAINT "backfills_max_partitions_per_run_check" CHECK ("max_partitions_per_run" > 0)
);
--> statement-breakpoint
CREATE TABLE "almanac"."run_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"step_idx" integer,
	"level" text DEFAULT 'info' NOT NULL,
	"message" text NOT NULL,
	"data" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "run_events_level_check" CHECK ("level" in ('debug', 'info', 'warn', 'error'))
);
--> statement-breakpoint
CREATE TABLE "almanac"."run_steps" (
	"run_id" uuid NOT NULL,
	"idx" integer NOT NULL,
	"asset_key" text NOT NULL,
	"kind" text DEFAULT 'model' NOT NULL,
	"partition_from" text,
	"partition_to" text,
	"status" text DEFAULT 'queued' NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"rows_written" bigint,
	"rows_deleted" bigint,
	"rendered_sql" text,
	"error_code" text,
	"error_message" text,
	CONSTRAINT "run_steps_pkey" PRIMARY KEY("run_id","idx"),
	CONSTRAINT "run_steps_status_check" CHECK ("status" in ('queued', 'running', 'succeeded', 'failed', 'skipped', 'canceled')),
	CONSTRAINT "run_steps_kind_check" CHECK ("kind" in ('model'))
);
--> statement-breakpoint
CREATE TABLE "almanac"."runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"selection" text NOT NULL,
	"asset_keys" text[] NOT NULL,
	"partitions_def" text,
	"partition_from" text,
	"partition_to" text,
	"trigger" text NOT NULL,
	"backfill_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone,
	"worker_id" text,
	"attempt" integer DEFAULT 0 NOT NULL,
	"cancel_requested" boolean DEFAULT false NOT NULL,
	"error_code" text,
	"error_message" text,
	CONSTRAINT "runs_status_check" CHECK ("status" in ('queued', 'running', 'succeeded', 'failed', 'canceled')),
	CONSTRAINT "runs_trigger_check" CHECK ("trigger" in ('cli', 'api', 'backfill', 'schedule'))
);
--> statement-breakpoint
CREATE TABLE "almanac"."schedule_states" (
	"schedule_name" text PRIMARY KEY NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "almanac"."schedule_ticks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"schedule_name" text NOT NULL,
	"tick_time" timestamp with time zone NOT NULL,
	"partition_key" text,
	"run_id" uuid,
	"status" text DEFAULT 'started' NOT NULL,
	"message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "schedule_ticks_schedule_name_tick_time_key" UNIQUE("schedule_name","tick_time"),
	CONSTRAINT "schedule_ticks_status_check" CHECK ("status" in ('started', 'skipped', 'succeeded', 'failed'))
);
--> statement-breakpoint
ALTER TABLE "almanac"."asset_partitions" ADD CONSTRAINT "asset_partitions_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "almanac"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "almanac"."backfills" ADD CONSTRAINT "backfills_parent_id_backfills_id_fk" FOREIGN KEY ("parent_id") REFERENCES "almanac"."backfills"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "almanac"."run_events" ADD CONSTRAINT "run_events_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "almanac"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "almanac"."run_steps" ADD CONSTRAINT "run_steps_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "almanac"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "almanac"."runs" ADD CONSTRAINT "runs_backfill_id_backfills_id_fk" FOREIGN KEY ("backfill_id") REFERENCES "almanac"."backfills"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "almanac"."schedule_ticks" ADD CONSTRAINT "schedule_ticks_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "almanac"."runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "asset_partitions_asset_key_status_idx" ON "almanac"."asset_partitions" USING btree ("asset_key","status");--> statement-breakpoint
CREATE INDEX "asset_partitions_run_id_idx" ON "almanac"."asset_partitions" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "backfills_created_at_idx" ON "almanac"."backfills" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "backfills_status_idx" ON "almanac"."backfills" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "run_events_run_id_id_idx" ON "almanac"."run_events" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "runs_created_at_idx" ON "almanac"."runs" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "runs_status_created_at_idx" ON "almanac"."runs" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "runs_backfill_id_idx" ON "almanac"."runs" USING btree ("backfill_id") WHERE "backfill_id" is not null;--> statement-breakpoint
CREATE INDEX "runs_asset_keys_idx" ON "almanac"."runs" USING gin ("asset_keys");--> statement-breakpoint
CREATE INDEX "schedule_ticks_created_at_idx" ON "almanac"."schedule_ticks" USING btree ("created_at");